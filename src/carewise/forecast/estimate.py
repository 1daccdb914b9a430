"""Estimate the forecast's rates from placement spells over a reference window.

Occurrence / exposure: the rate of moving from state s to s' is the number of such moves in
the window divided by the child-days spent in s in the window. This is the maximum-likelihood
hazard of a continuous-time Markov chain, and unlike the peer model's mean of daily ratios it
does not bias small states towards zero on days when they are empty. Leaving care on the 18th
birthday is not a rate: the simulation ages children and ends their care at 18.

Entrants (spells that start a period of care) arrive as a Poisson process; their ages and first
placements are the ones seen in the window (an empirical distribution).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from carewise.errors import SettingError
from carewise.forecast.entries import EntryTrend, fit_trend, monthly_counts
from carewise.forecast.states import (
    AGE_BANDS,
    CARE_ENDS_AT,
    CATEGORIES,
    EXIT,
    N_BANDS,
    N_CATEGORIES,
)
from carewise.returns.years import age_expr, birthday_expr

AGEING_OUT_DAYS = 7
"""Leaving care in the week before the 18th birthday is ageing out, not a move: some systems
record DEC as the day before the birthday. The simulation ends every child's care at 18."""

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
    entry_trend: EntryTrend | None = None
    """Local linear trend of monthly entries (None: a steady Poisson rate, the window's average)."""

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

    @property
    def hazards(self) -> np.ndarray:
        """Moves per child-day from each state to each destination (bands, categories, categories + 1)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            out = self.events / self.exposure[..., None]
        out[~np.isfinite(out)] = 0.0
        for c in range(N_CATEGORIES):
            out[:, c, c] = 0.0
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


def _window_overlap(start: pl.Expr, end: pl.Expr, lo: pl.Expr, hi: pl.Expr) -> pl.Expr:
    """Days in [start, end) ∩ [lo, hi), never negative."""
    first = pl.max_horizontal(start, lo)
    last = pl.min_horizontal(end, hi)
    return pl.max_horizontal((last - first).dt.total_days(), pl.lit(0))


def _entry_trend(spell_frame: pl.DataFrame, start: date, end: date) -> EntryTrend | None:
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
    moves = ended.with_columns(
        band_expr.alias("band"), pl.col("next_category").fill_null(EXIT).alias("dest")
    ).group_by(["band", "category", "dest"]).len()
    events = np.zeros((N_BANDS, N_CATEGORIES, N_CATEGORIES + 1))
    for band, category, dest, n in moves.iter_rows():
        events[band, cat_index[category], dest_index[dest]] += n

    entrants = spell_frame.filter(
        pl.col("entry") & (pl.col("start") >= window_start) & (pl.col("start") <= window_end)
    ).select(
        "start",
        (pl.col("start") - pl.col("DOB")).dt.total_days().alias("age_days"),
        pl.col("category").replace_strict(cat_index, return_dtype=pl.Int8).alias("category"),
    ).filter(pl.col("age_days") >= 0)
    return Rates(
        window_start=window_start,
        window_end=window_end,
        exposure=exposure,
        events=events,
        entrant_age_days=entrants["age_days"].to_numpy().astype(np.int32),
        entrant_category=entrants["category"].to_numpy().astype(np.int8),
        entry_trend=_entry_trend(spell_frame, entries_from or window_start, window_end) if trend else None,
    )
