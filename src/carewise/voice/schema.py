"""Voice tables (SQLAlchemy Core on the store's ``metadata``; migration 0007_voice).

- ``voice_batch``: one row per feedback file loaded (who, when, file hash, rows, dates covered);
  loading an extract again marks the earlier batch superseded;
- ``voice_<kind>``: the rows of every batch, typed. Rows of superseded batches are kept (never
  updated or deleted), so each ask's history is the sequence of its rows across loads: what was
  said, promised and done, and when carewise learnt of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from carewise.store.schema import metadata
from carewise.voice.extracts import EXTRACTS

batch = Table(
    "voice_batch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("council_id", ForeignKey("council.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("status", String(20), nullable=False, doc="current | superseded"),
    Column("rows", Integer, nullable=False),
    Column("file", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("covers_from", Date, nullable=True),
    Column("covers_to", Date, nullable=True),
    Column("problems", JSON, nullable=False, doc="warnings found while reading"),
    Index("ix_voice_batch_council_kind", "council_id", "kind"),
)

SQL_TYPES: dict[str, Callable[[], TypeEngine[Any]]] = {"id": lambda: String(100), "text": lambda: Text(), "enum": lambda: String(40),
             "date": lambda: Date(), "bool": lambda: Boolean(), "float": lambda: Float()}


def _rows_table(kind: str) -> Table:
    return Table(
        f"voice_{kind}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("council_id", ForeignKey("council.id"), nullable=False),
        Column("batch_id", ForeignKey("voice_batch.id"), nullable=False, index=True),
        Column("row_no", Integer, nullable=False),
        *[Column(c.name, SQL_TYPES[c.kind](), nullable=True) for c in EXTRACTS[kind].columns],
    )


tables: dict[str, Table] = {kind: _rows_table(kind) for kind in EXTRACTS}
