"""Wall time, end to end: ``carewise forecast`` (3 years, 1,000 runs) against the regional peer's
3-year projection of the same large synthetic council, alternating so both see the same load.

    .venv/bin/python benchmarks/peer/time_cli_forecast.py [--rounds 3] [--size 1200]

carewise is timed as a user runs it: a fresh process reading the 903 CSV files
(``carewise forecast --from DIR --runs 1000 --horizon-months 36 --json``), with and without the
backtest shown beside it; the regional model as ``run_regional_peer.py`` runs it (a fresh
process: Python start-up, reading its three files, building its stock and rates, 3 years of
daily steps). Prints each round and the medians; the machine's load average is printed too,
since a shared machine's timings move with it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import compare_forecasts as cf  # noqa: E402

CAREWISE = Path(sys.executable).parent / "carewise"


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", type=int, default=1200)
    parser.add_argument("--workdir", default="/tmp/carewise-cli-timing")
    args = parser.parse_args()
    from carewise.forecast.model import months_before
    from carewise.synth import generate_council, write_council

    work = Path(args.workdir)
    council = generate_council(args.size, cf.YEARS, seed=11)
    files = write_council(council, work / "903")
    regional = cf.write_regional_folder(council.returns, work / "regional")
    end = council.years[-1].end
    commands = {
        "carewise (no backtest)": [str(CAREWISE), "forecast", "--from", str(files), "--runs", "1000",
                                   "--horizon-months", "36", "--no-backtest", "--json"],
        "carewise (with backtest)": [str(CAREWISE), "forecast", "--from", str(files), "--runs", "1000",
                                     "--horizon-months", "36", "--json"],
    }
    if cf.REGIONAL_PYTHON.exists():
        commands["regional peer"] = [str(cf.REGIONAL_PYTHON), str(HERE / "run_regional_peer.py"), str(cf.REGIONAL_DIR),
                                     str(regional), months_before(end, 24).isoformat(), end.isoformat(),
                                     end.isoformat(), end.replace(year=end.year + 3).isoformat()]
    times: dict[str, list[float]] = {k: [] for k in commands}
    for r in range(args.rounds):
        for name, cmd in commands.items():
            times[name].append(_wall(cmd))
        print(f"round {r + 1} (load {os.getloadavg()[0]:.1f}): "
              + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True)
    print("median wall seconds: " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in times.items()))


if __name__ == "__main__":
    main()
