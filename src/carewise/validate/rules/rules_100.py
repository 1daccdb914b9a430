"""DfE 903 validation rules 100-199: codes, dates and the OC2/OC3/AD1 cohort rules.

One function per DfE rule, named ``rule_<code>``; its docstring gives the DfE intent. The DfE's
own message for each year is read from the shipped rule lists (``carewise/codes/validation_rules``).
Valid codes per field and year come from ``carewise.codes.lists.valid_codes``: where the DfE
changed a code list (SEX 1/2 → M/F/U in 2024-25, PLACE gaining K3 in 2024-25 and Z11-Z14 in
2025-26) the rule reads that year's list; where the DfE changed a rule's logic the code is
registered twice with disjoint years.

The helpers at the top (code and date checks, "looked after continuously for 12 months",
earlier years' tables) are shared with ``rules_200``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from carewise.codes import ADOPTED, SHORT_BREAKS, TEMPORARY_PLACEMENTS
from carewise.codes.lists import sex_code, valid_codes
from carewise.returns.model import ROW, Return
from carewise.returns.years import CollectionYear, birthday_expr
from carewise.validate.engine import Context, Failures, Skip, failing_rows, rule, same_child

# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------

OC2_ITEMS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)
"""The OC2 items about children looked after continuously for 12 months (SDQ aside)."""

OC3_ITEMS = ("IN_TOUCH", "ACTIV", "ACCOM")
AD1_ITEMS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


def codes(field: str, year: CollectionYear) -> list[str]:
    """The DfE's valid codes for ``field`` in the collection year, as a sorted list for ``is_in``."""
    return sorted(valid_codes(field, year))


def male_code(year: CollectionYear) -> str | None:
    """SEX code for male in the year (1 until 2023-24, M from 2024-25; DfE rule 101)."""
    return sex_code("M", year)


def female_code(year: CollectionYear) -> str | None:
    """SEX code for female in the year (2 until 2023-24, F from 2024-25)."""
    return sex_code("F", year)


def filled(col: str) -> pl.Expr:
    """A cell holds something (not null, not blank)."""
    return pl.col(col).is_not_null() & (pl.col(col).cast(pl.String).str.strip_chars() != "")


def with_raw(ctx: Context, table: str, columns: Iterable[str]) -> pl.DataFrame:
    """The typed frame plus the raw text of ``columns`` as ``<col>__raw`` (same rows, same order)."""
    typed = ctx.t(table)
    raw = ctx.raw(table)
    cols = [c for c in columns if c in raw.columns]
    return typed.with_columns([raw[c].alias(f"{c}__raw") for c in cols])


def given(col: str) -> pl.Expr:
    """A date column was written in the file (valid date or not); needs :func:`with_raw`."""
    return filled(f"{col}__raw")


def invalid_code(ctx: Context, table: str, field: str, *, required: bool) -> pl.DataFrame:
    """Rows whose ``field`` is not one of the year's valid codes (blank fails only if required)."""
    frame = ctx.t(table)
    bad = ~pl.col(field).is_in(codes(field, ctx.year))
    bad = pl.col(field).is_null() | bad if required else pl.col(field).is_not_null() & bad
    return failing_rows(frame, bad)


def invalid_date(ctx: Context, table: str, field: str, *, required: bool) -> pl.DataFrame:
    """Rows whose ``field`` is written but is not a date (or, if required, is blank)."""
    frame = with_raw(ctx, table, [field])
    unreadable = given(field) & pl.col(field).is_null()
    bad = pl.col(field).is_null() if required else unreadable
    return failing_rows(frame, bad)



