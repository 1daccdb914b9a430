"""Validation speed: every DfE rule over one year of a large synthetic council.

Goal: well under a second per year (the open-source peer validator takes ~20 s per year of a
large council on this machine, so carewise must stay at least 20 times faster). Run with
``pytest benchmarks/test_bench_validate.py --benchmark-only``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from carewise.ingest import read_returns
from carewise.validate import validate_paths, validate_returns

PEER_SECONDS_PER_YEAR = 20.0
PEER_VENV = Path(os.environ.get("PEER_VALIDATOR_VENV", Path(__file__).resolve().parents[1] / ".peer" / "validator-venv"))
PEER_RUNNER = Path(__file__).parent / "peer" / "run_validator_peer.py"


@pytest.fixture(scope="module")
def large_returns(large_council_dir):
    read = read_returns([large_council_dir])
    assert not read.errors
    return read.returns


def test_validate_one_year_of_a_large_council(benchmark, large_returns):
    latest = max(large_returns)
    validate_returns(large_returns, latest, la_code="E06000056")  # warm the postcode cache once
    result = benchmark.pedantic(
        validate_returns, args=(large_returns, latest), kwargs={"la_code": "E06000056"}, rounds=5
    )
    assert not result.internal_errors
    benchmark.extra_info["rules_run"] = result.rules_run
    benchmark.extra_info["errors"] = len(result.errors)
    benchmark.extra_info["children"] = large_returns[latest].children
    assert benchmark.stats.stats.median < PEER_SECONDS_PER_YEAR / 20


def test_read_and_validate_a_year_folder(benchmark, large_council_dir):
    """What `carewise validate FOLDER` does: read the CSV files, then run every rule."""
    folder = sorted(p for p in large_council_dir.iterdir() if p.is_dir())[-1]
    result = benchmark.pedantic(validate_paths, args=(folder,), rounds=3)
    assert result.readable


def test_carewise_against_the_peer_validator(benchmark, large_council_dir):
    """Same large council year, same machine, same run: carewise must be at least 20x faster.

    Both sides read the year's CSV files and run every rule of the year. The peer
    (csc-validator-be-903) runs in its own venv (bash benchmarks/peer/setup_validator_peer.sh);
    its time excludes importing the package, as carewise's excludes importing carewise.
    """
    if not (PEER_VENV / "bin" / "python").exists():
        pytest.skip(
            f"the peer validator's venv {PEER_VENV} is absent: "
            "run bash benchmarks/peer/setup_validator_peer.sh to compare speeds"
        )
    folder = sorted(p for p in large_council_dir.iterdir() if p.is_dir())[-1]
    previous = sorted(p for p in large_council_dir.iterdir() if p.is_dir())[-2]
    started = time.perf_counter()
    done = subprocess.run(
        [str(PEER_VENV / "bin" / "python"), str(PEER_RUNNER), str(folder), folder.name,
         "--previous", str(previous)],
        capture_output=True, text=True, check=True,
    )
    peer = json.loads(done.stdout.strip().splitlines()[-1])
    wall = time.perf_counter() - started
    validate_paths(folder, previous=previous, la_code="E06000056")  # warm the postcode cache once
    result = benchmark.pedantic(
        validate_paths, args=(folder,), kwargs={"previous": previous, "la_code": "E06000056"},
        rounds=3,
    )
    ours = benchmark.stats.stats.median
    ratio = peer["seconds"] / ours
    benchmark.extra_info.update(
        peer_seconds=round(peer["seconds"], 2), peer_wall_seconds=round(wall, 2),
        peer_rules=peer["rules"], carewise_seconds=round(ours, 3), ratio=round(ratio, 1),
        carewise_rules_run=result.rules_run,
    )
    print(f"\npeer {peer['seconds']:.2f} s, carewise {ours:.3f} s: carewise {ratio:.1f}x faster")
    assert ratio >= 20
