"""A forecast stream of future referrals, for the batch assignment (issue 7 §4).

The sufficiency forecast (``carewise.forecast``) says how many children are expected to start a
placement in each month: entrants (the projection's entries, at a chosen percentile of its
runs) and moves between placement categories (children in each age band × category at that
percentile, times the chance of moving in the month and the destinations' shares, from the
fitted hazards). Only the categories the market extracts supply become referrals:

==================== ================================================
forecast category    placement types sought (referral template)
==================== ================================================
fostering_in_house   in_house_fostering; agency_fostering
fostering_agency     in_house_fostering; agency_fostering
residential          childrens_home
supported            supported_accommodation
==================== ================================================

Family and friends, placed with parents, adoption and "other" are not bought from this
market; their expected numbers are reported (``not_in_market``) but make no referral.

Each synthetic referral draws its attributes independently (so no referral copies a child):
age and sex from the placement starts of the same kind (entrant or move), age band and category
in the forecast's reference window; the home postcode from the council's 903 HOME_POST
distribution (resolved offline, ``carewise.geo``); needs, urgency, duration, budget and distance
limit from the council's open referrals seeking the same placement type at the same DfE age
group when any are loaded, otherwise needs from the 903 (see :func:`needs_from_903`). The number
in each month, kind, band and category is the expected number rounded by systematic sampling
(one uniform draw), so totals are within one of the forecast's and every cell is unbiased.
The same seed gives the same stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from carewise.errors import UserFacingError
from carewise.forecast import AGE_BANDS, CATEGORIES, fit_model, project
from carewise.forecast.model import DEFAULT_REFERENCE_MONTHS, FittedModel
from carewise.geo import resolve
from carewise.history import History
from carewise.matching.batch import Assignment, assign
from carewise.matching.engine import ReferralArrays, prepare
from carewise.matching.gap import (
    _group_addition,
    age_group_expr,
    hypothetical_options,
    unmet_report,
)
from carewise.matching.market import Market, empty
from carewise.matching.schema import LEGAL_STATUSES, NEEDS, REFERRALS
from carewise.matching.settings import MatchSettings
from carewise.returns.years import age_expr

MARKET_TYPES: dict[str, list[str]] = {
    "fostering_in_house": ["in_house_fostering", "agency_fostering"],
    "fostering_agency": ["in_house_fostering", "agency_fostering"],
    "residential": ["childrens_home"],
    "supported": ["supported_accommodation"],
}
"""Forecast placement category -> placement types a referral for it seeks."""

SOURCES = ("entrant", "move")
ID_PREFIX = "FORECAST-"
"""Forecast referrals are FORECAST-00001 …, child ids FORECAST-C00001 … (no real child)."""
PROFILE_COLUMNS = (*(f"need_{n}" for n in NEEDS), "uasc", "urgency", "duration",
                   "budget_weekly", "max_distance_miles")
"""What a forecast referral takes from an open referral of the same type and age group."""

DEFAULT_URGENCY = {"entrant": "within_5_days", "move": "over_5_days"}
DEFAULT_DURATION = {"entrant": "short_term", "move": "long_term"}
"""Without open referrals: entries to care are mostly unplanned and short-term at first;
moves between categories are mostly planned. Stated assumptions, not measured."""

_BAND_HIGHS = [b.high for b in AGE_BANDS]
_MARKET_CATS = [CATEGORIES.index(c) for c in MARKET_TYPES]


@dataclass
class ExpectedFlows:
    """Placement starts expected per month: (months, sources, bands, categories)."""

    months: list[date]
    """Last day of each month in the stream."""
    starts: list[date]
    """First day of each month in the stream."""
    expected: np.ndarray
    percentile: float
    origin: date
    model: FittedModel = field(repr=False)

    def not_in_market(self) -> dict[str, float]:
        """Expected starts in categories this market does not supply."""
        total = self.expected.sum((0, 1, 2))
        return {c: round(float(total[i]), 1) for i, c in enumerate(CATEGORIES)
                if c not in MARKET_TYPES}

    def entrants_total(self) -> float:
        return float(self.expected[:, 0].sum())


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def expected_flows(history: History, months: int = 12, percentile: float = 50.0, runs: int = 500,
                   seed: int = 0, as_at: date | None = None,
                   reference_months: int = DEFAULT_REFERENCE_MONTHS) -> ExpectedFlows:
    """Entrants and moves expected in each of the ``months`` whole months after ``as_at``.

    The forecast starts at the data's end (31 March of the latest return), so it is run on
    to ``as_at`` (default today) and the months after it are kept.
    """
    if not 1 <= months <= 60:
        raise UserFacingError("give the forecast months as a whole number from 1 to 60")
    if not 0 <= percentile <= 100:
        raise UserFacingError("give the percentile as a number from 0 to 100 (50 is the median)")
    model = fit_model(history, reference_months=reference_months)
    as_at = as_at or date.today()
    skip = max(0, _month_index(as_at) - _month_index(model.origin))
    proj = project(model, horizon_months=skip + months + 1, runs=runs, seed=seed)
    dates = proj.dates
    # whole months starting after as_at (the forecast's own months if it starts later)
    steps = [t for t in range(len(dates) - 1) if dates[t] >= min(as_at, dates[-2])][:months]
    hz = model.rates.hazards  # (bands, categories, categories + 1)
    h = hz.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(h[..., None] > 0, hz / h[..., None], 0.0)[..., : len(CATEGORIES)]
    counts = np.percentile(proj.counts, percentile, axis=1)  # (dates, bands, categories)
    entries = np.percentile(proj.entries, percentile, axis=1)  # (steps,)
    expected = np.zeros((len(steps), len(SOURCES), len(AGE_BANDS), len(CATEGORIES)))
    entrant_share = _entrant_share(model)
    for i, t in enumerate(steps):
        days = (dates[t + 1] - dates[t]).days
        expected[i, 0] = entries[t] * entrant_share
        moving = counts[t] * -np.expm1(-h * days)
        expected[i, 1] = np.einsum("bc,bck->bk", moving, share)
    starts = [dates[t] + timedelta(days=1) for t in steps]
    return ExpectedFlows([dates[t + 1] for t in steps], starts, expected, percentile,
                         model.origin, model)


def _entrant_share(model: FittedModel) -> np.ndarray:
    """Share of entrants in each band × first category: the pool the simulation draws from."""
    rates = model.rates
    years = rates.entrant_age_days / 365.25
    band = np.searchsorted(_BAND_HIGHS, years, side="right")
    ok = band < len(AGE_BANDS)
    hist = np.zeros((len(AGE_BANDS), len(CATEGORIES)))
    np.add.at(hist, (band[ok], rates.entrant_category[ok].astype(np.int64)), rates.entrant_weights()[ok])
    return hist / hist.sum() if hist.sum() else hist


def _systematic(expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole numbers with the same expectation per cell and a total within one of the sum."""
    flat = expected.ravel()
    cum = np.cumsum(flat)
    u = rng.random()
    hits = np.floor(cum + u)
    return np.diff(np.concatenate([[np.floor(u)], hits])).astype(np.int64).reshape(expected.shape)


