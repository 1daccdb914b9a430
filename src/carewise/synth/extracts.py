"""Synthetic local extracts (visits, health, PEPs, RHIs, pathway plans, PA work, allocations).

They are generated from a council's stitched 903 history so that they agree with it: visits run
per placement, health assessments per period of care, PEPs per school term of school-age
children, return home interviews per missing episode, pathway plans and Personal Adviser
contacts per care leaver. Timeliness is drawn per social worker (a team effect plus a worker
effect), so teams and workers differ as they do in real councils; the default rates are around
what councils report (about 88% of visits on time, 85% of health assessments, 70% of return home
interviews within 72 hours, Missing People 2024 found 63% nationally). Everything is vectorised
with numpy: no loop over children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from carewise.codes import LONG_TERM_FOSTERING, PLACED_FOR_ADOPTION
from carewise.compliance import cohort
from carewise.compliance.extracts import EXTRACTS, schema_of
from carewise.history import History
from carewise.returns.years import age_expr

if TYPE_CHECKING:
    from carewise.synth.council import SyntheticCouncil

EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Rates:
    """Average on-time shares (workers vary around these)."""

    visits: float = 0.86
    health: float = 0.82
    dental: float = 0.8
    pep: float = 0.88
    rhi: float = 0.7
    pathway: float = 0.85
    pa_contact: float = 0.85
    children_per_worker: int = 15
    workers_per_team: int = 7
    leavers_per_adviser: int = 23


def _days(col: pl.Series) -> np.ndarray:
    return col.cast(pl.Date).cast(pl.Int64).to_numpy()


def _dates(values: np.ndarray) -> pl.Series:
    return pl.Series(values.astype(np.int64)).cast(pl.Date)


def _series(rng: np.random.Generator, start: np.ndarray, end: np.ndarray, first: np.ndarray,
            base: np.ndarray, p: np.ndarray, max_n: int, long_after: np.ndarray | None = None,
            long_base: float = 91.0) -> tuple[np.ndarray, np.ndarray]:
    """Event days for many clocks at once: (clock index, day). The first event is due ``first``
    days after ``start``, each next one ``base`` days after the previous (``long_base`` once a
    year has passed for clocks flagged ``long_after``); each is on time with probability ``p``."""
    n = start.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    on = rng.random((n, max_n)) < p[:, None]
    frac = rng.uniform(0.45, 1.0, (n, max_n))
    late = rng.uniform(1.0, 25.0, (n, max_n))
    b = np.repeat(base[:, None].astype(float), max_n, axis=1)
    b[:, 0] = first
    gaps = np.where(on, np.maximum(1, np.floor(b * frac)), b + np.ceil(late))
    pos = start[:, None] + np.cumsum(gaps, axis=1)
    if long_after is not None:
        stretch = (pos - start[:, None] > 365) & long_after[:, None]
        stretch[:, 0] = False
        b2 = np.where(stretch, long_base, b)
        gaps = np.where(on, np.maximum(1, np.floor(b2 * frac)), b2 + np.ceil(late))
        pos = start[:, None] + np.cumsum(gaps, axis=1)
    keep = pos <= end[:, None]
    idx = np.nonzero(keep)
    return idx[0], pos[idx].astype(np.int64)


def _worker_effects(rng: np.random.Generator, n_workers: int, team_of: np.ndarray) -> np.ndarray:
    """How much better or worse than average each worker is at timeliness (team + own)."""
    team_effect = rng.normal(0, 0.04, team_of.max() + 1 if team_of.size else 1)
    effect = team_effect[team_of] + rng.normal(0, 0.04, n_workers)
    return effect - effect.mean()  # the council's average stays at the rates asked for


def generate_extracts(history: History, seed: int = 1, rates: Rates | None = None,
                      as_at: date | None = None) -> dict[str, pl.DataFrame]:
    """Every local extract for the council in ``history``, typed as the extract specs say."""
    r = rates or Rates()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 903]))
    last = min(as_at or history.last_date or date.today(), date.today())
    first = history.first_date or last.replace(year=last.year - 1)
    end_day = (last - EPOCH).days
    first_day = (first - EPOCH).days
    per = cohort.periods(history, last)
    plc = cohort.placements(history, last)

    # workers and teams: one allocation per period, changing about once a year
    n_children = max(1, per["CHILD"].n_unique())
    n_workers = max(3, round(n_children / (r.children_per_worker * 2.5)))
    n_teams = max(1, round(n_workers / r.workers_per_team))
    team_of = rng.integers(0, n_teams, n_workers)
    worker_p = _worker_effects(rng, n_workers, team_of)
    p_start = np.maximum(_days(per["start"]), first_day - 400)
    p_end = np.where(per["end"].is_null().to_numpy(), end_day, _days(per["end"].fill_null(last)))
    idx, change = _series(rng, p_start, p_end, np.full(p_start.shape, 365.0), np.full(p_start.shape, 365.0),
                          np.zeros(p_start.shape), 12)
    seg_start = np.concatenate([p_start, change])
    seg_period = np.concatenate([np.arange(p_start.shape[0]), idx])
    order = np.lexsort((seg_start, seg_period))
    seg_start, seg_period = seg_start[order], seg_period[order]
    nxt = np.append(seg_start[1:], 0)
    same = np.append(seg_period[1:] == seg_period[:-1], False)
    seg_end = np.where(same, nxt - 1, p_end[seg_period])
    worker = rng.integers(0, n_workers, len(seg_start))
    alloc = pl.DataFrame({
        "child": per["CHILD"].to_numpy()[seg_period],
        "worker": [f"SW{w + 1:03d}" for w in worker],
        "team": [f"Children in care {t + 1}" for t in team_of[worker]],
        "start": _dates(seg_start),
        "end": pl.Series(np.where(seg_end >= end_day, -1, seg_end)).cast(pl.Int64),
    }).with_columns(pl.when(pl.col("end") < 0).then(None).otherwise(pl.col("end")).cast(pl.Date).alias("end"))
    alloc = alloc.filter(pl.col("start") <= last)

    def worker_at(children: pl.Series, days: np.ndarray) -> np.ndarray:
        """On-time propensity of the worker allocated to each child on each day."""
        probe = pl.DataFrame({"child": children, "d": _dates(days), "i": np.arange(days.shape[0])})
        a = alloc.select("child", pl.col("start").alias("d"), pl.col("worker")).sort("d")
        got = probe.sort("d").join_asof(a, on="d", by="child", strategy="backward",
                                        check_sortedness=False).sort("i")
        w = got["worker"].fill_null("SW001").str.slice(2).cast(pl.Int64).to_numpy() - 1
        return worker_p[w]

    out: dict[str, pl.DataFrame] = {"allocations": alloc}

    # visits per placement
    v_start = _days(plc["start"])
    v_end = np.where(plc["end"].is_null().to_numpy(), end_day, _days(plc["end"].fill_null(last)))
    p = np.clip(r.visits + worker_at(plc["CHILD"], v_start), 0.3, 0.995)
    lt = plc["PLACE"].is_in(LONG_TERM_FOSTERING).fill_null(False).to_numpy()
    i, d = _series(rng, v_start, v_end, np.full(v_start.shape, 7.0), np.full(v_start.shape, 42.0), p,
                   70, long_after=lt)
    # placed for adoption (AAR 2005 reg 36): weekly visits for the first four weeks as well
    adopt = np.flatnonzero(plc["PLACE"].is_in(PLACED_FOR_ADOPTION).fill_null(False).to_numpy())
    weeks = np.repeat(adopt, 4)
    wd = v_start[weeks] + np.tile(np.arange(4), adopt.shape[0]) * 7 + np.where(
        rng.random(weeks.shape[0]) < p[weeks], rng.integers(2, 8, weeks.shape[0]), rng.integers(8, 12, weeks.shape[0]))
    inside = wd <= v_end[weeks]
    i, d = np.concatenate([i, weeks[inside]]), np.concatenate([d, wd[inside]])
    keep = d >= first_day
    dob = _days(plc["DOB"].fill_null(date(2010, 1, 1)))
    out["visits"] = pl.DataFrame({
        "child": plc["CHILD"].to_numpy()[i[keep]], "date": _dates(d[keep]),
        "seen_alone": (rng.random(keep.sum()) < np.where(d[keep] - dob[i[keep]] > 4 * 365, 0.8, 0.0)),
    }).unique(["child", "date"], keep="first", maintain_order=True)

    # health: IHA per period, RHAs after it, dental checks
    ps, pe = _days(per["start"]), p_end
    pdob = _days(per["DOB"].fill_null(date(2010, 1, 1)))
    p = np.clip(r.health + worker_at(per["CHILD"], ps), 0.3, 0.995)
    on = rng.random(ps.shape[0]) < p
    iha = ps + np.where(on, rng.integers(5, 27, ps.shape[0]), rng.integers(30, 90, ps.shape[0]))
    has_iha = (iha <= pe) & (iha >= first_day)
    under5 = (iha - pdob) < 5 * 365
    base = np.where(under5, 182.0, 365.0)
    anchor = np.where(ps < first_day, first_day - rng.integers(0, 300, ps.shape[0]), iha)
    i, d = _series(rng, anchor, pe, base, base, p, 12)
    keep = d >= first_day
    out["health_assessments"] = pl.concat([
        pl.DataFrame({"child": per["CHILD"].to_numpy()[has_iha], "date": _dates(iha[has_iha]),
                      "type": "initial"}),
        pl.DataFrame({"child": per["CHILD"].to_numpy()[i[keep]], "date": _dates(d[keep]), "type": "review"}),
    ])
    pd_ = np.clip(r.dental + worker_at(per["CHILD"], ps) * 0.5, 0.3, 0.995)
    anchor = np.where(ps < first_day, first_day - rng.integers(0, 330, ps.shape[0]), ps)
    i, d = _series(rng, anchor, pe, np.full(ps.shape, 365.0), np.full(ps.shape, 365.0), pd_, 12)
    keep = d >= first_day
    out["dental_checks"] = pl.DataFrame({"child": per["CHILD"].to_numpy()[i[keep]], "date": _dates(d[keep])})

    out["peps"] = _peps(rng, history, per, last, first, r, worker_at)
    out["return_home_interviews"] = _rhis(rng, history, last, first, r)
    pathway, pa_alloc, contacts = _leavers(rng, history, last, first, r)
    out["pathway_plans"], out["pa_allocations"], out["pa_contacts"] = pathway, pa_alloc, contacts
    return {k: v.select([pl.col(c).cast(t) for c, t in schema_of(EXTRACTS[k]).items()])
            .sort(["child", EXTRACTS[k].date_column]) for k, v in out.items()}


def _peps(rng, history, per, last, first, r, worker_at) -> pl.DataFrame:
    from carewise.compliance.rules import in_force
    from carewise.compliance.schedule import terms

    spec = in_force(last).requirements["pep"].extra["terms"]
    t = terms(first, last, spec).filter(pl.col("t_end") >= first)
    end = pl.coalesce(pl.col("end"), pl.lit(last))
    age = pl.col("sy").dt.year() - pl.col("DOB").dt.year()
    inst = per.join(t, how="cross").filter(
        ((pl.min_horizontal(end, pl.col("t_end")) - pl.max_horizontal("start", "t_start")).dt.total_days() >= 28)
        & age.is_between(5, 15) & (pl.col("t_start") <= last)
    )
    if inst.height == 0:
        return EXTRACTS["peps"].empty()
    ts, te = _days(inst["t_start"]), _days(inst["t_end"])
    st = np.maximum(ts, _days(inst["start"]))
    p = np.clip(r.pep + worker_at(inst["CHILD"], te), 0.3, 0.995)
    u = rng.random(ts.shape[0])
    day = np.where(u < p, st + np.floor((te - st) * rng.uniform(0.2, 0.95, ts.shape[0])),
                   te + rng.integers(1, 40, ts.shape[0]))
    held = (u < p + (1 - p) * 0.6) & (day <= (last - EPOCH).days)
    termly = pl.DataFrame({"child": inst["CHILD"].filter(held), "date": _dates(day[held]),
                           "term": inst["term"].filter(held)})
    # the first PEP of a period of care (within 20 school days of coming into care, mostly):
    # school-age children on the 31 August before it began; the term is read from the date
    sy = pl.date(pl.when(pl.col("start").dt.month() >= 9).then(pl.col("start").dt.year())
                 .otherwise(pl.col("start").dt.year() - 1), 8, 31)
    new = per.filter((pl.col("start") >= first) & age_expr(pl.col("DOB"), sy).is_between(4, 15))
    ns = _days(new["start"])
    on = rng.random(ns.shape[0]) < np.clip(r.pep + worker_at(new["CHILD"], ns), 0.3, 0.995)
    fday = ns + np.where(on, rng.integers(5, 26, ns.shape[0]), rng.integers(30, 70, ns.shape[0]))
    ends = np.where(new["end"].is_null().to_numpy(), (last - EPOCH).days, _days(new["end"].fill_null(last)))
    kept = (fday <= ends) & (fday <= (last - EPOCH).days)
    first_peps = pl.DataFrame({"child": new["CHILD"].filter(kept), "date": _dates(fday[kept]),
                               "term": pl.Series([None] * int(kept.sum()), dtype=pl.String)})
    return pl.concat([termly, first_peps])


def _rhis(rng, history, last, first, r) -> pl.DataFrame:
    miss = history.table("missing").filter(
        (pl.col("MISSING") == "M") & pl.col("MIS_END").is_not_null() & (pl.col("MIS_END") <= last)
        & (pl.col("MIS_END") >= first)
    ).unique(["CHILD", "MIS_START"], maintain_order=True)  # the same rows in the same order for a seed
    n = miss.height
    if n == 0:
        return EXTRACTS["return_home_interviews"].empty()
    offered = rng.random(n) < 0.95
    on = rng.random(n) < r.rhi / 0.95
    back = _days(miss["MIS_END"])
    day = back + np.where(on, rng.integers(0, 4, n), rng.integers(4, 15, n))
    day = np.minimum(day, (last - EPOCH).days)
    return pl.DataFrame({
        "child": miss["CHILD"], "missing_start": miss["MIS_START"], "offered": offered,
        "accepted": pl.Series(np.where(offered, rng.random(n) < 0.6, False)),
        "date": pl.Series(np.where(offered, day, -1)).cast(pl.Int64),
    }).with_columns(pl.when(pl.col("date") < 0).then(None).otherwise(pl.col("date")).cast(pl.Date).alias("date"))


def _leavers(rng, history, last, first, r) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    elig = cohort.eligibility(history, last)
    end_day, first_day = (last - EPOCH).days, (first - EPOCH).days
    if elig.height == 0:
        return EXTRACTS["pathway_plans"].empty(), EXTRACTS["pa_allocations"].empty(), EXTRACTS["pa_contacts"].empty()
    dob = _days(elig["DOB"])
    ef = _days(elig["eligible_from"])
    to25 = rng.random(elig.height) < 0.72
    stop = np.where(to25, dob + int(25 * 365.25), dob + int(21 * 365.25)) - 1
    stop = np.minimum(stop, end_day)
    p = np.full(ef.shape, r.pathway)
    i, d = _series(rng, ef, stop, np.full(ef.shape, 91.0), np.full(ef.shape, 182.0), p, 20)
    keep = d >= first_day
    pathway = pl.DataFrame({"child": elig["CHILD"].to_numpy()[i[keep]], "date": _dates(d[keep])})
    # PA from 17½ or leaving care, to 21 (25 for those who keep support)
    per = cohort.periods(history, last)
    left = per.filter(pl.col("end").is_not_null()).group_by("CHILD").agg(pl.col("end").max().alias("left"))
    e = elig.join(left, on="CHILD", how="left")
    pa_from = np.minimum(dob + int(17.5 * 365.25), np.where(e["left"].is_null().to_numpy(), 10**6,
                                                             _days(e["left"].fill_null(last))))
    pa_from = np.maximum(pa_from, ef)
    has = pa_from <= stop
    n_adv = max(1, round(has.sum() / r.leavers_per_adviser))
    adviser = rng.integers(0, n_adv, elig.height)
    alloc_end = np.where(stop >= end_day, -1, stop)
    pa_alloc = pl.DataFrame({
        "child": elig["CHILD"], "adviser": [f"PA{a + 1:02d}" for a in adviser],
        "start": _dates(pa_from), "end": pl.Series(alloc_end).cast(pl.Int64),
    }).filter(pl.Series(has)).with_columns(
        pl.when(pl.col("end") < 0).then(None).otherwise(pl.col("end")).cast(pl.Date).alias("end"))
    left_day = np.where(e["left"].is_null().to_numpy(), end_day + 1, _days(e["left"].fill_null(last)) + 1)
    p = np.full(ef.shape, r.pa_contact)
    i, d = _series(rng, left_day, stop, np.full(ef.shape, 7.0), np.full(ef.shape, 61.0), p, 60)
    keep = d >= first_day
    contacts = pl.DataFrame({"child": elig["CHILD"].to_numpy()[i[keep]], "date": _dates(d[keep]),
                             "adviser": [f"PA{adviser[k] + 1:02d}" for k in i[keep]]})
    return pathway, pa_alloc, contacts


def extracts_for_council(council: SyntheticCouncil, seed: int | None = None, rates: Rates | None = None) -> dict[str, pl.DataFrame]:
    """Extracts for a ``carewise.synth.generate_council`` result (its returns stitched)."""
    from carewise.history import stitch

    return generate_extracts(stitch(council.returns), council.seed if seed is None else seed, rates)


def write_extracts(frames: dict[str, pl.DataFrame], folder: str | Path) -> list[Path]:
    """One CSV per extract (dates as DD/MM/YYYY, booleans as Y/N), named after the extract."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, frame in frames.items():
        text = frame.with_columns(
            pl.when(pl.col(c)).then(pl.lit("Y")).otherwise(pl.lit("N")).alias(c)
            for c, t in frame.schema.items() if t == pl.Boolean
        )
        path = out / f"{kind}.csv"
        text.write_csv(path, null_value="", date_format="%d/%m/%Y")
        written.append(path)
    return written

