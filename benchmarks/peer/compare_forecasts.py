"""carewise's forecast against both open-source demand models: same data, same cuts, same truth.

    .venv/bin/python benchmarks/peer/compare_forecasts.py [--quick] [--runs 1000] [--json OUT] [--floor-seeds 100]

Councils: synthetic councils of several sizes (``carewise.synth.generate_council``, 2020-21 to
2025-26) and two that change: the generator's entries are stationary, so a growing (or
shrinking) council is made by keeping each child with a probability that rises (or falls)
exponentially with the date they first came into care (:func:`thin_by_entry`) — entries then
grow at that rate and the stock follows.

Cuts: every quarter end with two years of returns before it and 12 months after it (the
backtest's rolling origins, ``default_cuts``); the 31 March cuts are also shown case by case (the
peer cases). Each model sees only the returns of the collection years that ended by the cut (the
backtest's ``known_at``), so all three forecast from the last 31 March received — a 30 June cut
is scored 15 months after that March, as its 12-month forecast — and fits on its reference
window (carewise its default, up to 36 months; the peers 24 months, their better setting —
``--peer-reference-months``; from the first return when fewer months are held). Each peer runs
once per 31 March with every target of the cuts that start there. The truth is the children
looked after 3, 6 and 12 months after the cut according to all the data (carewise's count: episodes open at
the end of the day, short breaks left out, as DfE counts). The peers run in their own venvs:

- cs-demand-model 0.5.1 (PyPI): ``bash benchmarks/peer/setup_peer.sh`` (.peer/demand-venv)
- cs-demand-model-regional (GitHub, engine ``ssda903``): ``bash benchmarks/peer/setup_regional_peer.sh``

A peer that is absent is skipped (its columns show "absent"); a peer that fails on a case
(the regional model raises on some birthday starts) shows "failed". Before scoring, each peer's
total at the start is printed beside carewise's count of the same children (a hand check that
its exit columns were dropped and its stock matches the data).

Beside carewise's error, "best possible" is the expected error of an oracle that knows the
generator (``noise_floor.py``): no model can average less on councils like these.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from carewise.forecast.backtest import add_months, known_at, run_backtest
from carewise.forecast.model import DEFAULT_REFERENCE_MONTHS, months_before
from carewise.forecast.spells import category_counts, spells
from carewise.history import stitch
from carewise.returns.model import Return

HERE = Path(__file__).parent
ROOT = Path(__file__).resolve().parents[2]  # the repository
PYPI_PYTHON = Path(os.environ.get("PEER_VENV", ROOT / ".peer" / "demand-venv")) / "bin" / "python"
REGIONAL_DIR = Path(os.environ.get("REGIONAL_PEER", ROOT / ".peer" / "regional"))
REGIONAL_PYTHON = REGIONAL_DIR / "venv" / "bin" / "python"
HORIZONS = (3, 6, 12)
YEARS = "2020-21..2025-26"
SHORT_BREAKS = ["V3", "V4"]


@dataclass(frozen=True)
class CouncilCase:
    name: str
    size: int
    seed: int
    growth: float = 0.0
    """Yearly growth of entries (0.08 = 8% more each year), made by thinning."""


COUNCILS = (
    CouncilCase("small", 150, 3),
    CouncilCase("medium", 500, 5),
    CouncilCase("large", 1200, 11),
    CouncilCase("growing", 700, 7, growth=0.10),
    CouncilCase("shrinking", 700, 9, growth=-0.07),
)
QUICK = (COUNCILS[1], COUNCILS[3])


def thin_by_entry(returns: dict, growth: float, seed: int) -> dict:
    """Keep each child with probability exp(growth × years from the reference date to their first
    entry), the reference being the last day of the data when growing and the first when
    shrinking (so every probability is at most 1); every table of every return loses the same
    children. Entries then change by ``growth`` a year (a thinned Poisson process)."""
    if growth == 0:
        return returns
    eps = pl.concat([r.table("episodes").select("CHILD", "DECOM") for r in returns.values()])
    first = eps.group_by("CHILD").agg(pl.col("DECOM").min().alias("first")).sort("CHILD")  # same draws every run
    years = sorted(returns)
    ref = years[-1].end if growth > 0 else years[0].start
    t = first.select((pl.col("first") - pl.lit(ref)).dt.total_days() / 365.25).to_series().to_numpy()
    return keep_children(returns, first["CHILD"], np.minimum(1.0, np.exp(growth * t)), seed)


def keep_children(returns: dict, children: pl.Series, keep_p: np.ndarray, seed: int) -> dict:
    """The returns with each of ``children`` kept with its chance ``keep_p`` (one uniform each, in
    the order given, from ``seed``); every table of every return loses the same children."""
    u = np.random.default_rng(seed).random(keep_p.size)
    kept = set(children.filter(pl.Series(u < keep_p)).to_list())
    out = {}
    for year, ret in returns.items():
        raw = {name: frame.filter(pl.col("CHILD").str.strip_chars().is_in(kept)) for name, frame in ret.raw.items()}
        out[year] = Return(year=year, raw=raw, sources=ret.sources)
    return out


def make_council(case: CouncilCase) -> dict:
    from carewise.synth import generate_council

    council = generate_council(case.size, YEARS, seed=case.seed)
    return thin_by_entry(council.returns, case.growth, case.seed)


def council_code() -> str:
    """The ONS code the synthetic councils are made from (their statistical neighbours are
    that council's; the forecast scales the population to the synthetic council's size)."""
    from carewise.synth.figures import DEFAULT_COUNCIL

    return DEFAULT_COUNCIL


def _dates_as(frame: pl.DataFrame, fmt: str) -> pl.DataFrame:
    return frame.with_columns([pl.col(c).dt.strftime(fmt) for c, t in frame.schema.items() if t == pl.Date])


def _no_short_breaks(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("LS").is_null() | ~pl.col("LS").is_in(SHORT_BREAKS))


def write_pypi_folder(returns: dict, root: Path) -> Path:
    """END_YEAR/episodes.csv and header.csv, dd/mm/YYYY dates, short breaks left out."""
    for year, ret in returns.items():
        folder = root / str(year.start_year + 1)
        folder.mkdir(parents=True, exist_ok=True)
        _dates_as(_no_short_breaks(ret.table("episodes").drop("_row")), "%d/%m/%Y").write_csv(folder / "episodes.csv")
        _dates_as(ret.table("header").drop("_row"), "%d/%m/%Y").write_csv(folder / "header.csv")
    return root


def write_regional_folder(returns: dict, root: Path, la: str = "X") -> Path:
    """episodes.csv, header.csv, uasc.csv with LA and YEAR (the year the return ends) columns,
    ISO dates — the regional data platform's layout — short breaks left out."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("episodes", "header", "uasc"):
        frames = []
        for year, ret in returns.items():
            frame = ret.table(name).drop("_row")
            if name == "episodes":
                frame = _no_short_breaks(frame)
            frames.append(frame.with_columns(pl.lit(la).alias("LA"), pl.lit(year.start_year + 1).alias("YEAR")))
        _dates_as(pl.concat(frames, how="diagonal_relaxed"), "%Y-%m-%d").write_csv(root / f"{name}.csv")
    return root


