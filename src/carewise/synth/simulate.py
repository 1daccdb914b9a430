"""Simulate every child of one council as arrays: periods of care, legal status, placements.

All children are simulated at once with numpy (no loop over children or events): entries are a
Poisson process from 19 years before the first collection year (so the first year's stock
holds long stays), each period of care follows a route (adoption, special guardianship, return
home, long-term care, section 20 short or long, UASC, remand) that fixes its legal-status
changes, exit reason and length; placement moves fall at random inside the period; episodes
are the union of legal-status and placement changes (polars). Days are integers since
1970-01-01.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TypeVar

import numpy as np
import polars as pl

from carewise.codes import URN_NOT_KNOWN
from carewise.returns.frames import MISSING
from carewise.returns.years import birthday_expr, start_years
from carewise.synth import model as m
from carewise.synth.figures import CouncilFigures, Truth
from carewise.synth.places import FAR, INSIDE, NEAR, Postcodes, place_authorities

EPOCH = date(1970, 1, 1)
YEAR = 365.25
SUPPORTED_REGISTERED_FROM = (date(2023, 10, 28) - EPOCH).days
"""Supported accommodation for 16-17s is Ofsted-registered from 28 October 2023: independent
living (P2) ends that day and semi-independent (H5) placements carry a real URN (rules 217t,
230)."""
SUPPORTED_K3_FROM = (date(2024, 4, 1) - EPOCH).days
"""Registered supported accommodation has its own code, K3, from the 2024-25 collection."""
OTHER_SPLIT_FROM = (date(2025, 4, 1) - EPOCH).days
"""Other placements (Z1) are recorded as one of Z11-Z14 from the 2025-26 collection: the returns
from then on recode them, an open one included (same episode)."""


def day(d: date) -> int:
    return (d - EPOCH).days


def birthday(dob: np.ndarray, years: int) -> np.ndarray:
    """The day number of each ``years``-th birthday, by the one birthday rule
    (``returns.birthday_expr``: 29 February turns a year older on 1 March)."""
    days = pl.Series(np.asarray(dob).astype("datetime64[D]"))
    return pl.select(birthday_expr(pl.lit(days), years)).to_series().cast(pl.Int64).to_numpy()


def _not_29_february(dob: np.ndarray) -> np.ndarray:
    """Move a 29 February birth to the 28th. Synthetic children were kept off the date while
    carewise's rules disagreed on when such a child turns 18; they all use ``returns.birthday``
    now, but the generator keeps doing this so that a seed gives the same council as before."""
    d = dob.astype("datetime64[D]")
    month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return np.where((month == 2) & (day_of_month == 29), dob - 1, dob)


def text(values: np.ndarray) -> pl.Series:
    """A text column from a numpy array that may hold None (blank)."""
    return pl.Series([None if v is None else str(v) for v in values.tolist()], dtype=pl.String)


def band_of(age_days: np.ndarray) -> np.ndarray:
    edges = np.array(m.BAND_EDGES_YEARS[1:-1]) * YEAR
    return np.searchsorted(edges, age_days, side="right")


K = TypeVar("K", bound=Hashable)


def _pick(rng: np.random.Generator, probs: Mapping[K, float], n: int) -> np.ndarray:
    """``n`` keys drawn with the given probabilities (text codes, or numbers such as nights)."""
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _pick_rows(rng: np.random.Generator, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Index drawn from ``table[row]`` (probabilities per row) for each element of ``rows``."""
    cum = np.cumsum(table, axis=1)
    cum = cum / cum[:, -1:]
    u = rng.random(len(rows))
    return (u[:, None] > cum[rows]).sum(axis=1)


def _weights_matrix(weights: dict[str, dict[str, float]], bands=m.BANDS) -> np.ndarray:
    mat = np.zeros((len(bands), len(m.KINDS)))
    for b, band in enumerate(bands):
        for kind, w in weights.get(band, {}).items():
            mat[b, m.KINDS.index(kind)] = w
    return mat


@dataclass
class Simulation:
    """A council's periods of care and episodes over the whole simulated span (days as ints)."""

    periods: pl.DataFrame
    episodes: pl.DataFrame
    horizon: int
    truth: Truth
    short_break_children: pl.DataFrame | None = None
    """Children looked after only under short breaks (V3/V4): child, dob, uasc, entry, end."""


