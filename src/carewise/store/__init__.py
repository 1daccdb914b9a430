"""Store 903 returns as import batches (SQLite by default, PostgreSQL by URL) and read them back."""

from carewise.store.store import Batch, Council, Store, make_engine, upgrade

__all__ = ["Batch", "Council", "Store", "make_engine", "upgrade"]
