"""DfE 903 validation rules SW01-SW19: social worker episodes (collected from 2023-24).

Social worker episodes are returned for children looked after on 31 March, covering their
social workers over the year (and the previous year where an episode began earlier). One
function per DfE rule, named ``rule_<code>``; the DfE's own message per year comes from the
shipped rule lists, and ``years`` follow the codes each year's list holds (SW01STG1, SW03,
SW11a and SW14 in 2023-24 only; SW01a/SW01b from 2024-25; SW10a, SW10b, SW17, SW18 and SW19
from 2025-26). SW_REASON 'FCONTA' is a first contact (the DfE's wording in SW10bSTG2).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.codes import SHORT_BREAKS
from carewise.codes.lists import valid_codes
from carewise.returns.model import ROW
from carewise.validate.engine import Context, child_shift, failing_rows, rule, same_child

SW = "social_worker_episodes"
SW_FIELDS_FROM = date(2023, 4, 1)
"""SW_REASON is required for episodes starting on or after 1 April 2023 (the first SW collection)."""


def _with_raw(ctx: Context, col: str) -> pl.DataFrame:
    return ctx.t(SW).with_columns(ctx.raw(SW)[col].alias(f"{col}__raw"))


def _written(col: str) -> pl.Expr:
    raw = pl.col(f"{col}__raw")
    return raw.is_not_null() & (raw.str.strip_chars() != "")


def _ordered(ctx: Context) -> pl.DataFrame:
    """SW episodes with a start date, in order per child, with the neighbouring episodes' dates."""

    def build() -> pl.DataFrame:
        return (
            ctx.t(SW)
            .filter(pl.col("CHILD").is_not_null() & pl.col("SW_DECOM").is_not_null())
            .sort(["CHILD", "SW_DECOM", "SW_DEC", ROW], nulls_last=True)
            .with_columns(
                child_shift("SW_DEC", 1).alias("_PREV_DEC"),
                child_shift("SW_DECOM", -1).alias("_NEXT_DECOM"),
                (~same_child(-1)).alias("_LAST"),
                (~same_child(1)).alias("_FIRST"),
            )
        )

    return ctx.shared("rules_sw.ordered", build)  # type: ignore[return-value]


def looked_after_at_31_march(ctx: Context) -> pl.DataFrame:
    """Children looked after on the last day of the year (open episode, not a short break), with the
    row of that episode and the start of their current period of care (latest RNE 'S' before it)."""

    def build() -> pl.DataFrame:
        end = ctx.collection_end
        eps = ctx.t("episodes").filter(
            pl.col("CHILD").is_not_null() & pl.col("DECOM").is_not_null()
        )
        open_now = (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") > end))
        current = eps.filter(open_now & ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False))
        starts = (
            eps.filter((pl.col("RNE") == "S") & (pl.col("DECOM") <= end))
            .group_by("CHILD")
            .agg(pl.col("DECOM").max().alias("_CARE_START"))
        )
        return (
            current.sort(["CHILD", "DECOM", ROW])
            .group_by("CHILD", maintain_order=True)
            .last()
            .join(starts, on="CHILD", how="left")
        )

    return ctx.shared("rules_sw.cla31", build)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# Completeness and formats (STG1)
# ---------------------------------------------------------------------------------------------


@rule(
    "SW01STG1",
    explanation="Every child looked after on 31 March needs their social worker episodes reported, with "
    "a social worker ID, the date the episode began and the reason for the change.",
    fix="Add the child's social worker episodes (SW_ID, SW_DECOM, SW_REASON) to the social worker file.",
    tables=("episodes", SW),
    fields=("DEC",),
)
def rule_SW01STG1(ctx: Context) -> pl.DataFrame:
    """2023-24: looked after at 31 March (not V3/V4) but no SW episode gives an SW_ID, an SW_DECOM and an
    SW_REASON for the child."""
    sw = (
        ctx.t(SW)
        .group_by("CHILD")
        .agg(
            pl.col("SW_ID").is_not_null().any().alias("_ID"),
            pl.col("SW_DECOM").is_not_null().any().alias("_DECOM"),
            pl.col("SW_REASON").is_not_null().any().alias("_REASON"),
        )
    )
    frame = looked_after_at_31_march(ctx).join(sw, on="CHILD", how="left")
    complete = pl.col("_ID") & pl.col("_DECOM") & pl.col("_REASON")
    return failing_rows(frame, ~complete.fill_null(False))


