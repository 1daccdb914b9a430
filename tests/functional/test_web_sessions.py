"""Server-side sessions, accounts and the audit trail, end to end through FastAPI's TestClient:
what a penetration tester tried (replaying a cookie after sign-out, reading it, several workers)
and what a data protection officer needs (refusals audited, UTC times, export, retention)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_helpers import csrf, page_text, sign_in

from carewise.returns.build import return_from_rows
from carewise.store import audit, schema
from carewise.store.accounts import create_user, find_user, update_user

LA = "E06000056"
OTHER = "E06000055"
PASSWORD = "session-tests-password-1"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> tuple[str, Path]:
    from carewise.store import Store

    root = tmp_path_factory.mktemp("web-sessions")
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    for code, prefix in ((LA, "SES"), (OTHER, "OTH")):
        header = [{"CHILD": f"{prefix}{i:04d}", "SEX": "1", "DOB": "03/03/2011", "ETHNIC": "WBRI"} for i in range(6)]
        episodes = [{"CHILD": f"{prefix}{i:04d}", "DECOM": "01/06/2023", "RNE": "S", "LS": "C2", "CIN": "N1",
                     "PLACE": "U4", "PLACE_PROVIDER": "PR1"} for i in range(6)]
        store.import_returns(code, [return_from_rows("2024-25", header=header, episodes=episodes)],
                             council_name=f"Council {code}", synthetic=True)
    for role in ("admin", "analyst", "panel"):
        create_user(store, role, PASSWORD, role, councils=[LA], all_councils=role == "admin")
    return url, root


def _app(db, **settings):
    from carewise.settings import Settings
    from carewise.web import create_app

    url, root = db
    return create_app(url, Settings(data_dir=root / "data", **settings))


@pytest.fixture(scope="module")
def app(db):
    return _app(db)


def _user(app, name: str, role: str = "analyst", councils=(LA,)) -> str:
    if find_user(app.state.store, name) is None:
        create_user(app.state.store, name, PASSWORD, role, councils=list(councils))
    return name


def _cookie(client: TestClient) -> str:
    return client.cookies["carewise_session"]


def _replay(app, cookie: str) -> TestClient:
    client = TestClient(app)
    client.cookies.set("carewise_session", cookie)
    return client


def _session_rows(app) -> list:
    with app.state.store.engine.connect() as conn:
        return conn.execute(select(schema.web_session)).all()


# -- sessions -------------------------------------------------------------------------------------

def test_signing_out_ends_the_session_so_a_saved_cookie_opens_nothing(app):
    client = sign_in(app, _user(app, "leaving.soon"), PASSWORD)
    saved = _cookie(client)
    assert _replay(app, saved).get("/api/v1/councils").status_code == 200
    r = client.post("/logout", data={"csrf_token": csrf(client, "/")}, follow_redirects=False)
    assert r.status_code == 303
    assert _replay(app, saved).get("/api/v1/councils").status_code == 401
    assert _replay(app, saved).get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_the_cookie_is_an_opaque_random_id_and_only_its_hash_is_stored(app):
    client = sign_in(app, _user(app, "opaque.cookie"), PASSWORD)
    cookie = _cookie(client)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie), "32 random bytes, nothing else"
    assert "opaque" not in cookie
    rows = _session_rows(app)
    assert hashlib.sha256(cookie.encode()).hexdigest() in {r.token_hash for r in rows}
    assert all(cookie not in repr(tuple(r)) for r in rows), "the id itself is never stored"


def test_static_files_neither_read_nor_make_a_session(app):
    r = TestClient(app).get("/static/carewise.css")
    assert r.status_code == 200 and "set-cookie" not in r.headers
    assert "content-security-policy" in r.headers


def test_signing_in_starts_a_new_session_id(app):
    client = TestClient(app)
    token = csrf(client)
    before = _cookie(client)
    client.post("/login", data={"username": _user(app, "fixation"), "password": PASSWORD, "csrf_token": token})
    after = _cookie(client)
    assert after != before
    assert _replay(app, before).get("/api/v1/councils").status_code == 401, "a planted id is worthless"


def _age(app, cookie: str, **moments: timedelta) -> None:
    now = datetime.now(UTC)
    with app.state.store.engine.begin() as conn:
        conn.execute(update(schema.web_session)
                     .where(schema.web_session.c.token_hash == hashlib.sha256(cookie.encode()).hexdigest())
                     .values(**{name: now - ago for name, ago in moments.items()}))


def test_a_session_unused_for_30_minutes_ends(app):
    client = sign_in(app, _user(app, "idle.user"), PASSWORD)
    _age(app, _cookie(client), seen_at=timedelta(minutes=29))
    assert client.get("/api/v1/councils").status_code == 200
    _age(app, _cookie(client), seen_at=timedelta(minutes=31))
    assert client.get("/api/v1/councils").status_code == 401


def test_a_busy_session_still_ends_8_hours_after_sign_in(app):
    client = sign_in(app, _user(app, "busy.user"), PASSWORD)
    _age(app, _cookie(client), created_at=timedelta(hours=8, minutes=1), seen_at=timedelta(seconds=5))
    assert client.get("/api/v1/councils").status_code == 401


def test_the_idle_timeout_is_a_setting(db):
    app = _app(db, session_idle_minutes=5)
    client = sign_in(app, _user(app, "short.idle"), PASSWORD)
    _age(app, _cookie(client), seen_at=timedelta(minutes=6))
    assert client.get("/api/v1/councils").status_code == 401


def test_role_and_council_changes_apply_to_the_next_request(app):
    client = sign_in(app, _user(app, "changing.role"), PASSWORD)
    assert client.get("/api/v1/children").status_code == 200
    assert [c["la_code"] for c in client.get("/api/v1/councils").json()] == [LA]
    update_user(app.state.store, "changing.role", role="panel", councils=[OTHER])
    assert client.get("/api/v1/children").status_code == 403
    assert [c["la_code"] for c in client.get("/api/v1/councils").json()] == [OTHER]
    update_user(app.state.store, "changing.role", all_councils=True)
    assert {c["la_code"] for c in client.get("/api/v1/councils").json()} == {LA, OTHER}


def test_switching_an_account_off_ends_its_sessions(app):
    name = _user(app, "switched.off")
    clients = [sign_in(app, name, PASSWORD) for _ in range(2)]
    update_user(app.state.store, name, active=False)
    assert not [r for r in _session_rows(app) if r.username == name]
    assert all(c.get("/api/v1/councils").status_code == 401 for c in clients)


def test_several_workers_share_sessions_and_sign_in_throttling(db):
    """Two apps on one database stand for two ``serve --workers`` processes (or two machines)."""
    first, second = _app(db), _app(db)
    client = sign_in(first, _user(first, "two.workers"), PASSWORD)
    cookie = _cookie(client)
    assert _replay(second, cookie).get("/api/v1/councils").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert _replay(second, cookie).get("/api/v1/councils").status_code == 401, "signed out everywhere"

    attacker = [TestClient(app, client=("203.0.113.66", 5000)) for app in (first, second)]
    tokens = [csrf(c) for c in attacker]
    codes = [attacker[i % 2].post("/login", data={"username": "two.workers", "password": "wrong-password-99",
                                                  "csrf_token": tokens[i % 2]}).status_code for i in range(6)]
    assert codes == [400] * 5 + [429], "five failures counted across both workers"


# -- refusals in the audit trail ---------------------------------------------------------------------

def test_refused_requests_are_audited_with_who_and_what(app):
    panel = sign_in(app, "panel", PASSWORD)
    assert panel.get("/children").status_code == 403
    assert panel.get("/api/v1/children").status_code == 403
    refused = audit.events(app.state.store, action="refused", actor="panel", limit=5)
    assert {e.target for e in refused} >= {"/children", "/api/v1/children"}
    assert all(e.detail["method"] == "GET" for e in refused)
    assert refused[0].at.tzinfo is not None and refused[0].at.utcoffset() == timedelta(0)


# -- passwords and user administration ---------------------------------------------------------------

def test_the_add_user_form_refuses_a_common_password_by_the_password_field_and_keeps_the_entries(app):
    admin = sign_in(app, "admin", PASSWORD)
    page = admin.get("/admin/users").text
    assert re.search(r'<option value="panel"\s+selected', page), "least privilege by default"
    r = admin.post("/admin/users", data={"username": "new.person@example.org", "display_name": "New Person",
                                         "password": "password1234", "role": "analyst", "councils": [LA],
                                         "csrf_token": csrf(admin, "/admin/users")})
    assert r.status_code == 400
    assert re.search(r'id="password-error"[^>]*>.*common passwords', r.text)
    assert 'id="username-error"' not in r.text
    assert 'value="new.person@example.org"' in r.text and 'value="New Person"' in r.text
    assert re.search(r'<option value="analyst"\s+selected', r.text)
    assert re.search(rf'value="{LA}"\s+checked', r.text)
    assert "password1234" not in r.text, "the password is never sent back"
    assert find_user(app.state.store, "new.person@example.org") is None
    r = admin.post("/admin/users", data={"username": "spaces@example.org", "password": " " * 12,
                                         "csrf_token": csrf(admin, "/admin/users")})
    assert r.status_code == 400 and "not only spaces" in r.text


def test_an_admin_grants_councils_and_all_councils(app):
    admin = sign_in(app, "admin", PASSWORD)
    name = _user(app, "granted")
    token = csrf(admin, f"/admin/users/{name}")
    admin.post(f"/admin/users/{name}/councils", data={"councils": [LA, OTHER], "csrf_token": token})
    assert find_user(app.state.store, name).councils == tuple(sorted((LA, OTHER)))
    admin.post(f"/admin/users/{name}/councils", data={"all_councils": "yes", "csrf_token": token})
    person = find_user(app.state.store, name)
    assert person.all_councils and person.councils == ()
    assert audit.events(app.state.store, action="settings-changed", limit=1)[0].target == name


def test_a_reset_password_works_once_to_choose_a_new_one(app):
    name = _user(app, "forgetful")
    theirs = sign_in(app, name, PASSWORD)
    admin = sign_in(app, "admin", PASSWORD)
    r = admin.post(f"/admin/users/{name}/password", data={"csrf_token": csrf(admin, f"/admin/users/{name}")})
    temporary = re.search(r'id="temporary-password">([^<]+)<', r.text).group(1)
    assert theirs.get("/api/v1/councils").status_code == 401, "signed out everywhere"

    user = TestClient(app)
    r = user.post("/login", data={"username": name, "password": temporary, "csrf_token": csrf(user)},
                  follow_redirects=False)
    assert r.headers["location"].startswith("/account/password")
    assert user.get("/population", follow_redirects=False).headers["location"].startswith("/account/password")
    assert user.get("/api/v1/councils").status_code == 403
    token = csrf(user, "/account/password")
    r = user.post("/account/password", data={"current_password": temporary, "new_password": "password1234",
                                             "confirm_password": "password1234", "csrf_token": token})
    assert r.status_code == 400 and 'id="new_password-error"' in r.text
    r = user.post("/account/password", data={"current_password": temporary, "new_password": "tall ships at dawn",
                                             "confirm_password": "tall ships at dawn", "csrf_token": token},
                  follow_redirects=False)
    assert r.status_code == 303
    assert user.get("/api/v1/councils").status_code == 200
    assert not find_user(app.state.store, name).must_change_password
    assert [e.action for e in audit.events(app.state.store, actor=name, limit=3)][0] == "password-changed"


# -- the audit trail for the data protection officer ------------------------------------------------

def test_audit_times_are_shown_in_utc_with_the_zone(app):
    page = page_text(sign_in(app, "admin", PASSWORD).get("/admin/audit").text)
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d UTC", page)


def test_the_audit_export_filters_by_user_and_date_and_neutralises_formulas(app):
    store = app.state.store
    audit.record(store, "=cmd|' /C calc'!A0", "sign-in-failed")
    sign_in(app, "panel", PASSWORD)
    admin = sign_in(app, "admin", PASSWORD)
    today = datetime.now(UTC).date().isoformat()
    r = admin.get("/admin/audit/download", params={"who": "panel", "since": today, "until": today})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {row["user"] for row in rows} == {"panel"}
    assert all(row["when_utc"].startswith(today) and row["when_utc"].endswith("+00:00") for row in rows)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert not list(csv.DictReader(io.StringIO(admin.get("/admin/audit/download",
                                                         params={"until": yesterday}).text)))
    r = admin.get("/admin/audit/download", params={"action": "sign-in-failed", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    users = [c.value for c in sheet["B"]][1:]
    assert "'=cmd|' /C calc'!A0" in users and all(c.data_type == "s" for c in sheet["B"])
    assert audit.events(store, action="export", limit=1)[0].target == "audit"
    assert admin.get("/admin/audit/download", params={"since": "31/03/2025"}).status_code == 400


def test_audit_entries_past_the_retention_period_can_be_purged_and_the_purge_is_audited(db):
    from sqlalchemy import insert

    app = _app(db, audit_retention_days=30)
    store = app.state.store
    with store.engine.begin() as conn:
        conn.execute(insert(schema.audit_event).values(at=datetime.now(UTC) - timedelta(days=31),
                                                       actor="old.entry", action="sign-in"))
    admin = sign_in(app, "admin", PASSWORD)
    r = admin.post("/admin/audit/purge", data={"csrf_token": csrf(admin, "/admin/audit")}, follow_redirects=False)
    assert r.status_code == 303
    assert audit.events(store, actor="old.entry") == []
    purged = audit.events(store, action="audit-purged", limit=1)[0]
    assert purged.actor == "admin" and purged.detail["deleted"] >= 1 and purged.detail["retention_days"] == 30
    assert audit.count(store) > 1, "recent entries stay"
    keep = sign_in(_app(db), "admin", PASSWORD)
    assert keep.post("/admin/audit/purge", data={"csrf_token": csrf(keep, "/admin/audit")}).status_code == 400


# -- exports --------------------------------------------------------------------------------------------

def test_the_explorer_download_neutralises_formulas(app, monkeypatch):
    import polars as pl

    from carewise.web import pages

    hostile = pl.DataFrame({"breakdown": ["Placement"], "category": ["=HYPERLINK(\"http://evil.example\")"],
                            "value": ["3"]})
    monkeypatch.setattr(pages, "_results_table", lambda results: hostile)
    client = sign_in(app, "analyst", PASSWORD)
    rows = list(csv.reader(io.StringIO(client.get("/population/download?format=csv").text)))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil.example\")"
    book = openpyxl.load_workbook(io.BytesIO(client.get("/population/download?format=xlsx").content))
    cell = book.active["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
