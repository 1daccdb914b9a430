"""903 returns generated from known forecast rates: to check that fitting recovers them.

The synthetic council generator (``carewise.synth``) aims at realism; this one is the
forecast model itself run forwards in continuous time, so a backtest or a fit on its output
has a known right answer. Children enter as a Poisson process with given ages and first
placements, move between categories and leave care at the given hazards (per day, by age
band), and leave at 18. Their episodes are cut into collection-year returns as a council
would submit them (open episodes have no DEC at 31 March).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from carewise.forecast.states import (
    CATEGORIES,
    DAYS_PER_YEAR,
    N_BANDS,
    N_CATEGORIES,
    band_thresholds_days,
)
from carewise.returns.build import return_from_rows
from carewise.returns.model import Return
from carewise.returns.years import CollectionYear

PLACE_OF: dict[str, tuple[str, str]] = {
    "fostering_in_house": ("U6", "PR1"),
    "fostering_agency": ("U6", "PR4"),
    "family_and_friends": ("U3", "PR1"),
    "residential": ("K2", "PR4"),
    "supported": ("H5", "PR4"),
    "placed_with_parents": ("P1", "PR0"),
    "adoption": ("A5", "PR1"),
    "other": ("Z1", "PR4"),
}
"""A PLACE and PLACE_PROVIDER that carewise reads back as each category."""


@dataclass
class KnownRates:
    """A forecast model's parameters: hazards per day (bands, categories, categories + 1)."""

    hazards: np.ndarray
    entries_per_year: float
    entrant_age_years: np.ndarray
    """Ages (whole years) entrants are drawn from, equally likely."""
    entrant_category: np.ndarray
    """First placement category index for each of ``entrant_age_years``."""


def example_rates() -> KnownRates:
    """A plausible council: most children fostered, older ones in residential and supported care."""
    q = np.zeros((N_BANDS, N_CATEGORIES, N_CATEGORIES + 1))
    ih, ag, ff, res, sup, par, ado, oth = range(N_CATEGORIES)
    exit_ = N_CATEGORIES
    per_year = 1 / DAYS_PER_YEAR
    for b in range(N_BANDS):
        q[b, ih, ag], q[b, ag, ih] = 0.15 * per_year, 0.05 * per_year
        q[b, ih, exit_], q[b, ag, exit_] = 0.25 * per_year, 0.2 * per_year
        q[b, ff, exit_], q[b, par, exit_] = 0.35 * per_year, 0.6 * per_year
        q[b, oth, ih], q[b, oth, exit_] = 1.0 * per_year, 1.0 * per_year
    q[:2, ih, ado], q[:2, ag, ado], q[:2, ado, exit_] = 0.3 * per_year, 0.2 * per_year, 2.0 * per_year
    q[3:, ag, res], q[3:, res, ag], q[3:, res, exit_] = 0.08 * per_year, 0.2 * per_year, 0.3 * per_year
    q[4, ih, sup], q[4, ag, sup], q[4, sup, exit_] = 0.3 * per_year, 0.3 * per_year, 0.5 * per_year
    ages = np.array([0, 0, 0, 1, 2, 4, 6, 8, 10, 12, 13, 14, 14, 15, 15, 16, 16, 17])
    cats = np.array([ih, ag, par, ih, ff, ag, ih, ag, ih, ag, res, ag, oth, ih, res, sup, ag, sup])
    return KnownRates(hazards=q, entries_per_year=60.0, entrant_age_years=ages, entrant_category=cats)


