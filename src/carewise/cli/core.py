"""``carewise import`` and ``carewise status``: bring 903 returns in, see what is stored."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from carewise.cli.common import (
    CouncilOption,
    DbOption,
    JsonOption,
    console,
    few_collections,
    open_store,
    out,
    pick_council,
    print_json,
    progress_bar,
    user_errors,
)
from carewise.errors import BadInputError, UserFacingError
from carewise.ingest.problems import Severity

COUNCIL_FILE = "carewise-council.json"


def _council_from_files(paths: list[Path]) -> dict[str, Any] | None:
    """A ``carewise-council.json`` beside the files (written by ``carewise synth``) names the council."""
    for path in paths:
        folder = path if path.is_dir() else path.parent
        for candidate in (folder / COUNCIL_FILE, folder.parent / COUNCIL_FILE):
            if candidate.is_file():
                try:
                    data = json.loads(candidate.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(data, dict) and data.get("la_code"):
                    return data
    return None


def _print_problems(problems, limit: int = 40) -> None:
    for p in problems[:limit]:
        colour = "red" if p.severity == Severity.ERROR else "yellow"
        console.print(f"[{colour}]{p.severity}[/] {p.describe()}")
    if len(problems) > limit:
        console.print(f"… and {len(problems) - limit} more problems")


@user_errors
@few_collections()  # the command's many small objects: see cli.common.few_collections
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Year folders, a folder of year folders, or 903 files.")],
    year: Annotated[str | None, typer.Option(help="Collection year, e.g. 2024-25 (default: from names or dates).")] = None,
    council: Annotated[str | None, typer.Option(
        "--council", help="Council's ONS code, e.g. E06000056 (needed unless a carewise-council.json beside "
        "the files or the CAREWISE_COUNCIL setting names it).")] = None,
    council_name: Annotated[str | None, typer.Option(help="The council's name, when first imported.")] = None,
    validate: Annotated[bool, typer.Option(help="Run the DfE validation rules and record the summary.")] = True,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace stored years even when the files change much of them.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read 903 CSV/XML files (one or many collection years) and store them.

    Each year is stored as an import batch; a year imported again replaces the
    stored one, showing the children added, removed and changed (more than a tenth
    changed needs --replace). If any file cannot be read, nothing is stored.
    """
    from rich.table import Table

    from carewise.importing import ReplaceNeededError, import_paths

    info = _council_from_files(paths) or {}
    la_code = council or info.get("la_code")
    if not la_code:
        from carewise.settings import get_settings

        la_code = get_settings().council
    if not la_code:
        raise UserFacingError("say which council these returns belong to with --council E06000056 (its ONS code)")
    from carewise.geo.authorities import la_code_for

    la_code = la_code_for(la_code)
    from carewise.cli.common import use_postcode_cache

    use_postcode_cache()
    store = open_store(db)
    with progress_bar(enabled=not as_json) as progress:
        reading = progress.add_task("Reading and checking files", total=None)
        storing = progress.add_task("Storing", total=None, visible=False)
        try:
            outcome = import_paths(
                store, paths, la_code=la_code, year=year, council_name=council_name or info.get("la_name"),
                synthetic=bool(info.get("synthetic", False)), validate=validate, replace=replace,
                read_progress=lambda _name: progress.advance(reading),
                store_progress=lambda _name, rows: progress.update(storing, visible=True, advance=rows),
            )
        except ReplaceNeededError as exc:
            if not as_json:
                raise
            print_json({"stored": False, "needs_replace": True,
                        "changes": {str(c.year): c.as_json() for c in exc.changes}, "problems": []})
            raise typer.Exit(exc.exit_code) from None
    result = outcome.read
    errors = result.errors
    warnings = [p for p in result.problems if p.severity == Severity.WARNING]
    if not outcome.stored:
        if as_json:
            print_json({"stored": False, "problems": [p.as_dict() for p in result.problems]})
        else:
            _print_problems(errors + warnings)
            console.print("[bold red]Nothing was stored.[/] Fix the files above and import again.")
        raise typer.Exit(BadInputError.exit_code)
    summary = outcome.summary()
    if as_json:
        print_json({"stored": True, "council": la_code, "years": summary,
                    "conflicts": outcome.conflicts, "problems": [p.as_dict() for p in result.problems]})
        return
    _print_problems(warnings)
    table = Table(title=f"Imported for {la_code}")
    for col in ("Collection year", "Children", "Episodes", "Rows", "Rule errors"):
        table.add_column(col, justify="right" if col != "Collection year" else "left")
    for label, data in summary.items():
        errors_found = (data.get("validation") or {}).get("errors")
        table.add_row(label, f"{data['children']:,}", f"{data['episodes']:,}",
                      f"{sum(data['tables'].values()):,}", "—" if errors_found is None else f"{errors_found:,}")
    out.print(table)
    for change in outcome.changes:
        out.print(f"Replaced the stored {change.describe()}.")
    if outcome.conflicts:
        out.print(f"{outcome.conflicts:,} differences between collection years were found; the later return "
                  "was used. See them with `carewise conflicts`.")


@user_errors
def conflicts(council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """List where stored collection years disagree about a child (the later return is used)."""
    from rich.table import Table

    store = open_store(db)
    la_code = pick_council(store, council)
    frame = store.load_history(la_code).conflicts
    if as_json:
        print_json({"council": la_code, "conflicts": frame.to_dicts()})
        return
    if frame.height == 0:
        out.print("The stored collection years agree with each other.")
        return
    table = Table(title=f"{frame.height:,} differences between collection years (the later return is used)")
    for col in ("Child", "Table", "Row key", "Column", "Earlier year", "Earlier value", "Later year", "Later value"):
        table.add_column(col)
    for row in frame.head(500).iter_rows():
        table.add_row(*[("" if v is None else str(v)) for v in row])
    out.print(table)
    if frame.height > 500:
        out.print(f"… and {frame.height - 500:,} more; use --json for them all.")


@user_errors
def status(council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show what is stored: per collection year, children, episodes and rows per table."""
    from rich.table import Table

    store = open_store(db)
    if not store.councils():
        if as_json:
            print_json({"council": None, "years": {}})
        else:
            out.print("Nothing is stored yet. Run `carewise synth` then `carewise import`, or import your 903 files.")
        return
    la_code = pick_council(store, council)
    data = store.status(la_code)
    if as_json:
        print_json(data)
        return
    c = data["council"]
    table = Table(title=f"{c['name']} ({c['la_code']})" + (" — synthetic data" if c["synthetic"] else ""))
    for col in ("Collection year", "Children", "Episodes", "Tables", "Imported", "By"):
        table.add_column(col)
    for label, y in data["years"].items():
        table.add_row(label, f"{y['children']:,}", f"{y['episodes']:,}", str(len(y["tables"])),
                      y["imported_at"][:16].replace("T", " "), y["imported_by"])
    out.print(table)