class _Draw:
    """Per-period timelines for a batch of entries (used by the pilot and the real run)."""

    def __init__(self, rng: np.random.Generator, entry: np.ndarray, dob: np.ndarray,
                 route: np.ndarray):
        self.rng = rng
        self.entry = entry
        self.dob = dob
        self.route = route
        self.b16 = birthday(dob, 16)
        self.b18 = birthday(dob, 18)
        n = len(entry)
        self.end = np.zeros(n, dtype=np.int64)
        self.rec = np.full(n, "", dtype=object)
        self.to18 = np.zeros(n, dtype=bool)
        self._ends()

    def _lognormal(self, mask: np.ndarray, key: str) -> np.ndarray:
        med = m.ROUTE_MEDIAN_DAYS[key]
        return np.maximum(2, self.rng.lognormal(np.log(med), m.ROUTE_SIGMA[key], mask.sum()))

    def _ends(self) -> None:
        rng, r, e = self.rng, self.route, self.entry
        n = len(e)
        dur = np.zeros(n)
        age16 = e >= self.b16
        for key in ("s20_short", "co_home", "sgo"):
            mask = r == key
            dur[mask] = self._lognormal(mask, key)
        for key in ("co_long", "s20_long"):
            mask = r == key
            dur[mask] = rng.exponential(m.ROUTE_MEDIAN_DAYS[key], mask.sum())
        mask = r == "remand"
        dur[mask] = rng.uniform(3, 2 * m.ROUTE_MEDIAN_DAYS["remand"], mask.sum())
        mask = r == "uasc"
        early = rng.random(n) < 0.08
        dur[mask] = np.where(early[mask], rng.uniform(20, 300, mask.sum()), 1e6)
        # adoption: care and placement orders, matching, placement, order (or a reversal)
        mask = r == "adopt"
        k = mask.sum()
        self.t_po = np.full(n, -1, dtype=np.int64)
        self.t_dec = np.full(n, -1, dtype=np.int64)
        self.t_place = np.full(n, -1, dtype=np.int64)
        self.t_match = np.full(n, -1, dtype=np.int64)
        self.t_rev = np.full(n, -1, dtype=np.int64)
        po = e[mask] + rng.integers(200, 400, k)
        dec = np.maximum(e[mask] + 1, po - rng.integers(20, 90, k))
        reversed_ = rng.random(k) < m.ADOPTION_REVERSAL
        place = po + rng.integers(40, 250, k)
        match = np.maximum(dec, place - rng.integers(7, 45, k))
        adopted = place + rng.integers(90, 360, k)
        rev = po + rng.integers(120, 420, k)
        after_rev = np.where(rng.random(k) < 0.6, rev + rng.integers(120, 600, k), 10**7)
        self.t_po[mask], self.t_dec[mask] = po, dec
        self.t_place[mask] = np.where(reversed_, -1, place)
        self.t_match[mask] = np.where(reversed_, -1, match)
        self.t_rev[mask] = np.where(reversed_, rev, -1)
        dur[mask] = np.where(reversed_, after_rev, adopted) - e[mask]
        end = e + np.maximum(1, np.round(dur)).astype(np.int64)
        self.to18 = end >= self.b18
        self.end = np.where(self.to18, self.b18, end)
        # exit reasons that do not depend on the last placement
        rec = self.rec
        for key, probs in (("co_home", "co_home"), ("sgo", "sgo"), ("co_long", "co_long"),
                           ("remand", "remand"), ("uasc", "uasc")):
            mask = r == key
            rec[mask] = _pick(rng, m.EXIT_PROBS[probs], mask.sum())
        for key in ("s20_short", "s20_long"):
            for older in (False, True):
                mask = (r == key) & (age16 == older)
                name = f"{key}_16" if older else (key if key == "s20_long" else f"{key}_child")
                rec[mask] = _pick(rng, m.EXIT_PROBS[name], mask.sum())
        mask = r == "adopt"
        adopted_mask = mask & (self.t_rev < 0)
        rec[adopted_mask] = _pick(rng, m.EXIT_PROBS["adopt"], adopted_mask.sum())
        rev_mask = mask & (self.t_rev >= 0)
        rec[rev_mask] = _pick(rng, {"E46": 0.4, "E47": 0.3, "E48": 0.3}, rev_mask.sum())
        # E5/E6 (independent living) only from 16: otherwise the other-reason code
        young_indep = np.isin(rec, ["E5", "E6", "E7"]) & (self.end < self.b16)
        rec[young_indep] = "E8"


@lru_cache(maxsize=1)
def _truth_pilot() -> tuple[np.ndarray, float]:
    """Mean years in care per entry by (band, route) and for a UASC entry (capped at 18).

    Measured once per process on a fixed seed: the route durations do not depend on the council.
    """
    rng = np.random.default_rng(20240331)
    route_probs = m.ROUTE_PROBS
    n = 2000
    means = np.zeros((len(m.BANDS), len(m.ROUTES)))
    entry0 = day(date(2020, 1, 1))
    for b in range(len(m.BANDS)):
        lo, hi = m.BAND_EDGES_YEARS[b] * YEAR, m.BAND_EDGES_YEARS[b + 1] * YEAR - 40
        for r_i, route in enumerate(m.ROUTES):
            if route not in route_probs[m.BANDS[b]]:
                continue
            age = rng.uniform(max(lo, 1), hi, n).astype(np.int64)
            entry = np.full(n, entry0, dtype=np.int64)
            d = _Draw(rng, entry, entry - age, np.full(n, route, dtype=object))
            means[b, r_i] = (d.end - d.entry).mean() / YEAR
    age = _uasc_age(rng, n)
    entry = np.full(n, entry0, dtype=np.int64)
    d = _Draw(rng, entry, entry - age, np.full(n, "uasc", dtype=object))
    return means, float((d.end - d.entry).mean() / YEAR)


def _uasc_age(rng: np.random.Generator, n: int) -> np.ndarray:
    older = rng.random(n) < m.UASC_ENTRY_AGE["16_and_over"]
    return np.where(older, rng.uniform(16 * YEAR, 18 * YEAR - 40, n),
                    rng.uniform(14 * YEAR, 16 * YEAR, n)).astype(np.int64)


def calibrate(rng: np.random.Generator, n_target: int, fig: CouncilFigures) -> Truth:
    """Entry rate, UASC entry share and short-stay weight that give the council's shape.

    The stock is entries x mean stay, so the entry rate is the target stock over the mean
    stay; the weight of short section 20 stays is tuned (bisection) so that starts per child
    looked after match the council's published ratio (kept within 0.3-0.55).
    """
    target_ratio = float(np.clip(fig.starts_per_cla, 0.30, 0.55))
    uasc_share = float(np.clip(fig.uasc_share, 0.0, 0.5))
    base = {b: dict(p) for b, p in m.ROUTE_PROBS.items()}
    means, mean_uasc = _truth_pilot()

    def mixed(k: float) -> tuple[dict, float]:
        probs = {}
        for b, p in base.items():
            q = {r: v * (k if r == "s20_short" else 1.0) for r, v in p.items()}
            s = sum(q.values())
            probs[b] = {r: v / s for r, v in q.items()}
        e_non = sum(
            entry_age[b] * sum(v * means[i, m.ROUTES.index(r)] for r, v in probs[b].items())
            for i, b in enumerate(m.BANDS)
        )
        return probs, e_non

    def stay(k: float) -> tuple[dict, float, float]:
        probs, e_non = mixed(k)
        u = uasc_share * e_non / (mean_uasc * (1 - uasc_share) + uasc_share * e_non)
        return probs, u, u * mean_uasc + (1 - u) * e_non

    entry_age = _entry_age_probs(fig)
    lo, hi = 0.2, 6.0
    for _ in range(40):
        mid = (lo + hi) / 2
        _, _, e_mix = stay(mid)
        if 1.0 / e_mix < target_ratio:
            lo = mid
        else:
            hi = mid
    probs, u, e_mix = stay((lo + hi) / 2)
    weights = _council_weights(fig)
    return Truth(
        target_in_care=n_target,
        entry_rate_per_year=n_target / e_mix / _overshoot(uasc_share, target_ratio),
        reentry_probability=m.REENTRY_PROBABILITY,
        entry_age_probs=entry_age,
        uasc_entry_share=u,
        route_probs=probs,
        route_median_days=dict(m.ROUTE_MEDIAN_DAYS),
        placement_move_rate=_move_rates(fig),
        placement_weights=weights,
        in_house_share_of_mainstream_fostering=m.IN_HOUSE_SHARE,
        exit_probs={k: dict(v) for k, v in m.EXIT_PROBS.items()},
        missing_child_share=dict(m.MISSING_CHILD_SHARE),
        **_demography(fig, uasc_share),
        extra={"mean_years_in_care_per_entry": e_mix, "target_starts_per_cla": target_ratio,
               "target_uasc_share": uasc_share, "council_outside_share": fig.outside_share},
    )


