"""Properties of every forecast run, on random councils generated from known rates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.forecast import fit_model, project, summarise
from carewise.forecast.known_rates import example_rates, known_council
from carewise.history import stitch


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), entries=st.floats(10, 200), runs=st.integers(1, 40), months=st.integers(1, 30))
def test_population_conserved_and_intervals_ordered(seed, entries, runs, months):
    known = example_rates()
    known.entries_per_year = entries
    history = stitch(known_council(known, first_year=2021, last_year=2024, seed=seed))
    model = fit_model(history, reference_months=24)
    proj = project(model, horizon_months=months, runs=runs, seed=seed)
    totals = proj.counts.sum((2, 3)).astype(np.int64)  # (dates, runs)
    # start + entries - exits = end, in every run and every step
    assert np.array_equal(totals[1:], totals[:-1] + proj.entries - proj.exits)
    assert (proj.counts >= 0).all()
    summ = summarise(proj)
    cols = ["p2_5", "p10", "median", "p90", "p97_5"]
    values = summ.select(cols).to_numpy()
    assert (np.diff(values, axis=1) >= -1e-9).all()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), runs=st.integers(1, 30), entry=st.floats(-0.5, 0.5),
       share=st.floats(0, 1), places=st.integers(0, 20), per_year=st.integers(0, 12), fewer_res=st.floats(-1, 0))
def test_scenarios_conserve_children(seed, runs, entry, share, places, per_year, fewer_res):
    """Every scenario change (entries, redirects, capacity, step-down) keeps start + entries − exits
    = end in every run and never makes a count negative."""
    from carewise.forecast import month_ends
    from carewise.forecast.scenarios import Scenario, resolve

    known = example_rates()
    known.entries_per_year = 120
    history = stitch(known_council(known, first_year=2021, last_year=2024, seed=seed))
    model = fit_model(history, reference_months=24)
    dates = month_ends(model.origin, 12)
    sc = Scenario("mix", changes=[
        {"kind": "entry_rate", "change": entry},
        {"kind": "in_house_share", "share": share},
        {"kind": "in_house_capacity", "places": places},
        {"kind": "step_down", "per_year": per_year},
        {"kind": "residential_entries", "change": fewer_res},
    ])
    proj = project(model, horizon_months=12, runs=runs, seed=seed, effects=resolve(sc, model, dates))
    totals = proj.counts.sum((2, 3)).astype(np.int64)
    assert np.array_equal(totals[1:], totals[:-1] + proj.entries - proj.exits)
    assert (proj.counts >= 0).all()


@settings(max_examples=30, deadline=None)
@given(exposure=st.lists(st.floats(1, 5000), min_size=6, max_size=6),
       exits=st.lists(st.integers(0, 60), min_size=6, max_size=6))
def test_exit_hazard_fit_matches_each_cell_when_not_pooled(exposure, exits):
    """One age band and one placement, no pooling: α × ρ is exactly each time-in-care cell's
    exits over child-days; pooled or not, the fitted exits add up to the exits seen."""
    from carewise.forecast.estimate import duration_effects

    x = np.array(exposure)[None, None, :]
    e = np.array(exits, dtype=float)[None, None, :]
    if e.sum() == 0:
        return
    raw = duration_effects(x, e, prior_exits=0.0)
    assert np.allclose(raw.alpha[0, 0] * raw.rr[0], e[0, 0] / x[0, 0], rtol=1e-6, atol=1e-12)
    pooled = duration_effects(x, e, prior_exits=4.0)
    assert (x[0, 0] * pooled.alpha[0, 0] * pooled.rr[0]).sum() == pytest.approx(e.sum())
    assert (pooled.rr > 0).all()  # a cell with no exits keeps some hazard: pooled to its band


@settings(max_examples=30, deadline=None)
@given(own=st.floats(0, 100), between=st.floats(0, 100))
def test_borrowing_is_a_share(own, between):
    """The weight kept on the council's own rate is between 0 and 1 and falls as its noise grows."""
    from carewise.forecast.neighbours import shrink_weight

    w = shrink_weight(own, between)
    assert 0.0 <= w <= 1.0
    assert shrink_weight(own + 1.0, between) <= w + 1e-12


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), steps=st.integers(1, 30))
def test_children_keep_their_age_time_in_care_and_placement(seed, steps):
    """Each child's code gives back their placement, their age (start age + months aged) and their
    time in care (start + steps, to 24) at every step, through moves, leaving care and dropping
    those gone; the tally counts exactly the children in care and under 18."""
    from carewise.forecast.simulate import (
        _LEFT,
        AGE_MONTHS,
        BAND_OF_MONTH,
        N_TIME_CLASSES,
        TIME_CLASS_OF_MONTH,
        _Children,
    )
    from carewise.forecast.states import N_BANDS, N_CATEGORIES

    rng = np.random.default_rng(seed)
    n, runs = 60, 3
    aged = np.concatenate([[0], np.cumsum(rng.integers(0, 3, steps))])
    ch = _Children(runs, aged, steps, capacity=8)  # grows as children are added
    run, age0, months0 = rng.integers(0, runs, n), rng.integers(0, AGE_MONTHS, n), rng.integers(1, 25, n)
    cat = rng.integers(0, N_CATEGORIES, n)
    ch.add(run, ch.encode(cat, age0, months0, 0), np.arange(n), np.ones(n, dtype=np.float32))
    for t in range(steps + 1):
        cell = ch.cells(t)
        ids = ch.ids[: ch.n].copy()
        age = age0[ids] + aged[t]
        in_care = (cat[ids] != _LEFT) & (age < AGE_MONTHS)
        assert ch.age(np.arange(ch.n), t).tolist() == age.tolist()
        assert ch.category(np.arange(ch.n)).tolist() == cat[ids].tolist()
        off = cell % ((N_BANDS + 1) * (N_CATEGORIES + 1) * N_TIME_CLASSES)
        band = np.where(age < AGE_MONTHS, BAND_OF_MONTH[np.minimum(age, AGE_MONTHS - 1)], N_BANDS)
        assert (off // ((N_CATEGORIES + 1) * N_TIME_CLASSES)).tolist() == band.tolist()
        assert (off % N_TIME_CLASSES).tolist() == TIME_CLASS_OF_MONTH[np.minimum(months0[ids] + t, 24)].tolist()
        expected = np.zeros((runs, N_BANDS, N_CATEGORIES), dtype=np.int64)
        np.add.at(expected, (run[ids][in_care], band[in_care], cat[ids][in_care]), 1)
        assert np.array_equal(ch.tally(cell), expected)
        if rng.random() < 0.3:
            ch.compact(cell, t)
            assert ch.ids[: ch.n].tolist() == ids[in_care].tolist()
        rows = np.flatnonzero(rng.random(ch.n) < 0.2)
        new = rng.integers(0, N_CATEGORIES + 1, rows.size)
        ch.move(rows, new)
        cat[ch.ids[rows]] = new


@settings(max_examples=50, deadline=None)
@given(cells=st.lists(st.integers(0, 7), min_size=1, max_size=40), data=st.data())
def test_entrant_pool_weights_keep_cells_and_effective_size(cells, data):
    """The Dirichlet parameters of a weighted pool add up to the effective sample size, keep each
    cell's share of the weight, and are the cell counts when the weights are equal."""
    from carewise.forecast.simulate import dirichlet_parameters

    cell = np.sort(np.array(cells))
    weight = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=cell.size, max_size=cell.size)))
    alpha = dirichlet_parameters(cell, weight, 8)
    n_eff = weight.sum() ** 2 / (weight**2).sum()
    assert alpha.sum() == pytest.approx(n_eff)
    assert alpha / alpha.sum() == pytest.approx(np.bincount(cell, weights=weight, minlength=8) / weight.sum())
    assert np.array_equal(dirichlet_parameters(cell, np.ones(cell.size), 8), np.bincount(cell, minlength=8))
    assert 1.0 - 1e-9 <= n_eff <= cell.size + 1e-9
