"""The database schema (SQLAlchemy 2 Core tables; migrations under ``store/migrations``).

903 rows are kept as the text read from the file (one table per 903 table,
``r903_<name>``), keyed by council, collection year and the import batch they
came in; typing happens on load through the same code as a fresh read, so the
stored return and the file give identical frames.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
)

from carewise.returns.tables import TABLES

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

council = Table(
    "council",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la_code", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("synthetic", Boolean, nullable=False, default=False),
)

import_batch = Table(
    "import_batch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("council_id", ForeignKey("council.id"), nullable=False),
    Column("year", Integer, nullable=False, doc="collection start year: 2024 = 2024-25"),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("status", String(20), nullable=False, doc="current | superseded"),
    Column("children", Integer, nullable=False),
    Column("episodes", Integer, nullable=False),
    Column("counts", JSON, nullable=False, doc="rows per table"),
    Column("problems", JSON, nullable=False, doc="warnings found while reading"),
    Column("validation", JSON, nullable=True, doc="validation summary, when run"),
    Column("source", String(20), nullable=False, default="csv"),
    Index("ix_import_batch_council_year", "council_id", "year"),
    # One current batch per council and year, whatever imports run at once (migration 0005_batch_unique).
    Index("uq_import_batch_current", "council_id", "year", unique=True,
          sqlite_where=text("status = 'current'"), postgresql_where=text("status = 'current'")),
)

batch_file = Table(
    "batch_file",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False, index=True),
    Column("name", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("encoding", String(20), nullable=False),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False, index=True),
    Column("council_id", ForeignKey("council.id"), nullable=True),
    Column("target", String(200), nullable=True, doc="what was acted on (never a child's details)"),
    Column("detail", JSON, nullable=True),
)
"""Append-only: the application never updates audit rows, and deletes only those older than the
retention setting (``audit.purge``, itself audited)."""


def _return_table(name: str) -> Table:
    spec = TABLES[name]
    return Table(
        f"r903_{name}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("council_id", ForeignKey("council.id"), nullable=False),
        Column("year", Integer, nullable=False),
        Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
        Column("row_no", Integer, nullable=False),
        Column("source_line", Integer, nullable=True),  # XML: the line the row starts on (0009)
        *[Column(c.lower(), Text, nullable=True) for c in spec.all_columns],
        Index(f"ix_r903_{name}_council_year", "council_id", "year"),
    )


return_tables: dict[str, Table] = {name: _return_table(name) for name in TABLES}

web_user = Table(
    "web_user",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(200), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(300), nullable=True, doc="argon2; null for single-sign-on accounts"),
    Column("role", String(20), nullable=False, doc="admin | analyst | manager | panel"),
    Column("active", Boolean, nullable=False, default=True),
    Column("all_councils", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("must_change_password", Boolean, nullable=False, default=False, server_default=false(),
           doc="set when an administrator resets the password: the user chooses a new one at sign-in"),
)

user_council = Table(
    "user_council",
    metadata,
    Column("user_id", ForeignKey("web_user.id"), primary_key=True),
    Column("council_id", ForeignKey("council.id"), primary_key=True),
)
"""Which councils' data a user may see (admins granted ``all_councils`` see every council)."""


web_session = Table(
    "web_session",
    metadata,
    Column("token_hash", String(64), primary_key=True, doc="SHA-256 of the cookie's random id; the id is never stored"),
    Column("username", String(200), nullable=True, index=True, doc="who signed in (null before sign-in)"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
    Column("data", JSON, nullable=False, doc="CSRF token, chosen council, single sign-on state"),
)
"""Server-side web sessions: signing out deletes the row, so a copied cookie opens nothing."""

login_failure = Table(
    "login_failure",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(500), nullable=False, doc="pair:<name> <address> | addr:<address> | user:<name>"),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Index("ix_login_failure_key_at", "key", "at"),
)
"""Failed sign-ins, counted in the database so that every server process shares the counts."""
