"""DfE 903 validation rules 600-699: adoption completeness, motherhood, previous permanence."""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.codes import SHORT_BREAKS
from carewise.codes.lists import sex_code, valid_codes
from carewise.returns.model import ROW
from carewise.returns.years import CollectionYear, age_expr
from carewise.validate.engine import Context, Failures, failing_rows, rule
from carewise.validate.rules.rules_500 import (
    AD1_FIELDS,
    ADOPTED,
    CHILD,
    first_per_child,
    last_per_child,
    rows_of,
)

PREVIOUS_PERMANENCE_FROM = date(2016, 4, 1)
"""Previous permanence is collected for children starting to be looked after from 1 April 2016."""


def _female(year: CollectionYear) -> str:
    """The SEX code for female in the year ("2" until 2023-24, "F" from 2024-25), from the code list."""
    return sex_code("F", year) or "F"


def _adopted_in_year(ctx: Context) -> pl.DataFrame:
    eps = ctx.t("episodes")
    return eps.filter(
        pl.col("REC").is_in(ADOPTED)
        & (pl.col("DEC") >= ctx.year.start).fill_null(False)
        & (pl.col("DEC") <= ctx.year.end).fill_null(False)
    )


@rule(
    "601",
    explanation="The child was adopted during the year but the adoption details (AD1) are not "
    "all completed.",
    fix="Complete DATE_INT, DATE_MATCH, FOSTER_CARE, NB_ADOPTR, SEX_ADOPTR and LS_ADOPTR.",
    tables=("episodes", "ad1"),
    fields=("REC", *AD1_FIELDS),
)
def rule_601(ctx: Context) -> Failures:
    """An adoption in the year (REC E11/E12) needs every AD1 item for the child."""
    adopted, ad1 = _adopted_in_year(ctx), ctx.t("ad1")
    incomplete = ad1.filter(pl.any_horizontal([pl.col(c).is_null() for c in AD1_FIELDS]))
    complete_children = ad1.join(incomplete.select(ROW), on=ROW, how="anti")[CHILD]
    bad_eps = adopted.filter(~pl.col(CHILD).is_in(complete_children.implode()))
    return {
        "episodes": bad_eps,
        "ad1": incomplete.filter(pl.col(CHILD).is_in(adopted[CHILD].implode())),
    }


@rule(
    "602",
    explanation="Adoption details (AD1) are given but the episodes do not show the child was "
    "adopted during the year.",
    fix="Remove the AD1 record, or check the child's last episode (REC E11 or E12).",
    tables=("ad1", "episodes"),
    fields=("CHILD",),
)
def rule_602(ctx: Context) -> Failures:
    """AD1 items are only reported for children adopted in the year (REC E11/E12)."""
    ad1 = ctx.t("ad1")
    filled = pl.any_horizontal([pl.col(c).is_not_null() for c in AD1_FIELDS])
    return ad1.filter(filled & ~pl.col(CHILD).is_in(_adopted_in_year(ctx)[CHILD].implode()))


@rule(
    "607",
    explanation="A girl ceased to be looked after during the year but whether she is a mother "
    "is not completed.",
    fix="Give MOTHER (0 or 1) in the header.",
    tables=("episodes", "header"),
    fields=("DEC", "REC", "MOTHER", "LS", "SEX"),
)
def rule_607(ctx: Context) -> Failures:
    """A female child ceasing care in the year (not on short breaks V3/V4) needs MOTHER."""
    eps, header = ctx.t("episodes"), ctx.t("header")
    ceased = eps.filter(
        pl.col("REC").is_not_null()
        & (pl.col("REC") != "X1")
        & ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)
        & (pl.col("DEC") >= ctx.year.start).fill_null(False)
        & (pl.col("DEC") <= ctx.year.end).fill_null(False)
    )
    girls = header.filter((pl.col("SEX") == _female(ctx.year)) & pl.col("MOTHER").is_null())
    bad_eps = ceased.filter(pl.col(CHILD).is_in(girls[CHILD].implode()))
    return {
        "episodes": bad_eps,
        "header": girls.filter(pl.col(CHILD).is_in(bad_eps[CHILD].implode())),
    }


