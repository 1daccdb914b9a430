"""The per-child simulation (forecast.simulate) on hand-built rates, with hand-worked answers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from carewise.forecast import CATEGORIES
from carewise.forecast.estimate import Rates
from carewise.forecast.simulate import (
    AGE_MONTHS,
    DAYS_PER_MONTH,
    N_TIME_CLASSES,
    TIME_CLASS_OF_MONTH,
    StartingPopulation,
    _Children,
    month_ends,
    simulate,
)
from carewise.forecast.states import N_BANDS, N_CATEGORIES

IH, AG = CATEGORIES.index("fostering_in_house"), CATEGORIES.index("fostering_agency")
ORIGIN = date(2024, 3, 31)  # the first step ends on 30 April: 30 days
RUNS = 20_000


def _rates(band: int, to_agency: float, leave: float) -> Rates:
    """1,000 child-days in in-house fostering in ``band``: ``to_agency`` moves to agency care and
    ``leave`` exits per 1,000 days; nothing else happens, and no one comes into care."""
    exposure = np.zeros((N_BANDS, N_CATEGORIES))
    exposure[band, IH] = 1000.0
    events = np.zeros((N_BANDS, N_CATEGORIES, N_CATEGORIES + 1))
    events[band, IH, AG] = to_agency
    events[band, IH, N_CATEGORIES] = leave
    empty = np.zeros(0, dtype=np.int64)
    return Rates(date(2023, 4, 1), ORIGIN, exposure, events, empty, empty)


def _one_child(age_months: float) -> StartingPopulation:
    return StartingPopulation(ORIGIN, np.array([round(age_months * DAYS_PER_MONTH)]), np.array([IH], dtype=np.int8))


def _within(share: float, expected: float) -> bool:
    """Within four standard errors of a share over RUNS runs."""
    return abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / RUNS)


def test_a_child_moves_in_a_month_with_chance_one_minus_e_to_the_minus_h_days():
    """A child aged 10 in in-house fostering, hazards 0.01 a day to agency care and 0.03 a day out
    of care (h = 0.04): after the 30 days of April they are still in-house with chance
    e^(−0.04 × 30) = 0.301; of those who moved, 1 in 4 went to agency care, 3 in 4 left care.
    By 31 May (61 days) still in-house with chance e^(−0.04 × 61) = 0.087 (a mover stays put
    after one move in a month: agency care has no hazard here)."""
    p = simulate(_rates(3, 10, 30), _one_child(10 * 12.5), month_ends(ORIGIN, 2), runs=RUNS, seed=1,
                 parameter_uncertainty=False)
    moved = 1 - np.exp(-0.04 * 30)
    assert _within((p.counts[1, :, 3, IH] == 1).mean(), 1 - moved)
    assert _within((p.counts[1, :, 3, AG] == 1).mean(), moved / 4)
    assert _within((p.exits[0] == 1).mean(), moved * 3 / 4)
    assert _within((p.counts[2, :, 3, IH] == 1).mean(), np.exp(-0.04 * 61))
    assert p.mean[1, 3, IH] == pytest.approx(1 - moved)  # the deterministic projection: the expected value


def test_care_ends_at_18():
    """With no hazards, a child of 17 years 11 months is in care at the origin and has left at the
    first month end (turned 18): an exit in every run; one of 17 years 10 months leaves a month later."""
    older = simulate(_rates(4, 0, 0), _one_child(215.3), month_ends(ORIGIN, 2), runs=5, parameter_uncertainty=False)
    assert older.counts[0].sum((1, 2)).tolist() == [1] * 5 and older.counts[1].sum() == 0
    assert older.exits[0].tolist() == [1] * 5
    younger = simulate(_rates(4, 0, 0), _one_child(214.3), month_ends(ORIGIN, 2), runs=5, parameter_uncertainty=False)
    assert younger.counts[1].sum((1, 2)).tolist() == [1] * 5 and younger.counts[2].sum() == 0


def test_age_and_time_in_care_are_carried_forward_month_by_month():
    """A child aged 59 months, 4 months in care at the first step, is aged 59 + t months and
    4 + t months in care at step t (two years or more from step 20 on): their hazard cell's age
    band turns from 1-4 to 5-9 at step 1, and their time-in-care band follows 4 + t months.
    A child whose time in care is not known counts as two years or more throughout."""
    ch = _Children(runs=1, aged=np.arange(31), steps=30, capacity=2)
    rows = ch.add(np.zeros(2, dtype=np.int64), ch.encode(np.array([IH, AG]), np.array([59, 59]), np.array([4, 24]), 0),
                  np.arange(2), np.ones(2, dtype=np.float32))
    for t in range(30):
        off = ch.offsets(t)[ch.code[rows]]
        assert ch.age(rows, t).tolist() == [59 + t, 59 + t]
        assert (off // ((N_CATEGORIES + 1) * N_TIME_CLASSES)).tolist() == [1 if t == 0 else 2] * 2
        assert (off % N_TIME_CLASSES).tolist() == [TIME_CLASS_OF_MONTH[min(4 + t, 24)], TIME_CLASS_OF_MONTH[24]]
    assert ch.age(rows, 30).max() < AGE_MONTHS
