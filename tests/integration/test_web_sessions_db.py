"""Sessions, sign-in throttling and the audit purge on each database (SQLite, and PostgreSQL when
CAREWISE_TEST_POSTGRES_URL is set): two apps on one database stand for ``serve --workers 2`` or
two servers behind a proxy, and must share sessions, sign-out and failed sign-in counts."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update

from carewise.store import audit, schema

PASSWORD = "integration-tests-password"


@pytest.fixture
def workers(db_url, tmp_path):
    from carewise.settings import Settings
    from carewise.store import Store
    from carewise.store.accounts import create_user
    from carewise.web import create_app

    store = Store(db_url)
    create_user(store, "analyst", PASSWORD, "analyst")
    return [create_app(db_url, Settings(data_dir=tmp_path / "data")) for _ in range(2)]


def _token(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


def _sign_in(app) -> TestClient:
    client = TestClient(app)
    r = client.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": _token(client)},
                    follow_redirects=False)
    assert r.status_code == 303
    return client


def _with_cookie(app, cookie: str) -> TestClient:
    client = TestClient(app)
    client.cookies.set("carewise_session", cookie)
    return client


def test_a_session_made_by_one_worker_is_known_to_the_other_and_signing_out_ends_it_for_both(workers):
    first, second = workers
    client = _sign_in(first)
    cookie = client.cookies["carewise_session"]
    assert _with_cookie(second, cookie).get("/api/v1/councils").status_code == 200
    with first.state.store.engine.connect() as conn:
        stored = conn.execute(select(schema.web_session.c.token_hash, schema.web_session.c.username)).all()
    assert (hashlib.sha256(cookie.encode()).hexdigest(), "analyst") in [tuple(r) for r in stored]
    _with_cookie(second, cookie).post("/logout", data={"csrf_token": _token(_with_cookie(second, cookie))})
    assert _with_cookie(first, cookie).get("/api/v1/councils").status_code == 401


def test_an_idle_session_ends_on_every_worker(workers):
    first, second = workers
    cookie = _sign_in(first).cookies["carewise_session"]
    with first.state.store.engine.begin() as conn:
        conn.execute(update(schema.web_session).values(seen_at=datetime.now(UTC) - timedelta(minutes=31)))
    assert _with_cookie(second, cookie).get("/api/v1/councils").status_code == 401


def test_failed_sign_ins_are_counted_across_workers(workers):
    clients = [TestClient(app, client=("203.0.113.20", 4000)) for app in workers]
    tokens = [_token(c) for c in clients]
    codes = [clients[i % 2].post("/login", data={"username": "analyst", "password": "not-the-password-1",
                                                 "csrf_token": tokens[i % 2]}).status_code for i in range(6)]
    assert codes == [400] * 5 + [429]


def test_the_purge_removes_only_entries_past_retention_and_is_recorded(db_url):
    from carewise.store import Store

    store = Store(db_url)
    with store.engine.begin() as conn:
        conn.execute(insert(schema.audit_event).values(at=datetime.now(UTC) - timedelta(days=100), actor="old",
                                                       action="sign-in"))
    audit.record(store, "recent", "sign-in")
    assert audit.purge(store, 90, "dpo") == 1
    assert [e.actor for e in audit.events(store)] == ["dpo", "recent"]
    assert all(e.at.utcoffset() == timedelta(0) for e in audit.events(store))
