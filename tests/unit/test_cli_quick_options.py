"""Options converted without pydantic (``cli.quick_options``) give exactly what typer's own
conversion gives, for every option of every command, and a command's start loads no pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
            ("a", "b"), (str(file), str(tmp)), (), ["x"], ("5",), (5,), (Path("p"), "q")]


def _outcome(runtime, value, param, ctx):
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the same error, worded the same, is what is compared
        return ("raised", type(exc).__name__, str(exc))
    return ("gave", type(result).__name__, result)


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
