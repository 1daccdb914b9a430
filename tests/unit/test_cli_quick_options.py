"""Options converted without pydantic (``cli.quick_options``) give exactly what typer's own
conversion gives, for every option of every command, and a command's start loads no pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer
import typer.main
from typer._coercion import build_runtime_param

from carewise.cli import app
from carewise.cli.quick_options import QuickRuntimeParam


def _options() -> list[tuple[str, typer.Context, object]]:
    """(command path, a context of the command, option) for every option, help options included."""
    found: list[tuple[str, typer.Context, object]] = []

    def walk(command, ctx: typer.Context, path: str) -> None:
        for param in command.get_params(ctx):
            if hasattr(param, "type_descriptor"):
                found.append((f"{path} {param.name}", ctx, param))
        for name in getattr(command, "commands", {}):
            sub = command.commands[name]
            walk(sub, typer.Context(sub, parent=ctx, info_name=name), f"{path} {name}")

    root = typer.main.get_command(app)
    walk(root, typer.Context(root, info_name="carewise"), "carewise")
    return found


OPTIONS = _options()


def _values(tmp: Path) -> list[object]:
    file = tmp / "episodes.csv"
    file.write_text("CHILD\n")
    return [None, "", "x", " a b ", "\udcff", "-", "5", "-3", "2.5", "1_000", "true", "html", "HTML", "2024-25",
            str(tmp), str(file), str(tmp / "absent"), Path("relative"), tmp, 5, 0, 2.5, True, False,
            ("a", "b"), (str(file), str(tmp)), (), ["x"], ("5",), (5,), (Path("p"), "q"), *TYPED_NUMBERS]


TYPED_NUMBERS = [
    "36", "1000", "0", "007", "-0", "-12", "0.03", "-0.0", "-2.50", "1.0", "100000.000001",
    "1234567890123456789", "12345678901234567890", "-123456789012345678", "0.1234567890123456789",
    "9007199254740993", "0.30000000000000004", "1e3", "1E3", ".5", "5.", "-.5", "+5", "--5", "- 5", " 5", "5 ",
    "5\n", "\t5", "1_000", "1,000", "0x10", "0b1", "١٢", "５", "1.2.3", "inf", "nan", "-inf", "5e-324",
    "99999999999999999999999", -0.0, float("inf"), float("nan"), 10**30, ["36", "-1"], ("1.5", "x"),
]
"""Numbers as typed on the command line (plain digits, and everything else typer must still decide),
and number defaults."""


def _outcome(runtime, value, param, ctx):
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the same error, worded the same, is what is compared
        return ("raised", type(exc).__name__, str(exc))
    return ("gave", type(result).__name__, repr(result) if isinstance(result, float) else result)


def test_every_option_has_the_quick_conversion():
    assert len(OPTIONS) > 200
    for _, _ctx, param in OPTIONS:
        assert isinstance(param._runtime_param, QuickRuntimeParam)  # type: ignore[attr-defined]


@pytest.mark.parametrize("where", range(len(OPTIONS)), ids=[name for name, _, _ in OPTIONS])
def test_options_convert_as_typer_converts_them(where, tmp_path):
    name, ctx, param = OPTIONS[where]
    descriptor = param.type_descriptor  # type: ignore[attr-defined]
    quick = QuickRuntimeParam(descriptor.parameter_info, descriptor.annotation, descriptor=descriptor)
    for value in _values(tmp_path):
        param._runtime_param = None  # type: ignore[attr-defined]
        expected = _outcome(build_runtime_param(descriptor), value, param, ctx)
        assert _outcome(quick, value, param, ctx) == expected, (name, value)
        if hasattr(expected[2], "close"):
            expected[2].close()


def test_a_command_starts_without_pydantic(tmp_path):
    """``carewise validate FOLDER --json`` (an empty folder: start-up and the refusal) and a
    group's command with a number option given as a default load neither pydantic nor settings."""
    code = (
        "import sys\nfrom carewise.cli import app\n"
        "for args in ([\"validate\", sys.argv[1], \"--json\"], [\"voice\", \"template\", sys.argv[1]]):\n"
        "    try:\n        app(args)\n    except SystemExit:\n        pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_settings'}))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def _ranged_options() -> list[tuple[str, typer.Context, object]]:
    """Number options with a ``min``/``max`` (none of carewise's commands has one yet), with and
    without ``clamp``, single and repeated."""
    ranged = typer.Typer()

    @ranged.command()
    def numbers(
        months: Annotated[int, typer.Option(min=1, max=60)] = 36,
        runs: Annotated[int, typer.Option(min=1)] = 1000,
        below: Annotated[int, typer.Option(max=-1)] = -5,
        share: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5,
        rate: Annotated[float | None, typer.Option(min=-0.5)] = None,
        clamped: Annotated[int, typer.Option(min=0, max=10, clamp=True)] = 3,
        clamped_share: Annotated[float, typer.Option(max=1.0, clamp=True)] = 0.5,
        seeds: Annotated[list[int] | None, typer.Option(min=0, max=99)] = None,
    ) -> None:
        """A command with ranged numbers."""

    command = typer.main.get_command(ranged)
    ctx = typer.Context(command, info_name="numbers")
    return [(f"numbers {p.name}", ctx, p) for p in command.get_params(ctx)
            if hasattr(p, "type_descriptor") and p.name not in ("install_completion", "show_completion", "help")]


RANGED_VALUES = [*TYPED_NUMBERS, "1", "60", "61", "-1", "-2", "99", "100", "0.0", "1.00", "1.0000001", "-0.5",
                 "-0.50001", "10", "11", 1, 60, 61, 0, -1, 0.0, 1.0, 1.5, -0.5, -0.6, ["0", "99"], ["100"], [5, 99]]


@pytest.mark.parametrize("where", range(8))
def test_ranged_numbers_convert_as_typer_converts_them(where):
    """Inside the range the quick conversion gives typer's number; outside it (and with ``clamp``)
    typer decides, so its clamped value or its error message is unchanged."""
    options = _ranged_options()
    assert len(options) == 8
    name, ctx, param = options[where]
    descriptor = param.type_descriptor  # type: ignore[attr-defined]
    quick = QuickRuntimeParam(descriptor.parameter_info, descriptor.annotation, descriptor=descriptor)
    for value in RANGED_VALUES:
        param._runtime_param = None  # type: ignore[attr-defined]
        expected = _outcome(build_runtime_param(descriptor), value, param, ctx)
        assert _outcome(quick, value, param, ctx) == expected, (name, value)


def test_typed_numbers_need_no_pydantic():
    """``carewise forecast --runs 1000 --horizon-months 36 --inflation 0.03`` (numbers typed on the
    command line) converts its options without importing pydantic."""
    code = (
        "import sys\nfrom carewise.cli import app\n"
        "try:\n    app(['forecast', '--from', sys.argv[1], '--runs', '1000', '--horizon-months', '36', "
        "'--seed', '-3', '--inflation', '0.03', '--no-backtest', '--json'])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_settings'}))"
    )
    done = subprocess.run([sys.executable, "-c", code, "/nonexistent-903-folder"], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
