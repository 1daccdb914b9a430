"""Who is looked after: numbers, rate, flows in and out, characteristics, placements.

Definitions follow DfE "Children looked after in England including adoptions" (EES methodology
and data guidance; domain.md §1-2). Children looked after under an agreed series of short
breaks (V3/V4) are left out of every figure, as DfE does.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from carewise.benchmarks import under18_population
from carewise.measures import codes, frames
from carewise.measures.definitions.common import (
    AGE,
    ETHNICITY,
    LEGAL,
    NEED,
    SEX,
    UASC,
    before_first_return,
    cla_at,
    how_many,
    memo,
)
from carewise.measures.model import Benchmark, Breakdown, Context, Measure
from carewise.measures.period import add_months
from carewise.measures.registry import declare
from carewise.returns import birthday_expr

DFE_CLA = (
    "DfE 'Children looked after in England including adoptions': children looked after at the "
    "date (an episode open that day), excluding children looked after under an agreed series of "
    "short-term breaks (LS V3/V4)"
)

PLACEMENT_GROUP = Breakdown(
    "placement_group", "Placement (DfE groups)", "placement_group", tuple(codes.PLACEMENT_GROUPS)
)
PLACEMENT_TYPE = Breakdown(
    "placement_type",
    "Placement, foster care by provider",
    "placement_type",
    codes.FOSTER_TYPES + tuple(g for g in codes.PLACEMENT_GROUPS if g != "Foster placements"),
)
REASON = Breakdown("reason", "Reason care ceased", "reason", tuple(codes.CEASED_GROUPS))


def cla_population(ctx: Context) -> pl.DataFrame:
    """Children looked after at the period's end date (DfE: "at 31 March")."""
    return cla_at(ctx)


def cla_6m_population(ctx: Context) -> pl.DataFrame:
    """Children looked after 6 months before the period's end (the panel's 6-month trend)."""
    return cla_at(ctx, add_months(ctx.on, -6))


def cla_12m_population(ctx: Context) -> pl.DataFrame:
    """Children looked after 12 months before the period's end (the 12-month trend)."""
    return cla_at(ctx, add_months(ctx.on, -12))


def under18(ctx: Context) -> tuple[float | None, str]:
    """ONS mid-(Y-1) under-18 population for the year ending 31 March Y, as DfE uses it."""
    mid_year = ctx.period.collection_year.mid_year
    if mid_year in ctx.options.population_override:
        return float(ctx.options.population_override[mid_year]), (
            f"denominator: the council's own under-18 population for mid-{mid_year}"
        )
    if ctx.la_code is None:
        return None, "no council code, so no under-18 population: give --council"
    found = under18_population(ctx.la_code, mid_year)
    if found is None:
        return None, f"no ONS under-18 population shipped for {ctx.la_code}: set an override"
    pop, used = found
    note = f"denominator: ONS mid-{used} estimate of children aged 0-17 ({pop:,})"
    if used != mid_year:
        note += f"; mid-{mid_year} is not published yet, so mid-{used} is used"
    return float(pop), note


def started_population(ctx: Context) -> pl.DataFrame:
    """Children who started to be looked after in the period (first start per child)."""

    def build() -> pl.DataFrame:
        frame = frames.started(ctx.history, ctx.period.start, ctx.period.end)
        duc = frames.table(ctx.history, "uasc").select("CHILD", "DUC").unique("CHILD", keep="last")
        flag = frames.children(ctx.history).select("CHILD", "UASC_FLAG")
        uasc = (pl.col("DUC").is_not_null() & (pl.col("DUC") > pl.col("DECOM"))) | pl.col(
            "UASC_FLAG"
        ).is_in(["1", "Y", "YES", "TRUE"]).fill_null(False)
        return (
            frame.drop("UASC_FLAG")
            .join(duc, on="CHILD", how="left")
            .join(flag, on="CHILD", how="left")
            .with_columns(
                pl.when(uasc)
                .then(pl.lit("UASC"))
                .otherwise(pl.lit("Non-UASC"))
                .alias("uasc_status")
            )
        )

    return memo(ctx, "started", build)


def ceased_population(ctx: Context) -> pl.DataFrame:
    """Children who ceased to be looked after in the period (last ceasing per child)."""
    return memo(ctx, "ceased", lambda: frames.ceased(ctx.history, ctx.period.start, ctx.period.end))


def _ceased_by(reasons: tuple[str, ...]) -> Callable[[Context], pl.DataFrame]:
    def population(ctx: Context) -> pl.DataFrame:
        return ceased_population(ctx).filter(pl.col("REC").is_in(reasons))

    return population


def uasc_population(ctx: Context) -> pl.DataFrame:
    """Children looked after at the date who are unaccompanied asylum-seeking children."""
    return cla_at(ctx).filter(pl.col("uasc"))


