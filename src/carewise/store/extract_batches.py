"""Local-extract batches: how every capability keeps the local files a council loads.

One row per file loaded in a ``<prefix>batch`` table (who, when, file and its SHA-256, rows, the
dates it covers, the warnings found while reading), and the file's typed rows in one table per
extract kind. Loading a kind again marks its earlier batch superseded, in the same transaction as
the new rows. Compliance (``compliance_extract_batch``, ``compliance_<kind>``: a load replaces the
kind's rows) and the voice of children (``voice_batch``, ``voice_<kind>``: earlier rows are kept,
so an ask's history is its row in each load) both keep their extracts here; the tables are theirs
(migrations 0003 and 0007), the shape and the code are this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
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
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeEngine

from carewise.ingest.extracts import ROW, ReadTable
from carewise.returns.frames import as_date
from carewise.store.schema import metadata
from carewise.store.store import new_id

SQL_TYPES: dict[str, Callable[[], TypeEngine[Any]]] = {
    "id": lambda: String(100), "text": lambda: Text(), "enum": lambda: String(40), "date": lambda: Date(),
    "bool": lambda: Boolean(), "float": lambda: Float()}
"""The column type each extract column kind is stored as (an extract may override one)."""


def batch_table(name: str) -> Table:
    """The table of loads: one row per extract file loaded, ``status`` current or superseded."""
    return Table(
        name,
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
        Index(f"ix_{name}_council_kind", "council_id", "kind"),
    )


def rows_table(name: str, batch: Table, columns: Sequence[tuple[str, str]], *, index: str,
               types: dict[str, Callable[[], TypeEngine[Any]]] | None = None) -> Table:
    """The typed rows of one extract kind, each with its council, batch and row in the file.

    ``columns``: (name, kind) pairs; ``index``: the column looked up by (``council_id`` when a
    load replaces the rows, ``batch_id`` when every load's rows are kept)."""
    sql = {**SQL_TYPES, **(types or {})}
    suffix = "council" if index == "council_id" else index
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("council_id", ForeignKey("council.id"), nullable=False),
        Column("batch_id", ForeignKey(f"{batch.name}.id"), nullable=False),
        Column("row_no", Integer, nullable=False),
        *[Column(column, sql[kind](), nullable=True) for column, kind in columns],
        Index(f"ix_{name}_{suffix}", index),
    )


@dataclass(frozen=True)
class ExtractBatch:
    """One loaded extract file."""

    id: int
    kind: str
    imported_at: datetime
    imported_by: str
    status: str
    rows: int
    file: str
    covers_from: date | None = None
    covers_to: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "imported_at": self.imported_at.isoformat(),
                "imported_by": self.imported_by, "status": self.status, "rows": self.rows,
                "file": self.file,
                "covers_from": self.covers_from.isoformat() if self.covers_from else None,
                "covers_to": self.covers_to.isoformat() if self.covers_to else None}


def covers(frame: pl.DataFrame, column: str | None) -> tuple[date | None, date | None]:
    """The first and last date in an extract's date column: what the extract can speak for
    (none when it has no date column or no dates)."""
    dates = frame[column].drop_nulls() if column else pl.Series([], dtype=pl.Date)
    return (as_date(dates.min()), as_date(dates.max())) if dates.len() else (None, None)


def add_batch(conn: Connection, batch: Table, rows: Table, council_id: int, read: ReadTable,
              names: Sequence[str], *, who: str, now: datetime,
              covers: tuple[date | None, date | None], replace_rows: bool) -> int:
    """Store one read extract in ``conn``'s transaction: the kind's current batch superseded, the
    new batch recorded and its rows inserted (the earlier rows deleted when ``replace_rows``)."""
    conn.execute(update(batch).where(batch.c.council_id == council_id, batch.c.kind == read.kind,
                                     batch.c.status == "current").values(status="superseded"))
    batch_id = new_id(conn.execute(insert(batch).values(
        council_id=council_id, kind=read.kind, imported_at=now, imported_by=who, status="current",
        rows=read.frame.height, file=read.file, sha256=read.sha256,
        covers_from=covers[0], covers_to=covers[1],
        problems=[p.as_dict() for p in read.problems])))
    if replace_rows:
        conn.execute(delete(rows).where(rows.c.council_id == council_id))
    values = read.frame.select(pl.lit(council_id).alias("council_id"), pl.lit(batch_id).alias("batch_id"),
                               pl.col(ROW).alias("row_no"), *names).to_dicts()
    if values:
        conn.execute(insert(rows), values)
    return batch_id


def list_batches(conn: Connection, batch: Table, council_id: int) -> list[ExtractBatch]:
    """Every load for a council, oldest first."""
    found = conn.execute(select(batch).where(batch.c.council_id == council_id).order_by(batch.c.id)).all()
    return [ExtractBatch(r.id, r.kind, r.imported_at, r.imported_by, r.status, r.rows, r.file,
                         r.covers_from, r.covers_to) for r in found]
