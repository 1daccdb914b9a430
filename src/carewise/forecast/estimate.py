"""Estimate the forecast's rates from placement spells over a reference window.

Occurrence / exposure: the rate of moving from state s to s' is the number of such moves in
the window divided by the child-days spent in s in the window. This is the maximum-likelihood
hazard of a continuous-time Markov chain, and unlike the peer model's mean of daily ratios it
does not bias small states towards zero on days when they are empty. Leaving care on the 18th
birthday is not a rate: the simulation ages children and ends their care at 18.

Leaving care also depends on how long the child has been looked after (:data:`DURATION_BANDS`):
the exit hazard is a product α[band, category] × ρ[band, duration] — the placement's level and
the time-in-care profile within the age band — fitted by maximum likelihood (Poisson, iterative
proportional fitting) on exits and child-days by age band, category and time in care in the
window. Each ρ cell has a Gamma posterior with :data:`PRIOR_EXITS` pseudo-exits at ρ = 1 (the age
band's own level), so a thin cell is pooled to its age band and a full one speaks for itself.
Time in care is counted from the start of the child's period of care (``History.timeline``).

Entrants (spells that start a period of care) arrive as a Poisson process; their ages and first
placements are the ones seen in the window (an empirical distribution), each weighted by
:meth:`Rates.entrant_weights` (all 1 unless a half-life or the mix trend is set).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import polars as pl

from carewise.errors import SettingError
from carewise.forecast.entries import (
    EntryModel,
    choose_half_life,
    fit_trend,
    mix_at_end,
    monthly_counts,
)
from carewise.forecast.states import (
    AGE_BANDS,
    CARE_ENDS_AT,
    CATEGORIES,
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    DURATION_BANDS,
    EXIT,
    N_BANDS,
    N_CATEGORIES,
    N_DURATIONS,
    band_of_age_days,
    duration_edges_days,
)
from carewise.returns.years import age_expr, birthday_expr

AGEING_OUT_DAYS = 7
"""Leaving care in the week before the 18th birthday is ageing out, not a move: some systems
record DEC as the day before the birthday. The simulation ends every child's care at 18."""

ENTRANT_HALF_LIFE_MONTHS: float | Literal["auto"] | None = None
"""Half-life, in months before the window's end, of an entrant's weight in the pool new entrants
are drawn from (age × first placement, :meth:`Rates.entrant_weights`); None: every entrant of the
window counts the same; "auto": chosen per fit by how well it predicted the window's own months
(:func:`entries.choose_half_life`). Read when :func:`fit` runs (``benchmarks/peer/changing_mix.py
--half-life`` sets it for a run)."""

ENTRANT_MIX_TREND = False
"""When True, the pool's age bands are re-weighted to the shares a trend in the mix puts at the
window's end (:func:`entries.mix_at_end`) instead of by recency. Read when :func:`fit` runs
(``changing_mix.py --mix-trend``)."""

PRIOR_EXITS = 4.0
"""Pseudo-exits at the age band's level in each time-in-care cell: a cell with a handful of exits
stays near its age band, one with dozens follows its own data (empirical-Bayes style pooling)."""

ALPHA_PRIOR_EXITS = 1.0
"""Pseudo-exits at the age band's rate in each placement's exit level α[band, placement] (and at
the council's rate in each age band's): a placement where nobody left care in the window no longer
gets α = 0 — its children never leaving before 18 — but about the band's rate when the window holds
few of its child-days, and a low rate when it holds many. Measured with the rolling backtest (300
runs): 8 synthetic councils of 35–80 children (`carewise synth --size 35..80`, six councils'
profiles), 12-month error 13.7% → 12.8% (6 better, 2 slightly worse; mean signed error +5.1% →
+3.7%); 20 councils of 150–1,200 children 4.87% → 4.89% (+0.02, se 0.06), within noise."""

_BAND_FRAME = pl.DataFrame(
    {
        "band": list(range(N_BANDS)),
        "low": [b.low for b in AGE_BANDS],
        "high": [b.high for b in AGE_BANDS],
    },
    schema={"band": pl.Int32, "low": pl.Int32, "high": pl.Int32},
)