# -- the 903 pool: placement starts in the reference window ----------------------------------

def _flag(history: History, table: str, column: str | None = None) -> pl.DataFrame:
    """Children with a row in ``table`` (or with ``column`` = 1 there)."""
    frame = history.table(table)
    if frame.height == 0 or "CHILD" not in frame.columns:
        return pl.DataFrame(schema={"CHILD": pl.String})
    if column is not None:
        frame = frame.filter(pl.col(column).cast(pl.String).str.strip_chars() == "1")
    return frame.select("CHILD").unique()


def needs_from_903(pool: pl.DataFrame) -> pl.DataFrame:
    """Referral needs from what the 903 records, for councils without open referrals loaded.

    - disability: category of need N2 (child's disability) on the episode;
    - emotional_behavioural: N6 (socially unacceptable behaviour), or a residential placement
      (children's homes are registered for emotional and behavioural difficulties);
    - missing: a missing or away-from-placement episode in the 903 missing table;
    - offending: OC2 CONVICTED = 1; substance_misuse: OC2 SUBSTANCE_MISUSE = 1;
    - exploitation: not recorded in the 903, so N;
    - uasc: in the UASC table or flagged UASC in the header.
    """
    return pool.with_columns(
        (pl.col("CIN") == "N2").alias("need_disability"),
        ((pl.col("CIN") == "N6") | (pl.col("category") == "residential"))
        .alias("need_emotional_behavioural"),
        pl.lit(False).alias("need_exploitation"),
        pl.col("_missing").alias("need_missing"),
        pl.col("_convicted").alias("need_offending"),
        pl.col("_substance").alias("need_substance_misuse"),
        pl.col("_uasc").alias("uasc"),
    )