def _shared(ctx: Context, key: str, build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    share = getattr(ctx, "shared", None)
    if share is None:
        return build()
    return share(key, build)


def continuously_looked_after(ctx: Context) -> pl.DataFrame:
    """Per child in this year's episodes: ``CLA`` true if looked after continuously for 12 months.

    DfE definition (903 validation guide, <CONTINUOUSLY_LOOKED_AFTER>): the child was looked after
    during the year and no episode shows a break: no episode starting a period of care (RNE 'S')
    after 1 April, no episode ending the period of care (REC not 'X1') during the year, and no
    short-break episode (LS V3/V4) during the year. "During the year" includes 31 March: a child
    whose care ceased on 31 March is not looked after at 31 March, so is not in the OC2 cohort
    ("looked after continuously for at least 12 months at 31 March").
    """

    def build() -> pl.DataFrame:
        eps = ctx.t("episodes")
        start, end = ctx.collection_start, ctx.collection_end
        decom, dec = pl.col("DECOM"), pl.col("DEC")
        during = (decom <= end) & ((dec >= start) | dec.is_null())
        enters = (pl.col("RNE") == "S") & (decom > start) & (decom <= end)
        leaves = pl.col("REC").ne_missing("X1") & (dec >= start) & (dec <= end)
        short_break = pl.col("LS").is_in(SHORT_BREAKS) & during
        breaks = (enters | leaves | short_break).fill_null(False)
        return (
            eps.filter(pl.col("CHILD").is_not_null())
            .group_by("CHILD")
            .agg(during.fill_null(False).any().alias("_in_year"), breaks.any().alias("_broken"))
            .select("CHILD", (pl.col("_in_year") & ~pl.col("_broken")).alias("CLA"))
        )

    return _shared(ctx, "rules_100.cla", build)


def with_cla(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with a ``CLA`` column (false for children without episodes)."""
    return frame.join(continuously_looked_after(ctx), on="CHILD", how="left").with_columns(
        pl.col("CLA").fill_null(False)
    )


def oc2_with_cla(ctx: Context) -> pl.DataFrame:
    """This year's OC2 rows with ``CLA`` (:func:`with_cla`), built once per run for the OC2 rules."""
    return _shared(ctx, "rules_100.oc2_cla", lambda: with_cla(ctx, ctx.t("oc2")))


def child_rows(frame: pl.DataFrame, children: pl.DataFrame | pl.Series) -> pl.DataFrame:
    """Rows of ``frame`` for the given children (none asked for: no look at ``frame``)."""
    ids = children["CHILD"] if isinstance(children, pl.DataFrame) else children
    if ids.is_empty():
        return frame.clear()
    return frame.filter(pl.col("CHILD").is_in(ids.unique().drop_nulls().implode()))


def rows_of(frame: pl.DataFrame, rows: pl.DataFrame | pl.Series) -> pl.DataFrame:
    """Rows of ``frame`` whose ``_row`` is in ``rows`` (a Series, or a frame with ``_row``); most
    rules find no failing row, so an empty ``rows`` returns at once."""
    ids = rows[ROW] if isinstance(rows, pl.DataFrame) else rows
    if ids.is_empty():
        return frame.clear()
    return frame.filter(pl.col(ROW).is_in(ids.unique().drop_nulls().implode()))


def earlier_table(ctx: Context, name: str) -> pl.DataFrame:
    """Every stored earlier year's rows of a table, with ``_year`` (collection start year).

    Rules that compare with "what is already recorded" use all years carewise holds, not only
    last year; raises :class:`Skip` when no earlier year has the table.
    """
    returns = dict(ctx.earlier)
    if ctx.previous is not None:
        returns.setdefault(ctx.previous.year, ctx.previous)
    frames = [
        ret.table(name).with_columns(pl.lit(y.start_year).alias("_year"))
        for y, ret in returns.items()
        if y < ctx.year and ret.has(name)
    ]
    if not frames:
        raise Skip(
            "no earlier year's return is available (use --previous, or import last year first)"
        )
    return pl.concat(frames, how="diagonal_relaxed")


def latest_earlier(ctx: Context, name: str) -> pl.DataFrame:
    """One row per child: the most recent earlier year's row of a one-row-per-child table (built
    once per run and table)."""

    def build() -> pl.DataFrame:
        frame = earlier_table(ctx, name).filter(pl.col("CHILD").is_not_null())
        return frame.sort(["_year", ROW]).group_by("CHILD", maintain_order=True).last()

    return _shared(ctx, f"rules_100.latest_earlier:{name}", build)


def uasc_flags(ctx: Context, ret: Return) -> pl.DataFrame | None:
    """CHILD → UASC ('1'/'0') for a return of the run (this year's or an earlier one), or None when
    the return does not say; built once per run and return.

    XML returns carry a UASC flag in the header; CSV returns list UASC children in the UASC table
    (a child with any UASC detail besides the date of birth counts as UASC that year).
    """
    key = f"rules_100.uasc_flags:{ret.year.label}:{id(ret)}"  # the run's returns live as long as ctx
    return _shared(ctx, key, lambda: _uasc_flags(ret))  # type: ignore[arg-type,return-value]


def _uasc_flags(ret: Return) -> pl.DataFrame | None:
    header = ret.table("header") if ret.has("header") else None
    if header is not None and "UASC" in header.columns and header["UASC"].is_not_null().any():
        return header.select("CHILD", pl.col("UASC").fill_null("0")).unique("CHILD")
    if not ret.has("uasc"):
        return None
    uasc = ret.table("uasc")
    listed = uasc.filter(pl.col("SEX").is_not_null() | pl.col("DUC").is_not_null())["CHILD"]
    children = uasc.select("CHILD")
    if header is not None:
        children = pl.concat([header.select("CHILD"), children]).unique()
    return children.drop_nulls().with_columns(
        pl.when(pl.col("CHILD").is_in(listed.implode()))
        .then(pl.lit("1"))
        .otherwise(pl.lit("0"))
        .alias("UASC")
    )


def placement_fields(ctx: Context) -> pl.DataFrame:
    """This year's episodes, row for row, with the DfE's postcode-derived PL_DISTANCE, PL_LA and
    PL_LOCATION (PL_LA null when the placement postcode does not resolve)."""
    try:
        from carewise.validate.postcodes import episodes_with_placement_fields
    except ImportError:  # pragma: no cover - depends on the engine's postcode module
        raise Skip("placement postcodes cannot be looked up in this installation") from None
    return episodes_with_placement_fields(ctx)


def _eps_sorted(ctx: Context) -> pl.DataFrame:
    return ctx.t("episodes").sort(["CHILD", "DECOM", ROW], nulls_last=True)


# ---------------------------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------------------------


@rule(
    "101",
    explanation="The child's sex is blank or not one of the DfE codes for the year.",
    fix="Record SEX as 1 (male) or 2 (female) up to 2023-24, and M, F or U from 2024-25.",
    tables=("header",),
    fields=("SEX",),
)
def rule_101(ctx: Context) -> Failures:
    """SEX must be a valid code: 1/2 until 2023-24, M/F/U from 2024-25 (DfE rule 101)."""
    return invalid_code(ctx, "header", "SEX", required=True)


@rule(
    "102",
    explanation="The date of birth is blank or not a real date.",
    fix="Record DOB as a date in DD/MM/YYYY form.",
    tables=("header",),
    fields=("DOB",),
)
def rule_102(ctx: Context) -> Failures:
    """DOB must be a valid date (DfE rule 102)."""
    return invalid_date(ctx, "header", "DOB", required=True)


@rule(
    "103",
    explanation="The ethnicity is blank or not one of the DfE ethnicity codes.",
    fix="Record ETHNIC as a DfE code such as WBRI, MWBC or NOBT (not yet obtained).",
    tables=("header",),
    fields=("ETHNIC",),
)
def rule_103(ctx: Context) -> Failures:
    """ETHNIC must be present and a valid code (DfE rule 103)."""
    return invalid_code(ctx, "header", "ETHNIC", required=True)


@rule(
    "104",
    explanation="The date UASC status ceased is not a real date, or is before this collection year.",
    fix="Record DUC as a DD/MM/YYYY date within or after this collection year, or leave it blank.",
    tables=("uasc",),
    fields=("DUC",),
)
def rule_104(ctx: Context) -> Failures:
    """If provided, DUC must be a valid date and not before the collection start (DfE rule 104)."""
    frame = with_raw(ctx, "uasc", ["DUC"])
    bad = (given("DUC") & pl.col("DUC").is_null()) | (pl.col("DUC") < ctx.collection_start)
    return failing_rows(frame, bad)


@rule(
    "105",
    explanation="The UASC flag in the header is blank or not 0/1.",
    fix="Record UASC as 1 for an unaccompanied asylum-seeking child, otherwise 0.",
    tables=("header",),
    fields=("UASC",),
)
def rule_105(ctx: Context) -> Failures:
    """UASC must be 0 or 1 (DfE rule 105). Only XML returns carry the UASC flag in the header."""
    if "UASC" not in ctx.raw("header").columns:
        raise Skip("this return's header has no UASC column (CSV returns record UASC separately)")
    ok = pl.col("UASC").is_in(["0", "1"]).fill_null(False)
    return failing_rows(ctx.t("header"), ~ok)


# ---------------------------------------------------------------------------------------------
# Adoption (AD1) and placed for adoption
# ---------------------------------------------------------------------------------------------


@rule(
    "112",
    explanation="The date the child should be placed for adoption is not a real date.",
    fix="Record DATE_INT as a DD/MM/YYYY date, or leave it blank.",
    tables=("ad1",),
    fields=("DATE_INT",),
)
def rule_112(ctx: Context) -> Failures:
    """If provided, DATE_INT must be a valid date (DfE rule 112)."""
    return invalid_date(ctx, "ad1", "DATE_INT", required=False)


@rule(
    "113",
    explanation="The date the child was matched with the adopter(s) is not a real date.",
    fix="Record DATE_MATCH as a DD/MM/YYYY date, or leave it blank.",
    tables=("ad1",),
    fields=("DATE_MATCH",),
)
def rule_113(ctx: Context) -> Failures:
    """If provided, DATE_MATCH must be a valid date (DfE rule 113)."""
    return invalid_date(ctx, "ad1", "DATE_MATCH", required=False)


@rule(
    "114",
    explanation="Whether the child was adopted by former foster carer(s) is not 0 or 1.",
    fix="Record FOSTER_CARE as 1 (adopted by former foster carers) or 0, or leave it blank.",
    tables=("ad1",),
    fields=("FOSTER_CARE",),
)
def rule_114(ctx: Context) -> Failures:
    """If provided, FOSTER_CARE must be 0 or 1 (DfE rule 114)."""
    return invalid_code(ctx, "ad1", "FOSTER_CARE", required=False)


@rule(
    "115",
    explanation="The date of the decision that the child should be placed for adoption is not a real date.",
    fix="Record DATE_PLACED as a DD/MM/YYYY date.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED",),
)
def rule_115(ctx: Context) -> Failures:
    """If provided, DATE_PLACED must be a valid date (DfE rule 115)."""
    return invalid_date(ctx, "placed_for_adoption", "DATE_PLACED", required=False)


@rule(
    "116",
    explanation="The date of the decision that the child should no longer be placed for adoption "
    "is not a real date.",
    fix="Record DATE_PLACED_CEASED as a DD/MM/YYYY date, or leave it blank.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED_CEASED",),
)
def rule_116(ctx: Context) -> Failures:
    """If provided, DATE_PLACED_CEASED must be a valid date (DfE rule 116)."""
    return invalid_date(ctx, "placed_for_adoption", "DATE_PLACED_CEASED", required=False)