def _run(cmd: list[str]) -> dict:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode != 0:
        return {"failed": proc.stderr.strip().splitlines()[-1][:300] if proc.stderr.strip() else "exit code"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_pypi(folder: Path, ref_start: date, ref_end: date, checks: list[date]) -> dict:
    if not PYPI_PYTHON.exists():
        return {"absent": True}
    return _run([str(PYPI_PYTHON), str(HERE / "run_peer.py"), str(folder), ref_start.isoformat(),
                 ref_end.isoformat(), *[d.isoformat() for d in checks]])


def run_regional(folder: Path, ref_start: date, ref_end: date, checks: list[date]) -> dict:
    if not REGIONAL_PYTHON.exists():
        return {"absent": True}
    return _run([str(REGIONAL_PYTHON), str(HERE / "run_regional_peer.py"), str(REGIONAL_DIR), str(folder),
                 ref_start.isoformat(), ref_end.isoformat(), ref_end.isoformat(), *[d.isoformat() for d in checks]])


def cuts_for(returns: dict, horizon: int = 12, reference_months: int = 24) -> list[date]:
    years = sorted(returns)
    first, last = years[0].start, years[-1].end
    return [y.end for y in years if months_before(y.end, reference_months) >= first and add_months(y.end, horizon) <= last]


PEER_REFERENCE_MONTHS = 24
"""The peers' reference window (from the first return when fewer months are held). 24 months is
their better setting on these councils: with carewise's 36 they scored 5.23% (PyPI) and 5.12%
(regional) at 12 months on the 20 cases instead of 4.37% and 4.38% — so the table does not
handicap them with carewise's window."""


def compare_council(case: CouncilCase, workdir: Path, runs: int = 1000, seed: int = 0, borrow: bool = True,
                    peer_months: int = PEER_REFERENCE_MONTHS) -> list[dict]:
    """One row per 31 March cut and horizon: observed, carewise median and ranges, each peer's total."""
    return [r for r in compare_rolling(case, workdir, runs, seed, borrow, peer_months) if r["cut"] == r["data_end"]]


def compare_rolling(case: CouncilCase, workdir: Path, runs: int = 1000, seed: int = 0, borrow: bool = True,
                    peer_months: int = PEER_REFERENCE_MONTHS) -> list[dict]:
    """One row per rolling cut (every quarter end, the backtest's :func:`default_cuts`) and horizon:
    all three models forecast from where the data known at the cut ends (31 March of the last
    return received), on the same returns, and are scored on the same day. Each peer runs once
    per origin with every target of its cuts."""
    returns = make_council(case)
    history = stitch(returns)
    t0 = time.perf_counter()
    ours = run_backtest(history, runs=runs, seed=seed, returns=returns, council=council_code() if borrow else None)
    ours_seconds = time.perf_counter() - t0
    total = ours.rows.filter(pl.col("state") == "total")
    rows = []
    for origin, frame in total.partition_by("data_end", as_dict=True, maintain_order=True).items():
        origin = origin[0]
        known = {y: r for y, r in returns.items() if y.end <= origin}
        ref_start = max(months_before(origin, peer_months), min(y.start for y in returns))
        checks = sorted(set(frame["target"]))
        base = workdir / case.name / str(case.seed) / origin.isoformat()
        pypi = run_pypi(write_pypi_folder(known, base / "pypi"), ref_start, origin, checks)
        regional = run_regional(write_regional_folder(known, base / "regional"), ref_start, origin, checks)
        start_count = category_counts(spells(known_at(returns, origin), as_at=origin), [origin])["count"].sum()
        for mine in frame.iter_rows(named=True):
            d = mine["target"]
            row = {
                "council": case.name, "seed": case.seed, "cut": mine["cut"].isoformat(),
                "data_end": origin.isoformat(), "horizon_months": mine["horizon_months"], "target": d.isoformat(),
                "observed": int(mine["observed"]), "start_carewise": int(start_count),
                "carewise": mine["median"], "carewise_p2_5": mine["p2_5"], "carewise_p97_5": mine["p97_5"],
                "carewise_p10": mine["p10"], "carewise_p90": mine["p90"], "carewise_seconds_all_cuts": ours_seconds,
            }
            for name, res in (("pypi", pypi), ("regional", regional)):
                if "totals" in res:
                    row[name] = res["totals"][d.isoformat()]
                    row[f"start_{name}"] = res["start_total"]
                    row[f"{name}_seconds"] = res["prepare_seconds"] + res["predict_seconds"]
                    if "sd" in res:
                        row[f"{name}_sd"] = res["sd"][d.isoformat()]
                else:
                    row[name] = None
                    row[f"{name}_status"] = "absent" if res.get("absent") else f"failed: {res.get('failed')}"
            rows.append(row)
    return rows


def ape(pred: float | None, obs: int) -> float | None:
    return None if pred is None else abs(pred - obs) / obs * 100


def report(rows: list[dict], floor: dict | None = None) -> str:
    """Per case (council × cut) the 12-month error of each model, then means per horizon;
    with ``floor`` ((council, cut) → noise_floor row) the best possible error beside them."""
    floor = floor or {}
    lines = ["council    cut         start cw/pypi/reg   observed  carewise (95% range)      pypi     regional  best",
             "                         (children at cut)  at 12 m   12-m error %              error %  error %   possible %"]
    for r in rows:
        if r["horizon_months"] != 12:
            continue
        sp = r.get("start_pypi")
        sr = r.get("start_regional")
        inside = r["carewise_p2_5"] <= r["observed"] <= r["carewise_p97_5"]
        cells = []
        for name in ("pypi", "regional"):
            e = ape(r[name], r["observed"])
            cells.append(f"{e:7.2f}" if e is not None else r.get(f"{name}_status", "-")[:7])
        lines.append(
            f"{r['council']:<10} {r['cut']}  {r['start_carewise']:>4}/{(sp or 0):>6.0f}/{(sr or 0):>6.0f}  {r['observed']:>7}  "
            f"{ape(r['carewise'], r['observed']):6.2f} ({r['carewise_p2_5']:.0f}–{r['carewise_p97_5']:.0f}{'' if inside else ' MISS'})"
            f"{'':<6} {cells[0]}  {cells[1]}  {_floor_cell(floor.get((r['council'], r['seed'], r['cut'])))}"
        )
    lines.append("")
    lines.append("mean absolute % error of the total (cases where every model ran):")
    for h in HORIZONS:
        sel = [r for r in rows if r["horizon_months"] == h]
        both = [r for r in sel if r["pypi"] is not None and r["regional"] is not None]
        use = both or sel
        cw = np.mean([ape(r["carewise"], r["observed"]) for r in use])
        pp = np.mean([ape(r["pypi"], r["observed"]) for r in use]) if both else float("nan")
        rg = np.mean([ape(r["regional"], r["observed"]) for r in use]) if both else float("nan")
        cov95 = np.mean([r["carewise_p2_5"] <= r["observed"] <= r["carewise_p97_5"] for r in sel])
        cov80 = np.mean([r["carewise_p10"] <= r["observed"] <= r["carewise_p90"] for r in sel])
        reg_cov = [abs(r["regional"] - r["observed"]) <= 2 * r["regional_sd"] for r in sel if r.get("regional_sd") is not None]
        lines.append(
            f"  {h:>2} months: carewise {cw:.2f}%  pypi {pp:.2f}%  regional {rg:.2f}%  (n={len(use)}); "
            f"carewise inside 95% {cov95:.0%}, 80% {cov80:.0%} (n={len(sel)}); "
            f"regional inside ±2σ {np.mean(reg_cov) if reg_cov else float('nan'):.0%}"
        )
    keys = [(r["council"], r["seed"], r["cut"]) for r in rows if r["horizon_months"] == 12]
    march = [floor[k] for k in keys if k in floor]
    if march:
        lines.append(f"  best possible at 12 months (noise_floor.py, n={len(march)}): {_floor_means(march)}")
    return "\n".join(lines)


def _floor_cell(row: dict | None) -> str:
    return "-" if row is None else f"{row['floor_pct']:5.2f}"


def _floor_means(rows: list[dict]) -> str:
    """Mean floor with known rates and with the entry rate estimated, and the oracle's own error."""
    mean = {k: np.mean([r[k] for r in rows]) for k in ("floor_pct", "estimated_rate_floor_pct", "oracle_error_pct")}
    return (f"{mean['floor_pct']:.2f}% with the generator's rates known, {mean['estimated_rate_floor_pct']:.2f}% with the "
            f"entry rate estimated; the oracle's own error on these cases {mean['oracle_error_pct']:.2f}%")


def rolling(case: CouncilCase, runs: int = 1000, seed: int = 0, borrow: bool = True) -> pl.DataFrame:
    """carewise alone on every quarter-end cut (the backtest's default): total at 3/6/12 months;
    ``borrow``: shrink towards the statistical neighbours of the council the cases are made from."""
    returns = make_council(case)
    bt = run_backtest(stitch(returns), runs=runs, seed=seed, returns=returns, council=council_code() if borrow else None)
    return bt.rows.filter(pl.col("state") == "total").with_columns(pl.lit(case.name).alias("council"),
                                                                   pl.lit(case.seed).alias("seed"))


def rolling_report(frame: pl.DataFrame, floor: dict | None = None) -> str:
    """Per council and overall: cuts, mean error of the total and coverage at each horizon;
    with ``floor`` ((council, cut) → noise_floor row) the best possible 12-month error (known
    rates / entry rate estimated)."""
    floor = floor or {}
    lines = ["carewise on rolling quarter-end cuts (returns as received), total children looked after:",
             "council     months  cuts  error %  inside 80%  inside 95%  best possible % (rates known / entry rate estimated)"]
    groups = [*[(name, frame.filter(pl.col("council") == name)) for name in dict.fromkeys(frame["council"])],
              ("all", frame)]
    for name, sel in groups:
        for h in HORIZONS:
            x = sel.filter(pl.col("horizon_months") == h)
            keys = [(c, seed, cut.isoformat()) for c, seed, cut in zip(x["council"], x["seed"], x["cut"], strict=True)]
            best = [floor[k] for k in keys if k in floor] if h == 12 else []
            best_cell = (f"  {np.mean([b['floor_pct'] for b in best]):6.2f} / {np.mean([b['estimated_rate_floor_pct'] for b in best]):.2f}"
                         if best else "")
            lines.append(f"{name:<11} {h:>6}  {x.height:>4}  {x['ape'].mean() * 100:7.2f}  "
                         f"{x['inside_80'].mean():10.0%}  {x['inside_95'].mean():10.0%}{best_cell}")
    return "\n".join(lines)


def rolling_peer_report(rows: list[dict], floor: dict | None = None) -> str:
    """Rolling cuts, all three models: per council and overall, at each horizon, the mean
    absolute % error of the total over the cuts where every model ran, carewise's coverage,
    the regional model's ±2σ coverage and (12 months, with ``floor``) the best possible error."""
    floor = floor or {}
    lines = ["rolling quarter-end cuts (returns as received; every model forecasts from the last 31 March known), "
             "total children looked after:",
             "council     months  cuts  carewise %  pypi %  regional %  cw inside 80/95%  regional ±2σ  best possible %"]
    names = [*dict.fromkeys(r["council"] for r in rows), "all"]
    for name in names:
        for h in HORIZONS:
            sel = [r for r in rows if r["horizon_months"] == h and name in ("all", r["council"])]
            use = [r for r in sel if r["pypi"] is not None and r["regional"] is not None]
            if not use:
                continue
            err = {m: np.mean([ape(r[m], r["observed"]) for r in use]) for m in ("carewise", "pypi", "regional")}
            cov80 = np.mean([r["carewise_p10"] <= r["observed"] <= r["carewise_p90"] for r in sel])
            cov95 = np.mean([r["carewise_p2_5"] <= r["observed"] <= r["carewise_p97_5"] for r in sel])
            reg = [abs(r["regional"] - r["observed"]) <= 2 * r["regional_sd"] for r in use if r.get("regional_sd") is not None]
            best = [floor[k] for k in ((r["council"], r["seed"], r["cut"]) for r in sel) if k in floor] if h == 12 else []
            best_cell = (f"  {np.mean([b['floor_pct'] for b in best]):.2f} / {np.mean([b['estimated_rate_floor_pct'] for b in best]):.2f}"
                         if best else "")
            lines.append(f"{name:<11} {h:>6}  {len(use):>4}  {err['carewise']:10.2f}  {err['pypi']:6.2f}  {err['regional']:10.2f}"
                         f"  {cov80:7.0%} / {cov95:3.0%}  {np.mean(reg) if reg else float('nan'):12.0%}{best_cell}")
    return "\n".join(lines)


def other_councils(cases: tuple[CouncilCase, ...], k: int, base: int) -> tuple[CouncilCase, ...]:
    """``k`` councils like each case (same size and growth), seeds ``base + 10 × seed + i``."""
    return tuple(replace(c, seed=base + 10 * c.seed + i) for c in cases for i in range(k))


def best_possible(cases: tuple[CouncilCase, ...], seeds: int) -> dict[tuple[str, int, str], dict]:
    """(council, seed, cut ISO date) → the oracle's row (``noise_floor.measure``) for every quarter-end
    cut (a 31 March cut is the same case whether in the rolling or the peer table)."""
    import noise_floor

    return {(row["council"], row["seed"], row["cut"]): row for case in cases
            for row in noise_floor.measure(case, draws=1000, seeds=seeds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="two councils only")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--council", action="append", help="only these councils (by name)")
    parser.add_argument("--workdir", default="/tmp/carewise-peer-compare")
    parser.add_argument("--json", help="write every row to this file")
    parser.add_argument("--rolling-only", action="store_true", help="carewise on every quarter-end cut, no peers")
    parser.add_argument("--no-borrow", action="store_true", help="no shrinkage towards statistical neighbours")
    parser.add_argument("--other-seeds", type=int, default=0, metavar="K",
                        help="K councils like each benchmark council (seeds from --seed-base) instead of it: a larger "
                             "check of a model change than the five councils' single futures")
    parser.add_argument("--seed-base", type=int, default=2000)
    parser.add_argument("--peer-reference-months", type=int, default=PEER_REFERENCE_MONTHS,
                        help=f"the peers' reference window (carewise's is {DEFAULT_REFERENCE_MONTHS})")
    parser.add_argument("--floor-seeds", type=int, default=100,
                        help="generator re-runs for the best possible error (noise_floor.py); 0: leave it out")
    args = parser.parse_args()
    cases = QUICK if args.quick else COUNCILS
    if args.council:
        cases = tuple(c for c in COUNCILS if c.name in args.council)
    if args.other_seeds:
        cases = other_councils(cases, args.other_seeds, args.seed_base)
    borrow = not args.no_borrow
    floor = best_possible(cases, args.floor_seeds) if args.floor_seeds else {}
    if args.rolling_only:
        print(rolling_report(pl.concat([rolling(case, args.runs, borrow=borrow) for case in cases]), floor))
        return
    rows = []
    for case in cases:
        print(f"{case.name}: size {case.size}, seed {case.seed}, growth {case.growth:+.0%}/year", file=sys.stderr)
        rows.extend(compare_rolling(case, Path(args.workdir), runs=args.runs, borrow=borrow,
                                    peer_months=args.peer_reference_months))
    print(rolling_peer_report(rows, floor))
    print()
    print("31 March cuts (the peer cases):")
    print(report([r for r in rows if r["cut"] == r["data_end"]], floor))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