def _entry_age_probs(fig: CouncilFigures) -> dict[str, float]:
    """Entry ages scaled so the stock's age mix leans the council's way (England's by default).

    Each band's entry share is multiplied by the council's published stock share over the
    stock share national entry ages give (``model.BASE_STOCK_AGE``), within 0.4-2.5.
    """
    out = {}
    for b in m.BANDS:
        f = fig.mix.get(f"age_{b}", m.BASE_STOCK_AGE[b]) / m.BASE_STOCK_AGE[b]
        out[b] = m.ENTRY_AGE_PROBS[b] * float(np.clip(f, 0.4, 2.5))
    total = sum(out.values())
    return {b: v / total for b, v in out.items()}


def _move_rates(fig: CouncilFigures) -> dict[str, float]:
    """First-year move rates leaned by the council's published share with 3+ placements."""
    from carewise.synth.figures import ENGLAND, council_figures

    eng = council_figures(ENGLAND).three_plus_share
    f = float(np.clip(fig.three_plus_share / eng, 0.6, 1.6))
    return {b: r * f for b, r in m.PLACEMENT_MOVE_RATE.items()}


def _non_uasc(target: dict[str, float], uasc: dict[str, float], u: float) -> dict[str, float]:
    """Shares among children who are not UASC that, mixed with the UASC, give ``target``."""
    out = {k: max((v - u * uasc.get(k, 0.0)) / max(1 - u, 0.05), 0.002) for k, v in target.items()}
    total = sum(out.values())
    return {k: v / total for k, v in out.items()}


def _demography(fig: CouncilFigures, u: float) -> dict:
    """Sex, ethnicity and category of need of children who are not UASC, from the council's mix.

    Codes keep national proportions within each DfE group; the groups take the council's
    published shares less the UASC's part (``u`` is the council's UASC share at 31 March).
    """
    if not fig.mix:
        return {"male_share": m.MALE_SHARE, "ethnic_probs": dict(m.ETHNIC_PROBS),
                "cin_probs": dict(m.CIN_PROBS), "ico_mean_days": float(m.ICO_MEAN_DAYS)}
    male = (fig.mix["sex_male"] - u * m.UASC_MALE_SHARE) / max(1 - u, 0.05)

    def grouped(probs: dict[str, float], groups: Mapping[str, tuple[str, ...]]) -> dict[str, float]:
        return {g: sum(probs.get(c, 0.0) for c in codes) for g, codes in groups.items()}

    groups = m.ETHNIC_GROUP
    target = _non_uasc({g: fig.mix[g] for g in groups}, grouped(m.UASC_ETHNIC_PROBS, groups), u)
    national = grouped(m.ETHNIC_PROBS, groups)
    ethnic = {c: m.ETHNIC_PROBS[c] * target[g] / national[g]
              for g, codes in groups.items() for c in codes}
    cin_groups = {col: (code,) for code, col in m.CIN_COLUMN.items()}
    cin_target = _non_uasc({col: fig.mix[col] for col in cin_groups},
                           grouped(m.UASC_CIN_PROBS, cin_groups), u)
    cin = {code: cin_target[col] for code, col in m.CIN_COLUMN.items()}
    england = council_figures_mix_england()
    ico = m.ICO_MEAN_DAYS * float(np.clip(fig.mix["ls_interim"] / england["ls_interim"], 0.4, 2.5))
    return {"male_share": float(np.clip(male, 0.40, 0.70)), "ethnic_probs": ethnic,
            "cin_probs": cin, "ico_mean_days": ico}


def council_figures_mix_england() -> dict[str, float]:
    """England's published characteristics (the base every council is scaled from)."""
    from carewise.synth.figures import ENGLAND, characteristics

    return characteristics(ENGLAND)


def _overshoot(uasc_share: float, starts_ratio: float) -> float:
    a, b, c = m.STOCK_OVERSHOOT
    return a + b * uasc_share + c * starts_ratio


def _council_weights(fig: CouncilFigures) -> dict[str, dict[str, float]]:
    """National placement weights scaled by the council's group shares against England's.

    ``model.GROUP_CORRECTION`` first makes England's weights give England's stock mix (stays in
    foster care last longer, so foster weights are lowered); the council's factor then leans
    each group its way.
    """
    from carewise.synth.figures import ENGLAND, council_figures

    england = council_figures(ENGLAND).placement_shares
    out: dict[str, dict[str, float]] = {}
    for band, weights in m.PLACEMENT_WEIGHTS.items():
        out[band] = {}
        for kind, w in weights.items():
            group = m.KIND_GROUP[kind]
            factor = fig.placement_shares[group] / max(england[group], 1e-6)
            out[band][kind] = w * m.GROUP_CORRECTION[group] * float(np.clip(factor, 0.2, 4.0))
    return out


# --------------------------------------------------------------------------------------------