def fostered_population(ctx: Context) -> pl.DataFrame:
    """Children in foster care (PLACE U1-U6) at the date."""
    return cla_at(ctx).filter(pl.col("PLACE").is_in(codes.FOSTER))


def mainstream_fostered_population(ctx: Context) -> pl.DataFrame:
    """Children with mainstream foster carers at the date, in-house or agency: PLACE U4-U6
    (not family and friends, U1-U3, who are approved for one child because they know them)
    provided by the council (PR1) or an agency (PR4 private, PR5 voluntary). Other councils'
    carers (PR2) and a provider not recorded are neither, so are left out."""
    return fostered_population(ctx).filter(
        ~pl.col("PLACE").is_in(codes.FAMILY_AND_FRIENDS)
        & pl.col("PLACE_PROVIDER").is_in(codes.IN_HOUSE_PROVIDER + codes.AGENCY_PROVIDERS)
    )


def _target_note(ctx: Context) -> list[str]:
    return [f"target: {ctx.options.foster_in_house_target:.0f}% of children with mainstream foster "
            "carers placed in-house (the placement strategy's basis: family and friends carers and "
            "other councils' carers left out)"]


def placement_authorities(ctx: Context) -> pl.DataFrame:
    """Every placement postcode in the history with the authority containing it (PL_POST, la).

    Resolved once per history through ``carewise.geo`` (ONS postcode directory); partial
    postcodes (sector, district) resolve to the authority of their centroid.
    """
    store = frames.cache_for(ctx.history)
    if "placement_authorities" not in store:
        from carewise.geo import resolve

        posts = frames.care_episodes(ctx.history)["PL_POST"].drop_nulls().unique().sort()
        where = resolve(posts)
        store["placement_authorities"] = pl.DataFrame(
            {"PL_POST": posts, "placement_la": where["la_code"]}
        ).filter(pl.col("placement_la").is_not_null())
    return store["placement_authorities"]


def placed_locality_population(ctx: Context) -> pl.DataFrame:
    """Children looked after at the date whose placement postcode resolves to an authority."""
    frame = cla_at(ctx).join(placement_authorities(ctx), on="PL_POST", how="inner")
    inside = pl.col("placement_la") == ctx.la_code
    return frame.with_columns(
        pl.when(inside)
        .then(pl.lit("Inside the council"))
        .otherwise(pl.lit("Outside the council"))
        .alias("locality")
    )


def _locality_notes(ctx: Context) -> list[str]:
    cla = cla_at(ctx)
    known = placed_locality_population(ctx).height
    unknown = cla.height - known
    if not unknown:
        return []
    return [f"{how_many(unknown, ctx)} placement postcode(s) blank or not found are left out"]


def _need_council(ctx: Context) -> str | None:
    return (
        None if ctx.la_code else "needs the council's code (--council) to tell inside from outside"
    )


def turning_18_population(ctx: Context) -> pl.DataFrame:
    """Children looked after at the date whose 18th birthday falls in the next 6 months."""
    cla = cla_at(ctx)
    eighteenth = birthday_expr(pl.col("DOB"), 18)
    return cla.filter((eighteenth > ctx.on) & (eighteenth <= add_months(ctx.on, 6)))


def time_in_care_population(ctx: Context) -> pl.DataFrame:
    """Children looked after at the date, with days since their period of care began."""
    days = (pl.lit(ctx.on) - pl.col("period_start")).dt.total_days()
    band = (
        pl.when(days < 365)
        .then(pl.lit("Under 1 year"))
        .when(days < 730)
        .then(pl.lit("1 to 2 years"))
        .when(days < 1826)
        .then(pl.lit("2 to 5 years"))
        .otherwise(pl.lit("5 years or more"))
    )
    return cla_at(ctx).with_columns(days.alias("days_in_care"), band.alias("time_band"))


def _trend_available(months: int) -> Callable[[Context], str | None]:
    def check(ctx: Context) -> str | None:
        return before_first_return(ctx, add_months(ctx.on, -months))

    return check


