"""Wall time, end to end: ``carewise forecast`` (3 years, 1,000 runs) against the regional peer's
3-year projection of the same large synthetic council, alternating so both see the same load.

    .venv/bin/python benchmarks/peer/time_cli_forecast.py [--rounds 3] [--size 1200]

carewise is timed as a user runs it: a fresh process reading the 903 CSV files
(``carewise forecast --from DIR --runs 1000 --horizon-months 36 --json``), with and without the
backtest shown beside it; the regional model as ``run_regional_peer.py`` runs it (a fresh
process: Python start-up, reading its three files, building its stock and rates, 3 years of
daily steps). Each command runs once untimed first, with Python free to write bytecode, so
neither tool pays for compiling its modules in the timed rounds (the regional model's source,
exported outside a package, had no bytecode until then: timed without it, it took 2.6 s instead
of 1.4 s, which had made carewise look faster). Prints each round and the medians of wall time, CPU time (user + system) and peak
resident memory; the machine's load average is printed too, since a shared machine's wall times
move with it (CPU time much less).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import compare_forecasts as cf  # noqa: E402

CAREWISE = Path(sys.executable).parent / "carewise"


def _timed(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MB of one fresh process (the
    last two from GNU time when it is installed, else from the kernel's account of the child,
    whose peak then includes this process's memory at the fork)."""
    time_file = Path(tempfile.mkstemp(suffix=".time")[1])
    gnu_time = Path("/usr/bin/time")
    full = [str(gnu_time), "-f", "%U %S %M", "-o", str(time_file), *cmd] if gnu_time.exists() else cmd
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as users run it
    proc = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        raise subprocess.CalledProcessError(os.waitstatus_to_exitcode(status), cmd)
    measured = time_file.read_text().split() if gnu_time.exists() else []
    time_file.unlink()
    if len(measured) == 3:
        return wall, float(measured[0]) + float(measured[1]), float(measured[2]) / 1024
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


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
    times: dict[str, list[tuple[float, float, float]]] = {k: [] for k in commands}
    for cmd in commands.values():  # untimed: each tool's modules compiled to bytecode once, as after a user's first run
        _timed(cmd)
    for r in range(args.rounds):
        for name, cmd in commands.items():
            times[name].append(_timed(cmd))
        print(f"round {r + 1} (load {os.getloadavg()[0]:.1f}): "
              + ", ".join(f"{k} {v[-1][0]:.2f} s wall / {v[-1][1]:.2f} s CPU" for k, v in times.items()), flush=True)
    for i, what in enumerate(("wall seconds", "CPU seconds", "peak resident MB")):
        print(f"median {what}: " + ", ".join(f"{k} {statistics.median(x[i] for x in v):.2f}" for k, v in times.items()))
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
