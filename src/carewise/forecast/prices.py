"""Price base: every weekly cost uprated from the year it was published to one stated year.

Published unit costs come from different years (2022-23, November 2023, 2024), so adding them
up as they are mixes prices. Each is uprated with the ONS Consumer Prices Index including owner
occupiers' housing costs (CPIH, UK, 2015 = 100) to the **price base** (default 2025-26), and
future years are uprated from there by a yearly rate (default 2%, the Bank of England's
inflation target; councils whose placement prices rise faster should set their own).

Index values used (:data:`CPIH_MARCH`), from the ONS "Consumer price inflation, UK" bulletins:

- March 2020 = 108.6: published (Table 1 of the March 2021 bulletin, 21 April 2021);
- March 2015–2019 back from March 2020, and March 2021 forward, with the published 12-month
  rates to March 2016 (0.7%), 2017 (2.3%), 2018 (2.3%), 2019 (1.8%), 2020 (1.5%) and 2021
  (1.0%): 2019 = 108.6 / 1.015 = 107.0, 2018 = 105.1, 2017 = 102.7, 2016 = 100.4, 2015 = 99.7,
  2021 = 109.7, so a council whose returns end years ago can still be forecast and priced;
- March 2023 = 126.8, September 2023 = 130.1, October 2023 = 130.2: published index values
  (Table 1 of the March 2024 bulletin, 17 April 2024);
- March 2022 = 126.8 / 1.089 = 116.4: back from the 12-month rate of 8.9% to March 2023;
- March 2024 = 126.8 × 1.038 = 131.6, March 2025 = 131.6 × 1.034 = 136.1,
  March 2026 = 136.1 × 1.034 = 140.7: forward with the 12-month rates to March 2024 (3.8%,
  bulletin of 17 April 2024), March 2025 (3.4%, 16 April 2025) and March 2026 (3.4%,
  22 April 2026).

A financial year's level is the geometric mean of the March before it and the March ending it
(its mid-year level); a calendar year's is the level from its April to the next March's
midpoint, taken as the financial year starting in it; a month's is the published value where
there is one. Beyond March 2026 levels grow at the future rate.
"""

from __future__ import annotations

import math
import re
from datetime import date

from carewise.errors import SettingError
from carewise.returns.years import CollectionYear

INDEX_NAME = "ONS CPIH (UK, 2015 = 100)"
CPIH_MARCH: dict[int, float] = {2015: 99.7, 2016: 100.4, 2017: 102.7, 2018: 105.1, 2019: 107.0,
                                 2020: 108.6, 2021: 109.7, 2022: 116.4, 2023: 126.8, 2024: 131.6, 2025: 136.1, 2026: 140.7}
"""CPIH at each March (derivations in the module docstring)."""
CPIH_MONTHS: dict[tuple[int, int], float] = {(2023, 9): 130.1, (2023, 10): 130.2}
"""Published monthly values used for prices dated to a month."""
DEFAULT_PRICE_BASE = "2025-26"
DEFAULT_INFLATION = 0.02
"""Future yearly inflation after the last index value: the Bank of England's 2% target."""

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def financial_year_start(day: date) -> int:
    """The calendar year a financial year (April to March, as a collection year) starts in:
    2025 for 2025-26."""
    return CollectionYear.containing(day).start_year


def financial_year_label(start_year: int) -> str:
    return CollectionYear(start_year).label


def _march(year: int, inflation: float) -> float:
    """CPIH at March of ``year``: the table, then ``inflation`` a year beyond it."""
    if year in CPIH_MARCH:
        return CPIH_MARCH[year]
    last, first = max(CPIH_MARCH), min(CPIH_MARCH)
    if year > last:
        return CPIH_MARCH[last] * (1 + inflation) ** (year - last)
    raise SettingError(
        f"No price index before March {first}: give costs from {financial_year_label(first)} or later."
    )


def financial_year_level(start_year: int, inflation: float = DEFAULT_INFLATION) -> float:
    """Mid-year price level of the financial year starting in April ``start_year``."""
    return math.sqrt(_march(start_year, inflation) * _march(start_year + 1, inflation))


def level(period: str, inflation: float = DEFAULT_INFLATION) -> float:
    """The price level of a period written as "2022-23" (financial year), "2024" (calendar
    year) or "Nov 2023" (month)."""
    text = period.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        try:
            start = CollectionYear.parse(text).start_year
        except ValueError:
            raise SettingError(f"'{period}' is not a financial year: write it as 2025-26.") from None
        return financial_year_level(start, inflation)
    if re.fullmatch(r"\d{4}", text):
        return financial_year_level(int(text), inflation)
    if m := re.fullmatch(r"([A-Za-z]{3})[a-z]*\.? (\d{4})", text):
        month, year = _MONTHS.get(m.group(1).lower()), int(m.group(2))
        if month is None:
            raise SettingError(f"'{period}' is not a month: write it as Nov 2023.")
        if (year, month) in CPIH_MONTHS:
            return CPIH_MONTHS[(year, month)]
        if month == 3:
            return _march(year, inflation)
        return financial_year_level(financial_year_start(date(year, month, 1)), inflation)
    raise SettingError(f"Price year '{period}' is not understood: write 2025-26, 2024 or Nov 2023.")


def uprate(weekly: float, from_period: str, to_period: str, inflation: float = DEFAULT_INFLATION) -> float:
    """``weekly`` in ``from_period`` prices expressed in ``to_period`` prices."""
    return weekly * level(to_period, inflation) / level(from_period, inflation)


def step_multipliers(step_ends: list[date], step_days: list[int], price_base: str,
                     inflation: float = DEFAULT_INFLATION) -> list[float]:
    """Each step's price level over the price base's: a step is priced in the financial year of
    its middle day (a March step is in the year that March ends, not the next)."""
    base = level(price_base, inflation)
    out = []
    for end, days in zip(step_ends, step_days, strict=True):
        middle = date.fromordinal(end.toordinal() - days // 2)
        out.append(financial_year_level(financial_year_start(middle), inflation) / base)
    return out
