"""Package faces that import each name on first use (PEP 562), so ``carewise --help`` and every
command start without loading polars, SQLAlchemy or numpy until a command needs them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_names(package: str, names: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` giving each of ``names`` (name → module holding it) on first use."""

    def __getattr__(name: str) -> object:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
