"""Working days in England: Monday to Friday, not a bank holiday (offline, from ``holidays``).

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


def add_working_days(dates: pl.Series, n: int) -> pl.Series:
    """Vectorised: each date plus ``n`` working days (nulls stay null)."""
    mask = dates.is_null().to_numpy()
    values = dates.fill_null(date(2000, 1, 1)).to_numpy().astype("datetime64[D]")
    out = add_working_days_array(values, n)
    result = pl.Series(dates.name, out, dtype=pl.Date)
    if mask.any():
        result = pl.select(pl.when(pl.lit(pl.Series(mask))).then(None).otherwise(result)).to_series()
        result = result.alias(dates.name)
    return result


def working_day(day: date, n: int) -> date:
    """One date plus ``n`` working days (for tests and messages)."""
    return add_working_days(pl.Series([day], dtype=pl.Date), n)[0]


def is_working_day(day: date) -> bool:
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=_calendar(day.year - 1, day.year + 1)))
