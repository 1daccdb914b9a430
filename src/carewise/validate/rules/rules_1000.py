"""DfE 903 validation rules 1000-1016 and 3001: care leavers (OC3), missing periods, URNs.

One function per DfE rule, named ``rule_<code>``; its docstring gives the DfE intent. The DfE's
own message per year comes from the shipped rule lists. Rules that look back in time use every
earlier year carewise holds (``ctx.previous`` and ``ctx.earlier``), not only last year, and only
judge children whose relevant history those years cover, so they do not guess.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.codes import (
    ADOPTED,
    FOSTER_PLACEMENTS,
    PLACED_FOR_ADOPTION,
    SHORT_BREAKS,
    URN_NOT_KNOWN,
)
from carewise.codes.lists import valid_codes
from carewise.returns.model import ROW
from carewise.returns.years import age_expr, birthday_expr
from carewise.validate.engine import Context, Skip, failing_rows, rule

OC3_ITEMS = ("IN_TOUCH", "ACTIV", "ACCOM")


def _oc3_filled() -> pl.Expr:
    """Any care-leaver item (IN_TOUCH, ACTIV, ACCOM) is completed."""
    return pl.any_horizontal([pl.col(c).is_not_null() for c in OC3_ITEMS])



def _with_raw(ctx: Context, table: str, col: str) -> pl.DataFrame:
    return ctx.t(table).with_columns(ctx.raw(table)[col].alias(f"{col}__raw"))


def _written(col: str) -> pl.Expr:
    raw = pl.col(f"{col}__raw")
    return raw.is_not_null() & (raw.str.strip_chars() != "")


def _oc3_with_dob(ctx: Context) -> pl.DataFrame:
    """OC3 rows with the child's DOB (the OC3 DOB, else the header's), built once per run."""
    return ctx.shared("rules_1000.oc3_dob", lambda: _build_oc3_with_dob(ctx))  # type: ignore[return-value]


def _build_oc3_with_dob(ctx: Context) -> pl.DataFrame:
    oc3 = ctx.t("oc3")
    if ctx.has("header"):
        dob = ctx.t("header").filter(pl.col("CHILD").is_not_null()).unique("CHILD", keep="first")
        oc3 = oc3.join(
            dob.select("CHILD", pl.col("DOB").alias("_HDOB")),
            on="CHILD",
            how="left",
            maintain_order="left",
        ).with_columns(pl.coalesce("DOB", "_HDOB").alias("DOB"))
    return oc3


def all_episodes(ctx: Context) -> tuple[pl.DataFrame, date | None]:
    """This year's episodes and every earlier year's, one row per (CHILD, DECOM), latest year winning.

    Also returns the first day the held returns cover (None when only this year is held).
    """

    def build() -> tuple[pl.DataFrame, date | None]:
        years = {y: r for y, r in ctx.earlier.items() if y < ctx.year and r.has("episodes")}
        if ctx.previous is not None and ctx.previous.has("episodes"):
            years.setdefault(ctx.previous.year, ctx.previous)
        cols = ["CHILD", "DECOM", "DEC", "RNE", "REC", "LS"]
        frames = [
            ctx.t("episodes").select(cols).with_columns(pl.lit(ctx.year.start_year).alias("_year"))
        ]
        for y, ret in years.items():
            frames.append(
                ret.table("episodes").select(cols).with_columns(pl.lit(y.start_year).alias("_year"))
            )
        eps = (
            pl.concat(frames, how="vertical_relaxed")
            .filter(pl.col("CHILD").is_not_null() & pl.col("DECOM").is_not_null())
            .sort("_year", descending=True)
            .unique(["CHILD", "DECOM"], keep="first", maintain_order=True)
        )
        covered = min(years).start if years else None
        return eps, covered

    return ctx.shared("rules_1000.all_episodes", build)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# 1000-1003
# ---------------------------------------------------------------------------------------------


@rule(
    "1000",
    explanation="A young person recorded as having died while looked after cannot be a care leaver, "
    "so the care leaver (OC3) items must be blank.",
    fix="Check the episode's reason ceased (E2 = died) and remove the child's OC3 information, or correct "
    "the reason the episode ended.",
    tables=("oc3", "episodes"),
    fields=OC3_ITEMS,
)
def rule_1000(ctx: Context) -> pl.DataFrame:
    """Child died in care (an episode ending E2, this year or any earlier year held) but has OC3 data."""
    eps, _ = all_episodes(ctx)
    died = eps.filter(pl.col("REC") == "E2").get_column("CHILD").unique().implode()
    return failing_rows(ctx.t("oc3"), pl.col("CHILD").is_in(died) & _oc3_filled())


@rule(
    "1001",
    explanation="Care leaver information is only for relevant or former relevant children: looked after "
    "for at least 13 weeks after their 14th birthday, including some time after their 16th birthday, "
    "and not adopted.",
    fix="Check the young person's episodes of care since their 14th birthday; if they were not looked after "
    "long enough, remove their OC3 row.",
    tables=("oc3", "episodes"),
    fields=OC3_ITEMS,
    needs_previous=True,
)
def rule_1001(ctx: Context) -> pl.DataFrame:
    """OC3 child who is not a (former) relevant child: under 91 days in care since age 14, none after 16,
    or whose last episode ended in adoption. Judged only when the held returns cover every day since
    the young person's 14th birthday (short breaks V3/V4 do not count)."""
    eps, covered = all_episodes(ctx)
    if covered is None:
        raise Skip(
            "earlier years' episodes are needed (use --previous, or import earlier years first)"
        )
    oc3 = _oc3_with_dob(ctx).with_columns(
        birthday_expr(pl.col("DOB"), 14).alias("_D14"), birthday_expr(pl.col("DOB"), 16).alias("_D16")
    )
    end = ctx.collection_end
    care = (
        eps.filter(~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False))
        .join(oc3.select("CHILD", "_D14", "_D16").unique("CHILD"), on="CHILD", how="inner")
        .with_columns(pl.coalesce("DEC", pl.lit(end)).alias("_END"))
        .with_columns(
            (pl.col("_END") - pl.max_horizontal("DECOM", "_D14"))
            .dt.total_days()
            .clip(0)
            .alias("_AFTER14"),
            (pl.col("_END") - pl.max_horizontal("DECOM", "_D16"))
            .dt.total_days()
            .clip(0)
            .alias("_AFTER16"),
        )
        .group_by("CHILD")
        .agg(pl.col("_AFTER14").sum(), pl.col("_AFTER16").sum())
    )
    last = (
        eps.sort("DECOM").group_by("CHILD").last().select("CHILD", pl.col("REC").alias("_LAST_REC"))
    )
    frame = (
        oc3.join(care, on="CHILD", how="left", maintain_order="left")
        .join(last, on="CHILD", how="left", maintain_order="left")
        .with_columns(pl.col("_AFTER14").fill_null(0), pl.col("_AFTER16").fill_null(0))
    )
    not_relevant = (pl.col("_AFTER14") < 91) | (pl.col("_AFTER16") < 1)
    adopted = pl.col("_LAST_REC").is_in(ADOPTED)
    judged = pl.col("_D14") >= pl.lit(covered)
    return failing_rows(frame, _oc3_filled() & ((judged & not_relevant) | adopted))


