"""Uploading a 903 return in the browser (runs last: a new batch refreshes every cached figure)."""

from __future__ import annotations

import re

import pytest

from conftest import UPLOAD_YEAR, axe_violations

pytestmark = pytest.mark.browser


def test_uploading_without_files_says_what_to_do(as_role, world):
    page = as_role("analyst").page
    page.goto("/imports")
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".govuk-error-summary")
    assert "Select the 903 CSV files" in summary.inner_text()
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "files"


def test_a_file_that_is_not_a_903_table_is_refused_and_nothing_is_stored(as_role, world, tmp_path):
    bad = tmp_path / "header.csv"
    bad.write_text("foo,bar\n1,2\n")
    page = as_role("analyst").page
    page.goto("/imports")
    before = page.locator("tbody tr").count()
    page.set_input_files("#files", [str(bad)])
    page.get_by_role("button", name="Upload and check").click()
    assert page.locator("h1").inner_text() == "Nothing was stored"
    problems = page.locator("table").first.inner_text()
    assert "header.csv" in problems and "does not match any 903 table" in problems
    page.goto("/imports")
    assert page.locator("tbody tr").count() == before


def test_uploading_a_years_csv_files_shows_the_validation_results(as_role, world):
    b = as_role("analyst", bypass_csp=True)
    page = b.page
    page.goto("/imports")
    before = page.locator("tbody tr").count()
    files = sorted((world.csv_dir / UPLOAD_YEAR).glob("*.csv"))
    assert len(files) >= 8
    page.set_input_files("#files", [str(f) for f in files])
    page.fill("#year", UPLOAD_YEAR)
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-panel__title").inner_text() == "Import complete"
    assert UPLOAD_YEAR in page.locator(".govuk-panel__body").inner_text()
    validation = page.locator("h2", has_text=f"DfE validation, {UPLOAD_YEAR}")
    assert validation.count() == 1
    assert "rules" in validation.inner_text()
    page.screenshot(path=str(world.screenshots / "import-result.png"), full_page=True)
    assert axe_violations(page) == []

    page.goto("/imports")
    rows = page.locator("tbody tr")
    assert rows.count() == before + 1
    newest = rows.first.locator("td").all_inner_texts()
    assert newest[0] == UPLOAD_YEAR and newest[2] == "analyst" and newest[6] == "current"
    assert newest[4] != "not checked", "the upload was validated"


def test_an_imports_rule_errors_open_to_their_rows(as_role, world, tmp_path):
    """Issue 16 item 6: the year uploaded again with one child's ethnicity made invalid (DfE rule
    103); the import's rule-error count opens to the row: file, Excel row, field, value, rule."""
    import csv
    import shutil

    folder = tmp_path / UPLOAD_YEAR
    shutil.copytree(world.csv_dir / UPLOAD_YEAR, folder)
    with (folder / "header.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[1]["ETHNIC"] = "ZZZZ"
    with (folder / "header.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    b = as_role("analyst", bypass_csp=True)
    page = b.page
    page.goto("/imports")
    page.set_input_files("#files", [str(f) for f in sorted(folder.glob("*.csv"))])
    page.fill("#year", UPLOAD_YEAR)
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-panel__title").inner_text() == "Import complete"
    page.goto("/imports")
    page.locator("tbody tr").first.locator("td").nth(4).get_by_role("link").click()
    assert page.locator("h1").inner_text().startswith(f"Import of {UPLOAD_YEAR}")
    page.get_by_role("link", name=re.compile(r"^103")).click()
    heading = page.locator("#rows").inner_text()
    assert heading.startswith("Rows failing rule 103: 1")
    cells = page.locator("table", has=page.locator("caption", has_text="Rows with rule errors")) \
        .locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[:4] == ["103", "header.csv, Excel row 3", "ETHNIC", "ETHNIC 'ZZZZ'"]
    assert cells[4] == rows[1]["CHILD"]
    page.screenshot(path=str(world.screenshots / "import-rows.png"), full_page=True)
    assert axe_violations(page) == []