@dataclass
class Rates:
    """What was observed in the reference window, and the rates derived from it."""

    window_start: date
    window_end: date
    exposure: np.ndarray
    """Child-days in each state, shape (bands, categories)."""
    events: np.ndarray
    """Moves out of each state, shape (bands, categories, categories + 1); the last is leaving care."""
    entrant_age_days: np.ndarray
    entrant_category: np.ndarray
    entry_trend: EntryModel | None = None
    """Monthly entries: the local level and local linear trend, averaged (None: a steady Poisson rate)."""
    exit_exposure: np.ndarray | None = None
    """Child-days by age band, category and time in care (bands, categories, durations); None when
    periods of care were not known (exits then do not depend on time in care)."""
    exit_events: np.ndarray | None = None
    """Exits from care by age band, category and time in care on the last day (same shape)."""
    exit_factor: float = 1.0
    """Multiplies every hazard of leaving care: the pull towards statistical neighbours' published
    exit rate (:mod:`neighbours`; 1 when nothing was borrowed)."""
    entrant_days_before_end: np.ndarray | None = None
    """Days from each entrant's start to the window's end (None: not known, every entrant weighs the same)."""
    entrant_half_life_months: float | None = None
    """Half-life of an entrant's weight in the pool (:meth:`entrant_weights`); None: no recency weighting."""
    entrant_mix_trend: bool = False
    """Weight the pool's age bands to the trend in the mix at the window's end (:meth:`entrant_weights`)."""

    @property
    def days(self) -> int:
        return (self.window_end - self.window_start).days + 1

    @property
    def entries(self) -> int:
        return int(self.entrant_age_days.size)

    @property
    def entry_rate(self) -> float:
        """Children entering care per day."""
        return self.entries / self.days

    def entrant_weights(self) -> np.ndarray:
        """Each entrant's weight in the pool new entrants are drawn from: 0.5^(months before the
        window's end / half-life), a local level for the mix of entrants (exponential smoothing,
        Brown 1959), so a mix that changed recently — an unaccompanied teenagers' surge, fewer
        babies — is followed within months rather than averaged over the whole window; all 1
        without a half-life."""
        if self.entrant_days_before_end is None:
            return np.ones(self.entries)
        if self.entrant_mix_trend:
            band = band_of_age_days(self.entrant_age_days)
            ok = band < N_BANDS
            share = mix_at_end(band[ok], self.entrant_days_before_end[ok] / DAYS_PER_YEAR, N_BANDS)
            seen = np.bincount(band[ok], minlength=N_BANDS) / max(int(ok.sum()), 1)
            out = np.ones(self.entries)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[ok] = share[band[ok]] / seen[band[ok]]
            return out
        if self.entrant_half_life_months is None:
            return np.ones(self.entries)
        months = self.entrant_days_before_end / DAYS_PER_MONTH
        return np.power(0.5, months / self.entrant_half_life_months)

    @property
    def hazards(self) -> np.ndarray:
        """Moves per child-day from each state to each destination (bands, categories, categories + 1)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            out = self.events / self.exposure[..., None]
        out[~np.isfinite(out)] = 0.0
        for c in range(N_CATEGORIES):
            out[:, c, c] = 0.0
        out[:, :, N_CATEGORIES] *= self.exit_factor
        return out

    def duration_effects(self) -> DurationEffects:
        """The exit hazard's placement level α and time-in-care profile ρ (:func:`duration_effects`)."""
        if self.exit_exposure is None or self.exit_events is None:
            alpha = self.hazards[:, :, N_CATEGORIES]
            ones = np.ones((N_BANDS, N_DURATIONS))
            return DurationEffects(alpha=alpha, rr=ones, exits=np.zeros_like(ones), expected=np.zeros_like(ones))
        eff = duration_effects(self.exit_exposure, self.exit_events)
        eff.alpha = eff.alpha * self.exit_factor
        return eff

    def hazards_by_duration(self) -> np.ndarray:
        """Moves per child-day by time in care (bands, categories, durations, categories + 1):
        moves between placements as :attr:`hazards`, leaving care α × ρ."""
        eff = self.duration_effects()
        out = np.repeat(self.hazards[:, :, None, :], N_DURATIONS, axis=2)
        out[:, :, :, N_CATEGORIES] = eff.alpha[:, :, None] * eff.rr[:, None, :]
        return out

    def frame(self) -> pl.DataFrame:
        """Rates as a long frame: band, from, to, moves, child_days, rate_per_year."""
        b, c, k = np.meshgrid(np.arange(N_BANDS), np.arange(N_CATEGORIES), np.arange(N_CATEGORIES + 1), indexing="ij")
        to_names = [*CATEGORIES, EXIT]
        frame = pl.DataFrame(
            {
                "age_band": [AGE_BANDS[i].label for i in b.ravel()],
                "from": [CATEGORIES[i] for i in c.ravel()],
                "to": [to_names[i] for i in k.ravel()],
                "moves": self.events.ravel().astype(np.int64),
                "child_days": np.broadcast_to(self.exposure[..., None], self.events.shape).ravel(),
                "rate_per_year": self.hazards.ravel() * 365.25,
            }
        )
        return frame.filter(pl.col("moves") > 0)


