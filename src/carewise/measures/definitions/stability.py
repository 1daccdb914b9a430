"""Placement stability: DfE's short- and long-term measures, moves, stability-index parts."""

from __future__ import annotations

import polars as pl

from carewise.measures import codes, frames
from carewise.measures.definitions.common import AGE, cla_at, memo
from carewise.measures.model import Benchmark, Breakdown, Context, Measure
from carewise.measures.period import add_months
from carewise.measures.registry import declare

PLACEMENT_COUNT = Breakdown(
    "placements", "Placements in the period", "placements_band", ("1", "2", "3", "4 or more")
)


PLACEMENTS_RULE = (
    "Counts every placement a child lived in during the period, including one begun before it, "
    "across all their periods of care, as DfE does. A change of placement with the same carers "
    "(903 reason T or U, e.g. foster carers becoming long-term carers) counts as a placement; a "
    "change of legal status only, a temporary placement (hospital, holiday, carers' holiday, a "
    "week or less) and the return from it, and being placed for adoption with the current foster "
    "carers do not."
)

MOVES_RULE = (
    "A move is a new placement begun during the period within a period of care, counted as for "
    "'3 or more placements' (a change with the same carers counts; a temporary placement and the "
    "return from it do not). Coming into care is not a move, and a child who went home and came "
    "back into care has not moved: the new period of care starts with a placement, not a move."
)


def moves_in(ctx: Context) -> pl.DataFrame:
    """CHILD, moves: new placements begun in the period within a period of care (MOVES_RULE)."""

    def build() -> pl.DataFrame:
        eps = frames.care_episodes(ctx.history)
        return (
            eps.filter(
                pl.col("DECOM").is_between(ctx.period.start, ctx.period.end)
                & pl.col("new_placement")
                & (pl.col("DECOM") != pl.col("period_start"))
            )
            .group_by("CHILD")
            .agg(pl.len().alias("moves"))
        )

    return memo(ctx, "moves_in", build)


def cla_with_placements(ctx: Context) -> pl.DataFrame:
    """Children looked after at the period's end, with the placements they had in the period
    (PLACEMENTS_RULE) and the moves they made in it (MOVES_RULE)."""

    def build() -> pl.DataFrame:
        placed = frames.placements_in(ctx.history, ctx.period.start, ctx.period.end)
        counts = placed.group_by("CHILD").agg(pl.len().alias("placements"))
        cla = cla_at(ctx).join(counts, on="CHILD", how="left").join(moves_in(ctx), on="CHILD", how="left")
        n = pl.col("placements").fill_null(1)
        band = pl.when(n >= 4).then(pl.lit("4 or more")).otherwise(n.cast(pl.String))
        return cla.with_columns(
            n.alias("placements"), band.alias("placements_band"), pl.col("moves").fill_null(0)
        )

    return memo(ctx, "cla_with_placements", build)


def long_term_population(ctx: Context) -> pl.DataFrame:
    """Under-16s at the date, looked after continuously for at least 2.5 years (DfE).

    ``stable``: living with the same carers for at least 2 years (a change of placement with the
    same carers, RNE T/U, or a temporary placement does not break it), or placed for adoption
    (A3-A6) with the adoptive placement and the placement before it together lasting 2 years
    (DfE's long-term stability, first NI 63).
    """
    cutoff = add_months(ctx.on, -30)
    two_years = add_months(ctx.on, -24)
    adoptive = pl.col("PLACE").is_in(codes.ADOPTION_PLACEMENTS).fill_null(False) & (
        (pl.col("adoptive_placement_start") <= two_years).fill_null(False)
        | (pl.col("placement_before_adoption_start") <= two_years).fill_null(False)
    )
    return (
        cla_at(ctx)
        .filter((pl.col("age") < 16) & (pl.col("period_start") <= cutoff))
        .with_columns(((pl.col("carer_start") <= two_years) | adoptive).alias("stable"))
    )


def moves_population(ctx: Context) -> pl.DataFrame:
    """Children looked after at any time in the period, with the moves they made in it
    (MOVES_RULE)."""
    during = frames.looked_after_during(ctx.history, ctx.period.start, ctx.period.end)
    return during.join(moves_in(ctx), on="CHILD", how="left").with_columns(pl.col("moves").fill_null(0))


declare(
    Measure(
        id="stability_three_plus_placements",
        title="Children with 3 or more placements in the period",
        section="stability",
        kind="proportion",
        unit="% of children looked after",
        population=cla_with_placements,
        population_id="cla_population",
        numerator=pl.col("placements") >= 3,
        dfe="DfE 'Placement stability' (short-term): children looked after at 31 March with three "
        "or more placements during the year, as a % of all children looked after at 31 March; a "
        "change of legal status only, a temporary placement (T0-T4) and the return from it, and "
        "being placed for adoption with the current foster carers are not new placements",
        description="Children who had 3 or more placements in the period (lower is better).",
        breakdowns=(PLACEMENT_COUNT, AGE),
        benchmark=Benchmark("stability_3plus_placements_number", "cla_31_march"),
        headline=True,
        at_date=True,
        in_period=True,
        higher_is="worse",
        rule=PLACEMENTS_RULE,
    ),
    Measure(
        id="stability_long_term",
        title="Long-term placement stability",
        section="stability",
        kind="proportion",
        unit="% of under-16s in care 2.5+ years",
        population=long_term_population,
        numerator=pl.col("stable"),
        dfe="DfE 'Placement stability' (long-term; NI 63): children aged under 16 at 31 March, "
        "looked after continuously for at least 2.5 years, who were living in the same placement "
        "(with the same carers) for at least 2 years, or are placed for adoption and their "
        "adoptive placement together with their previous placement lasts at least 2 years",
        description="Children in care 2.5 years or more who have lived with the same carers for 2 years.",
        breakdowns=(AGE,),
        benchmark=Benchmark("stability_long_term_number", "stability_long_term_denominator"),
        headline=True,
        at_date=True,
        higher_is="better",
    ),
    Measure(
        id="placement_moves_per_child",
        title="Placement moves per child",
        section="stability",
        kind="mean",
        unit="moves per child looked after in the period",
        population=moves_population,
        value_column="moves",
        dfe="Placement moves (new placements within a period of care, counted as for DfE's 3+ "
        "placements) per child looked after at any time in the period (Children's Commissioner "
        "Stability Index, placement domain)",
        description="Average number of placement moves per child looked after in the period.",
        higher_is="worse",
        rule=MOVES_RULE,
    ),
    Measure(
        id="stability_one_plus_moves",
        title="Children with a placement move in the period",
        section="stability",
        kind="proportion",
        unit="% of children looked after",
        population=cla_with_placements,
        population_id="cla_population",
        numerator=pl.col("moves") >= 1,
        dfe="Children's Commissioner Stability Index (placement domain, from the 903): children "
        "looked after at 31 March with one or more placement moves in the year, a move being a "
        "new placement within a period of care (going home and coming back into care is not one)",
        description="Children who moved placement at least once in the period.",
        at_date=True,
        in_period=True,
        higher_is="worse",
        rule=MOVES_RULE,
    ),
)
