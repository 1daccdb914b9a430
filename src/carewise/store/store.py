"""The store: import batches of 903 returns, landed whole or not at all.

Each import of a collection year is a batch (when, who, file names and hashes,
counts, problems, validation summary). Importing a year again replaces that
year's rows inside one transaction and marks the earlier batch superseded, so
the batch history stays while the data is always one complete return.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    create_engine,
    delete,
    event,
    insert,
    select,
    text,
    update,
)

from carewise.errors import NotFoundError
from carewise.history import History, stitch
from carewise.returns.model import ROW, Return, SourceFile
from carewise.returns.tables import TABLES
from carewise.returns.years import CollectionYear
from carewise.store import schema as s

log = logging.getLogger(__name__)

_CHUNK = 20_000


@dataclass(frozen=True)
class Council:
    id: int
    la_code: str
    name: str
    synthetic: bool


@dataclass(frozen=True)
class Batch:
    id: int
    council: str
    year: CollectionYear
    imported_at: datetime
    imported_by: str
    status: str
    children: int
    episodes: int
    counts: dict[str, int]
    files: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    validation: dict[str, Any] | None


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade(engine: Engine) -> None:
    """Bring the database to the latest schema with alembic (every branch head: capabilities add
    their own migrations beside each other)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


class Store:
    """A council database: councils, import batches, 903 rows and the audit trail."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        if url is None:
            from carewise.settings import get_settings

            url = get_settings().resolved_database_url()
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)

    # -- councils -------------------------------------------------------------------------

    def councils(self) -> list[Council]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.council).order_by(s.council.c.la_code)).all()
        return [Council(r.id, r.la_code, r.name, bool(r.synthetic)) for r in rows]

    def council(self, la_code: str) -> Council:
        for c in self.councils():
            if c.la_code == la_code:
                return c
        raise NotFoundError(f"no data is stored for council {la_code}; import its 903 files first")

    def ensure_council(self, conn: Connection, la_code: str, name: str) -> int:
        """The council's id in this transaction, adding it (as ``name``) if it is not stored yet;
        a stored council keeps its name (e.g. a market loaded before any 903 return)."""
        found = conn.execute(select(s.council.c.id).where(s.council.c.la_code == la_code)).scalar()
        return int(found) if found is not None else self._ensure_council(conn, la_code, name, False)

    def _ensure_council(self, conn: Connection, la_code: str, name: str | None, synthetic: bool) -> int:
        found = conn.execute(select(s.council.c.id).where(s.council.c.la_code == la_code)).scalar()
        if found is not None:
            if name:
                conn.execute(update(s.council).where(s.council.c.id == found).values(name=name))
            return int(found)
        return new_id(
            conn.execute(
                insert(s.council).values(la_code=la_code, name=name or la_code, synthetic=synthetic)
            )
        )

    # -- import ---------------------------------------------------------------------------

    def import_returns(
        self,
        la_code: str,
        returns: Iterable[Return],
        *,
        council_name: str | None = None,
        synthetic: bool = False,
        imported_by: str | None = None,
        problems: dict[CollectionYear, list[dict[str, Any]]] | None = None,
        validation: dict[CollectionYear, dict[str, Any]] | None = None,
        source: str = "csv",
        progress: Callable[[str, int], None] | None = None,
    ) -> list[Batch]:
        """Store returns as one batch per year, all in one transaction."""
        who = imported_by or _default_user()
        now = datetime.now(UTC)
        batch_ids: list[int] = []
        items = sorted(returns, key=lambda r: r.year)
        with self.engine.begin() as conn:
            _lock_council_imports(conn, la_code)
            council_id = self._ensure_council(conn, la_code, council_name, synthetic)
            for ret in items:
                year = ret.year.start_year
                conn.execute(
                    update(s.import_batch)
                    .where(s.import_batch.c.council_id == council_id, s.import_batch.c.year == year,
                           s.import_batch.c.status == "current")
                    .values(status="superseded")
                )
                batch_id = new_id(
                    conn.execute(
                        insert(s.import_batch).values(
                            council_id=council_id,
                            year=year,
                            imported_at=now,
                            imported_by=who,
                            status="current",
                            children=ret.children,
                            episodes=ret.episodes,
                            counts=ret.counts(),
                            problems=(problems or {}).get(ret.year, []),
                            validation=(validation or {}).get(ret.year),
                            source=source,
                        )
                    )
                )
                batch_ids.append(batch_id)
                for src in ret.sources.values():
                    conn.execute(
                        insert(s.batch_file).values(
                            batch_id=batch_id, name=Path(src.path).name, sha256=src.sha256,
                            table_name=src.table, rows=src.rows, encoding=src.encoding,
                        )
                    )
                for name, table in s.return_tables.items():
                    conn.execute(delete(table).where(table.c.council_id == council_id, table.c.year == year))
                    if name in ret.raw:
                        lines = ret.sources[name].lines if name in ret.sources else None
                        self._insert_rows(conn, table, ret.raw[name], council_id, year, batch_id, lines)
                    if progress:
                        progress(f"{ret.year} {name}", ret.raw[name].height if name in ret.raw else 0)
        log.info("imported %d collection year(s) for council %s", len(items), la_code)
        return [b for b in self.batches(la_code) if b.id in batch_ids]

    @staticmethod
    def _insert_rows(conn: Connection, table, raw: pl.DataFrame, council_id: int, year: int, batch_id: int,
                     lines: list[int] | None = None) -> None:
        fixed = ("id", "council_id", "year", "batch_id", "row_no", "source_line")
        spec_cols = [c.name for c in table.columns if c.name not in fixed]
        present = {c.lower(): c for c in raw.columns}
        # An XML file's line per row (SourceFile.lines, row N is lines[N - 1]) is kept so reports on
        # the stored return can still point into the file.
        line = (pl.lit(pl.Series(lines, dtype=pl.Int64)).gather(pl.col(ROW) - 1)
                if lines and len(lines) >= raw.height else pl.lit(None, dtype=pl.Int64))
        frame = raw.select(
            pl.lit(council_id).alias("council_id"),
            pl.lit(year).alias("year"),
            pl.lit(batch_id).alias("batch_id"),
            pl.col(ROW).alias("row_no"),
            line.alias("source_line"),
            *[
                (pl.col(present[c]) if c in present else pl.lit(None, dtype=pl.String)).alias(c)
                for c in spec_cols
            ],
        )
        cols = frame.columns
        placeholders = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(cols))
        if conn.dialect.name == "postgresql":
            _copy_rows(conn, table.name, cols, frame)
            return
        sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({placeholders})"
        for start in range(0, frame.height, _CHUNK):
            chunk = frame.slice(start, _CHUNK)
            conn.exec_driver_sql(sql, chunk.rows())

    # -- reading --------------------------------------------------------------------------

    def years(self, la_code: str) -> list[CollectionYear]:
        council = self.council(la_code)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(s.import_batch.c.year).where(
                    s.import_batch.c.council_id == council.id, s.import_batch.c.status == "current"
                ).order_by(s.import_batch.c.year)
            ).scalars().all()
        return [CollectionYear(int(y)) for y in rows]

    def load_return(self, la_code: str, year: CollectionYear | str) -> Return:
        the_year = CollectionYear.parse(year)
        council = self.council(la_code)
        with self.engine.connect() as conn:
            return self._load(conn, council.id, the_year)

    def load_returns(self, la_code: str) -> dict[CollectionYear, Return]:
        """Every stored collection year of a council, as returns."""
        council = self.council(la_code)
        years = self.years(la_code)
        with self.engine.connect() as conn:
            return {y: self._load(conn, council.id, y) for y in years}

    def load_history(self, la_code: str) -> History:
        return stitch(self.load_returns(la_code))

    def _load(self, conn: Connection, council_id: int, year: CollectionYear) -> Return:
        batch = conn.execute(
            select(s.import_batch).where(
                s.import_batch.c.council_id == council_id, s.import_batch.c.year == year.start_year,
                s.import_batch.c.status == "current",
            )
        ).first()
        if batch is None:
            raise NotFoundError(f"collection year {year} is not stored for this council")
        files = conn.execute(select(s.batch_file).where(s.batch_file.c.batch_id == batch.id)).all()
        sources = {f.table_name: SourceFile(f.name, f.sha256, f.rows, f.table_name, f.encoding) for f in files}
        raw: dict[str, pl.DataFrame] = {}
        for name in (batch.counts or {}):
            table = s.return_tables[name]
            spec = TABLES[name]
            cols = ["row_no", "source_line", *[c.lower() for c in spec.all_columns]]
            result = conn.execute(
                select(*[table.c[c] for c in cols])
                .where(table.c.council_id == council_id, table.c.year == year.start_year)
                .order_by(table.c.row_no)
            ).all()
            frame = pl.DataFrame(
                result, schema={"row_no": pl.Int64, "source_line": pl.Int64, **{c: pl.String for c in cols[2:]}},
                orient="row",
            )
            if name in sources and frame["source_line"].null_count() < frame.height:
                sources[name].lines = frame["source_line"].fill_null(0).to_list()
            frame = frame.drop("source_line")
            frame = frame.rename({"row_no": ROW, **{c.lower(): c for c in spec.all_columns}})
            optional_empty = [c for c in spec.optional_columns if frame[c].null_count() == frame.height]
            raw[name] = frame.drop(optional_empty)
        return Return(year, raw=raw, sources=sources, received=_received(conn, batch))

    def batches(self, la_code: str | None = None) -> list[Batch]:
        query = select(s.import_batch, s.council.c.la_code).join(s.council)
        if la_code is not None:
            query = query.where(s.council.c.la_code == la_code)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(s.import_batch.c.id)).all()
            files_query = select(s.batch_file)
            if la_code is not None:
                # only this council's files: a server holding every council stays quick
                files_query = files_query.where(
                    s.batch_file.c.batch_id.in_(
                        select(s.import_batch.c.id).join(s.council).where(s.council.c.la_code == la_code)
                    )
                )
            files = conn.execute(files_query).all()
        by_batch: dict[int, list[dict[str, Any]]] = {}
        for f in files:
            by_batch.setdefault(f.batch_id, []).append(
                {"name": f.name, "sha256": f.sha256, "table": f.table_name, "rows": f.rows}
            )
        return [
            Batch(
                id=r.id, council=r.la_code, year=CollectionYear(r.year), imported_at=r.imported_at,
                imported_by=r.imported_by, status=r.status, children=r.children, episodes=r.episodes,
                counts=dict(r.counts or {}), files=by_batch.get(r.id, []), problems=list(r.problems or []),
                validation=r.validation,
            )
            for r in rows
        ]

    def status(self, la_code: str) -> dict[str, Any]:
        """What is stored for a council (the ``carewise status --json`` shape)."""
        council = self.council(la_code)
        years: dict[str, Any] = {}
        for b in self.batches(la_code):
            if b.status != "current":
                continue
            years[b.year.label] = {
                "children": b.children,
                "episodes": b.episodes,
                "tables": b.counts,
                "batch": b.id,
                "imported_at": b.imported_at.isoformat(),
                "imported_by": b.imported_by,
                "validation": b.validation,
            }
        return {"council": {"la_code": council.la_code, "name": council.name, "synthetic": council.synthetic},
                "years": dict(sorted(years.items()))}


def _received(conn: Connection, batch) -> date | None:
    """The day a correction was received: the import date of the latest batch of the same year
    whose files differ from the batch before it. A first import is left undated
    (``Return.known_from`` is then the year's end): it is often a load of past years, long after
    the council had them. Loading the same files again (same SHA-256 hashes) is not a correction,
    so re-running an import does not make every year look received today."""
    chain = conn.execute(
        select(s.import_batch.c.id, s.import_batch.c.imported_at).where(
            s.import_batch.c.council_id == batch.council_id, s.import_batch.c.year == batch.year,
            s.import_batch.c.id <= batch.id,
        ).order_by(s.import_batch.c.id)
    ).all()
    if len(chain) < 2:
        return None
    hashes: dict[int, set[str]] = {r.id: set() for r in chain}
    for f in conn.execute(
        select(s.batch_file.c.batch_id, s.batch_file.c.sha256).where(s.batch_file.c.batch_id.in_(list(hashes)))
    ):
        hashes[f.batch_id].add(f.sha256)
    received = None
    for before, after in zip(chain, chain[1:], strict=False):
        if not hashes[after.id] or hashes[after.id] != hashes[before.id]:  # no files: assume changed
            received = after.imported_at.date()
    return received


def _lock_council_imports(conn: Connection, la_code: str) -> None:
    """Imports for one council wait for each other, so the later one supersedes the earlier's batch
    instead of both marking the old one superseded and leaving two current batches.

    PostgreSQL: a transaction-level advisory lock (released at commit or rollback). SQLite allows
    one writer at a time already. The unique index ``uq_import_batch_current`` (migration
    0005_batch_unique) refuses a second current batch whatever happens.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"carewise import {la_code}"})


def new_id(result: CursorResult[Any]) -> int:
    """The id the database gave the row just inserted."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database gave no id for the new row")
    return int(key[0])


def _copy_rows(conn: Connection, table_name: str, cols: list[str], frame: pl.DataFrame) -> None:
    """PostgreSQL: COPY is an order of magnitude faster than INSERT for whole returns."""
    raw_conn = conn.connection.driver_connection
    if raw_conn is None:
        raise RuntimeError("the PostgreSQL connection is closed")
    with raw_conn.cursor() as cur, cur.copy(f"COPY {table_name} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in frame.iter_rows():
            copy.write_row(row)


def _default_user() -> str:
    from carewise.settings import get_settings

    configured = get_settings().user
    if configured:
        return configured
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on some CI machines
        return "unknown"
