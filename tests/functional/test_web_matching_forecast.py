"""/placements/sufficiency with expected referrals from the forecast, through TestClient."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import create_users, page_text, save_synthetic_market, sign_in, synthetic_store

PASSWORD = "matching-forecast-password-1"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from carewise.settings import Settings
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("web-matching-forecast")
    url, store, council = synthetic_store(root, 120, "2022-23..2024-25", seed=21)
    create_users(store, ("analyst", "panel"), PASSWORD, council.la_code)
    save_synthetic_market(council.la_code, root, store, size=20)
    return create_app(url, Settings(data_dir=root / "data"))


def _client(app, role: str) -> TestClient:
    return sign_in(app, role, PASSWORD)


def _figure(html: str, id_: str) -> str:
    return re.search(rf'id="{id_}">([^<]+)<', html).group(1)




def test_expected_referrals_choice_shows_the_combined_gap(app):
    client = _client(app, "analyst")
    today = client.get("/placements/sufficiency")
    assert today.status_code == 200
    assert 'name="expected" type="radio" value="12"' in today.text
    assert 'id="unmet-split"' not in today.text
    unmet_today = int(_figure(today.text, "unmet"))

    page = client.get("/placements/sufficiency", params={"expected": "12"})
    assert page.status_code == 200, page.text
    text = page_text(page.text)
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
    assert "Not met: expected in the next 6 months" in page_text(six.text)
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