@rule(
    "SW01aSTG1",
    explanation="A social worker episode that began before 1 April 2023 needs its start date and the social "
    "worker's ID (the reason for the change is optional for those early episodes).",
    fix="Fill in SW_DECOM and SW_ID for the episode.",
    tables=(SW,),
    fields=("SW_DECOM", "SW_ID"),
)
def rule_SW01aSTG1(ctx: Context) -> pl.DataFrame:
    """SW_DECOM blank, or SW_DECOM before 1 April 2023 with SW_ID blank."""
    early = pl.col("SW_DECOM") < pl.lit(SW_FIELDS_FROM)
    return failing_rows(
        ctx.t(SW), pl.col("SW_DECOM").is_null() | (early & pl.col("SW_ID").is_null())
    )


@rule(
    "SW01bSTG1",
    explanation="A social worker episode that began on or after 1 April 2023 needs its start date, the "
    "social worker's ID and the reason for the change of social worker.",
    fix="Fill in SW_DECOM, SW_ID and SW_REASON for the episode.",
    tables=(SW,),
    fields=("SW_DECOM", "SW_ID", "SW_REASON"),
)
def rule_SW01bSTG1(ctx: Context) -> pl.DataFrame:
    """SW_DECOM blank, or SW_DECOM on/after 1 April 2023 with SW_ID or SW_REASON blank."""
    late = pl.col("SW_DECOM") >= pl.lit(SW_FIELDS_FROM)
    missing = pl.col("SW_ID").is_null() | pl.col("SW_REASON").is_null()
    return failing_rows(ctx.t(SW), pl.col("SW_DECOM").is_null() | (late & missing))


def _bad_sw_id(min_length: int) -> pl.Expr:
    sw_id = pl.col("SW_ID")
    prefix_ok = sw_id.str.starts_with("SW") | sw_id.str.starts_with("XX")
    return sw_id.is_not_null() & (~prefix_ok | (sw_id.str.len_chars() < min_length))


@rule(
    "SW02STG1",
    explanation="Social worker IDs begin with SW (the worker's Social Work England registration number) or "
    "XX (a worker without one).",
    fix="Correct the social worker ID so it starts with SW or XX.",
    tables=(SW,),
    fields=("SW_ID",),
    years=(2023, 2024),
)
def rule_SW02STG1(ctx: Context) -> pl.DataFrame:
    """SW_ID given but not beginning 'SW' or 'XX'."""
    return failing_rows(ctx.t(SW), _bad_sw_id(2))


@rule(
    "SW02STG1",
    explanation="Social worker IDs begin with SW (the worker's Social Work England registration number) or "
    "XX (a worker without one), followed by the identifier itself.",
    fix="Correct the social worker ID so it starts with SW or XX followed by the identifier.",
    tables=(SW,),
    fields=("SW_ID",),
    years=(2025, 2026),
)
def rule_SW02STG1_from_2025(ctx: Context) -> pl.DataFrame:
    """From 2025-26 also an ID that is only the prefix (shorter than four characters) fails."""
    return failing_rows(ctx.t(SW), _bad_sw_id(4))


@rule(
    "SW03STG1",
    explanation="Each social worker episode must be complete: social worker ID, start date and reason for "
    "the change.",
    fix="Fill in SW_ID, SW_DECOM and SW_REASON for every social worker episode.",
    tables=(SW,),
    fields=("SW_DECOM", "SW_ID", "SW_REASON"),
)
def rule_SW03STG1(ctx: Context) -> pl.DataFrame:
    """2023-24: SW_ID, SW_DECOM or SW_REASON blank."""
    blank = pl.any_horizontal(pl.col(c).is_null() for c in ("SW_ID", "SW_DECOM", "SW_REASON"))
    return failing_rows(ctx.t(SW), blank)


