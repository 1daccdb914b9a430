"""Run the peer validator (csc-validator-be-903, PyPI 0.1.17) inside its own venv; print JSON.

    .peer/validator-venv/bin/python benchmarks/peer/run_validator_peer.py FOLDER YEAR \
        [--previous FOLDER] [--la E06000056] [--rows]

FOLDER holds one collection year's 903 CSV files (any names: the peer recognises a table by its
columns); YEAR is the collection year as carewise writes it ("2024-25"). The peer's rule set for
2024-25 is ``lac2024_25`` and its metadata ``collectionYear`` is the year the collection ends
("2025"), from which it sets collection_start 01/04/2024 and collection_end 31/03/2025 — the same
way its web front end does. ``--previous`` adds last year's files as "Prev year" uploads.

Prints {"seconds": validation (read + datastore + every rule), "import_seconds": loading the
package (its postcode and authority tables), "counts": {rule: failing rows}, "crashed": [rules
that raised], "skipped": [rules without their tables]} and with ``--rows`` also
"rows": {rule: [[table, data row (1-based), child], ...]}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from pathlib import Path

T0 = time.perf_counter()
logging.disable(logging.CRITICAL)  # the peer logs every rule at INFO; keep stdout to the JSON

from lac_validator import lac_validator  # noqa: E402
from lac_validator.rules.ruleset_utils import get_year_ruleset  # noqa: E402
from lac_validator.utils import process_uploaded_files  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - T0


def _csvs(folder: str) -> list[str]:
    return sorted(str(p) for p in Path(folder).glob("*.csv"))


def _isolated(validator, registry, codes: list[str], la: str, ends: str) -> dict[str, int]:
    """Failing rows of each rule run alone on a fresh deep copy of the datastore."""
    import copy

    from lac_validator.datastore import create_datastore

    store = create_datastore(validator.dfs, {"collectionYear": ends, "localAuthority": la})
    out: dict[str, int] = {}
    for code in codes:
        if code not in registry:
            continue
        fresh = {k: (v.copy(deep=True) if hasattr(v, "copy") and k != "metadata" else copy.copy(v))
                 for k, v in store.items()}
        try:
            with contextlib.redirect_stdout(sys.stderr):
                result = registry[code].func(fresh)
        except Exception:  # noqa: BLE001 - reported as a crash, as the peer does
            out[code] = -1
            continue
        out[code] = sum(len(set(v)) for k, v in result.items() if not k.endswith("_last"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("year", help="collection year, e.g. 2024-25")
    parser.add_argument("--previous")
    parser.add_argument("--la", default="E06000056")
    parser.add_argument("--rows", action="store_true")
    parser.add_argument(
        "--isolated",
        help="comma-separated rule codes to run again, each alone on a deep copy of the data "
        "(the peer's rules share shallow copies, so an earlier rule can change what a later one sees)",
    )
    args = parser.parse_args()

    ends = str(int(args.year[:4]) + 1)  # "2024-25" -> "2025", as the peer's metadata wants
    uploads = {"This year": _csvs(args.folder)}
    if args.previous:
        uploads["Prev year"] = _csvs(args.previous)
    registry = get_year_ruleset(ends)

    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # a few of the peer's rules print frames
        files = process_uploaded_files(uploads)
        validator = lac_validator.LacValidator(
            metadata={"collectionYear": ends, "localAuthority": args.la},
            files=files,
            registry=registry,
            selected_rules=None,
        )
    seconds = time.perf_counter() - started

    counts: dict[str, int] = {}
    rows: dict[str, list] = {}
    for table, frame in validator.ds_results.items():
        if table == "metadata" or table.endswith("_last") or not hasattr(frame, "columns"):
            continue
        for col in frame.columns:
            if not str(col).startswith("ERR_"):
                continue
            code = str(col)[4:]
            hit = frame[frame[col] == True]  # noqa: E712 (object column of True/NaN)
            if hit.empty:
                continue
            counts[code] = counts.get(code, 0) + len(hit)
            if args.rows:
                child = hit["CHILD"] if "CHILD" in hit.columns else [None] * len(hit)
                pairs = zip(hit.index, child, strict=True)
                rows.setdefault(code, []).extend(
                    [table, int(i) + 1, None if c != c else str(c)] for i, c in pairs
                )
    out = {
        "year": args.year,
        "seconds": seconds,
        "import_seconds": IMPORT_SECONDS,
        "rules": len(registry),
        "counts": dict(sorted(counts.items())),
        "crashed": sorted(validator.fails),
        "skipped": sorted(validator.skips),
    }
    if args.rows:
        out["rows"] = rows
    if args.isolated:
        out["isolated"] = _isolated(validator, registry, args.isolated.split(","), args.la, ends)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
