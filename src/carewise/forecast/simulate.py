"""Stochastic and deterministic projection of children looked after, by age band and placement.

Each simulated child carries an age in days and a placement category. Every month each child
may move (to another category or out of care) with the probability implied by the estimated
hazards over that month, 1 − exp(−h·days), the destination chosen in proportion to the
hazards; children age day by day and leave care at 18; entrants arrive as a Poisson number
with ages and first placements drawn from those seen in the reference window.

All runs are simulated at once with numpy arrays (runs × children), no Python loop over
children. Each run draws its own rates from their sampling distribution (Gamma with the
observed counts), so the intervals include the uncertainty of estimating rates from a few
years of one council's data, not only the chance of who moves when (the peer model's ±2σ
covers only the latter).

Common random numbers: the baseline and every scenario use the same random streams (moves,
entries, rates, scenario choices each from their own stream), so their difference reflects the
scenario rather than noise.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy import stats

from carewise.errors import SettingError
from carewise.forecast.effects import Effects
from carewise.forecast.estimate import Rates
from carewise.forecast.states import (
    CARE_ENDS_AT,
    DAYS_PER_YEAR,
    N_BANDS,
    N_CATEGORIES,
    band_of_age_days,
)

AGE_OUT_DAYS = round(CARE_ENDS_AT * DAYS_PER_YEAR)
MAX_HORIZON_MONTHS = 60


def month_ends(origin: date, months: int) -> list[date]:
    """The last day of each of the ``months`` calendar months after ``origin``'s month."""
    if not 1 <= months <= MAX_HORIZON_MONTHS:
        raise SettingError(f"The horizon must be 1 to {MAX_HORIZON_MONTHS} months; {months} was given.")
    out = []
    y, m = origin.year, origin.month
    for _ in range(months):
        m += 1
        if m > 12:
            y, m = y + 1, 1
        out.append(date(y, m, calendar.monthrange(y, m)[1]))
    return out


@dataclass
class StartingPopulation:
    """Children looked after at the origin: age in days and category index."""

    origin: date
    age_days: np.ndarray
    category: np.ndarray

    @property
    def size(self) -> int:
        return int(self.age_days.size)


@dataclass
class Projection:
    """Counts per run: children (dates, runs, bands, categories), entries and exits per step."""

    dates: list[date]
    """The origin, then each step's end."""
    counts: np.ndarray
    entries: np.ndarray
    exits: np.ndarray
    mean: np.ndarray
    """The deterministic (expected-value) projection with the central rates: (dates, bands, categories)."""

    @property
    def runs(self) -> int:
        return int(self.counts.shape[1])

    @property
    def step_days(self) -> np.ndarray:
        return np.array([(b - a).days for a, b in zip(self.dates[:-1], self.dates[1:], strict=True)])


def _lut(max_age: int) -> np.ndarray:
    return band_of_age_days(np.arange(max_age + 1)).astype(np.int16)