@rule(
    "SW04STG1",
    explanation="The date a social worker episode began must be a real date (DD/MM/YYYY).",
    fix="Write SW_DECOM as DD/MM/YYYY.",
    tables=(SW,),
    fields=("SW_DECOM",),
    years=(2023, 2024),
)
def rule_SW04STG1(ctx: Context) -> pl.DataFrame:
    """SW_DECOM written but not a valid date."""
    frame = _with_raw(ctx, "SW_DECOM")
    return failing_rows(frame, _written("SW_DECOM") & pl.col("SW_DECOM").is_null())


@rule(
    "SW04STG1",
    explanation="Every social worker episode needs the date it began, as a real date (DD/MM/YYYY).",
    fix="Write SW_DECOM as DD/MM/YYYY.",
    tables=(SW,),
    fields=("SW_DECOM",),
    years=(2025, 2026),
)
def rule_SW04STG1_from_2025(ctx: Context) -> pl.DataFrame:
    """From 2025-26: SW_DECOM blank or not a valid date."""
    return failing_rows(ctx.t(SW), pl.col("SW_DECOM").is_null())


@rule(
    "SW05STG1",
    explanation="When the date a social worker episode ended is given it must be a real date (blank while "
    "the social worker is still allocated).",
    fix="Write SW_DEC as DD/MM/YYYY, or leave it blank for the current social worker.",
    tables=(SW,),
    fields=("SW_DEC",),
)
def rule_SW05STG1(ctx: Context) -> pl.DataFrame:
    """SW_DEC written but not a valid date."""
    frame = _with_raw(ctx, "SW_DEC")
    return failing_rows(frame, _written("SW_DEC") & pl.col("SW_DEC").is_null())


@rule(
    "SW13STG1",
    explanation="The reason for a change of social worker must be a DfE code (MANAGE, FCONTA, LEFTRL, "
    "ORGRST, TSPROC, ABSENC, CHCHAN, PCCHAN, SWDIED, OTHERS).",
    fix="Use one of the DfE codes for SW_REASON.",
    tables=(SW,),
    fields=("SW_REASON",),
    years=(2023, 2023),
)
def rule_SW13STG1(ctx: Context) -> pl.DataFrame:
    """2023-24: SW_REASON not a valid code, or blank on any episode but the child's first (the first
    social worker reported is not a change)."""
    ok = sorted(valid_codes("SW_REASON", ctx.year))
    first_rows = _ordered(ctx).filter(pl.col("_FIRST")).get_column(ROW).implode()
    reason = pl.col("SW_REASON")
    blank_not_first = reason.is_null() & ~pl.col(ROW).is_in(first_rows)
    return failing_rows(ctx.t(SW), (reason.is_not_null() & ~reason.is_in(ok)) | blank_not_first)


@rule(
    "SW13STG1",
    explanation="The reason for a change of social worker must be a DfE code (MANAGE, FCONTA, LEFTRL, "
    "ORGRST, TSPROC, ABSENC, CHCHAN, PCCHAN, SWDIED, OTHERS).",
    fix="Use one of the DfE codes for SW_REASON.",
    tables=(SW,),
    fields=("SW_REASON",),
    years=(2024, 2026),
)
def rule_SW13STG1_from_2024(ctx: Context) -> pl.DataFrame:
    """From 2024-25: SW_REASON given but not a valid code (blanks are SW01b's business)."""
    ok = sorted(valid_codes("SW_REASON", ctx.year))
    reason = pl.col("SW_REASON")
    return failing_rows(ctx.t(SW), reason.is_not_null() & ~reason.is_in(ok))


# ---------------------------------------------------------------------------------------------
# Dates and sequences (STG2)
# ---------------------------------------------------------------------------------------------


def _reporting_start(ctx: Context) -> date:
    """Start of the social worker reporting period: 1 April of the previous collection year."""
    return ctx.year.previous.start


@rule(
    "SW06STG2",
    explanation="A social worker episode cannot begin after the end of the collection year.",
    fix="Check SW_DECOM: episodes starting after 31 March belong to next year's return.",
    tables=(SW,),
    fields=("SW_DECOM",),
)
def rule_SW06STG2(ctx: Context) -> pl.DataFrame:
    """SW_DECOM after 31 March of the collection year."""
    return failing_rows(ctx.t(SW), pl.col("SW_DECOM") > pl.lit(ctx.collection_end))


