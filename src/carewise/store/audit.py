"""The audit trail: an append-only record of who did what, when.

Sign-ins, imports, exports, settings changes, every view of a child-level page
and every placement shortlist shown are recorded. The application only ever
inserts here: no code path updates or deletes an audit row. ``target`` names
what was acted on by an opaque reference, never a child's personal details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select

from carewise.store import schema as s


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    actor: str
    action: str
    council: str | None
    target: str | None
    detail: dict[str, Any] | None


def record(store, actor: str, action: str, *, council: str | None = None, target: str | None = None,
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


def events(store, *, action: str | None = None, actor: str | None = None, limit: int = 200,
           offset: int = 0) -> list[AuditEvent]:
    """Newest first."""
    query = select(s.audit_event, s.council.c.la_code).outerjoin(s.council)
    if action:
        query = query.where(s.audit_event.c.action == action)
    if actor:
        query = query.where(s.audit_event.c.actor == actor)
    query = query.order_by(s.audit_event.c.id.desc()).limit(limit).offset(offset)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [AuditEvent(r.id, r.at, r.actor, r.action, r.la_code, r.target, r.detail) for r in rows]


def count(store, action: str | None = None) -> int:
    query = select(func.count()).select_from(s.audit_event)
    if action:
        query = query.where(s.audit_event.c.action == action)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)
