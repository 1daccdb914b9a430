"""``carewise validate``: check a 903 return against the DfE validation rules of its year."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from carewise.cli.common import (
    CouncilOption,
    DbOption,
    JsonOption,
    console,
    few_collections,
    leave_at_once,
    open_store,
    out,
    pick_council,
    print_json,
    user_errors,
)
from carewise.errors import SettingError


class ReportFormat(StrEnum):
    html = "html"
    xlsx = "xlsx"
    csv = "csv"


PROBLEMS_SHOWN = 40
"""Problems found reading the files printed on the terminal; the rest are in --json and the reports."""


def _print_summary(result, report_path: Path | None) -> None:
    if not result.readable:
        out.print("[bold red]The files could not be read; no rule was checked.[/]")
        for p in result.problems:
            if p.severity == "error":
                out.print(f"  {p.describe()}")
        return
    shown = sorted(result.problems, key=lambda p: p.severity != "error")  # errors first
    for p in shown[:PROBLEMS_SHOWN]:
        if p.severity == "error":
            console.print(f"[red]Error:[/] {p.describe()}")
        else:
            console.print(f"[yellow]Warning:[/] {p.describe()}")
    if len(shown) > PROBLEMS_SHOWN:
        console.print(f"… and {len(shown) - PROBLEMS_SHOWN:,} more problems reading the files "
                      "(every one is in --json and the --format reports)")
    out.print(
        f"903 return {result.year}: {result.rules_run} rules checked, "
        f"{len(result.skipped)} not checked, [bold]{len(result.errors)} errors[/] "
        f"for {len(result.counts_by_child())} children."
    )
    for code, count in list(result.counts_by_rule().items())[:15]:
        info = result.rules.get(code)
        out.print(f"  {code:>10}  {count:>6}  {info.message if info else ''}")
    if len(result.counts_by_rule()) > 15:
        out.print(f"  … and {len(result.counts_by_rule()) - 15} more rules (see the report)")
    internal = result.internal_errors
    if internal:
        console.print(
            f"[red]{len(internal)} rules failed inside carewise and were not checked: "
            f"{', '.join(s.rule for s in internal)}[/]"
        )
    if report_path:
        out.print(f"Report written to {report_path}")


@user_errors
@few_collections()  # thousands of small objects (rules, errors): see cli.common.few_collections
def validate_cmd(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="A folder of 903 CSV files or the 903 XML file; leave out to check stored returns."
        ),
    ] = None,
    year: Annotated[
        str | None,
        typer.Option(
            "--year", help="Collection year to check, e.g. 2024-25 (default: the latest)."
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous", help="Last year's 903 files, for the rules comparing years."
        ),
    ] = None,
    providers: Annotated[
        list[Path] | None,
        typer.Option(
            "--providers", help="Ofsted provider list (.xlsx) for the URN rules; repeatable."
        ),
    ] = None,
    la: Annotated[
        str | None,
        typer.Option(
            "--la", help="The council (ONS code, DfE number or name), for placement-location rules."
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="Write a report: html, xlsx or csv (needs --out)."),
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Where to write the report.")
    ] = None,
    json_out: JsonOption = False,
    db: DbOption = None,
    council: CouncilOption = None,
) -> None:
    """Check a 903 return against every DfE validation rule of its collection year.

    Without PATH, the council's stored returns are checked (the year given, else the latest), with
    every earlier stored year available to the rules that look back.
    Exit code 0: no errors; 1: errors found; 3: the files could not be read.
    """
    from carewise.validate.runner import validate_paths

    if fmt is not None and out_path is None:
        raise SettingError("--format needs --out FILE: say where to write the report")
    if out_path is not None and fmt is None:
        suffix = out_path.suffix.lower().lstrip(".")
        if suffix not in {f.value for f in ReportFormat}:
            raise SettingError(
                "give --format html, xlsx or csv (or an --out file ending .html/.xlsx/.csv)"
            )
        fmt = ReportFormat(suffix)
    from carewise.cli.common import use_postcode_cache

    use_postcode_cache()
    provider_lists = None
    if providers:
        from carewise.validate.providers import read_providers

        provider_lists = read_providers(list(providers))
    if path is None:
        from carewise.validate.runner import validate_stored

        store = open_store(db)
        code = pick_council(store, council)
        result = validate_stored(store, code, year, providers=provider_lists)
        source = f"stored returns of {code}"
    else:
        from carewise.geo import la_code_for

        result = validate_paths(
            path, year=year, previous=previous, providers=provider_lists,
            la_code=la_code_for(la) if la else None,
        )
        source = str(path)
        leave_at_once()  # files only: no database to close
    written = None
    if fmt is not None and out_path is not None:
        # jinja2 and the workbook writer are loaded only when a report is asked for
        from carewise.validate.report import write_report

        written = write_report(result, out_path, fmt.value, source=source)
    if json_out:
        if result.readable:
            print_json(result.as_json(), plain=True)
        else:
            print_json(
                {
                    "error": "the files could not be read; no rule was checked",
                    "problems": [p.as_dict() for p in result.problems],
                }
            )
    else:
        _print_summary(result, written)
    raise typer.Exit(result.exit_code)