@rule(
    "117",
    explanation="A placed-for-adoption decision date is after 31 March, or after the child's "
    "last episode ended.",
    fix="Check DATE_PLACED and DATE_PLACED_CEASED against the collection year and the episodes.",
    tables=("placed_for_adoption", "episodes"),
    fields=("DATE_PLACED", "DATE_PLACED_CEASED", "DEC", "DECOM", "REC"),
)
def rule_117(ctx: Context) -> Failures:
    """DATE_PLACED and DATE_PLACED_CEASED must not be after the collection end or after the DEC of
    the child's latest episode whose REC is not 'X1' (DfE rule 117)."""
    eps = ctx.t("episodes").filter(pl.col("DECOM").is_not_null() & pl.col("REC").ne_missing("X1"))
    latest = eps.select("CHILD", "DECOM", ROW, "DEC").sort(["CHILD", "DECOM", ROW]).group_by(
        "CHILD", maintain_order=True).last()
    p4a = ctx.t("placed_for_adoption").join(
        latest.select("CHILD", pl.col(ROW).alias("_eps_row"), pl.col("DEC").alias("_last_dec")),
        on="CHILD",
        how="left",
    )
    end = ctx.collection_end
    bad = (
        (pl.col("DATE_PLACED") > end)
        | (pl.col("DATE_PLACED_CEASED") > end)
        | (pl.col("DATE_PLACED") > pl.col("_last_dec"))
        | (pl.col("DATE_PLACED_CEASED") > pl.col("_last_dec"))
    )
    failed = failing_rows(p4a, bad)
    return {
        "placed_for_adoption": rows_of(ctx.t("placed_for_adoption"), failed),
        "episodes": rows_of(ctx.t("episodes"), failed["_eps_row"]),
    }


@rule(
    "118",
    explanation="The decision that the child should no longer be placed for adoption is dated "
    "before this collection year or before the child started to be looked after.",
    fix="Check DATE_PLACED_CEASED against 1 April and the first episode's start date.",
    tables=("placed_for_adoption", "episodes"),
    fields=("DATE_PLACED_CEASED", "DECOM", "LS"),
)
def rule_118(ctx: Context) -> Failures:
    """If provided, DATE_PLACED_CEASED must not be before the collection start or the DECOM of the
    child's earliest episode whose LS is not V3/V4 (DfE rule 118)."""
    eps = ctx.t("episodes").filter(
        ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False) & pl.col("DECOM").is_not_null()
    )
    first = eps.sort(["CHILD", "DECOM", ROW]).group_by("CHILD", maintain_order=True).first()
    p4a = ctx.t("placed_for_adoption").join(
        first.select("CHILD", pl.col(ROW).alias("_eps_row"), pl.col("DECOM").alias("_first")),
        on="CHILD",
        how="left",
    )
    ceased = pl.col("DATE_PLACED_CEASED")
    failed = failing_rows(p4a, (ceased < ctx.collection_start) | (ceased < pl.col("_first")))
    return {
        "placed_for_adoption": rows_of(ctx.t("placed_for_adoption"), failed),
        "episodes": rows_of(ctx.t("episodes"), failed["_eps_row"]),
    }


