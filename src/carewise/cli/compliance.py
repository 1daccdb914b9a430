"""``carewise compliance``, ``extracts``, ``leavers``, ``pledges`` and ``actions``.

Statutory compliance per child and in summary, the local extracts it needs, the care-leaver
cohort, and the council's pledges and action plan. ``--json`` keys: docs/cli-json.md.
"""

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from carewise.cli.common import (
    CouncilOption,
    DbOption,
    JsonOption,
    console,
    load_extract_files,
    open_store,
    out,
    pick_council,
    print_json,
    print_templates,
    progress_bar,
    user_errors,
)
from carewise.errors import UserFacingError

AtOption = Annotated[str | None, typer.Option("--at", help="The date to judge on, YYYY-MM-DD "
                                              "(default: the last day of the latest 903 year stored).")]


class BadDateError(UserFacingError):
    exit_code = 2


def _date(text: str | None, option: str = "--at") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadDateError(f"{option}: '{text}' is not a date; write YYYY-MM-DD, e.g. 2025-03-31") from None


def _rich_table(title: str, columns: list[str], rows: list[list[Any]]):
    from rich.table import Table

    t = Table(title=title)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    return t


extracts_app = typer.Typer(help="Local extracts beside the 903: visits, health, PEPs, RHIs, "
                                "pathway plans, Personal Advisers, allocations.", no_args_is_help=True)
pledges_app = typer.Typer(help="The council's pledges, each tied to the measure that shows it is kept.",
                          no_args_is_help=True)
actions_app = typer.Typer(help="The action plan: owners, due dates, status and a dated history.",
                          no_args_is_help=True)


