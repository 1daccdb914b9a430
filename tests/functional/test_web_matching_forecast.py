"""/placements/sufficiency with expected referrals from the forecast, through TestClient."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient

PASSWORD = "matching-forecast-password-1"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from carewise.importing import import_paths
    from carewise.matching import Market, ParquetMarketStore, check_extracts
    from carewise.settings import Settings
    from carewise.store import Store
    from carewise.store.accounts import create_user
    from carewise.synth import generate_council, write_council
    from carewise.synth.market import generate_market, write_market
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("web-matching-forecast")
    council = generate_council(120, "2022-23..2024-25", seed=21)
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    assert import_paths(store, [write_council(council, root / "synth")],
                        la_code=council.la_code, council_name=council.la_name, synthetic=True,
                        validate=False).stored
    for role in ("analyst", "panel"):
        create_user(store, role, PASSWORD, role, display_name=f"Test {role}",
                    councils=[council.la_code])
    extracts = write_market(generate_market(council.la_code, seed=3, size=20,
                                            as_at=date.today()), root / "extracts")
    frames, _ = check_extracts(extracts)
    ParquetMarketStore(root / "data" / "market").save(
        Market(council.la_code).with_tables(frames), actor="fixture", sources=extracts)
    return create_app(url, Settings(data_dir=root / "data"))


def _client(app, role: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    signed = client.post("/login", data={"username": role, "password": PASSWORD,
                                         "csrf_token": token, "next": "/"},
                         follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return client


def _figure(html: str, id_: str) -> str:
    return re.search(rf'id="{id_}">([^<]+)<', html).group(1)


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_expected_referrals_choice_shows_the_combined_gap(app):
    client = _client(app, "analyst")
    today = client.get("/placements/sufficiency")
    assert today.status_code == 200
    assert 'name="expected" type="radio" value="12"' in today.text
    assert 'id="unmet-split"' not in today.text
    unmet_today = int(_figure(today.text, "unmet"))

    page = client.get("/placements/sufficiency", params={"expected": "12"})
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Include expected referrals over the next 12 months" in text
    assert re.search(r'value="12" checked', page.text)
    assert "Not met: expected in the next 12 months" in text
    # open referrals are placed first, so today's unmet need is the same as without the forecast
    assert int(_figure(page.text, "unmet-today")) == unmet_today
    combined = int(_figure(page.text, "unmet"))
    assert combined == unmet_today + int(_figure(page.text, "unmet-expected"))
    # no link to a forecast referral (they are not children)
    assert "FORECAST-" not in page.text

    six = client.get("/placements/sufficiency", params={"expected": "6"})
    assert "Not met: expected in the next 6 months" in _text(six.text)
    odd = client.get("/placements/sufficiency", params={"expected": "7"})
    assert odd.status_code == 200 and 'id="unmet-split"' not in odd.text


def test_panel_sees_the_combined_gap_as_aggregates(app):
    client = _client(app, "panel")
    page = client.get("/placements/sufficiency", params={"expected": "6"})
    assert page.status_code == 200
    assert 'id="unmet-split"' in page.text
    for id_ in ("unmet-today", "unmet-expected"):
        value = _figure(page.text, id_)
        assert value == "x" or value == "0" or int(value) >= 5
