"""Periods, disclosure control and comparators of carewise.measures."""

from __future__ import annotations

from datetime import date

import pytest

from carewise.benchmarks import comparators, published, under18_population
from carewise.measures import Row, parse_period, suppress
from carewise.measures.model import MeasureResult
from carewise.measures.period import BadPeriodError
from carewise.measures.suppression import Table


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2024-25", "year", date(2024, 4, 1), date(2025, 3, 31)),
        ("2025-Q1", "quarter", date(2025, 4, 1), date(2025, 6, 30)),
        ("2024-Q4", "quarter", date(2025, 1, 1), date(2025, 3, 31)),
        ("rolling-12m:2025-02-28", "rolling", date(2024, 3, 1), date(2025, 2, 28)),
        ("2025-03-31", "snapshot", date(2024, 4, 1), date(2025, 3, 31)),
    ],
)
def test_parse_period(text, kind, start, end):
    p = parse_period(text)
    assert (p.kind, p.start, p.end) == (kind, start, end)


def test_bad_period_says_how_to_write_one():
    with pytest.raises(BadPeriodError, match="2025-Q1"):
        parse_period("last year")


def test_shifted_periods():
    y = parse_period("2024-25")
    assert y.shifted(-12).label == "2023-24"
    q = y.shifted(-3)
    assert (q.start, q.end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert parse_period("2025-Q1").shifted(-3).label == "2024-Q4"


def test_primary_suppression_hides_one_to_four_not_zero():
    t = Table()
    for key, v in {"a": 0, "b": 3, "c": 5}.items():
        t.add(key, v)
    assert t.solve() == {"b"}


def test_secondary_suppression_protects_by_subtraction():
    t = Table()
    t.add("total", 30)
    for key, v in {"a": 3, "b": 12, "c": 15}.items():
        t.add(key, v)
    t.tie("total", ["a", "b", "c"])
    hidden = t.solve()
    # a alone hidden would be 30 - 12 - 15: the next smallest (b) is hidden too
    assert hidden == {"a", "b"}
    assert t.leaks() == []


def test_complement_of_a_proportion_is_protected():
    # 98 of 100: the 2 not counted could be worked out, so the numerator is hidden
    t = Table()
    t.add("den", 100)
    t.add("num", 98)
    t.add("not", 2, implicit=True)
    t.tie("den", ["num", "not"])
    assert t.solve() == {"num"}


def _result(mid="cla_at_date", value=9.0, rows=()):
    from carewise.measures.period import parse_period as pp

    return MeasureResult(
        mid,
        "t",
        "s",
        "count",
        "children",
        pp("2024-25"),
        None,
        "internal",
        value,
        value,
        None,
        breakdowns={"sex": list(rows)} if rows else {},
    )


def test_suppress_results_hides_cells_and_their_partners():
    r = _result(rows=[Row("Male", 7, None, 7.0), Row("Female", 2, None, 2.0)])
    suppress([r])
    male, female = r.breakdowns["sex"]
    assert female.suppressed and male.suppressed  # 9 - 7 would reveal 2
    assert female.numerator is None and male.numerator is None
    assert r.value == 9 and not r.suppressed


def test_same_figure_hidden_alike_in_two_measures():
    from carewise.measures.model import Row as R

    ceased = MeasureResult(
        "ceased_in_period",
        "t",
        "s",
        "count",
        "children",
        parse_period("2024-25"),
        None,
        "internal",
        20.0,
        20.0,
        None,
        breakdowns={
            "reason": [
                R("Adopted", 6, None, 6.0),
                R("Died", 3, None, 3.0),
                R("Other reason", 11, None, 11.0),
            ]
        },
    )
    adopted = MeasureResult(
        "ceased_adopted",
        "t",
        "s",
        "count",
        "children",
        parse_period("2024-25"),
        None,
        "internal",
        6.0,
        6.0,
        None,
    )
    suppress([ceased, adopted])
    # Died (3) is hidden; Adopted (6) is the smallest partner, so it is hidden in both measures
    assert ceased.breakdowns["reason"][0].suppressed
    assert adopted.suppressed and adopted.value is None


def test_under18_population_uses_mid_year_asked_or_latest():
    assert under18_population("E06000056", 2023)[1] == 2023
    pop, used = under18_population("E06000056", 2030)
    assert used == 2024 and pop == 70_074
    assert under18_population("E99999999", 2024) is None


def test_comparators_carry_release_and_year():
    comps = {c.label: c for c in comparators("E06000056", "rate_per_10k", 2025)}
    assert comps["England"].value == 67 and comps["England"].release == "2025"
    assert comps["East of England"].year == 2025
    assert "Statistical neighbours (median)" in comps
    later = comparators("E06000056", "rate_per_10k", 2027)
    assert later[0].year == 2025 and "latest published" in later[0].note
    assert published("E06000056", "cla_31_march", 2024).value > 0


def test_comparator_percentages():
    eng = comparators(None, "placement_foster", 2025, "cla_31_march")[0]
    assert eng.value == pytest.approx(54820 / 81770 * 100, abs=0.05)
