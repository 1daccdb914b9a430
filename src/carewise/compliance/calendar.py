"""Working days in England: Monday to Friday, not a bank holiday (offline, from ``holidays``);
school days: working days inside a school term (the terms of timescales.toml).

Statutory timescales such as "within 20 working days" count working days after the day the
clock starts: a child who becomes looked after on a Monday must have their first review by the
Monday four weeks later; one who becomes looked after on a Saturday, by the Friday four weeks
later (the Monday after is working day 1).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

FIRST_YEAR = 1990
LAST_YEAR = 2060


@lru_cache(maxsize=256)
def _year(year: int) -> tuple[date, ...]:
    import holidays

    return tuple(sorted(holidays.country_holidays("GB", subdiv="ENG", years=year).keys()))


def bank_holidays(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> np.ndarray:
    """England's bank holidays (incl. substitute days) in the years given, as datetime64[D]."""
    days = [d for y in range(first_year, last_year + 1) for d in _year(y)]
    return np.array(days, dtype="datetime64[D]")


@lru_cache(maxsize=64)
def _calendar(first_year: int, last_year: int) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays(first_year, last_year))


def add_working_days_array(days: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """``days`` (datetime64[D]) plus ``n`` working days; a non-working start counts from the
    working day before it, so the next working day is day 1."""
    if days.size == 0:
        return days
    years = days.astype("datetime64[Y]").astype(int) + 1970
    first = max(FIRST_YEAR, int(years.min()) - 1)
    last = min(LAST_YEAR, int(years.max()) + 2)
    return np.busday_offset(days, n, roll="backward", busdaycal=_calendar(first, last))


def _shift(dates: pl.Series, shift) -> pl.Series:
    """Apply ``shift`` (datetime64[D] array -> array) to a Date series; nulls stay null."""
    mask = dates.is_null().to_numpy()
    values = dates.fill_null(date(2000, 1, 1)).to_numpy().astype("datetime64[D]")
    result = pl.Series(dates.name, shift(values) if values.size else values, dtype=pl.Date)
    if mask.any():
        result = pl.select(pl.when(pl.lit(pl.Series(mask))).then(None).otherwise(result)).to_series()
        result = result.alias(dates.name)
    return result


def add_working_days(dates: pl.Series, n: int) -> pl.Series:
    """Vectorised: each date plus ``n`` working days (nulls stay null)."""
    return _shift(dates, lambda values: add_working_days_array(values, n))


def working_day(day: date, n: int) -> date:
    """One date plus ``n`` working days (for tests and messages)."""
    return add_working_days(pl.Series([day], dtype=pl.Date), n)[0]


def is_working_day(day: date) -> bool:
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=_calendar(day.year - 1, day.year + 1)))


def _in_term(days: np.ndarray, terms: tuple[tuple[int, int, int, int], ...]) -> np.ndarray:
    """Whether each day (datetime64[D]) falls inside one of the terms (month-day ranges)."""
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    day_of_month = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    md = months * 100 + day_of_month
    inside = np.zeros(days.shape, dtype=bool)
    for sm, sd, em, ed in terms:
        inside |= (md >= sm * 100 + sd) & (md <= em * 100 + ed)
    return inside


@lru_cache(maxsize=8)
def _school_calendar(terms: tuple[tuple[int, int, int, int], ...]) -> np.busdaycalendar:
    every = np.arange(np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR + 1}-01-01"),
                      dtype="datetime64[D]")
    closed = every[~_in_term(every, terms)]
    return np.busdaycalendar(weekmask="1111100",
                             holidays=np.union1d(bank_holidays(), closed))


def term_bounds(spec: list[dict]) -> tuple[tuple[int, int, int, int], ...]:
    """The ``terms`` of timescales.toml ({start: "09-01", end: "12-31"} …) as month-day tuples."""
    out = []
    for t in spec:
        sm, sd = (int(x) for x in t["start"].split("-"))
        em, ed = (int(x) for x in t["end"].split("-"))
        out.append((sm, sd, em, ed))
    return tuple(out)


def add_school_days(dates: pl.Series, n: int, spec: list[dict]) -> pl.Series:
    """Each date plus ``n`` school days: working days (as :func:`add_working_days`) inside a
    school term of ``spec``. Holidays inside a term (half terms, Christmas, Easter) vary by
    school and are not known here, so they count as school days."""
    cal = _school_calendar(term_bounds(spec))
    return _shift(dates, lambda values: np.busday_offset(values, n, roll="backward", busdaycal=cal))


def school_day(day: date, n: int, spec: list[dict]) -> date:
    """One date plus ``n`` school days (for tests and messages)."""
    return add_school_days(pl.Series([day], dtype=pl.Date), n, spec)[0]