@rule(
    "119",
    explanation="Only one of the date and the reason for no longer placing the child for adoption "
    "is recorded.",
    fix="Record both DATE_PLACED_CEASED and REASON_PLACED_CEASED, or neither.",
    tables=("placed_for_adoption",),
    fields=("DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
)
def rule_119(ctx: Context) -> Failures:
    """DATE_PLACED_CEASED and REASON_PLACED_CEASED must both be provided or both blank (DfE 119)."""
    frame = with_raw(ctx, "placed_for_adoption", ["DATE_PLACED_CEASED"])
    date_given = given("DATE_PLACED_CEASED")
    reason_given = pl.col("REASON_PLACED_CEASED").is_not_null()
    return failing_rows(frame, date_given != reason_given)


@rule(
    "120",
    explanation="The reason the child should no longer be placed for adoption is not a DfE code.",
    fix="Record REASON_PLACED_CEASED as RD1, RD2, RD3 or RD4, or leave it blank.",
    tables=("placed_for_adoption",),
    fields=("REASON_PLACED_CEASED",),
)
def rule_120(ctx: Context) -> Failures:
    """If provided, REASON_PLACED_CEASED must be a valid code (DfE rule 120)."""
    return invalid_code(ctx, "placed_for_adoption", "REASON_PLACED_CEASED", required=False)


# ---------------------------------------------------------------------------------------------
# Care leavers (OC3)
# ---------------------------------------------------------------------------------------------


@rule(
    "131",
    explanation="Whether the care leaver is in touch is blank or not a DfE code.",
    fix="Record IN_TOUCH as YES, NO, DIED, REFU, NREQ or RHOM.",
    tables=("oc3",),
    fields=("IN_TOUCH",),
)
def rule_131(ctx: Context) -> Failures:
    """IN_TOUCH must be a valid code (DfE rule 131)."""
    return invalid_code(ctx, "oc3", "IN_TOUCH", required=True)


@rule(
    "132",
    explanation="The care leaver's activity is blank or not a DfE code.",
    fix="Record ACTIV as a DfE activity code (F1 … G6), or 0 if not in touch.",
    tables=("oc3",),
    fields=("ACTIV",),
)
def rule_132(ctx: Context) -> Failures:
    """ACTIV must be a valid code (DfE rule 132)."""
    return invalid_code(ctx, "oc3", "ACTIV", required=True)


@rule(
    "133",
    explanation="The care leaver's accommodation is blank or not a DfE code.",
    fix="Record ACCOM as a DfE accommodation code (B1 … Z2), or 0 if not in touch.",
    tables=("oc3",),
    fields=("ACCOM",),
)
def rule_133(ctx: Context) -> Failures:
    """ACCOM must be a valid code (DfE rule 133)."""
    return invalid_code(ctx, "oc3", "ACCOM", required=True)


@rule(
    "134",
    explanation="A care leaver (OC3) also has adoption (AD1) details.",
    fix="Remove the adoption details, or the care leaver details, whichever is wrong.",
    tables=("ad1", "oc3"),
    fields=OC3_ITEMS + AD1_ITEMS,
)
def rule_134(ctx: Context) -> Failures:
    """A child with any OC3 item must have no AD1 item (DfE rule 134)."""
    ad1 = with_raw(ctx, "ad1", ["DATE_INT", "DATE_MATCH"])
    has_ad1 = pl.any_horizontal(
        given("DATE_INT"),
        given("DATE_MATCH"),
        *[pl.col(c).is_not_null() for c in AD1_ITEMS[2:]],
    )
    oc3 = ctx.t("oc3").filter(pl.any_horizontal([pl.col(c).is_not_null() for c in OC3_ITEMS]))
    return child_rows(failing_rows(ad1, has_ad1), oc3).select(ctx.t("ad1").columns)


# ---------------------------------------------------------------------------------------------
# Episodes
# ---------------------------------------------------------------------------------------------


@rule(
    "141",
    explanation="The date the episode began is not a real date.",
    fix="Record DECOM as a DD/MM/YYYY date.",
    tables=("episodes",),
    fields=("DECOM",),
)
def rule_141(ctx: Context) -> Failures:
    """DECOM must be a valid date (DfE rule 141)."""
    return invalid_date(ctx, "episodes", "DECOM", required=False)


@rule(
    "142",
    explanation="A later episode has started but this one has no end date or reason.",
    fix="Record DEC and REC on every episode except the child's latest.",
    tables=("episodes",),
    fields=("DEC", "REC"),
)
def rule_142(ctx: Context) -> Failures:
    """Every episode except the child's latest must have DEC and REC (DfE rule 142)."""
    eps = ctx.t("episodes").filter(pl.col("CHILD").is_not_null() & pl.col("DECOM").is_not_null())
    eps = eps.sort(["CHILD", "DECOM", ROW]).with_columns(
        (~same_child(-1)).alias("_last")
    )
    bad = ~pl.col("_last") & (pl.col("DEC").is_null() | pl.col("REC").is_null())
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


@rule(
    "143",
    explanation="The reason for new episode is not a DfE code.",
    fix="Record RNE as S, L, P, T, U or B.",
    tables=("episodes",),
    fields=("RNE",),
)
def rule_143(ctx: Context) -> Failures:
    """If provided, RNE must be a valid code (DfE rule 143)."""
    return invalid_code(ctx, "episodes", "RNE", required=False)


@rule(
    "144",
    explanation="The legal status is not a DfE code.",
    fix="Record LS as a DfE legal status code (C1, C2, E1, V2, V3, V4, J1 …).",
    tables=("episodes",),
    fields=("LS",),
)
def rule_144(ctx: Context) -> Failures:
    """If provided, LS must be a valid code (DfE rule 144)."""
    return invalid_code(ctx, "episodes", "LS", required=False)


@rule(
    "145",
    explanation="The category of need is not a DfE code.",
    fix="Record CIN as N1 to N8.",
    tables=("episodes",),
    fields=("CIN",),
)
def rule_145(ctx: Context) -> Failures:
    """If provided, CIN must be a valid code (DfE rule 145)."""
    return invalid_code(ctx, "episodes", "CIN", required=False)


@rule(
    "146",
    explanation="The placement type is not a DfE code for this year.",
    fix="Record PLACE as one of the year's placement codes (K3 from 2024-25; Z11-Z14 replace Z1, "
    "and H5 and P2 end, from 2025-26).",
    tables=("episodes",),
    fields=("PLACE",),
)
def rule_146(ctx: Context) -> Failures:
    """If provided, PLACE must be a valid code for the year (DfE rule 146; K3 upper case)."""
    return invalid_code(ctx, "episodes", "PLACE", required=False)


@rule(
    "147",
    explanation="The date the episode ceased is not a real date.",
    fix="Record DEC as a DD/MM/YYYY date, or leave it blank for an open episode.",
    tables=("episodes",),
    fields=("DEC",),
)
def rule_147(ctx: Context) -> Failures:
    """If provided, DEC must be a valid date (DfE rule 147)."""
    return invalid_date(ctx, "episodes", "DEC", required=False)


@rule(
    "148",
    explanation="Only one of the date and the reason the episode ceased is recorded.",
    fix="Record both DEC and REC, or leave both blank for an open episode.",
    tables=("episodes",),
    fields=("DEC", "REC"),
)
def rule_148(ctx: Context) -> Failures:
    """DEC and REC must both be provided or both blank (DfE rule 148)."""
    frame = with_raw(ctx, "episodes", ["DEC"])
    return failing_rows(frame, given("DEC") != pl.col("REC").is_not_null())


@rule(
    "149",
    explanation="The reason the episode ceased is not a DfE code.",
    fix="Record REC as a DfE code (X1, E11 … E17).",
    tables=("episodes",),
    fields=("REC",),
)
def rule_149(ctx: Context) -> Failures:
    """If provided, REC must be a valid code (DfE rule 149)."""
    return invalid_code(ctx, "episodes", "REC", required=False)


@rule(
    "151",
    explanation="Some but not all of the adoption (AD1) items are recorded.",
    fix="Complete every AD1 item for an adopted child, or leave them all blank.",
    tables=("ad1",),
    fields=AD1_ITEMS,
)
def rule_151(ctx: Context) -> Failures:
    """AD1 items must be all provided or all blank (DfE rule 151)."""
    frame = with_raw(ctx, "ad1", ["DATE_INT", "DATE_MATCH"])
    present = [given("DATE_INT"), given("DATE_MATCH")] + [
        pl.col(c).is_not_null() for c in AD1_ITEMS[2:]
    ]
    return failing_rows(frame, pl.any_horizontal(present) & ~pl.all_horizontal(present))


@rule(
    "153",
    explanation="Some but not all of the care leaver (OC3) items are recorded.",
    fix="Record IN_TOUCH, ACTIV and ACCOM together, or leave all three blank.",
    tables=("oc3",),
    fields=OC3_ITEMS,
)
def rule_153(ctx: Context) -> Failures:
    """IN_TOUCH, ACTIV and ACCOM must be all provided or all blank (DfE rule 153)."""
    present = [pl.col(c).is_not_null() for c in OC3_ITEMS]
    return failing_rows(ctx.t("oc3"), pl.any_horizontal(present) & ~pl.all_horizontal(present))


# ---------------------------------------------------------------------------------------------
# OC2: children looked after continuously for 12 months
# ---------------------------------------------------------------------------------------------


@rule(
    "157",
    explanation="The child was of SDQ age this year but the reason for no SDQ score says the child "
    "was too young or too old (SDQ1).",
    fix="Record the SDQ score, or the true reason it is missing (SDQ2-SDQ5).",
    tables=("oc2", "episodes"),
    fields=("DOB", "SDQ_REASON"),
)
def rule_157(ctx: Context) -> Failures:
    """A child looked after for 12 months, aged 4+ at 1 April and not over 16 at 31 March, with no
    SDQ score, must not have SDQ_REASON 'SDQ1' (too young/old) (DfE rule 157)."""
    oc2 = oc2_with_cla(ctx)
    bad = (
        pl.col("CLA")
        & (birthday_expr(pl.col("DOB"), 4) <= ctx.collection_start)
        & (birthday_expr(pl.col("DOB"), 16) >= ctx.collection_end)
        & pl.col("SDQ_SCORE").is_null()
        & (pl.col("SDQ_REASON") == "SDQ1")
    )
    return failing_rows(oc2, bad)


@rule(
    "158",
    explanation="The child received an intervention for substance misuse, so whether one was "
    "offered should be blank.",
    fix="Leave INTERVENTION_OFFERED blank when INTERVENTION_RECEIVED is 1.",
    tables=("oc2",),
    fields=("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
)
def rule_158(ctx: Context) -> Failures:
    """If INTERVENTION_RECEIVED is 1, INTERVENTION_OFFERED must be blank (DfE rule 158)."""
    bad = (pl.col("INTERVENTION_RECEIVED") == "1") & pl.col("INTERVENTION_OFFERED").is_not_null()
    return failing_rows(ctx.t("oc2"), bad)


@rule(
    "159",
    explanation="The child has a substance misuse problem and received no intervention, but "
    "whether one was offered is blank.",
    fix="Record INTERVENTION_OFFERED (0 or 1).",
    tables=("oc2",),
    fields=("SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
)
def rule_159(ctx: Context) -> Failures:
    """If SUBSTANCE_MISUSE is 1 and INTERVENTION_RECEIVED is 0, INTERVENTION_OFFERED must be
    provided (DfE rule 159)."""
    bad = (
        (pl.col("SUBSTANCE_MISUSE") == "1")
        & (pl.col("INTERVENTION_RECEIVED") == "0")
        & pl.col("INTERVENTION_OFFERED").is_null()
    )
    return failing_rows(ctx.t("oc2"), bad)


@rule(
    "165",
    explanation="The mother status is invalid, recorded for a boy, or missing for a girl looked "
    "after this year.",
    fix="Record MOTHER as 1 or 0 for every girl looked after this year; leave it blank for boys.",
    tables=("header", "episodes"),
    fields=("MOTHER", "SEX", "ACTIV", "ACCOM", "IN_TOUCH", "DECOM"),
)
def rule_165(ctx: Context) -> Failures:
    """If provided, MOTHER must be 0/1 and the child female; a female child with an episode (not
    a short break) during the year must have MOTHER provided (DfE rule 165)."""
    start, end = ctx.collection_start, ctx.collection_end
    eps = ctx.t("episodes").filter(~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False))
    in_year = eps.group_by("CHILD").agg(
        ((pl.col("DEC").fill_null(end) >= start) & (pl.col("DECOM") <= end))
        .fill_null(False)
        .any()
        .alias("_in_year")
    )
    header = ctx.t("header").join(in_year, on="CHILD", how="inner")
    mother = pl.col("MOTHER")
    bad = (
        (mother.is_not_null() & ~mother.is_in(codes("MOTHER", ctx.year)))
        | (mother.is_not_null() & (pl.col("SEX") == male_code(ctx.year)))
        | (mother.is_null() & (pl.col("SEX") == female_code(ctx.year)) & pl.col("_in_year"))
    )
    failed = failing_rows(header, bad)
    out: dict[str, pl.DataFrame] = {"header": rows_of(ctx.t("header"), failed)}
    if ctx.has("oc3"):
        out["oc3"] = child_rows(ctx.t("oc3"), failed)
    return out


# ---------------------------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------------------------


@rule(
    "166",
    explanation="The review date is blank or not a real date.",
    fix="Record REVIEW as a DD/MM/YYYY date.",
    tables=("reviews",),
    fields=("REVIEW",),
)
def rule_166(ctx: Context) -> Failures:
    """REVIEW must be a valid date (DfE rule 166)."""
    return invalid_date(ctx, "reviews", "REVIEW", required=True)


@rule(
    "167",
    explanation="The child's participation in the review is blank or not a DfE code.",
    fix="Record REVIEW_CODE as PN0 to PN7 for every review.",
    tables=("reviews",),
    fields=("REVIEW_CODE",),
)
def rule_167(ctx: Context) -> Failures:
    """A review (REVIEW provided) needs a valid REVIEW_CODE; with no REVIEW, REVIEW_CODE must be
    blank (DfE rule 167)."""
    frame = with_raw(ctx, "reviews", ["REVIEW"])
    code_ok = pl.col("REVIEW_CODE").is_in(codes("REVIEW_CODE", ctx.year)).fill_null(False)
    ok = (given("REVIEW") & code_ok) | (~given("REVIEW") & pl.col("REVIEW_CODE").is_null())
    return failing_rows(frame, ~ok)


@rule(
    "168",
    explanation="The UPN is not a valid Unique Pupil Number or unknown code.",
    fix="Record a 13-character UPN (letter, 11 digits, then a digit or letter), or UN1-UN5.",
    tables=("header",),
    fields=("UPN",),
)
def rule_168(ctx: Context) -> Failures:
    """If provided, UPN must be a valid UPN format or UN1-UN5 (DfE rule 168)."""
    pattern = r"^(?:[A-HJ-NP-RT-Z][0-9]{12}|[A-HJ-NP-RT-Z][0-9]{11}[A-Z]|UN[1-5])$"
    upn = pl.col("UPN")
    return failing_rows(ctx.t("header"), upn.is_not_null() & ~upn.str.contains(pattern))


@rule(
    "171",
    explanation="The date of birth of the mother's child is not a real date.",
    fix="Record MC_DOB as a DD/MM/YYYY date, or leave it blank.",
    tables=("header",),
    fields=("MC_DOB",),
)
def rule_171(ctx: Context) -> Failures:
    """If provided, MC_DOB must be a valid date (DfE rule 171)."""
    return invalid_date(ctx, "header", "MC_DOB", required=False)


@rule(
    "174",
    explanation="A date of birth of the mother's child is recorded for a male child.",
    fix="Check SEX, or remove MC_DOB.",
    tables=("header",),
    fields=("MC_DOB", "SEX"),
)
def rule_174(ctx: Context) -> Failures:
    """If the child is male (SEX '1' until 2023-24, 'M' from 2024-25), MC_DOB must be blank
    (DfE rule 174)."""
    frame = with_raw(ctx, "header", ["MC_DOB"])
    return failing_rows(frame, (pl.col("SEX") == male_code(ctx.year)) & given("MC_DOB"))


@rule(
    "175",
    explanation="The number of adopters is not 1 or 2.",
    fix="Record NB_ADOPTR as 1 or 2.",
    tables=("ad1",),
    fields=("NB_ADOPTR",),
)
def rule_175(ctx: Context) -> Failures:
    """If provided, NB_ADOPTR must be 1 or 2 (DfE rule 175)."""
    return invalid_code(ctx, "ad1", "NB_ADOPTR", required=False)


@rule(
    "176",
    explanation="The sex of the adopter(s) is not a DfE code.",
    fix="Record SEX_ADOPTR as M1, F1, MM, FF or MF.",
    tables=("ad1",),
    fields=("SEX_ADOPTR",),
)
def rule_176(ctx: Context) -> Failures:
    """If provided, SEX_ADOPTR must be a valid code (DfE rule 176)."""
    return invalid_code(ctx, "ad1", "SEX_ADOPTR", required=False)


@rule(
    "177",
    explanation="The legal status of the adopter(s) is not a DfE code.",
    fix="Record LS_ADOPTR as L0, L11, L12, L2, L3 or L4.",
    tables=("ad1",),
    fields=("LS_ADOPTR",),
)
def rule_177(ctx: Context) -> Failures:
    """If provided, LS_ADOPTR must be a valid code (DfE rule 177)."""
    return invalid_code(ctx, "ad1", "LS_ADOPTR", required=False)


def _provider_code_invalid(ctx: Context, no_provider: tuple[str, ...]) -> pl.DataFrame:
    provider = pl.col("PLACE_PROVIDER")
    bad = provider.is_not_null() & (
        ~provider.is_in(codes("PLACE_PROVIDER", ctx.year))
        | pl.col("PLACE").is_in(no_provider).fill_null(False)
    )
    return failing_rows(ctx.t("episodes"), bad)


@rule(
    "178",
    explanation="The placement provider is not a DfE code, or is recorded for a placement type "
    "that has no provider.",
    fix="Record PLACE_PROVIDER as PR0-PR5, and leave it blank for temporary (T0-T4) and other "
    "(Z1) placements.",
    tables=("episodes",),
    fields=("PLACE_PROVIDER",),
    years=(2022, 2024),
)
def rule_178(ctx: Context) -> Failures:
    """If provided, PLACE_PROVIDER must be valid, and blank where PLACE is T0-T4 or Z1
    (DfE rule 178, to 2024-25)."""
    return _provider_code_invalid(ctx, (*TEMPORARY_PLACEMENTS, "Z1"))


@rule(
    "178",
    explanation="The placement provider is not a DfE code, or is recorded for a placement type "
    "that has no provider.",
    fix="Record PLACE_PROVIDER as PR0-PR5, and leave it blank for T0-T3 and Z11-Z14 placements.",
    tables=("episodes",),
    fields=("PLACE_PROVIDER",),
    years=(2025, 2026),
)
def rule_178_from_2025(ctx: Context) -> Failures:
    """If provided, PLACE_PROVIDER must be valid, and blank where PLACE is T0-T3 or Z11-Z14
    (DfE rule 178 from 2025-26, when Z1 was split)."""
    return _provider_code_invalid(ctx, ("T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"))


@rule(
    "180",
    explanation="The SDQ score is not a whole number from 0 to 40.",
    fix="Record SDQ_SCORE as a whole number between 0 and 40, or leave it blank.",
    tables=("oc2",),
    fields=("SDQ_SCORE",),
)
def rule_180(ctx: Context) -> Failures:
    """If provided, SDQ_SCORE must be a whole number 0-40 (DfE rule 180)."""
    score = pl.col("SDQ_SCORE").cast(pl.Float64, strict=False)
    ok = score.is_not_null() & (score == score.floor()) & score.is_between(0, 40)
    return failing_rows(ctx.t("oc2"), pl.col("SDQ_SCORE").is_not_null() & ~ok.fill_null(False))


@rule(
    "181",
    explanation="An OC2 item is recorded as something other than 0 or 1.",
    fix="Record the OC2 items (convicted, health checks, substance misuse …) as 0 or 1.",
    tables=("oc2",),
    fields=OC2_ITEMS,
)
def rule_181(ctx: Context) -> Failures:
    """Each OC2 item, if provided, must be 0 or 1 (DfE rule 181)."""
    bad = [pl.col(c).is_not_null() & ~pl.col(c).is_in(["0", "1"]) for c in OC2_ITEMS]
    return failing_rows(ctx.t("oc2"), pl.any_horizontal(bad))


@rule(
    "182",
    explanation="Some OC2 items are recorded but immunisations, teeth check, health assessment or "
    "substance misuse is blank.",
    fix="Complete immunisations, teeth check, health assessment and substance misuse, or leave "
    "every OC2 item blank.",
    tables=("oc2",),
    fields=OC2_ITEMS,
)
def rule_182(ctx: Context) -> Failures:
    """If any of CONVICTED, HEALTH_CHECK, INTERVENTION_RECEIVED/OFFERED is provided then
    IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT and SUBSTANCE_MISUSE must be (DfE rule 182)."""
    core = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
    other = ("CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")
    bad = pl.any_horizontal([pl.col(c).is_null() for c in core]) & pl.any_horizontal(
        [pl.col(c).is_not_null() for c in other]
    )
    return failing_rows(ctx.t("oc2"), bad)


@rule(
    "184",
    explanation="The decision that the child should be placed for adoption is dated before the "
    "child was born.",
    fix="Check DATE_PLACED and the child's DOB.",
    tables=("placed_for_adoption", "header"),
    fields=("DATE_PLACED", "DOB"),
)
def rule_184(ctx: Context) -> Failures:
    """DATE_PLACED must not be before the child's DOB (DfE rule 184)."""
    dob = ctx.t("header").select("CHILD", pl.col("DOB").alias("_dob")).unique("CHILD")
    frame = ctx.t("placed_for_adoption").join(dob, on="CHILD", how="left")
    failed = failing_rows(frame, pl.col("DATE_PLACED") < pl.col("_dob"))
    return rows_of(ctx.t("placed_for_adoption"), failed)


@rule(
    "185",
    explanation="An SDQ score is recorded for a child not looked after continuously for 12 months.",
    fix="Remove the SDQ score, or check the child's episodes.",
    tables=("oc2", "episodes"),
    fields=("SDQ_SCORE",),
)
def rule_185(ctx: Context) -> Failures:
    """SDQ_SCORE is only for children looked after continuously for 12 months (DfE rule 185)."""
    oc2 = oc2_with_cla(ctx)
    return failing_rows(oc2, pl.col("SDQ_SCORE").is_not_null() & ~pl.col("CLA"))


@rule(
    "186",
    explanation="A child aged 4 to 16 looked after for 12 months has no SDQ score.",
    fix="Record the child's SDQ score.",
    tables=("oc2", "episodes"),
    fields=("SDQ_SCORE",),
)
def rule_186(ctx: Context) -> Failures:
    """Children looked after continuously for 12 months, aged 4+ at 1 April and under 17 at
    31 March, should have an SDQ_SCORE (DfE rule 186) — or the reason there is none: SDQ_REASON
    exists for exactly that (SDQ2 carers refused, SDQ3 disability …; rules 197a/197B)."""
    oc2 = oc2_with_cla(ctx)
    bad = (
        pl.col("CLA")
        & (birthday_expr(pl.col("DOB"), 4) <= ctx.collection_start)
        & (birthday_expr(pl.col("DOB"), 17) > ctx.collection_end)
        & pl.col("SDQ_SCORE").is_null()
        & pl.col("SDQ_REASON").is_null()
    )
    return failing_rows(oc2, bad)


@rule(
    "187",
    explanation="A child looked after continuously for 12 months also has adoption (AD1) or care "
    "leaver (OC3) details.",
    fix="Remove the AD1 or OC3 details, or check the child's episodes.",
    tables=("episodes",),
    fields=OC3_ITEMS + AD1_ITEMS,
)
def rule_187(ctx: Context) -> Failures:
    """A child looked after continuously for 12 months at 31 March must have no AD1 or OC3 item
    (DfE rule 187)."""
    if not (ctx.has("ad1") or ctx.has("oc3")):
        raise Skip("neither the AD1 nor the OC3 table was supplied")
    out: dict[str, pl.DataFrame] = {}
    if ctx.has("ad1"):
        ad1 = with_cla(ctx, with_raw(ctx, "ad1", ["DATE_INT", "DATE_MATCH"]))
        present = [given("DATE_INT"), given("DATE_MATCH")] + [
            pl.col(c).is_not_null() for c in AD1_ITEMS[2:]
        ]
        out["ad1"] = rows_of(
            ctx.t("ad1"), failing_rows(ad1, pl.col("CLA") & pl.any_horizontal(present))
        )
    if ctx.has("oc3"):
        oc3 = with_cla(ctx, ctx.t("oc3"))
        present = [pl.col(c).is_not_null() for c in OC3_ITEMS]
        out["oc3"] = rows_of(
            ctx.t("oc3"), failing_rows(oc3, pl.col("CLA") & pl.any_horizontal(present))
        )
    return out


@rule(
    "188",
    explanation="An SDQ score or reason is recorded for a child under 4 at 31 March.",
    fix="Remove SDQ_SCORE and SDQ_REASON for children under 4.",
    tables=("oc2",),
    fields=("SDQ_REASON", "SDQ_SCORE"),
)
def rule_188(ctx: Context) -> Failures:
    """Children under 4 at the collection end must have no SDQ_SCORE or SDQ_REASON (DfE 188)."""
    sdq = pl.col("SDQ_SCORE").is_not_null() | pl.col("SDQ_REASON").is_not_null()
    return failing_rows(ctx.t("oc2"), (birthday_expr(pl.col("DOB"), 4) > ctx.collection_end) & sdq)


@rule(
    "189",
    explanation="An SDQ score or reason is recorded for a young person 17 or over at 1 April.",
    fix="Remove SDQ_SCORE and SDQ_REASON for young people aged 17 or over.",
    tables=("oc2",),
    fields=("DOB", "SDQ_REASON", "SDQ_SCORE"),
)
def rule_189(ctx: Context) -> Failures:
    """Young people aged 17+ at the collection start must have no SDQ_SCORE or SDQ_REASON
    (DfE rule 189)."""
    sdq = pl.col("SDQ_SCORE").is_not_null() | pl.col("SDQ_REASON").is_not_null()
    return failing_rows(ctx.t("oc2"), (birthday_expr(pl.col("DOB"), 17) <= ctx.collection_start) & sdq)


@rule(
    "190",
    explanation="OC2 items are recorded for a child not looked after continuously for 12 months.",
    fix="Remove the OC2 items, or check the child's episodes.",
    tables=("oc2", "episodes"),
    fields=OC2_ITEMS,
)
def rule_190(ctx: Context) -> Failures:
    """OC2 items are only for children looked after continuously for 12 months (DfE rule 190)."""
    oc2 = oc2_with_cla(ctx)
    present = pl.any_horizontal([pl.col(c).is_not_null() for c in OC2_ITEMS])
    return failing_rows(oc2, ~pl.col("CLA") & present)


@rule(
    "191",
    explanation="A child looked after continuously for 12 months is missing from OC2, or has "
    "immunisations, teeth check, health assessment or substance misuse blank.",
    fix="Complete the child's OC2 row.",
    tables=("oc2", "episodes"),
    fields=("CHILD", "HEALTH_ASSESSMENT", "IMMUNISATIONS", "SUBSTANCE_MISUSE", "TEETH_CHECK"),
)
def rule_191(ctx: Context) -> Failures:
    """Children looked after continuously for 12 months must have IMMUNISATIONS, TEETH_CHECK,
    HEALTH_ASSESSMENT and SUBSTANCE_MISUSE in OC2 (DfE rule 191)."""
    core = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
    oc2 = oc2_with_cla(ctx)
    oc2_bad = failing_rows(
        oc2, pl.col("CLA") & pl.any_horizontal([pl.col(c).is_null() for c in core])
    )
    cla = continuously_looked_after(ctx).filter(pl.col("CLA"))
    missing = cla.filter(~pl.col("CHILD").is_in(ctx.t("oc2")["CHILD"].drop_nulls().implode()))
    first_eps = (
        _eps_sorted(ctx)
        .group_by("CHILD", maintain_order=True)
        .first()
        .filter(pl.col("CHILD").is_in(missing["CHILD"].implode()))
    )
    return {
        "oc2": rows_of(ctx.t("oc2"), oc2_bad),
        "episodes": rows_of(ctx.t("episodes"), first_eps),
    }


@rule(
    "192",
    explanation="The child has a substance misuse problem but whether an intervention was "
    "received is blank.",
    fix="Record INTERVENTION_RECEIVED (0 or 1).",
    tables=("oc2",),
    fields=("INTERVENTION_RECEIVED", "SUBSTANCE_MISUSE"),
)
def rule_192(ctx: Context) -> Failures:
    """If SUBSTANCE_MISUSE is 1, INTERVENTION_RECEIVED must be provided (DfE rule 192)."""
    bad = (pl.col("SUBSTANCE_MISUSE") == "1") & pl.col("INTERVENTION_RECEIVED").is_null()
    return failing_rows(ctx.t("oc2"), bad)


@rule(
    "193",
    explanation="Intervention items are recorded for a child with no substance misuse problem.",
    fix="Leave INTERVENTION_RECEIVED and INTERVENTION_OFFERED blank unless SUBSTANCE_MISUSE is 1.",
    tables=("oc2",),
    fields=("INTERVENTION_OFFERED", "INTERVENTION_RECEIVED", "SUBSTANCE_MISUSE"),
)
def rule_193(ctx: Context) -> Failures:
    """If SUBSTANCE_MISUSE is blank or 0, INTERVENTION_RECEIVED and INTERVENTION_OFFERED must be
    blank (DfE rule 193)."""
    no_misuse = pl.col("SUBSTANCE_MISUSE").is_null() | (pl.col("SUBSTANCE_MISUSE") == "0")
    intervention = (
        pl.col("INTERVENTION_RECEIVED").is_not_null() | pl.col("INTERVENTION_OFFERED").is_not_null()
    )
    return failing_rows(ctx.t("oc2"), no_misuse & intervention)


@rule(
    "196",
    explanation="The reason for no SDQ score is not a DfE code.",
    fix="Record SDQ_REASON as SDQ1 to SDQ5, or leave it blank.",
    tables=("oc2",),
    fields=("SDQ_REASON",),
)
def rule_196(ctx: Context) -> Failures:
    """If provided, SDQ_REASON must be a valid code (DfE rule 196)."""
    return invalid_code(ctx, "oc2", "SDQ_REASON", required=False)


@rule(
    "197a",
    explanation="Both an SDQ score and a reason for no SDQ score are recorded.",
    fix="Remove SDQ_REASON when SDQ_SCORE is recorded.",
    tables=("oc2",),
    fields=("SDQ_REASON", "SDQ_SCORE"),
)
def rule_197a(ctx: Context) -> Failures:
    """SDQ_REASON must be blank when SDQ_SCORE is provided (DfE rule 197a)."""
    bad = pl.col("SDQ_SCORE").is_not_null() & pl.col("SDQ_REASON").is_not_null()
    return failing_rows(ctx.t("oc2"), bad)


@rule(
    "197B",
    explanation="A child who turned 4 or 17 this year, looked after for 12 months, has neither an "
    "SDQ score nor a reason for none.",
    fix="Record SDQ_SCORE, or SDQ_REASON saying why there is none.",
    tables=("oc2", "episodes"),
    fields=("DOB", "SDQ_REASON"),
)
def rule_197B(ctx: Context) -> Failures:  # noqa: N802 - named after the DfE code
    """A child looked after continuously for 12 months whose 4th or 17th birthday falls in the
    collection year needs SDQ_SCORE or SDQ_REASON (DfE rule 197B)."""
    start, end = ctx.collection_start, ctx.collection_end
    oc2 = oc2_with_cla(ctx)
    turns = birthday_expr(pl.col("DOB"), 4).is_between(start, end) | birthday_expr(pl.col("DOB"), 17).is_between(
        start, end
    )
    bad = turns & pl.col("CLA") & pl.col("SDQ_SCORE").is_null() & pl.col("SDQ_REASON").is_null()
    return failing_rows(oc2, bad)


@rule(
    "198",
    explanation="A reason for no SDQ score is recorded for a child not looked after continuously "
    "for 12 months.",
    fix="Remove SDQ_REASON, or check the child's episodes.",
    tables=("oc2", "episodes"),
    fields=("SDQ_REASON",),
)
def rule_198(ctx: Context) -> Failures:
    """SDQ_REASON is only for children looked after continuously for 12 months (DfE rule 198)."""
    oc2 = oc2_with_cla(ctx)
    return failing_rows(oc2, pl.col("SDQ_REASON").is_not_null() & ~pl.col("CLA"))


@rule(
    "199",
    explanation="This child was adopted from care earlier, yet has later episodes under the same "
    "identifier.",
    fix="A child adopted from care who returns needs a new CHILD identifier; check the episodes.",
    tables=("episodes",),
    fields=("CHILD",),
)
def rule_199(ctx: Context) -> Failures:
    """No episode may start after an episode that ended in adoption (REC E11/E12) for the same
    child, in this or any stored earlier year (DfE rule 199)."""
    current = ctx.t("episodes")
    try:
        before = earlier_table(ctx, "episodes").select("CHILD", "DECOM", "REC")
    except Skip:
        before = current.clear().select("CHILD", "DECOM", "REC")
    adoptions = (
        pl.concat([before, current.select("CHILD", "DECOM", "REC")], how="vertical_relaxed")
        .filter(pl.col("REC").is_in(ADOPTED) & pl.col("DECOM").is_not_null())
        .group_by("CHILD")
        .agg(pl.col("DECOM").min().alias("_adopted_decom"))
    )
    frame = current.join(adoptions, on="CHILD", how="left")
    return rows_of(current, failing_rows(frame, pl.col("DECOM") > pl.col("_adopted_decom")))


# ---------------------------------------------------------------------------------------------
# Placement location derived from postcodes (PL_DISTANCE, PL_LA, PL_LOCATION)
# ---------------------------------------------------------------------------------------------


def _unresolved_placement(ctx: Context) -> pl.DataFrame:
    """Episodes (not short breaks) whose placement postcode does not resolve to a place."""
    eps = placement_fields(ctx)
    bad = ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False) & pl.col("PL_LA").is_null()
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


@rule(
    "164",
    explanation="The distance between home and placement cannot be worked out from the postcodes "
    "(or is not between 0 and 999.9 miles).",
    fix="Check HOME_POST and PL_POST are valid postcodes.",
    tables=("episodes",),
    fields=("PL_DISTANCE",),
)
def rule_164(ctx: Context) -> Failures:
    """Unless the child is or was UASC (this year or the two before) or the episode is a short
    break, PL_DISTANCE (derived from HOME_POST and PL_POST) must be between 0.0 and 999.9 miles
    (DfE rule 164). Flagged when postcodes are given but the distance cannot be derived."""
    eps = placement_fields(ctx)
    uasc_children: list[str] = []
    returns = [ctx.current, ctx.previous, *ctx.earlier.values()]
    for ret in returns:
        if ret is None or ret.year < CollectionYear(ctx.year.start_year - 2):
            continue
        flags = uasc_flags(ctx, ret)
        if flags is not None:
            uasc_children += flags.filter(pl.col("UASC") == "1")["CHILD"].to_list()
    distance = pl.col("PL_DISTANCE")
    posted = pl.col("HOME_POST").is_not_null() & pl.col("PL_POST").is_not_null()
    bad = (
        ~pl.col("CHILD").is_in(uasc_children)
        & ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)
        & posted
        & (distance.is_null() | ~distance.is_between(0.0, 999.9)).fill_null(True)
    )
    return rows_of(ctx.t("episodes"), failing_rows(eps, bad))


@rule(
    "169",
    explanation="The council of the placement cannot be found from the placement postcode.",
    fix="Check PL_POST is a valid postcode.",
    tables=("episodes",),
    fields=("PL_LA",),
)
def rule_169(ctx: Context) -> Failures:
    """Unless the episode is a short break, PL_LA (the placement's council, derived from PL_POST)
    must be valid (DfE rule 169)."""
    return _unresolved_placement(ctx)


@rule(
    "179",
    explanation="Whether the placement is inside or outside the council cannot be found from the "
    "placement postcode.",
    fix="Check PL_POST is a valid postcode.",
    tables=("episodes",),
    fields=("PL_LOCATION",),
)
def rule_179(ctx: Context) -> Failures:
    """Unless the episode is a short break, PL_LOCATION (IN/OUT, derived from PL_POST) must be
    valid (DfE rule 179)."""
    return _unresolved_placement(ctx)
