"""``carewise validate FILES`` run as the ``carewise`` script ends the process as soon as its output
is flushed (``cli.common.leave_at_once``, ``cli.main``): the output, report and exit code are what
the command gives in-process, for a clean return (0), rule errors (1) and unreadable files (3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carewise.cli import app


def _script(args: list[str], data: Path) -> subprocess.CompletedProcess:
    """``python -m carewise ARGS`` in a fresh process (``cli.main``, as the ``carewise`` script)."""
    env = {**os.environ, "CAREWISE_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "carewise", *args], capture_output=True, text=True, env=env,
                          check=False)


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Path:
    """Two years of a small synthetic council; 2024-25 with a placement code DfE does not know."""
    import polars as pl

    from carewise.synth import generate_council, write_council

    out = write_council(generate_council(40, "2023-24..2024-25", seed=5), tmp_path_factory.mktemp("council"))
    episodes = pl.read_csv(out / "2024-25" / "episodes.csv", infer_schema=False)
    faulty = out / "faulty"
    faulty.mkdir()
    for f in (out / "2024-25").iterdir():
        (faulty / f.name).write_bytes(f.read_bytes())
    episodes.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("ZZ")).otherwise(pl.col("PLACE"))
                          .alias("PLACE")).write_csv(faulty / "episodes.csv", null_value="")
    return out


@pytest.mark.parametrize(("folder", "code"), [("2024-25", 0), ("faulty", 1), ("nowhere", 3)])
def test_the_script_gives_what_the_command_gives(council, tmp_path, folder, code):
    args = ["validate", str(council / folder), "--previous", str(council / "2023-24"), "--year", "2024-25"]
    for extra in (["--json"], []):
        in_process = CliRunner().invoke(app, [*args, *extra])
        script = _script([*args, *extra], tmp_path / "data")
        assert (in_process.exit_code, script.returncode) == (code, code), script.stderr
        if extra:
            assert script.stdout == in_process.stdout  # the whole JSON, flushed before the end
        else:
            assert script.stdout.strip() and script.stdout.splitlines()[0] in in_process.output


def test_a_report_is_complete_when_the_script_ends(council, tmp_path):
    report = tmp_path / "report.csv"
    done = _script(["validate", str(council / "faulty"), "--year", "2024-25", "--out", str(report)], tmp_path / "d")
    assert done.returncode == 1, done.stderr
    expected = tmp_path / "expected.csv"
    CliRunner().invoke(app, ["validate", str(council / "faulty"), "--year", "2024-25", "--out", str(expected)])
    assert report.read_bytes() == expected.read_bytes()


def test_forecast_of_files_gives_what_the_command_gives(council, tmp_path):
    """``carewise forecast --from FOLDER`` leaves at once too: the whole JSON, the text and the fan
    chart are written before the end, and files with nothing to read still refuse with 3."""
    args = ["forecast", "--from", str(council / "2023-24"), "--from", str(council / "2024-25"), "--runs", "40",
            "--horizon-months", "6", "--no-backtest"]
    for extra in (["--json"], []):
        in_process = CliRunner().invoke(app, [*args, *extra, "--svg", str(tmp_path / "in.svg")])
        script = _script([*args, *extra, "--svg", str(tmp_path / "script.svg")], tmp_path / "data")
        assert (in_process.exit_code, script.returncode) == (0, 0), script.stderr
        assert script.stdout == in_process.stdout
        assert (tmp_path / "script.svg").read_text() == (tmp_path / "in.svg").read_text()
    refused = _script(["forecast", "--from", str(council / "nowhere"), "--json"], tmp_path / "data")
    assert refused.returncode == 3 and "No 903 return could be read" in refused.stderr
