"""Store and load the local extracts: a load lands whole or not at all, like the 903 import.

Every file of a load goes in one transaction. Loading an extract kind again replaces that kind's
rows and marks its earlier batch superseded, so the history of loads is kept while the rows are
always one complete extract. Any error in any file stops the whole load before anything is
written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import polars as pl
from sqlalchemy import select

from carewise.compliance import schema as cs
from carewise.compliance.extracts import EXTRACTS, ExtractError, ReadExtract
from carewise.ingest.extracts import ROW
from carewise.ingest.problems import Severity
from carewise.store import schema as s
from carewise.store.extract_batches import ExtractBatch, add_batch, covers, list_batches

if TYPE_CHECKING:
    from carewise.store.store import Store

log = logging.getLogger(__name__)


@dataclass
class Extracts:
    """The current rows of each local extract for one council (empty frames when not loaded)."""

    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    covers: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    """Per kind: the first and last date in the extract (what it can speak for)."""

    def get(self, kind: str) -> pl.DataFrame:
        frame = self.frames.get(kind)
        return EXTRACTS[kind].empty() if frame is None else frame

    def covers_from(self, kind: str) -> date | None:
        return self.covers.get(kind, (None, None))[0]

    def loaded(self, kind: str) -> bool:
        return kind in self.frames

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame]) -> Extracts:
        """Extracts from typed frames (the synthetic generator, tests); coverage from their dates."""
        out = cls()
        for kind, frame in frames.items():
            typed = frame.select([pl.col(c).cast(t) for c, t in _schema(kind).items()])
            out.frames[kind] = typed
            out.covers[kind] = _covers(kind, typed)
        return out


def _covers(kind: str, frame: pl.DataFrame) -> tuple[date | None, date | None]:
    """The first and last date in an extract's date column (what it can speak for)."""
    return covers(frame, EXTRACTS[kind].date_column)


def _schema(kind: str) -> dict[str, pl.DataType]:
    from carewise.compliance.extracts import schema_of

    return schema_of(EXTRACTS[kind])


def import_extracts(store: Store, la_code: str, reads: list[ReadExtract], imported_by: str | None = None
                    ) -> list[ExtractBatch]:
    """Store checked extracts for a council in one transaction; refuse all if any has an error."""
    problems = [p for r in reads for p in r.problems]
    if any(p.severity == Severity.ERROR for p in problems):
        raise ExtractError(problems)
    kinds = [r.kind for r in reads]
    dup = sorted({k for k in kinds if kinds.count(k) > 1})
    if dup:
        from carewise.errors import BadInputError

        raise BadInputError(f"more than one file holds the {', '.join(dup)} extract; combine them "
                            "into one file per extract (a load replaces the whole extract)")
    from carewise.store.store import _default_user

    who = imported_by or _default_user()
    now = datetime.now(UTC)
    council = store.council(la_code)
    _warn_unknown_children(store, council.id, reads)
    with store.engine.begin() as conn:
        ids = [add_batch(conn, cs.extract_batch, cs.extract_tables[read.kind], council.id, read,
                         EXTRACTS[read.kind].names, who=who, now=now, covers=_covers(read.kind, read.frame),
                         replace_rows=True)
               for read in reads]
    log.info("loaded %d extract(s) for council %s", len(reads), la_code)
    return [b for b in extract_batches(store, la_code) if b.id in ids]


def _warn_unknown_children(store: Store, council_id: int, reads: list[ReadExtract]) -> None:
    """A warning for each row whose child is in no stored 903 return (a typo, or a child the
    903 does not cover): the row is kept, and carewise can tell the analyst where to look."""
    from carewise.ingest.problems import warning

    header = s.return_tables["header"]
    with store.engine.connect() as conn:
        known = set(conn.execute(select(header.c.child).where(header.c.council_id == council_id)
                                 .distinct()).scalars().all())
    for read in reads:
        if read.frame.height == 0:
            continue
        unknown = read.frame.filter(~pl.col("child").is_in(list(known)))
        for row, child in unknown.select(ROW, "child").head(50).iter_rows():
            read.problems.append(warning(read.file, "this child is in no stored 903 return",
                                         "Check the CHILD id against the 903 header; the row is "
                                         "kept but counts for nothing until the 903 holds the child",
                                         row=row, column="child", value=child, table=read.kind))


def extract_batches(store: Store, la_code: str) -> list[ExtractBatch]:
    council = store.council(la_code)
    with store.engine.connect() as conn:
        return list_batches(conn, cs.extract_batch, council.id)


def load_extracts(store: Store, la_code: str) -> Extracts:
    """The current rows of every loaded extract for a council."""
    council = store.council(la_code)
    out = Extracts()
    with store.engine.connect() as conn:
        batches = conn.execute(select(cs.extract_batch).where(
            cs.extract_batch.c.council_id == council.id, cs.extract_batch.c.status == "current")).all()
        for b in batches:
            spec = EXTRACTS[b.kind]
            table = cs.extract_tables[b.kind]
            result = conn.execute(select(*[table.c[c] for c in spec.names])
                                  .where(table.c.council_id == council.id).order_by(table.c.row_no)).all()
            out.frames[b.kind] = pl.DataFrame(result, schema=_schema(b.kind), orient="row")
            out.covers[b.kind] = (b.covers_from, b.covers_to)
    return out


def council_id(store: Store, la_code: str) -> int:
    return store.council(la_code).id  # NotFoundError, saying what to do, when it is not stored
