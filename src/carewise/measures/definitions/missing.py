"""Children missing from care or away from their placement without authorisation."""

from __future__ import annotations

import polars as pl

from carewise.measures import frames
from carewise.measures.definitions.common import memo, without_short_break_only
from carewise.measures.model import Breakdown, Context, Measure
from carewise.measures.registry import declare

MISSING = (
    "DfE 'Children looked after who went missing or were away from placement' (903 Missing "
    "table): M missing, A away from placement without authorisation; an incident counts in the "
    "period it started in; children looked after only under short breaks are left out"
)


def missing_incidents(ctx: Context) -> pl.DataFrame:
    """Missing or away incidents that started in the period (short-break-only children out)."""

    def build() -> pl.DataFrame:
        frame = frames.table(ctx.history, "missing").filter(
            pl.col("MIS_START").is_between(ctx.period.start, ctx.period.end)
        )
        frame = without_short_break_only(ctx, frame)
        kind = pl.when(pl.col("MISSING") == "A").then(pl.lit("Away")).otherwise(pl.lit("Missing"))
        return frame.with_columns(kind.alias("kind"))

    return memo(ctx, "missing_incidents", build)


def missing_children_population(ctx: Context) -> pl.DataFrame:
    """Children with at least one missing or away incident starting in the period."""
    per_child = (
        missing_incidents(ctx)
        .group_by("CHILD")
        .agg(
            (pl.col("kind") == "Missing").any().alias("m"),
            (pl.col("kind") == "Away").any().alias("a"),
        )
    )
    kind = (
        pl.when(pl.col("m") & pl.col("a"))
        .then(pl.lit("Missing and away"))
        .when(pl.col("m"))
        .then(pl.lit("Missing only"))
        .otherwise(pl.lit("Away only"))
    )
    return per_child.with_columns(kind.alias("kind"))


def _rhi_absent(ctx: Context) -> str | None:
    return (
        "return-home interviews are not in the 903 return: they come from a local extract, "
        "which carewise does not read yet"
    )


declare(
    Measure(
        id="missing_children",
        title="Children who went missing or were away",
        section="missing",
        kind="count",
        population=missing_children_population,
        dfe=MISSING + "; children with one or more incidents",
        description="Children who went missing or were away from placement during the period.",
        breakdowns=(
            Breakdown(
                "kind", "Missing or away", "kind", ("Missing only", "Away only", "Missing and away")
            ),
        ),
        headline=True,
        higher_is="worse",
    ),
    Measure(
        id="missing_incidents",
        title="Missing or away incidents",
        section="missing",
        kind="count",
        population=missing_incidents,
        dfe=MISSING,
        description="Incidents of going missing or being away from placement during the period.",
        breakdowns=(Breakdown("kind", "Missing or away", "kind", ("Missing", "Away")),),
        higher_is="worse",
    ),
    Measure(
        id="return_home_interviews",
        title="Return-home interviews offered and accepted",
        section="missing",
        kind="proportion",
        unit="% of missing incidents",
        population=missing_incidents,
        numerator=pl.lit(False),
        dfe="Statutory guidance on children who run away or go missing (2014): a return-home "
        "interview is offered within 72 hours of the child's return",
        description="Return-home interviews after a missing incident (needs a local extract).",
        available=_rhi_absent,
    ),
)
