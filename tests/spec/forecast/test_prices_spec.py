"""Price base: weekly costs uprated to one year with the shipped CPIH values; each month priced
in its own financial year (hand-worked)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from carewise.errors import SettingError
from carewise.forecast.costs import CostSettings, spend_per_step
from carewise.forecast.prices import level, step_multipliers, uprate
from carewise.forecast.simulate import Projection


def test_financial_year_level_is_the_mid_year_of_its_two_marches():
    # 2022-23: sqrt(March 2022 × March 2023) = sqrt(116.4 × 126.8)
    assert level("2022-23") == pytest.approx(math.sqrt(116.4 * 126.8))
    # a calendar year is priced as the financial year starting in it
    assert level("2024") == pytest.approx(math.sqrt(131.6 * 136.1))
    # a month with a published value uses it; March is the March value
    assert level("Oct 2023") == 130.2
    assert level("Mar 2023") == 126.8


def test_default_in_house_foster_cost_in_2025_26_prices():
    """£398.74 in 2022-23 prices × level(2025-26) / level(2022-23)."""
    factor = math.sqrt(136.1 * 140.7) / math.sqrt(116.4 * 126.8)
    assert CostSettings().weekly["fostering_in_house"] == pytest.approx(398.74 * factor)
    assert CostSettings().uprating["fostering_in_house"]["price_year"] == "2022-23"


def test_council_prices_are_taken_as_given_in_their_year():
    same = CostSettings(weekly={"residential": 5000.0})
    assert same.weekly["residential"] == 5000.0  # given in the price base
    older = CostSettings(weekly={"residential": 5000.0}, price_year="2024-25")
    assert older.weekly["residential"] == pytest.approx(5000.0 * uprate(1.0, "2024-25", "2025-26"))
    with pytest.raises(SettingError, match="not understood"):
        CostSettings(price_base="last year")


def test_future_years_grow_at_the_inflation_rate():
    # 2026-27 runs from March 2026 (140.7, the last index value) to March 2027 (140.7 × 1.05)
    assert level("2026-27", inflation=0.05) == pytest.approx(140.7 * math.sqrt(1.05))
    assert level("2027-28", inflation=0.05) / level("2026-27", inflation=0.05) == pytest.approx(1.05)


def test_a_march_step_is_priced_in_the_year_that_march_ends():
    """A forecast from 31 March 2026: April 2026 to March 2027 are all 2026-27; April 2027 is
    2027-28. (Pricing by the step's end date put March 2027 in the next year.)"""
    ends = [date(2026, 4, 30), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    days = [30, 28, 31, 30]
    m = step_multipliers(ends, days, "2025-26", inflation=0.03)
    year1 = level("2026-27", 0.03) / level("2025-26", 0.03)
    assert m[:3] == pytest.approx([year1] * 3)
    assert m[3] == pytest.approx(year1 * 1.03)


def test_spend_is_children_times_weekly_cost_times_the_years_price_level():
    dates = [date(2026, 3, 31), date(2026, 4, 30)]
    counts = np.zeros((2, 1, 5, 8), dtype=np.int32)
    counts[:, 0, 3, 3] = 7  # seven children in residential all month
    proj = Projection(dates=dates, counts=counts, entries=np.zeros((1, 1)), exits=np.zeros((1, 1)),
                      mean=counts[:, 0].astype(float))
    costs = CostSettings(weekly={"residential": 700.0}, inflation=0.03)
    got = spend_per_step(proj, costs)[0, 0]
    assert got == pytest.approx(7 * 100.0 * 30 * level("2026-27", 0.03) / level("2025-26", 0.03))


def test_returns_from_years_ago_are_priced_with_the_published_index():
    """A council whose returns end in March 2018 forecasts 2018-19 onwards: CPIH March 2018 =
    108.6 / 1.015 / 1.018 = 105.1 and March 2019 = 107.0 (back from the published March 2020
    value with the 12-month rates), so 2018-19 is sqrt(105.1 × 107.0)."""
    assert level("2018-19") == pytest.approx(math.sqrt(105.1 * 107.0))
    assert level("Mar 2020") == 108.6
    with pytest.raises(SettingError, match="No price index before March 2015"):
        level("2013-14")
