"""A synthetic council looks like its own published profile, as carewise's measures count it.

Oldham (a northern metropolitan borough) differs from England in ways the generator must follow:
twice England's share placed with parents, few on section 20, many on interim care orders, a
small UASC share. Tolerances allow for one seeded year of a ~580-child council.
"""

from __future__ import annotations

import polars as pl
import pytest

from carewise.returns import CollectionYear
from carewise.synth import generate_council
from carewise.synth.realism import realism

OLDHAM = "E08000004"


@pytest.fixture(scope="module")
def oldham():
    council = generate_council(580, "2022-23..2024-25", seed=7, la_code=OLDHAM)
    return council, {r.label: r for r in realism(council, "2024-25")}


def _near(row, points: float) -> bool:
    return row.generated is not None and abs(row.generated - row.council) <= points


@pytest.mark.parametrize(("label", "points"), [
    ("foster placements", 7), ("placed with parents", 4), ("secure and children's homes", 4),
    ("independent / supported", 4), ("other placements", 2.5), ("placed for adoption", 2.5),
    ("UASC", 3), ("male", 6), ("White", 6), ("Asian", 4), ("need: abuse or neglect (N1)", 8),
    ("need: family dysfunction (N5)", 6), ("interim care order", 7), ("section 20", 6),
    ("aged 10-15", 7), ("aged 16+", 7), ("placed outside the council", 10),
])
def test_shares_follow_the_councils_own_published_mix(oldham, label, points):
    row = oldham[1][label]
    assert _near(row, points), (label, row)


def test_council_differs_from_england_where_it_should(oldham):
    rows = oldham[1]
    # Oldham places about twice England's share with parents and uses section 20 far less
    assert rows["placed with parents"].generated > rows["placed with parents"].england + 2
    assert rows["section 20"].generated < rows["section 20"].england - 4


def test_stability_and_flows_are_plausible(oldham):
    rows = oldham[1]
    assert 4 <= rows["3+ placements in the year"].generated <= 16
    assert 55 <= rows["long-term stability"].generated <= 80
    assert 0.25 <= rows["starts per child looked after"].generated <= 0.5
    assert 1.4 <= rows["episodes per child in the year (no short breaks)"].generated <= 2.4


def test_short_breaks_temporary_placements_and_deaths_exist_and_follow_the_rules(oldham):
    council, rows = oldham
    assert rows["children on short breaks (V3/V4) in the year"].generated >= 30
    assert rows["short-break episodes per such child"].generated >= 5
    eps = pl.concat([r.table("episodes") for r in council.returns.values()])
    v3 = eps.filter(pl.col("LS") == "V3")
    assert (v3["RNE"] == "S").all()
    assert ((v3["DEC"] - v3["DECOM"]).dt.total_days() <= 17).all()
    assert v3["PL_POST"].is_null().all() and v3["HOME_POST"].is_null().all()
    # a child's short breaks are recorded one way only (V3 or V4)
    ways = eps.filter(pl.col("LS").is_in(["V3", "V4"])).group_by("CHILD").agg(
        pl.col("LS").n_unique().alias("n"))
    assert (ways["n"] == 1).all()
    temp = eps.filter(pl.col("PLACE").str.starts_with("T"))
    assert temp.height > 0 and temp["PLACE_PROVIDER"].is_null().all()
    assert (temp["RNE"] == "P").all() and (temp["REC"].drop_nulls() == "X1").all()
    # short breaks are left out of the headline count, and out of OC2
    ret = council.returns[CollectionYear(2024)]
    short = ret.table("episodes").filter(pl.col("LS").is_in(["V3", "V4"]))["CHILD"].unique()
    assert not ret.table("oc2")["CHILD"].is_in(short.implode()).any()
