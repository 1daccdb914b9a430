"""Store and load feedback extracts: a load lands whole or not at all, as every extract does.

Loading an extract again marks its earlier batch superseded; the earlier rows stay (nothing is
updated or deleted), so an ask's history is its row in each load, in order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import select

from carewise.ingest.extracts import ROW, ExtractError, ReadTable
from carewise.ingest.problems import Severity, warning
from carewise.store.extract_batches import ExtractBatch, add_batch, covers, list_batches
from carewise.voice import schema as vs
from carewise.voice.extracts import EXTRACTS, TEMPLATE

if TYPE_CHECKING:
    from carewise.store.store import Store

log = logging.getLogger(__name__)


@dataclass
class Voice:
    """The current rows of each feedback extract for one council (empty frames when not loaded)."""

    frames: dict[str, pl.DataFrame] = field(default_factory=dict)

    def get(self, kind: str) -> pl.DataFrame:
        frame = self.frames.get(kind)
        return EXTRACTS[kind].empty() if frame is None else frame

    def loaded(self, kind: str) -> bool:
        return kind in self.frames

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame]) -> Voice:
        """From typed frames (the synthetic generator, tests)."""
        return cls({k: f.select([pl.col(c).cast(t) for c, t in EXTRACTS[k].schema.items()])
                    for k, f in frames.items()})


def _council_id(store: Store, la_code: str) -> int:
    return int(store.council(la_code).id)


def _pledge_refs(store: Store, la_code: str) -> set[str]:
    from carewise.compliance.pledges import list_pledges

    return {p.ref for p in list_pledges(store, la_code, active_only=False)}


def _warn_unknown_pledges(store: Store, la_code: str, reads: list[ReadTable]) -> None:
    """A warning for each row naming a pledge the council has not recorded (a typo, or pledges
    not loaded yet): the row is kept, and counts under no pledge until the pledge exists."""
    known = _pledge_refs(store, la_code)
    for read in reads:
        if "pledge" not in read.frame.columns or read.frame.height == 0:
            continue
        unknown = read.frame.filter(pl.col("pledge").is_not_null() & ~pl.col("pledge").is_in(list(known)))
        for row, ref in unknown.select(ROW, "pledge").head(50).iter_rows():
            read.problems.append(warning(read.file, "this pledge is not one the council has recorded",
                                         "Check the ref against `carewise pledges list`, or load "
                                         "the pledges first", row=row, column="pledge", value=ref,
                                         table=read.kind))


def _warn_unknown_questions(store: Store, la_code: str, reads: list[ReadTable]) -> None:
    """A warning for each answer to a question the survey questions extract does not hold: it is
    kept but tested against no pledge until the question is added."""
    answers = [r for r in reads if r.kind == "survey_responses" and r.frame.height]
    if not answers:
        return
    loaded = [r for r in reads if r.kind == "survey_questions"]
    known = (loaded[0].frame if loaded else load_voice(store, la_code).get("survey_questions"))["question"]
    for read in answers:
        unknown = read.frame.filter(~pl.col("question").is_in(known.to_list()))
        for row, question in unknown.select(ROW, "question").head(50).iter_rows():
            read.problems.append(warning(read.file, "this question is not in the survey questions extract",
                                         "Add it to survey_questions with the pledge it tests (or "
                                         "correct the id)", row=row, column="question", value=question,
                                         table=read.kind))


def import_voice(store: Store, la_code: str, reads: list[ReadTable], imported_by: str | None = None
                 ) -> list[ExtractBatch]:
    """Store checked feedback extracts in one transaction; refuse all if any has an error."""
    problems = [p for r in reads for p in r.problems]
    if any(p.severity == Severity.ERROR for p in problems):
        raise ExtractError(problems, what="feedback files", template=TEMPLATE)
    from carewise.store.store import _default_user

    who = imported_by or _default_user()
    now = datetime.now(UTC)
    cid = _council_id(store, la_code)
    _warn_unknown_pledges(store, la_code, reads)
    _warn_unknown_questions(store, la_code, reads)
    with store.engine.begin() as conn:
        ids = [add_batch(conn, vs.batch, vs.tables[read.kind], cid, read, EXTRACTS[read.kind].names,
                         who=who, now=now, covers=covers(read.frame, EXTRACTS[read.kind].date_column), replace_rows=False)
               for read in reads]
    log.info("loaded %d feedback extract(s) for council %s", len(reads), la_code)
    return [b for b in voice_batches(store, la_code) if b.id in ids]


def voice_batches(store: Store, la_code: str) -> list[ExtractBatch]:
    with store.engine.connect() as conn:
        return list_batches(conn, vs.batch, _council_id(store, la_code))


def _rows(conn, kind: str, cid: int, batch_ids: list[int]) -> pl.DataFrame:
    table, spec = vs.tables[kind], EXTRACTS[kind]
    result = conn.execute(select(table.c.batch_id, *[table.c[c] for c in spec.names])
                          .where(table.c.council_id == cid, table.c.batch_id.in_(batch_ids))
                          .order_by(table.c.batch_id, table.c.row_no)).all()
    return pl.DataFrame(result, schema={"batch_id": pl.Int64(), **spec.schema}, orient="row")


def load_voice(store: Store, la_code: str) -> Voice:
    """The current rows of every loaded feedback extract for a council."""
    cid = _council_id(store, la_code)
    out = Voice()
    with store.engine.connect() as conn:
        current = conn.execute(select(vs.batch.c.id, vs.batch.c.kind).where(
            vs.batch.c.council_id == cid, vs.batch.c.status == "current")).all()
        for bid, kind in current:
            out.frames[kind] = _rows(conn, kind, cid, [bid]).drop("batch_id")
    return out


def ask_history(store: Store, la_code: str) -> dict[str, list[dict[str, Any]]]:
    """Per ask ref, its state in each load where it changed (status, due, response), oldest first:
    the dated history of "you said, we did", read from the batches that are never overwritten."""
    cid = _council_id(store, la_code)
    with store.engine.connect() as conn:
        batches = conn.execute(select(vs.batch.c.id, vs.batch.c.imported_at, vs.batch.c.imported_by)
                               .where(vs.batch.c.council_id == cid, vs.batch.c.kind == "asks")
                               .order_by(vs.batch.c.id)).all()
        frame = _rows(conn, "asks", cid, [b.id for b in batches])
    when = {b.id: (b.imported_at, b.imported_by) for b in batches}
    out: dict[str, list[dict[str, Any]]] = {}
    for row in frame.iter_rows(named=True):
        at, by = when[row["batch_id"]]
        state = {"status": row["status"], "due": row["due"], "we_did": row["we_did"]}
        seen = out.setdefault(row["ref"], [])
        if not seen or {k: seen[-1][k] for k in state} != state:
            seen.append({"at": at, "by": by, **state})
    return out

