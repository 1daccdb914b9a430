"""Borrowing strength from statistical neighbours: shrink a council's entry and exit rates
towards those its DfE statistical neighbours published, by how much data the council has.

A small council's own rates are noisy: 80 entries a year measure its entry rate to about ±11%.
Councils that DfE's statistical-neighbour model finds alike have similar rates, so the forecast
uses a weighted average (empirical Bayes, normal approximation; Efron and Morris, 1975):

    rate = w × own + (1 − w) × neighbours,   w = τ² / (τ² + σ²)

σ² is the variance of the council's own estimate (the entry trend's level variance; 1 / exits
for the log exit rate) and τ² how much the neighbours' published rates differ from one another
(the spread a council's true rate could have around theirs). 1 − w is reported as "borrowed".

- **Entries** are per 10,000 children aged 0–17 (DfE's "starts per 10,000", ONS mid-year
  populations). When the council's own children looked after at a published 31 March differ
  from its published count by more than :data:`POPULATION_MISMATCH` (a synthetic council, or
  returns for part of a council), the population is scaled by the same ratio and the result
  says so.
- **Exits** are children ceasing to be looked after per child-year looked after (DfE's ceased
  in the year over the mean of the two 31 March counts; the council's own: periods of care
  ending in the reference window, turning 18 included, over child-years). The forecast's exit
  hazards before 18 are scaled so that the total moves to the shrunk rate.
- **As published by the cut**: DfE publishes the year ending 31 March Y in late November Y, so
  only years with 1 December Y on or before the forecast's origin are used
  (:func:`published_years`); the ONS mid-year M estimate is used from 1 July M + 1. Figures are
  those of the latest DfE release shipped (``carewise.benchmarks``), which may revise a year
  slightly after it was first published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from carewise.benchmarks import cla_by_la, statistical_neighbours, under18_population

YEARS_USED = 2
"""Published years averaged per neighbour (the latest available at the origin)."""
POPULATION_MISMATCH = 0.2
"""A council's own 31 March count this far from its published count: the data are not the
whole council as published, so the population is scaled to the data."""


@dataclass(frozen=True)
class Borrowing:
    """How much of the council's entry and exit rates came from its statistical neighbours."""

    council: str
    neighbours: tuple[str, ...]
    years: tuple[int, ...]
    population: float
    population_basis: str
    entries_own: float
    """Entries per 10,000 children a year, the council's own (entry trend's level at the origin)."""
    entries_neighbours: float
    entries_weight: float
    """Weight of the council's own entry rate (1 − borrowed)."""
    exits_own: float
    """Children leaving care per child-year looked after, the council's own."""
    exits_neighbours: float
    exits_weight: float

    @property
    def entries_borrowed(self) -> float:
        return 1.0 - self.entries_weight

    @property
    def exits_borrowed(self) -> float:
        return 1.0 - self.exits_weight

    @property
    def entries(self) -> float:
        return self.entries_weight * self.entries_own + self.entries_borrowed * self.entries_neighbours

    @property
    def exits(self) -> float:
        if self.exits_own <= 0 or self.exits_neighbours <= 0:
            return self.exits_own
        return float(np.exp(self.exits_weight * np.log(self.exits_own) + self.exits_borrowed * np.log(self.exits_neighbours)))

    def as_dict(self) -> dict[str, object]:
        return {
            "council": self.council,
            "neighbours": list(self.neighbours),
            "published_years": list(self.years),
            "population_0_17": round(self.population),
            "population_basis": self.population_basis,
            "entries_per_10000": {"own": round(self.entries_own, 2), "neighbours": round(self.entries_neighbours, 2),
                                  "used": round(self.entries, 2), "borrowed": round(self.entries_borrowed, 3)},
            "exits_per_child_year": {"own": round(self.exits_own, 4), "neighbours": round(self.exits_neighbours, 4),
                                     "used": round(self.exits, 4), "borrowed": round(self.exits_borrowed, 3)},
            "text": self.sentence(),
        }

    def sentence(self) -> str:
        """One line for the forecast page and the pack."""
        return (
            f"Borrowed {self.entries_borrowed:.0%} of the entry rate and {self.exits_borrowed:.0%} of the exit rate "
            f"from {len(self.neighbours)} statistical neighbours' published figures "
            f"({', '.join(str(y) for y in self.years)}): entries {self.entries_own:.1f} per 10,000 children a year "
            f"(neighbours {self.entries_neighbours:.1f}, used {self.entries:.1f}); leaving care "
            f"{self.exits_own:.2f} per child a year (neighbours {self.exits_neighbours:.2f}, used {self.exits:.2f})."
        )


