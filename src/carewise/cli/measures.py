"""``carewise measures`` and ``carewise pack``: figures for a period, and the panel pack."""

from pathlib import Path
from typing import Annotated

import typer

from carewise.cli.common import (
    CouncilOption,
    DbOption,
    JsonOption,
    console,
    open_store,
    out,
    print_json,
    progress_bar,
    user_errors,
)
from carewise.errors import UserFacingError

PeriodOption = Annotated[
    str,
    typer.Option(
        "--period",
        help="2024-25 (collection year), 2025-Q1 (April-June 2025), rolling-12m:2025-03-31, or a date 2025-03-31.",
    ),
]
AudienceOption = Annotated[
    str,
    typer.Option(
        "--audience",
        help="internal (all figures), panel or public (counts under 5 and figures revealing them shown as x).",
    ),
]
FilesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--files",
        help="Read 903 files or year folders directly instead of the database (repeatable).",
    ),
]


def load_history(db: str | None, council: str | None, files: list[Path] | None):
    """The council's stitched history and its code: from files given, else from the store."""
    from carewise.history import stitch

    if files:
        from carewise.cli.core import _council_from_files
        from carewise.ingest import read_returns

        result = read_returns(files)
        if not result.returns:
            raise UserFacingError("no 903 files were found in the paths given to --files")
        found = _council_from_files(list(files)) or {}
        from carewise.geo import la_code_for

        return stitch(result.returns), la_code_for(council) if council else found.get("la_code")
    from carewise.cli.common import open_store, pick_council

    store = open_store(db)
    la_code = pick_council(store, council)
    return store.load_history(la_code), la_code


def _fmt(value: float | None, suppressed: bool) -> str:
    if value is None:
        return "x" if suppressed else "–"
    return f"{value:,.1f}" if value % 1 else f"{value:,.0f}"


@user_errors
def measures(
    period: PeriodOption,
    council: CouncilOption = None,
    db: DbOption = None,
    audience: AudienceOption = "internal",
    files: FilesOption = None,
    json_: JsonOption = False,
) -> None:
    """Every measure for a period, with its numerator, denominator and breakdowns."""
    from rich.table import Table

    from carewise.disclosure import current
    from carewise.measures import Options, evaluate

    history, la_code = load_history(db, council, files)
    results = evaluate(history, period, la_code, audience, options=Options(disclosure=current()))
    if json_:
        print_json(
            {
                "la_code": la_code,
                "period": results[0].period.as_dict() if results else None,
                "audience": audience,
                "measures": [r.as_dict() for r in results],
            }
        )
        return
    table = Table(
        title=f"Measures, {results[0].period.label if results else period} ({audience})"
    )
    for col in ("id", "measure", "value", "numerator", "denominator"):
        table.add_column(
            col, justify="right" if col in ("value", "numerator", "denominator") else "left"
        )
    for r in results:
        table.add_row(
            r.id,
            r.title,
            r.display,
            _fmt(r.numerator, r.suppressed) if r.available else "–",
            _fmt(r.denominator, r.suppressed) if r.available and r.kind != "count" else "",
        )
    out.print(table)
    for r in results:
        if not r.available and r.notes:
            console.print(f"[yellow]{r.id}[/]: {r.notes[0]}")


@user_errors
def pack(
    period: PeriodOption,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the pack to.")] = Path(
        "."
    ),
    audience: AudienceOption = "panel",
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: html, pdf, xlsx.")
    ] = "html,pdf,xlsx",
    council: CouncilOption = None,
    db: DbOption = None,
    files: FilesOption = None,
    json_: JsonOption = False,
) -> None:
    """The corporate parenting panel pack for a period, as HTML, PDF and Excel."""
    from carewise.disclosure import current
    from carewise.measures import AUDIENCES, Options
    from carewise.reports import build_pack, parse_formats, steps_for

    if audience not in AUDIENCES:
        raise UserFacingError(
            f"unknown audience '{audience}': use one of {', '.join(AUDIENCES)}"
        )
    fmts = parse_formats(formats)
    history, la_code = load_history(db, council, files)
    with progress_bar(enabled=not json_) as progress:
        task = progress.add_task("Building the pack", total=steps_for(fmts))

        def step(message: str) -> None:
            progress.update(task, advance=1, description=message)

        # From --files, the local extracts (compliance, pledges, voice) come from a store only
        # when one is named with --db: a pack never mixes in a configured store unasked.
        store = open_store(db) if (db or not files) else None
        synthetic = None
        if files:
            from carewise.cli.core import _council_from_files

            synthetic = bool((_council_from_files(list(files)) or {}).get("synthetic"))
        written = build_pack(
            history, period, la_code, audience, fmts, out_dir, step=step, store=store,
            options=Options(disclosure=current()), synthetic=synthetic,
        )
    if json_:
        print_json(
            {
                "la_code": la_code,
                "period": period,
                "audience": audience,
                "files": [{"format": p.suffix.lstrip("."), "path": str(p)} for p in written],
            }
        )
        return
    for p in written:
        out.print(f"Wrote {p}")
