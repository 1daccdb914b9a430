"""DfE 903 validation rules 700-799: deprivation of liberty orders (DoLO), from 2026-27.

The DoLO table (CHILD, DOB, DOLO_START, DOLO_END) joins the return in 2026-27. Rules 709
and 710 compare each order with the placements it overlaps; the DfE wording says
``PLACEMENT`` but the episodes column is PLACE.
"""

from __future__ import annotations

import polars as pl

from carewise.returns.model import ROW
from carewise.validate.engine import Context, Failures, rule
from carewise.validate.rules.rules_500 import (
    CHILD,
    overlaps_previous,
    periods_of_care,
    rows_of,
)

DOLO_EXPECTED_PLACES = ("K2", "Z12", "Z13")
"""Placements a child under a DoLO is expected to be in (rule 709)."""
DOLO_BARRED_PLACES = ("K1", "P1", "R5", "K3")
"""Secure children's home, with parents, young offender institution, supported accommodation (710)."""


def _not_a_date(ctx: Context, col: str, required: bool) -> pl.DataFrame:
    dolo, raw = ctx.t("dolo"), ctx.raw("dolo")
    unreadable = raw[col].is_not_null() & dolo[col].is_null()
    return dolo.filter(unreadable | raw[col].is_null()) if required else dolo.filter(unreadable)


@rule(
    "700",
    explanation="The DoLO start date is missing or not a valid date.",
    fix="Write DOLO_START as DD/MM/YYYY.",
    tables=("dolo",),
    fields=("DOLO_START",),
)
def rule_700(ctx: Context) -> Failures:
    """DOLO_START is required and must be a real date."""
    return _not_a_date(ctx, "DOLO_START", required=True)


@rule(
    "701",
    explanation="The DoLO end date is not a valid date.",
    fix="Write DOLO_END as DD/MM/YYYY, or leave it blank while the order is in force.",
    tables=("dolo",),
    fields=("DOLO_END",),
)
def rule_701(ctx: Context) -> Failures:
    """DOLO_END, when given, must be a real date."""
    return _not_a_date(ctx, "DOLO_END", required=False)


@rule(
    "702",
    explanation="The DoLO ends before it starts.",
    fix="Check DOLO_START and DOLO_END.",
    tables=("dolo",),
    fields=("DOLO_END", "DOLO_START"),
)
def rule_702(ctx: Context) -> Failures:
    """DOLO_END must be on or after DOLO_START."""
    dolo = ctx.t("dolo")
    return dolo.filter((pl.col("DOLO_END") < pl.col("DOLO_START")).fill_null(False))


@rule(
    "703",
    explanation="The DoLO starts after the end of the collection year.",
    fix="Check DOLO_START; orders starting after 31 March belong to next year's return.",
    tables=("dolo",),
    fields=("DOLO_START",),
)
def rule_703(ctx: Context) -> Failures:
    """DOLO_START must be on or before 31 March of the collection year."""
    dolo = ctx.t("dolo")
    return dolo.filter((pl.col("DOLO_START") > ctx.year.end).fill_null(False))


@rule(
    "704",
    explanation="The DoLO ends outside the collection year.",
    fix="Check DOLO_END: it must fall between 1 April and 31 March of this year.",
    tables=("dolo",),
    fields=("DOLO_END",),
)
def rule_704(ctx: Context) -> Failures:
    """DOLO_END, when given, falls within the collection year."""
    dolo = ctx.t("dolo")
    outside = (pl.col("DOLO_END") < ctx.year.start) | (pl.col("DOLO_END") > ctx.year.end)
    return dolo.filter(outside.fill_null(False))


@rule(
    "705",
    explanation="A DoLO starts while an earlier one is still open or before it ended.",
    fix="End the earlier order (DOLO_END) or correct the dates so orders do not overlap.",
    tables=("dolo",),
    fields=("DOLO_END", "DOLO_START"),
)
def rule_705(ctx: Context) -> Failures:
    """A child's orders must not overlap; a new one cannot start while one is open."""
    dolo = ctx.t("dolo")
    return rows_of(dolo, overlaps_previous(dolo, "DOLO_START", "DOLO_END"))


