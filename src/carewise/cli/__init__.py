"""The ``carewise`` command line (typer + rich).

Core commands (synth, import, status) live here; each capability registers its
own commands from its ``cli_<name>.py`` module through ``_REGISTER``.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="carewise",
    help="Figures, forecasts and decisions for children looked after, from the 903 return.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_REGISTER: list[str] = [
    "carewise.cli_core",
    "carewise.cli_web",
    "carewise.cli_validate",
    "carewise.cli_synth",
    "carewise.cli_forecast",
    "carewise.cli_measures",
    "carewise.cli_matching",
    "carewise.cli_compliance",
    "carewise.cli_voice",
]


def _register_all() -> None:
    for module_name in _REGISTER:
        importlib.import_module(module_name).register(app)


_register_all()


if __name__ == "__main__":  # pragma: no cover
    app()
