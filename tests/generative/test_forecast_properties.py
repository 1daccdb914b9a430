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
@given(seed=st.integers(0, 10_000), steps=st.integers(1, 12))
def test_group_totals_follow_the_cells(seed, steps):
    """The simulation keeps each group's total as children move, age, leave at 18 and pass two
    years in care, without recounting: the totals always equal a recount of the cells."""
    from carewise.forecast.simulate import BAND_EDGES, N_LAYERS, _Counts, entry_layer

    rng = np.random.default_rng(seed)
    c = _Counts(runs=3, months=steps * 2)
    ages = rng.integers(0, 216, 40)
    layers = rng.integers(0, N_LAYERS, 40)
    cats = rng.integers(0, 8, 40)
    c.start_with(cats * c.row + layers * c.cols + c.column(ages))
    for t in range(steps):
        occupied = np.flatnonzero(c.flat)
        if occupied.size:
            take = rng.choice(occupied, size=min(5, occupied.size), replace=False)
            c.change(take, -np.int32(1))
            c.change(take + rng.integers(0, 8, take.size) * 0, np.int32(1))
        c.grow_older(int(rng.integers(1, 3)))
        c.merge(entry_layer(t + 1), 0)
        edges = BAND_EDGES + c.offset
        recount = np.add.reduceat(c.x.reshape(-1, c.cols), edges[:-1], axis=1)[:, :5].ravel()
        assert np.array_equal(recount, c.totals)