@dataclass(frozen=True)
class NotBorrowed:
    """Why nothing was borrowed for a council (said beside the forecast as a warning)."""

    reason: str


def shrink_weight(own_variance: float, between_variance: float) -> float:
    """Weight of the council's own estimate: τ² / (τ² + σ²) (1 when it has no noise, 0 when the
    neighbours do not differ at all)."""
    if own_variance <= 0:
        return 1.0
    if between_variance <= 0:
        return 0.0
    return between_variance / (between_variance + own_variance)


def published_years(origin: date) -> list[int]:
    """Years ending 31 March whose DfE figures were published by ``origin`` (late November)."""
    return [y for y in range(2000, origin.year + 1) if date(y, 12, 1) <= origin]


def population_mid_year(origin: date) -> int:
    """The latest ONS mid-year estimate published by ``origin`` (mid-year M appears in summer M + 1)."""
    return origin.year - 1 if origin >= date(origin.year, 7, 1) else origin.year - 2


def _number(col: str) -> pl.Expr:
    return pl.col(col).str.replace_all(",", "").cast(pl.Float64, strict=False)


def neighbour_rates(codes: list[str], years: list[int]) -> pl.DataFrame:
    """Per council: entries per 10,000 children a year and exits per child-year, averaged over
    ``years`` (those published). Columns: code, entries_per_10000, exits_per_child_year."""
    table = cla_by_la().filter(pl.col("geographic_level") == "Local authority")
    rows = table.filter(pl.col("la_code_current").is_in(codes) | pl.col("la_code").is_in(codes)).with_columns(
        pl.coalesce(pl.col("la_code_current"), pl.col("la_code")).alias("code"),
        _number("starts_in_year").alias("starts"),
        _number("population_0_17_used").alias("pop"),
        _number("ceased_in_year").alias("ceased"),
        _number("cla_31_march").alias("cla"),
    ).sort(["code", "time_period"])
    rows = rows.with_columns(pl.col("cla").shift(1).over("code").alias("cla_before"))
    return (
        rows.filter(pl.col("time_period").is_in(years))
        .with_columns(
            (pl.col("starts") / pl.col("pop") * 10_000).alias("entries_per_10000"),
            (pl.col("ceased") / ((pl.col("cla") + pl.col("cla_before")) / 2)).alias("exits_per_child_year"),
        )
        .group_by("code")
        .agg(pl.col("entries_per_10000").mean(), pl.col("exits_per_child_year").mean())
        .drop_nulls()
        .sort("code")
    )