@rule(
    "611",
    explanation="The child is a mother but the date of birth of her first child is blank.",
    fix="Give MC_DOB.",
    tables=("header",),
    fields=("MC_DOB", "MOTHER"),
)
def rule_611(ctx: Context) -> Failures:
    """MOTHER 1 needs MC_DOB."""
    raw = ctx.raw("header")
    return rows_of(
        ctx.t("header"),
        raw.filter(
            (pl.col("MOTHER").str.strip_chars() == "1").fill_null(False)
            & pl.col("MC_DOB").is_null()
        ),
    )


@rule(
    "612",
    explanation="A date of birth of a first child is given but the mother field says she is not "
    "a mother.",
    fix="Set MOTHER to 1, or remove MC_DOB.",
    tables=("header",),
    fields=("MC_DOB", "MOTHER", "SEX"),
)
def rule_612(ctx: Context) -> Failures:
    """A female child with MC_DOB must have MOTHER 1."""
    header, raw = ctx.t("header"), ctx.raw("header")
    bad = header.with_columns(raw["MC_DOB"].alias("_mc_dob_text")).filter(
        (pl.col("MOTHER").is_null() | (pl.col("MOTHER") == "0"))
        & (pl.col("SEX") == _female(ctx.year)).fill_null(False)
        & pl.col("_mc_dob_text").is_not_null()
    )
    return rows_of(header, bad)


@rule(
    "620",
    explanation="The child is recorded as a mother but was under 11 at the start of the year.",
    fix="Check MOTHER and the child's DOB.",
    tables=("header",),
    fields=("DOB", "MOTHER"),
)
def rule_620(ctx: Context) -> Failures:
    """A mother must be at least 11 at 1 April of the collection year."""
    header = ctx.t("header")
    return header.filter(
        (pl.col("MOTHER") == "1").fill_null(False)
        & (age_expr(pl.col("DOB"), ctx.year.start) < 11).fill_null(False)
    )


@rule(
    "621",
    explanation="The mother's date of birth is not before her child's.",
    fix="Check DOB and MC_DOB.",
    tables=("header",),
    fields=("DOB", "MC_DOB"),
)
def rule_621(ctx: Context) -> Failures:
    """MC_DOB (the child's own child) must be after the child's DOB."""
    header = ctx.t("header")
    return header.filter((pl.col("MC_DOB") <= pl.col("DOB")).fill_null(False))


@rule(
    "624",
    explanation="The date of birth of the first child differs from last year's return.",
    fix="Check MC_DOB against last year.",
    tables=("header",),
    fields=("MC_DOB",),
    needs_previous=True,
)
def rule_624(ctx: Context) -> Failures:
    """MC_DOB, once reported, stays the same year to year (DfE 624: a date that "contradicts" the
    one recorded last year). A blank MC_DOB contradicts nothing: motherhood details are only
    required in some years (607, 628), and a mother without MC_DOB is rule 611's."""
    last = ctx.last("header").filter(pl.col("MC_DOB").is_not_null())
    header = ctx.t("header")
    merged = header.join(last.select(CHILD, pl.col("MC_DOB").alias("_last")), on=CHILD)
    return rows_of(header, failing_rows(merged, pl.col("MC_DOB") != pl.col("_last")))


@rule(
    "625",
    explanation="The date of birth of the first child is after the end of the year or after the "
    "child ceased to be looked after.",
    fix="Check MC_DOB; only children born while the mother was looked after are recorded.",
    tables=("header", "episodes"),
    fields=("DEC", "MC_DOB"),
)
def rule_625(ctx: Context) -> Failures:
    """MC_DOB must be on or before 31 March and on or before the date the mother left care."""
    header, eps = ctx.t("header"), ctx.t("episodes")
    after_year = header.filter((pl.col("MC_DOB") > ctx.year.end).fill_null(False))
    final = last_per_child(eps, "DECOM").filter(
        pl.col("DEC").is_not_null() & pl.col("REC").ne_missing(pl.lit("X1"))
    )
    merged = final.join(header.select(CHILD, "MC_DOB", pl.col(ROW).alias("_h")), on=CHILD)
    after_care = merged.filter((pl.col("MC_DOB") > pl.col("DEC")).fill_null(False))
    return {
        "header": rows_of(header, pl.concat([after_year[ROW], after_care["_h"]])),
        "episodes": rows_of(eps, after_care),
    }


