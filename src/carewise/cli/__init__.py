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
    "carewise.cli.core",
    "carewise.cli.web",
    "carewise.cli.validate",
    "carewise.cli.synth",
    "carewise.cli.forecast",
    "carewise.cli.measures",
    "carewise.cli.matching",
    "carewise.cli.compliance",
    "carewise.cli.voice",
]


def _register_all() -> None:
    for module_name in _REGISTER:
        importlib.import_module(module_name).register(app)


_register_all()


if __name__ == "__main__":  # pragma: no cover
    app()
