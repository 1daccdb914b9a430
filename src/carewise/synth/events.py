"""What happens to children while looked after, besides episodes: reviews, missing episodes,
social workers, adoption milestones, previous permanence; and who each child is."""

from __future__ import annotations

import numpy as np
import polars as pl

from carewise.returns.years import start_years
from carewise.synth import model as m
from carewise.synth.figures import Truth
from carewise.synth.simulate import YEAR, _pick, birthday

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(digits: np.ndarray) -> np.ndarray:
    """DfE UPN check letter: sum of digit x position (2..13), modulo 23, into A-Z less I, O, S.

    ``digits`` is an (n, 12) integer array: the 12 digits that follow the check letter.
    """
    weights = np.arange(2, 14)
    return np.array(list(UPN_LETTERS))[(digits * weights).sum(axis=1) % 23]


def children(rng: np.random.Generator, periods: pl.DataFrame, la_number: str,
             truth: Truth) -> pl.DataFrame:
    """One row per child: CHILD id, sex, DOB, ethnicity, UPN, motherhood (council's mix)."""
    per_child = periods.group_by("child").agg(
        pl.col("dob").first(), pl.col("uasc").first(), pl.col("entry").min().alias("first_entry"),
        pl.col("end").max().alias("last_end"),
    ).sort("child")
    n = per_child.height
    uasc = per_child["uasc"].to_numpy()
    dob = per_child["dob"].to_numpy()
    male = np.where(uasc, rng.random(n) < m.UASC_MALE_SHARE, rng.random(n) < truth.male_share)
    ethnic = np.where(uasc, _pick(rng, m.UASC_ETHNIC_PROBS, n),
                      _pick(rng, truth.ethnic_probs or m.ETHNIC_PROBS, n))
    ids = 100_000 + np.cumsum(rng.integers(1, 60, n))
    ids = rng.permutation(ids)
    # UPN: LA number, school number, year of allocation, serial; check letter in front
    la = int(la_number) if la_number.isdigit() else 999
    school = rng.integers(2000, 7000, n)
    year2 = (dob.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970 + 4) % 100
    serial = rng.integers(0, 1000, n)
    body = np.char.add(
        np.char.add(np.char.zfill(np.full(n, str(la)), 3), np.char.zfill(school.astype(str), 4)),
        np.char.add(np.char.zfill(year2.astype(str), 2), np.char.zfill(serial.astype(str), 3)),
    )
    digits = np.array([list(map(int, b)) for b in body]) if n else np.zeros((0, 12), int)
    upn = np.char.add(upn_check_letter(digits), body) if n else np.array([], dtype=str)
    # mothers: a few girls who were looked after from 14 have a child before 18
    girl = ~male
    b15, b18 = birthday(dob, 15), birthday(dob, 18)
    mother = girl & (per_child["last_end"].to_numpy() > b15) & (rng.random(n) < 0.06)
    mc_dob = np.where(mother, b15 + (rng.random(n) * (b18 - b15)).astype(np.int64), -1)
    return per_child.with_columns(
        CHILD=pl.Series(ids.astype(str)), male=pl.Series(male), ETHNIC=pl.Series(ethnic.astype(str)),
        UPN=pl.Series(upn.astype(str)), mc_dob=pl.Series(mc_dob),
    )