def simulate(rng: np.random.Generator, truth: Truth, first_start: int, horizon: int,
             fig: CouncilFigures, pc: Postcodes) -> Simulation:
    """Every child who is looked after at some time before ``horizon`` (a day)."""
    w0 = first_start - int(19 * YEAR)
    span_years = (horizon - w0) / YEAR
    n = rng.poisson(truth.entry_rate_per_year * span_years)
    entry = np.sort(rng.integers(w0, horizon + 1, n)).astype(np.int64)
    uasc = rng.random(n) < truth.uasc_entry_share
    non_probs = np.array([truth.entry_age_probs[b] for b in m.BANDS])
    uasc_part = np.array([0, 0, 0, m.UASC_ENTRY_AGE["10_to_15"], m.UASC_ENTRY_AGE["16_and_over"]])
    non_probs = np.clip(non_probs - truth.uasc_entry_share * uasc_part, 0.01, None)
    band = rng.choice(len(m.BANDS), size=n, p=non_probs / non_probs.sum())
    lo = np.array(m.BAND_EDGES_YEARS[:-1])[band] * YEAR
    hi = np.array(m.BAND_EDGES_YEARS[1:])[band] * YEAR - np.where(band == 4, 40, 0)
    age = rng.uniform(np.maximum(lo, 1), hi).astype(np.int64)
    age = np.where(uasc, _uasc_age(rng, n), age)
    dob = _not_29_february(entry - age)
    child = np.arange(n)
    route = np.empty(n, dtype=object)
    band = band_of(age)
    for b, name in enumerate(m.BANDS):
        mask = (band == b) & ~uasc
        route[mask] = _pick(rng, truth.route_probs[name], mask.sum())
    route[uasc] = "uasc"

    draw = _Draw(rng, entry, dob, route)
    # re-entries: some children who went home before 16 come back after a gap
    went_home = np.isin(draw.rec, ["E4A", "E4B", "E13"]) & (draw.end < draw.b16)
    again = went_home & (rng.random(n) < truth.reentry_probability)
    gap = rng.exponential(400, n).astype(np.int64) + 30
    re_entry = draw.end + gap
    again &= (re_entry < draw.b16) & (re_entry <= horizon)
    idx = np.flatnonzero(again)
    re_route = np.empty(idx.size, dtype=object)
    re_band = band_of(re_entry[idx] - dob[idx])
    for b, name in enumerate(m.BANDS):
        mask = re_band == b
        probs = {k: v for k, v in truth.route_probs[name].items() if k != "adopt"}
        re_route[mask] = _pick(rng, probs, mask.sum())
    draw2 = _Draw(rng, re_entry[idx], dob[idx], re_route)

    p_child = np.concatenate([child, child[idx]])
    p_entry = np.concatenate([entry, draw2.entry])
    p_dob = np.concatenate([dob, dob[idx]])
    p_route = np.concatenate([route, re_route])
    p_uasc = np.concatenate([uasc, uasc[idx]])
    cat = {
        a: np.concatenate([getattr(draw, a), getattr(draw2, a)])
        for a in ("end", "rec", "to18", "b16", "b18", "t_po", "t_dec", "t_place", "t_match",
                  "t_rev")
    }
    # keep periods that matter to the returns: in care after the first year starts, or care
    # leavers who can still turn 21 by then
    keep = (cat["end"] >= first_start) | (
        (cat["end"] >= cat["b16"]) & (birthday(p_dob, 22) > first_start)
    )
    keep &= p_entry <= horizon
    sel = np.flatnonzero(keep)
    periods = {
        "child": p_child[sel], "entry": p_entry[sel], "dob": p_dob[sel], "route": p_route[sel],
        "uasc": p_uasc[sel], **{k: v[sel] for k, v in cat.items()},
    }
    sim = _build(rng, truth, periods, horizon, fig, pc)
    from carewise.synth.short_breaks import short_breaks

    kids, eps = short_breaks(rng, truth.target_in_care, first_start, horizon,
                             int(p_child.max(initial=0)) + 1)
    sim.short_break_children = kids
    sim.episodes = pl.concat([sim.episodes, eps.select(
        [pl.col(c).cast(t) for c, t in sim.episodes.schema.items()])])
    return sim


def _legal_events(rng: np.random.Generator, p: dict) -> tuple[np.ndarray, ...]:
    """(period, day, LS) for every legal status a period passes through."""
    n = p["entry"].shape[0]
    pid = np.arange(n)
    route, entry, end = p["route"], p["entry"], p["end"]
    rows_p, rows_d, rows_ls = [], [], []

    def add(mask: np.ndarray, days: np.ndarray, ls) -> None:
        ok = mask & (days > entry) & (days < end) if days is not entry else mask
        rows_p.append(pid[ok])
        rows_d.append(days[ok])
        rows_ls.append(np.broadcast_to(np.asarray(ls, dtype=object), (n,))[ok]
                       if not isinstance(ls, np.ndarray) else ls[ok])

    care = np.isin(route, ["adopt", "sgo", "co_home", "co_long"])
    start = _pick(rng, {"C1": 0.60, "V2": 0.28, "L2": 0.06, "L1": 0.06}, n)
    first = np.where(care, start, np.where(route == "remand", "J1", "V2")).astype(object)
    add(np.ones(n, dtype=bool), entry, first)
    c1_day = entry.copy()
    v2 = care & (first == "V2")
    d = entry + rng.integers(7, 120, n)
    c1_day = np.where(v2, d, c1_day)
    add(v2, d, "C1")
    l2 = care & (first == "L2")
    d = entry + rng.integers(3, 15, n)
    c1_day = np.where(l2, d, c1_day)
    add(l2, d, "C1")
    l1 = care & (first == "L1")
    d = entry + rng.integers(1, 3, n)
    c1_day = np.where(l1, d, c1_day)
    add(l1, d, "C1")
    adopt = route == "adopt"
    po = np.maximum(p["t_po"], c1_day + 30)
    p["t_po"] = np.where(adopt, po, p["t_po"])
    p["t_dec"] = np.where(adopt, np.minimum(p["t_dec"], po), p["t_dec"])
    add(adopt, po, "E1")
    rev = adopt & (p["t_rev"] >= 0)
    add(rev, np.maximum(p["t_rev"], po + 1), "C2")
    c2 = care & ~adopt
    ico = p["ico_mean_days"]
    add(c2, c1_day + (ico * rng.uniform(0.6, 1.4, n)).astype(np.int64), "C2")
    p["c1_day"] = c1_day
    return np.concatenate(rows_p), np.concatenate(rows_d), np.concatenate(rows_ls)


