"""The best any forecast could do on the benchmark councils: an oracle that knows the generator.

    .venv/bin/python benchmarks/peer/noise_floor.py [--seeds 200] [--draws 2000] [--council NAME] [--json OUT]

A synthetic council's future is random even to someone who knows how it was made, so no model
can have a mean error of zero. This script measures how small the mean 12-month error of the
total could be, on the same councils and cuts as ``compare_forecasts.py``, for a forecaster who
knows everything the generator (``carewise.synth``) knows at the forecast origin except its
future random draws:

- each child looked after at the origin: their route (adoption, special guardianship, return
  home, long-term care, section 20, UASC, remand — more than any return shows), age, time in
  care and adoption milestones (placement order, placed, reversed). Their chance of still being
  looked after on the target day is measured by re-drawing their period of care with the
  generator's own code (``synth.simulate._Draw``) many times and keeping the draws that agree
  with what is known at the origin (still in care, the same milestones reached);
- children who come into care (or come back) between the origin and the target: their number
  looked after on the target day is drawn from ``--seeds`` re-runs of the generator with other
  seeds and the same parameters (entries are a Poisson process whose rate the oracle knows; a
  growing or shrinking council is thinned the same way).

The oracle's forecast distribution of the total is the sum of the two (independent given the
origin). Its best point forecast is the number that minimises the expected absolute percentage
error; the **floor** is that expected error — what the best possible model scores on average
over many councils like this one at this origin. The oracle's **own error** on the one future
that happened (the benchmark's truth) is printed beside it, and so is whether that truth fell
inside the oracle's 95% range (a check of the oracle: about 95% of cases should).

A second floor is nearer what a model could reach: the same oracle, but with the entry rate
**estimated** from the entries of the 24 months before the origin (the generator's shape of the
rate over time still known — flat, or the growth of a thinned council); the newcomers' number
scales by seen / expected entries, and the floor averages over how that count varies. Exits
stay known, so this floor is still below what a model estimating everything can reach.

The origin is what the benchmark's models know: the last 31 March whose return was received by
the cut (a quarter-end cut between returns forecasts 12 months past the cut from data up to 21
months older). The truth is carewise's count from all the data, as in ``compare_forecasts.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from compare_forecasts import (
    COUNCILS,
    HORIZONS,
    YEARS,
    CouncilCase,
    council_code,
    cuts_for,
    other_councils,
    thin_by_entry,
)

from carewise.forecast.backtest import HISTORY_MONTHS, add_months, default_cuts
from carewise.forecast.model import months_before
from carewise.forecast.spells import category_counts, spells
from carewise.history import stitch
from carewise.returns import year_range
from carewise.synth import council_figures
from carewise.synth.council import _ReturnBuilder
from carewise.synth.places import postcodes
from carewise.synth.simulate import YEAR, _Draw, calibrate, day, simulate


@dataclass
class Council:
    """One benchmark council as ``compare_forecasts.make_council`` makes it, with the
    generator's own record of every period of care (route, planned end) and who was kept."""

    case: CouncilCase
    returns: dict
    periods: pl.DataFrame
    """The generator's periods of care of the children kept: entry, end, dob, route, milestones."""
    truth: object
    fig: object


def _rng(seed: int, fig) -> np.random.Generator:
    """The generator's seeding (``synth.council._generate``)."""
    return np.random.default_rng(np.random.SeedSequence([seed, int(fig.la_code[1:])]))


def build(case: CouncilCase) -> Council:
    """``generate_council`` step by step (same seed, same draws, same returns), keeping the
    simulation's periods joined to the children's CHILD ids so thinning can be followed."""
    fig = council_figures(council_code())
    years = year_range(YEARS)
    rng = _rng(case.seed, fig)
    truth = calibrate(rng, case.size, fig)
    sim = simulate(rng, truth, day(years[0].start), day(years[-1].end), fig, postcodes())
    builder = _ReturnBuilder(rng, sim, fig, case.size)
    returns = thin_by_entry({y: builder.build(y) for y in years}, case.growth, case.seed)
    kept = pl.concat([r.table("episodes").select("CHILD") for r in returns.values()])["CHILD"].str.strip_chars().unique()
    periods = builder.periods.filter(pl.col("CHILD").str.strip_chars().is_in(kept.implode()))
    return Council(case, returns, periods, truth, fig)


def _count(periods: pl.DataFrame, on: int) -> int:
    return periods.filter((pl.col("entry") <= on) & (pl.col("end") > on)).height


