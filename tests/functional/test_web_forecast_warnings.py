"""The forecast page says what in the data makes the forecast less trustworthy (forecast.checks):
staff see what was found and what to do, panel members the headline without counts of children."""

from __future__ import annotations

import re
import time

from web_helpers import create_users, page_text, sign_in, synthetic_store

PASSWORD = "forecast-warnings-password-1"


def _ready(client, url: str):
    for _ in range(600):
        page = client.get(url)
        if 'id="forecast-working"' not in page.text:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{url} was still being worked out")


def _warnings(html: str) -> str:
    found = re.search(r'<div class="govuk-warning-text" id="forecast-warnings">(.*?)</div></div>', html, re.S)
    assert found, "no forecast warnings on the page"
    return page_text(found.group(1))


def test_one_year_of_returns_is_flagged_on_the_forecast_page(tmp_path):
    from carewise.settings import Settings
    from carewise.web import create_app

    url, store, council = synthetic_store(tmp_path, 40, "2024-25", seed=2)
    create_users(store, ("analyst", "panel"), PASSWORD, council.la_code)
    app = create_app(url, Settings(data_dir=tmp_path / "data"))
    staff = _warnings(_ready(sign_in(app, "analyst", PASSWORD), "/forecast").text)
    assert "Rates are fitted on the 12 months of returns held (1 April 2024 to 31 March 2025), not the 36-month reference window" in staff
    panel = _warnings(_ready(sign_in(app, "panel", PASSWORD), "/forecast").text)
    assert "The returns held are shorter than the reference window" in panel
    assert "12 months" not in panel
