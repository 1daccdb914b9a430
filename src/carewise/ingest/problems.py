"""Problems found while reading files: where, what, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotation only: importing years loads polars, and the CLI starts without it
    from carewise.returns.years import CollectionYear


class Severity(StrEnum):
    ERROR = "error"
    """The file cannot be used; the import is refused and nothing is stored."""
    WARNING = "warning"
    """The file is used; the analyst should look (e.g. a date that could not be read)."""


LIMITS = {"message": 300, "fix": 300, "value": 80, "column": 60, "file": 260}
"""Longest text kept per field: a hostile file (a 20 MB line with no comma) must not make a
20 MB message, which terminals and reports then take minutes to lay out."""


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    rest = f"… ({len(text):,} characters in all)"
    return text[: max(limit - len(rest), 1)] + rest


@dataclass(frozen=True)
class Problem:
    severity: Severity
    file: str
    message: str
    fix: str
    row: int | None = None
    """1-based data row (the header row is not counted)."""
    column: str | None = None
    value: str | None = None
    table: str | None = None
    year: CollectionYear | None = None
    line: int | None = None
    """For an XML file, the line the record (``row``) starts on."""

    def __post_init__(self) -> None:
        for name, limit in LIMITS.items():
            text = getattr(self, name)
            if isinstance(text, str) and len(text) > limit:
                object.__setattr__(self, name, shorten(text, limit))

    def as_dict(self) -> dict:
        # every field is a plain value, so no deep copy (dataclasses.asdict) is needed
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["severity"] = str(self.severity)
        d["year"] = self.year.label if self.year is not None else None
        return d

    def describe(self) -> str:
        where = self.file
        csv_file = self.file.lower().endswith((".csv", ".txt", ".tsv"))
        if self.row is not None and csv_file:
            where += f", row {self.row}"
        elif self.line is not None:
            where += f", line {self.line}"
        elif self.row is not None:
            where += f", line {self.row}" if self.table is None else f", {self.table} record {self.row}"
        if self.column:
            where += f", column {self.column}"
        if self.row is not None and csv_file:
            where += f" (Excel row {self.row + 1})"
        value = f" (value '{self.value}')" if self.value is not None else ""
        return f"{where}: {self.message}{value}. {self.fix}"


def error(file: str, message: str, fix: str, **where: Any) -> Problem:
    """An error; ``where``: :class:`Problem`'s optional fields (row, column, value …)."""
    return Problem(Severity.ERROR, file, message, fix, **where)


def warning(file: str, message: str, fix: str, **where: Any) -> Problem:
    """A warning; ``where``: :class:`Problem`'s optional fields (row, column, value …)."""
    return Problem(Severity.WARNING, file, message, fix, **where)
