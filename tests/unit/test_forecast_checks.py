"""forecast.checks: the refusals and warnings for data that cannot carry a forecast or are thin."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from carewise.benchmarks import cla_by_la, under18_population
from carewise.errors import SettingError
from carewise.forecast import fit_model
from carewise.forecast.checks import (
    FEWEST_PER_CHILD_YEAR,
    HEADLINES,
    ForecastWarning,
    _poisson_at_most,
    few_runs,
    unbroken_years,
    window_warnings,
)
from carewise.forecast.known_rates import example_rates, known_council
from carewise.forecast.neighbours import NotBorrowed, _population, borrow, population_mid_year
from carewise.history import History, stitch


@pytest.fixture(scope="module")
def returns():
    known = example_rates()
    known.entries_per_year = 60
    return known_council(known, first_year=2019, last_year=2023, seed=3)


def test_poisson_lower_tail_matches_the_sum_of_terms():
    assert _poisson_at_most(0, 2.0) == pytest.approx(math.exp(-2))
    assert _poisson_at_most(2, 2.0) == 0.5  # at the mean: never called low
    assert _poisson_at_most(3, 10.0) == pytest.approx(sum(math.exp(-10) * 10**i / math.factorial(i) for i in range(4)))
    assert _poisson_at_most(500, 1000.0) < 1e-50  # large means: no underflow to a wrong answer
    assert _poisson_at_most(0, 0.0) == 1.0


def test_a_gap_keeps_the_unbroken_years_holding_the_start(returns):
    held = stitch([r for r in returns if r.year.start_year != 2021])  # 2019-20, 2020-21, 2022-23, 2023-24
    kept, warning = unbroken_years(held, date(2024, 3, 31))
    assert [y.label for y in kept.years] == ["2022-23", "2023-24"]
    assert warning is not None and warning.code == "gap_in_years"
    assert "No return is held for 2021-22" in warning.message and "2019-20, 2020-21 set aside" in warning.message
    early, _ = unbroken_years(held, date(2020, 9, 30))  # a start before the gap keeps the years before it
    assert [y.label for y in early.years] == ["2019-20", "2020-21"]
    with pytest.raises(SettingError, match="no return for 2021-22 is held"):
        unbroken_years(held, date(2021, 12, 31))


def test_no_gap_no_warning_and_the_same_history(returns):
    history = stitch(returns)
    kept, warning = unbroken_years(history, date(2024, 3, 31))
    assert kept is history and warning is None


def test_window_warnings():
    assert window_warnings(date(2021, 4, 1), date(2021, 4, 1), date(2024, 3, 31)) == []
    cut = window_warnings(date(2021, 4, 1), date(2023, 4, 1), date(2024, 3, 31))
    assert [w.code for w in cut] == ["window_shortened"]
    assert "12 months of returns held" in cut[0].message and "not the 36-month reference window" in cut[0].message
    short = window_warnings(date(2024, 1, 1), date(2024, 1, 1), date(2024, 3, 31))
    assert [w.code for w in short] == ["short_window"] and "91 days" in short[0].message


def test_few_runs():
    assert few_runs(100) is None
    warning = few_runs(1)
    assert warning is not None and "only 1 run:" in warning.message


def test_every_code_has_a_headline_without_numbers():
    for code, line in HEADLINES.items():
        assert not any(ch.isdigit() for ch in line), code
    assert ForecastWarning("few_entries", "Only 3 children …").headline == HEADLINES["few_entries"]


def test_thinned_entries_are_flagged(returns):
    """Keep one child in twenty of those first looked after from April 2021: 9 entries in three years
    where 178 came, against about 80 children looked after — far below what the lowest published
    rate (0.16 a year per child, about 38 in three years) would give 1 time in 100 — while exits,
    of the children already looked after, are still many. One in five (36 entries, about 95 looked
    after) is within chance of that rate and is not flagged."""
    history = stitch(returns)
    assert fit_model(history).warnings == []
    first = history.episodes.group_by("CHILD").agg(pl.col("DECOM").min())
    newcomers = first.filter(pl.col("DECOM") >= date(2021, 4, 1)).sort("CHILD")["CHILD"].to_list()

    def keep(every: int):
        dropped = set(newcomers) - set(newcomers[::every])
        return fit_model(History(episodes=history.episodes.filter(~pl.col("CHILD").is_in(list(dropped))),
                                 header=history.header, years=history.years))

    assert keep(5).warnings == []
    model = keep(20)
    assert [w.code for w in model.warnings] == ["few_entries"]
    assert model.rates.entries == 9
    stock = model.rates.exposure.sum() / model.rates.days
    assert model.rates.entries / (model.rates.days / 365.25) < FEWEST_PER_CHILD_YEAR * stock


def test_population_unmatched_for_a_suppressed_count():
    """The Isles of Scilly's published counts are suppressed: the data cannot be matched with its
    population, so nothing is borrowed (before, the raw population made 6,300 entries per 10,000)."""
    found = _population("E06000053", date(2025, 3, 31), {2024: 474, 2025: 499}, [2023, 2024])
    assert isinstance(found, str) and "DfE published no count" in found
    assert isinstance(borrow("E06000053", date(2025, 3, 31), 17.5, 1.0, 100, 480.0, {2024: 474}), NotBorrowed)


def test_population_matched_with_the_nearest_published_year():
    """One year of data (31 March 2025) and figures published to 2024: the data's count is matched
    with 2024's, and 44 children is far from it, so the population is scaled by 44 / published."""
    origin = date(2025, 3, 31)
    found = _population("E06000056", origin, {2025: 44}, [2023, 2024])
    assert not isinstance(found, str)
    pop, basis = found
    raw = under18_population("E06000056", population_mid_year(origin))
    published = cla_by_la().filter((pl.col("la_code") == "E06000056") & (pl.col("time_period") == 2024))
    assert raw is not None and published.height == 1
    assert pop == pytest.approx(raw[0] * 44 / float(published["cla_31_march"][0].replace(",", "")))
    assert "the data hold 44 children looked after at 31 March 2025" in basis and "for 2024" in basis


def test_pages_and_pack_forecast_returns_before_the_price_index_without_spend():
    """2009-10 to 2012-13: the overview the web page and the pack show forecasts the children and
    leaves spend out with the not_priced warning (it used to fail the whole page)."""
    from carewise.forecast.overview import build_overview, compare
    from carewise.forecast.scenarios import Change, Scenario

    old = known_council(example_rates(), first_year=2009, last_year=2012, seed=1)
    ov = build_overview(stitch(old), runs=50, backtest_runs=50, returns=old)
    assert ov.origin == date(2013, 3, 31) and ov.spend.height == 0
    assert [w.code for w in ov.model.warnings] == ["not_priced"]
    assert compare(ov, Scenario("fewer", "", [Change("entry_rate", change=-0.1)])).spend_difference.height == 0


def test_pack_notes_carry_the_warning_headlines():
    """One year of returns: the pack's forecast notes say the window is shorter, with no counts."""
    from carewise.reports import pack_data
    from carewise.reports.forecast import sufficiency_forecast
    from carewise.synth import generate_council

    history = stitch(generate_council(40, "2024-25", seed=3).returns)
    section = sufficiency_forecast(pack_data(history, "2024-25", "E06000056", "panel"))
    assert section is not None
    assert f"Caution: {HEADLINES['window_shortened']}" in section.notes