@rule(
    "1002",
    explanation="A young person with care leaver information must have been looked after: no episode of "
    "care in any year means they are not a care leaver of this council.",
    fix="Check the young person's identifier matches their episodes in earlier returns; remove the OC3 row "
    "if they were never looked after.",
    tables=("oc3", "episodes"),
    fields=OC3_ITEMS,
    needs_previous=True,
)
def rule_1002(ctx: Context) -> pl.DataFrame:
    """OC3 child with no episode this year or in any earlier year held. Judged only when the held returns
    reach back to the young person's 16th birthday (a care leaver was looked after after that birthday)."""
    eps, covered = all_episodes(ctx)
    if covered is None:
        raise Skip(
            "earlier years' episodes are needed (use --previous, or import earlier years first)"
        )
    with_eps = eps.get_column("CHILD").unique().implode()
    oc3 = _oc3_with_dob(ctx)
    judged = birthday_expr(pl.col("DOB"), 16) >= pl.lit(covered)
    return failing_rows(oc3, ~pl.col("CHILD").is_in(with_eps) & judged & _oc3_filled())


@rule(
    "1003",
    explanation="The decision that a child should be placed for adoption is made while the child is looked "
    "after, so it cannot be dated before the child's first episode starting a period of care.",
    fix="Check the date of the decision to place for adoption (DATE_PLACED) and the start of care (DECOM "
    "of the episode with RNE S).",
    tables=("episodes", "placed_for_adoption"),
    fields=("DATE_PLACED", "DECOM", "RNE"),
)
def rule_1003(ctx: Context) -> dict[str, pl.DataFrame]:
    """DATE_PLACED earlier than DECOM of the child's first episode with RNE 'S' in the year."""
    eps = ctx.t("episodes")
    first_s = (
        eps.filter((pl.col("RNE") == "S") & pl.col("DECOM").is_not_null())
        .sort(["CHILD", "DECOM", ROW])
        .group_by("CHILD", maintain_order=True)
        .first()
        .select("CHILD", pl.col("DECOM").alias("_START"), pl.col(ROW).alias("_EP_ROW"))
    )
    placed = ctx.t("placed_for_adoption").join(first_s, on="CHILD", how="inner")
    bad = failing_rows(placed, pl.col("DATE_PLACED") < pl.col("_START"))
    ep_rows = bad.get_column("_EP_ROW").implode()
    return {
        "placed_for_adoption": bad.select(ROW, "CHILD"),
        "episodes": eps.filter(pl.col(ROW).is_in(ep_rows)),
    }


