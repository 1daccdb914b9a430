"""Leaving care by time in care, and borrowing from statistical neighbours: hand-worked answers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from carewise.forecast import CATEGORIES, fit, spells
from carewise.forecast.entries import EntryTrend
from carewise.forecast.estimate import _pooled_alpha, duration_effects
from carewise.forecast.model import known_period_starts
from carewise.forecast.neighbours import (
    Borrowing,
    population_mid_year,
    published_years,
    shrink_weight,
)
from carewise.forecast.simulate import (
    TIME_CLASS_OF_MONTH,
    _first_month_exit,
    by_time_class,
    month_band_shares,
    start_months_in_care,
)
from carewise.forecast.spells import with_period_start
from carewise.history import stitch
from carewise.returns.build import return_from_rows

IH = CATEGORIES.index("fostering_in_house")


def _ep(child, decom, dec, place, provider, rne="S", rec=None):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "PLACE": place, "PLACE_PROVIDER": provider,
            "RNE": rne, "REC": rec, "LS": "C2", "CIN": "N1"}


def test_exit_hazard_of_one_category_is_each_cells_exits_over_days():
    """No pooling (m = 0), one age band, one category: 10 exits in 100 child-days under a month in
    care, 3 in 300 child-days after: α × ρ is 10/100 = 0.1 and 3/300 = 0.01 a day, and ρ averages
    1 over the child-days (α = 13/400)."""
    exposure = np.array([[[100.0, 300.0]]])
    exits = np.array([[[10.0, 3.0]]])
    eff = duration_effects(exposure, exits, prior_exits=0.0)
    assert eff.alpha[0, 0] * eff.rr[0] == pytest.approx([0.1, 0.01])
    assert eff.alpha[0, 0] == pytest.approx(13 / 400)
    assert (exposure[0, 0] * eff.rr[0]).sum() / exposure.sum() == pytest.approx(1.0)


def test_a_placement_with_no_exits_is_pooled_to_its_age_band_not_zero():
    """One age band: placement A 2 exits in 1,000 child-days, placement B none in 100. The
    council's rate is 2 / 1,100; the band's, pooled with one pseudo-exit at it, (2 + 1) / (1,100 +
    550) = 1 / 550; A: (2 + 1) / (1,000 + 550) = 3 / 1,550; B: (0 + 1) / (100 + 550) = 1 / 650
    — not 0, which kept B's children in care until 18. Without the prior: 2 / 1,000 and 0."""
    exits, days = np.array([[2.0, 0.0]]), np.array([[1000.0, 100.0]])
    alpha, shape, rate = _pooled_alpha(exits, days, 1.0)
    assert alpha[0] == pytest.approx([3 / 1550, 1 / 650])
    assert shape[0].tolist() == [3.0, 1.0] and rate[0] == pytest.approx([1550.0, 650.0])
    assert _pooled_alpha(exits, days, 0.0)[0][0] == pytest.approx([2 / 1000, 0.0])
    # a window with no exit at all: nothing to pool towards, every α stays 0
    assert _pooled_alpha(np.zeros((1, 2)), days, 1.0)[0].tolist() == [[0.0, 0.0]]


def test_a_thin_time_in_care_cell_is_pooled_to_its_age_band():
    """No exits in 1 child-day under a month, 10 in 1,000 child-days after. Unpooled the first
    cell's hazard would be 0; with m = 4 pseudo-exits at the age band's level it stays near the
    band's 10 / 1,001 ≈ 0.01 a day: ρ = (0 + 4) / (1 × α + 4) ≈ 1."""
    exposure = np.array([[[1.0, 1000.0]]])
    exits = np.array([[[0.0, 10.0]]])
    assert duration_effects(exposure, exits, prior_exits=0.0).rr[0, 0] == pytest.approx(0.0)
    eff = duration_effects(exposure, exits, prior_exits=4.0)
    assert eff.alpha[0, 0] * eff.rr[0, 0] == pytest.approx(0.01, rel=0.01)
    assert eff.alpha[0, 0] * eff.rr[0, 1] == pytest.approx(0.01, rel=0.01)


def test_exposure_and_exits_are_split_by_time_in_care_from_the_period_start():
    """A child aged 8 comes into care on 1 January 2024 (in-house) and leaves on 1 March (last day
    29 February, 59 days in care): 30 child-days under a month, 30 in the 1-3 month band
    (31 January to 29 February), and the exit falls in the 1-3 month band."""
    h = stitch([return_from_rows(
        "2023-24", episodes=[_ep("1", "01/01/2024", "01/03/2024", "U4", "PR1", rec="E4A")],
        header=[{"CHILD": "1", "SEX": "1", "DOB": "01/06/2015"}],
    )])
    sp = with_period_start(spells(h, as_at=date(2024, 3, 31)), h.timeline.periods())
    rates = fit(sp, date(2023, 4, 1), date(2024, 3, 31), trend=False)
    band = 2  # aged 8: the 5 to 9 band
    assert rates.exit_exposure[band, IH, :2].tolist() == [30.0, 30.0]
    assert rates.exit_exposure.sum() == 60.0
    assert rates.exit_events[band, IH].tolist() == [0, 1, 0, 0, 0, 0]


def test_time_in_care_at_the_first_step():
    """A child 3.2 months in care at the origin is 4 months in care at the first step's middle
    (half a month later, whole months); 10 days: 1 month; over two years: 24, two years or more.
    The simulation carries it forward a month a step (test_simulation_spec)."""
    days = np.array([round(3.2 * 365.25 / 12), 10, 800])
    assert start_months_in_care(days).tolist() == [4, 1, 24]


