"""Batch assignment of all open referrals to the market, and the greedy baseline.

The model (solved with HiGHS as a MILP, in two lexicographic phases):

- the units placed are those of ``siblings.units``: a sibling group to be kept together is
  one unit needing a place for each child; every other child is a unit of one;
- one binary x[r, o] per unit/option pair that passes every hard constraint, pruned to
  each unit's ``top_k`` best-scoring options (a unit left unmet with more feasible
  options than that gets all of them in a second round);
- each unit is placed at most once (Σ_o x[r, o] ≤ 1; the slack is "unmet");
- each option holds at most its free places: Σ_r needed[r]·x[r, o] ≤ places[o], where a
  sibling group placed together needs its size;
- each foster household without an exemption stays within the usual fostering limit of 3
  (CA 1989 Sch. 7) counted with the children already there; a sibling group that alone
  exceeds it may only go to an empty household, on its own;
- phase 1 maximises the number of **children** placed (Σ needed·x, so a group of three
  counts three);
- phase 2 keeps that number of children and maximises, in this order of priority, **sibling
  groups kept together** and then the total match score: each child of a group placed
  together (a kept-together unit, or every child of a may-be-split group in the same option:
  y[g, o] ≤ x[r, o] for each child r of g) adds ``batch.together_bonus`` (default 1,000, ten
  times the most one unit's score can add), so keeping a group together outweighs any
  difference in match scores unless the scores of ten or more units are at stake
  (CA 1989 s22C(8)(c)). Placement decisions remain people's: this is a planning view.

The greedy baseline takes units in order of urgency, date needed and id, each taking its
best-scoring option that still has room, over the same candidate pairs.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import polars as pl
from scipy import sparse

from carewise.matching.engine import (
    CONSTRAINT_NAMES,
    OptionArrays,
    ReferralArrays,
    evaluate,
)
from carewise.matching.schema import OPTION_KINDS
from carewise.matching.settings import MatchSettings
from carewise.returns.frames import MISSING

_FOSTER = (OPTION_KINDS.index("in_house_fostering"), OPTION_KINDS.index("agency_fostering"))
_URGENCY = {"today": 0, "within_5_days": 1, "over_5_days": 2}


@dataclass
class CandidatePairs:
    """Feasible (referral, option, score) triples kept for the model, and each referral's funnel."""

    ref: np.ndarray
    opt: np.ndarray
    score: np.ndarray
    feasible_count: np.ndarray
    """(R,) options passing every hard constraint (before pruning)."""
    fail_counts: np.ndarray
    """(R, C) options failing each constraint."""
    only_counts: np.ndarray
    """(R, C) options failing that constraint and no other."""
    binding: np.ndarray
    """(R,) for a referral nothing fits: the rule that binds (see ``binding_rule``)."""


