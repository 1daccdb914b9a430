"""Placement spells: a child's stitched episodes cut into stays in one placement category.

The forecast does not need every episode: a change of legal status (RNE L) or of carer within
the same category (one in-house foster carer to another) leaves the child in the same state.
A spell is a run of contiguous episodes (each DECOM equal to the previous DEC) in one
category; it starts by entering care or by moving from another category and ends by leaving
care, by moving to another category, or is still open at the data's last date.

Repairs made here, as the peer model does (``combined_data``): an episode left open, or ending
after the next episode starts, is closed at the next DECOM. Temporary placements (T0–T4) carry
the category of the placement before them (a holiday or a hospital stay is not a move).
Stays past the 18th birthday are cut at the birthday: care ends at 18. Short breaks (legal
status V3/V4, an agreed series of short-term placements) are left out, as DfE leaves them out of
the children looked after figures.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.codes import SHORT_BREAKS
from carewise.forecast.states import CARE_ENDS_AT, CATEGORIES, category_expr

SPELL_SCHEMA = {
    "CHILD": pl.String,
    "DOB": pl.Date,
    "start": pl.Date,
    "end": pl.Date,
    "category": pl.String,
    "entry": pl.Boolean,
    "next_category": pl.String,
}


def child_dobs(history_header: pl.DataFrame, episodes: pl.DataFrame) -> pl.DataFrame:
    """One DOB per child: the header's (latest return), else none (the child is left out)."""
    return (
        history_header.select("CHILD", "DOB")
        .filter(pl.col("DOB").is_not_null())
        .unique(subset="CHILD", keep="last")
    )


def spells(episodes: pl.DataFrame, header: pl.DataFrame, as_at: date | None = None) -> pl.DataFrame:
    """Placement spells of every child, as known at the end of ``as_at`` (default: all data).

    Columns: CHILD, DOB, start, end (null when still open at ``as_at``), category, entry (the
    spell starts a period of care) and next_category (null when the spell ends by leaving care
    or is open).
    """
    if "LS" in episodes.columns:
        # DfE's children looked after figures leave out short breaks (LS V3/V4)
        episodes = episodes.filter(pl.col("LS").is_null() | ~pl.col("LS").is_in(list(SHORT_BREAKS)))
    eps = episodes.select("CHILD", "DECOM", "DEC", "PLACE", "PLACE_PROVIDER").filter(
        pl.col("CHILD").is_not_null() & pl.col("DECOM").is_not_null()
    )
    if as_at is not None:
        eps = eps.filter(pl.col("DECOM") <= as_at).with_columns(
            pl.when(pl.col("DEC") > as_at).then(None).otherwise(pl.col("DEC")).alias("DEC")
        )
    eps = eps.sort(["CHILD", "DECOM"]).unique(subset=["CHILD", "DECOM"], keep="last", maintain_order=True)
    next_start = pl.col("DECOM").shift(-1).over("CHILD")
    eps = eps.with_columns(
        pl.when(next_start.is_not_null() & (pl.col("DEC").is_null() | (pl.col("DEC") > next_start)))
        .then(next_start)
        .otherwise(pl.col("DEC"))
        .alias("DEC"),
        category_expr().alias("category"),
    ).filter(pl.col("DEC").is_null() | (pl.col("DEC") >= pl.col("DECOM")))
    eps = eps.with_columns(
        pl.col("category").forward_fill().over("CHILD").fill_null("other"),
        (pl.col("DEC").shift(1).over("CHILD") == pl.col("DECOM")).fill_null(False).alias("_contig"),
    )
    new_spell = ~pl.col("_contig") | (pl.col("category") != pl.col("category").shift(1).over("CHILD"))
    eps = eps.with_columns(new_spell.fill_null(True).cum_sum().over("CHILD").alias("_spell"))
    out = (
        eps.group_by(["CHILD", "_spell"], maintain_order=True)
        .agg(
            pl.col("DECOM").first().alias("start"),
            pl.col("DEC").last().alias("end"),
            pl.col("category").first(),
            pl.col("_contig").first().alias("_contig"),
        )
        .sort(["CHILD", "start"])
    )
    dobs = child_dobs(header, episodes)
    out = out.join(dobs, on="CHILD", how="inner")
    eighteen = pl.col("DOB").dt.offset_by(f"{CARE_ENDS_AT}y")
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
    next_contig = pl.col("_contig").shift(-1).over("CHILD").fill_null(False)
    out = out.with_columns(
        (~pl.col("_contig")).alias("entry"),
        pl.when(next_contig & (pl.col("end") < eighteen))
        .then(pl.col("category").shift(-1).over("CHILD"))
        .otherwise(None)
        .alias("next_category"),
    )
    return out.select(list(SPELL_SCHEMA)).cast(SPELL_SCHEMA)  # type: ignore[arg-type]


def in_care_on(spell_frame: pl.DataFrame, day: date) -> pl.Expr:
    """Spells in which a child is looked after at the end of ``day`` (start ≤ day < end).

    A child whose episode ends on 31 March is not looked after at 31 March, as in the DfE
    count of children looked after at 31 March (episodes open on that date).
    """
    return (pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day))


def stock_on(spell_frame: pl.DataFrame, day: date) -> pl.DataFrame:
    """Children looked after at the end of ``day``: CHILD, age in days, category."""
    return spell_frame.filter(in_care_on(spell_frame, day)).select(
        "CHILD",
        (pl.lit(day) - pl.col("DOB")).dt.total_days().alias("age_days"),
        "category",
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
