"""The local extracts a council loads beside its 903 data: their tables, checks and templates.

The 903 return has reviews, missing episodes, OC2 and OC3; it has no visits, health assessment
dates, PEPs, return home interviews, pathway plans, Personal Adviser work or worker allocations.
Councils export these from their case management system as CSV or Excel. One ``Table`` per
extract drives the one extract reader (``carewise.ingest.extracts``: errors name file, row,
column, value and what to do), the downloadable templates (``carewise extracts template``) and
docs/compliance.md, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl

from carewise.ingest import extracts as reader
from carewise.ingest.extracts import Column, ReadTable, Table

Extract = Table
"""A local extract's spec: the reader's ``Table``."""
ReadExtract = ReadTable
TEMPLATE = "carewise extracts template DIR"


class ExtractError(reader.ExtractError):
    """An extract has errors: nothing was stored."""

    def __init__(self, problems) -> None:
        super().__init__(problems, what="extract files", template=TEMPLATE)


_CHILD = Column("child", "text", True, "the child's 903 CHILD id, exactly as in the 903 return", "100028")


def _date(name: str, help: str, required: bool = True, example: str = "31/01/2025") -> Column:
    return Column(name, "date", required, help, example, not_future=True)


def _extract(kind: str, title: str, columns: tuple[Column, ...], date_column: str) -> Extract:
    names = {c.name for c in columns}
    ordered = (("start", "end"),) if {"start", "end"} <= names else ()
    return Table(kind, title, None, columns, date_column=date_column, ordered=ordered)


EXTRACTS: dict[str, Extract] = {
    e.name: e
    for e in (
        _extract("visits", "Statutory visits", (
            _CHILD,
            _date("date", "the day the social worker visited the child"),
            Column("seen_alone", "bool", True, "Y if the child was seen alone, N if not", "Y"),
        ), "date"),
        _extract("health_assessments", "Health assessments", (
            _CHILD,
            _date("date", "the day the assessment was done"),
            Column("type", "enum", True, "initial (IHA) or review (RHA)", "initial", ("initial", "review")),
        ), "date"),
        _extract("dental_checks", "Dental checks", (
            _CHILD, _date("date", "the day of the dental check"),
        ), "date"),
        _extract("peps", "Personal education plans", (
            _CHILD,
            _date("date", "the day the PEP was held or reviewed"),
            Column("term", "text", False, "school year and term it is for, e.g. 2024-25 autumn "
                   "(blank: the term the date falls in)", "2024-25 autumn"),
        ), "date"),
        _extract("return_home_interviews", "Return home interviews", (
            _CHILD,
            _date("missing_start", "MIS_START of the missing episode in the 903 missing table"),
            Column("offered", "bool", True, "Y if an interview was offered", "Y"),
            Column("accepted", "bool", False, "Y if the child took it up, N if declined", "Y"),
            Column("date", "date", False, "the day of the interview, or of the offer if it was "
                   "declined (needed when offered is Y)", "31/01/2025", not_future=True,
                   required_if="offered"),
        ), "missing_start"),
        _extract("pathway_plans", "Pathway plans", (
            _CHILD, _date("date", "the day the pathway plan was written or reviewed"),
        ), "date"),
        _extract("pa_allocations", "Personal Adviser allocations", (
            _CHILD,
            Column("adviser", "text", True, "the Personal Adviser's staff id or name", "PA07"),
            _date("start", "first day the adviser was allocated"),
            _date("end", "last day (blank if still allocated)", False, ""),
        ), "start"),
        _extract("pa_contacts", "Personal Adviser contacts", (
            _CHILD,
            _date("date", "the day the adviser was in contact with the young person"),
            Column("adviser", "text", False, "the adviser's staff id or name", "PA07"),
        ), "date"),
        _extract("allocations", "Workers and teams", (
            _CHILD,
            Column("worker", "text", True, "the allocated social worker's staff id or name", "SW104"),
            Column("team", "text", True, "the worker's team", "Children in care 1"),
            _date("start", "first day of the allocation"),
            _date("end", "last day (blank if still allocated)", False, ""),
        ), "start"),
    )
}


def schema_of(extract: Extract) -> dict[str, pl.DataType]:
    return extract.schema


def kind_for(name: str) -> str | None:
    """The extract a file or sheet name is for (its name holds the extract's kind)."""
    found = reader.identify(name, [], EXTRACTS)
    return found.name if found else None


def read_extracts(paths: Sequence[Path], today: date | None = None) -> list[ReadExtract]:
    """Read and check extract files; which extract each is comes from its file or sheet name."""
    return reader.read_files(paths, EXTRACTS, today=today, template=TEMPLATE)


def write_templates(folder: Path) -> list[Path]:
    """One CSV per extract (header and one example row) and one Excel workbook with every sheet."""
    import xlsxwriter

    written = reader.write_csv_templates(EXTRACTS.values(), folder)
    book_path = folder / "carewise-extracts.xlsx"
    book = xlsxwriter.Workbook(str(book_path))
    bold = book.add_format({"bold": True})
    for ex in EXTRACTS.values():
        sheet = book.add_worksheet(ex.name[:31])
        for i, c in enumerate(ex.columns):
            sheet.write(0, i, c.name, bold)
            sheet.write(1, i, c.example)
            sheet.write_comment(0, i, f"{'Required' if c.required else 'Optional'}: {c.help}")
            sheet.set_column(i, i, max(14, len(c.name) + 2))
    book.close()
    written.append(book_path)
    return written