def candidate_pairs(r: ReferralArrays, o: OptionArrays, settings: MatchSettings,
                    top_k: int | None = None, rows: np.ndarray | None = None,
                    cells: int = 2_000_000) -> CandidatePairs:
    """Evaluate referrals in chunks and keep each one's ``top_k`` feasible options."""
    top_k = int(top_k or settings.batch["top_k"])
    rows = np.arange(len(r.ids)) if rows is None else rows
    chunk = max(1, cells // max(o.size, 1))
    refs, opts, scores = [], [], []
    feasible_count = np.zeros(len(r.ids), dtype=np.int64)
    fail_counts = np.zeros((len(r.ids), len(CONSTRAINT_NAMES)), dtype=np.int64)
    only_counts = np.zeros_like(fail_counts)
    binding = np.full(len(r.ids), None, dtype=object)
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        ev = evaluate(r, o, settings, part)
        stack = np.stack([ev.fails[c] for c in CONSTRAINT_NAMES], axis=0)
        n_fail = stack.sum(axis=0)
        fail_counts[part] = stack.sum(axis=2).T
        only_counts[part] = (stack & (n_fail == 1)[None]).sum(axis=2).T
        binding[part] = binding_rule(stack)
        feasible_count[part] = ev.feasible.sum(axis=1)
        masked = np.where(ev.feasible, ev.total, -np.inf)
        k = min(top_k, o.size)
        if k == 0:
            continue
        best = np.argpartition(-masked, k - 1, axis=1)[:, :k] if k < o.size else np.tile(
            np.arange(o.size), (len(part), 1))
        best_scores = np.take_along_axis(masked, best, axis=1)
        keep = np.isfinite(best_scores)
        refs.append(np.repeat(part, k).reshape(len(part), k)[keep])
        opts.append(best[keep])
        scores.append(best_scores[keep])

    def cat(xs: list[np.ndarray], dt: type) -> np.ndarray:
        return np.concatenate(xs).astype(dt) if xs else np.zeros(0, dtype=dt)

    return CandidatePairs(cat(refs, np.int64), cat(opts, np.int64), cat(scores, np.float64),
                          feasible_count, fail_counts, only_counts, binding)


def merge_pairs(a: CandidatePairs, b: CandidatePairs) -> CandidatePairs:
    ref = np.concatenate([a.ref, b.ref])
    opt = np.concatenate([a.opt, b.opt])
    score = np.concatenate([a.score, b.score])
    _, first = np.unique(ref * (max(opt.max(initial=0), 0) + 1) + opt, return_index=True)
    return CandidatePairs(ref[first], opt[first], score[first], a.feasible_count, a.fail_counts,
                          a.only_counts, a.binding)


_TYPE = CONSTRAINT_NAMES.index("placement_type")


def binding_rule(stack: np.ndarray) -> np.ndarray:
    """(R,) the eligibility rule that binds for each referral, from (C, R, N) failures.

    Among options of a type the care plan seeks (the type is the plan's decision, not the
    market's): the rule that alone excludes most of them (relaxing it would open most
    options); if every such option fails two or more rules, the rule excluding most of them.
    With no option of a type sought at all: ``placement_type``.
    """
    sought = ~stack[_TYPE]
    rules = np.delete(np.arange(stack.shape[0]), _TYPE)
    fails = stack[rules] & sought[None]
    alone = (fails & (fails.sum(axis=0) == 1)[None]).sum(axis=2).T
    total = fails.sum(axis=2).T
    names = np.array(CONSTRAINT_NAMES, dtype=object)[rules]
    pick = np.where(alone.max(axis=1) > 0, alone.argmax(axis=1), total.argmax(axis=1))
    out = names[pick]
    none_sought = ~sought.any(axis=1)
    out[none_sought] = "placement_type"
    out[(total.max(axis=1) == 0) & ~none_sought] = None
    return out


def _limit_weights(pairs: CandidatePairs, r: ReferralArrays, o: OptionArrays, limit: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, its use of the household's fostering-limit room; per option, the room (-1: none)."""
    needed = r.needed[pairs.ref]
    current = o.current[pairs.opt]
    room = np.where(np.isin(o.kind, _FOSTER) & ~o.exemption, np.maximum(limit - o.current, 0), -1)
    big = current + needed > limit
    weight = np.where(big, np.maximum(limit - current, 1), needed)
    return weight, room


def _new_highs() -> highspy.Highs:
    """A HiGHS instance; its constructor prints a banner on stdout, which would corrupt --json."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use)
        return highspy.Highs()
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


@dataclass
class Solution:
    chosen: np.ndarray
    """Indices into the pairs that are used."""
    status: str
    seconds: float


def solve_assignment(pairs: CandidatePairs, r: ReferralArrays, o: OptionArrays,
                     settings: MatchSettings) -> Solution:
    """Two-phase MILP with HiGHS: most referrals met, then the best total score."""
    started = time.perf_counter()
    n = len(pairs.ref)
    if n == 0:
        return Solution(np.zeros(0, dtype=np.int64), "no feasible pairs", 0.0)
    limit = int(settings.constraints["fostering_limit"])
    needed = r.needed[pairs.ref].astype(float)
    lim_w, room = _limit_weights(pairs, r, o, limit)
    cols = np.arange(n)
    _, ref_row = np.unique(pairs.ref, return_inverse=True)
    uniq_opt, opt_row = np.unique(pairs.opt, return_inverse=True)
    n_ref, n_opt = ref_row.max() + 1, len(uniq_opt)
    rows = [ref_row, n_ref + opt_row]
    vals = [np.ones(n), needed]
    upper = [np.ones(n_ref), o.places[uniq_opt].astype(float)]
    has_room = room[pairs.opt] >= 0
    lim_opts, lim_row = np.unique(pairs.opt[has_room], return_inverse=True)
    if len(lim_opts):
        rows.append(n_ref + n_opt + lim_row)
        vals.append(lim_w[has_room].astype(float))
        upper.append(room[lim_opts].astype(float))
    col_idx = np.concatenate([cols, cols] + ([cols[has_room]] if len(lim_opts) else []))
    row_idx = np.concatenate(rows)
    n_rows = n_ref + n_opt + len(lim_opts)
    a = sparse.csc_matrix((np.concatenate(vals), (row_idx, col_idx)), shape=(n_rows, n))
    row_upper = np.concatenate(upper)
    time_limit = float(settings.batch["time_limit_seconds"])

    def run(objective: np.ndarray, extra_lower: float | None, link: list[np.ndarray],
            y_cost: np.ndarray) -> tuple[np.ndarray, str]:
        h = _new_highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", time_limit)
        h.setOptionValue("mip_rel_gap", 1e-6)
        h.setOptionValue("threads", 1)
        m = len(link)
        mat = sparse.hstack([a, sparse.csc_matrix((n_rows, m))]).tocsc() if m else a
        lower = np.full(n_rows, -highspy.kHighsInf)
        up = row_upper
        if m:  # y[g, o] - x[r, o] <= 0 for each child r of group g: one row per child
            x_cols = np.concatenate(link)
            y_cols = n + np.concatenate([np.full(len(c), k) for k, c in enumerate(link)])
            k_rows = np.arange(len(x_cols))
            rows_y = sparse.csc_matrix(
                (np.concatenate([np.ones(len(x_cols)), -np.ones(len(x_cols))]),
                 (np.concatenate([k_rows, k_rows]), np.concatenate([y_cols, x_cols]))),
                shape=(len(x_cols), n + m))
            mat = sparse.vstack([mat, rows_y]).tocsc()
            lower = np.append(lower, np.full(len(x_cols), -highspy.kHighsInf))
            up = np.append(up, np.zeros(len(x_cols)))
        if extra_lower is not None:
            children = np.append(needed, np.zeros(m))
            mat = sparse.vstack([mat, sparse.csr_matrix(children[None, :])]).tocsc()
            lower = np.append(lower, extra_lower - 1e-6)
            up = np.append(up, highspy.kHighsInf)
        cols_total = n + m
        lp = highspy.HighsLp()
        lp.num_col_ = cols_total
        lp.num_row_ = mat.shape[0]
        lp.col_cost_ = np.append(objective, y_cost)
        lp.col_lower_ = np.zeros(cols_total)
        lp.col_upper_ = np.ones(cols_total)
        lp.row_lower_ = lower
        lp.row_upper_ = up
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = mat.indptr
        lp.a_matrix_.index_ = mat.indices
        lp.a_matrix_.value_ = mat.data
        lp.a_matrix_.num_col_ = cols_total
        lp.a_matrix_.num_row_ = mat.shape[0]
        lp.integrality_ = ([highspy.HighsVarType.kInteger] * n
                           + [highspy.HighsVarType.kContinuous] * m)
        h.passModel(lp)
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        x = np.asarray(h.getSolution().col_value)[:n]
        return (x > 0.5) if len(x) == n else np.zeros(n, dtype=bool), status

    bonus = float(settings.batch["together_bonus"])
    link, y_bonus = _together_links(pairs, r)
    x1, status1 = run(needed, None, link, np.zeros(len(y_bonus)))
    met = float(needed[x1].sum())
    kept = np.where(needed > 1, bonus * needed, 0.0)
    x2, status2 = run(pairs.score.astype(float) + kept, met, link, bonus * y_bonus)
    if needed[x2].sum() < met:  # phase 2 hit its time limit without a full solution
        x2, status2 = x1, status1
    return Solution(np.flatnonzero(x2), status2, time.perf_counter() - started)


def _together_links(pairs: CandidatePairs, r: ReferralArrays
                    ) -> tuple[list[np.ndarray], np.ndarray]:
    """For each may-be-split sibling group and each option every child of it could go to: the
    pair columns y[g, o] must not exceed, and the children it would count."""
    keys = r.group_key[pairs.ref]
    links: list[np.ndarray] = []
    counts: list[float] = []
    has = np.array([k is not None for k in keys], dtype=bool)
    if not has.any():
        return links, np.zeros(0)
    for key in sorted({k for k in keys[has]}):
        in_group = np.flatnonzero(keys == key)
        children = np.unique(pairs.ref[in_group])
        if len(np.flatnonzero(r.group_key == key)) < 2 or len(children) < 2:
            continue
        for opt in np.unique(pairs.opt[in_group]):
            cols = in_group[pairs.opt[in_group] == opt]
            if len(np.unique(pairs.ref[cols])) == len(np.flatnonzero(r.group_key == key)):
                links.append(cols)
                counts.append(float(len(cols)))
    return links, np.array(counts)


def greedy_assignment(pairs: CandidatePairs, r: ReferralArrays, o: OptionArrays,
                      settings: MatchSettings) -> np.ndarray:
    """First come, first served: urgent first, each referral takes its best option with room."""
    limit = int(settings.constraints["fostering_limit"])
    lim_w, room = _limit_weights(pairs, r, o, limit)
    places = o.places.astype(float).copy()
    room = room.astype(float).copy()
    urgency = np.array([_URGENCY.get(u, 3) for u in r.frame["urgency"].fill_null("").to_list()])
    order = np.lexsort((r.ids.astype(str), r.date_needed, urgency))
    by_ref: dict[int, np.ndarray] = {}
    sort = np.lexsort((-pairs.score, pairs.ref))
    refs_sorted = pairs.ref[sort]
    bounds = np.searchsorted(refs_sorted, np.arange(len(r.ids) + 1))
    for i in range(len(r.ids)):
        by_ref[i] = sort[bounds[i]:bounds[i + 1]]
    chosen = []
    for i in order:
        for k in by_ref[i]:
            j = pairs.opt[k]
            need = r.needed[i]
            if places[j] >= need and (room[j] < 0 or room[j] >= lim_w[k]):
                places[j] -= need
                if room[j] >= 0:
                    room[j] -= lim_w[k]
                chosen.append(k)
                break
    return np.array(chosen, dtype=np.int64)


@dataclass
class Assignment:
    """The optimal and greedy allocations of a set of referrals to a market."""

    referrals: pl.DataFrame
    """One row per referral: referral_id, met, option_id, kind, score, greedy_option_id,
    greedy_score, feasible_options, most_excluding, why_unmet."""
    summary: dict
    pairs: CandidatePairs = field(repr=False)
    chosen: np.ndarray = field(repr=False)


def assign(r: ReferralArrays, o: OptionArrays, settings: MatchSettings,
           top_k: int | None = None) -> Assignment:
    """Solve the batch assignment for every referral in ``r`` (any referrals frame will do:
    open referrals today, or a forecast stream of future ones)."""
    t0 = time.perf_counter()
    top_k = int(top_k or settings.batch["top_k"])
    pairs = candidate_pairs(r, o, settings, top_k)
    t_pairs = time.perf_counter() - t0
    sol = solve_assignment(pairs, r, o, settings)
    rounds = 1
    met_refs = set(pairs.ref[sol.chosen].tolist())
    pruned = [i for i in range(len(r.ids))
              if i not in met_refs and pairs.feasible_count[i] > top_k]
    if pruned:
        extra = candidate_pairs(r, o, settings, top_k=max(o.size, 1), rows=np.array(pruned))
        pairs = merge_pairs(pairs, extra)
        sol = solve_assignment(pairs, r, o, settings)
        rounds = 2
    greedy = greedy_assignment(pairs, r, o, settings)
    units = _unit_frame(r, o, pairs, sol.chosen, greedy)
    frame = _member_frame(units, r)
    met = int(frame["met"].sum())
    g_met = int(frame["greedy_option_id"].is_not_null().sum())
    total = float(units["score"].fill_null(0).sum())
    g_total = float(units["greedy_score"].fill_null(0).sum())
    children = int(frame["children"].sum())
    c_met = int(frame.filter(pl.col("met"))["children"].sum())
    g_c_met = int(frame.filter(pl.col("greedy_option_id").is_not_null())["children"].sum())
    summary = {
        "referrals": frame.height,
        "options": o.size,
        "candidate_pairs": len(pairs.ref),
        "children": children,
        "children_met": c_met,
        "children_unmet": children - c_met,
        "greedy_children_met": g_c_met,
        "extra_children_met_vs_greedy": c_met - g_c_met,
        "sibling_groups": _group_counts(frame),
        "met": met,
        "unmet": frame.height - met,
        "total_score": round(total, 1),
        "mean_score_met": round(total / met, 1) if met else None,
        "greedy_met": g_met,
        "greedy_unmet": frame.height - g_met,
        "greedy_total_score": round(g_total, 1),
        "extra_met_vs_greedy": met - g_met,
        "score_gain_vs_greedy": round(total - g_total, 1),
        "solver_status": sol.status,
        "solve_seconds": round(sol.seconds, 3),
        "scoring_seconds": round(t_pairs, 3),
        "rounds": rounds,
        "top_k": top_k,
        "settings_version": settings.version,
    }
    return Assignment(frame, summary, pairs, sol.chosen)


def _group_counts(frame: pl.DataFrame) -> dict:
    """Sibling groups (two or more children) in the batch: kept together, split, not placed."""
    groups = frame.filter(pl.col("sibling_group").is_not_null())
    if groups.height == 0:
        return {"groups": 0, "together": 0, "split": 0, "not_placed": 0}
    per = groups.group_by("sibling_group").agg(pl.col("siblings").first())
    counts = per["siblings"].value_counts()
    get = dict(zip(counts["siblings"].to_list(), counts["count"].to_list(), strict=True))
    return {"groups": per.height, "together": int(get.get("together", 0)),
            "split": int(get.get("split", 0)), "not_placed": int(get.get("not_placed", 0))}


def _member_frame(units: pl.DataFrame, r: ReferralArrays) -> pl.DataFrame:
    """One row per referral: a kept-together group's result repeated for each of its children,
    with what happened to the group (``siblings``: together, split, not_placed)."""
    f = r.frame
    gid = f["sibling_group_id"] if "sibling_group_id" in f.columns else pl.Series(
        [None] * f.height, dtype=pl.String)
    placed = f["sibling_group_size"].fill_null(1)
    frame = units.with_columns(
        pl.Series("members", r.members, dtype=pl.List(pl.String)),
        pl.Series("sibling_group", [g or (rid if s > 1 else None) for g, rid, s in zip(
            gid.to_list(), r.ids.tolist(), r.size.tolist(), strict=True)], dtype=pl.String),
        pl.Series("_needed", r.needed.astype(np.int64)),
        pl.Series("_together", r.together),
        pl.Series("_placed", placed.to_numpy().astype(np.int64)),
        pl.Series("_size", r.size.astype(np.int64)),
    )
    frame = frame.with_columns(
        pl.col("members").list.len().alias("_n"),
    ).explode("members").with_columns(
        pl.int_range(pl.len()).over("referral_id").alias("_k"),
    )
    # each child counts once: a group on one row counts its size; rows of a linked group 1 each
    children = pl.when(~pl.col("_together")).then(1).when(pl.col("_n") == 1).then(
        pl.col("_needed")).when(pl.col("_k") == 0).then(pl.col("_needed") - pl.col("_n") + 1
                                                        ).otherwise(1)
    frame = frame.with_columns(children.alias("children"))
    if frame["sibling_group"].is_null().all():
        return frame.with_columns(pl.col("members").alias("referral_id"),
                                  pl.lit(None, pl.String).alias("siblings")).drop(
            "members", "_n", "_k", "_needed", "_together", "_placed", "_size")
    # what the batch did with each sibling group
    in_group = pl.col("sibling_group").is_not_null()
    all_met = pl.col("met").all().over("sibling_group")
    one_option = pl.col("option_id").n_unique().over("sibling_group") == 1
    linked = pl.col("members").n_unique().over("sibling_group") >= pl.col("_size")
    frame = frame.with_columns(
        pl.when(~in_group).then(None)
        .when(~pl.col("met").any().over("sibling_group")).then(pl.lit("not_placed"))
        .when(pl.col("_together") & pl.col("met")).then(pl.lit("together"))
        .when(linked & all_met & one_option).then(pl.lit("together"))
        .when(linked).then(pl.lit("split"))
        .otherwise(pl.lit("others_not_in_batch")).alias("siblings"),
    )
    return frame.with_columns(pl.col("members").alias("referral_id")).drop(
        "members", "_n", "_k", "_needed", "_together", "_placed", "_size")


def _unit_frame(r: ReferralArrays, o: OptionArrays, pairs: CandidatePairs,
                chosen: np.ndarray, greedy: np.ndarray) -> pl.DataFrame:
    n = len(r.ids)
    opt_for = np.full(n, -1)
    score_for = np.full(n, np.nan)
    opt_for[pairs.ref[chosen]] = pairs.opt[chosen]
    score_for[pairs.ref[chosen]] = pairs.score[chosen]
    g_opt = np.full(n, -1)
    g_score = np.full(n, np.nan)
    g_opt[pairs.ref[greedy]] = pairs.opt[greedy]
    g_score[pairs.ref[greedy]] = pairs.score[greedy]
    names = np.array(CONSTRAINT_NAMES, dtype=object)
    most = np.where(pairs.fail_counts.max(axis=1) > 0, names[pairs.fail_counts.argmax(axis=1)],
                    MISSING)
    # A sentinel slot at the end stands for "no option" so indexing works with no options at all.
    ids = np.append(o.ids.astype(object), MISSING)
    kinds = np.append(o.frame["kind"].to_numpy().astype(object), MISSING)
    met = opt_for >= 0
    why = np.where(met, MISSING, np.where(pairs.feasible_count == 0,
                                       "no option passes every hard constraint",
                                       "every suitable option is needed for another referral"))
    return pl.DataFrame({
        "referral_id": r.ids.astype(str),
        "met": met,
        "option_id": pl.Series(ids[opt_for].tolist(), dtype=pl.String),
        "kind": pl.Series(kinds[opt_for].tolist(), dtype=pl.String),
        "score": np.round(score_for, 1),
        "greedy_option_id": pl.Series(ids[g_opt].tolist(), dtype=pl.String),
        "greedy_score": np.round(g_score, 1),
        "feasible_options": pairs.feasible_count,
        "most_excluding": pl.Series(most.tolist(), dtype=pl.String),
        # capacity: suitable options exist but the batch needs them for others; otherwise the
        # eligibility rule that binds
        "binding_constraint": pl.Series(np.where(met, MISSING, np.where(
            pairs.feasible_count > 0, "capacity", pairs.binding)).tolist(), dtype=pl.String),
        "why_unmet": pl.Series(why.tolist(), dtype=pl.String),
    }, strict=False).with_columns(pl.col("score", "greedy_score").fill_nan(None))
