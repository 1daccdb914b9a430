"""Compliance tables (SQLAlchemy Core, on the store's ``metadata``; migration 0003).

- ``compliance_extract_batch``: one row per extract file loaded (who, when, file hash, rows,
  dates covered); loading an extract kind again marks the earlier batch superseded, so the
  history of loads stays while the rows are always one complete extract;
- ``compliance_<kind>``: the rows of each local extract, typed;
- ``compliance_pledge``: the council's pledges, each tied to the measure that shows it is kept;
- ``compliance_action`` and ``compliance_action_update``: the action plan; updates are
  append-only (the application never updates or deletes them), so the dated history of each
  action's status is never overwritten.
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
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from carewise.compliance.extracts import EXTRACTS, Extract
from carewise.store.schema import metadata

extract_batch = Table(
    "compliance_extract_batch",
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
    Index("ix_compliance_extract_batch_council_kind", "council_id", "kind"),
)

_SQL: dict[str, Callable[[], TypeEngine[Any]]] = {
    "text": lambda: String(200), "enum": lambda: String(40), "date": lambda: Date(),
    "bool": lambda: Boolean()}


def _extract_table(ex: Extract) -> Table:
    return Table(
        f"compliance_{ex.name}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("council_id", ForeignKey("council.id"), nullable=False),
        Column("batch_id", ForeignKey("compliance_extract_batch.id"), nullable=False),
        Column("row_no", Integer, nullable=False),
        *[Column(c.name, _SQL[c.kind](), nullable=True) for c in ex.columns],
        Index(f"ix_compliance_{ex.name}_council", "council_id"),
    )


extract_tables: dict[str, Table] = {kind: _extract_table(ex) for kind, ex in EXTRACTS.items()}

pledge = Table(
    "compliance_pledge",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("council_id", ForeignKey("council.id"), nullable=False),
    Column("ref", String(20), nullable=False),
    Column("pledge", Text, nullable=False),
    Column("audience", String(40), nullable=False, doc="children | care_leavers"),
    Column("measure", String(80), nullable=False, doc="compliance summary id or measures id"),
    Column("target", Float, nullable=False),
    Column("direction", String(10), nullable=False, doc="higher | lower is better"),
    Column("amber_margin", Float, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
    UniqueConstraint("council_id", "ref"),
)

action = Table(
    "compliance_action",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("council_id", ForeignKey("council.id"), nullable=False),
    Column("ref", String(20), nullable=False),
    Column("area", Text, nullable=False, doc="the recommendation or priority it answers"),
    Column("action", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("due", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("council_id", "ref"),
)

action_update = Table(
    "compliance_action_update",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action_id", ForeignKey("compliance_action.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(200), nullable=False),
    Column("status", String(20), nullable=False, doc="not_started | on_track | off_track | achieved"),
    Column("rag", String(10), nullable=False, doc="green | amber | red"),
    Column("due", Date, nullable=True, doc="a revised due date, when agreed"),
    Column("note", Text, nullable=False),
)
"""Append-only: the dated history of each action; the latest row is its current status."""