def _draw_rates(rates: Rates, runs: int, rng: np.random.Generator, uncertain: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-run hazards (runs, bands, categories, categories + 1) and entry rates per day (runs,)."""
    if uncertain:
        shape = np.broadcast_to(rates.events, (runs, *rates.events.shape))
        draws = rng.gamma(np.maximum(shape, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            q = draws / rates.exposure[None, :, :, None]
        q[~np.isfinite(q)] = 0.0
        lam = rng.gamma(np.full(runs, float(rates.entries))) / rates.days if rates.entries else np.zeros(runs)
    else:
        q = np.broadcast_to(rates.hazards, (runs, *rates.events.shape)).copy()
        lam = np.full(runs, rates.entry_rate)
    idx = np.arange(N_CATEGORIES)
    q[:, :, idx, idx] = 0.0
    return q, lam


def _step_tables(q: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Move probability per (run, state) and cumulative destination shares, with dead sentinels.

    Shapes: (runs, (bands+1)*(categories+1)) and (runs, (bands+1)*(categories+1), categories+1).
    """
    runs = q.shape[0]
    h = q.sum(-1)
    pm = np.zeros((runs, N_BANDS + 1, N_CATEGORIES + 1))
    pm[:, :N_BANDS, :N_CATEGORIES] = -np.expm1(-h * days)
    cum = np.ones((runs, N_BANDS + 1, N_CATEGORIES + 1, N_CATEGORIES + 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.cumsum(q, -1) / h[..., None]
    c[~np.isfinite(c)] = 1.0
    cum[:, :N_BANDS, :N_CATEGORIES] = c
    cum[..., -1] = 1.0
    s = (N_BANDS + 1) * (N_CATEGORIES + 1)
    return pm.reshape(runs, s).astype(np.float32), cum.reshape(runs, s, N_CATEGORIES + 1).astype(np.float32)


def simulate(
    rates: Rates,
    start: StartingPopulation,
    dates: list[date],
    runs: int = 1000,
    seed: int = 0,
    effects: Effects | None = None,
    parameter_uncertainty: bool = True,
) -> Projection:
    """Run ``runs`` stochastic projections from ``start`` to each of ``dates`` (month ends)."""
    if runs < 1:
        raise SettingError("The number of runs must be at least 1.")
    steps = len(dates)
    eff = effects or Effects.none(steps)
    all_dates = [start.origin, *dates]
    step_days = [(b - a).days for a, b in zip(all_dates[:-1], all_dates[1:], strict=True)]
    g_par, g_move, g_entry, g_scen = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4))
    q, lam = _draw_rates(rates, runs, g_par, parameter_uncertainty)
    tables = {d: _step_tables(q, d) for d in set(step_days)}

    pool_age = rates.entrant_age_days.astype(np.int32)
    pool_cat = rates.entrant_category.astype(np.int8)
    pool_n = pool_age.size
    dead = np.int8(N_CATEGORIES)
    width = N_CATEGORIES + 1
    n_states = (N_BANDS + 1) * width

    n0 = start.size
    expected_new = float(lam.max()) * sum(step_days) * float(eff.entry_factor.max()) if pool_n else 0.0
    cap = int(1.3 * n0 + 0.5 * expected_new + 6 * np.sqrt(expected_new + 1) + 16)
    age = np.zeros((runs, cap), dtype=np.int32)
    cat = np.full((runs, cap), dead, dtype=np.int8)
    age[:, :n0] = start.age_days
    cat[:, :n0] = start.category
    too_old = age >= AGE_OUT_DAYS
    cat[too_old] = dead
    age[too_old] = 0
    lut = _lut(AGE_OUT_DAYS + 400).astype(np.int32)
    row = np.arange(runs)

    counts = np.zeros((steps + 1, runs, N_BANDS, N_CATEGORIES), dtype=np.int32)
    entries = np.zeros((steps, runs), dtype=np.int32)
    exits = np.zeros((steps, runs), dtype=np.int32)
    max_new = int(stats.poisson.ppf(1 - 1e-9, float(lam.max()) * max(step_days) * max(1.0, float(eff.entry_factor.max())) + 1)) + 1

    row_off = (row * n_states).astype(np.int32)[:, None]

    def record(t: int) -> np.ndarray:
        """Count children per state; return each slot's flat (run, state) index."""
        sflat = lut[age] * np.int32(width) + cat + row_off
        c = np.bincount(sflat.ravel(), minlength=runs * n_states).reshape(runs, N_BANDS + 1, width)
        counts[t] = c[:, :N_BANDS, :N_CATEGORIES]
        return sflat

    s = record(0)
    for t, d in enumerate(step_days):
        pm, cum = tables[d]
        p = pm.ravel().take(s)
        u = g_move.random(s.shape, dtype=np.float32)
        mr, mi = np.nonzero(u < p)
        v = u[mr, mi] / p[mr, mi]
        dest = (v[:, None] > cum.reshape(-1, width)[s[mr, mi]]).sum(1).astype(np.int8)
        np.minimum(dest, dead, out=dest)
        for red in eff.redirects:
            if red.share[t] > 0:
                sel = np.nonzero(dest == red.source)[0]
                take = sel[g_scen.random(sel.size) < red.share[t]]
                dest[take] = red.target
        cat[mr, mi] = dest
        gone = dest == dead
        age[mr[gone], mi[gone]] = 0  # a free slot; it keeps ageing harmlessly until reused
        exits[t] = np.bincount(mr[gone], minlength=runs)
        new_r, new_i = mr[dest != dead], mi[dest != dead]

        for sd in eff.step_downs:
            if sd.per_year[t] > 0:
                in_source = cat == sd.source
                n_src = in_source.sum(1)
                with np.errstate(divide="ignore", invalid="ignore"):
                    prob = np.where(n_src > 0, np.minimum(1.0, sd.per_year[t] * d / DAYS_PER_YEAR / n_src), 0.0)
                moved = in_source & (g_scen.random(cat.shape) < prob[:, None])
                cat[moved] = sd.target

        age += d
        aged = (age >= AGE_OUT_DAYS) & (cat != dead)
        exits[t] += aged.sum(1, dtype=np.int32)
        cat[aged] = dead
        age[aged] = 0

        if pool_n:
            mu = lam * d * eff.entry_factor[t]
            n_new = stats.poisson.ppf(g_entry.random(runs), mu).astype(np.int64)
            if n_new.max(initial=0) > max_new:
                max_new = int(n_new.max())
            picks = (g_entry.random((runs, max_new)) * pool_n).astype(np.int64)
            fr, fi = np.nonzero(cat == dead)
            free = np.bincount(fr, minlength=runs)
            if (free < n_new).any():
                grow = int((n_new - free).max()) + cap // 4
                age = np.concatenate([age, np.zeros((runs, grow), dtype=age.dtype)], axis=1)
                cat = np.concatenate([cat, np.full((runs, grow), dead, dtype=np.int8)], axis=1)
                cap += grow
                fr, fi = np.nonzero(cat == dead)
                free = np.bincount(fr, minlength=runs)
            rank = np.arange(fr.size) - (np.cumsum(free) - free)[fr]
            use = rank < n_new[fr]
            er, slot = fr[use], fi[use]
            ek = rank[use]
            j = picks[er, ek]
            new_cat = pool_cat[j].copy()
            for red in eff.redirects:
                if red.share[t] > 0:
                    sel = np.nonzero(new_cat == red.source)[0]
                    take = sel[g_scen.random(sel.size) < red.share[t]]
                    new_cat[take] = red.target
            age[er, slot] = pool_age[j]
            cat[er, slot] = new_cat
            entries[t] = n_new
            new_r = np.concatenate([new_r, er])
            new_i = np.concatenate([new_i, slot])

        for capy in eff.capacities:
            in_use = (cat == capy.category).sum(1)
            available = np.maximum(0, start_in_use(start, capy.category) + capy.extra[t] - in_use).astype(np.int64)
            cand = cat[new_r, new_i] == capy.overflow
            cr, ci = new_r[cand], new_i[cand]
            order = np.argsort(cr, kind="stable")
            cr, ci = cr[order], ci[order]
            first = np.searchsorted(cr, cr, side="left")
            rank = np.arange(cr.size) - first
            conv = rank < available[cr]
            cat[cr[conv], ci[conv]] = capy.category

        s = record(t + 1)

    mean = deterministic(rates, start, dates, eff)
    return Projection(dates=all_dates, counts=counts, entries=entries, exits=exits, mean=mean)


def start_in_use(start: StartingPopulation, category: int) -> int:
    return int((start.category == category).sum())


def deterministic(
    rates: Rates,
    start: StartingPopulation,
    dates: list[date],
    effects: Effects | None = None,
) -> np.ndarray:
    """The expected-value projection (dates + 1, bands, categories) with the central rates.

    The same steps as :func:`simulate` applied to expected numbers on a grid of ages in days.
    """
    steps = len(dates)
    eff = effects or Effects.none(steps)
    all_dates = [start.origin, *dates]
    n_age = AGE_OUT_DAYS
    band = band_of_age_days(np.arange(n_age))
    onehot = np.zeros((n_age, N_BANDS))
    onehot[np.arange(n_age), np.minimum(band, N_BANDS - 1)] = 1.0
    q = rates.hazards
    h = q.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = q / h[..., None]
    share[~np.isfinite(share)] = 0.0
    share_a = share[np.minimum(band, N_BANDS - 1)]  # (ages, C, K)

    x = np.zeros((n_age, N_CATEGORIES))
    keep = start.age_days < n_age
    np.add.at(x, (start.age_days[keep], start.category[keep]), 1.0)
    hist = np.zeros((n_age, N_CATEGORIES))
    if rates.entries:
        ok = rates.entrant_age_days < n_age
        np.add.at(hist, (rates.entrant_age_days[ok], rates.entrant_category[ok]), 1.0)
        hist /= rates.entries
    out = np.zeros((steps + 1, N_BANDS, N_CATEGORIES))
    out[0] = onehot.T @ x
    in_use0 = {c.category: float(x[:, c.category].sum()) for c in eff.capacities}
    for t, (a, b) in enumerate(zip(all_dates[:-1], all_dates[1:], strict=True)):
        d = (b - a).days
        pm = -np.expm1(-h * d)[np.minimum(band, N_BANDS - 1)]  # (ages, C)
        movers = x * pm
        inflow = np.einsum("ac,ack->ak", movers, share_a)
        for red in eff.redirects:
            moved = inflow[:, red.source] * red.share[t]
            inflow[:, red.source] -= moved
            inflow[:, red.target] += moved
        x = x - movers + inflow[:, :N_CATEGORIES]
        new_flow = inflow[:, :N_CATEGORIES].copy()
        for sd in eff.step_downs:
            total = x[:, sd.source].sum()
            if sd.per_year[t] > 0 and total > 0:
                frac = min(1.0, sd.per_year[t] * d / DAYS_PER_YEAR / total)
                moved = x[:, sd.source] * frac
                x[:, sd.source] -= moved
                x[:, sd.target] += moved
        x = np.concatenate([np.zeros((d, N_CATEGORIES)), x[: n_age - d]]) if d < n_age else np.zeros_like(x)
        new_flow = np.concatenate([np.zeros((d, N_CATEGORIES)), new_flow[: n_age - d]]) if d < n_age else np.zeros_like(new_flow)
        if rates.entries:
            arrivals = hist * rates.entry_rate * d * eff.entry_factor[t]
            for red in eff.redirects:
                moved = arrivals[:, red.source] * red.share[t]
                arrivals[:, red.source] -= moved
                arrivals[:, red.target] += moved
            x = x + arrivals
            new_flow = new_flow + arrivals
        for capy in eff.capacities:
            available = max(0.0, in_use0[capy.category] + capy.extra[t] - x[:, capy.category].sum())
            flow = new_flow[:, capy.overflow]
            total = flow.sum()
            if total > 0 and available > 0:
                moved = flow * min(1.0, available / total)
                x[:, capy.overflow] -= moved
                x[:, capy.category] += moved
        out[t + 1] = onehot.T @ x
    return out


def add_days(day: date, n: int) -> date:
    return day + timedelta(days=n)
