"""Properties of every forecast run, on random councils generated from known rates."""

from __future__ import annotations

import numpy as np
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
