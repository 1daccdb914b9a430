"""Personal Adviser caseload: how many care leavers need a PA at each 31 March, and per adviser.

From the stored 903 data and stated assumptions (the method of a council's panel paper,
seed 002, produced from data rather than typed in):

- children looked after now who turn 18 before a date become care leavers (``qualify_share``,
  default 1: "any who don't qualify will be replaced by new children looked after who do");
- joint working with the social worker from 17½ (``joint_working_from`` years): children looked
  after aged 17½ to 18 count on a PA's caseload;
- care leavers under 21 need a PA if in touch (OC3 IN_TOUCH YES; no OC3 row counts as in touch
  unless ``unknown_in_touch`` is false); of those not in touch (NO, REFU, NREQ, RHOM) a share
  ``not_in_touch_return`` come back (default 0.75, "three out of four");
- from 21 to 25 a share ``take_up_at_21`` keep or take up PA support (default 0.72, the
  take-up seen by that council since April 2018), to the 25th birthday (Children and Social
  Work Act 2017 s3 extended PA support to 25);
- care leavers are children whose care ended at 16 or later after 13 weeks looked after since
  their 14th birthday (DfE definition of an eligible/former relevant child), plus anyone in an
  OC3 table.

Joint working is **workload, not people**: a child looked after aged 17½ to 18 is not a care
leaver yet, so ``requiring_pa`` (young people needing a PA) leaves them out; ``workload`` adds
``joint_working_weight`` caseload places for each of them (default 1: the paper's "6 months
extra work for the PA with every care leaver" is a full place during the six months of joint
working), and the caseload per adviser is the workload over the advisers.

Costs: ``cost_per_adviser`` a year (default £28,500, the paper's figure; set your own).

A second mode, :func:`table_caseload`, is driven by a council's own table (young people entitled
each year, those requiring statutory support, the numbers of advisers) and reproduces the paper's
caseload table, listing where the published figures disagree with their own inputs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import polars as pl

from carewise.errors import SettingError
from carewise.forecast.spells import spells
from carewise.history import History
from carewise.returns.frames import as_float
from carewise.returns.years import add_years, birthday_expr

ADVISERS = (7, 8, 9, 10, 11)


@dataclass
class PaAssumptions:
    take_up_at_21: float = 0.72
    not_in_touch_return: float = 0.75
    support_to: int = 25
    joint_working_from: float = 17.5
    qualify_share: float = 1.0
    unknown_in_touch: bool = True
    cost_per_adviser: float = 28_500.0
    years: int = 3
    joint_working_weight: float = 1.0

    def __post_init__(self) -> None:
        for name in ("take_up_at_21", "not_in_touch_return", "qualify_share"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise SettingError(f"{name} is a share between 0 and 1 (72% is 0.72); {v} was given.")
        if not 16 <= self.joint_working_from <= 18:
            raise SettingError("joint_working_from is an age between 16 and 18 (17.5 = seventeen and a half).")
        if not 0 <= self.joint_working_weight <= 2:
            raise SettingError("joint_working_weight is caseload places per child in joint working (1 = a full place).")
        if not 21 <= self.support_to <= 26:
            raise SettingError("support_to is the age PA support ends (25 under the 2017 Act).")


def care_leavers(history: History, as_at: date) -> pl.DataFrame:
    """Care leavers known at ``as_at``: CHILD, DOB, in_touch (true/false/null for unknown)."""
    sp = spells(history, as_at=as_at)
    fourteen = birthday_expr(pl.col("DOB"), 14)
    per_child = sp.group_by("CHILD").agg(
        pl.col("DOB").first(),
        pl.col("end").is_null().any().alias("open"),
        pl.col("end").max().alias("left"),
        (
            pl.min_horizontal(pl.col("end").fill_null(pl.lit(as_at)), pl.lit(as_at))
            - pl.max_horizontal(pl.col("start"), fourteen)
        ).dt.total_days().clip(0).sum().alias("days_since_14"),
    )
    left = per_child.filter(
        ~pl.col("open")
        & (pl.col("left") >= birthday_expr(pl.col("DOB"), 16))
        & (pl.col("days_since_14") >= 91)
    ).select("CHILD", "DOB")
    oc3 = history.table("oc3")
    if oc3.height:
        oc3_latest = oc3.sort("YEAR").unique("CHILD", keep="last").select(
            "CHILD",
            pl.col("DOB").alias("DOB_oc3"),
            pl.when(pl.col("IN_TOUCH") == "YES").then(True)
            .when(pl.col("IN_TOUCH").is_in(["NO", "REFU", "NREQ", "RHOM"])).then(False)
            .when(pl.col("IN_TOUCH") == "DIED").then(None)
            .otherwise(None).alias("in_touch"),
            (pl.col("IN_TOUCH") == "DIED").fill_null(False).alias("died"),
        )
        out = left.join(oc3_latest, on="CHILD", how="full", coalesce=True).with_columns(
            pl.coalesce("DOB", "DOB_oc3").alias("DOB"), pl.col("died").fill_null(False)
        ).filter(~pl.col("died"))
        still_in_care = per_child.filter(pl.col("open")).select("CHILD")
        out = out.join(still_in_care, on="CHILD", how="anti")
        return out.select("CHILD", "DOB", "in_touch").filter(pl.col("DOB").is_not_null())
    return left.with_columns(pl.lit(None, dtype=pl.Boolean).alias("in_touch"))


def _years_between(dob: pl.Expr, on: date) -> pl.Expr:
    return (pl.lit(on) - dob).dt.total_days() / 365.25


def pa_caseload(history: History, assumptions: PaAssumptions | None = None, as_at: date | None = None) -> pl.DataFrame:
    """Young people needing a PA at each of the next ``years`` 31 Marches, and caseloads.

    Columns: date, joint_working (children looked after in joint working), leavers_under_21,
    leavers_21_plus, requiring_pa (care leavers: people), workload (requiring_pa plus joint
    working weighted), caseload_7 … caseload_11 (workload per adviser), cost_7 … cost_11 (a year).
    """
    a = assumptions or PaAssumptions()
    as_at = as_at or history.last_date
    if as_at is None:
        raise SettingError("There is no data to work from: import the council's 903 returns first.")
    first = date(as_at.year + (1 if (as_at.month, as_at.day) >= (3, 31) else 0), 3, 31)
    dates = [add_years(first, i) for i in range(a.years)]
    sp = spells(history, as_at=as_at)
    in_care = sp.filter(pl.col("end").is_null()).select("CHILD", "DOB").unique("CHILD")
    leavers = care_leavers(history, as_at)
    touch_weight = (
        pl.when(pl.col("in_touch").is_null())
        .then(pl.lit(1.0 if a.unknown_in_touch else a.not_in_touch_return))
        .when(pl.col("in_touch"))
        .then(pl.lit(1.0))
        .otherwise(pl.lit(a.not_in_touch_return))
    )
    rows = []
    for d in dates:
        age_lac = _years_between(pl.col("DOB"), d)
        lac = in_care.select(age_lac.alias("age"))
        joint = lac.filter((pl.col("age") >= a.joint_working_from) & (pl.col("age") < 18)).height
        new_young = lac.filter((pl.col("age") >= 18) & (pl.col("age") < 21)).height * a.qualify_share
        new_old = lac.filter((pl.col("age") >= 21) & (pl.col("age") < a.support_to)).height * a.qualify_share * a.take_up_at_21
        cl = leavers.select(_years_between(pl.col("DOB"), d).alias("age"), touch_weight.alias("w"))
        young = as_float(cl.filter(pl.col("age") < 21)["w"].sum()) + new_young
        old = as_float(cl.filter((pl.col("age") >= 21) & (pl.col("age") < a.support_to))["w"].sum()) * a.take_up_at_21 + new_old
        people = young + old
        workload = people + a.joint_working_weight * joint
        row = {
            "date": d,
            "joint_working": float(joint),
            "leavers_under_21": float(young),
            "leavers_21_plus": float(old),
            "requiring_pa": float(people),
            "workload": float(workload),
        }
        for n in ADVISERS:
            row[f"caseload_{n}"] = workload / n
            row[f"cost_{n}"] = n * a.cost_per_adviser
        rows.append(row)
    return pl.DataFrame(rows)


def assumptions_dict(a: PaAssumptions) -> dict:
    return asdict(a)


# ---- the council's own table ------------------------------------------------------------------


@dataclass
class TableYear:
    """One row of a council's PA table: young people entitled to PA support on ``date``, those
    requiring statutory support (if the table gives them) and its published caseloads per number
    of advisers (to check)."""

    date: date
    entitled: float
    requiring: float | None = None
    published: dict[int, float] | None = None


SEED_002 = (
    TableYear(date(2019, 3, 31), 259, 162, {7: 37, 8: 32, 9: 29, 10: 26, 11: 24}),
    TableYear(date(2020, 3, 31), 254, 232, {7: 36, 8: 32, 9: 29, 10: 25, 11: 23}),
    TableYear(date(2021, 3, 31), 258, 230, {7: 39, 8: 35, 9: 31, 10: 28, 11: 25}),
)
"""Central Bedfordshire's Corporate Parenting Panel paper, 11 February 2019, item 8 (seed 002):
young people entitled to PA support (para 12), care leavers requiring statutory support (para 21)
and average caseloads per 7-11 advisers (para 16)."""


def table_caseload(years: list[TableYear] | tuple[TableYear, ...], advisers: tuple[int, ...] = ADVISERS,
                   cost_per_adviser: float = 28_500.0) -> tuple[pl.DataFrame, list[str]]:
    """Caseloads from the table's own inputs, and where its published caseloads disagree.

    Rows: date, entitled, requiring, caseload_N (entitled / N advisers), requiring_caseload_N,
    cost_N. Notes name each published caseload that is not its inputs' figure rounded to whole
    young people, with the number of young people the published row implies.
    """
    if not years:
        raise SettingError("The table has no years: give each 31 March with the young people entitled to PA support.")
    rows, notes = [], []
    for y in years:
        if y.entitled < 0 or (y.requiring is not None and y.requiring < 0):
            raise SettingError(f"{y.date}: numbers of young people cannot be negative.")
        row: dict = {"date": y.date, "entitled": float(y.entitled),
                     "requiring": None if y.requiring is None else float(y.requiring)}
        for n in advisers:
            row[f"caseload_{n}"] = y.entitled / n
            row[f"requiring_caseload_{n}"] = None if y.requiring is None else y.requiring / n
            row[f"cost_{n}"] = n * cost_per_adviser
        rows.append(row)
        wrong = {n: v for n, v in (y.published or {}).items() if n in advisers and round(y.entitled / n) != round(v)}
        for n, v in wrong.items():
            notes.append(f"{y.date:%d/%m/%Y}, {n} advisers: the table shows {v:g}, but {y.entitled:g} / {n} = "
                         f"{y.entitled / n:.1f}.")
        if len(wrong) > 1:
            implied = [v * n for n, v in (y.published or {}).items()]
            notes.append(f"{y.date:%d/%m/%Y}: the published caseloads imply {min(implied):g} to {max(implied):g} young "
                         f"people, not the {y.entitled:g} in the table's own count.")
    return pl.DataFrame(rows), notes
