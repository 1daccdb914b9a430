"""The measures have the shape of DfE's published tables, and comparators pick the right rows.

Carewise cannot see a council's real 903 return, so the figures themselves cannot be checked
against DfE's; what can be checked is that a synthetic council's output lines up with the
published table (the same categories, adding up to the same totals) and that England, the
region, the statistical neighbours' median and the council's own published row are read from
the right rows of the shipped files (re-read here with the csv module, not the loader).
"""

from __future__ import annotations

import csv
import gzip
from statistics import median

import pytest

from carewise.benchmarks.loader import DATA
from carewise.history import stitch
from carewise.measures import codes, evaluate
from carewise.measures.definitions.common import AGE, ETHNICITY, LEGAL, NEED, UASC

LA = "E06000056"  # Central Bedfordshire (East of England)


@pytest.fixture(scope="module")
def results():
    from carewise.synth import generate_council

    council = generate_council(300, "2022-23..2024-25", seed=3)
    history = stitch(council.returns)
    return {r.id: r for r in evaluate(history, "2024-25", LA, "internal")}


def _published_categories() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with gzip.open(DATA / "cla-31-march-characteristics-by-la.csv.gz", "rt") as f:
        for row in csv.DictReader(f):
            if row["time_period"] == "2025" and row["geographic_level"] == "National":
                out.setdefault(row["cla_group"], set()).add(row["characteristic"])
    for cats in out.values():
        cats.discard("Total")
    return out


def test_breakdown_categories_are_dfe_published_categories():
    published = _published_categories()
    assert set(codes.PLACEMENT_GROUPS) == published["Placement"]
    assert set(AGE.categories) == published["Age group"]
    assert set(ETHNICITY.categories) == published["Ethnicity"]
    assert set(LEGAL.categories) == published["Legal status"]
    assert set(NEED.categories) == published["Category of need"]
    assert set(UASC.categories) == published["Unaccompanied asylum-seeking children"]


def test_placement_groups_match_the_8_columns_of_cla_by_la(results):
    with open(DATA / "cla-by-la.csv") as f:
        columns = set(next(csv.reader(f)))
    assert {c for c in columns if c.startswith("placement_")} == set(
        codes.PLACEMENT_BENCHMARK_COLUMNS.values()
    )
    cla = results["cla_at_date"]
    rows = {row.category: row.numerator for row in cla.breakdowns["placement_group"]}
    assert list(rows)[:8] == list(codes.PLACEMENT_GROUPS)
    assert sum(rows.values()) == cla.value > 0
    by_type = results["placement_type_at_date"].breakdowns["placement_type"]
    foster = sum(r.numerator for r in by_type if r.category in codes.FOSTER_TYPES)
    assert foster == rows["Foster placements"]


def test_published_table_figures_add_up_like_ours(results):
    """Each published characteristic adds up to the total, as each of our breakdowns does."""
    cla = results["cla_at_date"]
    for name, rows in cla.breakdowns.items():
        assert sum(r.numerator for r in rows) == cla.value, name
    starts = results["started_in_period"]
    for name, rows in starts.breakdowns.items():
        assert sum(r.numerator for r in rows) == starts.value, name
    ceased = results["ceased_in_period"]
    assert sum(r.numerator for r in ceased.breakdowns["reason"]) == ceased.value
    three = results["stability_three_plus_placements"]
    assert three.denominator == cla.value  # DfE: % of all CLA at 31 March


def _cla_rows() -> list[dict[str, str]]:
    with open(DATA / "cla-by-la.csv") as f:
        return list(csv.DictReader(f))


def _pct(row: dict[str, str], column: str, denominator: str) -> float | None:
    try:
        return round(100 * float(row[column]) / float(row[denominator]), 1)
    except (ValueError, ZeroDivisionError):
        return None


def test_comparators_are_england_region_neighbours_and_own(results):
    foster = results["foster_share_at_date"]
    by_label = {c["label"]: c for c in foster.comparators}
    rows = [r for r in _cla_rows() if r["time_period"] == "2025"]
    england = next(r for r in rows if r["la_code"] == "E92000001")
    region = next(
        r for r in rows if r["geographic_level"] == "Regional" and r["la_code"] == "E12000006"
    )
    assert by_label["England"]["value"] == _pct(england, "placement_foster", "cla_31_march")
    assert by_label["East of England"]["value"] == _pct(region, "placement_foster", "cla_31_march")
    with open(DATA / "statistical-neighbours.csv") as f:
        neighbours = [r["neighbour_code"] for r in csv.DictReader(f) if r["la_code"] == LA]
    assert len(neighbours) == 10
    values = [
        _pct(r, "placement_foster", "cla_31_march")
        for r in rows
        if r["la_code_current"] in neighbours and r["geographic_level"] == "Local authority"
    ]
    values = [v for v in values if v is not None]
    assert by_label["Statistical neighbours (median)"]["value"] == round(median(values), 1)
    for c in foster.comparators:
        assert c["year"] == 2025 and c["release"] == "2025"
    # a count is compared only with the council's own published figure
    cla = results["cla_at_date"]
    (own,) = cla.comparators
    mine = next(r for r in rows if r["la_code_current"] == LA)
    assert own["label"] == "Published (this council)" and own["value"] == float(
        mine["cla_31_march"]
    )


def test_comparators_after_the_last_published_year_say_so():
    from carewise.benchmarks import comparators

    later = comparators(LA, "placement_foster", 2027, "cla_31_march")
    assert {c.year for c in later} == {2025}
    assert all("latest published year (2025)" in c.note for c in later)