@rule(
    "SW07STG2",
    explanation="A social worker episode's end date must fall in the reporting period: on or after 1 April "
    "of the previous year and on or before 31 March of this year.",
    fix="Check SW_DEC; episodes that ended before the reporting period should not be returned.",
    tables=(SW,),
    fields=("SW_DEC",),
)
def rule_SW07STG2(ctx: Context) -> pl.DataFrame:
    """SW_DEC before the reporting period's start or after the collection end."""
    dec = pl.col("SW_DEC")
    return failing_rows(
        ctx.t(SW), (dec < pl.lit(_reporting_start(ctx))) | (dec > pl.lit(ctx.collection_end))
    )


def _open_but_not_last(ctx: Context) -> pl.DataFrame:
    ordered = _ordered(ctx).filter(~pl.col("_LAST") & pl.col("SW_DEC").is_null())
    return ctx.t(SW).filter(pl.col(ROW).is_in(ordered.get_column(ROW).implode()))


@rule(
    "SW08STG2",
    explanation="Only a child's latest social worker episode can be open; an earlier one must have an end "
    "date because a new social worker took over.",
    fix="Add the end date (SW_DEC) of the earlier social worker episode.",
    tables=(SW,),
    fields=("SW_DEC",),
)
def rule_SW08STG2(ctx: Context) -> pl.DataFrame:
    """An episode other than the child's latest (by SW_DECOM) has no SW_DEC."""
    return _open_but_not_last(ctx)


@rule(
    "SW09STG2",
    explanation="A social worker episode lasting less than a day (ending on or before the day it began) "
    "is almost always a data entry error.",
    fix="Check SW_DECOM and SW_DEC; remove episodes that never really started.",
    tables=(SW,),
    fields=("SW_DEC", "SW_DECOM"),
    years=(2023, 2024),
)
def rule_SW09STG2(ctx: Context) -> pl.DataFrame:
    """SW_DEC on or before SW_DECOM (until 2024-25 no other rule catches an end before the start)."""
    return failing_rows(ctx.t(SW), pl.col("SW_DEC") <= pl.col("SW_DECOM"))


@rule(
    "SW09STG2",
    explanation="A social worker episode that ends on the day it began lasted less than 24 hours, which "
    "is almost always a data entry error.",
    fix="Check SW_DECOM and SW_DEC; remove episodes that never really started.",
    tables=(SW,),
    fields=("SW_DEC", "SW_DECOM"),
    years=(2025, 2026),
)
def rule_SW09STG2_from_2025(ctx: Context) -> pl.DataFrame:
    """From 2025-26: SW_DEC on the day of SW_DECOM; an end before the start is SW18STG2's."""
    return failing_rows(ctx.t(SW), pl.col("SW_DEC") == pl.col("SW_DECOM"))


@rule(
    "SW10STG2",
    explanation="A new social worker episode should not start before the previous one ended (7 days' "
    "overlap allowed for a handover), unless it began with a first contact (FCONTA).",
    fix="Check the dates of consecutive social worker episodes for the child.",
    tables=(SW,),
    fields=("SW_DECOM",),
)
def rule_SW10STG2(ctx: Context) -> pl.DataFrame:
    """SW_DECOM more than 7 days before the previous episode's SW_DEC, SW_REASON not FCONTA."""
    ordered = _ordered(ctx)
    bad = ordered.filter(
        (pl.col("SW_DECOM") < pl.col("_PREV_DEC").dt.offset_by("-7d")).fill_null(False)
        & pl.col("SW_REASON").ne_missing("FCONTA")
    )
    return ctx.t(SW).filter(pl.col(ROW).is_in(bad.get_column(ROW).implode()))


