"""The polars care timeline agrees with its plain-Python reference on random episodes: short
breaks (alone, before care, the same day), changes with the same carers (RNE T/U), temporary
placements and the return from them, placed for adoption with foster carers, gaps, X1 joins,
open episodes, and children born on 29 February."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.returns import birthday, birthday_expr
from carewise.returns import timeline_reference as ref
from carewise.returns.timeline import YEAR, Timeline, as_at, care_episodes

FIRST = date(2021, 4, 1)
PLACES = ["U1", "U4", "U3", "R1", "K2", "T0", "T1", "T4", "A3", "A4", "A5", "P1", None]
SCHEMA = {
    "CHILD": pl.String, "DECOM": pl.Date, "RNE": pl.String, "LS": pl.String,
    "PLACE": pl.String, "PLACE_PROVIDER": pl.String, "DEC": pl.Date, "REC": pl.String,
    YEAR: pl.Int32,
}
EPISODE_FIELDS = (
    "after_short_break", "period_no", "placement_no", "carer_no", "temporary", "new_placement",
    "same_carers", "end_excl", "period_start", "placement_start", "carer_start",
    "adoptive_placement_start", "placement_before_adoption_start",
)


@st.composite
def histories(draw):
    """Children with runs of episodes from April 2021: joined by X1 or not, with gaps, some
    left open; any episode may be a short break."""
    rows, header = [], []
    for n in range(draw(st.integers(1, 8))):
        cid = f"C{n}"
        leap = draw(st.booleans())
        dob = date(2008, 2, 29) if leap else date(2005, 1, 1) + timedelta(days=draw(st.integers(0, 5000)))
        header.append({"CHILD": cid, "DOB": dob})
        day = FIRST + timedelta(days=draw(st.integers(0, 300)))
        for _ in range(draw(st.integers(1, 7))):
            length = draw(st.integers(0, 200))
            ends = draw(st.sampled_from(["X1", "X1", "E4A", "E11", "open", None]))
            dec = None if ends == "open" else day + timedelta(days=length)
            rows.append({
                "CHILD": cid, "DECOM": day, "RNE": draw(st.sampled_from(["S", "P", "B", "T", "U", "L", None])),
                "LS": draw(st.sampled_from(["C2", "C2", "V2", "E1", "V3", "V4", None])),
                "PLACE": draw(st.sampled_from(PLACES)), "PLACE_PROVIDER": "PR1",
                "DEC": dec, "REC": None if dec is None else (ends or "X1"),
                YEAR: draw(st.sampled_from([2022, 2023, 2024])),
            })
            start = day
            gap = draw(st.sampled_from([0, 0, 0, 1, 30, -3]))  # -3: overlaps the episode before
            day = max(start + timedelta(days=1), (dec or day + timedelta(days=length)) + timedelta(days=gap))
    return rows, header


def _frame(rows):
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _polars_episodes(frame: pl.DataFrame) -> list[dict]:
    care = care_episodes(frame).sort(["CHILD", "DECOM"])
    return care.select("CHILD", "DECOM", *EPISODE_FIELDS).to_dicts()


def _reference_episodes(care: list[ref.CareEpisode]) -> list[dict]:
    return [
        {"CHILD": e.child, "DECOM": e.decom, **{f: getattr(e, f) for f in EPISODE_FIELDS}}
        for e in sorted(care, key=lambda e: (e.child, e.decom))
    ]


def _state(place: str | None) -> str | None:
    """A test state: the first letter of PLACE, temporary placements carrying the one before."""
    if place is None:
        return "none"
    return None if place.startswith("T") else place[0]


def _state_expr() -> pl.Expr:
    place = pl.col("PLACE")
    return (
        pl.when(place.is_null()).then(pl.lit("none"))
        .when(place.str.starts_with("T")).then(pl.lit(None, dtype=pl.String))
        .otherwise(place.str.slice(0, 1))
    )


def _unique_starts(rows):
    """Stitching keeps one row per child and start date: so do these histories."""
    seen, out = set(), []
    for r in rows:
        if (r["CHILD"], r["DECOM"]) not in seen:
            seen.add((r["CHILD"], r["DECOM"]))
            out.append(r)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.integers(0, 1500))
def test_polars_timeline_matches_the_reference(data, cut_days):
    rows, header = data
    rows = _unique_starts(rows)
    frame = _frame(rows)
    reference = ref.care_episodes(rows)
    assert _polars_episodes(frame) == _reference_episodes(reference)

    timeline = Timeline.build(frame, pl.DataFrame(header, schema={"CHILD": pl.String, "DOB": pl.Date}))
    periods = timeline.periods().drop("DOB").sort(["CHILD", "period_no"]).to_dicts()
    assert periods == sorted(ref.periods(reference), key=lambda p: (p["CHILD"], p["period_no"]))
    placements = (
        timeline.placements()
        .select("CHILD", "period_no", "placement_no", "start", "end", "end_excl", "PLACE", "same_carers")
        .sort(["CHILD", "placement_no"]).to_dicts()
    )
    assert placements == sorted(ref.placements(reference), key=lambda p: (p["CHILD"], p["placement_no"]))

    day = FIRST + timedelta(days=cut_days)
    cut = as_at(care_episodes(frame), day).sort(["CHILD", "DECOM"])
    ref_cut = ref.as_at(reference, day)
    assert cut.select("CHILD", "DECOM", "DEC", "REC", *EPISODE_FIELDS).to_dicts() == [
        {"CHILD": e.child, "DECOM": e.decom, "DEC": e.dec, "REC": e.row["REC"],
         **{f: getattr(e, f) for f in EPISODE_FIELDS}}
        for e in sorted(ref_cut, key=lambda e: (e.child, e.decom))
    ]

    spells = (
        timeline.as_at(day).spells(_state_expr()).drop("DOB").sort(["CHILD", "start"]).to_dicts()
    )
    expected = ref.spells(ref_cut, lambda row: _state(row.get("PLACE")))
    with_dob = {h["CHILD"] for h in header}
    assert spells == sorted((s for s in expected if s["CHILD"] in with_dob),
                            key=lambda s: (s["CHILD"], s["start"]))


@settings(max_examples=100, deadline=None)
@given(st.dates(date(1990, 1, 1), date(2030, 12, 31)), st.integers(0, 30))
def test_birthday_in_polars_matches_python(dob, age):
    got = pl.select(birthday_expr(pl.lit(dob), age).alias("b"))["b"][0]
    assert got == birthday(dob, age)
