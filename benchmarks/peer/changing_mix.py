"""Councils whose entrants' age mix changes, and carewise's rolling backtest on them.

    nice .venv/bin/python benchmarks/peer/changing_mix.py [--kind teen_surge --kind younger] \
        [--seeds 4] [--seed-base 3000] [--runs 300] [--steady 4] [--half-life 12|off|auto] [--save OUT.parquet]
    .venv/bin/python benchmarks/peer/changing_mix.py --paired A.parquet B.parquet [--state total|categories|supported]

The generator's (``carewise.synth``) entrants have a fixed age mix, and ``compare_forecasts``'s
growing and shrinking councils thin every age alike, so neither tests a model of the entrants'
mix. Here each child is kept with probability exp(g_band × years from a reference date to their
first entry), g_band a yearly growth for the age band they first came into care in (England
2021–24: unaccompanied 16–17-year-olds surged; some councils' under-1 entries fell). Each band's
reference date is the last day of the data when it grows and the first when it shrinks, so every
probability is at most 1 (as :func:`compare_forecasts.thin_by_entry`); entries of the band then
change by g_band a year, and the total by the mix of them.

Each council is backtested on every quarter-end cut (``run_backtest`` with the returns as received,
borrowing from the source council's statistical neighbours, as ``compare_forecasts.rolling``);
the councils are made with other seeds than the benchmark's (``--seed-base``), ``--seeds`` of each
kind. ``--steady K`` adds K councils like each of ``compare_forecasts.COUNCILS`` (steady, growing,
shrinking; seeds ``--steady-seed-base`` + 10 × seed + i) so a change can be checked for harm.
``--half-life`` sets the recency weighting of the entrant pool (:data:`estimate.ENTRANT_HALF_LIFE_MONTHS`)
for this run. ``--paired`` compares two saved runs council by council: the mean difference of the
12-month error of the total and of the 95% coverage, with the standard error over councils.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))

from compare_forecasts import COUNCILS, YEARS, CouncilCase, council_code, keep_children  # noqa: E402

from carewise.forecast import estimate  # noqa: E402
from carewise.forecast.backtest import run_backtest  # noqa: E402
from carewise.forecast.states import AGE_BANDS, N_BANDS  # noqa: E402
from carewise.history import stitch  # noqa: E402
from carewise.returns.years import age_expr  # noqa: E402


@dataclass(frozen=True)
class MixKind:
    """Yearly growth of entries per age band at first entry (AGE_BANDS order)."""

    name: str
    growth: tuple[float, ...]
    turns: tuple[tuple[date, tuple[float, ...]], ...] = ()
    """From each date on, the bands' yearly growth is the one given (a surge that comes and goes)."""


MIX_KINDS = (
    # 16–17 +30%/yr, 10–15 +5%/yr, under 10 −3%/yr: an unaccompanied teenagers' surge
    MixKind("teen_surge", (-0.03, -0.03, -0.03, 0.05, 0.30)),
    # under 5 +10%/yr, 16–17 −10%/yr: younger entrants
    MixKind("younger", (0.10, 0.10, 0.0, 0.0, -0.10)),
    # steady to March 2022, 16–17 +50%/yr (10–15 +10%) for two years, then back down as fast:
    # a wave that a trend would carry on past its peak
    MixKind("teen_wave", (0.0,) * N_BANDS,
            ((date(2022, 4, 1), (-0.02, -0.02, -0.02, 0.10, 0.50)), (date(2024, 4, 1), (0.0, 0.0, 0.0, -0.10, -0.50)))),
)
MIX_SIZE = 700
"""Children looked after the generator aims at before thinning (as the growing/shrinking councils)."""


