"""Entries as two models weighted by their evidence (forecast.entries.EntryModel): the level,
slope and their covariance over both, hand-worked."""

from __future__ import annotations

import numpy as np
import pytest

from carewise.forecast.entries import EntryModel, EntryTrend


def _model() -> EntryModel:
    trend = EntryTrend(level=12.0, slope=0.5, cov=np.diag([4.0, 0.01]), q_level=0.0, q_slope=0.0, months=36, mean=11.0)
    steady = EntryTrend(level=10.0, slope=0.0, cov=np.diag([2.0, 0.0]), q_level=0.0, q_slope=0.0, months=36, mean=11.0)
    return EntryModel(trend=trend, steady=steady, trend_weight=0.25)


def test_level_and_slope_are_weighted_by_the_trend_s_posterior_probability():
    """0.25 × 12 + 0.75 × 10 = 10.5 entries a month; slope 0.25 × 0.5 + 0.75 × 0 = 0.125."""
    m = _model()
    assert m.level == pytest.approx(10.5)
    assert m.slope == pytest.approx(0.125)


def test_covariance_is_within_each_model_plus_between_their_means():
    """Level: 0.25 × 4 + 0.75 × 2 + 0.25 × 0.75 × (12 − 10)² = 1 + 1.5 + 0.75 = 3.25.
    Slope: 0.25 × 0.01 + 0.1875 × 0.5² = 0.0025 + 0.046875 = 0.049375.
    Between them: 0.1875 × 2 × 0.5 = 0.1875."""
    c = _model().cov
    assert c[0, 0] == pytest.approx(3.25)
    assert c[1, 1] == pytest.approx(0.049375)
    assert c[0, 1] == pytest.approx(0.1875) and c[1, 0] == pytest.approx(0.1875)


def test_central_path_is_the_weighted_paths_and_shrinking_moves_both():
    """12 months on, the damped trend adds 0.5 × Σφ^k (k = 1..12) to 12; the steady model stays
    at 10. Shrinking towards 6 keeping 0.5: levels 9 and 8, mixture 8.25."""
    from carewise.forecast.entries import DAMPING

    m = _model()
    added = 0.5 * sum(DAMPING**k for k in range(1, 13))
    assert m.central(np.array([12.0]))[0] == pytest.approx(0.25 * (12 + added) + 0.75 * 10)
    s = m.shrunk(6.0, 0.5)
    assert (s.trend.level, s.steady.level) == (9.0, 8.0)
    assert s.level == pytest.approx(8.25) and s.trend_weight == 0.25