# ---------------------------------------------------------------------------------------------
# 1004-1009: missing periods, URN, reason for placement change
# ---------------------------------------------------------------------------------------------


@rule(
    "1004",
    explanation="Every missing or away-from-placement period needs the date it started, written as a "
    "real date (DD/MM/YYYY).",
    fix="Enter the start date of the missing/away period as DD/MM/YYYY.",
    tables=("missing",),
    fields=("MIS_START",),
)
def rule_1004(ctx: Context) -> pl.DataFrame:
    """MIS_START blank or not a valid date."""
    return failing_rows(ctx.t("missing"), pl.col("MIS_START").is_null())


@rule(
    "1005",
    explanation="When the end date of a missing or away-from-placement period is given it must be a real "
    "date (blank is allowed while the child is still missing).",
    fix="Write the end date as DD/MM/YYYY, or leave it blank if the child has not returned.",
    tables=("missing",),
    fields=("MIS_END",),
)
def rule_1005(ctx: Context) -> pl.DataFrame:
    """MIS_END written but not a valid date."""
    frame = _with_raw(ctx, "missing", "MIS_END")
    return failing_rows(frame, _written("MIS_END") & pl.col("MIS_END").is_null())


@rule(
    "1006",
    explanation="The type of a missing period must be M (missing: whereabouts unknown) or A (away from "
    "placement without authorisation).",
    fix="Use M or A in the MISSING column.",
    tables=("missing",),
    fields=("MISSING",),
)
def rule_1006(ctx: Context) -> pl.DataFrame:
    """MISSING given but not a valid code for the year."""
    ok = sorted(valid_codes("MISSING", ctx.year))
    return failing_rows(
        ctx.t("missing"), pl.col("MISSING").is_not_null() & ~pl.col("MISSING").is_in(ok)
    )


def _oc3_17_18(ctx: Context) -> pl.DataFrame:
    """OC3 rows of young people aged 17 or 18 at 31 March, with the birthday they had in the year."""
    end = ctx.collection_end
    oc3 = _oc3_with_dob(ctx).with_columns(age_expr(pl.col("DOB"), end).alias("_AGE"))
    oc3 = oc3.filter(pl.col("_AGE").is_between(17, 18))
    return oc3.with_columns(birthday_expr(pl.col("DOB"), pl.col("_AGE")).alias("_BDAY"))


