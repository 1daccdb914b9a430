"""Forgiving where it is safe (issue 13): other separators, title and footer lines, rows missing
their trailing empty cells, system files and Ofsted's provider lists beside the 903 files."""

from __future__ import annotations

import pytest
import xlsxwriter

from carewise.ingest import Severity, read_csv_bytes, read_returns

COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
           "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
ROWS = [["C1", "01/05/2024", "S", "C2", "N1", "U4", "PR1", "", "", "", "", "", ""],
        ["C2", "02/05/2024", "S", "C2", "N1", "U4", "PR1", "", "", "", "", "", ""]]


def joined(sep: str, end: str = "\n", rows=ROWS) -> str:
    return end.join(sep.join(r) for r in [COLUMNS, *rows]) + end


@pytest.mark.parametrize(("sep", "words"), [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")])
def test_other_separators_are_read_and_said(sep, words):
    read = read_csv_bytes(joined(sep).encode(), "episodes.csv")
    assert read.usable and read.raw["CHILD"].to_list() == ["C1", "C2"]
    (problem,) = read.problems
    assert problem.severity == Severity.WARNING and words in problem.message


def test_cr_only_line_ends_are_read():
    read = read_csv_bytes(joined(",", "\r").encode(), "episodes.csv")
    assert read.usable and read.raw["DECOM"].to_list() == ["01/05/2024", "02/05/2024"] and not read.problems


def test_title_and_footer_lines_are_skipped_and_reported():
    text = "Episodes report 2024-25\nRun on 01/04/2025\n" + joined(",") + "Total rows: 2\n"
    read = read_csv_bytes(text.encode(), "episodes.csv")
    assert read.usable and read.raw["_row"].to_list() == [1, 2]
    title, footer = read.problems
    assert "2 lines above the header row (Episodes report 2024-25 Run on 01/04/2025) were skipped" in title.message
    assert "last 1 line (Total rows: 2) was skipped as a footer" in footer.message


def test_rows_missing_their_trailing_empty_cells_are_padded_with_a_warning():
    rows = [r[:7] for r in ROWS]
    read = read_csv_bytes(joined(",", rows=rows).encode(), "episodes.csv")
    assert read.usable and read.raw["DEC"].to_list() == [None, None]
    assert [(p.severity, p.row) for p in read.problems] == [(Severity.WARNING, 1), (Severity.WARNING, 2)]
    assert "taken as blank" in read.problems[0].message


def test_a_short_last_row_without_a_line_break_is_still_a_cut_short_file():
    text = joined(",") + "C3,03/05/2024,S"
    read = read_csv_bytes(text.encode(), "episodes.csv")
    assert not read.usable
    assert any(p.row == 3 and "cut short" in p.message for p in read.problems)


def _providers_xlsx(path):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Children's homes")
    sheet.write_row(0, 0, ["URN", "Provider type", "Registration date", "Postcode"])
    sheet.write_row(1, 0, ["SC123456", "Children's home", "01/01/2015", "LU1 1AA"])
    book.close()


def test_system_files_are_ignored_and_provider_lists_recognised_other_files_skipped(tmp_path):
    folder = tmp_path / "2024-25"
    folder.mkdir()
    (folder / "episodes.csv").write_text(joined(","))
    (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,01/01/2012,WBRI,,,\n"
                                       "C2,1,01/01/2012,WBRI,,,\n")
    (folder / "Thumbs.db").write_bytes(b"\x00\x01" * 50)
    (folder / "desktop.ini").write_text("[.ShellClassInfo]\n")
    (folder / "~$episodes.xlsx").write_bytes(b"\x00lock")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    _providers_xlsx(folder / "children_homes.xlsx")
    (folder / "budget.xlsx").write_bytes(b"not really a workbook")
    result = read_returns([folder])
    assert not result.errors and [str(y) for y in result.returns] == ["2024-25"]
    assert [p.name for p in result.provider_files] == ["children_homes.xlsx"]
    said = {p.file: p.message for p in result.problems}
    assert set(said) == {"notes.docx", "children_homes.xlsx", "budget.xlsx"}
    assert "recognised as Ofsted's provider list (1 providers)" in said["children_homes.xlsx"]
    assert said["budget.xlsx"].startswith("skipped: an Excel workbook")
