"""Entries that can trend: the local linear trend of monthly entries and its simulated paths."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from carewise.forecast.entries import DAMPING, DAYS_PER_MONTH, fit_trend, monthly_counts


def test_monthly_counts_use_whole_months_scaled_to_the_average_month():
    days = np.array(["2024-04-01", "2024-04-30", "2024-05-15", "2024-03-31"], dtype="datetime64[D]")
    counts = monthly_counts(days, date(2024, 3, 15), date(2024, 5, 31))
    # March is partial (from the 15th) and left out; April has 2 in 30 days, May 1 in 31
    assert counts == pytest.approx([2 * DAYS_PER_MONTH / 30, 1 * DAYS_PER_MONTH / 31])


def test_a_steady_council_gets_a_steady_level():
    rng = np.random.default_rng(1)
    y = rng.poisson(40, 24).astype(float)
    trend = fit_trend(y)
    assert trend is not None
    assert trend.level == pytest.approx(40, rel=0.15)
    assert abs(trend.slope) < 0.5  # under 1.3% of the level a month


def test_rising_entries_are_followed():
    rng = np.random.default_rng(2)
    true = 30 + 1.0 * np.arange(24)  # one more entrant each month
    trend = fit_trend(rng.poisson(true).astype(float))
    assert trend is not None
    assert 0.5 < trend.slope < 1.5
    # 12 months on, the damped trend has added slope × (φ + … + φ¹²)
    added = sum(DAMPING**k for k in range(1, 13))
    assert trend.central(np.array([12.0]))[0] == pytest.approx(trend.level + trend.slope * added)
    assert trend.central(np.array([12.0]))[0] == pytest.approx(true[-1] + 1 + added, rel=0.15)


def test_paths_spread_around_the_central_path_and_widen():
    rng = np.random.default_rng(3)
    trend = fit_trend(rng.poisson(50, 24).astype(float))
    ahead = np.arange(12, dtype=float)
    paths = trend.paths(ahead, 4000, np.random.default_rng(4))
    assert paths.shape == (12, 4000) and (paths >= 0).all()
    assert paths.mean(1) == pytest.approx(trend.central(ahead), rel=0.03)
    assert paths[-1].std() >= paths[0].std()


def test_too_few_months_give_no_trend():
    assert fit_trend(np.array([3.0, 4.0, 5.0])) is None
    assert fit_trend(np.zeros(12)) is None


def _teen_surge_rates(half_life: float | None):
    """36 months to 31 March 2024: 10 entrants a month aged 8 in in-house fostering, and 2 a month
    aged 16 — 4 a month in the last 12 months (teen entries doubled)."""
    from carewise.forecast.estimate import Rates
    from carewise.forecast.states import N_BANDS, N_CATEGORIES

    days_before, ages = [], []
    for month in range(36):
        for age, n in ((8, 10), (16, 4 if month < 12 else 2)):
            days_before += [round((month + 0.5) * DAYS_PER_MONTH)] * n
            ages += [round(age * 365.25 + 100)] * n
    exposure = np.full((N_BANDS, N_CATEGORIES), 1000.0)
    return Rates(date(2021, 4, 1), date(2024, 3, 31), exposure, np.zeros((N_BANDS, N_CATEGORIES, N_CATEGORIES + 1)),
                 np.array(ages, dtype=np.int32), np.zeros(len(ages), dtype=np.int8),
                 entrant_days_before_end=np.array(days_before), entrant_half_life_months=half_life)


def test_a_teen_surge_raises_the_share_of_16_17_year_old_entrants_above_the_window_average():
    """Window average share of 16-17-year-olds: 96 / 456 = 21.1%; the last year's 48 / 168 = 28.6%.
    With a 12-month half-life each year weighs half the one after it (A, A/2, A/4 in all), so the
    share is (4A + 2 × 0.75A) / (5.5A + 10 × 1.75A) = 5.5 / 23 = 23.9%, in the mean and in the
    simulated entrants (each run's Dirichlet shares); without, the window's 21.1%."""
    from carewise.forecast.simulate import StartingPopulation, deterministic, month_ends, simulate

    origin = date(2024, 3, 31)
    empty = StartingPopulation(origin, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int8))
    dates = month_ends(origin, 12)
    window_share = 96 / 456
    for half_life, expected in ((12.0, 5.5 / 23), (None, window_share)):
        rates = _teen_surge_rates(half_life)
        mean = deterministic(rates, empty, dates)
        assert mean[1, 4].sum() / mean[1].sum() == pytest.approx(expected, abs=1e-4)  # days rounded
        proj = simulate(rates, empty, dates, runs=300, seed=3)
        sim_share = proj.counts[1, :, 4].sum() / proj.counts[1].sum()
        assert sim_share == pytest.approx(expected, abs=0.015)


def test_the_half_life_is_chosen_only_when_the_mix_moved():
    """36 months of 800 entrants: with the age mix steady no half-life beats the whole window
    (None, on each of five councils); when 16-17-year-olds' share rises from 8% to 25% the recent
    months predict the next month's better, and a half-life is chosen."""
    from carewise.forecast.entries import HALF_LIFE_CHOICES, choose_half_life

    rng = np.random.default_rng(0)
    younger = np.array([0.2, 0.15, 0.25, 0.4])
    for _ in range(5):
        months = rng.uniform(0, 36, 800)
        steady = rng.choice(5, 800, p=[0.15, 0.1, 0.2, 0.35, 0.2])
        assert choose_half_life(steady, months, 5) is None
    teen = rng.random(800) < 0.25 - 0.17 * months / 36
    surge = np.where(teen, 4, rng.choice(4, 800, p=younger))
    assert choose_half_life(surge, months, 5) in HALF_LIFE_CHOICES


def test_a_clear_rise_earns_the_trend_and_steady_months_do_not():
    rng = np.random.default_rng(5)
    rising = fit_trend(rng.poisson(30 + 1.0 * np.arange(36)).astype(float))
    steady = fit_trend(rng.poisson(30, 36).astype(float))
    assert rising is not None and steady is not None
    # a level that drifts follows much of a rise too, so even a doubling leaves the steady model some weight
    assert rising.trend_weight > 0.8
    assert steady.trend_weight < 0.4
    # the steady model has no slope, so the mixture's slope is the trend's times its weight
    assert steady.steady.slope == 0.0
    assert steady.slope == pytest.approx(steady.trend_weight * steady.trend.slope)


def test_each_run_follows_one_model_and_the_mean_is_the_mixture():
    rng = np.random.default_rng(6)
    model = fit_trend(rng.poisson(30 + 0.3 * np.arange(36)).astype(float))
    assert model is not None and 0.05 < model.trend_weight < 0.95
    ahead = np.arange(1, 13, dtype=float)
    paths = model.paths(ahead, 20000, np.random.default_rng(7))
    assert paths.mean(1) == pytest.approx(model.central(ahead), rel=0.02)