def survival(periods: pl.DataFrame, origin: int, targets: list[int], draws: int, rng: np.random.Generator) -> np.ndarray:
    """Chance (children × targets) that each child looked after at ``origin`` is still looked
    after on each target day, given their route, dates and the adoption milestones reached by
    the origin: re-draws of their period with the generator's code that agree with the origin."""
    p = periods.filter((pl.col("entry") <= origin) & (pl.col("end") > origin))
    n = p.height
    entry, dob = p["entry"].to_numpy(), p["dob"].to_numpy()
    route = p["route"].to_numpy().astype(object)

    def reached(col: np.ndarray) -> np.ndarray:
        return (col >= 0) & (col <= origin)

    known = np.stack([reached(p[c].to_numpy()) for c in ("t_po", "t_place", "t_rev")], axis=1)
    alive = np.zeros((n, len(targets)))
    agree = np.zeros(n)
    todo = np.arange(n)
    k = draws
    for _ in range(6):  # more draws for the children whose agreeing draws are rare
        idx = np.repeat(todo, k)
        d = _Draw(rng, entry[idx], dob[idx], route[idx])
        ok = d.end > origin
        adopt = route[idx] == "adopt"
        milestones = np.stack([reached(d.t_po), reached(d.t_place), reached(d.t_rev)], axis=1)
        ok &= ~adopt | (milestones == known[idx]).all(axis=1)
        np.add.at(agree, idx, ok)
        for j, t in enumerate(targets):
            np.add.at(alive[:, j], idx, ok & (d.end > t))
        todo = np.flatnonzero(agree < 50)
        if todo.size == 0:
            break
        k *= 4
    return alive / np.maximum(agree, 1)[:, None]


def poisson_binomial(p: np.ndarray) -> np.ndarray:
    """Distribution of the number of successes of independent trials with chances ``p``."""
    pmf = np.ones(1)
    for q in p:
        pmf = np.convolve(pmf, [1 - q, q])
    return pmf


