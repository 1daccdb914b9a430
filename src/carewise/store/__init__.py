"""Store 903 returns as import batches (SQLite by default, PostgreSQL by URL) and read them back."""

from carewise.lazy import lazy_names

__all__ = ["Batch", "Council", "Store", "make_engine", "upgrade"]

# Imported on first use, so ``carewise.store.roles`` loads without SQLAlchemy.
__getattr__ = lazy_names(__name__, dict.fromkeys(__all__, "carewise.store.store"))
