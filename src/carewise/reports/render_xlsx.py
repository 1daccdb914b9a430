"""The pack for analysts: a contents sheet, then one table per sheet with a frozen header row.

Figures are stored as numbers with number formats (percentages as fractions shown ``0.0%``);
a hidden (``x``) or unavailable (``–``) figure is a blank cell carrying a comment that says why,
so a column of numbers sums and sorts. Text goes through :mod:`carewise.exports` so no cell
becomes a formula or a link.
"""

from __future__ import annotations

import re
from pathlib import Path

from carewise.exports import neutralise, workbook
from carewise.reports.model import SYNTHETIC_NOTICE, Cell, ChartBlock, PackData, Section, TableBlock

MAX_SHEET_NAME = 31
"""Excel's limit on a sheet name."""

HEADER_ROW = 2
"""Row (0-based) of each table's column headings: title above, a line of context, then headings."""

HIDDEN_NOTE = "Hidden: a small number (1 to 4), or a figure from which one could be worked out."
MISSING_NOTE = "Not available for this period or council."


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word where it can be."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" –-,(")


def sheet_name(candidates: list[str], used: set[str]) -> str:
    """The first candidate that fits Excel's 31 characters and is not used yet; otherwise the
    first, cut at a word, then numbered. Excel forbids ``[]:*?/\\`` and compares names without
    case."""
    cleaned = [re.sub(r"\s+", " ", re.sub(r"[\[\]*?/\\']", "", c.replace(":", " -"))).strip() or "Table" for c in candidates]
    tries = [n for n in cleaned if len(n) <= MAX_SHEET_NAME] + [_cut(cleaned[0], MAX_SHEET_NAME)]
    tries += [f"{_cut(cleaned[0], MAX_SHEET_NAME - 4 - len(str(n)))} ({n})" for n in range(2, 1000)]
    name = next(n for n in tries if n.lower() not in used)
    used.add(name.lower())
    return name


def number_format(cell: Cell) -> tuple[float, str] | None:
    """The cell as (number, Excel number format), or None for words and hidden figures.

    Percentages are stored as fractions with a ``0.0%`` format (9.7% is 0.097), so Excel
    arithmetic on them is right; counts get thousands separators, rates and means one decimal.
    """
    if cell.number is None:
        return None
    text = cell.text.strip()
    if text.endswith("%"):
        return cell.number / 100, "0.0%"
    if float(cell.number).is_integer() and "." not in text:
        return cell.number, "#,##0"
    return cell.number, "#,##0.0"


def _releases(data: PackData) -> str:
    """The DfE releases the comparators come from, as the contents sheet names them."""
    found = sorted(
        {
            f"{c['release']} release (year to 31 March {c['year']})"
            for r in data.current.values()
            for c in r.comparators
            if c.get("release") and c.get("year")
        }
    )
    return "; ".join(found) or "no published comparators used"


def render_xlsx(data: PackData, sections: list[Section], path: Path) -> Path:
    book = workbook(path)
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    mark_format = book.add_format({"bold": True, "font_color": "#d4351c"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats: dict[str, object] = {}

    def fmt(spec: str):
        if spec not in formats:
            formats[spec] = book.add_format({"num_format": spec})
        return formats[spec]

    mark = f"{SYNTHETIC_NOTICE}. " if data.synthetic else ""
    context = f"{data.period.label} ({data.period.start:%d %B %Y} to {data.period.end:%d %B %Y}); audience: {data.audience}"
    used: set[str] = set()
    contents = book.add_worksheet(sheet_name(["Contents"], used))
    contents.write_string(0, 0, neutralise(mark + data.title), title)
    about = [
        ("Period", context.split("; ")[0]),
        ("Audience", data.audience + (" (small numbers hidden)" if data.audience != "internal" else " (every figure shown)")),
        ("Source", f"SSDA903 returns of {data.council_name} as stored in carewise"
                   + ("; synthetic data made up by carewise's generator" if data.synthetic else "")),
        ("Comparators", f"DfE 'Children looked after in England' {_releases(data)}"),
        ("Produced", f"{data.generated:%d %B %Y}"),
        ("Blank cells", f"{HIDDEN_NOTE} Or: {MISSING_NOTE} Each blank carries a comment saying which."),
    ]
    if data.synthetic:
        about.insert(0, ("Synthetic", SYNTHETIC_NOTICE))
    for r, (label, value) in enumerate(about, start=1):
        contents.write_string(r, 0, label, bold)
        contents.write_string(r, 1, neutralise(value), mark_format if label == "Synthetic" else wrap)
    row = len(about) + 2
    for c, heading in enumerate(("Sheet", "Table", "Section")):
        contents.write_string(row, c, heading, bold)
    contents.freeze_panes(row + 1, 0)
    contents.set_column(0, 0, 32)
    contents.set_column(1, 1, 80)
    contents.set_column(2, 2, 30)
    for s in sections:
        for block in s.blocks:
            table = block.table if isinstance(block, ChartBlock) else block
            assert isinstance(table, TableBlock)
            name = sheet_name([table.title, f"{s.title} – {table.title}", s.title], used)
            row += 1
            contents.write_url(row, 0, f"internal:'{name}'!A1", string=name)
            contents.write_string(row, 1, neutralise(table.title))
            contents.write_string(row, 2, neutralise(s.title))
            _table_sheet(book.add_worksheet(name), table, mark, context, title, bold, wrap, mark_format, fmt)
    book.close()
    return path


def _table_sheet(sheet, table: TableBlock, mark, context, title, bold, wrap, mark_format, fmt) -> None:
    """One table: title row (saying synthetic where it is), context, frozen headings, figures."""
    sheet.write_string(0, 0, neutralise(mark + table.title), title)
    sheet.write_string(1, 0, neutralise(context), mark_format if mark else None)
    for c, col in enumerate(table.columns):
        sheet.write_string(HEADER_ROW, c, neutralise(col), bold)
    for r, cells in enumerate(table.rows, start=HEADER_ROW + 1):
        for c, cell in enumerate(cells):
            figure = number_format(cell)
            if figure is not None:
                sheet.write_number(r, c, figure[0], fmt(figure[1]))
            elif c > 0 and table.numeric(c):
                # blank, not "x" text, so the column stays numeric; the comment says why
                sheet.write_comment(r, c, HIDDEN_NOTE if cell.text == "x" else MISSING_NOTE)
            else:
                sheet.write_string(r, c, neutralise(cell.text), wrap if len(cell.text) > 60 else None)
    if table.caption:
        sheet.write_string(len(table.rows) + HEADER_ROW + 2, 0, neutralise(table.caption))
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, max(1, len(table.columns) - 1), 18)