def reviews(rng: np.random.Generator, periods: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Reviews (CPPCR reg 33): first within 20 working days, then within 3 months, then every 6.

    Councils hold most reviews a little before they fall due, but report only about 85-90% on
    time: a share that is the council's own and moves a little from year to year is held late,
    by days to weeks (a late review moves the ones after it), and a period of care that ends
    soon after a review falls due sometimes ends without it (missed).
    """
    entry = periods["entry"].to_numpy()
    end = np.minimum(periods["end"].to_numpy(), horizon + 1)
    k = 3 + np.maximum(0, (end - entry) // 120)
    pid = np.repeat(np.arange(entry.size), k)
    pos = np.arange(pid.size) - np.repeat(np.cumsum(k) - k, k)
    on_time = np.select([pos == 0, pos == 1],
                        [rng.integers(*m.REVIEW_GAP_DAYS[0], pid.size),
                         rng.integers(*m.REVIEW_GAP_DAYS[1], pid.size)],
                        rng.integers(*m.REVIEW_GAP_DAYS[2], pid.size))
    latest = np.select([pos == 0, pos == 1], [m.REVIEW_GAP_DAYS[0][1], m.REVIEW_GAP_DAYS[1][1]],
                       m.REVIEW_GAP_DAYS[2][1])  # the last on-time day (exclusive)
    # the share held late in each collection year (April-March) of the on-time date
    year = start_years(entry[pid] + _group_cumsum(on_time, k))
    first = int(year.min()) if year.size else 0
    span = int(year.max()) - first + 1 if year.size else 0
    share = np.clip(rng.uniform(*m.REVIEW_LATE_SHARE) + rng.normal(0, m.REVIEW_LATE_YEAR_SD, span),
                    0.03, 0.25)
    late = rng.random(pid.size) < share[year - first]
    days_late = np.minimum(1 + rng.gamma(*m.REVIEW_LATE_DAYS, pid.size), 90).astype(np.int64)
    gap = np.where(late, latest - 1 + days_late, on_time)
    when = entry[pid] + _group_cumsum(gap, k)
    ok = when < end[pid]
    # the last review before a period of care ends is sometimes not held
    last = ok & ~np.r_[ok[1:] & (pid[1:] == pid[:-1]), False]
    ended = end[pid] <= horizon
    ok &= ~(last & ended & (rng.random(pid.size) < m.REVIEW_MISSED_AT_END))
    return pl.DataFrame({"period": pid[ok], "REVIEW": when[ok]})


def _group_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    starts = np.cumsum(counts) - counts
    offset = np.repeat(np.r_[0, total][starts], counts)
    return total - offset


def missing(rng: np.random.Generator, periods: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Missing and away episodes, mostly of teenagers, most back within two days."""
    entry = periods["entry"].to_numpy()
    end = np.minimum(periods["end"].to_numpy(), horizon)
    dob = periods["dob"].to_numpy()
    age = (entry - dob) / YEAR
    share = np.where(age >= 16, m.MISSING_CHILD_SHARE["16_and_over"],
                     np.where(age >= 10, m.MISSING_CHILD_SHARE["10_to_15"], 0.0))
    misser = rng.random(entry.size) < share
    span = np.maximum(0, end - entry - 4)
    k = np.where(misser & (span > 0), 1 + rng.poisson(m.MISSING_RATE_PER_YEAR * span / YEAR), 0)
    k = np.minimum(k, 60)
    pid = np.repeat(np.arange(entry.size), k)
    start = entry[pid] + 1 + (rng.random(pid.size) * span[pid]).astype(np.int64)
    length = np.where(rng.random(pid.size) < 0.7, rng.integers(0, 2, pid.size),
                      np.where(rng.random(pid.size) < 0.85, rng.integers(2, 7, pid.size),
                               rng.integers(7, 30, pid.size)))
    stop = np.minimum(start + length, end[pid] - 1)
    frame = pl.DataFrame({"period": pid, "MIS_START": start, "MIS_END": stop}).filter(
        pl.col("MIS_END") >= pl.col("MIS_START")).sort("period", "MIS_START")
    # no overlaps, and none across 31 March (each return holds whole episodes)
    for _ in range(3):
        frame = frame.filter(
            (pl.col("MIS_START") > pl.col("MIS_END").shift(1).over("period")).fill_null(True))
    start_year = start_years(frame["MIS_START"].to_numpy())
    end_year = start_years(frame["MIS_END"].to_numpy())
    frame = frame.filter(pl.Series(start_year == end_year))
    return frame.with_columns(
        MISSING=pl.Series(np.where(rng.random(frame.height) < 0.6, "M", "A")))




def social_workers(rng: np.random.Generator, kids: pl.DataFrame, n_target: int
                   ) -> pl.DataFrame:
    """Each child's social workers from before care until the end of the simulation.

    SW_REASON is the reason for the change of social worker that began the episode (DfE rules
    SW01/SW03 want it on every episode, open ones included).
    """
    first = kids["first_entry"].to_numpy() - rng.integers(30, 400, kids.height)
    last = np.maximum(kids["last_end"].to_numpy(), first + 1)
    years = (last - first) / YEAR
    k = 1 + rng.poisson(m.SW_CHANGE_RATE * years)
    cid = np.repeat(np.arange(kids.height), k)
    pos = np.arange(cid.size) - np.repeat(np.cumsum(k) - k, k)
    span = last[cid] - first[cid]
    cut = first[cid] + np.where(pos == 0, 0, (rng.random(cid.size) * span).astype(np.int64))
    frame = pl.DataFrame({"child": cid, "SW_DECOM": cut}).sort("child", "SW_DECOM").unique(
        ["child", "SW_DECOM"], maintain_order=True)
    pool = max(3, n_target // 12)
    ids = np.char.add("SW", np.char.zfill(rng.permutation(900_000)[:pool].astype(str), 6))
    frame = frame.with_columns(
        SW_DEC=pl.col("SW_DECOM").shift(-1).over("child"),
        SW_ID=pl.Series(ids[rng.integers(0, pool, frame.height)]),
        SW_REASON=pl.Series(_pick(rng, m.SW_REASON_PROBS, frame.height).astype(str)),
    )
    return frame.join(kids.select(pl.int_range(pl.len()).alias("child"),
                                  pl.col("child").alias("child_key")), on="child").drop(
        "child").rename({"child_key": "child"})


def adoption(rng: np.random.Generator, periods: pl.DataFrame) -> pl.DataFrame:
    """Adopters and the reason a decision to adopt was reversed, per adoption-route period."""
    a = periods.filter(pl.col("t_dec") >= 0)
    n = a.height
    couple = rng.random(n) < 0.8
    sex = np.where(couple, _pick(rng, {"MF": 0.85, "FF": 0.08, "MM": 0.07}, n),
                   _pick(rng, {"F1": 0.9, "M1": 0.1}, n))
    # legal status as DfE rules 517-524 read the codes: L11 married different-gender couple,
    # L12 married same-gender couple, L2 civil partners, L3 / L4 unmarried different- /
    # same-gender couple, L0 single adopter
    ls = np.where(~couple, "L0",
                  np.where(sex == "MF", _pick(rng, {"L11": 0.75, "L2": 0.03, "L3": 0.22}, n),
                           _pick(rng, {"L12": 0.40, "L2": 0.35, "L4": 0.25}, n)))
    return a.select("period").with_columns(
        NB_ADOPTR=pl.Series(np.where(couple, "2", "1")), SEX_ADOPTR=pl.Series(sex.astype(str)),
        LS_ADOPTR=pl.Series(ls.astype(str)),
        REASON_PLACED_CEASED=pl.Series(_pick(rng, {"RD1": 0.3, "RD2": 0.2, "RD3": 0.3,
                                                   "RD4": 0.2}, n).astype(str)),
    )


def previous_permanence(rng: np.random.Generator, periods: pl.DataFrame, la_numbers: list[str],
                        own: str) -> pl.DataFrame:
    """Whether a child starting care had an adoption, SGO or residence order before."""
    n = periods.height
    code = _pick(rng, m.PREV_PERM_PROBS, n).astype(str)
    # the order came before the child's first period of care (rule 632 compares it with the
    # child's first episode in the return)
    first = periods.select(pl.col("entry").min().over("child"))["entry"].to_numpy()
    dob = periods["dob"].to_numpy()
    room = first - dob - 120
    code = np.where((room < 60) & (code != "Z1"), "Z1", code)
    when = dob + 60 + (rng.random(n) * np.maximum(room - 60, 1)).astype(np.int64)
    la = np.where(rng.random(n) < 0.7, own, np.array(la_numbers)[rng.integers(0, len(la_numbers), n)])
    # DATE_PERM is text: an order of unknown type (P4) is often known only by its year (ZZ for
    # the day and month), others now and then only by month
    d = pl.col("when").cast(pl.Int32).cast(pl.Date)
    first_day = pl.col("first").cast(pl.Int32).cast(pl.Date)
    year_only = (pl.col("PREV_PERM") == "P4") & (pl.col("u1") < 0.6) & (
        pl.date(d.dt.year(), 12, 31) < first_day)
    month_only = (pl.col("u2") < 0.1) & (d.dt.month_end() < first_day)
    return pl.DataFrame({
        "period": periods["period"], "PREV_PERM": code, "la": la.astype(str), "when": when,
        "first": first, "u1": rng.random(n), "u2": rng.random(n),
    }).select(
        "period", "PREV_PERM",
        LA_PERM=pl.when(pl.col("PREV_PERM") != "Z1").then(pl.col("la")),
        DATE_PERM=pl.when(pl.col("PREV_PERM") == "Z1").then(None)
        .when(year_only).then(pl.lit("ZZ/ZZ/") + d.dt.strftime("%Y"))
        .when(month_only).then(pl.lit("ZZ/") + d.dt.strftime("%m/%Y"))
        .otherwise(d.dt.strftime("%d/%m/%Y")),
    )