def placement_starts(model: FittedModel, history: History) -> pl.DataFrame:
    """Spells starting in the reference window with the 903 facts the stream draws on."""
    rates = model.rates
    spells = model.spells.filter(pl.col("start").is_between(rates.window_start, rates.window_end))
    eps = history.episodes.select("CHILD", pl.col("DECOM").alias("start"), "CIN", "LS",
                                  "HOME_POST").unique(subset=["CHILD", "start"], keep="last")
    header = history.timeline.children.select("CHILD", "SEX", "UASC")
    uasc = pl.concat([_flag(history, "uasc"), header.filter(pl.col("UASC").cast(pl.String) == "1")
                      .select("CHILD")]).unique()
    age = age_expr(pl.col("DOB"), pl.col("start"))
    band = pl.lit(len(AGE_BANDS), pl.Int64)
    for i in reversed(range(len(AGE_BANDS))):
        band = pl.when(age < _BAND_HIGHS[i]).then(pl.lit(i, pl.Int64)).otherwise(band)
    pool = (
        spells.join(eps, on=["CHILD", "start"], how="left")
        .join(header, on="CHILD", how="left")
        .with_columns(
            age.alias("age"), band.alias("band"),
            pl.when(pl.col("entry")).then(0).otherwise(1).alias("source"),
            pl.col("category").replace_strict({c: i for i, c in enumerate(CATEGORIES)},
                                              return_dtype=pl.Int64).alias("cat"),
            pl.when(pl.col("SEX").cast(pl.String).is_in(("M", "F"))).then(pl.col("SEX").cast(pl.String))
            .alias("sex"),
            pl.col("CHILD").is_in(_flag(history, "missing")["CHILD"].implode()).alias("_missing"),
            pl.col("CHILD").is_in(_flag(history, "oc2", "CONVICTED")["CHILD"].implode())
            .alias("_convicted"),
            pl.col("CHILD").is_in(_flag(history, "oc2", "SUBSTANCE_MISUSE")["CHILD"].implode())
            .alias("_substance"),
            pl.col("CHILD").is_in(uasc["CHILD"].implode()).alias("_uasc"),
        )
        .filter(pl.col("band") < len(AGE_BANDS))
    )
    # Children who start the same category on the same day from the same home: siblings.
    pool = pool.with_columns(
        pl.len().over("start", "HOME_POST", "category").alias("group_size")
    ).with_columns(pl.when(pl.col("HOME_POST").is_null()).then(1).otherwise(pl.col("group_size"))
                   .alias("group_size"))
    return needs_from_903(pool)


def _pick(rng: np.random.Generator, want: np.ndarray, have: np.ndarray) -> np.ndarray:
    """For each key in ``want``, the index of a uniformly chosen row of ``have`` with that key
    (-1 when there is none)."""
    if have.size == 0:
        return np.full(want.size, -1, dtype=np.int64)
    order = np.argsort(have, kind="stable")
    keys = have[order]
    lo = np.searchsorted(keys, want, side="left")
    n = np.searchsorted(keys, want, side="right") - lo
    j = np.minimum(lo + np.floor(rng.random(want.size) * n).astype(np.int64), keys.size - 1)
    return np.where(n > 0, order[j], -1)


def _pick_levels(rng: np.random.Generator, levels: list[tuple[np.ndarray, np.ndarray]]
                 ) -> np.ndarray:
    """``_pick`` at each level of keys (most specific first), the first level that has rows."""
    out = np.full(levels[0][0].size, -1, dtype=np.int64)
    for want, have in levels:
        got = _pick(rng, want, have)
        out = np.where(out >= 0, out, got)
    return out


def _key(*cols: np.ndarray) -> np.ndarray:
    key = np.zeros(cols[0].size, dtype=np.int64)
    for c in cols:
        key = key * 64 + c.astype(np.int64)
    return key


