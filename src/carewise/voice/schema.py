"""Voice tables (SQLAlchemy Core on the store's ``metadata``; migration 0007_voice), kept as
every local extract is (``carewise.store.extract_batches``).

- ``voice_batch``: one row per feedback file loaded (who, when, file hash, rows, dates covered);
  loading an extract again marks the earlier batch superseded;
- ``voice_<kind>``: the rows of every batch, typed. Rows of superseded batches are kept (never
  updated or deleted), so each ask's history is the sequence of its rows across loads: what was
  said, promised and done, and when carewise learnt of it.
"""

from __future__ import annotations

from sqlalchemy import Table

from carewise.store.extract_batches import batch_table, rows_table
from carewise.voice.extracts import EXTRACTS

batch = batch_table("voice_batch")
tables: dict[str, Table] = {
    kind: rows_table(f"voice_{kind}", batch, [(c.name, c.kind) for c in spec.columns], index="batch_id")
    for kind, spec in EXTRACTS.items()}
"""Each feedback extract's rows of every load (never updated or deleted: ``store.extract_batches``)."""
