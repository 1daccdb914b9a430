"""``carewise voice``: what children and care leavers said, per pledge, and "you said, we did".

``carewise voice load FILES…`` checks and stores feedback extracts; ``carewise voice --json``
gives per-pledge shares, the asks and those overdue; ``carewise voice asks --json`` the tracker.
``--json`` keys: docs/cli-json.md.
"""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from carewise.cli.common import (
    CouncilOption,
    DbOption,
    JsonOption,
    load_extract_files,
    open_store,
    out,
    pick_council,
    print_json,
    print_templates,
    user_errors,
)
from carewise.errors import UserFacingError

OnOption = Annotated[str | None, typer.Option("--on", help="Judge asks overdue on this day, YYYY-MM-DD (default today).")]
AudienceOption = Annotated[str, typer.Option("--audience", help="internal (every figure), panel or public "
                                             "(small groups hidden, docs/disclosure.md).")]


class BadOptionError(UserFacingError):
    exit_code = 2


def _on(text: str | None) -> date | None:
    from carewise.cli.compliance import _date

    return _date(text, "--on")


def _audience(text: str) -> str:
    from carewise.disclosure import KNOWN_AUDIENCES

    if text not in KNOWN_AUDIENCES:
        raise BadOptionError(f"--audience is one of {', '.join(KNOWN_AUDIENCES)}, not '{text}'")
    return text


voice_app = typer.Typer(help="What children and care leavers told us, per pledge, and \"you said, we did\".")


@voice_app.callback(invoke_without_command=True)
@user_errors
def voice(ctx: typer.Context, council: CouncilOption = None, db: DbOption = None, on: OnOption = None,
          audience: AudienceOption = "internal", as_json: JsonOption = False) -> None:
    """Per pledge, the share of children who agree by age group and year; asks and those overdue."""
    if ctx.invoked_subcommand:
        return
    from carewise.voice.summary import voice_summary
    from carewise.voice.views import as_json as plain

    store = open_store(db)
    la = pick_council(store, council)
    got = voice_summary(store, la, _audience(audience), _on(on))
    if as_json:
        print_json(plain({k: got[k] for k in ("council", "audience", "on", "loaded", "pledges",
                                              "consultations", "asks_summary", "overdue",
                                              "benchmarks_supplied", "benchmark_note")}))
        return
    from rich.table import Table

    from carewise.voice.extracts import AGE_GROUP_TITLES

    t = Table(title="Share who agree, by pledge")
    for c in ("pledge", "year", *AGE_GROUP_TITLES.values(), "all", "RAG"):
        t.add_column(c)
    for p in got["pledges"]:
        for y in p["years"]:
            t.add_row(p["ref"], str(y["year"]), *[y["groups"][g]["share"] for g in (*AGE_GROUP_TITLES, "all")],
                      p["rag"])
    out.print(t)
    s = got["asks_summary"]
    out.print(f"Asks: {s['total']}, answered {s['answered']}, overdue {s['overdue']}"
              + (f" ({', '.join(got['overdue'])})" if got["overdue"] else ""))
    if got["benchmark_note"]:
        out.print(got["benchmark_note"])


@voice_app.command("load")
@user_errors
def voice_load(
    files: Annotated[list[Path], typer.Argument(help="CSV or Excel files named after the extract "
                                                "(survey_responses.csv, asks.csv …).")],
    council: CouncilOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Check and store feedback extracts: every file lands, or none does."""
    from carewise.voice.extracts import read_voice
    from carewise.voice.storage import import_voice

    load_extract_files(files, council, db, as_json, read_voice, import_voice)


@voice_app.command("asks")
@user_errors
def voice_asks(council: CouncilOption = None, db: DbOption = None, on: OnOption = None,
               as_json: JsonOption = False) -> None:
    """"You said, we did": every ask with owner, due date, response, history; overdue first."""
    from carewise.compliance.pledges import list_actions
    from carewise.voice.storage import ask_history, load_voice
    from carewise.voice.views import as_json as plain
    from carewise.voice.views import ask_views

    store = open_store(db)
    la = pick_council(store, council)
    asks = ask_views(load_voice(store, la), ask_history(store, la), _on(on) or date.today(),
                     list_actions(store, la))
    if as_json:
        print_json(plain({"council": la, "asks": asks}))
        return
    from rich.table import Table

    t = Table(title="You said, we did")
    for c in ("ref", "you said", "owner", "due", "status", "we did", "pledge"):
        t.add_column(c)
    for a in asks:
        status = a["status"].replace("_", " ") + (" [red](overdue)[/]" if a["overdue"] else "")
        t.add_row(a["ref"], a["you_said"], a["owner"], f"{a['due']:%d/%m/%Y}", status, a["we_did"] or "",
                  a["pledge"] or "")
    out.print(t)


@voice_app.command("template")
@user_errors
def voice_template(folder: Annotated[Path, typer.Argument(help="Folder to write the templates into.")],
                   as_json: JsonOption = False) -> None:
    """Write a template (header and an example row) for every feedback extract."""
    from carewise.voice.extracts import write_templates

    print_templates(write_templates(folder), folder, as_json)


@voice_app.command("synth")
@user_errors
def voice_synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the feedback CSV files into.")],
    council: CouncilOption = None, db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 1,
    load: Annotated[bool, typer.Option("--load", help="Also load them (and the example pledges and "
                                                      "action, if the council has none).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Synthetic surveys, review consultations and forum asks for a synthetic council."""
    from carewise.compliance.pledges import (
        list_actions,
        list_pledges,
        load_actions,
        save_pledges,
    )
    from carewise.synth.extracts import write_extracts
    from carewise.synth.voice import PLEDGES, generate_voice, synthetic_actions
    from carewise.voice.extracts import read_voice
    from carewise.voice.storage import import_voice

    store = open_store(db)
    la = pick_council(store, council)
    if not store.council(la).synthetic:
        raise UserFacingError(f"council {la} holds real data: synthetic feedback is only made for "
                              "synthetic councils (`carewise synth`)")
    history = store.load_history(la)
    today = date.today()
    children = history.timeline.children["CHILD"].head(200).to_list()
    written = write_extracts(generate_voice(today, seed, children=children), out_dir)
    loaded = []
    if load:
        if not list_pledges(store, la):
            save_pledges(store, la, list(PLEDGES))
        if not list_actions(store, la):
            load_actions(store, la, synthetic_actions(today))
        loaded = [b.as_dict() for b in import_voice(store, la, read_voice(written))]
    if as_json:
        print_json({"council": la, "written": [str(p) for p in written], "loaded": loaded})
        return
    out.print(f"Wrote {len(written)} feedback files to {out_dir}" + (", and loaded them" if load else ""))
