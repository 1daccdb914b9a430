"""Care leavers (OC3): in touch, in education, employment or training, suitably housed."""

from __future__ import annotations

import polars as pl

from carewise.measures import frames
from carewise.measures.definitions.common import (
    annual_cohort_note,
    memo,
    without_short_break_only,
    year_rows,
    year_table_missing,
)
from carewise.measures.model import Breakdown, Context, Measure
from carewise.measures.registry import declare
from carewise.returns.years import age_expr

OC3 = (
    "DfE 'Care leavers' (903 OC3 table): former relevant care leavers aged 17 to 21 at their "
    "birthday in the year; those who died, went home for 6+ months (IN_TOUCH DIED, RHOM), whose "
    "care was taken over by another authority (REC E3) or who were only on short breaks are "
    "left out, as DfE does"
)
EET = ("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5")
_missing = year_table_missing("oc3", "care leaver")
AGE = Breakdown("age_group", "Age", "age_group", ("17 to 18", "19 to 21"))


def transferred_out(ctx: Context) -> pl.DataFrame:
    """Children (CHILD) whose last ceasing in the history was to another authority (REC E3)."""
    eps = frames.care_episodes(ctx.history).filter(
        pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    )
    last = eps.sort(["CHILD", "DEC"]).unique("CHILD", keep="last")
    return last.filter(pl.col("REC") == "E3").select("CHILD")


def care_leavers(ctx: Context) -> pl.DataFrame:
    """OC3 rows of the period's collection year for care leavers aged 17 to 21, exclusions out.

    Age is at the birthday falling in the collection year, i.e. at its 31 March. DfE leaves out
    care leavers who died or returned home for 6 months or more (IN_TOUCH DIED, RHOM), whose care
    was taken over by another authority (last REC E3) and who were only looked after under short
    breaks (V3/V4); 22 to 25-year-olds (collected from 2023) are a separate group.
    """

    def build() -> pl.DataFrame:
        age = age_expr(pl.col("DOB"), ctx.period.collection_year.end)
        group = pl.when(age <= 18).then(pl.lit("17 to 18")).otherwise(pl.lit("19 to 21"))
        rows = (
            year_rows(ctx, "oc3")
            .filter(~pl.col("IN_TOUCH").is_in(["DIED", "RHOM"]).fill_null(False))
            .with_columns(age.alias("age"), group.alias("age_group"))
            .filter(pl.col("age").is_between(17, 21))
            .join(transferred_out(ctx), on="CHILD", how="anti")
        )
        return without_short_break_only(ctx, rows)

    return memo(ctx, f"care_leavers@{ctx.period.collection_year.start_year}", build)


def _share(
    id_: str, title: str, numerator: pl.Expr, dfe: str, description: str, headline: bool = False
) -> Measure:
    return Measure(
        id=id_,
        title=title,
        section="care_leavers",
        kind="proportion",
        unit="% of care leavers aged 17-21",
        population=care_leavers,
        numerator=numerator,
        dfe=f"{OC3}; {dfe}",
        description=description,
        breakdowns=(AGE,),
        available=_missing,
        notes=_year_note,
        higher_is="better",
        headline=headline,
    )


def _year_note(ctx: Context) -> list[str]:
    cy = ctx.period.collection_year
    return [annual_cohort_note(
        ctx, "oc3", f"care leavers aged 17 to 21 on their birthday in the year to 31 March {cy.end.year}")]


declare(
    _share(
        "care_leavers_in_touch",
        "Care leavers in touch",
        pl.col("IN_TOUCH") == "YES",
        "in touch: IN_TOUCH = YES",
        "Care leavers the council is in touch with.",
        headline=True,
    ),
    _share(
        "care_leavers_eet",
        "Care leavers in education, employment or training",
        pl.col("ACTIV").is_in(EET),
        "in education, employment or training: ACTIV F1-F5 or P1-P5",
        "Care leavers in education, employment or training.",
        headline=True,
    ),
    _share(
        "care_leavers_suitable_accommodation",
        "Care leavers in suitable accommodation",
        pl.col("ACCOM").str.ends_with("1"),
        "suitable accommodation: ACCOM ending in 1",
        "Care leavers whose accommodation is considered suitable.",
        headline=True,
    ),
)
