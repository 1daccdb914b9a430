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
    sheet = load_workbook(files[1])["summary_population"]
    assert sheet["B4"].value == cla and isinstance(sheet["B4"].value, float | int)
    assert f">{cla:,.0f}<" in html


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