def _episodes_by_child(ctx: Context) -> pl.DataFrame:
    return ctx.t("episodes").select("CHILD", "DECOM", "DEC").filter(pl.col("CHILD").is_not_null())


@rule(
    "1007",
    explanation="Care leaver information about a 17th or 18th birthday is only for young people who had "
    "left care by that birthday; someone still looked after on the birthday is not yet a care leaver.",
    fix="Leave IN_TOUCH, ACTIV and ACCOM blank for young people looked after on their 17th/18th birthday.",
    tables=("oc3", "episodes"),
    fields=OC3_ITEMS,
)
def rule_1007(ctx: Context) -> pl.DataFrame:
    """Aged 17-18 at 31 March, looked after on the 17th/18th birthday in the year, OC3 items completed."""
    oc3 = _oc3_17_18(ctx)
    joined = oc3.join(_episodes_by_child(ctx), on="CHILD", how="inner")
    in_care = (pl.col("DECOM") <= pl.col("_BDAY")) & (
        pl.col("DEC").is_null() | (pl.col("DEC") > pl.col("_BDAY"))
    )
    bad = joined.filter(in_care.fill_null(False) & _oc3_filled()).get_column(ROW).unique().implode()
    return oc3.filter(pl.col(ROW).is_in(bad))


@rule(
    "1008",
    explanation="A placement's Ofsted unique reference number (URN) must be one Ofsted has registered "
    "(XXXXXXX when the provider has no URN).",
    fix="Check the URN against Ofsted's lists of children's homes and social care providers; use XXXXXXX "
    "only where the placement has no Ofsted registration.",
    tables=("episodes",),
    fields=("URN",),
    needs_providers=True,
)
def rule_1008(ctx: Context) -> pl.DataFrame:
    """URN given, not XXXXXXX, and not found in Ofsted's provider lists."""
    if ctx.providers is None:
        raise Skip("Ofsted's provider lists were not supplied (use --providers)")
    known = (
        ctx.providers.providers.get_column("URN")
        .cast(pl.String)
        .str.to_uppercase()
        .unique()
        .implode()
    )
    urn = pl.col("URN").cast(pl.String).str.strip_chars()
    return failing_rows(
        ctx.t("episodes"), urn.is_not_null() & (urn != URN_NOT_KNOWN) & ~urn.is_in(known)
    )


@rule(
    "1009",
    explanation="The reason for a placement change must be one of the DfE codes (CARPL, CLOSE, ALLEG, "
    "STAND, APPRR, CREQB, CREQO, CHILD, LAREQ, PLACE, CUSTOD, OTHER).",
    fix="Use one of the DfE codes for the reason the placement changed.",
    tables=("episodes",),
    fields=("REASON_PLACE_CHANGE",),
)
def rule_1009(ctx: Context) -> pl.DataFrame:
    """REASON_PLACE_CHANGE given but not a valid code for the year."""
    ok = sorted(valid_codes("REASON_PLACE_CHANGE", ctx.year))
    col = pl.col("REASON_PLACE_CHANGE")
    return failing_rows(ctx.t("episodes"), col.is_not_null() & ~col.is_in(ok))


# ---------------------------------------------------------------------------------------------
# 1010-1016, 3001
# ---------------------------------------------------------------------------------------------


@rule(
    "1010",
    explanation="A child whose episode was still open at the end of last year must have episodes this "
    "year; care leaver data without them means episodes are missing from this year's return.",
    fix="Add the child's episodes for this year (their open episode continues into it), then check whether "
    "care leaver data is due.",
    tables=("oc3", "episodes"),
    fields=OC3_ITEMS,
    needs_previous=True,
)
def rule_1010(ctx: Context) -> pl.DataFrame:
    """OC3 data for a child with no episodes this year whose last episode last year was still open."""
    last = ctx.last("episodes").filter(
        pl.col("CHILD").is_not_null() & pl.col("DECOM").is_not_null()
    )
    open_at_end = (
        last.sort(["CHILD", "DECOM", ROW])
        .group_by("CHILD", maintain_order=True)
        .last()
        .filter(pl.col("DEC").is_null())
    )
    open_children = open_at_end.get_column("CHILD").implode()
    current = ctx.t("episodes").get_column("CHILD").drop_nulls().unique().implode()
    oc3 = ctx.t("oc3")
    return failing_rows(
        oc3, pl.col("CHILD").is_in(open_children) & ~pl.col("CHILD").is_in(current) & _oc3_filled()
    )