def _home_postcodes(pool: pl.DataFrame) -> pl.DataFrame:
    """The council's HOME_POST values that resolve to a place, one row per placement start."""
    posts = pool.select(pl.col("HOME_POST").drop_nulls())["HOME_POST"]
    if posts.len() == 0:
        return pl.DataFrame(schema={"HOME_POST": pl.String})
    found = resolve(posts.unique())
    known = found.filter(pl.col("resolution") != "unknown")["postcode"]
    return pl.DataFrame({"HOME_POST": posts}).filter(pl.col("HOME_POST").is_in(known.implode()))


def referral_stream(history: History, months: int = 12, seed: int = 0, percentile: float = 50.0,
                    open_referrals: pl.DataFrame | None = None, as_at: date | None = None,
                    runs: int = 500, reference_months: int = DEFAULT_REFERENCE_MONTHS,
                    flows: ExpectedFlows | None = None) -> pl.DataFrame:
    """Synthetic future referrals (template schema, ``status = "forecast"``) for ``months``.

    Extra columns: ``expected_month`` (YYYY-MM) and ``forecast_source`` (entrant or move).
    ``flows`` reuses an :func:`expected_flows` result (same options).
    """
    flows = flows or expected_flows(history, months, percentile, runs, seed, as_at,
                                    reference_months)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 903_7]))
    in_market = np.zeros_like(flows.expected)
    in_market[..., _MARKET_CATS] = flows.expected[..., _MARKET_CATS]
    n = _systematic(in_market, rng)
    cells = np.repeat(np.arange(n.size), n.ravel())
    month_i, source, band, cat = np.unravel_index(cells, n.shape)
    size = cells.size
    if size == 0:
        return _frame(pl.DataFrame(), 0)
    pool = placement_starts(flows.model, history)
    p_src, p_band, p_cat = (pool[c].to_numpy() for c in ("source", "band", "cat"))
    specific = [(_key(source, band, cat), _key(p_src, p_band, p_cat)),
                (_key(band, cat), _key(p_band, p_cat)), (band, p_band)]
    # age: the pool's, else uniform within the band
    ages_at = _pick_levels(rng, specific)
    lows = np.array([b.low for b in AGE_BANDS])[band]
    highs = np.array(_BAND_HIGHS)[band]
    uniform_age = lows + np.floor(rng.random(size) * (highs - lows)).astype(np.int64)
    ages = (np.where(ages_at >= 0, pool["age"].to_numpy()[np.maximum(ages_at, 0)], uniform_age)
            if pool.height else uniform_age)
    ages = np.clip(ages, 0, 17)
    # sex: drawn on its own, from the same band and category
    sex_pool = pool.filter(pl.col("sex").is_not_null())
    sex_at = _pick_levels(rng, [(_key(band, cat), _key(sex_pool["band"].to_numpy(),
                                                         sex_pool["cat"].to_numpy())),
                                (band, sex_pool["band"].to_numpy())])
    coin = np.where(rng.random(size) < 0.5, "M", "F")
    sexes = (np.where(sex_at >= 0, sex_pool["sex"].to_numpy()[np.maximum(sex_at, 0)], coin)
             if sex_pool.height else coin)
    # 903 facts of one more placement start of the same kind: LS, sibling group, 903 needs
    fact_at = _pick_levels(rng, specific)
    facts = pool[np.maximum(fact_at, 0).tolist()] if pool.height else None
    homes = _home_postcodes(pool)
    home_at = np.floor(rng.random(size) * homes.height).astype(np.int64) if homes.height else None
    month_start = np.array(flows.starts, dtype="datetime64[D]")[month_i]
    month_end = np.array(flows.months, dtype="datetime64[D]")[month_i]
    span = (month_end - month_start).astype(np.int64) + 1
    needed = month_start + np.floor(rng.random(size) * span).astype(np.int64)
    cat_names = np.array(CATEGORIES)[cat]
    out = pl.DataFrame({
        "age": ages.astype(np.int64),
        "sex": sexes.astype(str),
        "date_needed": needed,
        "forecast_source": np.array(SOURCES)[source],
        "category": cat_names,
        "expected_month": [f"{d.year:04d}-{d.month:02d}" for d in
                           (flows.months[i] for i in month_i)],
    }).with_columns(
        pl.col("date_needed").cast(pl.Date),
        pl.col("category").replace_strict(MARKET_TYPES, return_dtype=pl.List(pl.String))
        .alias("placement_types"),
    )
    if facts is not None:
        out = out.with_columns(
            pl.Series("legal_status", facts["LS"]).replace_strict(
                {s: s for s in LEGAL_STATUSES}, default=None, return_dtype=pl.String),
            pl.Series("sibling_group_size", facts["group_size"]).cast(pl.Int64).clip(1, 12),
            *(pl.Series(f"need_{x}", facts[f"need_{x}"]).fill_null(False) for x in NEEDS),
            pl.Series("uasc", facts["uasc"]).fill_null(False),
        )
    else:
        out = out.with_columns(pl.lit(None, pl.String).alias("legal_status"),
                               pl.lit(1, pl.Int64).alias("sibling_group_size"),
                               *(pl.lit(False).alias(f"need_{x}") for x in NEEDS),
                               pl.lit(False).alias("uasc"))
    out = out.with_columns(
        pl.col("forecast_source").replace_strict(DEFAULT_URGENCY).alias("urgency"),
        pl.col("forecast_source").replace_strict(DEFAULT_DURATION).alias("duration"),
        pl.lit(None, pl.Float64).alias("budget_weekly"),
        pl.lit(None, pl.Float64).alias("max_distance_miles"),
        pl.Series("home_postcode", homes["HOME_POST"][home_at.tolist()]) if home_at is not None
        else pl.lit("").alias("home_postcode"),
    )
    if open_referrals is not None and open_referrals.height:
        out = _profiles_from_open(out, open_referrals, rng)
    return _frame(out, size)


