"""Children looked after only under an agreed series of short breaks (LS V3 / V4).

Mostly disabled children (need N2) who stay a night or a few with short-break carers or in a
short-break children's home every few weeks. DfE leaves them out of its headline counts but the
903 holds them, so measures must cope with them. Following the DfE rules:

- V3 (each break recorded): every break is its own period of care (RNE S, rule 366) of 17 days or
  less (rule 365), at most 75 days in a collection year (rule 367), never a temporary (T0-T4,
  rule 382) or long-term foster placement (U1/U4, rule 384);
- V4 (agreements recorded): one episode per agreement;
- a child is V3 or V4, never both (rule 426); no postcodes or URN (rules 214, 398, 420), no
  reviews and no MOTHER (rule 399), no OC2 row (they are not continuously looked after).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from carewise.returns.years import start_years
from carewise.synth import model as m
from carewise.synth.simulate import YEAR, _not_29_february, _pick, birthday


def short_breaks(rng: np.random.Generator, n_target: int, first_start: int, horizon: int,
                 first_child: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(children, episodes) of short-break children; children numbered from ``first_child``.

    ``children`` has the columns :func:`carewise.synth.events.children` reads (child, dob, uasc,
    entry, end); ``episodes`` those of :class:`carewise.synth.simulate.Simulation`.
    """
    stock = m.SHORT_BREAK_CHILDREN_PER_CLA * n_target
    w0 = first_start - int(6 * YEAR)
    rate = stock / m.SHORT_BREAK_MEAN_YEARS
    n = int(rng.poisson(rate * (horizon - w0) / YEAR))
    start = rng.integers(w0, horizon, n).astype(np.int64)
    age = rng.uniform(5 * YEAR, 15 * YEAR, n).astype(np.int64)
    dob = _not_29_february(start - age)
    end = np.minimum(start + rng.exponential(m.SHORT_BREAK_MEAN_YEARS * YEAR, n).astype(np.int64),
                     birthday(dob, 18) - 1)
    keep = (end > first_start) & (end > start + 30)
    start, dob, end = start[keep], dob[keep], end[keep]
    n = start.size
    child = first_child + np.arange(n)
    v4 = rng.random(n) < m.SHORT_BREAK_V4_SHARE
    place = _pick(rng, m.SHORT_BREAK_PLACES, n)
    provider = np.where(place == "K2", _pick(rng, {"PR1": 0.5, "PR4": 0.3, "PR5": 0.2}, n),
                        np.where(place == "U3", "PR1",
                                 _pick(rng, {"PR1": 0.7, "PR4": 0.3}, n)))
    cin = _pick(rng, m.SHORT_BREAK_CIN, n)
    # V3: a break every few weeks; V4: one episode per (yearly) agreement
    span = end - start
    k = np.where(v4, 1 + span // 365, 1 + rng.poisson(span / m.SHORT_BREAK_EVERY_DAYS))
    cid = np.repeat(np.arange(n), k)
    pos = np.arange(cid.size) - np.repeat(np.cumsum(k) - k, k)
    v4_row = v4[cid]
    decom = np.where(v4_row, start[cid] + pos * 365,
                     start[cid] + (rng.random(cid.size) * span[cid]).astype(np.int64))
    nights = np.where(v4_row, rng.integers(200, 350, cid.size),
                      _pick(rng, {1: 0.45, 2: 0.35, 3: 0.15, 5: 0.05}, cid.size).astype(np.int64))
    dec = decom + nights
    eps = pl.DataFrame({"c": cid, "DECOM": decom, "DEC": dec, "v4": v4_row,
                        "last": end[cid]}).filter(pl.col("DEC") <= pl.col("last")
                                                  ).sort("c", "DECOM")
    # no overlaps (a new break starts after the last one ended), none across 31 March
    for _ in range(4):
        eps = eps.filter(
            (pl.col("DECOM") > pl.col("DEC").shift(1).over("c")).fill_null(True))
    y0 = start_years(eps["DECOM"].to_numpy())
    y1 = start_years(eps["DEC"].to_numpy())
    eps = eps.filter(pl.Series(y0 == y1) | pl.col("v4"))
    # V3: at most 75 days in a collection year (rule 367): keep breaks up to 70
    eps = eps.with_columns(year=pl.Series(start_years(eps["DECOM"].to_numpy()))).with_columns(
        used=(pl.col("DEC") - pl.col("DECOM")).cum_sum().over("c", "year"))
    eps = eps.filter(pl.col("v4") | (pl.col("used") <= m.SHORT_BREAK_MAX_DAYS))
    eps = eps.filter(pl.col("DECOM") <= horizon)
    ci = eps["c"].to_numpy()
    episodes = pl.DataFrame({
        "child": child[ci], "period": np.full(ci.size, -1, dtype=np.int64),
        "DECOM": eps["DECOM"].to_numpy(), "RNE": np.full(ci.size, "S"),
        "LS": np.where(v4[ci], "V4", "V3"), "CIN": cin[ci].astype(str),
        "PLACE": place[ci].astype(str), "PLACE_PROVIDER": provider[ci].astype(str),
        "DEC": eps["DEC"].to_numpy(), "REC": _pick(rng, m.SHORT_BREAK_REC, ci.size).astype(str),
    }).with_columns(
        REASON_PLACE_CHANGE=pl.lit(None, dtype=pl.String),
        HOME_POST=pl.lit(None, dtype=pl.String), PL_POST=pl.lit(None, dtype=pl.String),
        URN=pl.lit(None, dtype=pl.String), kind_name=pl.lit("SHORT_BREAK"),
    )
    used = np.unique(ci)
    children = pl.DataFrame({
        "child": child[used], "dob": dob[used], "uasc": np.zeros(used.size, dtype=bool),
        "entry": start[used], "end": end[used],
    })
    return children, episodes