def first_entry_band(returns: dict) -> pl.DataFrame:
    """CHILD, their first entry (earliest DECOM held), and the age band they were in on that day."""
    eps = pl.concat([r.table("episodes").select("CHILD", "DECOM") for r in returns.values()])
    first = eps.group_by("CHILD").agg(pl.col("DECOM").min().alias("first"))
    dob = (pl.concat([r.table("header").select("CHILD", "DOB") for r in sorted(returns.values(), key=lambda r: r.year)])
           .drop_nulls().unique("CHILD", keep="last"))
    age = age_expr(pl.col("DOB"), pl.col("first"))
    band = pl.lit(N_BANDS - 1, dtype=pl.Int32)
    for i in reversed(range(N_BANDS)):
        band = pl.when(age < AGE_BANDS[i].high).then(pl.lit(i, dtype=pl.Int32)).otherwise(band)
    return first.join(dob, on="CHILD", how="left").with_columns(band.alias("band")).sort("CHILD")


def thin_by_band(returns: dict, growth: tuple[float, ...], seed: int,
                 turns: tuple[tuple[date, tuple[float, ...]], ...] = ()) -> dict:
    """Keep each child with probability exp(g_band × years from the band's reference date to their
    first entry): the data's last day for a growing band, its first for a shrinking one (so every
    probability is at most 1); a child with no date of birth is kept. With ``turns`` the growth
    changes on each date: the log of the chance is the integral of the band's growth from the data's
    start, less its highest value over the data's span. Every table of every return loses the same
    children."""
    first = first_entry_band(returns)
    years = sorted(returns)
    band = first["band"].fill_null(0).to_numpy()
    g = np.asarray(growth)[band]
    no_dob = first["DOB"].is_null().to_numpy()
    g[no_dob] = 0.0
    start, end = np.datetime64(years[0].start, "D"), np.datetime64(years[-1].end, "D")
    day = first["first"].to_numpy().astype("datetime64[D]")
    if turns:
        log_p = _log_keep(day, band, growth, turns, start, end)
        log_p[no_dob] = 0.0
        keep_p = np.minimum(1.0, np.exp(log_p))
    else:
        ref = np.where(g > 0, end, start)
        t = (day - ref).astype(np.int64) / 365.25
        keep_p = np.minimum(1.0, np.exp(g * t))
    return keep_children(returns, first["CHILD"], keep_p, seed)


def _log_keep(day: np.ndarray, band: np.ndarray, growth: tuple[float, ...],
              turns: tuple[tuple[date, tuple[float, ...]], ...], start: np.datetime64, end: np.datetime64) -> np.ndarray:
    """∫ from ``start`` to ``day`` of the band's piecewise-constant yearly growth, less its
    maximum over [start, end] (reached at ``start``, a turn or ``end``)."""
    edges = [start, *[np.datetime64(d, "D") for d, _ in turns]]
    rates = np.array([growth, *[g for _, g in turns]])  # (segments, bands)

    def integral(t: np.ndarray) -> np.ndarray:  # (len(t), bands)
        out = np.zeros((t.size, rates.shape[1]))
        for i, lo in enumerate(edges):
            upto = t if i + 1 == len(edges) else np.minimum(t, edges[i + 1])
            years = (upto - lo).astype(np.int64) / 365.25
            out += (years if i == 0 else np.maximum(years, 0.0))[:, None] * rates[i][None, :]  # before the start: the first growth
        return out

    top = integral(np.array([*edges, end], dtype="datetime64[D]")).max(0)
    return integral(day)[np.arange(day.size), band] - top[band]


def make_mix_council(kind: MixKind, seed: int) -> dict:
    from carewise.synth import generate_council

    return thin_by_band(generate_council(MIX_SIZE, YEARS, seed=seed).returns, kind.growth, seed, kind.turns)


