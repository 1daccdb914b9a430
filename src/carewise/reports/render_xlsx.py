"""The pack for analysts: one sheet per table, figures stored as numbers (``x`` where hidden)."""

from __future__ import annotations

import re
from pathlib import Path

from carewise.exports import neutralise, workbook
from carewise.reports.model import SYNTHETIC_NOTICE, ChartBlock, PackData, Section, TableBlock


def _sheet_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", text)[:31] or "table"
    base, n = name, 2
    while name.lower() in used:
        suffix = f"_{n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def render_xlsx(data: PackData, sections: list[Section], path: Path) -> Path:
    book = workbook(path)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    right = book.add_format({"align": "right"})
    used: set[str] = set()
    about = book.add_worksheet(_sheet_name("About", used))
    mark = f"{SYNTHETIC_NOTICE}. " if data.synthetic else ""
    about.write(0, 0, mark + data.title, title)
    about.write(
        1,
        0,
        f"{data.period.start:%d %B %Y} to {data.period.end:%d %B %Y}; audience: {data.audience}",
    )
    about.write(
        2,
        0,
        "Hidden figures are shown as x (numbers 1 to 4 and any figure that would reveal one)."
        if data.audience != "internal"
        else "Internal: every figure shown.",
    )
    row = 4
    about.write(row, 0, "Sheet", bold)
    about.write(row, 1, "Table", bold)
    about.write(row, 2, "Section", bold)
    about.set_column(0, 0, 28)
    about.set_column(1, 1, 70)
    about.set_column(2, 2, 30)
    for s in sections:
        for block in s.blocks:
            table = block.table if isinstance(block, ChartBlock) else block
            assert isinstance(table, TableBlock)
            name = _sheet_name(table.id, used)
            row += 1
            about.write_url(row, 0, f"internal:'{name}'!A1", string=name)
            about.write(row, 1, table.title)
            about.write(row, 2, s.title)
            sheet = book.add_worksheet(name)
            sheet.write(0, 0, mark + table.title, title)
            for c, col in enumerate(table.columns):
                sheet.write_string(2, c, neutralise(col), bold)
            for r, cells in enumerate(table.rows, start=3):
                for c, cell in enumerate(cells):
                    if cell.number is not None:
                        sheet.write_number(r, c, cell.number)
                    elif c == 0:
                        sheet.write_string(r, c, neutralise(cell.text), wrap if len(cell.text) > 60 else None)
                    else:
                        sheet.write_string(
                            r, c, neutralise(cell.text), right if cell.text in ("x", "–") else None
                        )
            if table.caption:
                sheet.write(len(table.rows) + 4, 0, table.caption)
            sheet.set_column(0, 0, 48)
            sheet.set_column(1, max(1, len(table.columns) - 1), 18)
    book.close()
    return path