def _population(council: str, origin: date, own_count: dict[int, int], published: list[int]) -> tuple[float, str] | str:
    """Children aged 0–17 the entry rate is per, and what it is (scaled when the data do not match
    the council's published 31 March count); or why there is none. The data's 31 March count is
    compared with the count DfE published for the same year, else (no such year in the data, e.g.
    one year of returns) the latest one published by the origin; when DfE published no count
    (suppressed, as for the Isles of Scilly) the data cannot be matched to the population, and
    an unmatched population would turn a council's entries into a rate per 10,000 children that
    is hundreds of times any published."""
    found = under18_population(council, population_mid_year(origin))
    if found is None:
        return f"ONS publishes no population aged 0–17 for {council} by {origin}"
    pop, mid = found
    basis = f"ONS mid-{mid} estimate"
    table = cla_by_la().filter(
        ((pl.col("la_code_current") == council) | (pl.col("la_code") == council)) & pl.col("time_period").is_in(published)
    ).with_columns(_number("cla_31_march").alias("cla")).filter(pl.col("cla") > 0).sort("time_period")
    if table.height == 0 or not own_count:
        return (f"DfE published no count of children looked after at 31 March for {council} by {origin}, so the "
                "data cannot be matched with its population" if table.height == 0 else
                "the data hold no 31 March count to match with its published figures")
    counts = dict(zip(table["time_period"].to_list(), table["cla"].to_list(), strict=True))
    same = [y for y in sorted(own_count, reverse=True) if y in counts and own_count[y]]
    own_year = same[0] if same else max(own_count)
    if not own_count[own_year]:
        return f"the data hold no child looked after at 31 March {own_year} to match with its published figures"
    year = own_year if same else max(counts)
    ratio = own_count[own_year] / counts[year]
    if abs(ratio - 1) > POPULATION_MISMATCH:
        return pop * ratio, (
            f"{basis} × {ratio:.2f}: the data hold {own_count[own_year]} children looked after at 31 March "
            f"{own_year}, DfE published {counts[year]:.0f}" + ("" if year == own_year else f" for {year}")
        )
    return float(pop), basis


def borrow(
    council: str,
    origin: date,
    entries_per_month: float,
    entries_variance: float,
    exits: int,
    child_years: float,
    own_count: dict[int, int],
) -> Borrowing | NotBorrowed:
    """Shrink the council's entry rate (per month, with its variance) and exit rate (``exits``
    over ``child_years``) towards its statistical neighbours' published rates. ``own_count``:
    the data's children looked after at each 31 March (to check the population). When nothing
    can be borrowed — no neighbours, population or published figures by the origin — why."""
    codes = [code for code, _ in statistical_neighbours(council)]
    held = set(cla_by_la()["time_period"].to_list())
    published = [y for y in published_years(origin) if y in held]
    years = published[-YEARS_USED:]
    if not codes:
        return NotBorrowed(f"DfE lists no statistical neighbours for {council}")
    if not years:
        return NotBorrowed(f"no DfE figures had been published by {origin} among those shipped "
                           f"(years ending 31 March {min(held)} to {max(held)})")
    if child_years <= 0:
        return NotBorrowed("no child was looked after in the reference window")
    rates = neighbour_rates(codes, years)
    if rates.height < 3:
        return NotBorrowed(f"fewer than 3 of its neighbours published figures for {', '.join(map(str, years))}")
    found = _population(council, origin, own_count, published)
    if isinstance(found, str):
        return NotBorrowed(found)
    pop, basis = found
    per_10000_a_year = 12 * 10_000 / pop
    e_own = entries_per_month * per_10000_a_year
    e_var = entries_variance * per_10000_a_year**2
    entries_nb = rates["entries_per_10000"].to_numpy()
    log_exits_nb = np.log(rates["exits_per_child_year"].to_numpy())
    e_w = shrink_weight(e_var, float(entries_nb.var(ddof=1)))
    x_own = exits / child_years
    x_w = shrink_weight(1.0 / exits if exits else float("inf"), float(log_exits_nb.var(ddof=1)))
    return Borrowing(
        council=council,
        neighbours=tuple(rates["code"].to_list()),
        years=tuple(years),
        population=pop,
        population_basis=basis,
        entries_own=e_own,
        entries_neighbours=float(entries_nb.mean()),
        entries_weight=e_w,
        exits_own=x_own,
        exits_neighbours=float(np.exp(log_exits_nb.mean())),
        exits_weight=x_w if exits else 0.0,
    )
