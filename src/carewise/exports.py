"""Safe CSV and Excel exports: no cell a spreadsheet would run as a formula.

A value read from a council's files (a CHILD id, a worker's name, an audit entry's user name) can
begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; a spreadsheet opening the export
would take it for a formula (``=HYPERLINK(...)`` sends the data to another site). Following the
OWASP "CSV Injection" guidance, every text cell of every export goes through :func:`neutralise`,
which puts a single quote in front of such a value so that it is shown as the text it is.
In Excel workbooks text is also written as text (``write_string``; workbooks from
:func:`workbook` never turn strings into formulas, links or numbers).

Every export uses this module: validation reports (CSV, Excel), the population explorer's
downloads, compliance worklists, the panel pack's workbook and the audit export.
"""

from __future__ import annotations

import csv
import io
import numbers
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection)."""


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet cell that cannot run: text starting with one of
    ``FORMULA_START`` gets a leading ``'``; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text column passed through :func:`neutralise`."""
    text = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical, pl.Enum)]
    if not text:
        return frame
    return frame.with_columns(
        pl.col(name).cast(pl.String).map_elements(neutralise, return_dtype=pl.String) for name in text
    )


def frame_csv(frame: pl.DataFrame) -> str:
    """A frame as CSV text, safe to open in a spreadsheet."""
    return safe_frame(frame).write_csv()


def frame_xlsx(frame: pl.DataFrame, worksheet: str, about: Iterable[tuple[str, str]] = ()) -> bytes:
    """A frame as a workbook (bytes), text written as text, numbers as numbers; ``about`` (e.g.
    period, filters, audience, synthetic) goes on a second sheet, "About", as label/value rows."""
    buffer = io.BytesIO()
    with workbook(buffer) as book:
        safe_frame(frame).write_excel(book, worksheet=worksheet, autofit=True, freeze_panes=(1, 0))
        write_about(book, about)
    return buffer.getvalue()


def write_about(book: Any, about: Iterable[tuple[str, str]]) -> None:
    """An "About" sheet (label/value rows: council, period, filters, audience, synthetic) in an
    open workbook, every download the same way; nothing when ``about`` is empty."""
    about = list(about)
    if not about:
        return
    sheet = book.add_worksheet("About")
    bold = book.add_format({"bold": True})
    for row, (label, value) in enumerate(about):
        sheet.write_string(row, 0, neutralise(label), bold)
        sheet.write_string(row, 1, neutralise(value))
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 90)


def write_csv_rows(fh: IO[str], rows: Iterable[Iterable[Any]]) -> None:
    """Rows to an open text file as CSV, every cell through :func:`neutralise`."""
    writer = csv.writer(fh)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])


def workbook(target: str | Path | IO[bytes], **options: Any) -> Workbook:
    """An xlsxwriter workbook whose ``write()`` never turns a string into a formula, a link or
    a number (xlsxwriter does all three by default)."""
    import xlsxwriter

    return xlsxwriter.Workbook(target if not isinstance(target, Path) else str(target), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, **options})


def write_cells(sheet: Worksheet, row: int, col: int, values: Iterable[Any], cell_format: Format | None = None) -> None:
    """One row of cells: text with ``write_string`` (after :func:`neutralise`), numbers as numbers,
    ``None`` left blank."""
    for offset, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            sheet.write_number(row, col + offset, value, cell_format)
        else:
            sheet.write_string(row, col + offset, neutralise(str(value)), cell_format)
