"""Command options checked without pydantic when typer's answer is known (issue 13 item 7).

typer 0.29 converts every option of a command with a pydantic ``TypeAdapter``, built for each
option at every start even when the option was not given: importing pydantic and building the
adapters was about 0.1-0.15 s of CPU, a third of a command's start before its work. For the plain
cases, typer's answer is known without pydantic:

- an option not given (``None``): typer returns ``None`` (or ``()`` for a list) before converting;
- ``str`` given as text: the text itself;
- ``pathlib.Path`` given as text or a path: ``Path(text)`` (what pydantic's ``Path`` makes), then
  typer's own path checks (``exists``, ``dir_okay``, ``resolve_path`` …), unchanged;
- ``int`` or ``float`` given as that type (a default): the value itself;
- ``int`` typed on the command line as plain decimal digits (``36``, ``-5``, ``007``), or ``float``
  as digits with or without a decimal point (``0.03``), at most 19 characters: the number, as
  ``int(text)``/``float(text)`` give it (pydantic's answer for such text: both round a decimal to
  the nearest float);
- with a ``min``/``max``, only a number inside the range, else typer decides (clamps or refuses);
- a ``list`` of those: each item so.

Anything else (a number with a sign ``+``, spaces, ``_``, an exponent or more digits, a number out
of range, a choice, a date, a custom parser, bad input and its message) is handed to typer's own
conversion, built on first use, so results and error
messages are typer's. ``tests/unit/test_cli_quick_options.py`` checks every option of every
command gives what typer gives. Should typer's internals change, nothing is installed and typer
works as it always did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from typer.core import TyperCommand

try:  # typer's internals (0.29): without them, typer converts options itself
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import coerce_cli_path
    from typer.core import _TyperParameter
except ImportError:  # pragma: no cover - another typer
    RuntimeParam = None  # type: ignore[assignment,misc]

_TYPER_DECIDES = object()
"""The value needs typer's own conversion (pydantic)."""

_TYPED_NUMBER = {int: re.compile(r"-?[0-9]+"), float: re.compile(r"-?[0-9]+(\.[0-9]+)?")}
"""Text typer (pydantic) reads as exactly ``int(text)`` / ``float(text)`` (matched whole, at most
``_LONGEST`` characters): ASCII digits after an optional minus, for a float with one decimal point
between digits."""
_LONGEST = 19


def _number(annotation: Any, info: Any, value: Any) -> Any:
    """An ``int``/``float`` option's value (a default of that type, or plain digits typed) inside its
    range, or ``_TYPER_DECIDES``."""
    if type(value) is str and len(value) <= _LONGEST and _TYPED_NUMBER[annotation].fullmatch(value):
        value = annotation(value)
    elif type(value) is not annotation:
        return _TYPER_DECIDES
    if info.min is None and info.max is None:
        return value
    if not ((info.min is None or info.min <= value) and (info.max is None or value <= info.max)):
        return _TYPER_DECIDES  # typer clamps it, or words the error
    return value


def _plain(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """What typer's conversion gives ``value`` for a plain annotation, or ``_TYPER_DECIDES``."""
    if info.parser is not None:
        return _TYPER_DECIDES
    if annotation is str and type(value) is str:
        return value
    if annotation is Path and info.path_type is None and (type(value) is str or isinstance(value, Path)):
        # pydantic's Path of a text is Path(text); a path is kept as it is
        path = value if isinstance(value, Path) else Path(value)
        return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)
    if annotation is int or annotation is float:
        return _number(annotation, info, value)
    return _TYPER_DECIDES


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class QuickRuntimeParam(RuntimeParam):
        """typer's ``RuntimeParam`` for one option: plain values converted here, the rest by typer."""

        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.descriptor.file_annotation is None:
                if self.descriptor.is_list and isinstance(value, list | tuple):
                    (item_type,) = get_args(self.annotation)
                    items = [_plain(item_type, self.parameter_info, v, param, ctx) for v in value]
                    if not any(i is _TYPER_DECIDES for i in items):
                        return items
                elif not self.descriptor.is_list and not self.descriptor.is_tuple:
                    plain = _plain(self.annotation, self.parameter_info, value, param, ctx)
                    if plain is not _TYPER_DECIDES:
                        return plain
            typer_own = build_runtime_param(self.descriptor)
            param._runtime_param = typer_own  # every later value goes straight to typer
            return typer_own._coerce_value(value, param=param, ctx=ctx)


def quicken(params: list[Any]) -> list[Any]:
    """Give each of a command's options (``Command.get_params``: typer's, and the help option) the
    quick conversion, unless typer has already made its own."""
    if RuntimeParam is not None:
        for param in params:
            if isinstance(param, _TyperParameter) and getattr(param, "_runtime_param", False) is None:
                d = param.type_descriptor
                param._runtime_param = QuickRuntimeParam(d.parameter_info, d.annotation, descriptor=d)
    return params


class QuickCommand(TyperCommand):
    """A typer command whose options are converted by :func:`quicken`."""

    def get_params(self, ctx: Any) -> list[Any]:
        return quicken(super().get_params(ctx))