def _rows_of(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    return ctx.t(SW).filter(pl.col(ROW).is_in(frame.get_column(ROW).implode()))


@rule(
    "SW10aSTG2",
    explanation="A child's social worker episodes should follow on from each other: a new episode "
    "should start within 7 days either side of the day the previous one ended, unless it began "
    "with a first contact (FCONTA).",
    fix="Check the dates of consecutive social worker episodes, or add the missing episode between "
    "them.",
    tables=(SW,),
    fields=("SW_DECOM",),
)
def rule_SW10aSTG2(ctx: Context) -> pl.DataFrame:
    """From 2025-26: SW_REASON not FCONTA and SW_DECOM more than 7 days before or after the previous
    episode's SW_DEC (a gap or an overlap of over a week). A previous episode with no end date is
    SW08's business."""
    prev = pl.col("_PREV_DEC")
    outside = (pl.col("SW_DECOM") < prev.dt.offset_by("-7d")) | (
        pl.col("SW_DECOM") > prev.dt.offset_by("7d")
    )
    bad = _ordered(ctx).filter(outside.fill_null(False) & pl.col("SW_REASON").ne_missing("FCONTA"))
    return _rows_of(ctx, bad)


@rule(
    "SW10bSTG2",
    explanation="An episode that began with a first contact (FCONTA) means the child's previous "
    "social worker episode had already ended, so it cannot start on or before that end date.",
    fix="Check SW_DECOM and the reason: a change of worker during an allocation is not a first "
    "contact.",
    tables=(SW,),
    fields=("SW_DECOM", "SW_REASON"),
)
def rule_SW10bSTG2(ctx: Context) -> pl.DataFrame:
    """From 2025-26: SW_REASON FCONTA and SW_DECOM on or before the previous episode's SW_DEC. A
    previous episode with no end date is SW08's business."""
    bad = _ordered(ctx).filter(
        (pl.col("SW_REASON") == "FCONTA")
        & (pl.col("SW_DECOM") <= pl.col("_PREV_DEC")).fill_null(False)
    )
    return _rows_of(ctx, bad)


@rule(
    "SW18STG2",
    explanation="A social worker episode cannot end before it began.",
    fix="Check SW_DECOM and SW_DEC; one of the dates is wrong.",
    tables=(SW,),
    fields=("SW_DEC", "SW_DECOM"),
)
def rule_SW18STG2(ctx: Context) -> pl.DataFrame:
    """From 2025-26: SW_DEC before SW_DECOM (an episode ending the day it began is SW09's)."""
    return failing_rows(ctx.t(SW), pl.col("SW_DEC") < pl.col("SW_DECOM"))


@rule(
    "SW19STG2",
    explanation="Two social worker episodes of the same child start on the same day; a child has one "
    "allocated social worker at a time.",
    fix="Remove the duplicated episode or correct its start date.",
    tables=(SW,),
    fields=("SW_DEC", "SW_DECOM"),
)
def rule_SW19STG2(ctx: Context) -> pl.DataFrame:
    """From 2025-26: SW_DECOM the same as another SW episode's of the child; every episode of the
    pair (or more) is flagged, as either may be the one to correct."""
    frame = ctx.t(SW)
    same_day = (pl.len().over("CHILD", "SW_DECOM") > 1) & pl.col("SW_DECOM").is_not_null()
    return failing_rows(frame, same_day & pl.col("CHILD").is_not_null())


def _children_at_31_march(ctx: Context) -> pl.Expr:
    """Restrict to children looked after at 31 March when the episodes table was given."""
    if not ctx.has("episodes"):
        return pl.lit(True)
    cla = looked_after_at_31_march(ctx).get_column("CHILD").implode()
    return pl.col("CHILD").is_in(cla)


@rule(
    "SW11aSTG2",
    explanation="When a social worker episode ends before 31 March, the next social worker's episode "
    "should start within 5 days of it.",
    fix="Add the next social worker episode, or correct the end date.",
    tables=(SW,),
    fields=("SW_DEC",),
)
def rule_SW11aSTG2(ctx: Context) -> pl.DataFrame:
    """2023-24: SW_DEC at least 5 days before 31 March and no episode starting within 5 days of it."""
    end = ctx.collection_end
    ordered = _ordered(ctx).filter(_children_at_31_march(ctx))
    ended_early = pl.col("SW_DEC") <= pl.lit(end).dt.offset_by("-5d")
    gap = (pl.col("_NEXT_DECOM") - pl.col("SW_DEC")).dt.total_days().abs()
    no_follow_on = pl.col("_NEXT_DECOM").is_null() | (gap > 5)
    bad = ordered.filter((ended_early & no_follow_on).fill_null(False))
    return ctx.t(SW).filter(pl.col(ROW).is_in(bad.get_column(ROW).implode()))


@rule(
    "SW11bSTG2",
    explanation="A child looked after on 31 March always has a social worker, so their latest social worker "
    "episode cannot have ended before 31 March without a following episode.",
    fix="Add the social worker episode that followed, or remove the end date of the current one.",
    tables=(SW,),
    fields=("SW_DEC",),
)
def rule_SW11bSTG2(ctx: Context) -> pl.DataFrame:
    """The child's latest SW episode has SW_DEC before 31 March (children looked after at 31 March,
    when the episodes table is given)."""
    ordered = _ordered(ctx).filter(_children_at_31_march(ctx))
    bad = ordered.filter(
        pl.col("_LAST") & (pl.col("SW_DEC") < pl.lit(ctx.collection_end)).fill_null(False)
    )
    return ctx.t(SW).filter(pl.col(ROW).is_in(bad.get_column(ROW).implode()))


@rule(
    "SW12STG2",
    explanation="For a child looked after on 31 March, social worker episodes must cover the whole year "
    "(from 1 April, or from when the child's current period of care began if later), including time "
    "before they became looked after.",
    fix="Add the social worker episodes from the start of the year (or of the child's care).",
    tables=("episodes", SW),
    fields=("SW_DECOM",),
)
def rule_SW12STG2(ctx: Context) -> dict[str, pl.DataFrame]:
    """Looked after at 31 March with no SW episode, or whose earliest SW_DECOM is after both 1 April and
    the start of the current period of care. Fails the earliest SW episode (or the open episode when
    there is none)."""
    cla = looked_after_at_31_march(ctx)
    first = (
        _ordered(ctx)
        .filter(pl.col("_FIRST"))
        .select("CHILD", pl.col("SW_DECOM").alias("_FIRST_SW"), pl.col(ROW).alias("_SW_ROW"))
    )
    frame = cla.join(first, on="CHILD", how="left")
    due = pl.max_horizontal(pl.lit(ctx.collection_start), pl.col("_CARE_START"))
    late = (pl.col("_FIRST_SW") > due).fill_null(False)
    none = pl.col("_FIRST_SW").is_null()
    sw_rows = frame.filter(late).get_column("_SW_ROW").implode()
    ep_rows = frame.filter(none).get_column(ROW).implode()
    return {
        SW: ctx.t(SW).filter(pl.col(ROW).is_in(sw_rows)),
        "episodes": ctx.t("episodes").filter(pl.col(ROW).is_in(ep_rows)),
    }


@rule(
    "SW14STG2",
    explanation="Only a child's latest social worker episode can be left without an end date.",
    fix="Add SW_DEC for the earlier social worker episode.",
    tables=(SW,),
    fields=("SW_DEC",),
)
def rule_SW14STG2(ctx: Context) -> pl.DataFrame:
    """2023-24: SW_DEC blank on an episode that is not the child's latest."""
    return _open_but_not_last(ctx)


@rule(
    "SW17STG2",
    explanation="Social worker episodes are returned for children looked after on 31 March, so each child's "
    "latest social worker episode should still be open at 31 March.",
    fix="Remove the end date of the current social worker episode, or add the episode that followed.",
    tables=(SW,),
    fields=("SW_DEC", "SW_DECOM"),
)
def rule_SW17STG2(ctx: Context) -> pl.DataFrame:
    """From 2025-26: the child's latest SW episode (by SW_DECOM) has an SW_DEC on or before 31 March."""
    ordered = _ordered(ctx)
    bad = ordered.filter(
        pl.col("_LAST") & (pl.col("SW_DEC") <= pl.lit(ctx.collection_end)).fill_null(False)
    )
    return ctx.t(SW).filter(pl.col(ROW).is_in(bad.get_column(ROW).implode()))