def _placement_events(rng: np.random.Generator, truth: Truth, p: dict) -> pl.DataFrame:
    """(period, day, kind, forced) of every placement; kinds drawn by age at its start."""
    n = p["entry"].shape[0]
    pid = np.arange(n)
    entry, end, route = p["entry"], p["end"], p["route"]
    last_free = end.copy()
    forced_p, forced_d, forced_k = [], [], []
    # adoption: placed for adoption (A5 with current carer, A6 new carer)
    adopt = (route == "adopt") & (p["t_place"] > entry) & (p["t_place"] < end)
    forced_p.append(pid[adopt])
    forced_d.append(p["t_place"][adopt])
    forced_k.append(np.full(adopt.sum(), m.KINDS.index("ADOPT")))
    last_free = np.where(adopt, p["t_place"], last_free)
    # placed with parents before going home under a care order
    home = (route == "co_home") & (rng.random(n) < m.PLACED_WITH_PARENTS_SHARE)
    t_p1 = end - rng.integers(120, 700, n)
    home &= (t_p1 > p["c1_day"] + 7) & (t_p1 > entry + 14) & ~p["to18"]
    forced_p.append(pid[home])
    forced_d.append(t_p1[home])
    forced_k.append(np.full(home.sum(), m.KINDS.index("P1")))
    last_free = np.where(home, t_p1, last_free)
    p["rec"] = np.where(home, _pick(rng, m.EXIT_PROBS["co_home_p1"], n), p["rec"])
    # special guardianship to former foster carers: the last placement is with them
    sgo_ff = np.isin(p["rec"], ["E45", "E46"]) & ~p["to18"]
    t_last = end - rng.integers(90, 400, n)
    move = sgo_ff & (t_last > entry + 30) & (rng.random(n) < 0.5)
    kin = p["rec"] == "E45"
    forced_p.append(pid[move])
    forced_d.append(t_last[move])
    forced_k.append(np.where(kin, m.KINDS.index("KIN"),
                             np.where(rng.random(n) < m.IN_HOUSE_SHARE, m.KINDS.index("FIH"),
                                      m.KINDS.index("FIFA")))[move])
    last_free = np.where(move, t_last, last_free)
    # random moves inside the free part of the period
    band = band_of(entry - p["dob"])
    # most moves come in the first year; a long stay mostly settles with one carer
    rate = np.array([truth.placement_move_rate[b] for b in m.BANDS])[band]
    span = np.maximum(0, last_free - entry - 1)
    early_span = np.minimum(span, int(YEAR))
    late_span = span - early_span
    k_early = rng.poisson(rate * early_span / YEAR)
    settled = np.array([m.PLACEMENT_MOVE_RATE[b] for b in m.BANDS])[band]
    k_late = rng.poisson(settled * m.SETTLED_MOVE_FACTOR * late_span / YEAR)
    k = k_early + k_late
    rp = np.repeat(pid, k)
    pos = np.arange(rp.size) - np.repeat(np.cumsum(k) - k, k)
    late = pos >= np.repeat(k_early, k)
    offset = np.where(late, early_span[rp] + rng.random(rp.size) * late_span[rp],
                      rng.random(rp.size) * np.maximum(early_span[rp] - 1, 0))
    rd = entry[rp] + 1 + offset.astype(np.int64)
    period = np.concatenate([pid, rp, *forced_p])
    days = np.concatenate([entry, rd, *forced_d])
    kind = np.concatenate([np.full(n, -1), np.full(rp.size, -1), *forced_k]).astype(np.int64)
    prio = np.concatenate([np.zeros(n), np.ones(rp.size), np.zeros(days.size - n - rp.size)])
    ok = (days < end[period]) & ((days > entry[period]) | (prio == 0))
    return (
        pl.DataFrame({"period": period[ok], "day": days[ok], "kind": kind[ok],
                      "prio": prio[ok].astype(np.int8)})
        .sort("period", "day", "prio")
        .unique(["period", "day"], keep="first", maintain_order=True)
    )


def _draw_kinds(rng: np.random.Generator, truth: Truth, p: dict, frame: pl.DataFrame
                ) -> pl.DataFrame:
    period = frame["period"].to_numpy()
    days = frame["day"].to_numpy()
    kind = frame["kind"].to_numpy().copy()
    age_band = band_of(days - p["dob"][period])
    todo = kind < 0
    uasc = p["uasc"][period]
    before_adoption = (p["route"][period] == "adopt") & (
        (p["t_place"][period] < 0) | (days < p["t_place"][period])
    ) & (age_band <= 2)
    tables = {
        "normal": _weights_matrix(truth.placement_weights),
        "uasc": _weights_matrix(m.UASC_PLACEMENT_WEIGHTS),
        "foster": _weights_matrix(dict.fromkeys(m.BANDS, m.FOSTER_ONLY)),
    }
    tables["uasc"][:3] = tables["normal"][:3]
    for name, mask in (("normal", todo & ~uasc & ~before_adoption), ("uasc", todo & uasc),
                       ("foster", todo & before_adoption)):
        if mask.any():
            kind[mask] = _pick_rows(rng, tables[name], age_band[mask])
    # placed with parents only under a care order (not section 20, remand or UASC)
    care = np.isin(p["route"][period], ["sgo", "co_home", "co_long", "adopt"])
    p1 = (kind == m.KINDS.index("P1")) & todo & ~(care & (days > p["c1_day"][period] + 7))
    kind[p1] = m.KINDS.index("FIH")
    # mother-and-baby units only as a first placement of a baby
    first = np.r_[True, period[1:] != period[:-1]]
    r3 = (kind == m.KINDS.index("R3")) & ~(first & (age_band == 0))
    kind[r3] = m.KINDS.index("FIH")
    return frame.with_columns(kind=pl.Series(kind), first=pl.Series(first))


# --------------------------------------------------------------------------------------------


def _tilt(p: float, shift: float) -> float:
    """``p`` moved by ``shift`` on the log-odds scale."""
    return float(1 / (1 + np.exp(-(np.log(p / (1 - p)) + shift))))


def _outside_shift(fig: CouncilFigures) -> float:
    """Log-odds shift of every placement's chance of being outside the council.

    England's published share outside (44%) needs ``model.OUTSIDE_BASE_SHIFT``; a council's own
    share moves every kind of placement by the difference of log-odds from England's, so a
    London borough places most children over its boundary and a large county few.
    """
    from carewise.synth.figures import ENGLAND, characteristics

    def logit(x: float) -> float:
        x = float(np.clip(x, 0.03, 0.97))
        return float(np.log(x / (1 - x)))

    target = fig.mix.get("outside", fig.outside_share)
    return m.OUTSIDE_BASE_SHIFT + logit(target) - logit(characteristics(ENGLAND)["outside"])


class _Providers:
    """Children's homes, agencies and services: URNs fixed per provider, homes at a postcode.

    Every pool (kind of provider x inside / neighbouring / further) is drawn at once.
    """

    POOL_SIZE = {"K2": 2.0, "SUPP": 1.5, "FIFA": 0.6, "S1": 0.3, "K1": 0.2, "R3": 0.2,
                 "ADOPT": 0.3}

    def __init__(self, rng: np.random.Generator, pc: Postcodes, home: int, n_target: int):
        scale = max(1.0, n_target / 60)
        keys = [(k, w) for k in self.POOL_SIZE for w in (INSIDE, NEAR, FAR)]
        sizes = np.array([int(max(2, round(scale * self.POOL_SIZE[k]))) for k, _ in keys])
        urns = rng.permutation(np.arange(1_000_000, 2_999_999, 7))[: sizes.sum() + 2]
        urn_text = np.char.zfill(urns.astype(str), 7).astype(object)
        self.la_fostering, self.la_adoption = urn_text[0], urn_text[1]
        where = np.repeat([w for _, w in keys], sizes)
        post = pc.sample(rng, place_authorities(rng, pc, home, where))
        cut = np.cumsum(sizes)[:-1]
        self.pools = dict(zip(keys, zip(np.split(urn_text[2:], cut), np.split(post, cut),
                                           strict=True), strict=True))

    def pool(self, kind: str, where: int) -> tuple[np.ndarray, np.ndarray]:
        return self.pools[(kind, where)]


