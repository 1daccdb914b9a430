"""The web app on each database (SQLite, and PostgreSQL when CAREWISE_TEST_POSTGRES_URL is set):
a user sees only their councils' data, and no route can change the audit trail."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from carewise.returns.build import return_from_rows

A, B = "E06000056", "E06000002"
PASSWORD = "integration-tests-password"


def _return(year: str, prefix: str, children: int):
    header = [{"CHILD": f"{prefix}{i:04d}", "SEX": "2", "DOB": "03/03/2012", "ETHNIC": "WBRI"}
              for i in range(children)]
    episodes = [{"CHILD": f"{prefix}{i:04d}", "DECOM": "01/06/2023", "RNE": "S", "LS": "C2", "CIN": "N1",
                 "PLACE": "U4", "PLACE_PROVIDER": "PR1"} for i in range(children)]
    return return_from_rows(year, header=header, episodes=episodes)


@pytest.fixture
def app(db_url, tmp_path):
    """Two councils (A with 9 children, B with 7), an analyst and a panel member of each, an admin."""
    from carewise.settings import Settings
    from carewise.store import Store
    from carewise.store.accounts import create_user
    from carewise.web import create_app

    store = Store(db_url)
    store.import_returns(A, [_return("2024-25", "AAA", 9)], council_name="Council A", synthetic=True)
    store.import_returns(B, [_return("2024-25", "BBB", 7)], council_name="Council B", synthetic=True)
    create_user(store, "admin", PASSWORD, "admin", all_councils=True)
    for council, tag in ((A, "a"), (B, "b")):
        create_user(store, f"analyst-{tag}", PASSWORD, "analyst", councils=[council])
        create_user(store, f"panel-{tag}", PASSWORD, "panel", councils=[council])
    return create_app(db_url, Settings(data_dir=tmp_path / "data"))


def token(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


def signed_in(app, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token(client)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def test_users_see_only_their_own_councils_data(app):
    a = signed_in(app, "analyst-a")
    assert [c["la_code"] for c in a.get("/api/v1/councils").json()] == [A]
    assert a.get("/api/v1/status").json()["council"]["la_code"] == A
    children = a.get("/api/v1/children").json()
    assert len(children) == 9 and all(c["child"].startswith("AAA") for c in children)
    listing = a.get("/children").text
    assert "AAA0000" in listing and "BBB" not in listing
    assert "Council B" not in a.get("/").text

    # asking for the other council is refused, and leaves the session on its own council
    r = a.post("/council", data={"council": B, "csrf_token": token(a)}, follow_redirects=False)
    assert r.status_code == 403
    assert a.get("/api/v1/status").json()["council"]["la_code"] == A

    # B's children cannot be opened by reference, by page or by API
    ref_b = app.state.data.child_ref(B, "BBB0001")
    assert a.get(f"/children/{ref_b}").status_code == 404
    assert a.get(f"/api/v1/children/{ref_b}").status_code == 404

    b = signed_in(app, "panel-b")
    measures = {m["id"]: m for m in b.get("/api/v1/measures").json()}
    assert measures["cla_at_date"]["value"] == 7, "panel B sees council B's figure"


def test_an_admin_switches_between_councils(app):
    admin = signed_in(app, "admin")
    assert {c["la_code"] for c in admin.get("/api/v1/councils").json()} == {A, B}
    r = admin.post("/council", data={"council": B, "csrf_token": token(admin)}, follow_redirects=False)
    assert r.status_code == 303
    assert admin.get("/api/v1/status").json()["council"]["la_code"] == B
    assert {c["child"][:3] for c in admin.get("/api/v1/children").json()} == {"BBB"}
    ref = app.state.data.child_ref(B, "BBB0001")
    assert admin.get(f"/children/{ref}").status_code == 200


def _audit_rows(store) -> list[tuple]:
    from carewise.store import audit

    return [(e.id, e.at, e.actor, e.action, e.council, e.target, e.detail)
            for e in audit.events(store, limit=100_000)]


def _fill(path: str) -> str:
    """A route's path with its parameters filled in (pointing at the first audit row where it can)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def _routes(routes, prefix: str = ""):
    """(path, methods) of every route, looking inside included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes, prefix + getattr(inner, "prefix", ""))
        elif getattr(route, "methods", None):
            path = route.path if route.path.startswith(prefix) else prefix + route.path
            yield path, route.methods


def test_no_route_changes_or_removes_audit_rows(app):
    store = app.state.store
    admin = signed_in(app, "admin")
    admin.post("/council", data={"council": A, "csrf_token": token(admin)})
    r = admin.get(f"/children/{app.state.data.child_ref(A, 'AAA0001')}")  # something worth hiding
    assert r.status_code == 200
    before = _audit_rows(store)
    assert any(row[3] == "view-child" for row in before)

    writes = [(method, path) for path, methods in _routes(app.routes)
              for method in sorted(methods) if method not in ("GET", "HEAD")]
    assert writes, "the app has forms"
    attempts = [(m, _fill(p)) for m, p in writes if p != "/logout"]
    attempts += [(m, p) for p in ("/admin/audit", "/admin/audit/1", "/api/v1/audit", "/api/v1/audit/1")
                 for m in ("POST", "PUT", "PATCH", "DELETE")]
    hostile = {"csrf_token": token(admin), "id": "1", "action": "nothing", "actor": "nobody",
               "target": "", "detail": "{}", "delete": "yes", "role": "panel", "active": "yes"}
    for method, path in attempts:
        r = admin.request(method, path, data=hostile, follow_redirects=False)
        assert r.status_code < 500, (method, path, r.status_code)
    for method in ("PUT", "PATCH", "DELETE"):
        assert admin.request(method, "/admin/audit").status_code in (404, 405)

    after = _audit_rows(store)
    kept = {row[0]: row for row in after}
    assert all(kept.get(row[0]) == row for row in before), "every earlier row is still there, unchanged"
    assert len(after) >= len(before)