def _profiles_from_open(out: pl.DataFrame, refs: pl.DataFrame, rng: np.random.Generator
                        ) -> pl.DataFrame:
    """Needs, urgency, duration, budget and distance limit from an open referral seeking the
    same placement type (first) at the same DfE age group, else the same type, else any."""
    r = refs.with_columns(age_group_expr().alias("_ag"),
                          pl.col("placement_types").list.first().alias("_type"))
    o = out.with_columns(age_group_expr().alias("_ag"),
                         pl.col("placement_types").list.first().alias("_type"))
    codes = {v: i for i, v in enumerate(sorted(set(r["_type"].drop_nulls().to_list())
                                               | set(o["_type"].to_list())))}
    groups = {v: i for i, v in enumerate(sorted(set(r["_ag"].drop_nulls().to_list())
                                                | set(o["_ag"].drop_nulls().to_list())))}

    def enc(frame: pl.DataFrame, col: str, table: dict) -> np.ndarray:
        return frame[col].replace_strict(table, default=63, return_dtype=pl.Int64).to_numpy()

    o_t, r_t = enc(o, "_type", codes), enc(r, "_type", codes)
    o_g, r_g = enc(o, "_ag", groups), enc(r, "_ag", groups)
    at = _pick_levels(rng, [(_key(o_t, o_g), _key(r_t, r_g)), (o_t, r_t),
                            (np.zeros(o.height, np.int64), np.zeros(r.height, np.int64))])
    prof = r.select(PROFILE_COLUMNS)[at.tolist()]
    return out.with_columns(prof[c].alias(c) for c in PROFILE_COLUMNS)


def _frame(out: pl.DataFrame, size: int) -> pl.DataFrame:
    """The referrals frame as a loaded market has it (typed, located), ids and status set."""
    schema = empty("referrals").schema
    if size == 0:
        return pl.DataFrame(schema=dict(schema) | {"expected_month": pl.String,
                                                   "forecast_source": pl.String})
    out = out.with_columns(
        pl.Series("referral_id", [f"{ID_PREFIX}{i:05d}" for i in range(1, size + 1)]),
        pl.Series("child_id", [f"{ID_PREFIX}C{i:05d}" for i in range(1, size + 1)]),
        pl.lit("forecast").alias("status"),
        pl.lit(False).alias("siblings_together_required"),
        pl.lit("").alias("school_postcode"),
        pl.lit(None, pl.Boolean).alias("keep_school"),
    )
    located = resolve(out["home_postcode"].fill_null(""))
    out = out.with_columns(
        located["easting"].alias("home_easting"), located["northing"].alias("home_northing"),
        located["la_code"].alias("home_la_code"), located["resolution"].alias("home_resolution"),
        pl.lit(None, pl.Float64).alias("school_easting"),
        pl.lit(None, pl.Float64).alias("school_northing"),
        pl.lit(None, pl.String).alias("school_la_code"),
        pl.lit("unknown").alias("school_resolution"),
        pl.Series("_row", range(1, size + 1), dtype=pl.UInt32),
    )
    no_list = pl.lit([], pl.List(pl.String))
    cols = [pl.col(c).cast(t) if c in out.columns
            else (no_list if t == pl.List(pl.String) else pl.lit(None, t)).alias(c)
            for c, t in schema.items()]
    out = out.select(*cols, "expected_month", "forecast_source").sort("date_needed", "referral_id")
    return out.with_columns(pl.Series("_row", range(1, size + 1), dtype=pl.UInt32))


