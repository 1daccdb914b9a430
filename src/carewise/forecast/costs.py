"""Placement costs: weekly unit costs per placement category, inflation, projected spend.

Defaults are the published figures in the project's domain notes (``domain.md`` §4.1), each
with its year and source; a council should replace them with its own prices in a settings file
(``[costs]`` in TOML or JSON) or on the page. Spend in a month is the average of the children
at its start and end × weekly cost / 7 × days, uprated by ``inflation`` on each anniversary of
the forecast start.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from carewise.errors import SettingError
from carewise.forecast.model import QUANTILES
from carewise.forecast.simulate import Projection
from carewise.forecast.states import CATEGORIES


@dataclass(frozen=True)
class UnitCost:
    weekly: float
    year: str
    source: str


DEFAULT_COSTS: dict[str, UnitCost] = {
    "fostering_in_house": UnitCost(398.74, "2022-23", "Lincolnshire FOI 72688: LA in-house foster average per week"),
    "fostering_agency": UnitCost(845.17, "2022-23", "Lincolnshire FOI 72688: IFA foster placement per week"),
    "family_and_friends": UnitCost(
        398.74, "2022-23",
        "No published kinship figure; in-house foster rate used (kinship allowances at fostering rates, MacAlister 2022)",
    ),
    "residential": UnitCost(6108.0, "2024", "County Councils Network: residential placement per week (county councils)"),
    "supported": UnitCost(621.0, "Nov 2023", "Lincolnshire FOI 75675: supported accommodation 16-18, average per week"),
    "placed_with_parents": UnitCost(0.0, "-", "No placement fee (social work time not costed); set your own"),
    "adoption": UnitCost(0.0, "-", "No placement fee while placed for adoption; set your own"),
    "other": UnitCost(1597.5, "2022-23", "Lincolnshire FOI 72906: IFA parent and child placement average per week"),
}


@dataclass
class CostSettings:
    """Weekly cost per category and yearly inflation (0.03 = 3% a year)."""

    weekly: dict[str, float] = field(default_factory=lambda: {k: v.weekly for k, v in DEFAULT_COSTS.items()})
    inflation: float = 0.0

    def __post_init__(self) -> None:
        unknown = set(self.weekly) - set(CATEGORIES)
        if unknown:
            raise SettingError(
                f"Unknown placement categories in costs: {', '.join(sorted(unknown))}. "
                f"Use: {', '.join(CATEGORIES)}."
            )
        for name, value in self.weekly.items():
            if value < 0:
                raise SettingError(f"The weekly cost of {name} is negative ({value}); give a cost of 0 or more.")
        full = {k: v.weekly for k, v in DEFAULT_COSTS.items()}
        full.update({k: float(v) for k, v in self.weekly.items()})
        self.weekly = full
        if not -0.5 < self.inflation < 1.0:
            raise SettingError(f"Inflation {self.inflation} looks wrong: write 3% a year as 0.03.")

    def vector(self) -> np.ndarray:
        return np.array([self.weekly[c] for c in CATEGORIES])

    @classmethod
    def from_mapping(cls, data: dict) -> CostSettings:
        section = data.get("costs", data)
        weekly = section.get("weekly", {k: v for k, v in section.items() if k in CATEGORIES})
        return cls(weekly=dict(weekly), inflation=float(section.get("inflation", 0.0)))

    @classmethod
    def from_file(cls, path: str | Path) -> CostSettings:
        p = Path(path)
        if not p.exists():
            raise SettingError(f"The costs file {p} does not exist; give the path of a .toml or .json file.")
        try:
            data = tomllib.loads(p.read_text()) if p.suffix.lower() == ".toml" else json.loads(p.read_text())
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise SettingError(f"The costs file {p} cannot be read ({exc}); fix its syntax.") from None
        return cls.from_mapping(data)


def spend_per_step(projection: Projection, costs: CostSettings) -> np.ndarray:
    """Spend in each step and run (steps, runs), in pounds."""
    weekly = costs.vector()
    per_cat = projection.counts.sum(2).astype(np.float64)  # (dates, runs, C)
    avg = (per_cat[:-1] + per_cat[1:]) / 2
    days = projection.step_days.astype(np.float64)
    years_elapsed = np.array([(d - projection.dates[0]).days // 365 for d in projection.dates[1:]])
    uplift = (1 + costs.inflation) ** years_elapsed
    return (avg @ weekly) / 7 * (days * uplift)[:, None]


def _mean_spend(projection: Projection, costs: CostSettings) -> np.ndarray:
    per_cat = projection.mean.sum(1)
    avg = (per_cat[:-1] + per_cat[1:]) / 2
    days = projection.step_days.astype(np.float64)
    years_elapsed = np.array([(d - projection.dates[0]).days // 365 for d in projection.dates[1:]])
    return (avg @ costs.vector()) / 7 * days * (1 + costs.inflation) ** years_elapsed


def financial_year(day: date) -> str:
    """The financial year (April to March) a day falls in, as 2025-26."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def spend_by_period(projection: Projection, costs: CostSettings, other: Projection | None = None) -> pl.DataFrame:
    """Projected spend per calendar year and financial year, with intervals.

    Columns: period_type (calendar_year / financial_year), period, months (steps in the period;
    fewer than 12 means a part year), mean, median, p10, p90, p2_5, p97_5. With ``other``,
    the figures are ``other`` minus ``projection`` run by run (a scenario's saving or cost).
    """
    runs = spend_per_step(projection, costs)
    mean = _mean_spend(projection, costs)
    if other is not None:
        runs = spend_per_step(other, costs) - runs
        mean = _mean_spend(other, costs) - mean
    ends = projection.dates[1:]
    rows = []
    for kind, key in (("calendar_year", lambda d: str(d.year)), ("financial_year", financial_year)):
        labels = [key(d) for d in ends]
        for label in dict.fromkeys(labels):
            idx = [i for i, lab in enumerate(labels) if lab == label]
            total = runs[idx].sum(0)
            q = np.quantile(total, list(QUANTILES.values()))
            rows.append(
                {
                    "period_type": kind,
                    "period": label,
                    "months": len(idx),
                    "mean": float(mean[idx].sum()),
                    **{name: float(q[i]) for i, name in enumerate(QUANTILES)},
                }
            )
    return pl.DataFrame(rows)
