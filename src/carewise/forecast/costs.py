"""Placement costs: weekly unit costs per placement category in one price base, projected spend.

Defaults are the published figures in the project's domain notes (``domain.md`` §4.1), each
with the year it was published; they are uprated to the **price base** (default 2025-26) with
the index in :mod:`carewise.forecast.prices`. A council should replace them with its own prices
in a settings file (``[costs]`` in TOML or JSON: ``weekly``, the ``price_year`` they are in,
``price_base``, ``inflation``) or on the page. Spend in a month is the average of the children
at its start and end × weekly cost / 7 × days × the price level of the financial year the month
falls in over the price base's (future years at ``inflation`` a year).
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
from carewise.forecast.prices import (
    DEFAULT_INFLATION,
    DEFAULT_PRICE_BASE,
    INDEX_NAME,
    financial_year_label,
    financial_year_start,
    level,
    step_multipliers,
    uprate,
)
from carewise.forecast.simulate import Projection
from carewise.forecast.states import CATEGORIES


@dataclass(frozen=True)
class UnitCost:
    weekly: float
    year: str
    """The period the figure's prices are from: "2022-23", "2024" or "Nov 2023"."""
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
    "placed_with_parents": UnitCost(0.0, DEFAULT_PRICE_BASE, "No placement fee (social work time not costed); set your own"),
    "adoption": UnitCost(0.0, DEFAULT_PRICE_BASE, "No placement fee while placed for adoption; set your own"),
    "other": UnitCost(1597.5, "2022-23", "Lincolnshire FOI 72906: IFA parent and child placement average per week"),
}


@dataclass
class CostSettings:
    """Weekly cost per category in ``price_base`` prices and yearly inflation beyond the index.

    ``weekly`` given here are in ``price_year`` prices (default: the price base) and are uprated
    to the price base; categories not given take the published defaults, uprated from their own
    years. ``uprating`` records, per category, the figure as given, its year and the factor.
    """

    weekly: dict[str, float] = field(default_factory=dict)
    inflation: float = DEFAULT_INFLATION
    price_base: str = DEFAULT_PRICE_BASE
    price_year: str | None = None
    uprating: dict[str, dict] = field(default_factory=dict, init=False)

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
        if not -0.5 < self.inflation < 1.0:
            raise SettingError(f"Inflation {self.inflation} looks wrong: write 3% a year as 0.03.")
        level(self.price_base, self.inflation)  # a price base the index knows, or a clear error
        given_year = self.price_year or self.price_base
        full: dict[str, float] = {}
        for name in CATEGORIES:
            if name in self.weekly:
                value, year, source = float(self.weekly[name]), given_year, "council"
            else:
                d = DEFAULT_COSTS[name]
                value, year, source = d.weekly, d.year, d.source
            factor = uprate(1.0, year, self.price_base, self.inflation)
            full[name] = value * factor
            self.uprating[name] = {"weekly_as_given": value, "price_year": year, "factor": factor, "source": source}
        self.weekly = full
        self.price_year = given_year

    def vector(self) -> np.ndarray:
        return np.array([self.weekly[c] for c in CATEGORIES])

    def describe(self) -> str:
        """The price base as every cost output states it."""
        return (f"{self.price_base} prices ({INDEX_NAME}), uprated by {self.inflation:.1%} a year after the last "
                "index value")

    def as_json(self) -> dict:
        """The price base, index and uprating of each weekly cost (for --json and pages)."""
        return {"price_base": self.price_base, "index": INDEX_NAME, "inflation": self.inflation,
                "weekly": self.weekly, "uprating": self.uprating}

    @classmethod
    def from_mapping(cls, data: dict) -> CostSettings:
        section = data.get("costs", data)
        weekly = section.get("weekly", {k: v for k, v in section.items() if k in CATEGORIES})
        return cls(weekly=dict(weekly), inflation=float(section.get("inflation", DEFAULT_INFLATION)),
                   price_base=str(section.get("price_base", DEFAULT_PRICE_BASE)),
                   price_year=section.get("price_year"))

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

    def with_inflation(self, inflation: float) -> CostSettings:
        """The same council prices with another future inflation rate."""
        given = {k: v["weekly_as_given"] for k, v in self.uprating.items() if v["source"] == "council"}
        return CostSettings(weekly=given, inflation=inflation, price_base=self.price_base,
                            price_year=self.price_year)


def _price_levels(projection: Projection, costs: CostSettings) -> np.ndarray:
    """Each step's price level over the price base (the financial year of its middle day)."""
    days = [int(d) for d in projection.step_days]
    return np.array(step_multipliers(projection.dates[1:], days, costs.price_base, costs.inflation))


def spend_per_step(projection: Projection, costs: CostSettings) -> np.ndarray:
    """Spend in each step and run (steps, runs), in pounds of the day (cash)."""
    weekly = costs.vector()
    per_cat = projection.counts.sum(2).astype(np.float64)  # (dates, runs, C)
    avg = (per_cat[:-1] + per_cat[1:]) / 2
    days = projection.step_days.astype(np.float64)
    return (avg @ weekly) / 7 * (days * _price_levels(projection, costs))[:, None]


def _mean_spend(projection: Projection, costs: CostSettings) -> np.ndarray:
    per_cat = projection.mean.sum(1)
    avg = (per_cat[:-1] + per_cat[1:]) / 2
    days = projection.step_days.astype(np.float64)
    return (avg @ costs.vector()) / 7 * days * _price_levels(projection, costs)


def financial_year(day: date) -> str:
    """The financial year (April to March) a day falls in, as 2025-26."""
    return financial_year_label(financial_year_start(day))


def spend_by_period(projection: Projection, costs: CostSettings, other: Projection | None = None) -> pl.DataFrame:
    """Projected spend per calendar year and financial year, with intervals.

    Columns: period_type (calendar_year / financial_year), period, months (steps in the period;
    fewer than 12 means a part year), mean, median, p10, p90, p2_5, p97_5 (cash: the price base
    uprated to each month's financial year), price_base. With ``other``,
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
                    "price_base": costs.price_base,
                }
            )
    return pl.DataFrame(rows)
