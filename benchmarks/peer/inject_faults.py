"""Copy a year's 903 CSV folder with faults of many kinds injected, to compare validators on.

    .venv/bin/python benchmarks/peer/inject_faults.py IN_FOLDER OUT_FOLDER [--seed 1] [--rate 0.03]

Each fault hits about ``rate`` of the rows of its table (chosen with the seed), independently:
wrong codes, dates out of order, overlapping episodes, missing fields, invalid postcodes, ages
that do not fit the placement, OC2/OC3 inconsistencies, duplicate rows, reviews and missing
spells out of order. Synthetic data only: the input is a carewise.synth council.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

Fault = Callable[[pl.DataFrame, pl.Series], pl.DataFrame]


def _set(column: str, value: str | None) -> Fault:
    def apply(frame: pl.DataFrame, hit: pl.Series) -> pl.DataFrame:
        if column not in frame.columns:
            return frame
        return frame.with_columns(
            pl.when(hit).then(pl.lit(value, dtype=pl.String)).otherwise(pl.col(column)).alias(column)
        )

    return apply


def _copy(source: str, target: str) -> Fault:
    """Put one column's value in another (e.g. DEC := DECOM - dates out of order via swap)."""

    def apply(frame: pl.DataFrame, hit: pl.Series) -> pl.DataFrame:
        return frame.with_columns(
            pl.when(hit).then(pl.col(source)).otherwise(pl.col(target)).alias(target)
        )

    return apply


def _swap(a: str, b: str) -> Fault:
    def apply(frame: pl.DataFrame, hit: pl.Series) -> pl.DataFrame:
        return frame.with_columns(
            pl.when(hit & pl.col(b).is_not_null()).then(pl.col(b)).otherwise(pl.col(a)).alias(a),
            pl.when(hit & pl.col(b).is_not_null()).then(pl.col(a)).otherwise(pl.col(b)).alias(b),
        )

    return apply


def _overlap(frame: pl.DataFrame, hit: pl.Series) -> pl.DataFrame:
    """Start an episode a month before the previous one of the child ended (overlapping)."""
    decom = pl.col("DECOM").str.to_date("%d/%m/%Y", strict=False)
    prev_dec = pl.col("DEC").str.to_date("%d/%m/%Y", strict=False).shift(1).over("CHILD")
    earlier = (prev_dec - pl.duration(days=30)).dt.strftime("%d/%m/%Y")
    return frame.with_columns(
        pl.when(hit & prev_dec.is_not_null() & (decom >= prev_dec)).then(earlier)
        .otherwise(pl.col("DECOM")).alias("DECOM")
    )


def _duplicate(frame: pl.DataFrame, hit: pl.Series) -> pl.DataFrame:
    return pl.concat([frame, frame.filter(hit)])


def _older(years: int) -> Fault:
    """Make the child ``years`` older (DOB earlier), so ages no longer fit placements/tables."""

    def apply(frame: pl.DataFrame, hit: pl.Series) -> pl.DataFrame:
        dob = pl.col("DOB").str.to_date("%d/%m/%Y", strict=False)
        return frame.with_columns(
            pl.when(hit).then(dob.dt.offset_by(f"-{years}y").dt.strftime("%d/%m/%Y"))
            .otherwise(pl.col("DOB")).alias("DOB")
        )

    return apply


FAULTS: dict[str, tuple[str, Fault]] = {
    "wrong PLACE code": ("episodes", _set("PLACE", "Z9")),
    "wrong LS code": ("episodes", _set("LS", "X9")),
    "wrong REC code": ("episodes", _set("REC", "E99")),
    "lower-case / padded RNE": ("episodes", _set("RNE", " s")),
    "wrong ETHNIC code": ("header", _set("ETHNIC", "XXXX")),
    "wrong SEX code": ("header", _set("SEX", "9")),
    "DEC before DECOM": ("episodes", _swap("DECOM", "DEC")),
    "DEC equals DECOM": ("episodes", _copy("DECOM", "DEC")),
    "overlapping episodes": ("episodes", _overlap),
    "duplicate episode rows": ("episodes", _duplicate),
    "duplicate header rows": ("header", _duplicate),
    "missing LS": ("episodes", _set("LS", None)),
    "missing PLACE_PROVIDER": ("episodes", _set("PLACE_PROVIDER", None)),
    "missing CIN": ("episodes", _set("CIN", None)),
    "missing DOB": ("header", _set("DOB", None)),
    "missing UPN": ("header", _set("UPN", None)),
    "unreadable DECOM": ("episodes", _set("DECOM", "31/02/2024")),
    "invalid PL_POST": ("episodes", _set("PL_POST", "ZZ9 9ZZ")),
    "made-up HOME_POST": ("episodes", _set("HOME_POST", "EX24 6VY")),
    "child 19 years older": ("header", _older(19)),
    "child 6 years older": ("header", _older(6)),
    "OC2 SDQ out of range": ("oc2", _set("SDQ_SCORE", "45")),
    "OC2 bad CONVICTED": ("oc2", _set("CONVICTED", "7")),
    "OC2 score and reason": ("oc2", _set("SDQ_REASON", "SDQ1")),
    "OC3 died but activity": ("oc3", _set("IN_TOUCH", "DIED")),
    "OC3 bad ACCOM": ("oc3", _set("ACCOM", "Q9")),
    "OC3 missing ACTIV": ("oc3", _set("ACTIV", None)),
    "review before care": ("reviews", _set("REVIEW", "01/01/1990")),
    "bad REVIEW_CODE": ("reviews", _set("REVIEW_CODE", "PN9")),
    "missing spell ends before it starts": ("missing", _swap("MIS_START", "MIS_END")),
    "bad MISSING code": ("missing", _set("MISSING", "X")),
    "UASC DUC blank": ("uasc", _set("DUC", None)),
    "adoption ceased reason wrong": ("placed_for_adoption", _set("REASON_PLACED_CEASED", "E1")),
    "previous permanence bad code": ("previous_permanence", _set("PREV_PERM", "Z9")),
}

TABLE_FILES = {
    "episodes": "episodes", "header": "header", "oc2": "oc2", "oc3": "oc3", "reviews": "reviews",
    "missing": "missing", "uasc": "uasc", "placed_for_adoption": "placed_for_adoption",
    "previous_permanence": "previous_permanence",
}


def inject(source: Path, target: Path, seed: int = 1, rate: float = 0.03) -> dict[str, int]:
    """Write ``source``'s CSV files to ``target`` with faults; returns rows hit per fault."""
    rng = np.random.default_rng(seed)
    target.mkdir(parents=True, exist_ok=True)
    frames = {p.stem: pl.read_csv(p, infer_schema=False) for p in sorted(source.glob("*.csv"))}
    hits: dict[str, int] = {}
    for name, (table, fault) in FAULTS.items():
        frame = frames.get(TABLE_FILES[table])
        if frame is None or frame.height == 0:
            continue
        hit = pl.Series(rng.random(frame.height) < rate)
        hits[name] = int(hit.sum())
        frames[TABLE_FILES[table]] = fault(frame, hit)
    for stem, frame in frames.items():
        frame.write_csv(target / f"{stem}.csv", null_value="")
    return hits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.03)
    args = parser.parse_args()
    print(json.dumps(inject(args.source, args.target, args.seed, args.rate), indent=1))


if __name__ == "__main__":
    main()
