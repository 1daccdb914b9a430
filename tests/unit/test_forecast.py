"""Forecast: rate recovery, simulation vs expected values, scenarios, costs, PA caseload."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from carewise.errors import SettingError
from carewise.forecast import CATEGORIES, fit_model, month_ends, project, summarise_difference
from carewise.forecast.costs import CostSettings, spend_by_period
from carewise.forecast.known_rates import example_rates, known_council
from carewise.forecast.pa_caseload import PaAssumptions, pa_caseload
from carewise.forecast.prices import step_multipliers
from carewise.forecast.scenarios import (
    Scenario,
    in_house_places,
    in_house_share,
    load,
    resolve,
    save,
)
from carewise.history import stitch
from carewise.returns.build import return_from_rows


@pytest.fixture(scope="module")
def big():
    known = example_rates()
    known.entries_per_year = 1500
    return known, stitch(known_council(known, seed=2))


@pytest.fixture(scope="module")
def small():
    known = example_rates()
    known.entries_per_year = 200
    return stitch(known_council(known, seed=5))


def test_fit_recovers_generating_rates(big):
    known, history = big
    model = fit_model(history, reference_months=60)
    est, true, events = model.rates.hazards, known.hazards, model.rates.events
    well = (true > 0) & (events >= 150)
    assert well.sum() > 20
    assert np.allclose(est[well], true[well], rtol=0.2)
    assert model.rates.entry_rate * 365.25 == pytest.approx(1500, rel=0.08)
    assert events[true == 0].sum() <= 0.001 * events.sum()


def test_simulation_mean_matches_deterministic(small):
    model = fit_model(small)
    proj = project(model, horizon_months=24, runs=2000, parameter_uncertainty=False)
    sim = proj.counts.sum((2, 3)).mean(1)
    det = proj.mean.sum((1, 2))
    assert np.allclose(sim, det, rtol=0.03)


def test_common_random_numbers_make_differences_tight(small):
    model = fit_model(small)
    dates = month_ends(model.origin, 24)
    base = project(model, 24, 500, seed=3)
    same = project(model, 24, 500, seed=3, effects=resolve(Scenario("none"), model, dates))
    assert np.array_equal(base.counts, same.counts)
    fewer = project(model, 24, 500, seed=3, effects=resolve(
        Scenario("fewer", changes=[{"kind": "entry_rate", "change": -0.2}]), model, dates))
    diff = summarise_difference(base, fewer).filter(pl.col("state") == "total").row(-1, named=True)
    assert diff["p97_5"] < 0  # fewer entrants: fewer children in every run's 95% range
    independent = project(model, 24, 500, seed=99).counts.sum((2, 3))[-1]
    spread_crn = diff["p90"] - diff["p10"]
    spread_indep = np.quantile(fewer.counts.sum((2, 3))[-1] - independent, 0.9) - np.quantile(
        fewer.counts.sum((2, 3))[-1] - independent, 0.1)
    assert spread_crn < spread_indep


def test_in_house_target_is_reached_by_the_date(small):
    model = fit_model(small)
    dates = month_ends(model.origin, 36)
    start_share = in_house_share(project(model, 36, 10).mean)[0]
    target = min(0.95, start_share + 0.1)
    by = dates[23]
    sc = Scenario("ih", changes=[{"kind": "in_house_share", "target": target, "by": by.isoformat()}])
    proj = project(model, 36, 10, effects=resolve(sc, model, dates))
    assert in_house_share(proj.mean)[24] == pytest.approx(target, abs=0.005)
    with pytest.raises(SettingError):
        resolve(Scenario("x", changes=[{"kind": "in_house_share", "target": 1.0, "by": dates[0].isoformat()}]), model, dates)


def test_step_down_moves_children_out_of_residential(small):
    model = fit_model(small)
    dates = month_ends(model.origin, 12)
    base = project(model, 12, 300, seed=1)
    sd = project(model, 12, 300, seed=1, effects=resolve(
        Scenario("sd", changes=[{"kind": "step_down", "per_year": 6}]), model, dates))
    res = CATEGORIES.index("residential")
    assert sd.counts[-1, :, :, res].sum(1).mean() < base.counts[-1, :, :, res].sum(1).mean()


def test_scenario_round_trip_json_and_toml(tmp_path):
    sc = Scenario("ih70", "70% in-house", [{"kind": "in_house_share", "target": 0.7, "by": "2027-03-31"},
                                           {"kind": "step_down", "per_year": 4, "to": "fostering_agency"}])
    for name in ("s.json", "s.toml"):
        assert load(save(sc, tmp_path / name)).to_dict() == sc.to_dict()
    with pytest.raises(SettingError):
        Scenario("bad", changes=[{"kind": "in_house_share", "target": 70}])


def test_spend_is_children_times_weekly_cost(small):
    model = fit_model(small)
    proj = project(model, 12, 50, seed=0)
    costs = CostSettings(weekly={c: 0.0 for c in CATEGORIES} | {"residential": 7000.0})
    spend = spend_by_period(proj, costs).filter(pl.col("period_type") == "financial_year")
    res = proj.mean[:, :, CATEGORIES.index("residential")].sum(1)
    levels = step_multipliers(proj.dates[1:], list(proj.step_days), costs.price_base, costs.inflation)
    expected = ((res[:-1] + res[1:]) / 2 * 1000 * proj.step_days * levels).sum()
    assert set(spend["price_base"]) == {"2025-26"}
    assert spend["mean"].sum() == pytest.approx(expected)
    inflated = spend_by_period(proj, CostSettings(weekly=costs.weekly, inflation=0.1))
    assert inflated["mean"].sum() >= spend_by_period(proj, costs)["mean"].sum()
    with pytest.raises(SettingError):
        CostSettings(weekly={"castle": 1.0})


def test_pa_caseload_hand_worked():
    """At 31 March 2026: one child in care aged 17¾ (joint working: workload, not a care
    leaver), one aged 16 who turns 18 in 2027, a care leaver aged 19 in touch (1), one aged 20
    not in touch (0.75 return), one aged 22 in touch (0.72 take-up): 1 + 0.75 + 0.72 = 2.47
    young people, workload 2.47 + 1."""
    fmt = "%d/%m/%Y"
    d = lambda y, m, dd: date(y, m, dd).strftime(fmt)  # noqa: E731
    eps = [
        {"CHILD": "A", "DECOM": d(2024, 4, 1), "PLACE": "U4", "PLACE_PROVIDER": "PR1", "RNE": "S"},
        {"CHILD": "B", "DECOM": d(2024, 4, 1), "PLACE": "U4", "PLACE_PROVIDER": "PR1", "RNE": "S"},
    ]
    header = [{"CHILD": "A", "SEX": "1", "DOB": d(2008, 7, 1)}, {"CHILD": "B", "SEX": "1", "DOB": d(2010, 1, 1)}]
    oc3 = [
        {"CHILD": "C", "DOB": d(2006, 9, 1), "IN_TOUCH": "YES"},
        {"CHILD": "D", "DOB": d(2005, 9, 1), "IN_TOUCH": "NO"},
        {"CHILD": "E", "DOB": d(2003, 9, 1), "IN_TOUCH": "YES"},
    ]
    history = stitch([return_from_rows("2024-25", episodes=eps, header=header, oc3=oc3)])
    table = pa_caseload(history, PaAssumptions())
    first = table.row(0, named=True)
    assert first["date"] == date(2026, 3, 31)
    assert first["joint_working"] == 1
    assert first["requiring_pa"] == pytest.approx(1 + 0.75 + 0.72)
    assert first["workload"] == pytest.approx(1 + 1 + 0.75 + 0.72)
    assert first["caseload_7"] == pytest.approx(first["workload"] / 7)
    half = pa_caseload(history, PaAssumptions(joint_working_weight=0.5)).row(0, named=True)
    assert half["workload"] == pytest.approx(0.5 + 1 + 0.75 + 0.72)
    assert first["cost_11"] == 11 * 28_500
    # 31 March 2027: A is 18 (care leaver), B 17¼; C 20, D 21 (0.75 x 0.72), E 23 (0.72)
    second = table.row(1, named=True)
    assert second["requiring_pa"] == pytest.approx(1 + 1 + 0.75 * 0.72 + 0.72)


def test_synthetic_council_entry_rate_recovered():
    from carewise.synth import generate_council

    council = generate_council(300, "2021-22..2024-25", seed=4)
    model = fit_model(stitch(council.returns), reference_months=36)
    # re-entries count as entries, as the generator's first entries plus its re-entries do
    assert model.rates.entry_rate * 365.25 == pytest.approx(council.truth.entry_rate_per_year, rel=0.35)


def test_simulation_draws_have_the_right_distributions():
    """Uniforms are uniform, entrants Poisson(mu) and each child's clock Exp(1) (the simulation's
    building blocks: a clock run down by h x days runs out within a step with chance 1 - e^(-h days))."""
    from carewise.forecast.simulate import _clocks, _poisson, _Streams

    s = _Streams(7)
    k = 100_000
    u = s.uniform(0, 0, np.arange(k))
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.005
    x = _poisson(np.full(k, 37.5), s.uniform(2, 0, np.arange(k)))
    assert x.mean() == pytest.approx(37.5, rel=0.01) and x.var() == pytest.approx(37.5, rel=0.05)
    assert _poisson(np.zeros(3), np.array([0.0, 0.5, 0.999])).tolist() == [0, 0, 0]
    clock = _clocks(s, 3, 0, np.arange(k))
    assert clock.mean() == pytest.approx(1.0, rel=0.02) and clock.var() == pytest.approx(1.0, rel=0.05)
    assert (clock <= 0.3).mean() == pytest.approx(1 - np.exp(-0.3), abs=0.01)


def test_scenario_shares_every_draw_with_the_baseline_until_it_starts(small):
    """Common random numbers: a change starting at the 12th month end leaves months 1-11 identical in
    every run, and the runs stay paired afterwards (the difference is narrower than the spread)."""
    model = fit_model(small)
    dates = month_ends(model.origin, 24)
    base = project(model, 24, 300, seed=4)
    sc = Scenario("later", changes=[{"kind": "entry_rate", "change": -0.3, "start": dates[11].isoformat()}])
    later = project(model, 24, 300, seed=4, effects=resolve(sc, model, dates))
    assert np.array_equal(base.counts[:12], later.counts[:12])  # the change applies from step 12
    diff = later.counts.sum((2, 3))[-1].astype(np.int64) - base.counts.sum((2, 3))[-1]
    assert diff.std() < 0.5 * base.counts.sum((2, 3))[-1].std()


def test_capacity_scenario_fills_in_house_places_and_conserves(small):
    model = fit_model(small)
    dates = month_ends(model.origin, 12)
    ih, ag = CATEGORIES.index("fostering_in_house"), CATEGORIES.index("fostering_agency")
    base = project(model, 12, 200, seed=2)
    cap = project(model, 12, 200, seed=2, effects=resolve(
        Scenario("cap", changes=[{"kind": "in_house_capacity", "places": 10}]), model, dates))
    totals = cap.counts.sum((2, 3)).astype(np.int64)
    assert np.array_equal(totals[1:], totals[:-1] + cap.entries - cap.exits)
    assert (cap.counts >= 0).all()
    assert cap.counts[-1, :, :, ih].sum(1).mean() > base.counts[-1, :, :, ih].sum(1).mean()
    assert cap.counts[-1, :, :, ag].sum(1).mean() < base.counts[-1, :, :, ag].sum(1).mean()
    assert cap.counts[-1, :, :, ih].sum(1).max() <= cap.counts[0, 0, :, ih].sum() + 10 + 60  # places + ordinary inflow


def test_in_house_limit_caps_in_house_children_and_target_says_so(small):
    """A 100% in-house share cannot place more children than the carers' approved places."""
    model = fit_model(small)
    dates = month_ends(model.origin, 24)
    ih = CATEGORIES.index("fostering_in_house")
    in_use = int((model.start.category == ih).sum())
    limit = in_use + 3
    everyone = Scenario("all in-house", changes=[{"kind": "in_house_share", "share": 1.0}])
    capped = Scenario("all in-house capped", changes=[{"kind": "in_house_share", "share": 1.0},
                                                        {"kind": "in_house_limit", "places": limit}])
    free = project(model, 24, 200, seed=1, effects=resolve(everyone, model, dates))
    held = project(model, 24, 200, seed=1, effects=resolve(capped, model, dates))
    assert free.counts[..., ih].sum(2).max() > limit  # without a limit it overflows
    assert held.counts[-1, :, :, ih].sum(1).max() <= limit
    assert held.mean[-1, :, ih].sum() <= limit + 1e-6
    # in the first month the capped children went to agencies instead (same total, same draws)
    assert np.array_equal(held.counts[1].sum((1, 2)), free.counts[1].sum((1, 2)))
    ag = CATEGORIES.index("fostering_agency")
    assert (held.counts[1, :, :, ag].sum(1) >= free.counts[1, :, :, ag].sum(1)).all()
    target = Scenario("target 99", changes=[{"kind": "in_house_share", "target": 0.99, "by": dates[11].isoformat()},
                                      {"kind": "in_house_limit", "places": limit}])
    with pytest.raises(SettingError, match="not reachable"):
        resolve(target, model, dates)


def test_in_house_places_from_the_market_extract():
    carers = pl.DataFrame({"approved_places": ["2", "3", "1"], "short_term": ["Y", "N", "N"],
                           "long_term": ["N", "Y", "N"]})  # the third is respite only
    assert in_house_places(carers) == 5