def mix_by_year(returns: dict) -> pl.DataFrame:
    """Share of first entries in each age band by collection year (a check that the mix moves)."""
    first = first_entry_band(returns)
    years = sorted(returns)
    label = pl.lit(None, dtype=pl.Utf8)
    for y in years:
        label = pl.when((pl.col("first") >= y.start) & (pl.col("first") <= y.end)).then(pl.lit(y.label)).otherwise(label)
    counts = first.with_columns(label.alias("year")).drop_nulls("year").group_by("year", "band").len()
    wide = counts.pivot(on="band", index="year", values="len").fill_null(0).sort("year")
    bands = [str(b) for b in range(N_BANDS) if str(b) in wide.columns]
    total = pl.sum_horizontal(*bands)
    return wide.select("year", total.alias("entries"),
                       *[(pl.col(b) / total).round(2).alias(f"{AGE_BANDS[int(b)].label}") for b in bands])


def backtest_rows(name: str, seed: int, returns: dict, runs: int, horizons: tuple[int, ...]) -> pl.DataFrame:
    """The rolling backtest's rows, total and placement categories (every quarter-end cut with
    the longest horizon's months after it, returns as received)."""
    bt = run_backtest(stitch(returns), runs=runs, returns=returns, council=council_code(), horizons=horizons)
    return bt.rows.with_columns(pl.lit(name).alias("council"), pl.lit(seed).alias("seed"))


def summary(frame: pl.DataFrame, horizon: int = 12) -> pl.DataFrame:
    """Per council kind and overall, the total at ``horizon`` months: cuts, mean error, bias, coverage."""
    f = frame.filter((pl.col("horizon_months") == horizon) & (pl.col("state") == "total")).with_columns(
        ((pl.col("median") - pl.col("observed")) / pl.col("observed")).alias("bias"))
    aggs = [pl.len().alias("cuts"), (pl.col("ape").mean() * 100).round(2).alias("error_%"),
            (pl.col("bias").mean() * 100).round(2).alias("bias_%"),
            pl.col("inside_80").mean().round(3).alias("inside_80"), pl.col("inside_95").mean().round(3).alias("inside_95")]
    per = f.group_by("council", maintain_order=True).agg(aggs)
    return pl.concat([per, f.select(pl.lit("all").alias("council"), *aggs)])


def category_errors(frame: pl.DataFrame, horizon: int = 12) -> pl.DataFrame:
    """Mean error (%) of each placement category's count at ``horizon`` months, per council kind
    (categories with at least 10 children observed: a percentage of a handful is noise)."""
    f = frame.filter((pl.col("horizon_months") == horizon) & (pl.col("state") != "total") & (pl.col("observed") >= 10))
    return (f.group_by("council", "state").agg((pl.col("ape").mean() * 100).round(1).alias("e"))
            .pivot(on="state", index="council", values="e").sort("council"))