@rule(
    "706",
    explanation="Last year's return has an open DoLO but this year's return does not start with it.",
    fix="Carry the open order over with the same DOLO_START, or end it in last year's return.",
    tables=("dolo",),
    fields=("DOLO_START",),
    needs_previous=True,
)
def rule_706(ctx: Context) -> Failures:
    """An order open at 31 March reappears as the child's first order this year (same DOLO_START).

    Skipped when last year's return has no DoLO table (2025-26 returns never do). When the child
    has no order this year, the child's episodes this year are reported instead.
    """
    last = ctx.last("dolo").filter(
        pl.col("DOLO_END").is_null() & pl.col("DOLO_START").is_not_null()
    )
    last = last.group_by(CHILD).agg(pl.col("DOLO_START").max().alias("_last"))
    dolo = ctx.t("dolo")
    first = (
        dolo.with_columns(pl.col("DOLO_START").fill_null(pl.date(2099, 1, 1)).alias("_start"))
        .sort([CHILD, "_start", ROW])
        .unique(subset=[CHILD], keep="first", maintain_order=True)
    )
    differs = first.join(last, on=CHILD).filter(pl.col("_start") != pl.col("_last"))
    absent = last.filter(~pl.col(CHILD).is_in(dolo[CHILD].implode()))[CHILD]
    out: dict[str, pl.DataFrame] = {"dolo": rows_of(dolo, differs)}
    if ctx.has("episodes"):
        out["episodes"] = ctx.t("episodes").filter(pl.col(CHILD).is_in(absent.implode()))
    return out


@rule(
    "707",
    explanation="The child ceased to be looked after but a DoLO has no end date.",
    fix="Give DOLO_END: an order ends at the latest when the period of care ends.",
    tables=("dolo", "episodes"),
    fields=("DOLO_END",),
)
def rule_707(ctx: Context) -> Failures:
    """An open DoLO must belong to a period of care that is still open."""
    dolo, eps = ctx.t("dolo"), ctx.t("episodes")
    open_orders = dolo.filter(pl.col("DOLO_END").is_null() & pl.col("DOLO_START").is_not_null())
    merged = open_orders.select(ROW, CHILD, "DOLO_START").join(periods_of_care(eps), on=CHILD)
    in_open = merged.filter(
        pl.col("POC_END").is_null() & (pl.col("DOLO_START") >= pl.col("POC_START")).fill_null(False)
    )[ROW]
    return rows_of(dolo, merged.filter(~pl.col(ROW).is_in(in_open.implode())))


@rule(
    "708",
    explanation="The DoLO starts on or before the child's date of birth.",
    fix="Check DOLO_START and DOB.",
    tables=("dolo",),
    fields=("DOLO_START",),
)
def rule_708(ctx: Context) -> Failures:
    """DOLO_START must be after DOB."""
    dolo = ctx.t("dolo")
    return dolo.filter((pl.col("DOLO_START") <= pl.col("DOB")).fill_null(False))


def _overlapping_placements(ctx: Context) -> pl.DataFrame:
    """Each ended DoLO joined to the child's episodes it overlaps (an open episode runs on)."""
    dolo, eps = ctx.t("dolo"), ctx.t("episodes")
    orders = dolo.filter(pl.col("DOLO_START").is_not_null() & pl.col("DOLO_END").is_not_null())
    merged = orders.select(ROW, CHILD, "DOLO_START", "DOLO_END").join(
        eps.select(pl.col(ROW).alias("_e"), CHILD, "DECOM", "DEC", "PLACE"), on=CHILD
    )
    overlap = (pl.col("DOLO_START") <= pl.col("DEC")).fill_null(pl.col("DEC").is_null()) & (
        pl.col("DOLO_END") >= pl.col("DECOM")
    )
    return merged.filter(overlap.fill_null(False))


@rule(
    "709",
    explanation="A child under a DoLO is in an unexpected placement type.",
    fix="Check the placement type (K2, Z12 or Z13 expected) of episodes during the order.",
    tables=("dolo", "episodes"),
    fields=("DOLO_START", "PLACE"),
)
def rule_709(ctx: Context) -> Failures:
    """Placements overlapping a DoLO should be a children's home (K2) or Z12/Z13."""
    bad = _overlapping_placements(ctx).filter(
        ~pl.col("PLACE").is_in(DOLO_EXPECTED_PLACES).fill_null(False)
    )
    return {"dolo": rows_of(ctx.t("dolo"), bad), "episodes": rows_of(ctx.t("episodes"), bad["_e"])}


@rule(
    "710",
    explanation="A child under a DoLO is placed in a secure children's home, with parents, in a "
    "young offender institution or in supported accommodation.",
    fix="Check the placement type (not K1, P1, R5 or K3) of episodes during the order.",
    tables=("dolo", "episodes"),
    fields=("DOLO_START", "PLACE"),
)
def rule_710(ctx: Context) -> Failures:
    """Placements overlapping a DoLO cannot be K1, P1, R5 or K3."""
    bad = _overlapping_placements(ctx).filter(
        pl.col("PLACE").is_in(DOLO_BARRED_PLACES).fill_null(False)
    )
    return {"dolo": rows_of(ctx.t("dolo"), bad), "episodes": rows_of(ctx.t("episodes"), bad["_e"])}
