"""Stochastic and deterministic projection of children looked after, by age band and placement.

The simulation follows every child of every run (children looked after at the origin, then each
entrant): their placement category, birth month and the month their period of care began, so
their age and time in care are known to the month at every step (care ends at 18; time in care
is counted to two years, then "two years or more"). Every month, in each run:

- **moves**: a child's hazard of moving (to another placement or out of care) depends on their
  placement, age band and time in care (:mod:`estimate`). Each child holds an Exp(1) clock that
  runs down by hazard × days each step; when it runs out the child moves and draws a new clock,
  so in a step of d days a child moves with chance 1 − exp(−h·d), independently of earlier steps
  (the exponential's lack of memory) — one draw per move, not one per child per month. The
  destination is drawn in proportion to the hazards;
- **ageing**: everyone is a month older and a month longer in care (nothing to update: ages and
  times in care follow from the step); those reaching 18 leave care;
- **entries**: a Poisson number per run, with ages and first placements drawn from those seen in
  the reference window; an entrant may leave again before the month ends (the first month's
  exit hazard over the part of the month after their arrival).

Each run draws its own rates from their sampling distribution (Gamma with the observed counts),
so the intervals include the uncertainty of estimating rates from a few years of one council's
data, not only the chance of who moves when (the peer model's ±2σ covers only the latter).

Common random numbers: every random number is a function of (seed, what it is for, step, child)
— a counter-based generator (SplitMix64) keyed by the child's id (run, and their number among
the children at the origin or among the step's entrants) — so the baseline and a scenario use
the same number for the same child's decision however many other draws differ between them,
and their difference reflects the scenario rather than noise.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from carewise.errors import SettingError
from carewise.forecast.effects import Effects
from carewise.forecast.estimate import PRIOR_EXITS, Rates
from carewise.forecast.states import (
    AGE_BANDS,
    CARE_ENDS_AT,
    DAYS_PER_YEAR,
    DURATION_BANDS,
    N_BANDS,
    N_CATEGORIES,
    N_DURATIONS,
    SETTLED_MONTHS,
)

AGE_OUT_DAYS = round(CARE_ENDS_AT * DAYS_PER_YEAR)
MAX_HORIZON_MONTHS = 60
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
AGE_MONTHS = CARE_ENDS_AT * 12
"""Ages simulated: 0 to 215 completed months; at 216 (the 18th birthday) care ends."""
BAND_EDGES = np.array([b.low * 12 for b in AGE_BANDS] + [AGE_MONTHS])
BAND_OF_MONTH = np.searchsorted(BAND_EDGES[1:], np.arange(AGE_MONTHS), side="right")


def month_band_shares() -> np.ndarray:
    """(SETTLED_MONTHS + 1, N_DURATIONS): for each whole month in care ``m`` as the projection
    counts it — at a step's middle, rounded to the nearest month, so the time in care then lies in
    [m − ½, m + ½) — the share of that month in each time-in-care band. An entrant's first full
    month (m = 1) is half "under 1 month", half "1–3 months"; the last row (two years or more)
    is all the last band.

    Why: giving month m the whole hazard of the band it rounds into moved every child into the
    next band half a month early — an entrant had half a month of the "under 1 month" hazard
    instead of a month, so too few entrants left care quickly. On the synthetic councils, whose
    first-month hazard is not much above the next band's, it changed little (16 medium
    council-years: newcomers still looked after a year on 2,860 → 2,854 predicted, 2,759 seen)."""
    lows = np.array([b.low for b in DURATION_BANDS], dtype=float)
    highs = np.array([np.inf if b.high is None else b.high for b in DURATION_BANDS], dtype=float)
    m = np.arange(SETTLED_MONTHS + 1, dtype=float)
    lo, hi = np.maximum(m - 0.5, 0.0), m + 0.5
    overlap = np.clip(np.minimum(hi[:, None], highs[None, :]) - np.maximum(lo[:, None], lows[None, :]), 0.0, None)
    shares = overlap / overlap.sum(1, keepdims=True)
    shares[-1] = 0.0
    shares[-1, -1] = 1.0
    return shares


_TIME_CLASSES, TIME_CLASS_OF_MONTH = np.unique(month_band_shares(), axis=0, return_inverse=True)
"""The distinct mixes of time-in-care bands (rows: classes) and each whole month's class: the
projection's time-in-care cells (:func:`month_band_shares`)."""
TIME_CLASS_OF_MONTH = TIME_CLASS_OF_MONTH.ravel()
N_TIME_CLASSES = int(_TIME_CLASSES.shape[0])


def by_time_class(band_values: np.ndarray, axis: int) -> np.ndarray:
    """Values per time-in-care band (on ``axis``) as values per time class: each class's mix of
    its bands (hazards over a month that spans two bands are averaged by the days in each)."""
    moved = np.moveaxis(band_values, axis, -1) @ _TIME_CLASSES.T
    return np.moveaxis(moved, -1, axis)



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


def age_months(age_days: np.ndarray) -> np.ndarray:
    """Completed months of age from days (365.25 / 12 days a month)."""
    return np.floor(np.asarray(age_days) / DAYS_PER_MONTH).astype(np.int64)


