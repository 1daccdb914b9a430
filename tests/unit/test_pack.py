"""The panel pack: section registry, the same figure in every format, plain-English changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from carewise.history import stitch
from carewise.measures import evaluate
from carewise.reports import (
    SECTIONS,
    Cell,
    Section,
    TableBlock,
    build_pack,
    build_sections,
    pack_data,
    parse_formats,
    section,
)
from carewise.reports.builtin import change_text
from carewise.reports.render_xlsx import number_format, sheet_name
from carewise.returns.build import return_from_rows


@pytest.fixture(scope="module")
def history():
    header = [
        {"CHILD": str(i), "SEX": "MF"[i % 2], "DOB": "01/06/2012", "ETHNIC": "WBRI"}
        for i in range(30)
    ]
    eps = [
        {
            "CHILD": str(i),
            "DECOM": f"{1 + i % 27:02d}/0{1 + i % 9}/2023",
            "RNE": "S",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": ["U4", "U6", "K2", "U1"][i % 4],
            "PLACE_PROVIDER": ["PR1", "PR4", "PR4", "PR1"][i % 4],
            "DEC": "01/01/2025" if i % 5 == 0 else None,
            "REC": "E4A" if i % 5 == 0 else None,
        }
        for i in range(30)
    ]
    returns = [return_from_rows(y, header=header, episodes=eps) for y in ("2023-24", "2024-25")]
    return stitch(returns)


def test_a_registered_section_appears_in_the_pack(history):
    @section("test_pledges", "Our promises", order=70)
    def pledges(data):
        return Section(
            "test_pledges",
            "Our promises",
            blocks=[
                TableBlock(
                    "pledges",
                    "Promises kept",
                    ["Promise", "Kept"],
                    [[Cell("Visits"), Cell("9", 9.0)]],
                )
            ],
        )

    try:
        data = pack_data(history, "2024-25", None, "panel")
        titles = [s.title for s in build_sections(data)]
        assert titles.index("Our promises") > titles.index("Permanence and adoption")
    finally:
        SECTIONS.pop("test_pledges")


def test_same_figure_in_html_and_excel(history, tmp_path: Path):
    files = build_pack(history, "2024-25", None, "internal", "html,xlsx", tmp_path)
    html = files[0].read_text(encoding="utf-8")
    cla = evaluate(history, "2024-25", None, "internal", ids=["cla_at_date"])[0].value
    sheet = _sheet_titled(load_workbook(files[1]), "Summary")
    assert sheet["B4"].value == cla and isinstance(sheet["B4"].value, float | int)
    assert f">{cla:,.0f}<" in html


def _sheet_titled(book, title: str):
    """The sheet whose title row (A1) is ``title``."""
    return next(ws for ws in book.worksheets if ws["A1"].value == title)


def test_excel_pack_is_usable_by_an_analyst(history, tmp_path: Path):
    """Issue 16 item 4: readable unique sheet names, a contents sheet with period, audience,
    source and release, frozen headings, percentages stored as fractions formatted 0.0%,
    hidden figures blank with a comment (never "x" text in a column of numbers)."""
    (path,) = build_pack(history, "2024-25", None, "panel", ["xlsx"], tmp_path)
    book = load_workbook(path)
    names = [ws.title for ws in book.worksheets]
    assert names[0] == "Contents" and len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 and not n.startswith("_") for n in names)
    contents = {r[0].value: r[1].value for r in book["Contents"].iter_rows(max_row=8) if r[0].value}
    assert {"Period", "Audience", "Source", "Comparators"} <= set(contents)
    assert "2024-25" in contents["Period"] and contents["Audience"].startswith("panel")
    assert all(ws.freeze_panes for ws in book.worksheets)
    percents = [c for ws in book.worksheets[1:] for row in ws.iter_rows(min_row=4) for c in row
                if c.number_format == "0.0%"]
    assert percents and all(isinstance(c.value, int | float) and 0 <= c.value <= 1 for c in percents)
    hidden = [c for ws in book.worksheets[1:] for row in ws.iter_rows(min_row=4) for c in row
              if c.comment is not None]
    assert hidden and all(c.value is None for c in hidden)
    assert not [c for ws in book.worksheets[1:] for row in ws.iter_rows(min_row=4) for c in row[1:]
                if c.value in ("x", "–")]


def test_sheet_names_fit_excel_and_read_as_titles():
    used: set[str] = set()
    assert sheet_name(["Children looked after: age"], used) == "Children looked after - age"
    long = "Children who started to be looked after in the period, by age"
    first, second = sheet_name([long], used), sheet_name([long], used)
    assert len(first) <= 31 and len(second) <= 31 and first.lower() != second.lower()
    assert not first.endswith(" ") and second.endswith("(2)")
    assert sheet_name(["Summary", "Care leavers – Summary"], used | {"summary"}) == "Care leavers – Summary"


def test_number_formats_follow_the_text_a_reader_sees():
    assert number_format(Cell("9.7%", 9.7)) == (pytest.approx(0.097), "0.0%")
    assert number_format(Cell("1,047", 1047.0)) == (1047.0, "#,##0")
    assert number_format(Cell("67.3", 67.3)) == (67.3, "#,##0.0")
    assert number_format(Cell("x")) is None


def test_change_text_in_plain_english(history):
    cur = evaluate(
        history, "2024-25", None, "internal", ids=["cla_at_date", "foster_share_at_date"]
    )
    prev = evaluate(
        history, "2023-24", None, "internal", ids=["cla_at_date", "foster_share_at_date"]
    )
    assert change_text(cur[0], prev[0]).startswith(("up", "down", "no change"))
    assert change_text(cur[1], prev[1]).endswith(("points", "no change"))
    hidden = evaluate(history, "2024-25", None, "internal", ids=["cla_at_date"])[0]
    hidden.suppressed, hidden.value = True, None
    assert change_text(hidden, prev[0]) == "–"


def test_formats_are_checked():
    assert parse_formats("html, PDF") == ["html", "pdf"]
    with pytest.raises(Exception, match="html, pdf, xlsx"):
        parse_formats("docx")


def test_a_breakdown_that_decides_the_numerator_shows_how_children_divide(history):
    """Issue 16: "3 or more placements" by number of placements read 1: 0.0%, 2: 0.0%, 3: 100%,
    4+: 100%. The pack shows the children in each band and their share of all instead."""
    from dataclasses import replace

    from carewise.measures.model import Row
    from carewise.reports.builtin import breakdown_table

    r = evaluate(history, "2024-25", None, "internal", ids=["stability_three_plus_placements"])[0]
    bands = [Row("1", 0, 60, 0.0), Row("2", 0, 30, 0.0), Row("3", 6, 6, 100.0), Row("4 or more", 4, 4, 100.0)]
    r = replace(r, numerator=10, denominator=100, breakdowns={"placements": bands})
    table = breakdown_table(r, "placements", "t")
    assert table.columns[1:] == ["Children", "Percentage of all"]
    assert [row[2].text for row in table.rows] == ["60.0%", "30.0%", "6.0%", "4.0%", "100%"]


def test_a_small_change_in_a_large_count_is_not_zero_percent(history):
    from dataclasses import replace

    cla = evaluate(history, "2024-25", None, "internal", ids=["cla_at_date"])[0]
    assert change_text(replace(cla, value=1051.0), replace(cla, value=1047.0)) == "up 4 (0.4%)"
    assert change_text(replace(cla, value=1200.0), replace(cla, value=1000.0)) == "up 200 (20%)"