def _placements(rng: np.random.Generator, truth: Truth, p: dict, frame: pl.DataFrame,
                pc: Postcodes, fig: CouncilFigures, n_target: int) -> pl.DataFrame:
    """PLACE (by year of start), PLACE_PROVIDER, URN and PL_POST of every placement."""
    period = frame["period"].to_numpy()
    days = frame["day"].to_numpy()
    kind = np.array(m.KINDS, dtype=object)[frame["kind"].to_numpy()]
    first = frame["first"].to_numpy()
    nrow = kind.shape[0]
    since = days - p["entry"][period]
    route = p["route"][period]
    # provider
    provider = np.empty(nrow, dtype=object)
    for k, (codes, probs) in m.PROVIDERS.items():
        mask = kind == k
        provider[mask] = np.array(codes, dtype=object)[
            rng.choice(len(codes), size=mask.sum(), p=probs)]
    fostered = np.isin(kind, ["FIH", "FIFA"])
    # placement type codes
    long_term = rng.random(nrow) < 0.6
    place = np.empty(nrow, dtype=object)
    place[kind == "KIN"] = np.where(
        (since > 180) & long_term & np.isin(route, ["co_long", "sgo"]), "U1", "U3")[kind == "KIN"]
    f4 = (since > 270) & long_term & np.isin(route, ["co_long", "s20_long", "uasc"])
    place[fostered] = np.where(f4, "U4", "U6")[fostered]
    # fostering for adoption: an adoption route's first foster placement, then A5 with them
    ffa = fostered & first & (route == "adopt") & (rng.random(nrow) < 0.25)
    place[ffa] = "U5"
    # independent living (P2) for under-18s ends on 28 October 2023: supported accommodation
    kind[(kind == "P2") & (days >= SUPPORTED_REGISTERED_FROM)] = "SUPP"
    supp = kind == "SUPP"
    place[supp] = np.where(days >= SUPPORTED_K3_FROM, "K3", "H5")[supp]
    for k in ("K2", "K1", "P2", "P1", "S1", "R3", "R1", "R5"):
        place[kind == k] = k
    place[kind == "OTHER"] = "Z1"  # Z11-Z14 from 2025-26: recoded in the returns
    adopt = kind == "ADOPT"
    prev_fostered = np.r_[False, np.isin(place[:-1], ["U1", "U3", "U4", "U5", "U6"])] & ~first
    prev_ffa = np.r_[False, place[:-1] == "U5"] & ~first
    same_carer = adopt & prev_fostered & (prev_ffa | (rng.random(nrow) < 0.2))
    place[adopt] = np.where(same_carer, "A5", "A6")[adopt]
    # the child was with foster carers right before adoption (rule 336): make it so
    prev_row = np.flatnonzero(adopt & ~prev_fostered & ~first) - 1
    place[prev_row] = "U6"
    kind[prev_row] = "FIH"
    provider[prev_row] = "PR1"
    # A5 is with the same carers: same provider as before
    provider[same_carer] = provider[np.flatnonzero(same_carer) - 1]
    fostered = np.isin(place, ["U1", "U3", "U4", "U5", "U6"])
    provider[fostered & np.isin(kind, ["KIN", "FIH"])] = "PR1"
    # where: own provision inside the council; else by kind
    where = np.full(nrow, INSIDE)
    # the council's own foster carers live near its boundary now and then
    shift = _outside_shift(fig)
    own_near = fostered & (provider == "PR1") & (
        rng.random(nrow) < _tilt(m.OWN_CARERS_NEAR, shift))
    where[own_near] = NEAR
    for k, probs in m.LOCATION.items():
        mask = (kind == k) & (provider != "PR1")
        out = _tilt(probs[1] + probs[2], shift)
        tilted = (1 - out, out * probs[1] / (probs[1] + probs[2]),
                  out * probs[2] / (probs[1] + probs[2]))
        where[mask] = rng.choice(3, size=mask.sum(), p=tilted)
    where[(provider == "PR2") & (where == INSIDE)] = NEAR
    home = pc.index[fig.la_code]
    auth = place_authorities(rng, pc, home, where)
    pl_post = pc.sample(rng, auth)
    urn = np.full(nrow, None, dtype=object)
    prov = _Providers(rng, pc, home, n_target)
    own_foster = fostered & (provider == "PR1")
    urn[own_foster] = prov.la_fostering
    urn[adopt & (provider == "PR1")] = prov.la_adoption
    for k in ("K2", "SUPP", "S1", "K1", "R3", "FIFA", "ADOPT"):
        for w in (INSIDE, NEAR, FAR):
            mask = (kind == k) & (where == w) & (provider != "PR1") if k in ("FIFA", "ADOPT") \
                else (kind == k) & (where == w)
            if k == "FIFA":
                mask &= fostered
            if not mask.any():
                continue
            urns, posts = prov.pool(k, w)
            pick = rng.integers(0, urns.size, mask.sum())
            urn[mask] = urns[pick]
            if k not in ("FIFA", "ADOPT"):
                pl_post[mask] = posts[pick]
    for w in (INSIDE, NEAR, FAR):
        mask = (kind == "P2") & (where == w)
        if mask.any():
            urns, _ = prov.pool("SUPP", w)
            urn[mask] = urns[rng.integers(0, urns.size, mask.sum())]
    registered = urn.copy()
    unregistered = (place == "P2") | ((place == "H5") & (days < SUPPORTED_REGISTERED_FROM))
    urn[unregistered] = URN_NOT_KNOWN
    # A5 keeps the foster carers' home
    sc = np.flatnonzero(same_carer)
    pl_post[sc] = pl_post[sc - 1]
    return frame.with_columns(
        PLACE=pl.Series(place.astype(str)),
        PLACE_PROVIDER=text(provider),
        URN=text(urn),
        PL_POST=pl.Series(pl_post.astype(str)),
        same_carer=pl.Series(same_carer),
        kind_name=pl.Series(kind.astype(str)),
        registered_urn=text(registered),
    )