def newcomers(council: Council, pairs: list[tuple[int, int]], windows: list[tuple[int, int]], seeds: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """(seeds × pairs) children who came into care after each pair's origin and are looked
    after on its target day, and (seeds × windows) periods of care that began in each window
    (first day excluded), in re-runs of the generator with other seeds and the same
    parameters, thinned as the benchmark thins (by the date the child first came into care)."""
    years = year_range(YEARS)
    first, last = day(years[0].start), day(years[-1].end)
    growth = council.case.growth
    ref = last if growth > 0 else first
    out = np.zeros((seeds, len(pairs)), dtype=np.int64)
    seen = np.zeros((seeds, len(windows)), dtype=np.int64)
    for s in range(seeds):
        rng = _rng(10_000 + 97 * council.case.seed + s, council.fig)
        per = simulate(rng, council.truth, first, last, council.fig, postcodes()).periods
        if growth:
            firsts = per.group_by("child").agg(pl.col("entry").min().alias("first")).sort("child")
            keep_p = np.minimum(1.0, np.exp(growth * (firsts["first"].to_numpy() - ref) / YEAR))
            kept = firsts.filter(pl.Series(rng.random(firsts.height) < keep_p))["child"]
            per = per.filter(pl.col("child").is_in(kept.implode()))
        entry, end = per["entry"].to_numpy(), per["end"].to_numpy()
        out[s] = [((entry > o) & (entry <= t) & (end > t)).sum() for o, t in pairs]
        seen[s] = [((entry > a) & (entry <= b)).sum() for a, b in windows]
    return out, seen


def best_point(values: np.ndarray, probs: np.ndarray) -> tuple[float, float]:
    """The point forecast minimising the expected absolute percentage error, and that error."""
    v = values[values > 0].astype(float)
    w = probs[values > 0] / probs[values > 0].sum()
    # E|X - m| / X is convex in m and piecewise linear between support points
    costs = [(np.abs(v - m) / v * w).sum() for m in v]
    i = int(np.argmin(costs))
    return float(v[i]), float(costs[i])


def oracle(council: Council, origin: date, targets: list[date], new: np.ndarray, draws: int,
           rng: np.random.Generator, seen: tuple[int, float]) -> list[dict]:
    """Per target: the oracle's best point, expected error (the floor), 95% range; ``new``:
    the newcomers on each target day (seeds × targets, :func:`newcomers`).

    Also the floor when the entry rate is not known but estimated from the entries of the
    window before the origin (``seen``: the council's own count and the generator's expected
    count): the newcomers' expected number scales by own / expected, and that ratio varies as a
    Poisson count does, so the floor is averaged over it."""
    o, ts = day(origin), [day(t) for t in targets]
    surv = survival(council.periods, o, ts, draws, rng)
    rows = []
    for j, t in enumerate(targets):
        stay = poisson_binomial(surv[:, j])
        # total = stayers + newcomers: the stayers' distribution shifted by each newcomer draw
        support = np.arange(stay.size + new[:, j].max())
        pmf = np.zeros(support.size)
        for b in new[:, j]:
            pmf[b:b + stay.size] += stay / len(new)
        point, floor = best_point(support, pmf)
        own, expected = seen
        mean_new = new[:, j].mean()
        ratios = rng.poisson(expected, 400) / expected
        pos = support > 0
        est_floor = float(np.mean([(np.abs(support[pos] - point - (r - 1) * mean_new) / support[pos] * pmf[pos]).sum()
                                   for r in ratios]) / pmf[pos].sum())
        est_point = point + (own / expected - 1) * mean_new
        cdf = np.cumsum(pmf)
        lo, hi = int(np.searchsorted(cdf, 0.025)), int(np.searchsorted(cdf, 0.975))
        rows.append({"origin": origin.isoformat(), "target": t.isoformat(), "start": _count(council.periods, o),
                     "expected": float((support * pmf).sum()), "point": point, "floor_pct": floor * 100,
                     "estimated_rate_point": est_point, "estimated_rate_floor_pct": est_floor * 100,
                     "p2_5": lo, "p97_5": hi, "sd": float(np.sqrt((support**2 * pmf).sum() - (support * pmf).sum() ** 2))})
    return rows


def cases(council: Council) -> list[tuple[str, date, date, date]]:
    """(kind, cut, origin, target 12 months after the cut) for the benchmark's 31 March cuts
    ("march", the 20 peer cases) and the backtest's quarter-end cuts ("rolling")."""
    history = stitch(council.returns)
    out = [("march", c, c, add_months(c, 12)) for c in cuts_for(council.returns)]
    for cut in default_cuts(history):
        origin = max(y.end for y in history.years if y.end <= cut)
        out.append(("rolling", cut, origin, add_months(cut, 12)))
    return out


def measure(case: CouncilCase, draws: int, seeds: int) -> list[dict]:
    council = build(case)
    history = stitch(council.returns)
    truth = spells(history, as_at=history.last_date)
    todo = cases(council)
    rng = np.random.default_rng(case.seed)
    plan = {origin: sorted({c[3] for c in todo if c[2] == origin}) for origin in sorted({c[2] for c in todo})}
    pairs = [(day(o), day(t)) for o, ts in plan.items() for t in ts]
    windows = [(day(months_before(o, HISTORY_MONTHS)) - 1, day(o)) for o in plan]
    new, seen = newcomers(council, pairs, windows, seeds)
    entry = council.periods["entry"].to_numpy()
    rows = []
    for i, (origin, targets) in enumerate(plan.items()):
        cols = [pairs.index((day(origin), day(t))) for t in targets]
        a, b = windows[i]
        own = (int(((entry > a) & (entry <= b)).sum()), float(seen[:, i].mean()))
        by_target = {r["target"]: r for r in oracle(council, origin, targets, new[:, cols], draws, rng, own)}
        for kind, cut, o, target in todo:
            if o != origin:
                continue
            r = dict(by_target[target.isoformat()])
            observed = int(category_counts(truth, [target])["count"].sum())
            generator_count = _count(council.periods, day(target))
            r.update(council=case.name, seed=case.seed, kind=kind, cut=cut.isoformat(), observed=observed,
                     generator_observed=generator_count,
                     oracle_error_pct=abs(r["point"] - observed) / observed * 100,
                     estimated_rate_error_pct=abs(r["estimated_rate_point"] - observed) / observed * 100,
                     inside_95=r["p2_5"] <= observed <= r["p97_5"])
            rows.append(r)
    return rows


def report(rows: list[dict]) -> str:
    frame = pl.DataFrame(rows)
    lines = ["Best possible 12-month error of the total (an oracle knowing the generator), per council:",
             "                            known rates                          entry rate estimated",
             "kind     council     cases  floor %  oracle's error %  inside 95%  floor %  oracle's error %"]
    for kind in ("march", "rolling"):
        sel = frame.filter(pl.col("kind") == kind)
        groups = [*[(n, sel.filter(pl.col("council") == n)) for n in dict.fromkeys(sel["council"])], ("all", sel)]
        for name, g in groups:
            lines.append(f"{kind:<8} {name:<11} {g.height:>5}  {g['floor_pct'].mean():7.2f}  "
                         f"{g['oracle_error_pct'].mean():16.2f}  {g['inside_95'].mean():10.0%}  "
                         f"{g['estimated_rate_floor_pct'].mean():7.2f}  {g['estimated_rate_error_pct'].mean():16.2f}")
    mism = frame.filter(pl.col("observed") != pl.col("generator_observed"))
    lines.append(f"(carewise's count of the truth differs from the generator's own in {mism.height} of {frame.height} cases"
                 + (f"; largest {int((mism['observed'] - mism['generator_observed']).abs().max())})" if mism.height else ")"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=200, help="generator re-runs for the newcomers")
    parser.add_argument("--draws", type=int, default=2000, help="re-draws of each child's period of care")
    parser.add_argument("--council", action="append", help="only these councils (by name)")
    parser.add_argument("--json", help="write every row to this file")
    parser.add_argument("--seed-base", type=int, default=1000, help="first seed of --other-seeds")
    parser.add_argument("--other-seeds", type=int, default=0, metavar="K",
                        help="check the oracle: K councils like each benchmark council (other seeds) instead of it; "
                             "its own error should average the floor and its 95%% range hold the truth ~95%% of the time")
    args = parser.parse_args()
    chosen = [c for c in COUNCILS if not args.council or c.name in args.council]
    if args.other_seeds:
        chosen = list(other_councils(tuple(chosen), args.other_seeds, args.seed_base))
    rows = []
    for case in chosen:
        rows.extend(measure(case, args.draws, args.seeds))
        print(f"{case.name}: done", file=sys.stderr, flush=True)
    print(report(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    assert HORIZONS[-1] == 12
    main()