@rule(
    "1011",
    explanation="A child whose care was transferred to another local authority (final episode ended E3) is "
    "that authority's care leaver, not this council's.",
    fix="Remove the OC3 information, or correct the reason the final episode ended.",
    tables=("oc3", "episodes"),
    fields=OC3_ITEMS,
)
def rule_1011(ctx: Context) -> pl.DataFrame:
    """Final episode (latest DECOM) ended with REC 'E3' and OC3 items completed."""
    eps = ctx.t("episodes").filter(pl.col("CHILD").is_not_null())
    final = (
        eps.sort(["CHILD", "DECOM", ROW], nulls_last=False)
        .group_by("CHILD", maintain_order=True)
        .last()
    )
    e3 = final.filter(pl.col("REC") == "E3").get_column("CHILD").implode()
    return failing_rows(ctx.t("oc3"), pl.col("CHILD").is_in(e3) & _oc3_filled())


_NOT_FOR_OC3_ONLY = (
    "placed_for_adoption",
    "missing",
    "reviews",
    "ad1",
    "previous_permanence",
    "oc2",
)


@rule(
    "1012",
    explanation="A young person with no episode of care this year (a care leaver reported in OC3 only) "
    "should have no reviews, missing periods, adoption, previous permanence or OC2 data this year.",
    fix="Either add the child's episodes for the year, or remove the other tables' rows for that child.",
    tables=("episodes",),
    fields=("CHILD",),
)
def rule_1012(ctx: Context) -> dict[str, pl.DataFrame]:
    """Rows of PlacedAdoption, Missing, Reviews, AD1, PrevPerm or OC2 for a child with no episodes this year."""
    with_eps = ctx.t("episodes").get_column("CHILD").drop_nulls().unique().implode()
    out: dict[str, pl.DataFrame] = {}
    for table in _NOT_FOR_OC3_ONLY:
        if ctx.has(table):
            out[table] = failing_rows(
                ctx.t(table), pl.col("CHILD").is_not_null() & ~pl.col("CHILD").is_in(with_eps)
            )
    return out