def write_extract(stream: pl.DataFrame, path: str | Path) -> None:
    """Write the stream as a referrals extract (the template's columns, CSV), e.g. to share."""
    cols = []
    for c in REFERRALS.columns:
        if c.kind == "list":
            cols.append(pl.col(c.name).list.join(";"))
        elif c.kind == "bool":
            cols.append(pl.when(pl.col(c.name)).then(pl.lit("Y"))
                        .when(pl.col(c.name).not_()).then(pl.lit("N")).alias(c.name))
        else:
            cols.append(pl.col(c.name))
    stream.select(cols).write_csv(path, date_format="%d/%m/%Y")



@dataclass
class _Merged:
    """The two stages' referral frames as one, for ``unmet_report``."""

    referrals: pl.DataFrame


def _after_open(options: pl.DataFrame, first: Assignment, r: ReferralArrays) -> pl.DataFrame:
    """Options with the places the open referrals took removed (and those children counted
    towards each household's fostering limit)."""
    taken = _plain(first.referrals).select("met", "option_id", "children").filter(
        pl.col("met")).group_by("option_id").agg(pl.col("children").sum().alias("_used"))
    return options.join(taken, on="option_id", how="left").with_columns(
        (pl.col("places_free") - pl.col("_used").fill_null(0)).clip(0).alias("places_free"),
        (pl.col("current_children") + pl.col("_used").fill_null(0)).alias("current_children"),
    ).drop("_used")


