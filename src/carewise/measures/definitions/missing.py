"""Children missing from care or away from their placement without authorisation."""

from __future__ import annotations

import polars as pl

from carewise.measures import frames
from carewise.measures.definitions.common import memo, without_short_break_only
from carewise.measures.model import Breakdown, Context, Measure
from carewise.measures.registry import declare

DFE_LAG1 = (
    "; DfE publishes it separately (EES 'Children looked after who were missing or away from "
    "placement without authorisation', formerly table LAG1)"
)

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


def went_missing_population(ctx: Context) -> pl.DataFrame:
    """Children with at least one missing incident (MISSING M) starting in the period."""
    return missing_children_population(ctx).filter(pl.col("m"))


def away_population(ctx: Context) -> pl.DataFrame:
    """Children with at least one away-without-authorisation incident (A) in the period."""
    return missing_children_population(ctx).filter(pl.col("a"))


def missing_only_incidents(ctx: Context) -> pl.DataFrame:
    """Missing incidents (M) that started in the period."""
    return missing_incidents(ctx).filter(pl.col("kind") == "Missing")


def away_incidents(ctx: Context) -> pl.DataFrame:
    """Away-from-placement-without-authorisation incidents (A) that started in the period."""
    return missing_incidents(ctx).filter(pl.col("kind") == "Away")


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
    # The children figures below share missing_children's cells: a child who went missing is
    # "Missing only" or "Missing and away" there, so disclosure control sees that the figure is
    # the sum of those two cells (same population_id, and the numerator named as a cell of
    # missing_children's population), and that it plus "Away only" is the total (rest_of), so
    # "went missing" + "away" - all children cannot reveal a hidden "Missing and away".
    Measure(
        id="missing_children_missing",
        title="Children who went missing",
        section="missing",
        kind="count",
        population=went_missing_population,
        population_id="missing_children_population",
        same_as=("missing_children", "went", "Missing"),
        rest_of=("missing_children", "kind", "Away only"),
        dfe=MISSING
        + "; children with one or more missing incidents (M: whereabouts not known)"
        + DFE_LAG1,
        description="Children who went missing (whereabouts not known) during the period.",
        breakdowns=(Breakdown("kind", "Also away?", "kind", ("Missing only", "Missing and away")),),
        headline=True,
        higher_is="worse",
    ),
    Measure(
        id="missing_children_away",
        title="Children who were away from placement without authorisation",
        section="missing",
        kind="count",
        population=away_population,
        population_id="missing_children_population",
        same_as=("missing_children", "went", "Away"),
        rest_of=("missing_children", "kind", "Missing only"),
        dfe=MISSING + "; children with one or more away-from-placement incidents (A: whereabouts "
        "known, not where they should be)" + DFE_LAG1,
        description="Children who were away from placement without authorisation (whereabouts "
        "known) during the period.",
        breakdowns=(Breakdown("kind", "Also missing?", "kind", ("Away only", "Missing and away")),),
        headline=True,
        higher_is="worse",
    ),
    Measure(
        id="missing_incidents_missing",
        title="Missing incidents",
        section="missing",
        kind="count",
        population=missing_only_incidents,
        population_id="missing_incidents",
        same_as=("missing_incidents", "kind", "Missing"),
        dfe=MISSING + "; incidents of going missing (M)" + DFE_LAG1,
        description="Incidents of going missing during the period.",
        higher_is="worse",
    ),
    Measure(
        id="missing_incidents_away",
        title="Away from placement without authorisation incidents",
        section="missing",
        kind="count",
        population=away_incidents,
        population_id="missing_incidents",
        same_as=("missing_incidents", "kind", "Away"),
        dfe=MISSING
        + "; incidents of being away from placement without authorisation (A)"
        + DFE_LAG1,
        description="Incidents of being away from placement without authorisation in the period.",
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
