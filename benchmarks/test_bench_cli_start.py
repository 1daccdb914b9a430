"""Start-up of the command line as users get it (issue 13 item 7), each run a fresh process.

Goals: ``carewise --help`` under 0.3 s wall, and every command reaching its own work under 0.5 s.
A command's start is timed as ``carewise COMMAND --help``: the same start as running it (Python,
the command line's modules, building the command, parsing its options) up to where its body would
begin; the body's own imports (polars, SQLAlchemy …) are its work. Wall time depends on how busy
the machine is, so the CPU time (user + sys) and the load average are reported beside it.

Run with ``.venv/bin/pytest benchmarks/test_bench_cli_start.py -s``.
"""

from __future__ import annotations

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

SHOWN = (["--help"], ["status", "--help"], ["validate", "--help"], ["import", "--help"],
         ["forecast", "--help"], ["match", "--help"], ["users", "add", "--help"])


def run(args: list[str], exit_code: int = 0) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one fresh ``carewise ARGS`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*CAREWISE, *args], capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == exit_code, done.stderr.decode()
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def every_command() -> list[list[str]]:
    """Every command and group path, as ``carewise --help`` and the groups' help list them."""
    import typer

    from carewise.cli import app

    paths: list[list[str]] = []

    def walk(command, path: list[str]) -> None:
        paths.append(path)
        if hasattr(command, "list_commands"):
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


@pytest.mark.parametrize("args", SHOWN, ids=[" ".join(a) for a in SHOWN])
def test_bench_start(benchmark, args):
    cpu: list[float] = []

    def once() -> None:
        cpu.append(run(args)[1])

    benchmark.pedantic(once, rounds=5, iterations=1, warmup_rounds=1)
    wall = benchmark.stats.stats.median
    benchmark.extra_info.update(cpu_median_s=round(statistics.median(cpu), 3), load_average=os.getloadavg()[0])
    print(f"\ncarewise {' '.join(args)}: {wall:.3f} s wall, {statistics.median(cpu):.3f} s CPU "
          f"(load average {os.getloadavg()[0]:.1f})")


def test_bench_validate_start(benchmark, tmp_path):
    """``carewise validate FOLDER --json`` of an empty folder: a command's whole start with its
    options converted (``--help`` stops before that) and its work's imports (polars, the rules),
    then the refusal (exit 3); what every validate run costs before it reads a file."""
    cpu: list[float] = []

    def once() -> None:
        cpu.append(run(["validate", str(tmp_path), "--json"], exit_code=3)[1])

    benchmark.pedantic(once, rounds=5, iterations=1, warmup_rounds=1)
    wall = benchmark.stats.stats.median
    benchmark.extra_info.update(cpu_median_s=round(statistics.median(cpu), 3), load_average=os.getloadavg()[0])
    print(f"\ncarewise validate EMPTY --json: {wall:.3f} s wall, {statistics.median(cpu):.3f} s CPU "
          f"(load average {os.getloadavg()[0]:.1f})")


def test_bench_every_command_start(benchmark):
    """Each of the commands once: the slowest start is the one to watch."""
    paths = [[*p, "--help"] for p in every_command()]
    times: dict[str, tuple[float, float]] = {}

    def all_once() -> None:
        for args in paths:
            times[" ".join(args[:-1]) or "(root)"] = run(args)

    benchmark.pedantic(all_once, rounds=1, iterations=1)
    slowest = sorted(times.items(), key=lambda item: -item[1][0])
    benchmark.extra_info.update(commands=len(times), load_average=os.getloadavg()[0],
                                slowest={name: [round(w, 3), round(c, 3)] for name, (w, c) in slowest[:5]})
    print(f"\n{len(times)} commands, load average {os.getloadavg()[0]:.1f}; wall / CPU seconds, slowest first:")
    for name, (wall, cpu) in slowest:
        print(f"  carewise {name} --help: {wall:.3f} / {cpu:.3f}")
