"""``carewise synth``: write a synthetic council (or every council) as 903 CSV files."""

import time
from pathlib import Path
from typing import Annotated

import typer

from carewise.cli.common import JsonOption, out, print_json, progress_bar, user_errors
from carewise.errors import UserFacingError


class BadYearsError(UserFacingError):
    """--years is not a collection year or range."""


@user_errors
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the returns into.")],
    size: Annotated[str, typer.Option(
        help="small (~150), medium (~450), large (~1,000) or a number of children "
             "looked after at a time.")] = "medium",
    years: Annotated[str, typer.Option(
        help="Collection years, e.g. 2020-21..2025-26 or 2024-25.")] = "2020-21..2025-26",
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 1,
    council: Annotated[str | None, typer.Option(
        help="Council to model: ONS code, DfE number or name (default E06000056 Central Bedfordshire).")
    ] = None,
    national: Annotated[bool, typer.Option(
        "--national", help="Every English council at its published size, in "
                           "OUT/<la_code>/<year>/.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a realistic synthetic council's 903 returns (no real child's data)."""
    from carewise.geo import la_code_for
    from carewise.returns import year_range
    from carewise.synth import generate_council, generate_national, write_council
    from carewise.synth.figures import national_councils

    try:
        the_years = year_range(years)
    except ValueError as exc:
        raise BadYearsError(f"--years: {exc}") from None
    labels = f"{the_years[0].label} to {the_years[-1].label}"
    if national:
        started = time.perf_counter()
        councils = national_councils()
        result: dict = {"out": str(out_dir), "councils": {}}
        with progress_bar(not as_json) as bar:
            task = bar.add_task("Councils", total=len(councils))
            for c in generate_national(the_years, seed, out_dir):
                result["councils"][c.la_code] = {
                    "la_name": c.la_name,
                    "children": {y.label: r.children for y, r in c.returns.items()},
                }
                bar.advance(task)
        result["seconds"] = round(time.perf_counter() - started, 1)
        if as_json:
            print_json(result)
        else:
            out.print(f"Wrote {len(result['councils'])} synthetic councils ({labels}) "
                      f"to {out_dir} in {result['seconds']} s.")
        return
    with progress_bar(not as_json) as bar:
        task = bar.add_task("Simulating children", total=2)
        made = generate_council(size, the_years, seed, la_code_for(council) if council else None)
        bar.advance(task)
        bar.update(task, description="Writing files")
        write_council(made, out_dir)
        bar.advance(task)
    summary = made.summary()
    if as_json:
        print_json({"council": {"la_code": made.la_code, "la_name": made.la_name},
                    "out": str(out_dir), "years": summary})
        return
    out.print(f"Wrote {made.la_name}, {labels}, to {out_dir}:")
    for label, s in summary.items():
        out.print(f"  {label}: {s['children']} children, {s['episodes']} episodes")
    out.print(f"Next: carewise import {out_dir}")
