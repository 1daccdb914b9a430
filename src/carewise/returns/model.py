"""A council's 903 return for one collection year, as typed polars frames.

Every table is kept twice, row for row: ``raw`` holds the text exactly as read
(for validation rules about formats), ``tables`` holds the typed frame: codes
trimmed and upper-cased with blanks as null, dates as ``pl.Date`` (null when
unparseable). Both carry ``_row``, the 1-based data row in the source file
(header not counted), so every problem can point at a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from carewise.returns.tables import TABLES, TableSpec
from carewise.returns.years import CollectionYear

ROW = "_row"

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y")


def parse_date_expr(col: str) -> pl.Expr:
    """DD/MM/YYYY as DfE asks; ISO and a few common variants tolerated; else null."""
    text = pl.col(col).str.strip_chars()
    # Excel exports sometimes add a time part: "01/04/2024 00:00:00"
    text = text.str.replace(r"[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$", "")
    return pl.coalesce(
        [text.str.strptime(pl.Date, fmt, strict=False, exact=True) for fmt in _DATE_FORMATS]
    ).alias(col)


def clean_code_expr(col: str) -> pl.Expr:
    """Codes trimmed and upper-cased; an empty cell is null."""
    text = pl.col(col).str.strip_chars().str.to_uppercase()
    return pl.when(text == "").then(None).otherwise(text).alias(col)


def empty_raw(spec: TableSpec) -> pl.DataFrame:
    return pl.DataFrame(
        {ROW: pl.Series([], dtype=pl.Int64), **{c: pl.Series([], dtype=pl.String) for c in spec.columns}}
    )


def typed_from_raw(raw: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """The typed frame of a table from its raw text frame."""
    exprs: list[pl.Expr] = [pl.col(ROW)]
    for col in raw.columns:
        if col == ROW:
            continue
        if col in spec.date_columns:
            exprs.append(parse_date_expr(col))
        else:
            exprs.append(clean_code_expr(col))
    return raw.select(exprs)


@dataclass
class SourceFile:
    """Where a table came from: enough to find the file again and prove it unchanged."""

    path: str
    sha256: str
    rows: int
    table: str
    encoding: str = "utf-8"


@dataclass
class Return:
    """One collection year of a council's 903 return."""

    year: CollectionYear
    raw: dict[str, pl.DataFrame] = field(default_factory=dict)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    _typed: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)

    def has(self, table: str) -> bool:
        return table in self.raw

    def table(self, name: str) -> pl.DataFrame:
        """The typed frame; an empty frame with the right columns if the table is absent."""
        if name not in self._typed:
            spec = TABLES[name]
            raw = self.raw.get(name)
            if raw is None:
                raw = empty_raw(spec)
            self._typed[name] = typed_from_raw(raw, spec)
        return self._typed[name]

    @property
    def tables(self) -> dict[str, pl.DataFrame]:
        return {name: self.table(name) for name in self.raw}

    def counts(self) -> dict[str, int]:
        return {name: frame.height for name, frame in self.raw.items()}

    @property
    def children(self) -> int:
        """Distinct children in the return (header, or episodes if no header)."""
        for name in ("header", "episodes"):
            if name in self.raw:
                return self.raw[name].select(pl.col("CHILD").str.strip_chars()).n_unique()
        return 0

    @property
    def episodes(self) -> int:
        return self.raw["episodes"].height if "episodes" in self.raw else 0