def two_stage(market: Market, settings: MatchSettings, open_refs: pl.DataFrame,
              stream: pl.DataFrame, extra_options: pl.DataFrame | None = None
              ) -> tuple[Assignment, Assignment, pl.DataFrame]:
    """Open referrals first (today's children are not displaced by expected ones), then the
    forecast referrals in the places left. Returns both assignments and the options used."""
    options = market.options()
    if extra_options is not None and extra_options.height:
        options = pl.concat([options, extra_options])
    o1, r1 = prepare(options, open_refs, settings, council=market.la_code)
    first = assign(r1, o1, settings)
    o2, r2 = prepare(_after_open(options, first, r1), stream, settings,
                     council=market.la_code)
    return first, assign(r2, o2, settings), o1.frame


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Object columns (all-null option ids when nothing is met) as text, so frames stack."""
    return frame.with_columns(pl.Series(c, frame[c].to_list(), dtype=pl.String)
                              for c in frame.columns if frame[c].dtype == pl.Object)


def _combined_summary(first: Assignment, second: Assignment) -> dict:
    a, b = first.summary, second.summary
    out = {k: a[k] + b[k] for k in ("referrals", "met", "unmet", "greedy_met", "greedy_unmet",
                                    "extra_met_vs_greedy", "candidate_pairs", "children",
                                    "children_met", "children_unmet", "greedy_children_met",
                                    "extra_children_met_vs_greedy")}
    out |= {k: round(a[k] + b[k], 1) for k in ("total_score", "greedy_total_score",
                                                "score_gain_vs_greedy")}
    out["options"] = a["options"]
    out["mean_score_met"] = round(out["total_score"] / out["met"], 1) if out["met"] else None
    out["solve_seconds"] = round(a["solve_seconds"] + b["solve_seconds"], 3)
    out["solver_status"] = {"open_today": a["solver_status"], "expected": b["solver_status"]}
    out["settings_version"] = a["settings_version"]
    return out


def forecast_report(market: Market, settings: MatchSettings, stream: pl.DataFrame,
                    flows: ExpectedFlows, seed: int, suggestions: int = 3) -> dict:
    """The batch report over open + forecast referrals, unmet need split by where it comes from.

    Open referrals are assigned first, then the expected ones to the places left, both against
    today's market (no vacancy is assumed to free up, so the expected gap is an upper bound).
    Capacity suggestions are shaped on the combined unmet need and tested by re-solving both
    stages with the capacity added.
    """
    open_refs = market.open_referrals()
    clash = set(open_refs["referral_id"].to_list()) & set(stream["referral_id"].to_list())
    if clash:
        raise UserFacingError(f"open referral ids such as {sorted(clash)[0]} look like forecast "
                              f"ids ({ID_PREFIX}…): rename them in the referrals extract")
    combined = pl.concat([open_refs.with_columns(pl.lit(None, pl.String).alias("expected_month"),
                                                 pl.lit(None, pl.String).alias("forecast_source")),
                          stream], how="diagonal_relaxed")
    first, second, options = two_stage(market, settings, open_refs, stream)
    merged = _Merged(pl.concat([_plain(first.referrals), _plain(second.referrals)]))
    unmet = unmet_report(market, combined, merged)
    summary = _combined_summary(first, second)
    proposals = []
    for group in unmet.head(suggestions).iter_rows(named=True):
        addition = _group_addition(group, combined, market)
        extra = hypothetical_options([addition], market, options, settings)
        a1, a2, _ = two_stage(market, settings, open_refs, stream, extra)
        after = a1.summary["unmet"] + a2.summary["unmet"]
        proposals.append({
            "for_group": {k: group[k] for k in ("age_group", "main_need", "placement_type")},
            "addition": addition.as_dict(),
            "description": addition.describe(market.la_code),
            "unmet_before": summary["unmet"],
            "unmet_after": after,
            "would_meet": summary["unmet"] - after,
            "would_meet_open_today": first.summary["unmet"] - a1.summary["unmet"],
        })
    extra_cols = combined.select("referral_id", pl.col("status").fill_null("open"),
                                 "expected_month", "forecast_source")
    assignments = merged.referrals.join(extra_cols, on="referral_id", how="left")
    split = {}
    for name, refs, stage in (("open_today", open_refs, first), ("expected", stream, second)):
        split[name] = {"referrals": stage.summary["referrals"], "met": stage.summary["met"],
                       "unmet": stage.summary["unmet"],
                       "unmet_groups": unmet_report(market, refs, stage).to_dicts()}
    expected_months = (
        stream.group_by("expected_month")
        .agg(pl.len().alias("referrals"),
             (pl.col("forecast_source") == "entrant").sum().alias("entrants"),
             (pl.col("forecast_source") == "move").sum().alias("moves"))
        .sort("expected_month")
    )
    unmet_by_month = (
        assignments.filter(pl.col("status") == "forecast")
        .group_by("expected_month").agg((~pl.col("met")).sum().alias("unmet"))
    )
    in_market = flows.expected[..., _MARKET_CATS]
    return {
        "council": market.la_code,
        "market_version": market.version,
        "summary": summary,
        "assignments": assignments.to_dicts(),
        "unmet_groups": unmet.to_dicts(),
        "suggestions": proposals,
        "unmet_split": split,
        "forecast": {
            "months": len(flows.months),
            "percentile": flows.percentile,
            "seed": seed,
            "forecast_origin": flows.origin.isoformat(),
            "first_month": flows.starts[0].isoformat() if flows.starts else None,
            "last_month": flows.months[-1].isoformat() if flows.months else None,
            "expected_referrals": round(float(in_market.sum()), 1),
            "expected_entrants": round(float(in_market[:, 0].sum()), 1),
            "expected_moves": round(float(in_market[:, 1].sum()), 1),
            "referrals": stream.height,
            "needs_from": "open_referrals" if open_refs.height else "903",
            "not_in_market": flows.not_in_market(),
            "by_month": expected_months.join(unmet_by_month, on="expected_month", how="left")
            .with_columns(pl.col("unmet").fill_null(0)).rename({"expected_month": "month"})
            .to_dicts(),
        },
    }
