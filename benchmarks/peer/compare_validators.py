"""Run carewise and the peer validator on the same 903 folder; list the rules whose results differ.

    .venv/bin/python benchmarks/peer/compare_validators.py FOLDER YEAR [--previous FOLDER]
        [--la E06000056] [--json OUT]

The peer runs in its own venv (benchmarks/peer/setup_validator_peer.sh) through
run_validator_peer.py. Rows are compared as (table, data row) per rule; the peer's own integrity
checks (INT*, EPI, NoE) are left out, as they are not DfE rules.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from carewise.returns.tables import TABLES
from carewise.returns.years import CollectionYear
from carewise.validate import validate_paths
from carewise.validate.engine import dfe_codes

PEER_VENV = Path(os.environ.get("PEER_VALIDATOR_VENV", Path(__file__).resolve().parents[2] / ".peer" / "validator-venv"))
RUNNER = Path(__file__).with_name("run_validator_peer.py")
_PEER_TABLES = {spec.dfe_name: name for name, spec in TABLES.items()}
_PEER_TABLES["SWEpisodes"] = "social_worker_episodes"


def peer_available() -> bool:
    return (PEER_VENV / "bin" / "python").exists()


def run_peer(folder: Path, year: str, previous: Path | None = None, la: str = "E06000056",
             rows: bool = True, isolated: list[str] | None = None) -> dict:
    """The peer's JSON for one year's folder (see run_validator_peer.py)."""
    cmd = [str(PEER_VENV / "bin" / "python"), str(RUNNER), str(folder), year, "--la", la]
    if previous is not None:
        cmd += ["--previous", str(previous)]
    if rows:
        cmd.append("--rows")
    if isolated:
        cmd += ["--isolated", ",".join(isolated)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peer_rule(code: str) -> bool:
    return not (code.startswith("INT") or code in {"EPI", "NoE"})


@dataclass
class Comparison:
    year: str
    carewise_seconds: float
    peer_seconds: float
    carewise: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    peer: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    peer_crashed: list[str] = field(default_factory=list)
    carewise_skipped: dict[str, str] = field(default_factory=dict)
    peer_skipped: list[str] = field(default_factory=list)
    peer_alone: dict[str, int] = field(default_factory=dict)
    """Failing rows of each peer rule run alone on its own copy of the data."""

    def differing(self) -> dict[str, dict]:
        """Rule → counts and the rows only one side flags, for every rule where they differ."""
        out = {}
        for code in sorted(set(self.carewise) | set(self.peer)):
            ours, theirs = self.carewise.get(code, set()), self.peer.get(code, set())
            if ours == theirs:
                continue
            out[code] = {
                "carewise": len(ours),
                "peer": len(theirs),
                "only_carewise": sorted(ours - theirs)[:5],
                "only_peer": sorted(theirs - ours)[:5],
                "carewise_skipped": self.carewise_skipped.get(code),
                "peer_crashed": code in self.peer_crashed,
                "peer_alone": self.peer_alone.get(code),
            }
        return out

    def agreeing(self) -> list[str]:
        both = set(self.carewise) & set(self.peer)
        return sorted(c for c in both if self.carewise[c] == self.peer[c])


def compare(folder: Path, year: str, previous: Path | None = None, la: str = "E06000056"
            ) -> Comparison:
    ours = validate_paths(folder, year=year, previous=previous, la_code=la)
    if not ours.readable:
        raise SystemExit(f"carewise could not read {folder}: {[p.message for p in ours.problems]}")
    theirs = run_peer(folder, year, previous, la, isolated=sorted(dfe_codes(CollectionYear.parse(year))))
    cmp = Comparison(year, ours.seconds, theirs["seconds"])
    for e in ours.errors:
        cmp.carewise.setdefault(e.rule, set()).add((e.table, e.row))
    for code, hits in theirs.get("rows", {}).items():
        if _peer_rule(code):
            for table, row, _child in hits:
                cmp.peer.setdefault(code, set()).add((_PEER_TABLES.get(table, table), row))
    cmp.peer_crashed = theirs["crashed"]
    cmp.peer_skipped = theirs["skipped"]
    cmp.peer_alone = theirs.get("isolated", {})
    cmp.carewise_skipped = {s.rule: s.reason for s in ours.skipped}
    return cmp


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("year")
    parser.add_argument("--previous", type=Path)
    parser.add_argument("--la", default="E06000056")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not peer_available():
        sys.exit(f"the peer validator's venv {PEER_VENV} is absent: "
                 "run bash benchmarks/peer/setup_validator_peer.sh")
    cmp = compare(args.folder, args.year, args.previous, args.la)
    diff = cmp.differing()
    report = {
        "year": cmp.year,
        "carewise_seconds": round(cmp.carewise_seconds, 3),
        "peer_seconds": round(cmp.peer_seconds, 3),
        "agreeing_rules_with_errors": cmp.agreeing(),
        "peer_crashed": cmp.peer_crashed,
        "differing": diff,
    }
    text = json.dumps(report, indent=1, default=list)
    if args.json:
        args.json.write_text(text + "\n")
    for code, d in diff.items():
        print(f"{code:>9} carewise {d['carewise']:>6} peer {d['peer']:>6} (alone {d['peer_alone']})"
              f"{'  (carewise skipped)' if d['carewise_skipped'] else ''}"
              f"{'  (peer crashed)' if d['peer_crashed'] else ''}")
    print(f"agree on {len(cmp.agreeing())} rules with errors; differ on {len(diff)}; "
          f"carewise {cmp.carewise_seconds:.2f} s, peer {cmp.peer_seconds:.2f} s")


if __name__ == "__main__":
    main()