@dataclass
class DurationEffects:
    """Exit hazard = alpha[band, category] × rr[band, duration] (per child-day)."""

    alpha: np.ndarray
    rr: np.ndarray
    exits: np.ndarray
    """Exits per (band, duration) cell, summed over categories."""
    expected: np.ndarray
    """Σ over categories of child-days × alpha per (band, duration): the Gamma posterior's rate
    is expected + PRIOR_EXITS, its shape exits + PRIOR_EXITS."""
    alpha_shape: np.ndarray | None = None
    """α's Gamma posterior (bands, categories): shape (exits + pooled pseudo-exits) and rate
    (ρ-weighted child-days + the pseudo-exits' days), alpha = shape / rate; None: not pooled."""
    alpha_rate: np.ndarray | None = None

    def frame(self) -> pl.DataFrame:
        """Time-in-care profile as a long frame: age band, time in care, exits, relative hazard."""
        b, d = np.meshgrid(np.arange(N_BANDS), np.arange(N_DURATIONS), indexing="ij")
        return pl.DataFrame({
            "age_band": [AGE_BANDS[i].label for i in b.ravel()],
            "time_in_care": [DURATION_BANDS[i].label for i in d.ravel()],
            "exits": self.exits.ravel().astype(np.int64),
            "relative_hazard": self.rr.ravel(),
        })


def duration_effects(exposure: np.ndarray, exits: np.ndarray, prior_exits: float = PRIOR_EXITS,
                     iterations: int = 200, alpha_prior_exits: float = ALPHA_PRIOR_EXITS) -> DurationEffects:
    """Fit exit hazard = α[b, c] × ρ[b, d] to child-days and exits (bands, categories, durations).

    Iterative proportional fitting of the Poisson likelihood: α[b, c] = (exits[b, c] + a) / (Σ_d
    days[b, c, d] ρ[b, d] + a / band rate) and ρ[b, d] = (exits[b, d] + m) / (Σ_c days[b, c, d]
    α[b, c] + m), the posterior means under Gamma priors centred on the age band's rate (α,
    a = ``alpha_prior_exits``, :func:`_pooled_alpha`) and on 1 (ρ, m = ``prior_exits``). With
    a = m = 0 and one category, α ρ is each cell's exits / days.
    """
    e_bc = exits.sum(2)
    e_bd = exits.sum(1)
    rr = np.ones(exposure.shape[::2])
    alpha = np.zeros(exposure.shape[:2])
    for _ in range(iterations):
        denom = (exposure * rr[:, None, :]).sum(2)
        alpha = _pooled_alpha(e_bc, denom, alpha_prior_exits)[0]
        expected = (exposure * alpha[:, :, None]).sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            new = np.where(expected + prior_exits > 0, (e_bd + prior_exits) / (expected + prior_exits), 1.0)
        done = np.allclose(new, rr, rtol=1e-10, atol=1e-12)
        rr = new
        if done:
            break
    denom = (exposure * rr[:, None, :]).sum(2)
    alpha, alpha_shape, alpha_rate = _pooled_alpha(e_bc, denom, alpha_prior_exits)
    expected = (exposure * alpha[:, :, None]).sum(1)
    return DurationEffects(alpha=alpha, rr=rr, exits=e_bd, expected=expected, alpha_shape=alpha_shape,
                           alpha_rate=alpha_rate)


