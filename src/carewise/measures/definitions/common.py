"""Helpers shared by the measure declarations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import polars as pl

from carewise.history import YEAR
from carewise.measures import codes, frames
from carewise.measures.model import Breakdown, Context

AGE = Breakdown("age_band", "Age", "age_band", codes.AGE_BANDS)
SEX = Breakdown("sex", "Sex", "sex", ("Male", "Female"))
ETHNICITY = Breakdown("ethnic_group", "Ethnicity", "ethnic_group", tuple(codes.ETHNIC_GROUPS))
LEGAL = Breakdown("legal_status", "Legal status", "legal_status", tuple(codes.LEGAL_STATUS_GROUPS))
NEED = Breakdown("need", "Category of need", "need", tuple(codes.NEED_GROUPS))
UASC = Breakdown("uasc_status", "Unaccompanied asylum-seeking", "uasc_status", ("UASC", "Non-UASC"))


def memo(ctx: Context, name: str, build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """Compute a frame once per history, name and period (several measures share it)."""
    store = frames.cache_for(ctx.history)
    key = f"{name}@{ctx.period.start}:{ctx.period.end}"
    if key not in store:
        store[key] = build()
    return store[key]


def cla_at(ctx: Context, on: date | None = None) -> pl.DataFrame:
    """Children looked after at the date, with DfE's breakdown columns."""
    day = on or ctx.on
    store = frames.cache_for(ctx.history)
    key = f"cla_at@{day}"
    if key not in store:
        frame = frames.looked_after_at(ctx.history, day)
        store[key] = frame.with_columns(
            pl.when(pl.col("uasc"))
            .then(pl.lit("UASC"))
            .otherwise(pl.lit("Non-UASC"))
            .alias("uasc_status"),
            codes.group_expr("PLACE", codes.PLACEMENT_GROUPS, "Other placements").alias(
                "placement_group"
            ),
            placement_type_expr().alias("placement_type"),
        )
    return store[key]


def placement_type_expr() -> pl.Expr:
    """DfE's placement group, with foster care split by who provides it (domain.md §1.7)."""
    place, provider = pl.col("PLACE"), pl.col("PLACE_PROVIDER")
    return (
        pl.when(place.is_in(codes.FAMILY_AND_FRIENDS))
        .then(pl.lit(codes.FOSTER_TYPES[0]))
        .when(place.is_in(codes.FOSTER) & provider.is_in(codes.IN_HOUSE_PROVIDER))
        .then(pl.lit(codes.FOSTER_TYPES[1]))
        .when(place.is_in(codes.FOSTER) & provider.is_in(codes.AGENCY_PROVIDERS))
        .then(pl.lit(codes.FOSTER_TYPES[2]))
        .when(place.is_in(codes.FOSTER))
        .then(pl.lit(codes.FOSTER_TYPES[3]))
        .otherwise(codes.group_expr("PLACE", codes.PLACEMENT_GROUPS, "Other placements"))
    )


def before_first_return(ctx: Context, day: date) -> str | None:
    first = ctx.history.first_date
    if first is None:
        return "no returns are stored"
    if day < first - timedelta(days=1):
        return f"the returns stored start on {first:%d %B %Y}, after {day:%d %B %Y}"
    return None


def year_rows(ctx: Context, table: str) -> pl.DataFrame:
    """Rows of a once-a-year table (OC2, OC3) from the return of the period's collection year."""
    year = ctx.period.collection_year.start_year
    store = frames.cache_for(ctx.history)
    key = f"year_rows:{table}@{year}"
    if key not in store:
        store[key] = frames.table(ctx.history, table).filter(pl.col(YEAR) == year)
    return store[key]


def year_table_missing(table: str, what: str) -> Callable[[Context], str | None]:
    """Say why a once-a-year table's figure cannot be given for the period's collection year."""

    def check(ctx: Context) -> str | None:
        year = ctx.period.collection_year
        if year_rows(ctx, table).height == 0:
            return f"no {what} ({table.upper()}) rows in the {year.label} return"
        return None

    check.__name__ = f"{table}_missing"
    return check


def annual_cohort_note(ctx: Context, table: str, cohort: str) -> str:
    """Name the collection year an annual (OC2/OC3) figure belongs to: a quarter's or a rolling
    period's pack shows the year's figure, and must say so."""
    cy = ctx.period.collection_year
    return (f"annual figure for {cy.label}: {cohort} ({table.upper()} rows of the {cy.label} "
            f"return), whatever the period asked")


def short_break_only(ctx: Context) -> pl.DataFrame:
    """Children (CHILD) whose every episode in the history is a short break (LS V3/V4).

    DfE leaves them out of every figure; a child with no episodes at all is not in this list
    (nothing shows they were only on short breaks).
    """
    store = frames.cache_for(ctx.history)
    if "short_break_only" not in store:
        eps = ctx.history.episodes
        store["short_break_only"] = (
            eps.group_by("CHILD")
            .agg(pl.col("LS").is_in(codes.SHORT_BREAKS).fill_null(False).all().alias("sb"))
            .filter(pl.col("sb"))
            .select("CHILD")
        )
    return store["short_break_only"]


def without_short_break_only(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` without the rows of children looked after only under short breaks."""
    return frame.join(short_break_only(ctx), on="CHILD", how="anti")


def how_many(n: int, ctx: Context) -> str:
    """A count for a note's text: "fewer than 5" for 1-4 (the threshold of the run's disclosure
    policy, ``carewise.disclosure``), so a note never shows a small number (notes are not covered
    by the disclosure control applied to figures)."""
    threshold = ctx.options.disclosure.threshold
    return f"fewer than {threshold}" if 0 < n < threshold else f"{n:,}"