declare(
    Measure(
        id="cla_at_date",
        title="Children looked after",
        section="population",
        kind="count",
        population=cla_population,
        dfe=DFE_CLA,
        description="Children looked after on the last day of the period.",
        breakdowns=(AGE, SEX, ETHNICITY, LEGAL, NEED, UASC, PLACEMENT_GROUP),
        benchmark=Benchmark("cla_31_march", own_only=True),
        headline=True,
        at_date=True,
    ),
    Measure(
        id="cla_rate_per_10k",
        title="Children looked after per 10,000 children",
        section="population",
        kind="rate",
        per=10_000,
        unit="per 10,000 children aged under 18",
        population=cla_population,
        denominator=under18,
        dfe=DFE_CLA + "; rate per 10,000 children aged 0-17, using the ONS mid-(Y-1) estimate for "
        "the year ending 31 March Y",
        description="Children looked after per 10,000 children under 18 living in the council.",
        benchmark=Benchmark("rate_per_10k", published_column="rate_per_10k"),
        headline=True,
        at_date=True,
    ),
    Measure(
        id="cla_6_months_earlier",
        title="Children looked after 6 months earlier",
        section="population",
        kind="count",
        population=cla_6m_population,
        dfe=DFE_CLA,
        description="Children looked after 6 months before the end of the period (trend).",
        available=_trend_available(6),
        at_date=True,
    ),
    Measure(
        id="cla_12_months_earlier",
        title="Children looked after 12 months earlier",
        section="population",
        kind="count",
        population=cla_12m_population,
        dfe=DFE_CLA,
        description="Children looked after 12 months before the end of the period (trend).",
        available=_trend_available(12),
        at_date=True,
    ),
    Measure(
        id="started_in_period",
        title="Children who started to be looked after",
        section="population",
        kind="count",
        population=started_population,
        dfe="DfE: children who started to be looked after during the year (RNE S); only the first "
        "occasion per child in the period is counted; short breaks excluded, so a child whose "
        "care began under short breaks starts on the day the non-short-break episode began",
        description="Children who came into care during the period, by category of need at entry.",
        breakdowns=(NEED, LEGAL, AGE, SEX, UASC),
        benchmark=Benchmark("starts_in_year", own_only=True),
        headline=True,
    ),
    Measure(
        id="started_rate_per_10k",
        title="Starts per 10,000 children",
        section="population",
        kind="rate",
        per=10_000,
        unit="per 10,000 children aged under 18",
        population=started_population,
        denominator=under18,
        dfe="DfE: children starting to be looked after in the year per 10,000 children aged 0-17",
        description="Children who came into care per 10,000 children (compare over 12-month periods).",
        benchmark=Benchmark("starts_rate_per_10k", published_column="starts_rate_per_10k"),
    ),
    Measure(
        id="ceased_in_period",
        title="Children who ceased to be looked after",
        section="population",
        kind="count",
        population=ceased_population,
        dfe="DfE: children who ceased to be looked after during the year (REC other than X1); only "
        "the last occasion per child in the period is counted; short breaks excluded",
        description="Children who left care during the period, by reason.",
        breakdowns=(REASON, AGE, SEX),
        benchmark=Benchmark("ceased_in_year", own_only=True),
        headline=True,
    ),
    Measure(
        id="ceased_rate_per_10k",
        title="Children leaving care per 10,000 children",
        section="population",
        kind="rate",
        per=10_000,
        unit="per 10,000 children aged under 18",
        population=ceased_population,
        denominator=under18,
        dfe="DfE: children ceasing to be looked after in the year per 10,000 children aged 0-17",
        description="Children who left care per 10,000 children (compare over 12-month periods).",
        benchmark=Benchmark("ceased_rate_per_10k", published_column="ceased_rate_per_10k"),
    ),
    Measure(
        id="uasc_at_date",
        title="Unaccompanied asylum-seeking children looked after",
        section="population",
        kind="count",
        population=uasc_population,
        same_as=("cla_at_date", "uasc_status", "UASC"),
        dfe="DfE: children looked after at the date who are unaccompanied asylum-seeking children "
        "(903 UASC table: UASC until DUC; or the header's UASC flag)",
        description="Unaccompanied asylum-seeking children looked after on the last day.",
        breakdowns=(AGE, SEX),
        benchmark=Benchmark("uasc_31_march", own_only=True),
        at_date=True,
    ),
    Measure(
        id="uasc_share_at_date",
        title="Share of children looked after who are UASC",
        section="population",
        kind="proportion",
        unit="% of children looked after",
        population=cla_population,
        numerator=pl.col("uasc"),
        same_as=("cla_at_date", "uasc_status", "UASC"),
        dfe="DfE: UASC looked after at 31 March as a share of all children looked after",
        description="Unaccompanied asylum-seeking children as a share of all children looked after.",
        benchmark=Benchmark("uasc_31_march", "cla_31_march"),
        at_date=True,
    ),
    Measure(
        id="placement_type_at_date",
        title="Children looked after by placement type",
        section="placements",
        kind="count",
        population=cla_population,
        dfe="DfE placement groups (cla-by-la.csv, 8 groups); foster care split by PLACE_PROVIDER: "
        "in-house PR1, agency PR4/PR5, family and friends PLACE U1-U3",
        description="Where children looked after live, as DfE groups placements.",
        breakdowns=(PLACEMENT_TYPE, PLACEMENT_GROUP),
        at_date=True,
    ),
    Measure(
        id="foster_share_at_date",
        title="Children looked after in foster care",
        section="placements",
        kind="proportion",
        unit="% of children looked after",
        population=cla_population,
        numerator=pl.col("PLACE").is_in(codes.FOSTER),
        same_as=("placement_type_at_date", "placement_group", "Foster placements"),
        dfe="DfE: children looked after at 31 March in foster placements (U1-U6) as a share of all",
        description="Share of children looked after living with foster carers.",
        benchmark=Benchmark("placement_foster", "cla_31_march"),
        headline=True,
        at_date=True,
        higher_is="better",
    ),
    Measure(
        id="childrens_homes_share_at_date",
        title="Children looked after in secure or children's homes",
        section="placements",
        kind="proportion",
        unit="% of children looked after",
        population=cla_population,
        numerator=pl.col("PLACE").is_in(("K1", "K2")),
        same_as=("placement_type_at_date", "placement_group", "Secure homes and children's homes"),
        dfe="DfE placement group 'Secure homes and children's homes' (K1, K2) as a share of all",
        description="Share of children looked after living in secure or children's homes.",
        benchmark=Benchmark("placement_secure_and_childrens_homes", "cla_31_march"),
        at_date=True,
    ),
    Measure(
        id="foster_in_house_share",
        title="Fostered children with in-house carers (all fostering)",
        section="placements",
        kind="proportion",
        unit="% of fostered children",
        population=fostered_population,
        numerator=pl.col("PLACE_PROVIDER").is_in(codes.IN_HOUSE_PROVIDER),
        dfe="Fostered children (PLACE U1-U6) whose placement provider is the council's own (PR1), "
        "including in-house family and friends carers (a local measure; the 70% target is on the "
        "mainstream basis, foster_in_house_share_mainstream)",
        description="Share of all fostered children, family and friends included, placed with the "
        "council's own carers.",
        breakdowns=(
            Breakdown(
                "placement_type", "Foster care by provider", "placement_type", codes.FOSTER_TYPES
            ),
        ),
        at_date=True,
        higher_is="better",
    ),
    Measure(
        id="foster_in_house_share_mainstream",
        title="Mainstream fostering: in-house rather than agency",
        section="placements",
        kind="proportion",
        unit="% of children with mainstream in-house or agency foster carers",
        population=mainstream_fostered_population,
        numerator=pl.col("PLACE_PROVIDER").is_in(codes.IN_HOUSE_PROVIDER),
        dfe="Children with mainstream foster carers (PLACE U4-U6) provided by the council (PR1) or "
        "an agency (PR4/PR5): the share with the council's own carers; family and friends carers "
        "(U1-U3) and other councils' carers (PR2) are left out. The basis of the placement "
        "strategy's target (seed 004: 70% in-house)",
        description="Of children with mainstream foster carers, the share with the council's own "
        "carers rather than an agency's, against the target.",
        breakdowns=(
            Breakdown(
                "placement_type", "Foster care by provider", "placement_type", codes.FOSTER_TYPES[1:3]
            ),
        ),
        notes=_target_note,
        headline=True,
        at_date=True,
        higher_is="better",
    ),
    Measure(
        id="placed_outside_council",
        title="Children placed outside the council's area",
        section="placements",
        kind="proportion",
        unit="% of children looked after (placement postcode known)",
        population=placed_locality_population,
        population_id="placed_locality_population",
        numerator=pl.col("locality") == "Outside the council",
        dfe="DfE 'Locality of placement': placed outside the local authority boundary; placement "
        "postcode (PL_POST) to authority through the ONS postcode directory (carewise.geo)",
        description="Share of children looked after whose placement is outside the council's boundary.",
        benchmark=Benchmark("placed_outside_la_boundary", "cla_31_march"),
        notes=_locality_notes,
        available=_need_council,
        at_date=True,
        higher_is="worse",
    ),
    Measure(
        id="turning_18_next_6_months",
        title="Children turning 18 in the next 6 months",
        section="population",
        kind="count",
        population=turning_18_population,
        dfe="Children looked after at the date whose 18th birthday falls within the next 6 months "
        "(a local panel measure, seed 002)",
        description="Young people who will leave care at 18 within six months: transition planning.",
        breakdowns=(SEX, UASC),
        at_date=True,
    ),
    Measure(
        id="time_in_care_days",
        title="Average time in care (days)",
        section="population",
        kind="mean",
        unit="days",
        population=time_in_care_population,
        value_column="days_in_care",
        dfe="Days from the start of the current period of care to the date, for children looked "
        "after at the date (a local measure, seed 001: 'average length of time looked after')",
        description="How long children looked after have been in care, on average.",
        breakdowns=(
            Breakdown(
                "time_band",
                "Time in care",
                "time_band",
                ("Under 1 year", "1 to 2 years", "2 to 5 years", "5 years or more"),
            ),
        ),
        at_date=True,
    ),
)
