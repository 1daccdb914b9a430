"""Where loaded markets are kept: import batches in the store, like the 903 and local extracts.

Each load of a council's market is a ``market_batch`` (version number, when, who, source files
and their hashes, rows per extract, the warnings found while reading) holding every row of the
four extracts as it stood after that load (``market_row``: one JSON object per row, so a field
added to ``matching.schema`` needs no migration; older batches read it as blank). A load runs
in one transaction with its audit event: the new batch becomes current and the previous one is
marked superseded, so the market is always one complete load and every earlier version can
still be read (``load(la_code, "v0002")``). Migration ``0004_market_batches``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import polars as pl
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
    update,
)

from carewise.errors import NotFoundError
from carewise.ingest.extracts import ROW
from carewise.matching.market import Market, empty
from carewise.matching.schema import TABLES
from carewise.store import schema as s
from carewise.store.store import new_id

if TYPE_CHECKING:
    from carewise.store import Store

market_batch = Table(
    "market_batch",
    s.metadata,
    Column("id", Integer, primary_key=True),
    Column("council_id", ForeignKey("council.id"), nullable=False),
    Column("version", Integer, nullable=False, doc="1, 2, … per council (shown as v0001)"),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("status", String(20), nullable=False, doc="current | superseded"),
    Column("rows", JSON, nullable=False, doc="rows per extract"),
    Column("files", JSON, nullable=False, doc="source files: name and sha256"),
    Column("loaded", JSON, nullable=False, doc="extracts this load brought (others carried forward)"),
    Column("problems", JSON, nullable=False, doc="warnings found while reading"),
    UniqueConstraint("council_id", "version"),
)

market_row = Table(
    "market_row",
    s.metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("market_batch.id"), nullable=False),
    Column("extract", String(40), nullable=False, doc="carers | providers | vacancies | referrals"),
    Column("row_no", Integer, nullable=False, doc="row of the source file"),
    Column("data", JSON, nullable=False, doc="the typed row (dates as YYYY-MM-DD)"),
    Index("ix_market_row_batch_extract", "batch_id", "extract"),
)


class MarketStore(Protocol):
    """What matching needs from storage."""

    def save(self, market: Market, *, actor: str, sources: list[Path] | list[dict],
             loaded: list[str] | None = None, problems: list[dict] | None = None) -> str: ...

    def load(self, la_code: str, version: str | None = None) -> Market: ...

    def versions(self, la_code: str) -> list[dict]: ...

    def councils(self) -> list[str]: ...


def market_root(data_dir: str | Path) -> Path:
    """The folder of councils' matching settings (``<data folder>/market/<la_code>/matching.toml``);
    the caller gives the data folder from its settings."""
    return Path(data_dir) / "market"


def _label(number: int) -> str:
    return f"v{number:04d}"


def _number(version: str) -> int | None:
    text = version.strip().lower().removeprefix("v")
    return int(text) if text.isdigit() else None


def _json_rows(frame: pl.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: dates as ISO text, the source row apart."""
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    frame = frame.with_columns(pl.col(dates).dt.strftime("%Y-%m-%d")) if dates else frame
    return frame.to_dicts()


def _frame(name: str, rows: list[tuple[int, dict]]) -> pl.DataFrame:
    """The typed frame of one extract from stored rows (fields added since are blank)."""
    schema = empty(name).schema
    text = {c: (pl.String if t == pl.Date else t) for c, t in schema.items()}
    data = [{**{c: d.get(c) for c in text if c != ROW}, ROW: row_no} for row_no, d in rows]
    frame = pl.DataFrame(data, schema=text, strict=False) if data else pl.DataFrame(schema=text)
    return frame.with_columns(pl.col(c).str.to_date("%Y-%m-%d") for c, t in schema.items()
                              if t == pl.Date)


