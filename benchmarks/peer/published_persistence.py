"""Do councils' trends persist? Checked on DfE's published figures, not on synthetic councils.

    .venv/bin/python benchmarks/peer/published_persistence.py [--benchmarks ../shared/benchmarks]

From ``cla-by-la.csv`` (children looked after at 31 March and starts in the year, per English
council, 2019–2025; councils merged since are summed under their current code): how well
simple rules forecast next year's **starts** from the years before (mean absolute % error over
every council with 30 or more starts in every year, each year from the fourth on), and whether a
year's change is followed by a like one (correlation of consecutive yearly changes in the
logarithm, councils with 100 or more children looked after). The synthetic benchmark's growing and
shrinking councils keep their trend for six years; this says how often real ones do — it is why
the forecast's entry trend must earn its place (``forecast.entries.EntryModel``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[2]


def yearly(benchmarks: Path) -> pl.DataFrame:
    """Per current council and year: children looked after at 31 March and starts."""
    frame = pl.read_csv(benchmarks / "cla-by-la.csv", infer_schema_length=0).filter(
        pl.col("geographic_level") == "Local authority")
    return (
        frame.select(
            pl.col("time_period").cast(pl.Int32).alias("year"), pl.col("la_code_current").alias("la"),
            pl.col("cla_31_march").cast(pl.Float64, strict=False).alias("cla"),
            pl.col("starts_in_year").cast(pl.Float64, strict=False).alias("starts"),
        )
        .group_by("la", "year").agg(pl.col("cla").sum(), pl.col("starts").sum())
        .sort("la", "year")
    )


def _line_end(history: np.ndarray, ahead: float) -> float:
    """The least-squares line through the last three years, ``ahead`` years past the last."""
    x = np.arange(3.0)
    slope, intercept = np.polyfit(x, history[-3:], 1)
    return float(intercept + slope * (2 + ahead))


def _smoothed(history: np.ndarray, alpha: float) -> float:
    level = history[0]
    for value in history[1:]:
        level = alpha * value + (1 - alpha) * level
    return float(level)


RULES = {
    "last year": lambda h: float(h[-1]),
    "mean of the last 3 years": lambda h: float(h[-3:].mean()),
    "exponential smoothing 0.5": lambda h: _smoothed(h, 0.5),
    "line of the last 3 years, its end": lambda h: _line_end(h, 0.0),
    "line of the last 3 years, half a year on": lambda h: _line_end(h, 0.5),
    "line of the last 3 years, a year on (trend)": lambda h: _line_end(h, 1.0),
}


def starts_errors(frame: pl.DataFrame) -> tuple[int, dict[str, float]]:
    wide = frame.pivot(on="year", index="la", values="starts").drop("la")
    years = sorted(wide.columns, key=int)
    table = wide.select(years).to_numpy().astype(float)
    table = table[np.all(np.isfinite(table), axis=1) & np.all(table >= 30, axis=1)]
    out = {}
    for name, rule in RULES.items():
        errors = [abs(rule(row[:t]) - row[t]) / row[t] for t in range(3, table.shape[1]) for row in table]
        out[name] = float(np.mean(errors)) * 100
    return table.shape[0], out


def persistence(frame: pl.DataFrame, column: str, min_cla: float = 100) -> tuple[int, float]:
    """Correlation of a council's change in log ``column`` with its change the year before."""
    d = frame.with_columns(pl.col(column).log().diff().over("la").alias("g"),
                           pl.col("cla").shift(1).over("la").alias("before"))
    d = d.with_columns(pl.col("g").shift(1).over("la").alias("g_before"))
    d = d.filter(pl.col("g").is_finite() & pl.col("g_before").is_finite() & (pl.col("before") >= min_cla))
    return d.height, float(np.corrcoef(d["g_before"], d["g"])[0, 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--benchmarks", type=Path, default=ROOT.parent / "shared" / "benchmarks")
    args = parser.parse_args()
    frame = yearly(args.benchmarks)
    n, errors = starts_errors(frame)
    print(f"next year's starts, {n} councils (30+ starts every year), mean absolute % error:")
    for name, value in errors.items():
        print(f"  {name:<45} {value:5.1f}%")
    for column, label in (("cla", "children looked after at 31 March"), ("starts", "starts in the year")):
        pairs, r = persistence(frame, column)
        print(f"{label}: correlation of consecutive yearly changes {r:+.2f} ({pairs} pairs)")


if __name__ == "__main__":
    main()
