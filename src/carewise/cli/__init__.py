"""The ``carewise`` command line (typer; rich for tables and progress bars).

Each capability's commands are top-level functions in its own module of this package
(``core``: import, conflicts, status; ``validate``; ``measures``: measures, pack; ``forecast``;
``matching``; ``compliance``; ``voice``; ``web``: serve, users, audit; ``synth``); shared options
and helpers are in ``common``. This module names every command and group once, in the order
``carewise --help`` lists them. Command modules import only typer and light helpers: heavy
libraries are imported inside the command bodies, so ``carewise --help`` stays quick.
"""

from __future__ import annotations

import typer

from carewise.cli import compliance, core, forecast, matching, measures, synth, validate, voice, web

app = typer.Typer(
    name="carewise",
    help="Figures, forecasts and decisions for children looked after, from the 903 return.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

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
    app.command(_name)(_command)
for _name, _group in GROUPS:
    app.add_typer(_group, name=_name)


def main() -> None:
    """Run the command line (``python -m carewise``, and the ``carewise`` script)."""
    app(prog_name="carewise")


if __name__ == "__main__":  # pragma: no cover
    main()