def _pooled_alpha(exits: np.ndarray, days: np.ndarray, prior_exits: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """α[b, c] as the posterior mean of a Gamma prior holding ``prior_exits`` pseudo-exits at the
    age band's rate (itself pooled the same way towards the council's): (exits + m) / (days + m /
    band rate), with its Gamma shape and rate for each run's draw. Cells with no child-days, and
    every cell when the window holds no exit at all, stay at 0; m = 0 is exits / days."""
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = exits.sum() / days.sum() if days.sum() > 0 else 0.0
        band = np.where(days.sum(1) > 0, (exits.sum(1) + prior_exits * (overall > 0))
                        / (days.sum(1) + (prior_exits / overall if overall > 0 else 0.0)), 0.0)
        prior = np.where((days > 0) & (band[:, None] > 0), prior_exits, 0.0)
        shape = exits + prior
        rate = days + np.where(prior > 0, prior / np.where(band[:, None] > 0, band[:, None], 1.0), 0.0)
        alpha = np.where(rate > 0, shape / rate, 0.0)
    return alpha, shape, rate


def _window_overlap(start: pl.Expr, end: pl.Expr, lo: pl.Expr, hi: pl.Expr) -> pl.Expr:
    """Days in [start, end) ∩ [lo, hi), never negative."""
    first = pl.max_horizontal(start, lo)
    last = pl.min_horizontal(end, hi)
    return pl.max_horizontal((last - first).dt.total_days(), pl.lit(0))


def _entry_trend(spell_frame: pl.DataFrame, start: date, end: date) -> EntryModel | None:
    starts = spell_frame.filter(pl.col("entry") & (pl.col("start") >= start) & (pl.col("start") <= end))["start"]
    return fit_trend(monthly_counts(starts.to_numpy(), start, end))


def fit(spell_frame: pl.DataFrame, window_start: date, window_end: date, trend: bool = True,
        entries_from: date | None = None) -> Rates:
    """Count child-days, moves and entrants in the reference window [window_start, window_end];
    with ``trend``, fit the local linear trend of monthly entries (:mod:`entries`) on the months
    from ``entries_from`` (default the window's start; earlier months give the trend more to go on)
    to the window's end."""
    if window_end < window_start:
        raise SettingError(
            f"The reference window ends ({window_end}) before it starts ({window_start}); "
            "give a start date before the end date."
        )
    lo = pl.lit(window_start)
    hi = pl.lit(window_end).dt.offset_by("1d")
    cat_index = {name: i for i, name in enumerate(CATEGORIES)}
    dest_index = {**cat_index, EXIT: N_CATEGORIES}
    base = spell_frame.filter(
        (pl.col("start") <= window_end) & (pl.col("end").is_null() | (pl.col("end") > window_start))
    ).with_columns(pl.col("end").fill_null(pl.lit(window_end).dt.offset_by("1d")).alias("_end"))

    # Exposure: child-days in each band x category, cutting each spell at band birthdays.
    expo = base.join(_BAND_FRAME, how="cross").with_columns(
        birthday_expr(pl.col("DOB"), pl.col("low")).alias("_b0"),
        birthday_expr(pl.col("DOB"), pl.col("high")).alias("_b1"),
    )
    expo_base = expo
    expo = expo.with_columns(
        _window_overlap(
            pl.max_horizontal(pl.col("start"), pl.col("_b0")),
            pl.min_horizontal(pl.col("_end"), pl.col("_b1")),
            lo,
            hi,
        ).alias("days")
    ).group_by(["band", "category"]).agg(pl.col("days").sum())
    exposure = np.zeros((N_BANDS, N_CATEGORIES))
    for band, category, days in expo.iter_rows():
        exposure[band, cat_index[category]] += days

    # Moves: spells ending inside the window, in the band of the child's age on their last day.
    eighteen = birthday_expr(pl.col("DOB"), CARE_ENDS_AT)
    ended = base.filter(
        pl.col("end").is_not_null()
        & (pl.col("end") > window_start)
        & (pl.col("end") <= hi)
        & (pl.col("end") < eighteen.dt.offset_by(f"-{AGEING_OUT_DAYS}d"))
    )
    last_day = pl.col("end").dt.offset_by("-1d")
    age_years = age_expr(pl.col("DOB"), last_day)
    highs = [b.high for b in AGE_BANDS]
    band_expr = pl.lit(N_BANDS - 1, dtype=pl.Int32)
    for i in reversed(range(N_BANDS)):
        band_expr = pl.when(age_years < highs[i]).then(pl.lit(i, dtype=pl.Int32)).otherwise(band_expr)
    ended_banded = ended.with_columns(
        band_expr.alias("band"), pl.col("next_category").fill_null(EXIT).alias("dest")
    )
    moves = ended_banded.group_by(["band", "category", "dest"]).len()
    events = np.zeros((N_BANDS, N_CATEGORIES, N_CATEGORIES + 1))
    for band, category, dest, n in moves.iter_rows():
        events[band, cat_index[category], dest_index[dest]] += n

    exit_exposure = exit_events = None
    if "period_start" in spell_frame.columns:
        exit_exposure, exit_events = _by_time_in_care(expo_base, ended_banded, lo, hi)

    entrants = _entrants(spell_frame, window_start, window_end)
    days_before_end = _days_before(entrants, window_end)
    return Rates(
        window_start=window_start,
        window_end=window_end,
        exposure=exposure,
        events=events,
        entrant_age_days=entrants["age_days"].to_numpy().astype(np.int32),
        entrant_category=entrants["category"].to_numpy().astype(np.int8),
        entrant_days_before_end=days_before_end,
        entrant_half_life_months=_half_life(spell_frame, entries_from or window_start, window_end),
        entrant_mix_trend=ENTRANT_MIX_TREND,
        entry_trend=_entry_trend(spell_frame, entries_from or window_start, window_end) if trend else None,
        exit_exposure=exit_exposure,
        exit_events=exit_events,
    )


def _entrants(spell_frame: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """Spells that start a period of care in [start, end]: start, age in days, category index."""
    cat_index = {name: i for i, name in enumerate(CATEGORIES)}
    return spell_frame.filter(
        pl.col("entry") & (pl.col("start") >= start) & (pl.col("start") <= end)
    ).select(
        "start",
        (pl.col("start") - pl.col("DOB")).dt.total_days().alias("age_days"),
        pl.col("category").replace_strict(cat_index, return_dtype=pl.Int8).alias("category"),
    ).filter(pl.col("age_days") >= 0)


def _days_before(entrants: pl.DataFrame, end: date) -> np.ndarray:
    return (np.datetime64(end, "D") - entrants["start"].to_numpy().astype("datetime64[D]")).astype(np.int64)


def _half_life(spell_frame: pl.DataFrame, start: date, end: date) -> float | None:
    """:data:`ENTRANT_HALF_LIFE_MONTHS`; "auto" chosen on the entrants from ``start`` (the entry
    trend's months, up to 60: more months to tell a moving mix from noise) to the window's end
    (18 and over left out)."""
    if ENTRANT_HALF_LIFE_MONTHS != "auto":
        return ENTRANT_HALF_LIFE_MONTHS
    seen = _entrants(spell_frame, start, end)
    band = band_of_age_days(seen["age_days"].to_numpy())
    ok = band < N_BANDS
    return choose_half_life(band[ok], _days_before(seen, end)[ok] / DAYS_PER_MONTH, N_BANDS)


_DURATION_FRAME = pl.DataFrame(
    {
        "dband": list(range(N_DURATIONS)),
        "dlow": [0, *duration_edges_days().tolist()],
        "dhigh": [*duration_edges_days().tolist(), 1_000_000],
    },
    schema={"dband": pl.Int32, "dlow": pl.Int64, "dhigh": pl.Int64},
)


def _by_time_in_care(expo: pl.DataFrame, ended: pl.DataFrame, lo: pl.Expr, hi: pl.Expr) -> tuple[np.ndarray, np.ndarray]:
    """Child-days and exits by age band, category and time in care (since the period's start).

    ``expo``: spells crossed with age bands (their birthdays ``_b0``, ``_b1``); ``ended``: spells
    ending in the window with their age band on the last day and destination."""
    cat_index = {name: i for i, name in enumerate(CATEGORIES)}
    ps = pl.col("period_start")
    days = (
        expo.join(_DURATION_FRAME, how="cross")
        .with_columns(
            _window_overlap(
                pl.max_horizontal(pl.col("start"), pl.col("_b0"), ps + pl.duration(days=pl.col("dlow"))),
                pl.min_horizontal(pl.col("_end"), pl.col("_b1"), ps + pl.duration(days=pl.col("dhigh"))),
                lo,
                hi,
            ).alias("days")
        )
        .group_by(["band", "category", "dband"])
        .agg(pl.col("days").sum())
    )
    exposure = np.zeros((N_BANDS, N_CATEGORIES, N_DURATIONS))
    for band, category, dband, d in days.iter_rows():
        exposure[band, cat_index[category], dband] += d
    in_care = (pl.col("end").dt.offset_by("-1d") - ps).dt.total_days()
    edges = duration_edges_days().tolist()
    dband = pl.lit(0, dtype=pl.Int32)
    for i, edge in enumerate(edges):
        dband = pl.when(in_care >= edge).then(pl.lit(i + 1, dtype=pl.Int32)).otherwise(dband)
    exits = (
        ended.filter(pl.col("dest") == EXIT)
        .with_columns(dband.alias("dband"))
        .group_by(["band", "category", "dband"])
        .len()
    )
    events = np.zeros((N_BANDS, N_CATEGORIES, N_DURATIONS))
    for band, category, d, n in exits.iter_rows():
        events[band, cat_index[category], d] += n
    return exposure, events