@rule(
    "626",
    explanation="The child was not a mother last year, but this year's first child was born "
    "before this year started.",
    fix="Check MOTHER and MC_DOB against last year's return.",
    tables=("header",),
    fields=("MC_DOB", "MOTHER"),
    needs_previous=True,
)
def rule_626(ctx: Context) -> Failures:
    """A first child born before 1 April contradicts MOTHER 0 in last year's return."""
    last = ctx.last("header").filter(pl.col("MOTHER") == "0")
    header = ctx.t("header")
    return header.filter(
        (pl.col("MOTHER") == "1").fill_null(False)
        & (pl.col("MC_DOB") < ctx.year.start).fill_null(False)
        & pl.col(CHILD).is_in(last[CHILD].implode())
    )


@rule(
    "628",
    explanation="Motherhood details are given for a care leaver who was not looked after this year.",
    fix="Leave MOTHER blank for care leavers with no episode this year.",
    tables=("header", "episodes", "oc3"),
    fields=("MOTHER",),
)
def rule_628(ctx: Context) -> Failures:
    """MOTHER is only for children looked after in the year, not care leavers reported in OC3 only."""
    header, eps, oc3 = ctx.t("header"), ctx.t("episodes"), ctx.t("oc3")
    leavers = oc3.filter(
        pl.any_horizontal([pl.col(c).is_not_null() for c in ("IN_TOUCH", "ACTIV", "ACCOM")])
    )[CHILD]
    return header.filter(
        pl.col("MOTHER").is_not_null()
        & ~pl.col(CHILD).is_in(eps[CHILD].implode())
        & pl.col(CHILD).is_in(leavers.implode())
    )


# --------------------------------------------------------------------------- previous permanence


@rule(
    "630",
    explanation="The child started to be looked after this year but previous permanence "
    "information is missing.",
    fix="Give PREV_PERM and, unless it is Z1, LA_PERM and DATE_PERM.",
    tables=("episodes", "previous_permanence"),
    fields=("RNE",),
)
def rule_630(ctx: Context) -> Failures:
    """A new period of care (RNE S) in the year needs PREV_PERM; LA_PERM and DATE_PERM unless Z1."""
    eps, prev = ctx.t("episodes"), ctx.t("previous_permanence")
    starts = eps.filter((pl.col("RNE") == "S") & (pl.col("DECOM") >= ctx.year.start))
    merged = starts.join(
        prev.select(CHILD, "PREV_PERM", "LA_PERM", "DATE_PERM"), on=CHILD, how="left"
    )
    absent = ~pl.col(CHILD).is_in(prev[CHILD].implode())
    incomplete = pl.col("PREV_PERM").is_null() | (
        (pl.col("PREV_PERM") != "Z1")
        & (pl.col("LA_PERM").is_null() | pl.col("DATE_PERM").is_null())
    )
    return rows_of(eps, merged.filter(absent | incomplete.fill_null(False)))


@rule(
    "631",
    explanation="The previous permanence option is not a valid code.",
    fix="Use P1, P2, P3, P4 or Z1.",
    tables=("previous_permanence",),
    fields=("PREV_PERM",),
)
def rule_631(ctx: Context) -> Failures:
    """PREV_PERM, when given, is on the DfE list for the year."""
    prev = ctx.t("previous_permanence")
    valid = sorted(valid_codes("PREV_PERM", ctx.year))
    return prev.filter(pl.col("PREV_PERM").is_not_null() & ~pl.col("PREV_PERM").is_in(valid))


def partial_date_latest(col: str) -> tuple[pl.Expr, pl.Expr]:
    """(well-formed, latest possible date) of a DfE partial date: DD/MM/YYYY with ZZ for unknowns.

    DATE_PERM may replace day, month or year by ZZ / ZZZZ when not known. The latest possible
    date gives no false "after DECOM" failure; it is null when the year is unknown.
    """
    text = pl.col(col).str.strip_chars().str.to_uppercase()
    parts = text.str.extract_groups(r"^(\d{2}|ZZ)/(\d{2}|ZZ)/(\d{4}|ZZZZ)$")
    day, month, year = (parts.struct.field(f) for f in ("1", "2", "3"))
    y = pl.when(year == "ZZZZ").then(None).otherwise(year).cast(pl.Int32, strict=False)
    m = pl.when(month == "ZZ").then(12).otherwise(month.cast(pl.Int32, strict=False))
    d = day.cast(pl.Int32, strict=False)
    month_start = pl.date(y.fill_null(2000), m, 1)
    known_day = pl.concat_str(
        [y.fill_null(2000).cast(pl.String), m.cast(pl.String).str.zfill(2), day], separator="-"
    ).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    latest_or_check = pl.when(day == "ZZ").then(month_start.dt.month_end()).otherwise(known_day)
    valid_month = m.is_between(1, 12)
    well_formed = (
        year.is_not_null()
        & valid_month.fill_null(False)
        & (d.is_null() | latest_or_check.is_not_null())
    )
    latest = pl.when(well_formed & y.is_not_null()).then(latest_or_check).otherwise(None)
    return well_formed.fill_null(False), latest


