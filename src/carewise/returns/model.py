"""A council's 903 return for one collection year, as typed polars frames.

Every table is kept twice, row for row: ``raw`` holds the text exactly as read
(for validation rules about formats), ``tables`` holds the typed frame: codes
trimmed and upper-cased with blanks as null, dates as ``pl.Date`` (null when
unparseable). Both carry ``_row``, the 1-based data row in the source file
(header not counted), so every problem can point at a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from carewise.returns.tables import TABLES, TableSpec
from carewise.returns.years import CollectionYear

ROW = "_row"

DATE_LAYOUT = "DD/MM/YYYY"
"""The layout DfE asks for; every other readable layout is accepted with a warning."""

TWO_DIGIT_YEAR_PIVOT = 70
"""Two-digit years below this are 20YY, the rest 19YY (``4/2/12`` is 4 February 2012,
``1/5/98`` is 1 May 1998): no child in a 903 return was born before 1970 or is dated after 2069."""

FIRST_PLAUSIBLE_YEAR = 1900
LAST_PLAUSIBLE_YEAR = 2100
"""A date outside these years cannot belong to a 903 return (``04/02/0012`` is a typing slip)."""

_TIME_PART = r"[ T]\d\d?:\d\d(:\d\d(\.\d+)?)?$"
_LAYOUTS: tuple[tuple[str, str, str], ...] = (
    (DATE_LAYOUT, r"^\d{1,2}/\d{1,2}/\d{4}$", "%d/%m/%Y"),
    ("YYYY-MM-DD", r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
    ("DD-MM-YYYY", r"^\d{1,2}-\d{1,2}-\d{4}$", "%d-%m-%Y"),
    ("DD/MM/YY", r"^\d{1,2}/\d{1,2}/\d{2}$", "%d/%m/%Y"),
)
"""(name, pattern, format) of each layout read; DD/MM/YY is widened to four digits first."""


def _date_text(col: str) -> pl.Expr:
    """The cell trimmed, without an Excel time part ("01/04/2024 00:00:00")."""
    return pl.col(col).str.strip_chars().str.replace(_TIME_PART, "")


def _four_digit_year(text: pl.Expr) -> pl.Expr:
    """DD/MM/YY → DD/MM/YYYY with :data:`TWO_DIGIT_YEAR_PIVOT`."""
    pivot = TWO_DIGIT_YEAR_PIVOT
    text = text.str.replace(rf"^(\d{{1,2}}/\d{{1,2}}/)([0-{pivot // 10 - 1}]\d)$", "${1}20${2}")
    return text.str.replace(rf"^(\d{{1,2}}/\d{{1,2}}/)([{pivot // 10}-9]\d)$", "${1}19${2}")


def parse_date_expr(col: str) -> pl.Expr:
    """DD/MM/YYYY as DfE asks; ISO, DD-MM-YYYY, two-digit years and a time part tolerated; else null.

    Each layout is tried only on text of its exact shape, so ``4/2/12`` is never read as the year 12.
    """
    text = _date_text(col)
    wide = _four_digit_year(text)
    parsed = pl.coalesce(
        [pl.when(text.str.contains(pattern)).then((wide if name == "DD/MM/YY" else text)
                                                  .str.strptime(pl.Date, fmt, strict=False, exact=True))
         for name, pattern, fmt in _LAYOUTS]
    )
    plausible = parsed.dt.year().is_between(FIRST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR)
    return pl.when(plausible).then(parsed).alias(col)


def _plain_date_expr(col: str) -> pl.Expr:
    """:func:`parse_date_expr` for a column whose every cell is blank or shaped DD/MM/YYYY: the
    same dates without trying the other layouts (nearly every 903 date column)."""
    parsed = pl.col(col).str.strptime(pl.Date, "%d/%m/%Y", strict=False, exact=True)
    return pl.when(parsed.dt.year().is_between(FIRST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR)).then(parsed).alias(col)


_CLEANING_CHANGES = r"^\s|\s$|[a-z]|[^\x00-\x7F]|^$"
"""A code that trimming and upper-casing may change (or an empty one, made null); plain ASCII
without lower case or surrounding spaces is already clean."""


def date_exprs(frame: pl.DataFrame, cols: list[str]) -> list[pl.Expr]:
    """:func:`parse_date_expr` of each of ``frame``'s columns ``cols``, the quick way for columns
    written only DD/MM/YYYY (one look at the columns decides)."""
    if not cols:
        return []
    plain = frame.select((pl.col(c).is_null() | pl.col(c).str.contains(_LAYOUTS[0][1])).all() for c in cols).row(0)
    return [_plain_date_expr(c) if quick else parse_date_expr(c) for c, quick in zip(cols, plain, strict=True)]


def _typed_exprs(raw: pl.DataFrame, spec: TableSpec) -> list[pl.Expr]:
    """Each column's typed expression; one look at the frame finds the columns needing no work: a
    code column already clean is the raw column itself (no copy), a date column written only
    DD/MM/YYYY skips the other layouts. The result is that of ``parse_date_expr`` / ``clean_code_expr``."""
    cols = [c for c in raw.columns if c != ROW]
    if not cols:
        return []
    quick = raw.select(
        (pl.col(c).is_null() | pl.col(c).str.contains(_LAYOUTS[0][1])).all().alias(c) if c in spec.date_columns
        else pl.col(c).str.contains(_CLEANING_CHANGES).not_().all().alias(c)
        for c in cols
    ).row(0)
    return [
        (_plain_date_expr(c) if fast else parse_date_expr(c)) if c in spec.date_columns
        else (pl.col(c) if fast else clean_code_expr(c))
        for c, fast in zip(cols, quick, strict=True)
    ]


def date_layout_expr(col: str) -> pl.Expr:
    """How a date cell is written: null when blank, else the layout's name (with " and a time" when
    an Excel time part follows), "impossible" when shaped like a date but no such day exists (or the
    year is implausible), or "unreadable"."""
    stripped = pl.col(col).str.strip_chars()
    text = _date_text(col)
    layout = pl.coalesce([pl.when(text.str.contains(pattern)).then(pl.lit(name)) for name, pattern, _ in _LAYOUTS])
    timed = stripped.str.contains(_TIME_PART)
    named = pl.when(timed).then(layout + pl.lit(" and a time")).otherwise(layout)
    return (
        pl.when(stripped.is_null() | (stripped == "")).then(None)
        .when(layout.is_null()).then(pl.lit("unreadable"))
        .when(parse_date_expr(col).is_null()).then(pl.lit("impossible"))
        .otherwise(named)
        .alias(col)
    )


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
    return raw.select(pl.col(ROW), *_typed_exprs(raw, spec))


@dataclass
class SourceFile:
    """Where a table came from: enough to find the file again and prove it unchanged."""

    path: str
    sha256: str
    rows: int
    table: str
    encoding: str = "utf-8"
    lines: list[int] | None = None
    """For an XML file, the line each row starts on (row N is ``lines[N - 1]``), so reports can
    point into the file; the store keeps it with each row (``source_line``)."""


@dataclass
class Return:
    """One collection year of a council's 903 return."""

    year: CollectionYear
    raw: dict[str, pl.DataFrame] = field(default_factory=dict)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    received: date | None = None
    """The day this version of the return was received, when known (the store sets it for a
    correction: a re-import that replaced an earlier one of the same year)."""
    _typed: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def known_from(self) -> date:
        """The first day this version of the return could be known: the day it was received, else
        the end of its collection year (a year's return describes it up to 31 March)."""
        return self.received or self.year.end

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
