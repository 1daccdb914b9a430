"""The HTML panel pack passes axe-core (WCAG 2.2 A/AA) as a file opened in Chromium, for the panel
and the public pack (issue 16 item 3); screenshots of both go to the screenshots folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carewise.history import stitch
from carewise.reports import build_pack
from conftest import axe_violations


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, Path]:
    from carewise.synth import generate_council

    history = stitch(generate_council(80, "2022-23..2024-25", seed=16).returns)
    out = tmp_path_factory.mktemp("pack")
    return {
        audience: build_pack(history, "2024-25", "E06000056", audience, ["html"], out, synthetic=True)[0]
        for audience in ("panel", "public")
    }


@pytest.mark.parametrize("audience", ["panel", "public"])
def test_html_pack_has_no_axe_violations(packs, browser, audience, tmp_path):
    # the session's one Chromium (conftest): Playwright's sync API runs once per process
    page = browser.new_page()
    try:
        page.goto(packs[audience].as_uri())
        assert page.locator("html").get_attribute("lang") == "en-GB"
        charts = page.locator("svg[role=img]")
        assert charts.count() >= 5
        for i in range(charts.count()):
            assert len(charts.nth(i).get_attribute("aria-label") or "") > 20
        page.locator("details").first.locator("summary").click()  # a chart's table, opened
        assert axe_violations(page) == []
        shots = Path(os.environ.get("CAREWISE_SCREENSHOTS", tmp_path))
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"pack-{audience}.png"), full_page=True)
    finally:
        page.close()
