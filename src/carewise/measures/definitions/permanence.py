"""Permanence and adoption: how children leave care, and the adoption scorecard (A1, A2, A10)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import polars as pl

from carewise.measures import codes, frames
from carewise.measures.definitions.common import AGE, SEX, cla_at, memo
from carewise.measures.definitions.population import ceased_population
from carewise.measures.model import Breakdown, Context, Measure
from carewise.measures.period import add_months
from carewise.measures.registry import declare

SCORECARD = (
    "DfE Adoption Scorecards (methodology 2018; domain.md §6.1): for children adopted from care"
)


def _adopted(ctx: Context, start: date, end: date) -> pl.DataFrame:
    """Children adopted in [start, end] with the dates of their journey to adoption."""
    eps = frames.care_episodes(ctx.history)
    left = eps.filter(pl.col("DEC").is_between(start, end) & pl.col("REC").is_in(codes.ADOPTED))
    left = (
        left.sort(["CHILD", "DEC"])
        .unique("CHILD", keep="last")
        .select(
            "CHILD", "period_no", "period_start", "SEX", "DOB", pl.col("DEC").alias("adopted_on")
        )
    )
    in_period = eps.join(left.select("CHILD", "period_no"), on=["CHILD", "period_no"])
    placed = (
        in_period.filter(pl.col("PLACE").is_in(codes.ADOPTION_PLACEMENTS))
        .sort("DECOM")
        .group_by("CHILD")
        .agg(
            pl.col("DECOM").first().alias("placed_on"),
            pl.col("carer_start").first().alias("moved_in_with_carers_on"),
        )
    )
    order = (
        in_period.filter(pl.col("LS").is_in(codes.PLACEMENT_ORDER_LS))
        .group_by("CHILD")
        .agg(pl.col("DECOM").min().alias("placement_order_on"))
    )
    ad1 = frames.table(ctx.history, "ad1").select("CHILD", pl.col("DATE_MATCH").alias("matched_on"))
    ad1 = ad1.unique("CHILD", keep="last")
    decision = frames.table(ctx.history, "placed_for_adoption").select(
        "CHILD", pl.col("DATE_PLACED").alias("decided_on")
    )
    frame = left.join(placed, on="CHILD", how="left").join(order, on="CHILD", how="left")
    frame = frame.join(ad1, on="CHILD", how="left")
    # the latest agency decision on or before the adoption (a later one, a data error, must not
    # take the child out of A1/A2)
    decided = (
        frame.select("CHILD", "adopted_on")
        .join(decision, on="CHILD")
        .filter(pl.col("decided_on") <= pl.col("adopted_on"))
        .group_by("CHILD")
        .agg(pl.col("decided_on").max())
    )
    frame = frame.join(decided, on="CHILD", how="left")

    def days(a: str, b: str) -> pl.Expr:
        return (pl.col(b) - pl.col(a)).dt.total_days()

    from carewise.returns.years import age_expr

    return frame.with_columns(
        days("period_start", "placed_on").alias("a1_days"),
        days("period_start", "moved_in_with_carers_on").alias("a10_days"),
        pl.when(
            pl.col("placement_order_on").is_not_null()
            & pl.col("placed_on").is_not_null()
            & pl.col("matched_on").is_not_null()
        )
        .then(pl.max_horizontal(days("placement_order_on", "matched_on"), pl.lit(0)))
        .alias("a2_days"),
        days("period_start", "decided_on").alias("entry_to_decision_days"),
        days("decided_on", "placement_order_on").alias("decision_to_order_days"),
        days("placement_order_on", "matched_on").alias("order_to_match_days"),
        days("matched_on", "placed_on").alias("match_to_placed_days"),
        days("placed_on", "adopted_on").alias("placed_to_adopted_days"),
        codes.age_band_expr(age_expr(pl.col("DOB"), pl.col("adopted_on"))).alias("age_band"),
    )


def adopted_in_period(ctx: Context) -> pl.DataFrame:
    """Children adopted in the period, with the dates of each stage (scorecard inputs)."""
    return memo(ctx, "adopted", lambda: _adopted(ctx, ctx.period.start, ctx.period.end))


def adopted_in_3_years(ctx: Context) -> pl.DataFrame:
    """Children adopted in the 3 years to the period's end (the scorecard's rolling average)."""
    start = add_months(ctx.on + timedelta(days=1), -36)
    return memo(ctx, "adopted_3y", lambda: _adopted(ctx, start, ctx.on))


def _three_years_available(ctx: Context) -> str | None:
    start = add_months(ctx.on + timedelta(days=1), -36)
    first = ctx.history.first_date
    if first is None or first > start:
        return (
            f"a 3-year average needs returns from {start:%d %B %Y}; "
            f"the returns stored start on {first:%d %B %Y}"
            if first
            else "no returns stored"
        )
    return None


def pipeline_population(ctx: Context) -> pl.DataFrame:
    """Children looked after at the date on the way to adoption, by the stage reached."""
    cla = cla_at(ctx)
    pfa = frames.table(ctx.history, "placed_for_adoption")
    active = (
        pfa.filter(
            (pl.col("DATE_PLACED") <= ctx.on)
            & (pl.col("DATE_PLACED_CEASED").is_null() | (pl.col("DATE_PLACED_CEASED") > ctx.on))
        )
        .select("CHILD")
        .unique()
        .with_columns(pl.lit(True).alias("decided"))
    )
    cla = cla.join(active, on="CHILD", how="left").with_columns(pl.col("decided").fill_null(False))
    stage = (
        pl.when(pl.col("PLACE").is_in(codes.ADOPTION_PLACEMENTS))
        .then(pl.lit("Placed for adoption"))
        .when(pl.col("LS").is_in(codes.PLACEMENT_ORDER_LS))
        .then(pl.lit("Placement order, not yet placed"))
        .when(pl.col("decided"))
        .then(pl.lit("Decision to adopt, no placement order yet"))
    )
    return cla.with_columns(stage.alias("stage")).filter(pl.col("stage").is_not_null())


def _ceased(
    reason: str, codes_: tuple[str, ...], id_: str, title: str, dfe: str, headline: bool = False
) -> Measure:
    def population(ctx: Context) -> pl.DataFrame:
        return ceased_population(ctx).filter(pl.col("REC").is_in(codes_))

    population.__name__ = f"{id_}_population"
    population.__doc__ = f"Children whose last ceasing in the period was: {reason}."
    return Measure(
        id=id_,
        title=title,
        section="permanence",
        kind="count",
        population=population,
        same_as=("ceased_in_period", "reason", reason),
        dfe=dfe,
        description=f"Children who left care in the period: {reason.lower()}.",
        breakdowns=(AGE, SEX),
        headline=headline,
        higher_is="neutral",
    )


def _mean(
    id_: str, title: str, column: str, population: Callable[[Context], pl.DataFrame], dfe: str,
    description: str, **kw: Any,
) -> Measure:
    return Measure(
        id=id_,
        title=title,
        section="permanence",
        kind="mean",
        unit="days",
        population=population,
        value_column=column,
        dfe=dfe,
        description=description,
        higher_is="worse",
        **kw,
    )


_A1 = (
    SCORECARD
    + ", average days between entering care (start of the period of care that ended in adoption) and moving in with the adoptive family (first placement A3-A6)"
)
_A10 = (
    SCORECARD
    + ", A1 adjusted for foster-carer adoptions: for children adopted by their foster carers the moving-in date is the date the fostering placement with those carers began"
)
_A2 = (
    SCORECARD
    + ", average days between the court's authority to place (placement order, LS E1/D1) and the match with adopters (AD1 DATE_MATCH); 0 when matched earlier; children without a placement order, not placed for adoption, or with no match date are left out"
)

STAGE = Breakdown(
    "stage",
    "Stage",
    "stage",
    (
        "Decision to adopt, no placement order yet",
        "Placement order, not yet placed",
        "Placed for adoption",
    ),
)

declare(
    _ceased(
        "Adopted",
        codes.ADOPTED,
        "ceased_adopted",
        "Children adopted",
        "DfE: children ceasing to be looked after by adoption (REC E11, E12)",
        headline=True,
    ),
    _ceased(
        "Special guardianship order",
        codes.SGO,
        "ceased_sgo",
        "Children leaving care on a special guardianship order",
        "DfE: children ceasing to be looked after on a special guardianship order (REC E43-E48)",
        headline=True,
    ),
    _ceased(
        "Child arrangements order",
        codes.CAO,
        "ceased_cao",
        "Children leaving care on a child arrangements order",
        "DfE: children ceasing to be looked after on a residence or child arrangements order (REC E41)",
    ),
    _ceased(
        "Returned home to parents or relatives",
        codes.RETURNED_HOME,
        "ceased_returned_home",
        "Children returning home",
        "DfE: returned home to parents or other person with parental responsibility (REC E4A, E4B)",
    ),
    Measure(
        id="adopted_share_of_leavers",
        title="Children leaving care who were adopted",
        section="permanence",
        kind="proportion",
        unit="% of children leaving care",
        population=ceased_population,
        numerator=pl.col("REC").is_in(codes.ADOPTED),
        same_as=("ceased_in_period", "reason", "Adopted"),
        dfe="Adoption scorecard A4 / DfE: children adopted as a share of all children ceasing to be looked after",
        description="Share of children who left care in the period who were adopted.",
    ),
    _mean(
        "adoption_a1_days",
        "A1: entering care to moving in with adoptive family (days)",
        "a1_days",
        adopted_in_period,
        _A1,
        "Average days from entering care to moving in with the adoptive family, children adopted in the period.",
        headline=True,
    ),
    _mean(
        "adoption_a1_days_3y",
        "A1, 3-year average (days)",
        "a1_days",
        adopted_in_3_years,
        _A1 + "; 3-year average as the scorecard publishes",
        "A1 over the 3 years to the end of the period.",
        available=_three_years_available,
    ),
    _mean(
        "adoption_a10_days",
        "A10: entering care to moving in with adoptive family, adjusted for foster carers (days)",
        "a10_days",
        adopted_in_period,
        _A10,
        "Average days from entering care to moving in with the family who adopted them (foster-carer adoptions from the fostering placement).",
    ),
    _mean(
        "adoption_a10_days_3y",
        "A10, 3-year average (days)",
        "a10_days",
        adopted_in_3_years,
        _A10 + "; 3-year average",
        "A10 over the 3 years to the end of the period.",
        available=_three_years_available,
    ),
    _mean(
        "adoption_a2_days",
        "A2: placement order to match with adopters (days)",
        "a2_days",
        adopted_in_period,
        _A2,
        "Average days from the court's authority to place to the match with adopters.",
        headline=True,
    ),
    _mean(
        "adoption_a2_days_3y",
        "A2, 3-year average (days)",
        "a2_days",
        adopted_in_3_years,
        _A2 + "; 3-year average",
        "A2 over the 3 years to the end of the period.",
        available=_three_years_available,
    ),
    Measure(
        id="adoption_pipeline",
        title="Children on the way to adoption",
        section="permanence",
        kind="count",
        population=pipeline_population,
        dfe="Children looked after at the date with an agency decision that they should be placed "
        "for adoption (PlacedAdoption DATE_PLACED, not ceased), a placement order (LS E1/D1) or "
        "placed for adoption (PLACE A3-A6), by furthest stage reached",
        description="Children looked after on the way to adoption, by stage.",
        breakdowns=(STAGE,),
        at_date=True,
    ),
    _mean(
        "adoption_days_decision_to_order",
        "Decision to adopt to placement order (days)",
        "decision_to_order_days",
        adopted_in_period,
        "Days from the agency decision (PlacedAdoption DATE_PLACED) to the placement order (LS E1/D1), children adopted in the period",
        "Adoption journey: from the decision that adoption is the plan to the placement order.",
    ),
    _mean(
        "adoption_days_order_to_match",
        "Placement order to match (days)",
        "order_to_match_days",
        adopted_in_period,
        "Days from placement order (LS E1/D1) to match (AD1 DATE_MATCH), children adopted in the period, not floored at 0",
        "Adoption journey: from placement order to match with adopters.",
    ),
    _mean(
        "adoption_days_match_to_placed",
        "Match to placed for adoption (days)",
        "match_to_placed_days",
        adopted_in_period,
        "Days from match (AD1 DATE_MATCH) to placement for adoption (first A3-A6 episode), children adopted in the period",
        "Adoption journey: from match to moving in.",
    ),
    _mean(
        "adoption_days_placed_to_adopted",
        "Placed for adoption to adoption order (days)",
        "placed_to_adopted_days",
        adopted_in_period,
        "Days from placement for adoption to leaving care adopted (DEC, REC E11/E12), children adopted in the period",
        "Adoption journey: from moving in to the adoption order.",
    ),
)
