"""Placement finding in the web app, end to end through FastAPI's TestClient.

One synthetic council (903 return imported through ``carewise.importing``) and a synthetic
market for it are built once; each test signs in through the /login form with its CSRF token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from web_helpers import (
    create_users,
    csrf_in,
    page_text,
    save_synthetic_market,
    sign_in,
    synthetic_store,
)

PASSWORD = "matching-pages-password-1"
ROLES = ("admin", "analyst", "manager", "panel")


@dataclass
class World:
    app: object
    store: object
    la_code: str
    extracts: list[Path]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    from carewise.settings import Settings
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("web-matching")
    url, store, council = synthetic_store(root, 60, "2024-25", seed=11)
    create_users(store, ROLES, PASSWORD, council.la_code)
    extracts = save_synthetic_market(council.la_code, root, store, size=30)
    app = create_app(url, Settings(data_dir=root / "data"))
    return World(app, store, council.la_code, extracts)


def client_for(world: World, role: str) -> TestClient:
    return sign_in(world.app, role, PASSWORD)


def _referral_links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'href="/placements/referrals/([0-9a-f]{24})">(R\d+)', html)


def _market(world: World):
    from carewise.matching import StoreMarkets

    return StoreMarkets(world.store).load(world.la_code)


def test_shortlist_page_ranks_explains_and_records_the_view(world):
    from carewise.matching import load_settings, shortlist
    from carewise.store.audit import events

    analyst = client_for(world, "analyst")
    listing = analyst.get("/placements/referrals")
    assert listing.status_code == 200
    links = _referral_links(listing.text)
    assert len(links) == 30, "every open referral is listed"
    market = _market(world)
    children = set(market.referrals["child_id"].to_list())
    # the referral whose shortlist has the most candidates, so the ranking is worth checking
    found = {rid: shortlist(market, rid, load_settings()) for _, rid in links}
    ref, rid = max(links, key=lambda link: len(found[link[1]].candidates))
    expected = found[rid]
    assert len(expected.candidates) >= 2
    assert rid not in ref and not any(c in ref for c in children), "URLs carry opaque refs only"

    before = len(events(world.store, action="shortlist"))
    page = analyst.get(f"/placements/referrals/{ref}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = page_text(page.text)
    assert f"Shortlist for referral {rid}" in text
    top = expected.candidates[0]
    assert f"score {top['score']:.1f} out of 100" in text
    table = page.text.split('id="candidates"')[1].split("</table>")[0]
    scores = [float(s) for s in re.findall(r"<strong>(\d+\.\d)</strong>", table)]
    assert scores == sorted(scores, reverse=True)
    assert scores == [c["score"] for c in expected.candidates[:20]]
    assert "What counted and by how much" in text
    assert "Options excluded by a hard constraint" in text
    worst = max(expected.funnel, key=lambda f: (f["excluded"], f["only_reason"]))
    assert worst["reason"].capitalize() in text
    for child in children:
        assert child not in page.text, "the child's 903 id is never shown"

    shown = events(world.store, action="shortlist")
    assert len(shown) == before + 1
    row = shown[0]
    assert row.actor == "analyst" and row.council == world.la_code
    assert row.target == f"referral:{rid}"
    assert row.detail["shown"] == [c["option_id"] for c in expected.candidates[:20]]
    assert row.detail["market_version"] == market.version

    assert analyst.get("/placements/referrals/" + "0" * 24).status_code == 404
    assert analyst.get(f"/placements/referrals/{rid}").status_code == 404


def test_nothing_fits_names_the_constraint_that_excluded_most(world):
    from carewise.matching import load_settings, shortlist

    market = _market(world)
    manager = client_for(world, "manager")
    links = _referral_links(manager.get("/placements/referrals").text)
    empty = [(ref, rid) for ref, rid in links
             if not shortlist(market, rid, load_settings()).candidates]
    if not empty:
        pytest.skip("this synthetic market has no referral that nothing fits")
    ref, rid = empty[0]
    worst = shortlist(market, rid, load_settings()).most_excluding
    text = page_text(manager.get(f"/placements/referrals/{ref}").text)
    assert "Nothing fits" in text
    assert f"The constraint that excluded most was {worst['reason']}" in text


def test_panel_member_cannot_see_shortlists_but_sees_the_suppressed_sufficiency_report(world):
    from carewise.matching import load_settings
    from carewise.matching.report import batch_report

    analyst = client_for(world, "analyst")
    ref, rid = _referral_links(analyst.get("/placements/referrals").text)[0]
    panel = client_for(world, "panel")
    assert panel.get(f"/placements/referrals/{ref}").status_code == 403
    assert panel.get("/placements/referrals").status_code == 403
    assert panel.get("/placements").status_code == 403
    home = panel.get("/")
    assert 'href="/placements/sufficiency"' in home.text, "the navigation leads panel members there"

    page = panel.get("/placements/sufficiency")
    assert page.status_code == 200
    assert "Unmet need by age group, need and placement type" in page.text
    assert not re.search(r"\bR\d{4}\b", page.text), "no referral ids for panel members"
    assert "/placements/referrals/" not in page.text
    report = batch_report(_market(world), load_settings())
    groups = report["unmet_groups"]
    table = page.text.split('id="unmet-groups"')[1].split("</table>")[0]
    cells = re.findall(r'cell--numeric">([^<]*)<', table)
    referral_cells = cells[0::2]
    assert len(referral_cells) == len(groups)
    for g, shown in zip(groups, referral_cells, strict=True):
        if 0 < g["referrals"] < 5:
            assert shown == "x"
        else:
            assert shown in (str(g["referrals"]), "x")

    full = page_text(analyst.get("/placements/sufficiency").text)
    assert rid in analyst.get("/placements/sufficiency").text
    assert f"{report['summary']['unmet']}" in full


def test_what_if_re_solves_and_reports_the_change_in_unmet_need(world):
    from carewise.matching import Addition, load_settings, what_if

    analyst = client_for(world, "analyst")
    base = analyst.get("/placements/sufficiency")
    unmet_before = int(re.search(r'id="unmet">(\d+)<', base.text).group(1))
    assert unmet_before > 0, "the synthetic market leaves some need unmet"
    params = {"run": "1", "kind": "in_house_fostering", "count": "15", "places": "3",
              "min_age": "0", "max_age": "17",
              "skills": ["emotional_behavioural", "disability", "exploitation", "missing",
                         "offending", "substance_misuse", "uasc"]}
    page = analyst.get("/placements/sufficiency", params=params)
    assert page.status_code == 200
    expected = what_if(_market(world), load_settings(), [Addition(
        kind="in_house_fostering", count=15, places=3, min_age=0, max_age=17,
        skills=params["skills"])])
    assert expected["after"]["unmet"] < unmet_before
    text = page_text(page.text)
    gain = expected["met_gain"]
    assert f"Would meet {gain} more referral" in text
    assert f"Not met: {expected['before']['unmet']} → {expected['after']['unmet']}" in text
    assert "for ages 0 to 17, with skills in disability, emotional and behavioural" in text
    for skill in params["skills"]:
        assert re.search(rf'value="{skill}" checked', page.text), "the form keeps what was asked"
    assert 'value="therapeutic" checked' not in page.text

    wrong = analyst.get("/placements/sufficiency", params={**params, "count": "lots",
                                                           "min_age": "12", "max_age": "4"})
    assert wrong.status_code == 400
    assert "How many to add must be a whole number from 1 to 500" in wrong.text
    assert "The oldest age must be the same as or more than the youngest age" in wrong.text
    assert 'href="#count"' in wrong.text, "the error summary links to the field"


def test_upload_with_a_bad_row_names_file_row_and_column_and_stores_nothing(world, tmp_path):
    from carewise.matching import StoreMarkets

    analyst = client_for(world, "analyst")
    page = analyst.get("/placements")
    assert page.status_code == 200
    token = csrf_in(page.text)
    carers = pl.read_csv(world.extracts[0], infer_schema=False)
    assert world.extracts[0].name == "carers.csv"
    bad = carers.with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("twelve")).otherwise(pl.col("max_age"))
        .alias("max_age"))
    bad_path = tmp_path / "carers.csv"
    bad.write_csv(bad_path)
    versions = len(StoreMarkets(world.store).versions(world.la_code))

    refused = analyst.post("/placements", data={"csrf_token": token},
                           files=[("files", ("carers.csv", bad_path.read_bytes(), "text/csv"))])
    assert refused.status_code == 400
    text = page_text(refused.text)
    assert "Nothing was stored" in text
    problems = refused.text.split('id="problems"')[1].split("</table>")[0]
    row = re.search(r"<tr class=\"govuk-table__row\">(.*?)</tr>", problems.split("<tbody")[1],
                    re.S).group(1)
    assert [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][:4] == \
        ["carers.csv", "3", "max_age", "twelve"]
    assert "Write a whole number" in text
    assert len(StoreMarkets(world.store).versions(world.la_code)) == versions

    garbage = analyst.post("/placements", data={"csrf_token": token},
                           files=[("files", ("carers.xlsx", b"not a workbook",
                                             "application/octet-stream"))])
    assert garbage.status_code == 400
    assert "could not be read as CSV or Excel" in page_text(garbage.text)

    no_token = analyst.post("/placements", data={"csrf_token": "wrong"},
                            files=[("files", ("carers.csv", bad_path.read_bytes(), "text/csv"))])
    assert no_token.status_code == 403
    manager = client_for(world, "manager")
    assert "Upload the market extracts" not in manager.get("/placements").text
    assert manager.post("/placements", data={"csrf_token": csrf_in(manager.get("/").text)},
                        files=[("files", ("carers.csv", b"x", "text/csv"))]).status_code == 403

    fine = analyst.post("/placements", data={"csrf_token": token},
                        files=[("files", ("carers.csv", world.extracts[0].read_bytes(),
                                          "text/csv"))])
    assert fine.status_code == 200
    assert f"Market v{versions + 1:04d} stored: {carers.height} carers" in page_text(fine.text)
    assert "Kept from the previous version: providers, referrals, vacancies" in page_text(fine.text)
    assert len(StoreMarkets(world.store).versions(world.la_code)) == versions + 1


def test_market_summary_and_blank_templates(world):
    manager = client_for(world, "manager")
    page = manager.get("/placements")
    assert page.status_code == 200
    text = page_text(page.text)
    market = _market(world)
    assert f"Open referrals {market.open_referrals().height}" in text
    assert f"Providers {market.providers.height}" in text
    assert 'href="/placements"' in manager.get("/").text, "Placements is in the navigation"
    csv = manager.get("/placements/templates/carers.csv")
    assert csv.status_code == 200 and csv.text.startswith("household_id,")
    book = manager.get("/placements/templates/carewise-market-template.xlsx")
    assert book.content[:2] == b"PK"
    assert manager.get("/placements/templates/secret.txt").status_code == 404


def test_small_counts_are_hidden_and_cannot_be_worked_out_by_subtraction():
    from carewise.web.pages_matching import suppress_column, suppress_linked

    assert suppress_column([7, 3, 6], total=16) == ["7", "x", "x"], "one x alone is not enough"
    assert suppress_column([2, 3, 8], total=13) == ["x", "x", "8"]
    assert suppress_column([0, 9], total=9) == ["0", "9"]
    assert suppress_column([5, 4], total=None) == ["5", "x"]
    assert suppress_linked([20, 17, 3]) == ["x", "x", "x"]
    assert suppress_linked([20, 20, 0]) == ["20", "20", "0"]


def test_shortlist_page_shows_wishes_siblings_and_what_was_assumed(world):
    manager = client_for(world, "manager")
    links = dict((rid, ref) for ref, rid in _referral_links(
        manager.get("/placements/referrals").text))
    refs = _market(world).open_referrals()
    wished = refs.filter(pl.col("wishes_feelings").is_not_null()
                         & (pl.col("home_resolution") == "sector")).row(0, named=True)
    text = page_text(manager.get(f"/placements/referrals/{links[wished['referral_id']]}").text)
    assert wished["wishes_feelings"] in text
    assert "The child's home postcode" in text and "is a postcode sector" in text


def test_sufficiency_page_gives_the_commissioning_figures_in_children(world):
    text = page_text(client_for(world, "analyst").get("/placements/sufficiency").text)
    assert "What the allocation means for commissioning" in text
    assert "In-house share of fostering" in text and "against the strategy's 70%" in text


def test_market_page_warns_of_vacancies_above_registered_places(world, tmp_path):
    import csv

    from carewise.matching import StoreMarkets, check_extracts

    market = _market(world)
    urn = market.providers.filter(pl.col("provider_type") == "childrens_home")["urn"][0]
    path = tmp_path / "vacancies.csv"
    cols = [c for c in market.vacancies.columns if c in (
        "vacancy_id", "urn", "places", "available_from")]
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(cols)
        writer.writerow(["VBIG", urn, "40", ""])
    frames, _ = check_extracts([path], known_urns=set(market.providers["urn"].to_list()))
    store = StoreMarkets(world.store)
    store.save(market.with_tables(frames), actor="test", sources=[path])
    text = page_text(client_for(world, "analyst").get("/placements").text)
    assert "offers 40 place(s) in vacancies but has" in text