class StoreMarkets:
    """Markets as import batches in a ``carewise.store.Store`` (SQLite or PostgreSQL)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def councils(self) -> list[str]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(s.council.c.la_code).select_from(s.council).join(market_batch)
                                .distinct().order_by(s.council.c.la_code)).scalars().all()
        return list(rows)

    def versions(self, la_code: str) -> list[dict]:
        """Every load of the council's market, oldest first."""
        query = (select(market_batch, s.council.c.la_code).select_from(market_batch).join(s.council)
                 .where(s.council.c.la_code == la_code).order_by(market_batch.c.version))
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        out, previous = [], None
        for r in rows:
            at = r.imported_at if r.imported_at.tzinfo else r.imported_at.replace(tzinfo=UTC)
            out.append({"version": _label(r.version), "la_code": r.la_code,
                        "created_at": at.astimezone(UTC).isoformat(timespec="seconds"),
                        "actor": r.imported_by, "status": r.status, "based_on": previous,
                        "rows": dict(r.rows), "loaded": list(r.loaded),
                        "sources": list(r.files), "warnings": len(r.problems or [])})
            previous = _label(r.version)
        return out

    def save(self, market: Market, *, actor: str, sources: list[Path] | list[dict],
             loaded: list[str] | None = None, problems: list[dict] | None = None) -> str:
        """Store the market as the council's next version, with its audit event, all or nothing.

        ``sources``: the files loaded (hashed here), or their ``{"file", "sha256"}`` records."""
        from carewise.geo import la_name

        files = [p if isinstance(p, dict) else
                 {"file": Path(p).name, "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest()}
                 for p in sources]
        rows = {name: market.table(name).height for name in TABLES}
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # loads for one council wait for each other
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                             {"key": f"carewise market {market.la_code}"})
            council_id = self.store.ensure_council(conn, market.la_code, la_name(market.la_code))
            last = conn.execute(select(func.max(market_batch.c.version)).where(
                market_batch.c.council_id == council_id)).scalar()
            number = (last or 0) + 1
            conn.execute(update(market_batch).where(market_batch.c.council_id == council_id,
                                                    market_batch.c.status == "current")
                         .values(status="superseded"))
            batch_id = new_id(conn.execute(insert(market_batch).values(
                council_id=council_id, version=number, imported_at=now, imported_by=actor,
                status="current", rows=rows, files=files,
                loaded=sorted(loaded if loaded is not None else TABLES),
                problems=problems or [])))
            for name in TABLES:
                frame = market.table(name)
                if frame.height == 0:
                    continue
                row_nos = (frame[ROW].cast(pl.Int64).to_list() if ROW in frame.columns
                           else list(range(1, frame.height + 1)))
                data = _json_rows(frame.drop(ROW, strict=False))
                conn.execute(insert(market_row), [
                    {"batch_id": batch_id, "extract": name, "row_no": n, "data": d}
                    for n, d in zip(row_nos, data, strict=True)])
            conn.execute(insert(s.audit_event).values(
                at=now, actor=actor, action="market-load", council_id=council_id,
                target=f"market {_label(number)}",
                detail={"version": _label(number), "rows": rows, "files": files,
                        "loaded": sorted(loaded if loaded is not None else TABLES)}))
        return _label(number)

    def import_parquet(self, root: Path) -> dict[str, int]:
        """Bring markets kept by earlier carewise versions as parquet folders
        (``<root>/<la_code>/v0001/``: one parquet file per extract and a ``manifest.json``) into
        the store, each version in order as a batch. A council that already has a market in the
        store is left alone, so running it twice imports nothing twice. Versions per council."""
        imported: dict[str, int] = {}
        have = set(self.councils())
        folders = sorted(p for p in Path(root).iterdir() if p.is_dir()) if Path(root).exists() else []
        for folder in (f for f in folders if f.name not in have):
            for version in sorted(folder.glob("v[0-9][0-9][0-9][0-9]")):
                manifest = version / "manifest.json"
                if not manifest.exists():
                    continue  # a load that never finished
                about = json.loads(manifest.read_text("utf-8"))
                tables = {name: pl.read_parquet(path) if (path := version / f"{name}.parquet").exists()
                          else empty(name) for name in TABLES}
                self.save(Market.from_frames(folder.name, tables), actor=about.get("actor") or "unknown",
                          sources=about.get("sources") or [])
                imported[folder.name] = imported.get(folder.name, 0) + 1
        return imported

    def load(self, la_code: str, version: str | None = None) -> Market:
        """The current market (or an earlier version) of a council."""
        versions = self.versions(la_code)
        if not versions:
            raise NotFoundError(f"No market is loaded for {la_code}. Load the extracts with "
                                "`carewise market load FILES --council CODE` (templates: "
                                "`carewise market template DIR`).")
        chosen = _number(version) if version else _number(versions[-1]["version"])
        if chosen is None or _label(chosen) not in {v["version"] for v in versions}:
            known = ", ".join(v["version"] for v in versions)
            raise NotFoundError(f"No market version {version} for {la_code}. Versions: {known}.")
        query = (select(market_row.c.extract, market_row.c.row_no, market_row.c.data)
                 .select_from(market_row).join(market_batch).join(s.council)
                 .where(s.council.c.la_code == la_code, market_batch.c.version == chosen)
                 .order_by(market_row.c.id))
        with self.store.engine.connect() as conn:
            stored = conn.execute(query).all()
        by_name: dict[str, list[tuple[int, dict]]] = {name: [] for name in TABLES}
        for extract, row_no, data in stored:
            if extract in by_name:
                by_name[extract].append((row_no, data))
        tables = {name: _frame(name, rows) for name, rows in by_name.items()}
        return Market(la_code, version=_label(chosen), **tables)