def simulate_episodes(known: KnownRates, start: date, end: date, seed: int = 0, warm_up_years: int = 18) -> pl.DataFrame:
    """Episodes (CHILD, DOB, DECOM, DEC, category, entry, reason) from ``start - warm_up`` to ``end``.

    Exact continuous-time simulation, vectorised over children: each round draws every active
    child's next event (a move, leaving care, or the next band birthday, after which the
    memoryless clock restarts).
    """
    rng = np.random.default_rng(seed)
    t0 = start.toordinal() - round(warm_up_years * DAYS_PER_YEAR)
    t1 = end.toordinal()
    n = rng.poisson(known.entries_per_year * (t1 - t0) / DAYS_PER_YEAR)
    entry_day = np.sort(rng.uniform(t0, t1, n))
    pick = rng.integers(0, known.entrant_age_years.size, n)
    age_at_entry = (known.entrant_age_years[pick] + rng.uniform(0, 1, n)) * DAYS_PER_YEAR
    dob = np.floor(entry_day - age_at_entry)
    t = np.floor(entry_day)
    cat = known.entrant_category[pick].astype(np.int64)
    thresholds = band_thresholds_days()
    child = np.arange(n)
    seg_child, seg_start, seg_end, seg_cat = [], [], [], []
    active = np.ones(n, dtype=bool)
    seg_from = t.copy()
    total = known.hazards.sum(-1)
    while active.any():
        idx = np.nonzero(active)[0]
        age = t[idx] - dob[idx]
        band = np.minimum(np.searchsorted(thresholds, age, side="right"), N_BANDS - 1)
        next_boundary = dob[idx] + thresholds[band]
        h = total[band, cat[idx]]
        with np.errstate(divide="ignore"):
            wait = np.where(h > 0, rng.exponential(1.0, idx.size) / np.where(h > 0, h, 1), np.inf)
        event_t = t[idx] + wait
        censored = np.minimum(event_t, next_boundary) >= t1
        if censored.any():
            ci = idx[censored]
            seg_child.append(child[ci])
            seg_start.append(seg_from[ci].copy())
            seg_end.append(np.full(ci.size, np.inf))
            seg_cat.append(cat[ci].copy())
            active[ci] = False
            keep = ~censored
            idx, band, next_boundary, event_t = idx[keep], band[keep], next_boundary[keep], event_t[keep]
            h = h[keep]
        birthday = event_t >= next_boundary
        # Band birthday first: the child ages (and leaves at 18); the clock restarts.
        t[idx[birthday]] = next_boundary[birthday]
        aged_out = birthday & (band == N_BANDS - 1)
        moving = ~birthday
        mi = idx[moving]
        t[mi] = np.floor(event_t[moving])
        probs = known.hazards[band[moving], cat[mi]] / h[moving][:, None]
        u = rng.random(mi.size)
        dest = (u[:, None] > np.cumsum(probs, axis=1)).sum(1)
        ends = np.concatenate([idx[aged_out], mi])
        seg_child.append(child[ends])
        seg_start.append(seg_from[ends].copy())
        seg_end.append(t[ends].copy())
        seg_cat.append(cat[ends].copy())
        leave = np.concatenate([np.ones(aged_out.sum(), dtype=bool), dest == N_CATEGORIES])
        stay = ends[~leave]
        cat[stay] = dest[dest != N_CATEGORIES]
        seg_from[stay] = t[stay]
        active[ends[leave]] = False
    frame = pl.DataFrame(
        {
            "child": np.concatenate(seg_child).astype(np.int64),
            "start": np.concatenate(seg_start).astype(np.int64),
            "end": np.minimum(np.concatenate(seg_end), t1 + 1).astype(np.int64),
            "category": np.concatenate(seg_cat).astype(np.int64),
        }
    )
    frame = frame.filter(pl.col("end") > pl.col("start"))
    frame = frame.with_columns(pl.when(pl.col("end") > t1).then(None).otherwise(pl.col("end")).alias("end"))
    epoch = date(1, 1, 1).toordinal()
    to_date = lambda col: (pl.lit(date(1, 1, 1)) + pl.duration(days=pl.col(col) - epoch))  # noqa: E731
    dobs = pl.DataFrame({"child": child, "dob": dob.astype(np.int64)})
    frame = frame.join(dobs, on="child").sort(["child", "start"])
    return frame.with_columns(
        pl.format("K{}", pl.col("child")).alias("CHILD"),
        to_date("dob").alias("DOB"),
        to_date("start").alias("DECOM"),
        to_date("end").alias("DEC"),
        pl.col("category").map_elements(lambda i: CATEGORIES[i], return_dtype=pl.String).alias("category_name"),
        (pl.col("start") != pl.col("end").shift(1).over("child")).fill_null(True).alias("entry"),
    ).filter(pl.col("start") < t1 + 1)


def returns_from_episodes(episodes: pl.DataFrame, years: list[CollectionYear]) -> list[Return]:
    """Cut episodes into collection-year returns as a council would submit them."""
    out = []
    fmt = "%d/%m/%Y"
    for year in years:
        in_year = episodes.filter(
            (pl.col("DECOM") <= year.end) & (pl.col("DEC").is_null() | (pl.col("DEC") >= year.start))
        ).with_columns(
            pl.when(pl.col("DEC") > year.end).then(None).otherwise(pl.col("DEC")).alias("DEC"),
        )
        next_entry = pl.col("entry").shift(-1).over("CHILD").fill_null(True)
        rows = in_year.with_columns(
            pl.col("category_name").replace_strict({k: v[0] for k, v in PLACE_OF.items()}).alias("PLACE"),
            pl.col("category_name").replace_strict({k: v[1] for k, v in PLACE_OF.items()}).alias("PLACE_PROVIDER"),
            pl.when(pl.col("entry")).then(pl.lit("S")).otherwise(pl.lit("P")).alias("RNE"),
            pl.when(pl.col("DEC").is_null()).then(None).when(next_entry).then(pl.lit("E8")).otherwise(pl.lit("X1")).alias("REC"),
            pl.col("DECOM").dt.strftime(fmt),
            pl.col("DEC").dt.strftime(fmt),
            pl.lit("C2").alias("LS"),
            pl.lit("N1").alias("CIN"),
        ).select("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC")
        header = in_year.select("CHILD", pl.col("DOB").dt.strftime(fmt)).unique("CHILD", maintain_order=True).with_columns(
            pl.lit("1").alias("SEX"), pl.lit("WBRI").alias("ETHNIC")
        )
        out.append(return_from_rows(year, episodes=rows.to_dicts(), header=header.to_dicts()))
    return out


def known_council(known: KnownRates | None = None, first_year: int = 2019, last_year: int = 2024, seed: int = 0) -> list[Return]:
    """Returns for collection years ``first_year``..``last_year`` generated from ``known`` rates."""
    known = known or example_rates()
    years = [CollectionYear(y) for y in range(first_year, last_year + 1)]
    eps = simulate_episodes(known, years[0].start, years[-1].end, seed=seed)
    return returns_from_episodes(eps, years)


def _unused() -> timedelta:  # pragma: no cover - keeps the import list honest for type checkers
    return timedelta(0)
