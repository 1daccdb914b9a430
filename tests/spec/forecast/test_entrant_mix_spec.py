"""The entrants' mix weighted by recency (estimate.Rates.entrant_weights, simulate's entrant pool),
on hand-built returns with hand-worked answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from carewise.forecast import CATEGORIES, fit, spells
from carewise.forecast.entries import mix_at_end
from carewise.forecast.simulate import (
    StartingPopulation,
    _entrant_pool,
    deterministic,
    dirichlet_parameters,
    month_ends,
)
from carewise.forecast.states import N_BANDS, N_CATEGORIES
from carewise.history import stitch
from carewise.returns.build import return_from_rows

IH = CATEGORIES.index("fostering_in_house")
END = date(2024, 3, 31)


def _two_entrants(half_life: float | None):
    """Two children start a period of care in in-house fostering in 2023-24: one aged 14 on the
    window's last day (31 March 2024), one aged 16 on its first (1 April 2023, 365 days earlier)."""
    episodes = [
        {"CHILD": "1", "DECOM": "31/03/2024", "DEC": None, "PLACE": "U4", "PLACE_PROVIDER": "PR1", "RNE": "S",
         "REC": None, "LS": "C2", "CIN": "N1"},
        {"CHILD": "2", "DECOM": "01/04/2023", "DEC": None, "PLACE": "U4", "PLACE_PROVIDER": "PR1", "RNE": "S",
         "REC": None, "LS": "C2", "CIN": "N1"},
    ]
    header = [{"CHILD": "1", "SEX": "1", "DOB": "01/01/2010"}, {"CHILD": "2", "SEX": "2", "DOB": "01/01/2007"}]
    history = stitch([return_from_rows("2023-24", episodes=episodes, header=header)])
    rates = fit(spells(history, as_at=END), date(2023, 4, 1), END, trend=False)
    return replace(rates, entrant_half_life_months=half_life)


def test_weights_halve_every_half_life_before_the_window_end():
    """Half-life 12 months: the entrant of 31 March 2024 weighs 1; the one of 1 April 2023,
    365 days (365 / 30.4375 = 11.99 months) before, 0.5^(365 / 365.25) = 0.50024. Without a
    half-life both weigh 1."""
    rates = _two_entrants(12.0)
    order = np.argsort(rates.entrant_days_before_end)
    assert rates.entrant_days_before_end[order].tolist() == [0, 365]
    assert rates.entrant_weights()[order] == pytest.approx([1.0, 0.500237], abs=1e-6)
    assert _two_entrants(None).entrant_weights().tolist() == [1.0, 1.0]


def test_dirichlet_parameters_add_up_to_the_effective_sample_size():
    """Weights 1 and 0.50024: Σw = 1.50024, Σw² = 1.25024, effective sample size
    1.50024² / 1.25024 = 1.80023; each cell's parameter is its weight × 1.80023 / 1.50024 = 1.19996:
    1.19996 for the 14-year-old's cell (10 to 15, in-house), 0.60027 for the 16-year-old's (16 to 17).
    Equal weights give the counts (1 and 1)."""
    rates = _two_entrants(12.0)
    band = np.where(rates.entrant_age_days > 16 * 365.25, 4, 3)
    cell = band * N_CATEGORIES + rates.entrant_category.astype(np.int64)
    alpha = dirichlet_parameters(cell, rates.entrant_weights(), N_BANDS * N_CATEGORIES)
    assert alpha[3 * N_CATEGORIES + IH] == pytest.approx(1.19996, abs=1e-5)
    assert alpha[4 * N_CATEGORIES + IH] == pytest.approx(0.60027, abs=1e-5)
    assert alpha.sum() == pytest.approx(1.80023, abs=1e-5)
    assert dirichlet_parameters(cell, np.ones(2), N_BANDS * N_CATEGORIES).sum() == 2.0


def test_pick_and_mean_follow_the_weights():
    """Without parameter uncertainty an entrant is picked in proportion to their weight: the
    16-year-old 0.50024 / 1.50024 = 33.3% of the time (50% unweighted); the deterministic mean's
    entrants are the same shares (no one in care at the origin, no exits in the window)."""
    rates = _two_entrants(12.0)
    age, _, pick = _entrant_pool(rates, 1, None)
    u = (np.arange(30_000) + 0.5) / 30_000
    j = pick(np.zeros(u.size, dtype=np.int64), u, u)
    assert (age[j] >= 16 * 12).mean() == pytest.approx(0.33344, abs=1e-3)
    empty = StartingPopulation(END, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int8))
    mean = deterministic(rates, empty, month_ends(END, 1))
    assert mean[1, 4].sum() / mean[1].sum() == pytest.approx(0.33344, abs=1e-4)
    mean_off = deterministic(_two_entrants(None), empty, month_ends(END, 1))
    assert mean_off[1, 4].sum() / mean_off[1].sum() == pytest.approx(0.5)


def test_trend_in_the_mix_gives_the_share_at_the_window_end():
    """A year before the end 3 entrants in band 0 and 1 in band 1; at the end 1 and 1. With a flat
    prior the two-parameter logit fits both years exactly: at the end the shares are 1/2 and 1/2
    (the window's average says 4/6 and 2/6). With a very tight prior on the slope there is no
    trend and the shares are the window's, 4/6 and 2/6."""
    band = np.array([0, 0, 0, 1, 0, 1])
    years_before = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    assert mix_at_end(band, years_before, 2, slope_sd=1e6) == pytest.approx([0.5, 0.5], abs=1e-6)
    assert mix_at_end(band, years_before, 2, slope_sd=1e-6) == pytest.approx([4 / 6, 2 / 6], abs=1e-6)