def test_an_entrant_may_leave_before_the_month_ends():
    """Arriving uniformly in a 30-day month with an exit hazard of 1/30 a day (h × days = 1): the
    chance of leaving by the month's end is 1 − (1 − e^−1) / 1 = e^−1 ≈ 0.368."""
    assert _first_month_exit(np.array([1 / 30]), 30)[0] == pytest.approx(np.exp(-1))
    assert _first_month_exit(np.array([0.0]), 30)[0] == 0.0


def test_a_month_in_care_spanning_two_bands_takes_half_of_each():
    """Month m as the projection counts it is time in care [m − ½, m + ½) months: month 1 (an
    entrant's first full month) is half "under 1 month" and half "1–3 months"; month 2 all
    "1–3 months"; month 3 half "1–3", half "3–6"; month 12 half "6–12", half "1–2 years";
    month 24 (two years or more) all the last band."""
    shares = month_band_shares()
    assert shares[1].tolist() == [0.5, 0.5, 0, 0, 0, 0]
    assert shares[2].tolist() == [0, 1, 0, 0, 0, 0]
    assert shares[3].tolist() == [0, 0.5, 0.5, 0, 0, 0]
    assert shares[12].tolist() == [0, 0, 0, 0.5, 0.5, 0]
    assert shares[24].tolist() == [0, 0, 0, 0, 0, 1]


def test_an_entrants_first_full_month_averages_the_two_hazards():
    """Exit hazards 0.02 a day under 1 month in care and 0.004 from 1 to 3 months: in their first
    full month an entrant's hazard is (0.02 + 0.004) / 2 = 0.012 a day, not 0.004."""
    by_band = np.array([0.02, 0.004, 0.002, 0.001, 0.0005, 0.0002])
    per_month = by_time_class(by_band, 0)
    assert per_month[TIME_CLASS_OF_MONTH[1]] == pytest.approx(0.012)
    assert per_month[TIME_CLASS_OF_MONTH[2]] == pytest.approx(0.004)
    assert per_month[TIME_CLASS_OF_MONTH[24]] == pytest.approx(0.0002)


def test_shrinkage_weight_is_between_over_between_plus_own_variance():
    """Own estimate's variance 4, neighbours' spread 12: the council keeps 12 / 16 = 75% of its
    own rate and borrows 25%."""
    assert shrink_weight(4.0, 12.0) == pytest.approx(0.75)
    assert shrink_weight(0.0, 12.0) == 1.0  # no noise: nothing borrowed
    assert shrink_weight(4.0, 0.0) == 0.0  # neighbours all alike: all borrowed


def test_shrunk_entry_level_and_its_variance():
    """Own level 10 a month (variance 4), neighbours 6, weight 0.75: 0.75 × 10 + 0.25 × 6 = 9,
    variance 0.75 × 4 = 3; the slope is the council's own."""
    trend = EntryTrend(level=10.0, slope=0.2, cov=np.array([[4.0, 0.1], [0.1, 0.01]]), q_level=0.0,
                       q_slope=0.0, months=24, mean=9.0)
    s = trend.shrunk(6.0, 0.75)
    assert s.level == pytest.approx(9.0)
    assert s.cov[0, 0] == pytest.approx(3.0)
    assert s.slope == 0.2


def test_exit_rate_is_shrunk_on_the_log_scale():
    """Own 0.5 leaving care per child-year, neighbours 0.2, half borrowed: √(0.5 × 0.2) ≈ 0.316."""
    b = Borrowing(council="E1", neighbours=("E2",), years=(2023,), population=10_000.0, population_basis="ONS",
                  entries_own=20.0, entries_neighbours=30.0, entries_weight=0.75, exits_own=0.5,
                  exits_neighbours=0.2, exits_weight=0.5)
    assert b.exits == pytest.approx(np.sqrt(0.1))
    assert b.entries == pytest.approx(22.5)
    assert b.entries_borrowed == pytest.approx(0.25)
    assert "Borrowed 25% of the entry rate and 50% of the exit rate" in b.sentence()


def test_only_figures_published_by_the_origin_are_used():
    """DfE publishes the year to 31 March 2022 in November 2022; ONS mid-2021 in summer 2022."""
    assert published_years(date(2023, 3, 31))[-1] == 2022
    assert published_years(date(2022, 11, 30))[-1] == 2021
    assert published_years(date(2023, 12, 1))[-1] == 2023
    assert population_mid_year(date(2023, 3, 31)) == 2021
    assert population_mid_year(date(2023, 7, 1)) == 2022


def test_a_period_open_before_the_first_return_without_a_start_began_earlier():
    """The first return is 2023-24. Child 1's first episode there began on 1 January 2023 with a
    change of placement (RNE P): their period of care began before any episode held, so it is
    taken as two years before 1 April 2023 (731 days: 31 March 2021) and counts as two years or
    more in care. Child 2 started to be looked after (RNE S) on 1 February 2023: that is the start."""
    h = stitch([return_from_rows(
        "2023-24",
        episodes=[_ep("1", "01/01/2023", None, "U4", "PR1", rne="P"), _ep("2", "01/02/2023", None, "U4", "PR1")],
        header=[{"CHILD": c, "SEX": "1", "DOB": "01/06/2015"} for c in "12"],
    )])
    starts = dict(known_period_starts(h).select("CHILD", "start").iter_rows())
    assert starts == {"1": date(2021, 3, 31), "2": date(2023, 2, 1)}
