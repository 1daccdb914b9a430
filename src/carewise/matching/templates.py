"""Blank extract templates: a header row, one example row and notes, as CSV and Excel."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter

from carewise.ingest.extracts import write_csv_templates
from carewise.matching.schema import TABLES, Table

_KIND = {"id": "text (reference)", "text": "text", "int": "whole number", "float": "number",
         "date": "date DD/MM/YYYY", "bool": "Y or N", "enum": "one of the values",
         "list": "values separated by ;", "postcode": "postcode or sector"}


def notes(table: Table) -> pl.DataFrame:
    """One row per column: what to put in it."""
    return pl.DataFrame({
        "column": [c.name for c in table.columns],
        "required": ["yes" if c.required else "no" for c in table.columns],
        "type": [_KIND[c.kind] for c in table.columns],
        "allowed values": ["; ".join(c.vocab) if c.vocab else "" for c in table.columns],
        "what to put": [c.help for c in table.columns],
    })


def readme_text() -> str:
    lines = ["# carewise market extracts", "",
             "Fill one file (or one sheet of the workbook) per extract, keep the header row, "
             "replace the example row, and load them with `carewise market load FILES --council "
             "CODE`. If any row has a problem nothing is stored: carewise lists the file, row, "
             "column, value and what to do.", ""]
    for table in TABLES.values():
        lines += [f"## {table.name}: {table.title}", "", table.notes, "",
                  "| column | required | type | allowed values | what to put |",
                  "|---|---|---|---|---|"]
        for row in notes(table).iter_rows():
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    return "\n".join(lines)


def write_templates(folder: Path) -> list[Path]:
    """Write ``<table>.csv`` files, ``carewise-market-template.xlsx`` and ``README.md``."""
    folder = Path(folder)
    written = write_csv_templates(TABLES.values(), folder)
    book_path = folder / "carewise-market-template.xlsx"
    with xlsxwriter.Workbook(book_path) as book:
        bold = book.add_format({"bold": True})
        readme = book.add_worksheet("README")
        row = 0
        readme.write(row, 0, "carewise market extracts: one sheet per extract; keep the header "
                     "row, replace the example row. Column notes below.", bold)
        row += 2
        for table in TABLES.values():
            readme.write(row, 0, f"{table.name}: {table.title}", bold)
            readme.write(row + 1, 0, table.notes)
            row += 2
            frame = notes(table)
            for c, name in enumerate(frame.columns):
                readme.write(row, c, name, bold)
            for values in frame.iter_rows():
                row += 1
                for c, value in enumerate(values):
                    readme.write(row, c, value)
            row += 2
        for table in TABLES.values():
            sheet = book.add_worksheet(table.name)
            for c, col in enumerate(table.columns):
                sheet.write(0, c, col.name, bold)
                sheet.write_string(1, c, col.example)
    written.append(book_path)
    readme_path = folder / "README.md"
    readme_path.write_text(readme_text(), "utf-8")
    written.append(readme_path)
    return written
