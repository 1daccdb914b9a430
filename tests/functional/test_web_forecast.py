"""Forecast pages in the web app, end to end through FastAPI's TestClient.

One synthetic council (four years of 903 returns imported through ``carewise.importing``);
each test signs in through the /login form with its CSRF token.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import create_users, page_text, sign_in, synthetic_store

PASSWORD = "forecast-pages-password-1"
ROLES = ("admin", "analyst", "manager", "panel")


@dataclass
class World:
    app: object
    la_code: str
    data_dir: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    from carewise.settings import Settings
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("web-forecast")
    url, store, council = synthetic_store(root, 90, "2021-22..2024-25", seed=8)
    create_users(store, ROLES, PASSWORD, council.la_code)
    app = create_app(url, Settings(data_dir=root / "data"))
    return World(app, council.la_code, root / "data")


def client_for(world: World, role: str) -> TestClient:
    return sign_in(world.app, role, PASSWORD)


def ready(client: TestClient, url: str, **kw):
    """GET a forecast page, waiting while it says the forecast is being worked out."""
    for _ in range(600):
        page = client.get(url, **kw)
        if 'id="forecast-working"' not in page.text:
            return page
        assert '<meta http-equiv="refresh"' in page.text and page.status_code == 200
        time.sleep(0.5)
    raise AssertionError(f"{url} was still being worked out")


def _table(html: str, table_id: str) -> list[list[str]]:
    """Cells (th and td text) of each body row of the table with this id."""
    body = re.search(rf'<table class="govuk-table" id="{table_id}">.*?<tbody[^>]*>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[page_text(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


def _numbers(cell: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"(?<![\d.])[−-]?\d[\d,]*(?![\d.])", cell.replace("−", "-"))]


def test_signed_out_visitors_are_sent_to_sign_in(world):
    response = TestClient(world.app).get("/forecast", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_baseline_with_its_backtest(world, role):
    page = ready(client_for(world, role), "/forecast")
    assert page.status_code == 200, page.text[-2000:]
    html, text = page.text, page_text(page.text)
    assert '<a class="govuk-service-navigation__link" href="/forecast"' in html or 'href="/forecast"' in html
    assert "How much to trust this" in text
    assert re.search(r"\d+\.\d% at 3 months, \d+\.\d% at 6 months, \d+\.\d% at 12 months", text), text[:3000]
    assert re.search(r"At 12 months the total fell inside the 80% range \d+\.\d% of the time", text)
    assert 'id="calibration"' in html and "Backtest by placement category" in text
    assert "2025-26 prices" in text  # every cost output says its price base
    assert "<svg" in html and 'role="img"' in html
    assert "<details" in html and 'id="monthly"' in html
    years = _table(html, "by-year")
    assert years[0][0] == "All children looked after" and len(years[0]) == 5  # the start, three 31 Marches
    assert len(_numbers(years[0][1])) == 1 and len(_numbers(years[0][2])) == 3  # the start has no range
    spend = _table(html, "spend")
    assert len(spend) >= 3 and all("£" in row[1] for row in spend)
    # no inline script or style: the CSP forbids them
    assert not re.search(r"<script(?![^>]*\b(?:src|nonce)=)", html)  # only the template's nonce one
    assert "style=" not in html and "<style" not in html


def test_panel_members_see_small_figures_as_x(world):
    internal = _table(ready(client_for(world, "analyst"), "/forecast").text, "by-year")
    panel = _table(ready(client_for(world, "panel"), "/forecast").text, "by-year")
    assert len(internal) == len(panel)
    small_seen = False
    for row_i, row_p in zip(internal, panel, strict=True):
        for cell_i, cell_p in zip(row_i[1:], row_p[1:], strict=True):
            values = _numbers(cell_i)
            hidden = [1 <= v <= 4 for v in values]
            small_seen |= any(hidden)
            shown = cell_p.replace(" to ", " ").split()
            assert len(shown) == len(values) and len(values) in (1, 3)
            for v, hide, s in zip(values, hidden, shown, strict=True):
                assert s == ("x" if hide else f"{v:,}")
    assert small_seen, "the small synthetic council should have some projected figures under 5"
    for row in _table(ready(client_for(world, "panel"), "/forecast/pa-caseload").text, "pa-needing"):
        assert not any(1 <= v <= 4 for cell in row[1:] for v in _numbers(cell))


def test_forecast_is_worked_out_once_per_data_version(world):
    client = client_for(world, "manager")
    assert ready(client, "/forecast").status_code == 200
    cache = world.app.state.forecasts
    version = world.app.state.data.version(world.la_code)
    key = (world.la_code, version, "overview")
    first, charts = cache.get(key, lambda: pytest.fail("the forecast was not cached"))
    assert ready(client, "/forecast/pa-caseload").status_code == 200
    assert cache.get(key, lambda: None)[0] is first
    assert first.runs >= 200 and first.projection.counts.shape[1] == first.runs
    assert charts["total:internal"].startswith("<svg")


def test_a_scenario_built_on_the_page_is_compared_with_the_baseline(world):
    client = client_for(world, "analyst")
    page = ready(client, "/forecast/scenarios", params={"entry_change": "-30"})
    assert page.status_code == 200, page_text(page.text)[:2000]
    text = page_text(page.text)
    assert "This scenario compared with the baseline" in text and "-30% children entering care" in text
    diff = _table(page.text, "difference")
    assert diff[0][0] == "All children looked after"
    last = _numbers(diff[0][-1])
    assert last[0] < 0 and last[2] <= 0  # fewer entrants: fewer children, the whole 80% range below zero
    spend = _table(page.text, "spend-difference")
    assert spend and spend[-1][1].startswith("−£")


def test_saved_scenarios_can_be_picked(world):
    from carewise.forecast.scenarios import Scenario, save

    save(Scenario("step down 6", "Six a year from residential", [{"kind": "step_down", "per_year": 6}]),
         world.data_dir / "scenarios" / "step down 6.json")
    client = client_for(world, "panel")
    form = ready(client, "/forecast/scenarios")
    assert 'value="step down 6"' in form.text
    page = ready(client, "/forecast/scenarios", params={"saved": "step down 6"})
    assert page.status_code == 200
    assert "6 children a year stepped down from residential" in page_text(page.text)
    rows = {r[0]: r for r in _table(page.text, "difference")}
    assert "Residential" in rows


def test_scenario_form_errors_are_shown_next_to_the_fields(world):
    client = client_for(world, "analyst")
    page = ready(client, "/forecast/scenarios", params={"entry_change": "lots", "step_down": "-3"})
    assert page.status_code == 400
    assert 'class="govuk-error-summary"' in page.text
    assert 'href="#entry_change"' in page.text and 'href="#step_down"' in page.text
    assert 'id="entry_change-error"' in page.text
    march = re.search(r'<option value="(\d{4}-03-31)"', page.text).group(1)
    unreachable = ready(client, "/forecast/scenarios", params={"in_house_target": "100", "in_house_by": march})
    assert unreachable.status_code == 400
    assert "not reachable" in page_text(unreachable.text)
    assert ready(client, "/forecast/scenarios", params={"saved": "no such"}).status_code == 400


def test_pa_caseload_page(world):
    page = ready(client_for(world, "manager"), "/forecast/pa-caseload")
    assert page.status_code == 200
    needing = _table(page.text, "pa-needing")
    assert len(needing) == 3 and all(row[0].endswith("March " + row[0][-4:]) for row in needing)
    caseload = _table(page.text, "pa-caseload")
    assert [row[0] for row in caseload] == ["7", "8", "9", "10", "11"]
    people, joint = _numbers(needing[0][3])[0], _numbers(needing[0][4])[0]
    # joint working is workload, not people: the caseload counts it, "needing" does not
    assert float(caseload[0][1]) == pytest.approx((people + joint) / 7, abs=0.15)
    assert "counted as advisers' workload" in page_text(page.text)
    assert caseload[0][-1] == "£199,500"  # 7 advisers at £28,500


def test_a_slow_first_forecast_shows_a_refreshing_page(world, monkeypatch):
    """No request waits for the whole forecast: the page says it is being worked out and
    refreshes itself (no script), then shows the forecast."""
    import carewise.web.pages_forecast as pages
    from carewise.settings import Settings
    from carewise.web import create_app

    monkeypatch.setattr(pages, "WAIT_SECONDS", 0.0)
    fresh = World(create_app(world.app.state.store.url, Settings(data_dir=world.data_dir)), world.la_code,
                  world.data_dir)
    client = client_for(fresh, "panel")
    first = client.get("/forecast")
    assert first.status_code == 200
    assert 'id="forecast-working"' in first.text and '<meta http-equiv="refresh" content="3">' in first.text
    assert "<svg" in ready(client, "/forecast").text


def test_an_in_house_limit_from_the_form_caps_in_house_fostering(world):
    client = client_for(world, "analyst")
    page = ready(client, "/forecast/scenarios", params={"in_house_limit": "0"})
    assert page.status_code == 200, page_text(page.text)[:2000]
    assert "at most 0 children with in-house foster carers" in page_text(page.text)
    rows = {r[0]: r for r in _table(page.text, "difference")}
    # no in-house places: new in-house placements go to agencies
    assert _numbers(rows["Fostering (in-house)"][-1])[0] <= 0
    assert _numbers(rows["Fostering (agency)"][-1])[0] >= 0
    bad = ready(client, "/forecast/scenarios", params={"in_house_limit": "many"})
    assert bad.status_code == 400 and 'href="#in_house_limit"' in bad.text
