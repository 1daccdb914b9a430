"""Compliance tables (SQLAlchemy Core, on the store's ``metadata``; migration 0003).

- ``compliance_extract_batch``: one row per extract file loaded (who, when, file hash, rows,
  dates covered); loading an extract kind again marks the earlier batch superseded, so the
  history of loads stays while the rows are always one complete extract;
- ``compliance_<kind>``: the rows of each local extract, typed (both kept as every local extract
  is: ``carewise.store.extract_batches``);
- ``compliance_pledge``: the council's pledges, each tied to the measure that shows it is kept;
- ``compliance_action`` and ``compliance_action_update``: the action plan; updates are
  append-only (the application never updates or deletes them), so the dated history of each
  action's status is never overwritten.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from carewise.compliance.extracts import EXTRACTS
from carewise.store.extract_batches import batch_table, rows_table
from carewise.store.schema import metadata

extract_batch = batch_table("compliance_extract_batch")
extract_tables: dict[str, Table] = {
    kind: rows_table(f"compliance_{kind}", extract_batch, [(c.name, c.kind) for c in ex.columns],
                     index="council_id", types={"text": lambda: String(200)})
    for kind, ex in EXTRACTS.items()}
"""Each local extract's current rows (a load replaces them: ``store.extract_batches``)."""

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
