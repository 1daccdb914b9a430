"""A person using the web app in Chromium: signing in, exploring, downloading, keyboard only."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_with_a_wrong_password_shows_the_error_then_the_right_one_opens_the_dashboard(
        browser, world):
    context = browser.new_context(base_url=world.base_url)
    page = context.new_page()
    try:
        page.goto("/children")
        assert "/login" in page.url, "a page needing a session sends the visitor to sign in"
        page.fill("#username", "analyst")
        page.fill("#password", "not-the-password")
        page.get_by_role("button", name="Sign in").click()
        summary = page.locator(".govuk-error-summary")
        assert summary.is_visible()
        assert "user name or password is not right" in summary.inner_text()
        assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null"), \
            "GOV.UK Frontend moves focus to the error summary (its script runs under the CSP)"
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{world.base_url}/children")
        assert page.locator("h1").inner_text() == "Children looked after"
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/login")
        page.goto("/")
        assert "/login" in page.url, "signing out ends the session"
    finally:
        context.close()


def test_dashboard_shows_headlines_and_a_chart_with_its_table(as_role, world):
    b = as_role("analyst")
    page = b.page
    page.goto("/")
    assert world.la_name in page.locator("h1").inner_text()
    cards = page.locator(".carewise-card")
    assert cards.count() >= 6
    figures = cards.locator(".carewise-card__figure").all_inner_texts()
    assert any(f.replace(",", "").isdigit() for f in figures), figures
    assert page.locator("figure.carewise-chart svg[role=img]").count() == 1
    page.locator(".govuk-details__summary").click()
    rows = page.locator(".govuk-details__text tbody tr")
    assert rows.count() == 3, "one row per collection year stored"
    page.select_option("#period", "2023-24")
    page.get_by_role("button", name="Show").click()
    assert "31 March 2024" in page.locator("h2").first.inner_text()
    page.screenshot(path=str(world.screenshots / "dashboard-analyst.png"), full_page=True)
    assert not b.console_errors, b.console_errors


def test_population_filters_narrow_the_figures_and_download_as_csv_and_excel(as_role, world):
    b = as_role("analyst")
    page = b.page
    page.goto("/population")
    total = _first_figure(page)
    options = page.locator("#sex option").all_inner_texts()
    assert options[0] == "All" and len(options) >= 3
    page.select_option("#sex", options[1])
    page.get_by_role("button", name="Apply filters").click()
    assert f"sex={options[1]}" in page.url
    narrowed = _first_figure(page)
    assert 0 < narrowed < total, (narrowed, total)
    assert page.locator("#sex").input_value() == options[1], "the chosen filter stays selected"
    page.screenshot(path=str(world.screenshots / "population-filtered.png"), full_page=True)

    with page.expect_download() as got:
        page.get_by_role("link", name="Download as CSV").click()
    download = got.value
    assert download.suggested_filename.endswith(".csv")
    table = pl.read_csv(download.path(), infer_schema_length=0)
    assert table.columns[:4] == ["measure", "breakdown", "category", "value"]
    first = table.row(0, named=True)
    assert first["category"] == "All" and float(first["value"]) == narrowed

    with page.expect_download() as got:
        page.get_by_role("link", name="Download as Excel").click()
    download = got.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = pl.read_excel(io.BytesIO(Path(download.path()).read_bytes()), sheet_name="Population")
    assert sheet.height == table.height
    assert not b.console_errors, b.console_errors


def _first_figure(page) -> int:
    heading = page.locator("h2.govuk-heading-m").first.inner_text()
    return int(heading.rsplit(":", 1)[1].strip().replace(",", ""))


def test_the_panel_pack_downloads_as_a_pdf(as_role, world):
    b = as_role("manager")
    page = b.page
    page.goto("/pack")
    page.check("#audience-panel")
    assert page.is_checked("#format-pdf")
    page.get_by_role("button", name="Make the pack").click()
    page.wait_for_url(re.compile(r"/pack/jobs/[0-9a-f]{32}$"))
    assert page.locator("#pack-job-progress[role=status]").count() == 1
    link = page.locator("#pack-job-download")
    link.wait_for(state="visible", timeout=120_000)  # shown by the page's script when the job is done
    assert page.locator("#pack-job-done").inner_text().startswith("Success")
    with page.expect_download(timeout=30_000) as got:
        link.click()
    download = got.value
    assert download.suggested_filename.endswith("-panel.pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000


def test_keyboard_reaches_the_skip_link_then_the_main_menu(as_role, world):
    b = as_role("analyst")
    page = b.page
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.textContent.trim(), "
                            "document.activeElement.getAttribute('href')]")
    assert focused == ["Skip to main content", "#main-content"]
    skip = page.locator(".govuk-skip-link")
    assert skip.bounding_box()["height"] > 10, "the skip link becomes visible when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    page.goto("/")
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.textContent.trim()"))
        if seen[-1] == "Population":
            break
    assert seen[-1] == "Population", seen
    in_nav = page.evaluate("document.activeElement.closest('nav') !== null")
    assert in_nav
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                          " return [s.outlineStyle, s.boxShadow, s.backgroundColor]; })()")
    assert style[0] != "none" or style[1] != "none" or style[2] not in ("rgba(0, 0, 0, 0)",), \
        f"the focused menu link must show a focus indicator: {style}"
    page.keyboard.press("Enter")
    page.wait_for_url("**/population")


def test_signed_in_pages_run_govuk_frontend_under_the_content_security_policy(as_role, world):
    b = as_role("admin")
    for path in ("/", "/pack", "/imports", "/admin/users"):
        b.page.goto(path)
        assert b.page.evaluate("document.body.classList.contains('govuk-frontend-supported')"), path
    assert not b.console_errors, b.console_errors
