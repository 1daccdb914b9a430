"""The ``carewise`` command line (typer; rich for tables and progress bars).

Each capability's commands are top-level functions in its own module of this package
(``core``: import, conflicts, status; ``validate``; ``measures``: measures, pack; ``forecast``;
``matching``; ``compliance``; ``voice``; ``web``: serve, users, audit; ``synth``); shared options
and helpers are in ``common``. This module names every command and group once, in the order
``carewise --help`` lists them. Command modules import only typer and light helpers: heavy
libraries (and rich) are imported inside the command bodies, so ``carewise --help`` stays quick.
Command modules do not use ``from __future__ import annotations``: typer would then compile and
evaluate every option's annotation string twice per command at each start (about a third of the
time of ``carewise --help``).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from carewise.cli import compliance, core, forecast, matching, measures, synth, validate, voice, web
from carewise.cli.common import leave_at_once, leaving_at_once
from carewise.cli.quick_options import QuickCommand, quicken


class Commands(TyperGroup):
    """A group whose help lists each command's whole summary, wrapped, rather than click's summary
    cut to fit one line (``Read 903 CSV/XML files (one or many collection years) and...``)."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's options (``carewise forecast --help``), converted like a command's."""
        return quicken(super().get_params(ctx))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, command.get_short_help_str(limit=1000)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app = typer.Typer(
    name="carewise",
    cls=Commands,
    help="Figures, forecasts and decisions for children looked after, from the 903 return.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": 120},
)
"""Help and usage errors are click's plain text (``rich_markup_mode=None``): typer's rich help
imports rich's markdown and traceback modules, which doubled the time of ``carewise --help``
(docs/decisions/0002-cli-start-up.md). Tables and progress bars inside commands still use rich."""

COMMANDS = (
    ("import", core.import_),
    ("conflicts", core.conflicts),
    ("status", core.status),
    ("serve", web.serve),
    ("validate", validate.validate_cmd),
    ("synth", synth.synth),
    ("backtest", forecast.backtest_cmd),
    ("pa-caseload", forecast.pa_caseload_cmd),
    ("measures", measures.measures),
    ("pack", measures.pack),
    ("match", matching.match),
    ("compliance", compliance.compliance),
    ("leavers", compliance.leavers_cmd),
)
"""Commands at the top level: (name, function)."""

GROUPS = (
    ("users", web.users_app),
    ("audit", web.audit_app),
    ("forecast", forecast.forecast_app),
    ("scenario", forecast.scenario_app),
    ("market", matching.market_app),
    ("extracts", compliance.extracts_app),
    ("pledges", compliance.pledges_app),
    ("actions", compliance.actions_app),
    ("voice", voice.voice_app),
)
"""Command groups (``carewise users add`` …): (name, the group's typer app in its module)."""

for _name, _command in COMMANDS:
    app.command(_name, cls=QuickCommand)(_command)
for _name, _group in GROUPS:
    for _info in _group.registered_commands:
        if _info.cls in (None, TyperCommand):  # options converted without pydantic (cli.quick_options)
            _info.cls = QuickCommand
    app.add_typer(_group, name=_name, cls=Commands)


def main() -> None:
    """Run the command line (``python -m carewise``, and the ``carewise`` script).

    A command that said :func:`cli.common.leave_at_once` (``validate`` of files) ends the process
    once its output is flushed, with its exit code, skipping Python's shutdown; a flush that fails
    (output piped to a closed reader) and every other command end as Python ends them.
    """
    leave_at_once(False)
    try:
        app(prog_name="carewise")
    except SystemExit as done:
        code = 0 if done.code is None else done.code
        if not leaving_at_once() or not isinstance(code, int):
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            raise done from None
        logging.shutdown()
        os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
