"""Speed as users get it (issue 13 item 7): the commands end to end, not the engine.

* ``carewise --help`` and each command's ``--help`` (the CLI's start-up: lazy imports);
* ``carewise validate YEAR --previous LAST_YEAR --la E06000056 --json`` of a large synthetic
  council, three years, each as its own fresh process (Python start-up and imports included),
  side by side in one run with the peer validator (csc-validator-be-903 0.1.17 from PyPI, in its
  own venv: run ``bash benchmarks/peer/setup_validator_peer.sh``, which creates the git-ignored
  ``.peer/validator-venv``; the peer part is skipped when it is absent). The peer's own
  ``python -m lac_validator run-offline`` fixes the collection year (2022-23), the council and
  the file names and takes no previous year, so the peer runs as its web front end does, through
  ``benchmarks/peer/run_validator_peer.py`` in its venv: a fresh process reading the same folders
  (this year's and last year's CSVs) and running every rule of the year.

Both sides run with their bytecode compiled (a warm-up run each; PYTHONDONTWRITEBYTECODE is
removed from their environment) and carewise's postcode cache built, as an installed program
runs. Each year is timed carewise, peer, carewise, carewise (the median of carewise's three), so
load from other work hits both sides alike. Wall seconds and CPU seconds (user + sys of the
process and its children) are printed per year with the load average, then the ratio.

Run with ``pytest benchmarks/test_bench_validate_cli.py -s -p no:cacheprovider``. Goals: --help
under 0.3 s, every command starting under 0.5 s, one large-council year under 1 s wall, three
years at least 20x faster than the peer.
"""

from __future__ import annotations

import json
import os
import resource
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
GOAL = 20.0
"""Three years of a large council at least this many times faster than the peer (issue 13)."""


def _environment(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["CAREWISE_DATA_DIR"] = str(tmp)  # carewise's own data folder (its postcode cache)
    return env


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds user + sys, the finished process) of ``command`` as a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, env=env)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, done


def wall(command: list[str], runs: int = 3, env: dict[str, str] | None = None) -> float:
    """Median wall seconds of running ``command`` as its own process."""
    return statistics.median(run(command, env)[0] for _ in range(runs))


def test_cli_start_up(tmp_path):
    env = _environment(tmp_path)
    run([*CAREWISE, "--help"], env)  # bytecode written once, as an installed program has it
    shown = {"--help": wall([*CAREWISE, "--help"], runs=5, env=env)}
    for command in ("import", "validate", "status", "pack", "forecast", "match"):
        shown[f"{command} --help"] = wall([*CAREWISE, command, "--help"], env=env)
    for name, seconds in shown.items():
        print(f"carewise {name}: {seconds:.2f} s")
    assert all(seconds > 0 for seconds in shown.values())


def test_validate_three_years_against_the_peer(large_council_dir, tmp_path):
    years = sorted(p for p in large_council_dir.iterdir() if p.is_dir())[-4:]
    pairs = list(zip(years[:-1], years[1:], strict=True))  # (previous, year) for the last three years
    env = _environment(tmp_path)
    peer_python = PEER_VENV / "bin" / "python"
    has_peer = peer_python.exists()

    def ours(previous: Path, year: Path) -> tuple[float, float, subprocess.CompletedProcess]:
        return run([*CAREWISE, "validate", str(year), "--previous", str(previous), "--la", "E06000056", "--json"],
                   env)

    def theirs(previous: Path, year: Path) -> tuple[float, float, subprocess.CompletedProcess]:
        return run([str(peer_python), str(PEER_RUNNER), str(year), year.name, "--previous", str(previous),
                    "--la", "E06000056"], env)

    ours(*pairs[0])  # warm-up: bytecode and the postcode cache
    if has_peer:
        run([str(peer_python), "-c", "import lac_validator.lac_validator, lac_validator.utils"], env)
    rows = []
    for previous, year in pairs:
        first = ours(previous, year)
        peer = theirs(previous, year) if has_peer else None
        rest = [ours(previous, year) for _ in range(2)]
        mine = sorted([first, *rest], key=lambda r: r[0])[1]  # the median by wall time
        result = json.loads(mine[2].stdout)
        assert result["rules_run"] > 200, "carewise did not run the year's rules"
        row = {"year": year.name, "load": round(os.getloadavg()[0], 1),
               "carewise_wall": round(mine[0], 2), "carewise_cpu": round(mine[1], 2),
               "carewise_errors": len(result["errors"])}
        if peer is not None:
            found = json.loads(peer[2].stdout)
            assert found["year"] == year.name and found["rules"] > 200, "the peer did not run the year's rules"
            row.update(peer_wall=round(peer[0], 2), peer_cpu=round(peer[1], 2),
                       peer_failing_rows=sum(n for n in found["counts"].values()))
        rows.append(row)
        print(json.dumps(row))
    if not has_peer:
        pytest.skip(f"the peer validator's venv {PEER_VENV} is absent: run bash benchmarks/peer/setup_validator_peer.sh")
    totals = {k: sum(r[k] for r in rows) for k in ("carewise_wall", "carewise_cpu", "peer_wall", "peer_cpu")}
    ratio = totals["peer_wall"] / totals["carewise_wall"]
    cpu_ratio = totals["peer_cpu"] / totals["carewise_cpu"]
    print(f"three years, fresh processes, same run: carewise {totals['carewise_wall']:.2f} s wall "
          f"({totals['carewise_cpu']:.2f} s CPU), peer {totals['peer_wall']:.2f} s wall "
          f"({totals['peer_cpu']:.2f} s CPU): carewise {ratio:.1f}x faster by wall time, {cpu_ratio:.1f}x by CPU "
          f"(goal {GOAL:.0f}x: {'met' if ratio >= GOAL else 'NOT met'})")
    print(json.dumps({"years": rows, "ratio_wall": round(ratio, 1), "ratio_cpu": round(cpu_ratio, 1)}))
    assert ratio > 1