@rule(
    "1014",
    explanation="UASC details are for children looked after during the year; a care leaver who was not "
    "looked after this year should not have a UASC row.",
    fix="Remove the UASC row for care leavers not looked after this year (or add their episodes).",
    tables=("uasc", "episodes", "oc3"),
    fields=("ACCOM", "ACTIV", "DUC", "IN_TOUCH"),
)
def rule_1014(ctx: Context) -> dict[str, pl.DataFrame]:
    """Child in the UASC table with OC3 items completed and no episode open at any time during the year."""
    start, end = ctx.collection_start, ctx.collection_end
    eps = ctx.t("episodes")
    during = (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") >= start))
    in_year = (
        eps.filter(during.fill_null(False)).get_column("CHILD").drop_nulls().unique().implode()
    )
    leavers = ctx.t("oc3").filter(_oc3_filled() & ~pl.col("CHILD").is_in(in_year))
    uasc = ctx.t("uasc")
    both = uasc.get_column("CHILD").drop_nulls().unique().implode()
    bad_oc3 = leavers.filter(pl.col("CHILD").is_in(both))
    return {
        "uasc": uasc.filter(pl.col("CHILD").is_in(bad_oc3.get_column("CHILD").implode())),
        "oc3": bad_oc3,
    }


_OWN_PROVISION_EXEMPT = (*PLACED_FOR_ADOPTION, *FOSTER_PLACEMENTS)


def _own_provision_outside(ctx: Context, exempt: tuple[str, ...]) -> pl.DataFrame:
    if ctx.la_code is None:
        raise Skip(
            "the council's ONS code was not given (use --la E06000055 or validate stored data)"
        )
    from carewise.validate.postcodes import episodes_with_placement_fields

    eps = episodes_with_placement_fields(ctx)
    checked = (
        (pl.col("PLACE_PROVIDER") == "PR1")
        & pl.col("PLACE").is_not_null()
        & pl.col("LS").is_not_null()
        & ~pl.col("PLACE").is_in(exempt)
        & ~pl.col("LS").is_in(SHORT_BREAKS)
    )
    # PL_LA unknown (postcode blank or not found) is rule 169's business, not an error here.
    return failing_rows(
        eps, checked & pl.col("PL_LA").is_not_null() & (pl.col("PL_LA") != ctx.la_code)
    )


@rule(
    "1015",
    explanation="A placement the council provides itself (PR1) other than fostering or adoption is in the "
    "council's own area; one outside it suggests the provider code or postcode is wrong.",
    fix="Check PLACE_PROVIDER (PR1 = own provision) and the placement postcode (PL_POST).",
    tables=("episodes",),
    fields=("PL_LA", "PLACE_PROVIDER", "PL_POST"),
    years=(2022, 2024),
)
def rule_1015(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER PR1, not foster/adoption (A3-A6, U1-U6), not V3/V4, and PL_LA not the council."""
    return _own_provision_outside(ctx, _OWN_PROVISION_EXEMPT)


@rule(
    "1015",
    explanation="A placement the council provides itself (PR1) other than fostering, adoption or supported "
    "accommodation is in the council's own area; one outside it suggests the provider code or postcode "
    "is wrong.",
    fix="Check PLACE_PROVIDER (PR1 = own provision) and the placement postcode (PL_POST).",
    tables=("episodes",),
    fields=("PL_LA", "PLACE_PROVIDER", "PL_POST"),
    years=(2025, 2026),
)
def rule_1015_from_2025(ctx: Context) -> pl.DataFrame:
    """From 2025-26 registered supported accommodation (K3) is also exempt."""
    return _own_provision_outside(ctx, (*_OWN_PROVISION_EXEMPT, "K3"))


@rule(
    "1016",
    explanation="Care leaver information about a 17th or 18th birthday is not required for a young person "
    "who was still looked after on that birthday and left care afterwards.",
    fix="Leave IN_TOUCH, ACTIV and ACCOM blank for young people who left care after their 17th/18th "
    "birthday this year.",
    tables=("oc3", "episodes"),
    fields=OC3_ITEMS,
)
def rule_1016(ctx: Context) -> pl.DataFrame:
    """Aged 17-18 at 31 March, an episode covering the birthday ceased on or after it, OC3 items completed."""
    oc3 = _oc3_17_18(ctx)
    joined = oc3.join(_episodes_by_child(ctx), on="CHILD", how="inner")
    ceased_after = (pl.col("DECOM") <= pl.col("_BDAY")) & (pl.col("DEC") >= pl.col("_BDAY"))
    bad = (
        joined.filter(ceased_after.fill_null(False) & _oc3_filled())
        .get_column(ROW)
        .unique()
        .implode()
    )
    return oc3.filter(pl.col(ROW).is_in(bad))


@rule(
    "3001",
    explanation="'Staying Put' with former foster carers (accommodation Z) starts at 18, so a young person "
    "reported around their 17th birthday cannot be living with former foster carers.",
    fix="Use the accommodation code that applies at 17 (e.g. still fostered: the young person may not be a "
    "care leaver yet) instead of Z1/Z2.",
    tables=("oc3", "header"),
    fields=("ACCOM", "DOB"),
)
def rule_3001(ctx: Context) -> pl.DataFrame:
    """ACCOM Z1/Z2 for a young person whose 17th birthday falls in the collection year."""
    oc3 = _oc3_with_dob(ctx).with_columns(birthday_expr(pl.col("DOB"), 17).alias("_D17"))
    in_year = pl.col("_D17").is_between(pl.lit(ctx.collection_start), pl.lit(ctx.collection_end))
    return failing_rows(oc3, pl.col("ACCOM").is_in(["Z1", "Z2"]) & in_year)
