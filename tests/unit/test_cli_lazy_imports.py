"""The command line starts without its heavy libraries (issue 13 item 7): they are imported by the
commands that use them, so `carewise --help` and every command start quickly. Not a timing test:
it checks which modules were loaded (the times are in benchmarks/test_bench_cli_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("polars", "sqlalchemy", "numpy", "pandas", "weasyprint", "fastapi", "altair", "lxml", "scipy",
         "highspy", "dask", "distributed", "xlsxwriter", "jinja2", "pydantic_settings", "uvicorn", "httpx",
         "pyarrow")
RICH_HELP = ("rich", "markdown_it", "pygments")
"""Only commands print with rich; typer's rich help (markdown, tracebacks) is not used."""
PYDANTIC = ("pydantic",)
"""typer (0.29) converts a command's options with pydantic; carewise's commands convert the plain
ones without it (``cli.quick_options``), so no --help and no command's start loads it."""


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nimport json; print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_building_the_command_line_loads_no_heavy_library():
    assert loaded_after("import carewise.cli") & {*HEAVY, *RICH_HELP, *PYDANTIC} == set()


def test_help_loads_no_heavy_library():
    code = "from carewise.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    assert loaded_after(code) & {*HEAVY, *RICH_HELP, *PYDANTIC} == set()


def test_every_commands_help_loads_no_heavy_library():
    """Each command's and group's --help, one after another in one process: none loads a heavy
    library or rich, so none was imported at the top of a command module."""
    code = """
import io, contextlib
import typer.main
from carewise.cli import app

root = typer.main.get_command(app)
paths = []
def walk(command, path):
    paths.append(path)
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in command.list_commands(ctx):
            walk(command.get_command(ctx, name), [*path, name])
walk(root, [])
assert len(paths) > 40, paths
for path in paths:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            app([*path, "--help"])
        except SystemExit as exc:
            assert exc.code == 0, path
"""
    assert loaded_after(code) & {*HEAVY, *RICH_HELP, *PYDANTIC} == set()


def test_commands_still_print_with_rich():
    from rich.console import Console

    from carewise.cli.common import console, out, progress_bar

    assert isinstance(console.real(), Console) and console.real().stderr  # type: ignore[attr-defined]
    assert isinstance(out.real(), Console) and not out.real().stderr  # type: ignore[attr-defined]
    assert console.real() is console.real()  # type: ignore[attr-defined]
    with progress_bar(enabled=False) as bar:
        task = bar.add_task("Working", total=2)
        bar.advance(task)
        assert bar.tasks[0].completed == 1


def test_the_package_faces_still_give_their_names():
    loaded = loaded_after("import carewise\nimport carewise.ingest\nimport carewise.store")
    assert loaded & set(HEAVY) == set()
    import carewise
    import carewise.ingest

    assert carewise.Store.__name__ == "Store" and carewise.ingest.read_returns.__name__ == "read_returns"