def ageing_shifts(step_days: list[int]) -> np.ndarray:
    """Months each step ages the children: whole months elapsed since the origin, step by step."""
    elapsed = np.rint(np.cumsum([0, *step_days]) / DAYS_PER_MONTH).astype(np.int64)
    return np.diff(elapsed)


@dataclass
class StartingPopulation:
    """Children looked after at the origin: age in days and category index."""

    origin: date
    age_days: np.ndarray
    category: np.ndarray
    care_days: np.ndarray | None = None
    """Days in the current period of care at the origin (None: not known, taken as two years or more)."""

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


# ---- counter-based random numbers (common random numbers) --------------------------------

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))

# What a random number is for: each purpose has its own stream.
_DEST, _N_ENTRY, _ENTRANT, _REDIRECT = 2, 3, 4, 7  # _REDIRECT + 2i (moves), + 2i + 1 (entrants)
_FIRST_EXIT, _ENTRANT_CELL, _CLOCK, _NEW_CLOCK, _STEP_DOWN = 1000, 1001, 1002, 1003, 1004  # _STEP_DOWN + i


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection on 64-bit integers with full avalanche."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


class _Streams:
    """Uniforms in [0, 1) addressed by (seed, purpose, step, id): the SplitMix64 sequence."""

    def __init__(self, seed: int) -> None:
        self.seed = np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)

    def uniform(self, purpose: int, step: int, ids: np.ndarray) -> np.ndarray:
        key = _mix(self.seed + _GAMMA)
        key = _mix(key ^ np.array([purpose + 1], dtype=np.uint64) * _GAMMA)
        key = _mix(key ^ np.array([step + 1], dtype=np.uint64) * _GAMMA)
        # _mix(key + (ids + 1) * γ) written in place: the same numbers, a third of the memory traffic
        z = np.asarray(ids).astype(np.uint64)
        z += np.uint64(1)
        z *= _GAMMA
        z += key
        t = z >> _S30
        z ^= t
        z *= _M1
        np.right_shift(z, _S27, out=t)
        z ^= t
        z *= _M2
        np.right_shift(z, _S31, out=t)
        z ^= t
        z >>= _S11
        u = z.astype(np.float64)
        u *= 1.0 / 9007199254740992.0
        return u