def paired(a: pl.DataFrame, b: pl.DataFrame, horizon: int = 12, state: str = "total") -> str:
    """b − a council by council (same councils, seeds and cuts): mean difference of the error at
    ``horizon`` months and of the 95% coverage, with the standard error over councils, overall and
    per kind; ``state`` "total", a placement category, or "categories" (their mean error, categories
    with at least 10 children observed)."""
    keys = ["council", "seed", "cut", "state"]

    def pick(f: pl.DataFrame) -> pl.DataFrame:
        f = f.filter(pl.col("horizon_months") == horizon)
        if state == "categories":
            return f.filter((pl.col("state") != "total") & (pl.col("observed") >= 10))
        return f.filter(pl.col("state") == state)

    j = (pick(a).join(pick(b), on=keys, suffix="_b")
         .with_columns(((pl.col("ape_b") - pl.col("ape")) * 100).alias("d"),
                       (pl.col("inside_95_b").cast(int) - pl.col("inside_95").cast(int)).alias("dc")))
    per_council = j.group_by("council", "seed").agg(pl.col("d").mean(), pl.col("dc").mean())
    lines = [f"{state} at {horizon} months, B − A:"]
    mixed = pl.col("council").is_in([k.name for k in MIX_KINDS])
    groups = [("all", per_council), ("mix kinds", per_council.filter(mixed)), ("five kinds", per_council.filter(~mixed)),
              *[(k, per_council.filter(pl.col("council") == k)) for k in dict.fromkeys(per_council.sort("council")["council"])]]
    for name, g in groups:
        d, dc = g["d"].to_numpy(), g["dc"].to_numpy()
        se = d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else float("nan")
        sec = dc.std(ddof=1) / np.sqrt(dc.size) if dc.size > 1 else float("nan")
        lines.append(f"{name:<11} councils {d.size:>2}  error {d.mean():+.2f} points (se {se:.2f})  "
                     f"inside 95% {dc.mean():+.3f} (se {sec:.3f})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", action="append", choices=[k.name for k in MIX_KINDS], help="mix kinds (default all)")
    parser.add_argument("--seeds", type=int, default=4, help="councils of each mix kind")
    parser.add_argument("--seed-base", type=int, default=3000)
    parser.add_argument("--steady", type=int, default=0, metavar="K",
                        help="also K councils like each of compare_forecasts.COUNCILS")
    parser.add_argument("--steady-seed-base", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--half-life", help="entrant pool's half-life in months, 'off' or 'auto' (default: the model's)")
    parser.add_argument("--mix-trend", action="store_true",
                        help="entrant pool's age bands weighted to a trend in the mix (estimate.ENTRANT_MIX_TREND)")
    parser.add_argument("--save", help="write the backtest rows (parquet) for --paired")
    parser.add_argument("--show-mix", action="store_true", help="print each mix council's entries by band and year")
    parser.add_argument("--horizons", default="3,6,12", help="months ahead scored (the longest sets the cuts)")
    parser.add_argument("--paired", nargs=2, metavar=("A", "B"), help="compare two saved runs (B − A) and exit")
    parser.add_argument("--state", default="total", help="with --paired: total, a placement category or 'categories'")
    args = parser.parse_args()
    horizons = tuple(int(h) for h in args.horizons.split(","))
    if args.paired:
        a, b = (pl.read_parquet(p) for p in args.paired)
        for h in sorted({12, max(horizons)}):
            print(paired(a, b, h, args.state))
        return
    if args.half_life is not None:
        estimate.ENTRANT_HALF_LIFE_MONTHS = (None if args.half_life == "off" else "auto" if args.half_life == "auto"
                                             else float(args.half_life))
    estimate.ENTRANT_MIX_TREND = args.mix_trend
    t0, c0 = time.perf_counter(), time.process_time()
    frames = []
    kinds = [k for k in MIX_KINDS if not args.kind or k.name in args.kind]
    for kind in kinds:
        for i in range(args.seeds):
            seed = args.seed_base + 100 * MIX_KINDS.index(kind) + i
            returns = make_mix_council(kind, seed)
            if args.show_mix:
                print(kind.name, seed, mix_by_year(returns), sep="\n", flush=True)
            frames.append(backtest_rows(kind.name, seed, returns, args.runs, horizons))
    steady: tuple[CouncilCase, ...] = tuple(
        replace(c, seed=args.steady_seed_base + 10 * c.seed + i) for c in COUNCILS for i in range(args.steady))
    from compare_forecasts import make_council

    for case in steady:
        frames.append(backtest_rows(case.name, case.seed, make_council(case), args.runs, horizons))
    frame = pl.concat(frames)
    if args.save:
        frame.write_parquet(args.save)
    with pl.Config(tbl_rows=50, tbl_cols=12):
        for h in sorted({12, max(horizons)}):
            print(f"total at {h} months:", summary(frame, h), f"placement categories at {h} months, error %:",
                  category_errors(frame, h), sep="\n")
    print(f"half-life {estimate.ENTRANT_HALF_LIFE_MONTHS} months, mix trend {estimate.ENTRANT_MIX_TREND}; {len(frames)} councils, {args.runs} runs; "
          f"wall {time.perf_counter() - t0:.0f} s, CPU {time.process_time() - c0:.0f} s")


if __name__ == "__main__":
    main()
