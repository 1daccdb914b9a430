"""Placement spells: a child's stitched episodes cut into stays in one placement category.

The forecast does not need every episode: a change of legal status (RNE L) or of carer within
the same category (one in-house foster carer to another) leaves the child in the same state.
A spell is a run of contiguous episodes (each DECOM equal to the previous DEC) in one
category; it starts by entering care or by moving from another category and ends by leaving
care, by moving to another category, or is still open at the data's last date.

Spells, their repairs (as the peer model's ``combined_data``: an episode left open, or ending
after the next episode starts, is closed at the next DECOM; temporary placements T0–T4 carry the
category before them), short breaks left out and the date of birth all come from the care
timeline (``carewise.returns.timeline``). Stays past the 18th birthday (``returns.birthday``) are
cut at the birthday: care ends at 18.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from carewise.forecast.states import CARE_ENDS_AT, CATEGORIES, category_expr
from carewise.returns import birthday_expr

if TYPE_CHECKING:
    from carewise.history import History

SPELL_SCHEMA = {
    "CHILD": pl.String,
    "DOB": pl.Date,
    "start": pl.Date,
    "end": pl.Date,
    "category": pl.String,
    "entry": pl.Boolean,
    "next_category": pl.String,
}


def spells(history: History, as_at: date | None = None) -> pl.DataFrame:
    """Placement spells of every child, as known at the end of ``as_at`` (default: all data).

    Columns: CHILD, DOB, start, end (null when still open at ``as_at``), category, entry (the
    spell starts a period of care) and next_category (null when the spell ends by leaving care
    or is open). The spells are the care timeline's (``History.timeline``, built once per
    history and cut with ``Timeline.as_at``) in the placement category; a child with no date of
    birth is left out. A change of carers within a category, including one with the same carers
    (RNE T/U), is not a move for the forecast.
    """
    cut = history.timeline if as_at is None else history.timeline.as_at(as_at)
    out = cut.spells(category_expr())
    out = out.rename({"state": "category", "next_state": "next_category"})
    eighteen = birthday_expr(pl.col("DOB"), CARE_ENDS_AT)
    horizon = pl.lit(as_at) if as_at is not None else pl.lit(None, dtype=pl.Date)
    end = pl.col("end")
    out = out.filter(pl.col("start") < eighteen).with_columns(
        pl.when(end > eighteen)
        .then(eighteen)
        .when(end.is_null() & (horizon >= eighteen))
        .then(eighteen)
        .otherwise(end)
        .alias("end")
    )
    out = out.with_columns(
        pl.when(pl.col("end") < eighteen).then(pl.col("next_category")).alias("next_category")
    )
    return out.select(list(SPELL_SCHEMA)).cast(SPELL_SCHEMA)  # type: ignore[arg-type]


def with_period_start(spell_frame: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """Each spell with ``period_start``: the start of the period of care it belongs to (the
    latest period of the child starting on or before the spell), from the care timeline's
    periods (``History.timeline.periods()``: CHILD, start). Time in care counts from it."""
    starts = periods.select("CHILD", pl.col("start").alias("period_start")).drop_nulls().sort("period_start")
    out = spell_frame.with_row_index("_i").sort("start").join_asof(
        starts, left_on="start", right_on="period_start", by="CHILD", strategy="backward", check_sortedness=False
    )  # both sorted by date overall, hence within each child
    return out.with_columns(pl.col("period_start").fill_null(pl.col("start"))).sort("_i").drop("_i")


def in_care_on(spell_frame: pl.DataFrame, day: date) -> pl.Expr:
    """Spells in which a child is looked after at the end of ``day`` (start ≤ day < end).

    A child whose episode ends on 31 March is not looked after at 31 March, as in the DfE
    count of children looked after at 31 March (episodes open on that date).
    """
    return (pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day))


def stock_on(spell_frame: pl.DataFrame, day: date) -> pl.DataFrame:
    """Children looked after at the end of ``day``: CHILD, age in days, category, and days in
    care (``care_days``, since the period's start; null when spells carry no ``period_start``)."""
    care = (
        (pl.lit(day) - pl.col("period_start")).dt.total_days()
        if "period_start" in spell_frame.columns else pl.lit(None, dtype=pl.Int64)
    )
    return spell_frame.filter(in_care_on(spell_frame, day)).select(
        "CHILD",
        (pl.lit(day) - pl.col("DOB")).dt.total_days().alias("age_days"),
        "category",
        care.alias("care_days"),
    )


def category_counts(spell_frame: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """Observed children per category at each date (long frame: date, category, count)."""
    frames = []
    for day in days:
        counts = spell_frame.filter(in_care_on(spell_frame, day)).group_by("category").len()
        frames.append(
            pl.DataFrame({"category": list(CATEGORIES)})
            .join(counts, on="category", how="left")
            .with_columns(pl.col("len").fill_null(0).cast(pl.Int64).alias("count"), pl.lit(day).alias("date"))
            .select("date", "category", "count")
        )
    return pl.concat(frames) if frames else pl.DataFrame(
        schema={"date": pl.Date, "category": pl.String, "count": pl.Int64}
    )