def _poisson(mu: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson(mu) draws by inversion of the uniforms ``u`` (scipy's quantile for huge means):
    the number of cumulative probabilities P(X ≤ k) below u, from a table of k up to far in the
    tail (mean + 8 standard deviations + 10: beyond it lies less than 1e-13 of the probability),
    each probability the previous one × mu / k."""
    mu = np.asarray(mu, dtype=np.float64)
    if not mu.size:
        return np.zeros(mu.shape, dtype=np.int64)
    if mu.max() > 600:  # e^-mu would underflow: scipy's quantile function instead
        from scipy import stats  # only for national-size means: importing it costs ~1 s at start-up

        return np.maximum(stats.poisson.ppf(u, mu), 0).astype(np.int64)
    top = int(np.ceil(mu.max() + 8 * np.sqrt(mu.max()) + 10))
    k = np.arange(1, top + 1)
    out = np.empty(mu.shape, dtype=np.int64)
    flat_mu, flat_u, flat_out = mu.ravel(), np.asarray(u).ravel(), out.reshape(-1)
    for lo in range(0, flat_mu.size, 1 << 14):  # bounded memory for long arrays
        m = flat_mu[lo:lo + (1 << 14)]
        cdf = np.empty((m.size, top + 1))
        cdf[:, 0] = 1.0
        np.cumprod(m[:, None] / k, axis=1, out=cdf[:, 1:])
        cdf *= np.exp(-m)[:, None]
        np.cumsum(cdf, axis=1, out=cdf)
        flat_out[lo:lo + m.size] = np.minimum(np.count_nonzero(cdf < flat_u[lo:lo + m.size, None], axis=1), top)
    return out


# ---- rates and entrants per run ----------------------------------------------------------


def _draw_rates(rates: Rates, runs: int, rng: np.random.Generator, uncertain: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-run hazards (runs, bands, categories, durations, categories + 1) and entry rates per
    day (runs,).

    Moves between placements: Gamma(moves) / child-days. Leaving care: α × ρ
    (:meth:`Rates.duration_effects`), α from its pooled Gamma posterior (exits of the band and
    category + pseudo-exits at the band's rate, over child-days weighted by ρ + theirs), and
    ρ ~ Gamma(exits + m, expected + m) per age band and time in care."""
    eff = rates.duration_effects()
    weighted = (
        (rates.exit_exposure * eff.rr[:, None, :]).sum(2) if rates.exit_exposure is not None else rates.exposure
    )
    if uncertain:
        shape = np.broadcast_to(rates.events, (runs, *rates.events.shape))
        draws = rng.gamma(np.maximum(shape, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            q = draws / rates.exposure[None, :, :, None]
            if eff.alpha_shape is not None and eff.alpha_rate is not None:
                alpha = (rng.gamma(np.broadcast_to(eff.alpha_shape, (runs, *eff.alpha_shape.shape)))
                         / eff.alpha_rate[None] * rates.exit_factor)
            else:
                alpha = draws[..., N_CATEGORIES] / weighted[None] * rates.exit_factor
        if rates.exit_exposure is not None:
            rr = rng.gamma(np.broadcast_to(eff.exits + PRIOR_EXITS, (runs, *eff.rr.shape))) / (eff.expected + PRIOR_EXITS)
        else:
            rr = np.ones((runs, *eff.rr.shape))
        lam = rng.gamma(np.full(runs, float(rates.entries))) / rates.days if rates.entries else np.zeros(runs)
    else:
        q = np.broadcast_to(rates.hazards, (runs, *rates.events.shape)).copy()
        alpha = np.broadcast_to(eff.alpha, (runs, *eff.alpha.shape))
        rr = np.broadcast_to(eff.rr, (runs, *eff.rr.shape))
        lam = np.full(runs, rates.entry_rate)
    q5 = np.repeat(q[:, :, :, None, :], N_DURATIONS, axis=3)
    q5[..., N_CATEGORIES] = alpha[:, :, :, None] * rr[:, :, None, :]
    q5[~np.isfinite(q5)] = 0.0
    idx = np.arange(N_CATEGORIES)
    q5[:, :, idx, :, idx] = 0.0
    return q5, lam


def months_ahead(step_days: list[int]) -> np.ndarray:
    """Each step's middle, in months after the origin, less half a month (the first month is 0)."""
    ends = np.cumsum(step_days, dtype=float)
    return np.maximum((ends - np.asarray(step_days) / 2) / DAYS_PER_MONTH - 0.5, 0.0)


def expected_entries(rates: Rates, step_days: list[int], runs: int | None = None,
                     rng: np.random.Generator | None = None, lam: np.ndarray | None = None) -> np.ndarray:
    """Expected entrants in each step: (steps, runs) per run, or (steps,) central when ``runs`` is None.

    With an entry trend, each run follows its own path of the local linear trend; without one,
    a steady rate (``lam`` per run, per day)."""
    days = np.asarray(step_days, dtype=float)
    trend = rates.entry_trend
    if trend is None:
        if runs is None:
            return rates.entry_rate * days
        if lam is None:
            raise ValueError("a steady entry rate for each run needs lam, the rate per run")
        return days[:, None] * lam[None, :]
    ahead = months_ahead(step_days)
    if runs is None:
        return trend.central(ahead) / DAYS_PER_MONTH * days
    if rng is None:
        return np.repeat((trend.central(ahead) / DAYS_PER_MONTH * days)[:, None], runs, axis=1)
    return trend.paths(ahead, runs, rng) / DAYS_PER_MONTH * days[:, None]


_Pick = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
_PICK_GRID = 64
"""Starting points per run for finding an entrant's cell among the run's cumulative shares."""


def _entrant_pool(rates: Rates, runs: int, rng: np.random.Generator | None) -> tuple[np.ndarray, np.ndarray, _Pick]:
    """Entrants seen in the window (age in months, category), sorted by age band and category,
    and a function picking one per new entrant.

    With ``rng``, each run draws its own shares of entrants by age band × first placement from
    their posterior, Dirichlet(entrants seen in each cell) — a Bayesian bootstrap, so the mix of
    entrants is as uncertain as a few years of data leave it — and picks an entrant within the
    cell; without it, any entrant seen. With recency weights (:meth:`Rates.entrant_weights`) the
    Dirichlet's parameters are the cells' weights scaled to the effective sample size
    (Σw)² / Σw² (Kish), so the spread matches how much recent data there is, and the pick within
    a cell (or among all) is in proportion to the weights; without, each entrant counts once."""
    ok = rates.entrant_age_days < AGE_OUT_DAYS
    age = age_months(rates.entrant_age_days[ok])
    cat = rates.entrant_category[ok].astype(np.int64)
    weight = rates.entrant_weights()[ok]
    cell = BAND_OF_MONTH[np.minimum(age, AGE_MONTHS - 1)] * N_CATEGORIES + cat
    order = np.argsort(cell, kind="stable")
    age, cat, cell, weight = age[order], cat[order], cell[order], weight[order]
    n = age.size
    n_cells = N_BANDS * N_CATEGORIES
    seen = np.bincount(cell, minlength=n_cells)
    first = np.cumsum(seen) - seen
    weighted = n > 0 and bool(np.any(weight != weight[0]))
    upto = np.concatenate([[0.0], np.cumsum(weight)])  # weight of the pool before each entrant

    def in_range(u: np.ndarray, lo: np.ndarray, count: np.ndarray) -> np.ndarray:
        """The entrant at share ``u`` of the ``count`` entrants from ``lo`` (by weight when weighted)."""
        if not weighted:
            return lo + np.minimum((u * count).astype(np.int64), np.maximum(count - 1, 0))
        target = upto[lo] + u * (upto[lo + count] - upto[lo])
        j = np.searchsorted(upto[1:], target, side="right")
        return np.clip(j, lo, np.maximum(lo + count - 1, lo))

    def uniform_pick(e_run: np.ndarray, u: np.ndarray, _: np.ndarray) -> np.ndarray:
        return in_range(u, np.zeros(u.shape, dtype=np.int64), np.full(u.shape, n, dtype=np.int64))

    if rng is None or n == 0:
        return age, cat, uniform_pick
    share = rng.gamma(np.broadcast_to(dirichlet_parameters(cell, weight, n_cells), (runs, n_cells)))
    share[:, seen == 0] = 0.0
    cum = np.cumsum(share, axis=1)
    cum /= cum[:, -1:]
    cum[:, -1] = 1.0
    flat = (cum + np.arange(runs)[:, None]).ravel()
    # where each run's search can start for u_cell in [g / G, (g + 1) / G): the cells at or below g / G
    grid = (np.arange(runs)[:, None] + np.arange(_PICK_GRID)[None, :] / _PICK_GRID).ravel()
    lower = np.searchsorted(flat, grid, side="right").reshape(runs, _PICK_GRID)

    def pick(e_run: np.ndarray, u: np.ndarray, u_cell: np.ndarray) -> np.ndarray:
        # the entrant's cell: the number of the run's cumulative shares at or below u_cell (as a
        # search of the run's row would give), counted on from the grid's starting point
        key = e_run + u_cell
        at = lower[e_run, np.minimum((u_cell * _PICK_GRID).astype(np.int64), _PICK_GRID - 1)]
        last = (e_run + 1) * n_cells - 1
        active = np.flatnonzero((at < last) & (flat[np.minimum(at, last)] <= key))
        while active.size:
            at[active] += 1
            active = active[(at[active] < last[active]) & (flat[at[active]] <= key[active])]
        which = at - e_run * n_cells
        return in_range(u, first[which], seen[which])

    return age, cat, pick


def dirichlet_parameters(cell: np.ndarray, weight: np.ndarray, n_cells: int) -> np.ndarray:
    """The posterior Dirichlet's parameters for the entrants' shares by cell: each cell's weight
    × n_eff / Σw, n_eff = (Σw)² / Σw² the effective sample size of the weighted entrants (Kish,
    *Survey sampling*, 1965), so the parameters add up to n_eff. Equal weights give the counts."""
    total = float(weight.sum())
    if total <= 0:
        return np.zeros(n_cells)
    n_eff = total**2 / float((weight**2).sum())
    return np.bincount(cell, weights=weight, minlength=n_cells) * (n_eff / total)


def _first_month_exit(h: np.ndarray, days: float) -> np.ndarray:
    """Chance that an entrant leaves care before the end of the step they arrived in: arrival
    uniform in the step, exit hazard ``h`` per day, so 1 − (1 − e^(−h·days)) / (h·days)."""
    x = np.asarray(h, dtype=float) * days
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1.0 + np.expm1(-x) / x
    return np.where(x > 1e-12, out, x / 2)


def start_months_in_care(care_days: np.ndarray) -> np.ndarray:
    """Whole months in care at the middle of the first step (half a month after the origin,
    rounded to the nearest month), 1 to 24."""
    return np.clip(np.floor(np.asarray(care_days) / DAYS_PER_MONTH + 1.0).astype(np.int64), 1, SETTLED_MONTHS)


# ---- the simulation ----------------------------------------------------------------------

_CELL_BLOCK = (N_BANDS + 1) * (N_CATEGORIES + 1) * N_TIME_CLASSES
"""Hazard cells per run: (age band, placement, time-in-care band), with one more age band (18 or
over) and one more placement (left care), both with no hazard and not counted."""
_LEFT = N_CATEGORIES


class _Children:
    """Every child of every run, one entry each: the run's block of hazard cells, a code for
    (placement, birth month, month of coming into care) and the exposure left on the child's
    clock (an Exp(1) draw less the hazard × days accumulated since: the child moves when it runs
    out, so each step they move with chance 1 − e^(−h·days), independently of earlier steps).

    Birth month and month of coming into care never change, so ageing and time in care cost
    nothing: at step t, :meth:`offsets` maps every code to its hazard cell (age band at that
    step's start, placement, time-in-care band to the month, two years or more as one). Children
    who left (placement :data:`_LEFT`) or turned 18 (age band ``N_BANDS``) stay until
    :meth:`compact` drops them; their cells have no hazard and are not counted.
    """

    def __init__(self, runs: int, aged: np.ndarray, steps: int, capacity: int) -> None:
        self.runs = runs
        self.aged = aged
        """Months every child has aged by the start of each step (and by the end)."""
        self.n_birth = AGE_MONTHS + int(aged[-1])
        self.n_entry = SETTLED_MONTHS + steps
        self.per_category = self.n_birth * self.n_entry
        self.n = 0
        self.block = np.zeros(capacity, dtype=np.intp)
        self.code = np.zeros(capacity, dtype=np.int32)
        self.clock = np.zeros(capacity, dtype=np.float32)
        self.ids = np.zeros(capacity, dtype=np.int64)
        # scratch reused every step: fresh arrays this size cost new pages each time (about half
        # the time of a step's work on every child)
        self.cell = np.zeros(capacity, dtype=np.intp)
        self.spent = np.zeros(capacity, dtype=np.float32)
        self.due = np.zeros(capacity, dtype=bool)

    def encode(self, category: np.ndarray, age: np.ndarray, months_in_care: np.ndarray | int, step: int) -> np.ndarray:
        """Code of children of ``age`` months, ``months_in_care`` (24: two years or more) at ``step``."""
        birth = int(self.aged[step]) + AGE_MONTHS - 1 - np.asarray(age, dtype=np.int64)
        entry = step - np.asarray(months_in_care, dtype=np.int64) + SETTLED_MONTHS
        return ((np.asarray(category, dtype=np.int64) * self.n_birth + birth) * self.n_entry + entry).astype(np.int32)

    def category(self, rows: np.ndarray) -> np.ndarray:
        return self.code[rows] // self.per_category

    def age(self, rows: np.ndarray, step: int) -> np.ndarray:
        """Age in months at ``step`` of the children at ``rows``."""
        birth = (self.code[rows] // self.n_entry) % self.n_birth
        return int(self.aged[step]) + AGE_MONTHS - 1 - birth

    def run(self, rows: np.ndarray) -> np.ndarray:
        return self.block[rows] // _CELL_BLOCK

    def offsets(self, step: int) -> np.ndarray:
        """Each code's hazard cell within its run's block at ``step``."""
        age = int(self.aged[step]) + AGE_MONTHS - 1 - np.arange(self.n_birth)
        band = np.where((age >= 0) & (age < AGE_MONTHS), BAND_OF_MONTH[np.clip(age, 0, AGE_MONTHS - 1)], N_BANDS)
        months = np.clip(step + SETTLED_MONTHS - np.arange(self.n_entry), 0, SETTLED_MONTHS)
        dclass = TIME_CLASS_OF_MONTH[months]
        cat = np.arange(N_CATEGORIES + 1)
        off = (band[None, :, None] * (N_CATEGORIES + 1) + cat[:, None, None]) * N_TIME_CLASSES + dclass[None, None, :]
        return off.astype(np.intp).ravel()

    def cells(self, step: int) -> np.ndarray:
        """Every child's hazard cell at ``step`` (run block + offset)."""
        cell = self.cell[: self.n]
        np.take(self.offsets(step), self.code[: self.n], out=cell, mode="clip")  # codes are in range
        cell += self.block[: self.n]
        return cell

    def run_down(self, cell: np.ndarray, exposure: np.ndarray) -> np.ndarray:
        """Every child's clock runs down by their cell's hazard × days (``exposure``); the rows of
        those it ran out for (they move this step)."""
        spent = self.spent[: self.n]
        np.take(exposure, cell, out=spent, mode="clip")  # cells are in range
        clock = self.clock[: self.n]
        clock -= spent
        due = self.due[: self.n]
        np.less_equal(clock, 0, out=due)
        return np.flatnonzero(due)

    def tally(self, cell: np.ndarray) -> np.ndarray:
        """(runs, bands, categories) children in care."""
        n = np.bincount(cell, minlength=self.runs * _CELL_BLOCK)
        return n.reshape(self.runs, N_BANDS + 1, N_CATEGORIES + 1, N_TIME_CLASSES)[:, :N_BANDS, :N_CATEGORIES].sum(-1)

    def start_with(self, code: np.ndarray, seed: int) -> None:
        """Every run starts with the children ``code`` (run-major rows, written in place: no
        run × children temporaries); child k of run r has id r << 32 | k, and the clocks come from
        one stream for all, indexed by (run, child) — cheaper than a hash each."""
        n0 = code.size
        end = self.runs * n0
        self.n = 0
        self._append(end)
        run = np.arange(self.runs)
        self.block[:end].reshape(self.runs, n0)[:] = (run * _CELL_BLOCK)[:, None]
        self.code[:end].reshape(self.runs, n0)[:] = code[None, :]
        self.ids[:end].reshape(self.runs, n0)[:] = (run.astype(np.int64) << 32)[:, None] + np.arange(n0)[None, :]
        np.random.default_rng([seed & 0xFFFFFFFF, _CLOCK]).standard_exponential(
            out=self.clock[:end], dtype=np.float32)

    def add(self, run: np.ndarray, code: np.ndarray, ids: np.ndarray, clock: np.ndarray,
            free: np.ndarray | None = None) -> np.ndarray:
        """Add children, first in the ``free`` rows (of children who left care), then at the end; their rows."""
        if free is not None and free.size:
            rows = np.concatenate([free[: run.size], self._append(max(run.size - free.size, 0))])
        else:
            rows = self._append(run.size)
        self.block[rows] = run * _CELL_BLOCK
        self.code[rows] = code
        self.ids[rows] = ids
        self.clock[rows] = clock
        return rows

    def _append(self, count: int) -> np.ndarray:
        """``count`` new rows at the end (the arrays grow when full)."""
        end = self.n + count
        if end > self.block.size:
            size = max(end, 2 * self.block.size)
            for name in ("block", "code", "clock", "ids", "cell", "spent", "due"):
                old = getattr(self, name)
                new = np.zeros(size, dtype=old.dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        rows = np.arange(self.n, end)
        self.n = end
        return rows

    def compact(self, cell: np.ndarray, step: int) -> np.ndarray:
        """Drop the children no longer in care at ``step`` (in the order kept); their cells too."""
        off = self.offsets(step)
        in_care = (off < N_BANDS * (N_CATEGORIES + 1) * N_TIME_CLASSES) & ((off // N_TIME_CLASSES) % (N_CATEGORIES + 1) < _LEFT)
        keep = np.take(in_care, self.code[: self.n])
        for name in ("block", "code", "clock", "ids", "cell"):  # cell: this step's cells
            arr = getattr(self, name)
            kept = arr[: self.n][keep]
            arr[: kept.size] = kept
        self.n = int(keep.sum())
        return self.cell[: self.n]

    def move(self, rows: np.ndarray, category: np.ndarray | int) -> None:
        """The children at ``rows`` are now in ``category`` (:data:`_LEFT`: they left care)."""
        self.code[rows] += ((category - self.category(rows)) * self.per_category).astype(np.int32)


def _clocks(rng: _Streams, purpose: int, step: int, ids: np.ndarray) -> np.ndarray:
    """Exp(1) exposure for each child's clock."""
    return (-np.log1p(-rng.uniform(purpose, step, ids))).astype(np.float32)


def _cell_tables(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hazard of moving (per day) and cumulative destination shares per hazard cell, each run's
    block laid out as :class:`_Children` reads it (cells with no hazard for 18 and over and for
    children who left)."""
    runs = q.shape[0]
    h = q.sum(-1)  # (runs, bands, categories, durations)
    hz = np.zeros((runs, N_BANDS + 1, N_CATEGORIES + 1, N_TIME_CLASSES))
    hz[:, :N_BANDS, :N_CATEGORIES] = h
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.cumsum(q, -1) / h[..., None]
    share[~np.isfinite(share)] = 1.0
    share[..., -1] = 1.0
    cum = np.ones((runs, N_BANDS + 1, N_CATEGORIES + 1, N_TIME_CLASSES, N_CATEGORIES + 1), dtype=np.float32)
    cum[:, :N_BANDS, :N_CATEGORIES] = share
    return hz.ravel(), cum.reshape(-1, N_CATEGORIES + 1)


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
    aged = np.concatenate([[0], np.cumsum(ageing_shifts(step_days))])
    g_par = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    rng = _Streams(seed)
    q, lam = _draw_rates(rates, runs, g_par, parameter_uncertainty)
    entry_mu = expected_entries(rates, step_days, runs, g_par if parameter_uncertainty else None, lam)
    exit_first = q[:, :, :, 0, N_CATEGORIES]  # (runs, bands, categories): the first month's exit hazard
    first_exit = {d: _first_month_exit(exit_first, d) for d in set(step_days)}
    hz, dest_cum = _cell_tables(by_time_class(q, 3))
    exposure = {d: (hz * d).astype(np.float32) for d in set(step_days)}
    pool_age, pool_cat, pick_entrant = _entrant_pool(rates, runs, g_par if parameter_uncertainty else None)

    a0 = age_months(start.age_days)
    keep = a0 < AGE_MONTHS
    k0 = (np.full(start.size, SETTLED_MONTHS) if start.care_days is None
          else start_months_in_care(start.care_days))[keep]
    n0 = int(keep.sum())
    ch = _Children(runs, aged, steps, runs * n0 + int(entry_mu.sum() * 1.2) + 1000)
    run_ids = np.arange(runs)
    ch.start_with(ch.encode(start.category[keep], a0[keep], k0, 0), seed)
    in_use0 = {cap.category: int((start.category[keep] == cap.category).sum()) for cap in eff.capacities}

    counts = np.zeros((steps + 1, runs, N_BANDS, N_CATEGORIES), dtype=np.int32)
    entries = np.zeros((steps, runs), dtype=np.int32)
    for t, d in enumerate(step_days):
        cell = ch.cells(t)
        counts[t] = ch.tally(cell)
        if ch.n > 1.5 * counts[t].sum():
            cell = ch.compact(cell, t)
        # Moves: every child's clock runs down by hazard × days; those it runs out for move.
        movers = ch.run_down(cell, exposure[d])
        ids = ch.ids[movers]
        u = rng.uniform(_DEST, t, ids)
        rows = np.take(dest_cum, cell[movers], axis=0)
        dest = np.zeros(movers.size, dtype=np.int64)
        for k in range(N_CATEGORIES):  # the destination: shares' cumulative sums below u (the last is 1)
            dest += rows[:, k] < u
        for i, red in enumerate(eff.redirects):
            if red.share[t] > 0:
                hit = (dest == red.source) & (rng.uniform(_REDIRECT + 2 * i, t, ids) < red.share[t])
                dest[hit] = red.target
        ch.move(movers, dest)
        stay = dest < N_CATEGORIES
        ch.clock[movers[stay]] = _clocks(rng, _CLOCK, t, ids[stay])
        ch.clock[movers[~stay]] = np.inf

        for i, sd in enumerate(eff.step_downs):
            if sd.per_year[t] > 0:
                _step_down_children(ch, cell, sd.source, sd.target, sd.per_year[t] * d / DAYS_PER_YEAR, rng, t, i)

        # Ageing is implicit (birth months); movers who turn 18 this step are not new placements.
        moved = movers[stay]
        new = moved[ch.age(moved, t + 1) < AGE_MONTHS]

        if pool_age.size:
            mu = entry_mu[t] * eff.entry_factor[t]
            n_new = _poisson(mu, rng.uniform(_N_ENTRY, t, run_ids))
            e_run = np.repeat(run_ids, n_new)
            e_k = np.arange(e_run.size) - (np.cumsum(n_new) - n_new)[e_run]
            e_id = (e_run << 20) + e_k
            j = pick_entrant(e_run, rng.uniform(_ENTRANT, t, e_id), rng.uniform(_ENTRANT_CELL, t, e_id))
            e_cat = pool_cat[j].copy()
            for i, red in enumerate(eff.redirects):
                if red.share[t] > 0:
                    hit = (e_cat == red.source) & (rng.uniform(_REDIRECT + 2 * i + 1, t, e_id) < red.share[t])
                    e_cat[hit] = red.target
            # some leave again before the step ends: they are entries, not children at its end
            e_age = pool_age[j]
            left = rng.uniform(_FIRST_EXIT, t, e_id) < first_exit[d][e_run, BAND_OF_MONTH[e_age], e_cat]
            ok = ~left
            child_ids = (e_run[ok] << 32) + ((t + 1) << 25) + e_k[ok]
            rows = ch.add(e_run[ok], ch.encode(e_cat[ok], e_age[ok], 1, t + 1), child_ids,
                          _clocks(rng, _NEW_CLOCK, t, e_id[ok]), free=movers[~stay])
            entries[t] = n_new
            new = np.concatenate([new, rows])

        for capy in eff.capacities:
            available = np.maximum(0, in_use0[capy.category] + capy.extra[t] - _in_category(ch, capy.category, t + 1))
            _switch_new(ch, new, capy.overflow, capy.category, available.astype(np.int64))
        for lim in eff.limits:
            excess = np.maximum(0, _in_category(ch, lim.category, t + 1) - np.floor(lim.places[t]))
            _switch_new(ch, new, lim.category, lim.overflow, excess.astype(np.int64))

    counts[steps] = ch.tally(ch.cells(steps))
    totals = counts.sum((2, 3), dtype=np.int64)
    exits = (totals[:-1] + entries - totals[1:]).astype(np.int32)
    mean = deterministic(rates, start, dates, eff)
    return Projection(dates=all_dates, counts=counts, entries=entries, exits=exits, mean=mean)


def _in_category(ch: _Children, category: int, step: int) -> np.ndarray:
    """Children per run in ``category`` at ``step`` (under 18)."""
    rows = np.flatnonzero(ch.code[: ch.n] // ch.per_category == category)
    rows = rows[ch.age(rows, step) < AGE_MONTHS]
    return np.bincount(ch.run(rows), minlength=ch.runs)


def _switch_new(ch: _Children, new: np.ndarray, source: int, target: int, most: np.ndarray) -> None:
    """Move up to ``most[run]`` of this step's new placements in ``source`` to ``target``, in
    each run (the first ones in the step's order: movers, then entrants)."""
    cand = new[ch.category(new) == source]
    cand = cand[np.argsort(ch.run(cand), kind="stable")]
    cr = ch.run(cand)
    rank_in_run = np.arange(cr.size) - np.searchsorted(cr, cr, side="left")
    ch.move(cand[rank_in_run < most[cr]], target)


def _step_down_children(ch: _Children, cell: np.ndarray, source: int, target: int, expected: float,
                        rng: _Streams, t: int, i: int) -> None:
    """Move ``expected`` children a step (on average) from ``source`` to ``target``, in each run:
    each of the run's n children in ``source`` moves with chance expected / n (at most 1)."""
    under_18 = (cell % _CELL_BLOCK) < N_BANDS * (N_CATEGORIES + 1) * N_TIME_CLASSES
    rows = np.flatnonzero((ch.code[: ch.n] // ch.per_category == source) & under_18)
    run = ch.run(rows)
    n = np.bincount(run, minlength=ch.runs)
    with np.errstate(divide="ignore", invalid="ignore"):
        prob = np.where(n > 0, np.minimum(1.0, expected / n), 0.0)
    hit = rng.uniform(_STEP_DOWN + i, t, ch.ids[rows]) < prob[run]
    ch.move(rows[hit], target)


def _shift(x: np.ndarray, months: int, axis: int) -> np.ndarray:
    """``x`` moved ``months`` places up ``axis`` (zeros in, the last ``months`` dropped)."""
    if not months:
        return x
    out = np.zeros_like(x)
    n = x.shape[axis]
    if months < n:
        src = [slice(None)] * x.ndim
        dst = [slice(None)] * x.ndim
        src[axis], dst[axis] = slice(0, n - months), slice(months, n)
        out[tuple(dst)] = x[tuple(src)]
    return out


def deterministic(
    rates: Rates,
    start: StartingPopulation,
    dates: list[date],
    effects: Effects | None = None,
) -> np.ndarray:
    """The expected-value projection (dates + 1, bands, categories) with the central rates.

    The same steps as :func:`simulate` applied to expected numbers on the same grid: months in
    care (0 to 24, 24 meaning two years or more) × age in months × category.
    """
    steps = len(dates)
    eff = effects or Effects.none(steps)
    all_dates = [start.origin, *dates]
    step_days = [(b - a).days for a, b in zip(all_dates[:-1], all_dates[1:], strict=True)]
    shifts = ageing_shifts(step_days)
    n_age, n_k = AGE_MONTHS, SETTLED_MONTHS + 1
    band = BAND_OF_MONTH
    onehot = np.zeros((n_age, N_BANDS))
    onehot[np.arange(n_age), band] = 1.0
    q4 = rates.hazards_by_duration()  # (B, C, D, K)
    q_month = by_time_class(q4, 2)[:, :, TIME_CLASS_OF_MONTH]  # (B, C, months in care, K)
    h_month = q_month.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_month = q_month / h_month[..., None]
    share_month[~np.isfinite(share_month)] = 0.0
    h = h_month.transpose(2, 0, 1)[:, band]  # (months in care, ages, C)
    share = share_month.transpose(2, 0, 1, 3)[:, band]  # (months in care, ages, C, K)
    first_exit = q4[:, :, 0, N_CATEGORIES][band]  # (ages, C)

    def by_band(x: np.ndarray) -> np.ndarray:
        return onehot.T @ x.sum(0)

    x = np.zeros((n_k, n_age, N_CATEGORIES))
    a0 = age_months(start.age_days)
    keep = a0 < n_age
    if start.care_days is None:
        k0 = np.full(start.size, SETTLED_MONTHS)
    else:
        k0 = start_months_in_care(start.care_days)
    np.add.at(x, (k0[keep], a0[keep], start.category[keep]), 1.0)
    hist = np.zeros((n_age, N_CATEGORIES))
    if rates.entries:
        ea = age_months(rates.entrant_age_days)
        ok = ea < n_age
        w = rates.entrant_weights()
        np.add.at(hist, (ea[ok], rates.entrant_category[ok]), w[ok])
        hist /= w.sum()
    out = np.zeros((steps + 1, N_BANDS, N_CATEGORIES))
    out[0] = by_band(x)
    entry_mu = expected_entries(rates, step_days)
    in_use0 = {c.category: float(x[..., c.category].sum()) for c in eff.capacities}
    move_chance = {d: -np.expm1(-h * d) for d in set(step_days)}
    for t, d in enumerate(step_days):
        pm = move_chance[d]  # (months in care, ages, C)
        movers = x * pm
        inflow = np.einsum("kac,kacj->kaj", movers, share)
        for red in eff.redirects:
            moved = inflow[..., red.source] * red.share[t]
            inflow[..., red.source] -= moved
            inflow[..., red.target] += moved
        x = x - movers + inflow[..., :N_CATEGORIES]
        new_flow = inflow[..., :N_CATEGORIES].copy()
        for sd in eff.step_downs:
            total = x[..., sd.source].sum()
            if sd.per_year[t] > 0 and total > 0:
                frac = min(1.0, sd.per_year[t] * d / DAYS_PER_YEAR / total)
                moved = x[..., sd.source] * frac
                x[..., sd.source] -= moved
                x[..., sd.target] += moved
        sh = int(shifts[t])
        x, new_flow = _shift(x, sh, 1), _shift(new_flow, sh, 1)
        if rates.entries:
            arrivals = hist * entry_mu[t] * eff.entry_factor[t]
            for red in eff.redirects:
                moved = arrivals[:, red.source] * red.share[t]
                arrivals[:, red.source] -= moved
                arrivals[:, red.target] += moved
            arrivals = arrivals * (1.0 - _first_month_exit(first_exit, d))
            x[0] += arrivals
            new_flow[0] += arrivals
        for capy in eff.capacities:
            available = max(0.0, in_use0[capy.category] + capy.extra[t] - x[..., capy.category].sum())
            flow = new_flow[..., capy.overflow]
            total = flow.sum()
            if total > 0 and available > 0:
                moved = flow * min(1.0, available / total)
                x[..., capy.overflow] -= moved
                x[..., capy.category] += moved
                new_flow[..., capy.overflow] -= moved
                new_flow[..., capy.category] += moved
        for lim in eff.limits:
            excess = x[..., lim.category].sum() - lim.places[t]
            flow = new_flow[..., lim.category]
            total = flow.sum()
            if excess > 0 and total > 0:
                moved = flow * min(1.0, excess / total)
                x[..., lim.category] -= moved
                x[..., lim.overflow] += moved
        out[t + 1] = by_band(x)
        # a month more in care for everyone; two years or more stays in the last row
        settled = x[-1] + x[-2]
        x = _shift(x, 1, 0)
        x[-1] = settled
    return out
