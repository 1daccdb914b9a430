"""Options and helpers every ``carewise`` command shares: database, council, output.

Commands print plain messages for user mistakes (``UserFacingError``) and exit
with their code; ``--json`` output is a documented contract (docs/cli-json.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from carewise.errors import UserFacingError

console = Console(stderr=True)
out = Console()

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: SQLite in the carewise data folder, or CAREWISE_DATABASE_URL)."),
]
CouncilOption = Annotated[
    str | None,
    typer.Option("--council", help="Council's ONS code, e.g. E06000056 (default: the only council stored)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable result (see docs/cli-json.md).")]


def open_store(db: str | None = None):
    from carewise.store import Store

    return Store(db)


def pick_council(store, council: str | None) -> str:
    """The council a command works on: the one named, the configured one, or the only one stored."""
    from carewise.settings import get_settings

    if council:
        return store.council(council).la_code
    configured = get_settings().council
    if configured:
        return store.council(configured).la_code
    stored = store.councils()
    if not stored:
        raise UserFacingError("nothing is stored yet: run `carewise import FOLDER` first")
    if len(stored) > 1:
        codes = ", ".join(c.la_code for c in stored)
        raise UserFacingError(f"several councils are stored ({codes}): choose one with --council")
    return stored[0].la_code


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def print_warnings(warnings: list[dict], limit: int = 20) -> None:
    """Show the first ``limit`` warnings (``Problem.as_dict()`` rows) on stderr: file, row, message
    and, when there is one, the fix, so every loading command words its warnings alike."""
    for w in warnings[:limit]:
        fix = f". {w['fix']}" if w.get("fix") else ""
        console.print(f"[yellow]Warning:[/] {w['file']}, row {w['row']}: {w['message']}{fix}")


def user_errors(fn: Callable) -> Callable:
    """Show a UserFacingError as a plain message with its exit code, not a traceback."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserFacingError as exc:
            console.print(f"[bold red]Error:[/] {exc}")
            raise typer.Exit(exc.exit_code) from None

    return wrapper


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Progress]:
    """A rich progress bar on stderr (hidden when output is not a terminal or --json is asked)."""
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled,
        transient=True,
    )
    with progress:
        yield progress
