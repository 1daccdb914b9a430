"""Store 903 returns as import batches (SQLite by default, PostgreSQL by URL) and read them back."""

import importlib

__all__ = ["Batch", "Council", "Store", "make_engine", "upgrade"]


def __getattr__(name: str):
    """Names imported on first use (PEP 562), so ``carewise.store.roles`` loads without SQLAlchemy."""
    if name in __all__:
        value = getattr(importlib.import_module("carewise.store.store"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'carewise.store' has no attribute {name!r}")