def _register_supported(frame: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """Supported accommodation open when the rules changed continues with the same carer.

    On 28 October 2023 independent living (P2) and unregistered semi-independent (H5)
    placements of 16-17s become registered semi-independent accommodation (H5 with the
    provider's URN); on 1 April 2024 open H5 placements are recorded as K3. Each change is a new
    episode with the same carer (RNE T): a change in the status of the placement only.
    """
    frame = frame.sort("period", "day").join(periods.select("period", "end"), on="period")
    for codes, when, new in ((("P2", "H5"), SUPPORTED_REGISTERED_FROM, pl.lit("H5")),
                             (("H5",), SUPPORTED_K3_FROM, pl.lit("K3"))):
        frame = frame.with_columns(
            pend=pl.col("day").shift(-1).over("period").fill_null(pl.col("end")))
        extra = frame.filter(
            pl.col("PLACE").is_in(codes) & (pl.col("day") < when) & (pl.col("pend") > when)
        ).with_columns(
            day=pl.lit(when, dtype=pl.Int64), PLACE=new,
            URN=pl.col("registered_urn"), same_carer=pl.lit(True),
            kind_name=pl.col("kind_name").replace("P2", "SUPP"),
        )
        frame = pl.concat([frame, extra.select(frame.columns)]).sort("period", "day")
    return frame.drop("end", "pend")


def _drop_unchanged(frame: pl.DataFrame) -> pl.DataFrame:
    """A move to the very same placement (same type, provider, postcode and URN) is no move."""
    fields = ["PLACE", "PLACE_PROVIDER", "PL_POST", "URN"]
    same = pl.all_horizontal(
        pl.col(c).eq_missing(pl.col(c).shift(1).over("period")) for c in fields
    )
    return frame.sort("period", "day").filter(~same | (pl.col("period").is_first_distinct()))


def _build(rng: np.random.Generator, truth: Truth, p: dict, horizon: int, fig: CouncilFigures,
           pc: Postcodes) -> Simulation:
    n = p["entry"].shape[0]
    p["ico_mean_days"] = truth.ico_mean_days
    lp, ld, lls = _legal_events(rng, p)
    frame = _placement_events(rng, truth, p)
    frame = _draw_kinds(rng, truth, p, frame)
    frame = _placements(rng, truth, p, frame, pc, fig, truth.target_in_care)

    # exit at 18 depends on the last placement
    last = frame.group_by("period").agg(pl.col("kind_name").last()).sort("period")
    last_kind = np.empty(n, dtype=object)
    last_kind[last["period"].to_numpy()] = last["kind_name"].to_numpy()
    rec = p["rec"].astype(object)
    for name, kinds in (("at_18_foster", ["KIN", "FIH", "FIFA"]), ("at_18_supported", ["SUPP", "P2"]),
                        ("at_18_home", ["K2", "R1", "K1"]),
                        ("at_18_other", ["P1", "S1", "R3", "R5", "ADOPT"])):
        mask = p["to18"] & np.isin(last_kind, kinds)
        rec[mask] = _pick(rng, m.EXIT_PROBS[name], mask.sum())
    # special guardianship "to former foster carers" only from a foster placement (rule 516)
    sgo_ff = np.isin(rec, ["E45", "E46"])
    other = np.where(rng.random(n) < 0.5, "E47", "E48")
    rec[sgo_ff] = np.where(last_kind == "KIN", "E45",
                           np.where(np.isin(last_kind, ["FIH", "FIFA"]), "E46", other))[sgo_ff]
    # a few children die while looked after (E2): never in an adoption, never back in care
    last_period = pl.DataFrame({"c": p["child"], "e": p["entry"]}).select(
        pl.col("e") == pl.col("e").max().over("c"))["e"].to_numpy()
    died = (rng.random(n) < m.DEATH_PROBABILITY) & last_period & ~p["to18"] & (
        p["route"] != "adopt") & (p["end"] <= horizon)
    rec[died] = "E2"
    p["rec"] = rec

    home = pc.index[fig.la_code]
    home_post = pc.sample(rng, np.full(n, home))
    # the family home is not the address of any other placement (rule 392d)
    fperiod = frame["period"].to_numpy()
    fpost = frame["PL_POST"].to_numpy()
    not_p1 = frame["PLACE"].to_numpy() != "P1"
    for _ in range(5):
        clash = np.unique(fperiod[not_p1 & (fpost == home_post[fperiod])])
        if clash.size == 0:
            break
        home_post[clash] = pc.sample(rng, np.full(clash.size, home))
    home_post = np.where(p["uasc"], MISSING, home_post)
    # placed with parents: at the family home
    p1 = ~not_p1 & (home_post[fperiod] != None)  # noqa: E711
    frame = frame.with_columns(PL_POST=pl.Series(np.where(p1, home_post[fperiod], fpost)
                                                 .astype(str)))
    cin = np.where(p["uasc"], _pick(rng, m.UASC_CIN_PROBS, n),
                   _pick(rng, truth.cin_probs or m.CIN_PROBS, n))
    periods = pl.DataFrame({
        "period": np.arange(n), "child": p["child"], "entry": p["entry"], "end": p["end"],
        "dob": p["dob"], "rec": rec.astype(str), "route": p["route"].astype(str),
        "uasc": p["uasc"], "HOME_POST": text(home_post),
        "CIN": cin.astype(str), "t_dec": p["t_dec"], "t_match": p["t_match"],
        "t_place": p["t_place"], "t_rev": p["t_rev"], "t_po": p["t_po"],
    })
    frame = _drop_unchanged(_register_supported(frame, periods))
    legal = pl.DataFrame({"period": lp, "day": ld, "LS": lls.astype(str)}).unique(
        ["period", "day"], keep="last", maintain_order=True)
    frame = _temporary(rng, frame, periods, legal, pc, home, home_post)
    episodes = _episodes(rng, periods, legal, frame, horizon)
    return Simulation(periods=periods, episodes=episodes, horizon=horizon, truth=truth)


FOSTER_AND_HOMES = ("U1", "U2", "U3", "U4", "U5", "U6", "K2")


def _temporary(rng: np.random.Generator, frame: pl.DataFrame, periods: pl.DataFrame,
               legal: pl.DataFrame, pc: Postcodes, home: int, home_post: np.ndarray
               ) -> pl.DataFrame:
    """Temporary placements (T0-T4): a few nights away from a foster or children's home spell.

    DfE records them as a placement change (RNE P) and the return to the same placement as
    another (RNE P, same PLACE and PL_POST: rule 383); the temporary episode has no provider
    (rule 213), no URN, no reason for the change on it or the one before (rule 225), never ends
    the period of care (rule 381), and T4 lasts 7 days or less (rule 379). None crosses 31 March
    or a change of legal status, so each stays a plain move away and back.
    """
    f = frame.sort("period", "day").join(periods.select("period", "end"), on="period")
    f = f.with_columns(spell_end=pl.col("day").shift(-1).over("period").fill_null(pl.col("end")))
    n = f.height
    length = (f["spell_end"] - f["day"]).to_numpy()
    eligible = f["PLACE"].is_in(FOSTER_AND_HOMES).to_numpy() & (length > 30)
    hit = eligible & (rng.random(n) < 1 - np.exp(-m.TEMPORARY_RATE * length / YEAR))
    code = _pick(rng, m.TEMPORARY_PROBS, n)
    lo = np.array([m.TEMPORARY_DAYS[c][0] for c in code])
    hi = np.array([m.TEMPORARY_DAYS[c][1] for c in code])
    nights = rng.integers(lo, hi + 1)
    start = f["day"].to_numpy() + 3 + (rng.random(n) * np.maximum(length - nights - 6, 0)
                                       ).astype(np.int64)
    stop = start + nights
    hit &= (stop < f["spell_end"].to_numpy() - 2) & (
        start_years(start) == start_years(stop))
    cand = f.with_columns(t_start=pl.Series(start), t_stop=pl.Series(stop),
                          t_code=pl.Series(code.astype(str)), row=pl.int_range(pl.len())
                          ).filter(pl.Series(hit))
    clash = cand.join(legal.select("period", pl.col("day").alias("ld")), on="period").filter(
        pl.col("ld").is_between(pl.col("t_start") - 1, pl.col("t_stop") + 1))["row"].unique()
    cand = cand.filter(~pl.col("row").is_in(clash.implode()))
    k = cand.height
    where = rng.choice(3, size=k, p=(0.55, 0.30, 0.15))
    post = pc.sample(rng, place_authorities(rng, pc, home, where))
    at_home = post == home_post[cand["period"].to_numpy()]
    post[at_home] = pc.sample(rng, np.full(int(at_home.sum()), home))
    cols = frame.columns
    away = cand.with_columns(
        day=pl.col("t_start"), PLACE=pl.col("t_code"),
        PLACE_PROVIDER=pl.lit(None, dtype=pl.String), URN=pl.lit(None, dtype=pl.String),
        registered_urn=pl.lit(None, dtype=pl.String), PL_POST=pl.Series(post.astype(str)),
        same_carer=pl.lit(False), kind_name=pl.lit("TEMP"), first=pl.lit(False),
    ).select(cols)
    back = cand.with_columns(day=pl.col("t_stop"), same_carer=pl.lit(False),
                             first=pl.lit(False)).select(cols)
    return pl.concat([frame, away, back]).sort("period", "day")


def _episodes(rng: np.random.Generator, periods: pl.DataFrame, legal: pl.DataFrame,
              placements: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Episodes: a new one at every legal-status or placement change (RNE says which)."""
    ends = periods.select("period", "end", "rec", "entry", "HOME_POST", "CIN", "child")
    pl_cols = ["PLACE", "PLACE_PROVIDER", "URN", "PL_POST", "same_carer", "kind_name"]
    placements = placements.select("period", "day", *pl_cols).with_columns(
        pl.lit(True).alias("pl_changed"), pl.int_range(pl.len()).alias("pl_row"))
    legal = legal.with_columns(pl.lit(True).alias("ls_changed"))
    bounds = (
        pl.concat([placements.select("period", "day"), legal.select("period", "day")])
        .unique().join(ends.select("period", "end"), on="period")
        .filter(pl.col("day") < pl.col("end")).drop("end")
        .sort("period", "day")
    )
    ep = (
        bounds.join(placements, on=["period", "day"], how="left")
        .join(legal, on=["period", "day"], how="left")
        .sort("period", "day")
        .with_columns(
            pl.col("pl_changed").fill_null(False),
            pl.col("ls_changed").fill_null(False),
            pl.col("same_carer").fill_null(False),
        )
        .with_columns([pl.col(c).forward_fill().over("period") for c in ("pl_row", "LS")])
        .drop("PLACE", "PLACE_PROVIDER", "URN", "PL_POST", "kind_name")
        .join(placements.select("pl_row", "PLACE", "PLACE_PROVIDER", "URN", "PL_POST",
                                "kind_name"), on="pl_row", how="left")
        .join(ends, on="period")
    )
    n = ep.height
    reasons = _pick(rng, m.REASON_PLACE_CHANGE, n).astype(str)
    first = pl.col("day") == pl.col("entry")
    ep = ep.with_columns(
        RNE=pl.when(first).then(pl.lit("S"))
        .when(pl.col("pl_changed") & pl.col("ls_changed"))
        .then(pl.when(pl.col("same_carer")).then(pl.lit("U")).otherwise(pl.lit("B")))
        .when(pl.col("pl_changed"))
        .then(pl.when(pl.col("same_carer")).then(pl.lit("T")).otherwise(pl.lit("P")))
        .otherwise(pl.lit("L")),
        next_day=pl.col("day").shift(-1).over("period"),
        next_pl=pl.col("pl_changed").shift(-1).over("period"),
        next_same=pl.col("same_carer").shift(-1).over("period"),
        next_place=pl.col("PLACE").shift(-1).over("period"),
        reason=pl.Series(reasons),
    ).with_columns(
        DEC=pl.coalesce("next_day", "end"),
        REC=pl.when(pl.col("next_day").is_not_null()).then(pl.lit("X1")).otherwise(pl.col("rec")),
        REASON_PLACE_CHANGE=pl.when(pl.col("PLACE").str.starts_with("T")
                                    | pl.col("next_place").str.starts_with("T").fill_null(False))
        .then(None)
        .when(pl.col("next_pl").fill_null(False))
        .then(pl.when(pl.col("next_same")).then(pl.lit("PLACE"))
              .when(pl.col("next_place") == "R5").then(pl.lit("CUSTOD"))
              .otherwise(pl.col("reason")))
        .otherwise(None),
    )
    return ep.select(
        "child", "period", pl.col("day").alias("DECOM"), "RNE", "LS", "CIN", "PLACE",
        "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
        "kind_name",
    )
