"""Store 903 returns as import batches (SQLite by default, PostgreSQL by URL) and read them back."""

from typing import TYPE_CHECKING

from carewise.lazy import lazy_names

if TYPE_CHECKING:  # the names as the type checker sees them; at run time, imported on first use
    from carewise.store.store import Batch, Council, Store, make_engine, upgrade  # noqa: F401

__all__ = ["Batch", "Council", "Store", "make_engine", "upgrade"]

# Imported on first use, so ``carewise.store.roles`` loads without SQLAlchemy.
__getattr__ = lazy_names(__name__, dict.fromkeys(__all__, "carewise.store.store"))