@user_errors
def compliance(
    council: CouncilOption = None, db: DbOption = None, at: AtOption = None,
    excel: Annotated[Path | None, typer.Option("--excel", help="Write the worklist workbook here (.xlsx).")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team's worklist.")] = None,
    worker: Annotated[str | None, typer.Option("--worker", help="Only this worker's worklist.")] = None,
    no_children: Annotated[bool, typer.Option("--summary-only", help="Leave the per-child rows out of --json.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Statutory compliance for every child: visits, reviews, health, PEPs, RHIs, pathway plans."""
    from carewise.compliance import assess_stored, views

    store = open_store(db)
    la = pick_council(store, council)
    with progress_bar(not as_json) as bar:
        task = bar.add_task("Working out due dates", total=1)
        a = assess_stored(store, la, _date(at))
        bar.advance(task)
    if excel is not None:
        views.to_excel(a, excel, team, worker)
    if as_json:
        data = views.as_json(a, children=not no_children)
        data["council"] = la
        data["teams"] = views.by_group(a, "team").to_dicts()
        data["workers"] = views.by_group(a, "worker").to_dicts()
        data["trend"] = views.trend(a, None).to_dicts()
        data["excel"] = str(excel) if excel else None
        print_json(data)
        return
    rows = [[sid, s["title"], "–" if s["value"] is None else f"{s['value']}%",
             f"{s['numerator']} of {s['denominator']}"] for sid, s in a.summary.items() if s["assessed"]]
    out.print(_rich_table(f"Statutory compliance, 12 months to {a.as_at:%d %B %Y}",
                          ["id", "requirement", "on time", "count"], rows))
    st = views.as_json(a, children=False)["statuses"]
    out.print(f"Now: {st['overdue']} overdue, {st['due_soon']} due in the next fortnight.")
    missing = [r for r in ("visits", "iha", "rha", "dental", "pep", "rhi", "pathway_plan", "pa_contact")
               if r not in a.assessed]
    if missing:
        out.print(f"Not assessed (load the extracts with `carewise extracts load`): {', '.join(missing)}")
    for note in a.notes:
        console.print(f"[yellow]Note:[/] {note}")
    if excel is not None:
        out.print(f"Worklist written to {excel}")


@extracts_app.command("load")
@user_errors
def extracts_load(
    files: Annotated[list[Path], typer.Argument(help="CSV or Excel files named after the extract "
                                                "(visits.csv, peps.xlsx, or one workbook with a sheet per extract).")],
    council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Check and store local extracts: every file lands, or none does."""
    from carewise.compliance.extracts import read_extracts
    from carewise.compliance.storage import import_extracts

    load_extract_files(files, council, db, as_json, read_extracts, import_extracts)


@extracts_app.command("template")
@user_errors
def extracts_template(
    folder: Annotated[Path, typer.Argument(help="Folder to write the templates into.")],
    as_json: JsonOption = False,
) -> None:
    """Write a blank template for every extract (CSV each, and one Excel workbook)."""
    from carewise.compliance.extracts import write_templates

    print_templates(write_templates(folder), folder, as_json)


@extracts_app.command("list")
@user_errors
def extracts_list(council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every extract load for the council (current and superseded)."""
    from carewise.compliance.storage import extract_batches

    store = open_store(db)
    la = pick_council(store, council)
    batches = extract_batches(store, la)
    if as_json:
        print_json({"council": la, "batches": [b.as_dict() for b in batches]})
        return
    out.print(_rich_table("Extract loads", ["id", "extract", "status", "rows", "file", "loaded"],
                          [[b.id, b.kind, b.status, b.rows, b.file, f"{b.imported_at:%d/%m/%Y %H:%M}"]
                           for b in batches]))


@extracts_app.command("synth")
@user_errors
def extracts_synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the extract CSV files into.")],
    council: CouncilOption = None, db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 1,
    load: Annotated[bool, typer.Option("--load", help="Also load them into the store.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Synthetic extracts agreeing with a stored synthetic council's 903 data."""
    from carewise.compliance.extracts import read_extracts
    from carewise.compliance.storage import import_extracts
    from carewise.synth.extracts import generate_extracts, write_extracts

    store = open_store(db)
    la = pick_council(store, council)
    if not store.council(la).synthetic:
        raise UserFacingError(f"council {la} holds real data: synthetic extracts are only made for "
                              "synthetic councils (`carewise synth`)")
    frames = generate_extracts(store.load_history(la), seed)
    written = write_extracts(frames, out_dir)
    loaded = []
    if load:
        loaded = [b.as_dict() for b in import_extracts(store, la, read_extracts(written))]
    if as_json:
        print_json({"council": la, "written": [str(p) for p in written],
                    "rows": {k: v.height for k, v in frames.items()}, "loaded": loaded})
        return
    out.print(f"Wrote {len(written)} synthetic extracts to {out_dir}" + (" and loaded them." if load else "."))


@user_errors
def leavers_cmd(council: CouncilOption = None, db: DbOption = None, at: AtOption = None,
                as_json: JsonOption = False) -> None:
    """Care leavers by status (eligible, relevant, former relevant, 21–25), support and PA caseloads."""
    from carewise.compliance import leavers as lv
    from carewise.compliance.storage import load_extracts
    from carewise.compliance.views import assess

    store = open_store(db)
    la = pick_council(store, council)
    history = store.load_history(la)
    extracts = load_extracts(store, la)
    a = assess(history, extracts, _date(at))
    result = lv.leavers(history, extracts, a.as_at, lv.pathway_current(a.instances)
                        if "pathway_plan" in a.assessed else None)
    data = lv.as_json(result)
    if as_json:
        data["council"] = la
        print_json(data)
        return
    rows = [[s, v["count"], v["in_touch"]["pct"], v["eet"]["pct"], v["suitable_accommodation"]["pct"],
             v["pa_allocated"]["pct"], v["pathway_plan_current"]["pct"]] for s, v in data["by_status"].items()]
    out.print(_rich_table(f"Care leavers on {result.as_at:%d %B %Y}",
                          ["status", "young people", "in touch %", "EET %", "suitable accom. %",
                           "PA %", "pathway plan current %"], rows))
    if data["advisers"]:
        out.print(f"{data['advisers']} Personal Advisers, average caseload {data['average_caseload']}.")


# -- pledges ----------------------------------------------------------------------------------


@pledges_app.command("load")
@user_errors
def pledges_load(file: Annotated[Path, typer.Argument(help="CSV or Excel: ref, pledge, audience, "
                                                      "measure, target[, direction, amber_margin].")],
                 council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Add or replace pledges from a file (all rows checked first)."""
    from carewise.compliance.pledges import read_pledges, save_pledges

    store = open_store(db)
    la = pick_council(store, council)
    n = save_pledges(store, la, read_pledges(file))
    if as_json:
        print_json({"council": la, "saved": n})
        return
    out.print(f"Saved {n} pledges.")


@pledges_app.command("add")
@user_errors
def pledges_add(
    ref: Annotated[str, typer.Argument(help="Short reference, e.g. P1.")],
    pledge: Annotated[str, typer.Option("--pledge", help="The words of the pledge.")],
    measure: Annotated[str, typer.Option("--measure", help="Compliance summary id or measure id.")],
    target: Annotated[float, typer.Option("--target", help="Target, e.g. 90 (%).")],
    audience: Annotated[str, typer.Option("--audience", help="children or care_leavers.")] = "children",
    direction: Annotated[str, typer.Option("--direction", help="higher or lower is better.")] = "higher",
    amber_margin: Annotated[float, typer.Option("--amber-margin", help="Points below target still amber.")] = 5.0,
    council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Add (or replace) one pledge."""
    from carewise.compliance.pledges import Pledge, save_pledges

    store = open_store(db)
    la = pick_council(store, council)
    save_pledges(store, la, [Pledge(ref, pledge, audience, measure, target, direction, amber_margin)])
    if as_json:
        print_json({"council": la, "saved": 1, "ref": ref})
        return
    out.print(f"Saved pledge {ref}.")


@pledges_app.command("list")
@user_errors
def pledges_list(council: CouncilOption = None, db: DbOption = None, at: AtOption = None,
                 as_json: JsonOption = False) -> None:
    """Every pledge with its measure's figure, target and RAG."""
    from carewise.compliance.pledges import pledge_rows

    store = open_store(db)
    la = pick_council(store, council)
    the_at, rows = pledge_rows(store, la, _date(at))
    if as_json:
        print_json({"council": la, "as_at": the_at.isoformat() if the_at else None, "pledges": rows})
        return
    out.print(_rich_table("Pledges", ["ref", "pledge", "measure", "figure", "target", "RAG"],
                          [[r["ref"], r["pledge"], r["measure"], r["display"], r["target"], r["rag"]]
                           for r in rows]))


# -- actions ----------------------------------------------------------------------------------


@actions_app.command("add")
@user_errors
def actions_add(
    ref: Annotated[str, typer.Argument(help="Reference, e.g. 1.1.")],
    action: Annotated[str, typer.Option("--action", help="What will be done.")],
    owner: Annotated[str, typer.Option("--owner", help="Who leads it.")],
    due: Annotated[str, typer.Option("--due", help="Due date, YYYY-MM-DD.")],
    area: Annotated[str, typer.Option("--area", help="The recommendation or priority it answers.")] = "",
    council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Add an action to the plan."""
    from carewise.compliance.pledges import add_action

    store = open_store(db)
    la = pick_council(store, council)
    add_action(store, la, ref, area, action, owner, _date(due, "--due"))  # type: ignore[arg-type]
    if as_json:
        print_json({"council": la, "added": ref})
        return
    out.print(f"Added action {ref}.")


@actions_app.command("update")
@user_errors
def actions_update(
    ref: Annotated[str, typer.Argument(help="The action's reference.")],
    status: Annotated[str, typer.Option("--status", help="not_started, on_track, off_track or achieved.")],
    note: Annotated[str, typer.Option("--note", help="What has happened (kept in the history).")],
    rag: Annotated[str | None, typer.Option("--rag", help="green, amber or red (default from status).")] = None,
    due: Annotated[str | None, typer.Option("--due", help="A revised due date, YYYY-MM-DD.")] = None,
    council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Record progress on an action (a new dated update; earlier ones are kept)."""
    from carewise.compliance.pledges import update_action

    store = open_store(db)
    la = pick_council(store, council)
    update_action(store, la, ref, status.strip().lower().replace(" ", "_"), note, rag, _date(due, "--due"))
    if as_json:
        print_json({"council": la, "updated": ref})
        return
    out.print(f"Updated action {ref}.")


@actions_app.command("load")
@user_errors
def actions_load(file: Annotated[Path, typer.Argument(help="CSV or Excel: ref, area, action, owner, "
                                                      "due[, status, rag, note].")],
                 council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Add actions from a file; existing actions get an update when their status changed."""
    from carewise.compliance.pledges import load_actions, read_actions

    store = open_store(db)
    la = pick_council(store, council)
    n = load_actions(store, la, read_actions(file))
    if as_json:
        print_json({"council": la, "rows": n})
        return
    out.print(f"Loaded {n} actions.")


@actions_app.command("list")
@user_errors
def actions_list(council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """The action plan with each action's current status and its history."""
    from carewise.compliance.pledges import list_actions

    store = open_store(db)
    la = pick_council(store, council)
    acts = list_actions(store, la)
    today = date.today()
    if as_json:
        print_json({"council": la, "actions": [a.as_dict(today) for a in acts]})
        return
    out.print(_rich_table("Action plan", ["ref", "action", "owner", "due", "status", "RAG", "updates"],
                          [[a.ref, a.action, a.owner, a.current_due.isoformat(), a.status, a.rag,
                            len(a.updates)] for a in acts]))
