"""Health and wellbeing of children looked after for 12 months or more (the OC2 cohort)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import polars as pl

from carewise.measures import frames
from carewise.measures.definitions.common import (
    annual_cohort_note,
    cla_at,
    how_many,
    without_short_break_only,
    year_rows,
    year_table_missing,
)
from carewise.measures.model import Breakdown, Context, Measure
from carewise.measures.registry import declare
from carewise.returns.years import age_expr

OC2 = (
    "DfE 'Outcomes for children looked after' (903 OC2 table): children looked after "
    "continuously for at least 12 months at 31 March (period of care begun by 1 April, short "
    "breaks V3/V4 excluded), with their OC2 row"
)
_missing = year_table_missing("oc2", "health and offending")
AGE_GROUP = Breakdown(
    "age_group", "Age at 31 March", "age_group", ("Under 5", "5 to 9", "10 to 15", "16 and over")
)


def _flag(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Int32, strict=False) == 1


def twelve_months_cohort(ctx: Context) -> pl.DataFrame:
    """Children looked after continuously for at least 12 months at 31 March (CHILD, DOB).

    DfE's OC2 cohort: looked after at 31 March of the period's collection year in a period of
    care that began on or before 1 April (so no start, ceasing or short break in the year);
    short breaks (V3/V4) are not care here, as in every DfE figure.
    """
    cy = ctx.period.collection_year
    return (
        cla_at(ctx, cy.end)
        .filter(pl.col("period_start") <= cy.start)
        .select("CHILD", pl.col("DOB").alias("_dob"))
    )


def _oc2_frame(ctx: Context) -> pl.DataFrame:
    cohort = twelve_months_cohort(ctx)
    rows = year_rows(ctx, "oc2").unique("CHILD", keep="last")
    with_episodes = frames.care_episodes(ctx.history).select("CHILD").unique()
    # OC2 rows of children the episodes show were not in the cohort are left out; rows of
    # children with no episodes stored are kept (nothing to check them against)
    unchecked = rows.join(with_episodes, on="CHILD", how="anti")
    unchecked = without_short_break_only(ctx, unchecked)
    in_cohort = cohort.join(rows, on="CHILD", how="left").with_columns(
        pl.coalesce(pl.col("DOB"), pl.col("_dob")).alias("DOB")
    )
    frame = pl.concat([in_cohort.drop("_dob"), unchecked], how="diagonal_relaxed")
    end = ctx.period.collection_year.end
    age = age_expr(pl.col("DOB"), end)
    group = (
        pl.when(age < 5)
        .then(pl.lit("Under 5"))
        .when(age < 10)
        .then(pl.lit("5 to 9"))
        .when(age < 16)
        .then(pl.lit("10 to 15"))
        .otherwise(pl.lit("16 and over"))
    )
    return frame.with_columns(
        age.alias("age"),
        group.alias("age_group"),
        pl.col("SDQ_SCORE").cast(pl.Int32, strict=False).alias("sdq"),
    )


def oc2_cohort(ctx: Context) -> pl.DataFrame:
    """The OC2 cohort of the period's collection year with its OC2 rows and age at 31 March.

    A child in the cohort without an OC2 row counts in the denominator (DfE's denominator is
    the cohort; the row is required for every child in it).
    """
    store = frames.cache_for(ctx.history)
    key = f"oc2_cohort@{ctx.period.collection_year.start_year}"
    if key not in store:
        store[key] = _oc2_frame(ctx)
    return store[key]


def _oc2_notes(ctx: Context) -> list[str]:
    cy = ctx.period.collection_year
    lines = frames.once(ctx.history, f"oc2_notes@{cy.start_year}", lambda: _oc2_note_lines(ctx))
    year = annual_cohort_note(
        ctx, "oc2", f"children looked after for 12 months or more at 31 March {cy.end.year}")
    return [year, *lines]


def _oc2_note_lines(ctx: Context) -> list[str]:
    cohort = twelve_months_cohort(ctx)
    rows = year_rows(ctx, "oc2").select("CHILD").unique()
    no_row = cohort.join(rows, on="CHILD", how="anti").height
    with_episodes = frames.care_episodes(ctx.history).select("CHILD").unique()
    outside = rows.join(with_episodes, on="CHILD").join(cohort, on="CHILD", how="anti").height
    notes = []
    if no_row:
        notes.append(
            f"{how_many(no_row, ctx)} child(ren) looked after for 12 months have no OC2 row: counted "
            "as not having it"
        )
    if outside:
        notes.append(
            f"{how_many(outside, ctx)} OC2 row(s) for children not looked after continuously for 12 "
            "months at 31 March are left out"
        )
    return notes


def sdq_cohort(ctx: Context) -> pl.DataFrame:
    """OC2 children aged 5 to 16 at 31 March: those DfE expects an SDQ for."""
    return oc2_cohort(ctx).filter(pl.col("age").is_between(5, 16))


def under_5_cohort(ctx: Context) -> pl.DataFrame:
    """OC2 children aged under 5 at 31 March: those whose development checks DfE reports."""
    return oc2_cohort(ctx).filter(pl.col("age") < 5)


def offending_cohort(ctx: Context) -> pl.DataFrame:
    """OC2 children aged 10 or over at 31 March (the age of criminal responsibility)."""
    return oc2_cohort(ctx).filter(pl.col("age") >= 10)


def _share(
    id_: str,
    title: str,
    flag: str,
    dfe: str,
    description: str,
    population: Callable[[Context], pl.DataFrame] = oc2_cohort,
    higher_is: Literal["better", "worse", "neutral"] = "better",
    headline: bool = False,
) -> Measure:
    return Measure(
        id=id_,
        title=title,
        section="health",
        kind="proportion",
        unit="% of children looked after 12 months+",
        population=population,
        numerator=_flag(flag),
        dfe=f"{OC2}; {dfe}",
        description=description,
        breakdowns=(AGE_GROUP,),
        available=_missing,
        notes=_oc2_notes,
        higher_is=higher_is,
        headline=headline,
    )


declare(
    _share(
        "health_assessments",
        "Annual health assessment up to date",
        "HEALTH_ASSESSMENT",
        "HEALTH_ASSESSMENT = 1",
        "Children in care a year or more whose annual health assessment is up to date.",
        headline=True,
    ),
    _share(
        "dental_checks",
        "Dental check up to date",
        "TEETH_CHECK",
        "TEETH_CHECK = 1",
        "Children in care a year or more who had their teeth checked.",
    ),
    _share(
        "immunisations",
        "Immunisations up to date",
        "IMMUNISATIONS",
        "IMMUNISATIONS = 1",
        "Children in care a year or more whose immunisations are up to date.",
    ),
    Measure(
        id="sdq_completed",
        title="Strengths and difficulties questionnaire completed",
        section="health",
        kind="proportion",
        unit="% of children aged 5-16 looked after 12 months+",
        population=sdq_cohort,
        numerator=pl.col("sdq").is_not_null(),
        dfe=f"{OC2}; children aged 5 to 16 at 31 March with an SDQ score recorded",
        description="Children aged 5 to 16 with a strengths and difficulties questionnaire score.",
        breakdowns=(AGE_GROUP,),
        available=_missing,
        notes=_oc2_notes,
        higher_is="better",
    ),
    Measure(
        id="sdq_mean_score",
        title="Average SDQ score",
        section="health",
        kind="mean",
        unit="points (0-40; 17+ is a cause for concern)",
        population=sdq_cohort,
        value_column="sdq",
        dfe=f"{OC2}; DfE's average total difficulties score for children aged 5 to 16 with a score",
        description="Average strengths and difficulties score (lower is better).",
        breakdowns=(AGE_GROUP,),
        available=_missing,
        notes=_oc2_notes,
        higher_is="worse",
    ),
    Measure(
        id="development_checks_under_5",
        title="Development checks up to date (under 5s)",
        section="health",
        kind="proportion",
        unit="% of children aged under 5 looked after 12 months+",
        population=under_5_cohort,
        numerator=_flag("HEALTH_CHECK"),
        dfe=f"{OC2}; children aged under 5 at 31 March whose development assessments (health "
        "surveillance and health promotion checks) are up to date: HEALTH_CHECK = 1, the OC2 "
        "field DfE collects for under-5s only",
        description="Children under 5 in care a year or more whose development checks are up to date.",
        available=_missing,
        notes=_oc2_notes,
        higher_is="better",
        rule="Children under 5 on 31 March who had been looked after for 12 months or more; counted "
        "when the return records their development checks as up to date (HEALTH_CHECK 1). A child "
        "with no OC2 row counts as not up to date.",
    ),
    _share(
        "substance_misuse",
        "Identified as having a substance misuse problem",
        "SUBSTANCE_MISUSE",
        "SUBSTANCE_MISUSE = 1",
        "Children in care a year or more identified with a substance misuse problem.",
        higher_is="worse",
    ),
    _share(
        "convictions",
        "Convicted or subject to a youth caution or final warning",
        "CONVICTED",
        "children aged 10 or over with CONVICTED = 1",
        "Children aged 10+ in care a year or more who were convicted during the year.",
        population=offending_cohort,
        higher_is="worse",
    ),
)
