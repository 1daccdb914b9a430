"""Options and helpers every ``carewise`` command shares: database, council, output.

Commands print plain messages for user mistakes (``UserFacingError``) and exit
with their code; ``--json`` output is a documented contract (docs/cli-json.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from carewise.errors import UserFacingError

if TYPE_CHECKING:
    from rich.console import Console


class _FirstUse:
    """A rich ``Console`` made when a command first prints, so that ``carewise --help`` and a
    command's start do not import rich (issue 13 item 7); every later print uses the same one."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


console = cast("Console", _FirstUse(stderr=True))
"""Messages, warnings and progress bars (stderr)."""
out = cast("Console", _FirstUse(stderr=False))
"""Results (stdout)."""

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: SQLite in the carewise data folder, or CAREWISE_DATABASE_URL)."),
]
CouncilOption = Annotated[
    str | None,
    typer.Option("--council", help="Council: ONS code (E08000035), DfE number (383) or name (Leeds); "
                 "default: the configured council, else the only one stored."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable result (see docs/cli-json.md).")]


def open_store(db: str | None = None):
    from carewise.store import Store

    return Store(db)


def use_postcode_cache() -> None:
    """Validation keeps its copies of the postcode directory in the configured data folder's
    ``cache`` (the validation engine takes the folder as an argument). The folder is read from the
    environment without the settings model (``carewise.folders``), which ``validate`` never needs."""
    from carewise.folders import data_dir
    from carewise.validate.postcodes import use_cache_folder

    use_cache_folder(data_dir() / "cache")


def pick_council(store, council: str | None, *, among: list[str] | None = None, stored: bool = True,
                 nothing: str = "nothing is stored yet: run `carewise import FOLDER` first") -> str:
    """The council a command works on, chosen the same way by every command: the one named with
    ``--council`` (ONS code, DfE number or name, resolved by ``geo.la_code_for``), else the
    configured one, else the only one stored.

    ``among``: the councils a default is chosen from (default: every council in the store, e.g.
    those with a market); ``stored``: the named council must already be in the store;
    ``nothing``: what to say when there is no council to choose.
    """
    from carewise.settings import get_settings

    named = (council or get_settings().council or "").strip()
    if named:
        code = resolve_council(named, [c.la_code for c in store.councils()])
        if stored:
            store.council(code)  # NotFoundError saying what to import first
        return code
    candidates = among if among is not None else [c.la_code for c in store.councils()]
    if not candidates:
        raise UserFacingError(nothing)
    if len(candidates) > 1:
        raise UserFacingError(f"several councils are stored ({', '.join(candidates)}): choose one with "
                              "--council (ONS code, DfE number or name)")
    return candidates[0]


def resolve_council(value: str, known: Iterable[str] = ()) -> str:
    """A council's code from what a user typed: a code in ``known`` (councils held) as given, else
    the registry's reading of an ONS code, DfE number or name (``geo.la_code_for``)."""
    from carewise.geo import la_code_for

    text = value.strip()
    return text if text in set(known) else la_code_for(text)


def print_json(data: Any, plain: bool = False) -> None:
    """``data`` as indented JSON on stdout (``--json``).

    ``plain``: the caller guarantees ``data`` holds only text, whole numbers, booleans, None, and
    lists and dicts with text keys (``validate --json``, thousands of rule errors). orjson then
    writes it about ten times faster than json's indenting encoder (0.1 s for a return with 7,600
    errors), byte for byte as json writes such data; anything orjson refuses (a lone surrogate, an
    integer over 64 bits) is written by json. Floats, NaN and plain enums are written differently
    by the two, so other data always goes through json.
    """
    if plain:
        import orjson

        try:
            # (the passthrough options make orjson refuse what json would write with str())
            options = (orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_SUBCLASS
                       | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)
            sys.stdout.write(orjson.dumps(data, option=options).decode())
            return
        except TypeError:  # orjson.JSONEncodeError: not plain after all
            pass
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def print_warnings(warnings: list[dict], limit: int = 20) -> None:
    """Show the first ``limit`` warnings (``Problem.as_dict()`` rows) on stderr: file, row, message
    and, when there is one, the fix, so every loading command words its warnings alike."""
    for w in warnings[:limit]:
        fix = f". {w['fix']}" if w.get("fix") else ""
        console.print(f"[yellow]Warning:[/] {w['file']}, row {w['row']}: {w['message']}{fix}")


def load_extract_files(files: list[Path], council: str | None, db: str | None, as_json: bool,
                       read: Callable[[list[Path]], list[Any]],
                       keep: Callable[[Any, str, list[Any]], list[Any]]) -> None:
    """``extracts load`` and ``voice load``: read the files with the one extract reader (``read``),
    store them in one transaction (``keep``: every file lands, or none does) and say what was
    loaded (``store.extract_batches.ExtractBatch`` records) and the warnings, alike for both."""
    store = open_store(db)
    la = pick_council(store, council)
    reads = read(files)
    batches = keep(store, la, reads)
    warnings = [p.as_dict() for r in reads for p in r.problems]
    if as_json:
        print_json({"council": la, "loaded": [b.as_dict() for b in batches], "warnings": warnings})
        return
    for b in batches:
        out.print(f"Loaded {b.kind}: {b.rows:,} rows from {b.file}"
                  + (f" ({b.covers_from:%d/%m/%Y} to {b.covers_to:%d/%m/%Y})" if b.covers_from and b.covers_to else ""))
    print_warnings(warnings)


def print_templates(written: list[Path], folder: Path, as_json: bool) -> None:
    """What ``extracts template`` and ``voice template`` wrote."""
    if as_json:
        print_json({"written": [str(p) for p in written]})
        return
    out.print(f"Wrote {len(written)} templates to {folder}")


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


_LEAVE_AT_ONCE = False


def leave_at_once(yes: bool = True) -> None:
    """Say this command leaves nothing to clean up (no database, no worker, no temporary file):
    the ``carewise`` script then ends the process as soon as its output is flushed, without
    Python's shutdown (freeing every module and polars' memory took 0.05-0.15 s of a one-second
    ``validate``). Commands run in-process (tests, ``CliRunner``) are not affected."""
    global _LEAVE_AT_ONCE
    _LEAVE_AT_ONCE = yes


def leaving_at_once() -> bool:
    """Whether the command that ran said :func:`leave_at_once`."""
    return _LEAVE_AT_ONCE


@contextmanager
def few_collections(young: int = 50_000) -> Iterator[None]:
    """Python's cycle collector run rarely while a command works through many small objects.

    By default it runs every 700 new objects and, now and then, looks through every object the
    imports made (polars, the rules: 0.05-0.1 s of a ``validate`` with thousands of errors). Nearly
    all a command's objects are freed by reference counting, not by the collector, so it is left for
    ``young`` new objects, and the objects made so far (the command line's modules) are set aside
    (``gc.freeze``). Both are undone afterwards.
    """
    import gc

    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr (hidden when output is not a terminal or --json is asked)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=cast(_FirstUse, console).real(),
        disable=not enabled,
        transient=True,
    )
    with progress:
        yield progress