@rule(
    "632",
    explanation="The date of the previous permanence order is not a valid date or is not before "
    "the child started to be looked after.",
    fix="Write DATE_PERM as DD/MM/YYYY (ZZ for an unknown day or month) and before the first DECOM.",
    tables=("previous_permanence", "episodes"),
    fields=("DATE_PERM", "DECOM"),
)
def rule_632(ctx: Context) -> Failures:
    """DATE_PERM, when given, is a (partial) date before the child's first DECOM."""
    prev, eps = ctx.t("previous_permanence"), ctx.t("episodes")
    well_formed, latest = partial_date_latest("DATE_PERM")
    checked = prev.filter(pl.col("DATE_PERM").is_not_null()).with_columns(
        well_formed.alias("_ok"), latest.alias("_latest")
    )
    first = first_per_child(eps, "DECOM")
    merged = checked.join(
        first.select(CHILD, "DECOM", pl.col(ROW).alias("_e")), on=CHILD, how="left"
    )
    bad = merged.filter(~pl.col("_ok") | (pl.col("_latest") >= pl.col("DECOM")).fill_null(False))
    return {"previous_permanence": rows_of(prev, bad), "episodes": rows_of(eps, bad["_e"])}


@rule(
    "633",
    explanation="The local authority where the previous permanence option was arranged is not "
    "a valid code.",
    fix="Use the three-digit local authority code, or WAL, SCO, NIR, NUK, or 999 if not known.",
    tables=("previous_permanence",),
    fields=("LA_PERM",),
)
def rule_633(ctx: Context) -> Failures:
    """LA_PERM, when given, is a DfE local authority code (or WAL/SCO/NIR/NUK/999)."""
    prev = ctx.t("previous_permanence")
    valid = sorted(valid_codes("LA_PERM", ctx.year))
    return prev.filter(pl.col("LA_PERM").is_not_null() & ~pl.col("LA_PERM").is_in(valid))


@rule(
    "634",
    explanation="Previous permanence details are given but the child has not started to be "
    "looked after since 1 April 2016.",
    fix="Remove the previous permanence details for this child.",
    tables=("previous_permanence", "episodes"),
    fields=("DATE_PERM", "DECOM", "LA_PERM", "PREV_PERM"),
)
def rule_634(ctx: Context) -> Failures:
    """PREV_PERM, LA_PERM and DATE_PERM are only for care starting on or after 1 April 2016."""
    prev, eps = ctx.t("previous_permanence"), ctx.t("episodes")
    given = pl.any_horizontal(
        [pl.col(c).is_not_null() for c in ("PREV_PERM", "LA_PERM", "DATE_PERM")]
    )
    latest_start = eps.group_by(CHILD).agg(pl.col("DECOM").max().alias("_latest"))
    bad = (
        prev.filter(given)
        .join(latest_start, on=CHILD)
        .filter((pl.col("_latest") < PREVIOUS_PERMANENCE_FROM).fill_null(False))
    )
    return {
        "previous_permanence": rows_of(prev, bad),
        "episodes": eps.filter(pl.col(CHILD).is_in(bad[CHILD].implode())),
    }


@rule(
    "635",
    explanation="A date and local authority of a previous permanence order are given but the "
    "previous permanence code is Z1 (none) or blank.",
    fix="Give the previous permanence option (P1-P4), or remove LA_PERM and DATE_PERM.",
    tables=("previous_permanence",),
    fields=("DATE_PERM", "LA_PERM", "PREV_PERM"),
)
def rule_635(ctx: Context) -> Failures:
    """LA_PERM or DATE_PERM given needs a previous permanence option other than Z1."""
    prev = ctx.t("previous_permanence")
    return prev.filter(
        (pl.col("LA_PERM").is_not_null() | pl.col("DATE_PERM").is_not_null())
        & (pl.col("PREV_PERM").is_null() | (pl.col("PREV_PERM") == "Z1"))
    )
