"""Placements markets as import batches in the store, on SQLite and PostgreSQL: a load lands whole
with its audit event, a re-load supersedes and keeps the history, every version reads back."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, inspect

from carewise.matching import Market, StoreMarkets, check_extracts, write_templates
from carewise.matching.schema import TABLES
from carewise.matching.store import market_batch, market_row
from carewise.store import Store
from carewise.store.audit import events

LEEDS = "E08000035"


@pytest.fixture
def extracts(tmp_path):
    """The four templates (one example row each: every column type filled in)."""
    return [p for p in write_templates(tmp_path / "market") if p.suffix == ".csv"]


def test_versions_round_trip_supersede_and_audit(db_url, extracts):
    markets = StoreMarkets(Store(db_url))
    frames, _ = check_extracts(extracts)
    first = Market(LEEDS).with_tables(frames)
    assert markets.save(first, actor="analyst", sources=extracts) == "v0001"
    loaded = markets.load(LEEDS)
    for name in TABLES:  # every type survives the store: dates, lists, floats, booleans
        assert loaded.table(name).equals(first.table(name)), name
    second = loaded.with_tables({"referrals": frames["referrals"].head(0)})
    assert markets.save(second, actor="analyst", sources=extracts[3:], loaded=["referrals"]) == "v0002"
    versions = markets.versions(LEEDS)
    assert [(v["version"], v["status"], v["based_on"]) for v in versions] == [
        ("v0001", "superseded", None), ("v0002", "current", "v0001")]
    assert versions[1]["rows"]["referrals"] == 0 and versions[1]["loaded"] == ["referrals"]
    assert markets.load(LEEDS).referrals.height == 0
    assert markets.load(LEEDS, "v0001").referrals.height == frames["referrals"].height
    assert markets.councils() == [LEEDS]
    audited = events(markets.store, action="market-load")
    assert [e.target for e in audited] == ["market v0002", "market v0001"]
    assert all(e.council == LEEDS and e.actor == "analyst" for e in audited)


def test_a_failed_load_stores_nothing_not_even_its_audit_event(db_url, extracts, monkeypatch):
    store = Store(db_url)
    markets = StoreMarkets(store)
    frames, _ = check_extracts(extracts)
    market = Market(LEEDS).with_tables(frames)

    calls = {"n": 0}
    real = store.ensure_council

    def ensure_then_break(conn, *args):
        council_id = real(conn, *args)
        conn.execute(insert(market_batch).values(  # a batch half written…
            council_id=council_id, version=1, imported_at=date(2026, 1, 1), imported_by="x",
            status="current", rows={}, files=[], loaded=[], problems=[]))
        calls["n"] += 1
        raise RuntimeError("disk full")  # …then the load fails

    monkeypatch.setattr(store, "ensure_council", ensure_then_break)
    with pytest.raises(RuntimeError):
        markets.save(market, actor="analyst", sources=extracts)
    assert calls["n"] == 1
    assert markets.versions(LEEDS) == [] and events(store, action="market-load") == []
    with pytest.raises(Exception, match="No market is loaded"):
        markets.load(LEEDS)


def test_migration_0004_creates_the_tables_the_code_defines(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from carewise.store.schema import metadata

    store = Store(db_url)
    names = {market_batch.name, market_row.name}
    assert names <= set(inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if any(n in repr(d) for n in names)] == []
