"""Collection years and the date rules of the 903 return.

The 903 collection year runs 1 April to 31 March and is named by both years
("2024-25"). Ages are computed as DfE does: whole years at a date (at 31 March
for a collection year, or at the event). Keep every such rule here, tested once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import numpy as np

_YEAR_RE = re.compile(r"(?<!\d)(20\d\d)\s*[-_/]\s*(\d\d)(?!\d)")

FIRST_SUPPORTED_YEAR = 2020  # 2020-21
LAST_SUPPORTED_YEAR = 2026  # 2026-27


@dataclass(frozen=True, order=True)
class CollectionYear:
    """A 903 collection year, identified by the calendar year it starts in."""

    start_year: int

    @classmethod
    def parse(cls, text: str | int | CollectionYear) -> CollectionYear:
        """Accept "2024-25", "2024_25", "202425", 2024 (start year) or a CollectionYear."""
        if isinstance(text, CollectionYear):
            return text
        if isinstance(text, int):
            return cls(text)
        value = str(text).strip()
        m = _YEAR_RE.search(value)
        if m:
            start, end = int(m.group(1)), int(m.group(2))
            if (start + 1) % 100 != end:
                raise ValueError(f"'{text}' is not a collection year: {end:02d} does not follow {start}")
            return cls(start)
        if re.fullmatch(r"20\d\d\d\d", value):
            return cls.parse(f"{value[:4]}-{value[4:]}")
        if re.fullmatch(r"20\d\d", value):
            return cls(int(value))
        raise ValueError(f"'{text}' is not a collection year; write it like 2024-25")

    @classmethod
    def find_in(cls, text: str) -> CollectionYear | None:
        """The collection year named inside a folder or file name, if any."""
        m = _YEAR_RE.search(text)
        if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
            return cls(int(m.group(1)))
        return None

    @classmethod
    def containing(cls, day: date) -> CollectionYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return year_label(self.start_year)

    @property
    def year_ending_march(self) -> int:
        """The year DfE's tables name this collection year by (``time_period`` 2025 = 2024-25)."""
        return self.start_year + 1

    @property
    def mid_year(self) -> int:
        """The year of the ONS mid-year (30 June) population estimate that falls in this year."""
        return self.start_year

    @property
    def previous(self) -> CollectionYear:
        return CollectionYear(self.start_year - 1)

    @property
    def next(self) -> CollectionYear:
        return CollectionYear(self.start_year + 1)

    @property
    def supported(self) -> bool:
        return FIRST_SUPPORTED_YEAR <= self.start_year <= LAST_SUPPORTED_YEAR

    def __str__(self) -> str:
        return self.label


def year_range(text: str) -> list[CollectionYear]:
    """Parse "2020-21..2025-26" (inclusive) or a single year into collection years."""
    if ".." in text:
        first, last = (CollectionYear.parse(p) for p in text.split("..", 1))
        if last < first:
            raise ValueError(f"'{text}': the last year comes before the first")
        return [CollectionYear(y) for y in range(first.start_year, last.start_year + 1)]
    return [CollectionYear.parse(text)]


def year_label(start_year: int) -> str:
    """A year that straddles two calendar years, written as DfE writes it: "2024-25" for the year
    starting in 2024 (a collection year, a financial year, a school year)."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def label_expr(start_year: pl.Expr) -> pl.Expr:
    """Vectorised :attr:`CollectionYear.label` for polars: "2024-25" from the start year 2024."""
    start = start_year.cast(pl.Int32)
    return pl.format("{}-{}", start, ((start + 1) % 100).cast(pl.String).str.zfill(2))


def start_year_expr(day: pl.Expr) -> pl.Expr:
    """Vectorised ``CollectionYear.containing(day).start_year`` for polars."""
    year = day.dt.year().cast(pl.Int32)
    return pl.when(day.dt.month() >= 4).then(year).otherwise(year - 1)


def start_years(days: np.ndarray) -> np.ndarray:
    """Vectorised ``CollectionYear.containing(day).start_year`` for numpy dates (or day numbers
    since 1970)."""
    import numpy as np  # here, not at the top: reading and validating returns never loads numpy

    d = np.asarray(days).astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return np.where(month >= 4, year, year - 1)


def age_at(dob: date, on: date) -> int:
    """Age in whole years on a date (a child born on 29 February has a birthday on 1 March)."""
    years = on.year - dob.year
    if (on.month, on.day) < (dob.month, dob.day):
        years -= 1
    return years


def age_expr(dob: pl.Expr, on: pl.Expr | date) -> pl.Expr:
    """Vectorised :func:`age_at` for polars: whole years between dob and the date."""
    on_expr = pl.lit(on) if isinstance(on, date) else on
    # month()/day() are Int8: widen before arithmetic or month * 100 overflows.
    on_md = on_expr.dt.month().cast(pl.Int32) * 100 + on_expr.dt.day().cast(pl.Int32)
    dob_md = dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)
    years = on_expr.dt.year().cast(pl.Int32) - dob.dt.year().cast(pl.Int32)
    return (years - (on_md < dob_md).cast(pl.Int32)).cast(pl.Int32)


def birthday(dob: date, age: int) -> date:
    """The day a child born on ``dob`` turns ``age``.

    A child born on 29 February turns a year older on 1 March in a year with no 29 February: under
    the Family Law Reform Act 1969 s9 a person attains an age at the start of the anniversary of
    the date of birth, and in a common year that anniversary has not come until 28 February has
    passed. carewise's one rule for every figure (ages, 16th/18th/21st birthdays); DfE's 903
    validator and :func:`age_at` agree.
    """
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:
        return date(dob.year + age, 3, 1)


def birthday_expr(dob: pl.Expr, age: int | pl.Expr) -> pl.Expr:
    """Vectorised :func:`birthday`: the day each child turns ``age`` (a number or a column)."""
    years = f"{age}y" if isinstance(age, int) else pl.format("{}y", age)
    shifted = dob.dt.offset_by(years)
    # offset_by keeps 29 February as 28 February in a common year; the birthday is 1 March.
    leap_day = (dob.dt.month() == 2) & (dob.dt.day() == 29) & (shifted.dt.day() == 28)
    return pl.when(leap_day).then(shifted.dt.offset_by("1d")).otherwise(shifted)


def add_years(day: date, years: int) -> date:
    """The same calendar date ``years`` later, 29 February becoming 1 March as :func:`birthday`."""
    return birthday(day, years)
