"""The audit trail: an append-only record of who did what, when.

Sign-ins, imports, exports, settings changes, refused requests (403), every view of a
child-level page and every placement shortlist shown are recorded. The application only
inserts here: no code path updates an audit row, and the one that deletes is :func:`purge`,
which removes only entries older than the retention setting and records that it did.
``target`` names what was acted on by an opaque reference, never a child's personal details.
Times are UTC and carry their zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select

from carewise.store import schema as s

if TYPE_CHECKING:
    from carewise.store.store import Store


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    actor: str
    action: str
    council: str | None
    target: str | None
    detail: dict[str, Any] | None


def record(store: Store, actor: str, action: str, *, council: str | None = None, target: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    """Append one event (its own transaction, so it survives a failure of what follows)."""
    with store.engine.begin() as conn:
        council_id = None
        if council:
            council_id = conn.execute(select(s.council.c.id).where(s.council.c.la_code == council)).scalar()
        conn.execute(
            insert(s.audit_event).values(
                at=datetime.now(UTC), actor=actor, action=action, council_id=council_id,
                target=target, detail=detail,
            )
        )


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show or export: by action, user, and UTC dates (inclusive)."""

    action: str | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None

    def apply(self, query):
        table = s.audit_event
        if self.action:
            query = query.where(table.c.action == self.action)
        if self.actor:
            query = query.where(table.c.actor == self.actor.strip().lower())
        if self.since:
            query = query.where(table.c.at >= datetime.combine(self.since, time.min, UTC))
        if self.until:
            query = query.where(table.c.at < datetime.combine(self.until + timedelta(days=1), time.min, UTC))
        return query


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def events(store: Store, *, action: str | None = None, actor: str | None = None, limit: int | None = 200,
           offset: int = 0, where: AuditFilter | None = None) -> list[AuditEvent]:
    """Newest first; times in UTC (with the zone)."""
    where = where or AuditFilter(action=action, actor=actor)
    query = where.apply(select(s.audit_event, s.council.c.la_code).outerjoin(s.council))
    query = query.order_by(s.audit_event.c.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [AuditEvent(r.id, _as_utc(r.at), r.actor, r.action, r.la_code, r.target, r.detail) for r in rows]


def count(store: Store, action: str | None = None, *, where: AuditFilter | None = None) -> int:
    where = where or AuditFilter(action=action)
    query = where.apply(select(func.count()).select_from(s.audit_event))
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)


def purge(store: Store, retention_days: int, actor: str) -> int:
    """Delete entries older than ``retention_days`` (the council's retention schedule, UK GDPR
    Article 5(1)(e) storage limitation) and record the purge; returns how many went."""
    if retention_days < 1:
        raise ValueError("the retention period is at least one day")
    before = datetime.now(UTC) - timedelta(days=retention_days)
    with store.engine.begin() as conn:
        deleted = conn.execute(delete(s.audit_event).where(s.audit_event.c.at < before)).rowcount or 0
    record(store, actor, "audit-purged",
           detail={"retention_days": retention_days, "before": before.isoformat(), "deleted": deleted})
    return deleted


EXPORT_COLUMNS = ("when_utc", "user", "action", "council", "target", "detail")


def export_frame(store: Store, where: AuditFilter):
    """The matching entries for the data protection officer's export, oldest last (newest first),
    times as ISO 8601 with their zone (``2026-12-06T09:22:55+00:00``)."""
    import json

    import polars as pl

    rows = [(e.at.isoformat(), e.actor, e.action, e.council or "", e.target or "",
             json.dumps(e.detail, sort_keys=True) if e.detail else "")
            for e in events(store, limit=None, where=where)]
    return pl.DataFrame(rows, schema={c: pl.String for c in EXPORT_COLUMNS}, orient="row")
