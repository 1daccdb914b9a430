"""Placement finding in Chromium: an explained shortlist, a what-if, the panel's view (CSP kept)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def market(world):
    """A synthetic market for the suite's council, in the app's own data folder."""
    from carewise.matching import Market, StoreMarkets, check_extracts
    from carewise.synth.market import generate_market, write_market

    folder = Path(world.app.state.settings.data_dir)
    paths = write_market(generate_market(world.la_code, seed=5, size=30, as_at=date.today()),
                         folder / "market-extracts")
    frames, _ = check_extracts(paths)
    store = StoreMarkets(world.app.state.store)
    if not store.versions(world.la_code):
        store.save(Market(world.la_code).with_tables(frames), actor="browser-suite", sources=paths)
    return store.load(world.la_code)


def test_a_shortlist_reads_as_a_ranked_explained_list(as_role, world, market):
    from carewise.matching import load_settings, shortlist

    ids = market.open_referrals()["referral_id"].to_list()
    found = {rid: shortlist(market, rid, load_settings()) for rid in ids}
    rid = max(ids, key=lambda r: (min(len(found[r].candidates), 5), found[r].candidates[0]["score"]
                                  if found[r].candidates else 0))
    expected = found[rid]

    b = as_role("manager")
    page = b.page
    page.goto("/")
    page.get_by_role("link", name="Placements", exact=True).click()
    assert page.locator("h1").inner_text() == "Placements"
    page.get_by_role("link", name="Find placements for open referrals").click()
    page.locator("table a", has_text=rid).first.click()
    assert rid not in page.url.rsplit("/", 1)[-1], "the address carries an opaque reference"
    assert page.locator("h1").inner_text() == f"Shortlist for referral {rid}"

    card = page.locator(".govuk-summary-card")
    top = expected.candidates[0]
    assert f"{top['score']:.1f} out of 100" in card.locator("h2").inner_text()
    rows = page.locator("#candidates tbody tr")
    assert rows.count() == min(len(expected.candidates), 20)
    shown = [float(t) for t in page.locator("#candidates tbody td.carewise-score")
             .all_inner_texts()]
    # connected persons for the child first (CA 1989 s22C(7)(a)), then best score first
    assert shown == [c["score"] for c in expected.candidates[:20]]

    details = page.locator("details.govuk-details").last
    assert not details.locator("table").is_visible()
    details.locator("summary").click()
    assert details.locator("tbody tr").count() == len(expected.excluded)
    page.screenshot(path=str(world.screenshots / "placements-shortlist.png"), full_page=True)
    assert not b.console_errors, b.console_errors


def test_what_if_on_the_sufficiency_report_works_without_scripts_breaking_the_csp(as_role, world,
                                                                                   market):
    b = as_role("analyst")
    page = b.page
    page.goto("/placements/sufficiency")
    unmet = page.locator("#unmet").inner_text()
    page.fill("#count", "10")
    page.fill("#places", "2")
    for skill in ("emotional_behavioural", "missing", "disability"):
        page.check(f"#skill-{skill}")
    page.get_by_role("button", name="Work out what it would meet").click()
    result = page.locator("#what-if-result")
    assert result.is_visible()
    assert f"Not met: {unmet} →" in result.inner_text()
    assert page.locator("#skill-missing").is_checked(), "the form keeps what was asked"
    page.screenshot(path=str(world.screenshots / "placements-sufficiency-analyst.png"),
                    full_page=True)
    assert not b.console_errors, b.console_errors

    panel = as_role("panel")
    panel.page.goto("/")
    panel.page.get_by_role("link", name="Placements", exact=True).click()
    assert panel.page.locator("h1").inner_text() == "Placement sufficiency"
    assert panel.page.locator("a[href^='/placements/referrals/']").count() == 0
    panel.page.screenshot(path=str(world.screenshots / "placements-sufficiency-panel.png"),
                          full_page=True)
    assert not panel.console_errors, panel.console_errors
