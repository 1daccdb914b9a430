"""Fuzzing the JSON API from its own OpenAPI description (schemathesis, in process through ASGI),
signed in as an admin and as a panel member: no input gives a server error, and every 200 answer
matches the documented schema. Bounded (a few examples per operation) to stay well under a minute."""

from __future__ import annotations

import re

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from carewise.returns.build import return_from_rows

LA = "E06000056"
PASSWORD = "api-fuzz-tests-password"


def _return(year: str, start: int):
    ids = [f"F{i:04d}" for i in range(start, start + 15)]
    header = [{"CHILD": c, "SEX": "1" if i % 3 else "2", "DOB": f"0{1 + i % 9}/05/20{10 + i % 8}",
               "ETHNIC": "WBRI" if i % 4 else "AIND"} for i, c in enumerate(ids)]
    episodes = [{"CHILD": c, "DECOM": f"0{1 + i % 9}/06/{year[:4]}", "RNE": "S", "LS": "C2" if i % 2 else "V2",
                 "CIN": "N1", "PLACE": "U4" if i % 3 else "K2", "PLACE_PROVIDER": "PR1",
                 "DEC": "01/02/" + year[:2] + year[5:] if i % 5 == 0 else ""} for i, c in enumerate(ids)]
    return return_from_rows(year, header=header, episodes=episodes)


def _app(tmp_path_factory):
    from carewise.settings import Settings
    from carewise.store import Store
    from carewise.store.accounts import create_user
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("api-fuzz")
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    store.import_returns(LA, [_return("2023-24", 0), _return("2024-25", 10)], council_name="Fuzz council",
                         synthetic=True)
    create_user(store, "admin", PASSWORD, "admin", all_councils=True)
    create_user(store, "panel", PASSWORD, "panel", councils=[LA])
    return create_app(url, Settings(data_dir=root / "data"))


APP = None


def app_for_schema():
    """schemathesis reads the schema at import time; the app and its data are made once."""
    global APP
    if APP is None:
        import atexit
        import shutil
        import tempfile
        from pathlib import Path

        class _Factory:
            def mktemp(self, name):
                folder = Path(tempfile.mkdtemp(prefix=f"carewise-{name}-"))
                atexit.register(shutil.rmtree, folder, ignore_errors=True)
                return folder

        APP = _app(_Factory())
    return APP


schema = schemathesis.openapi.from_asgi("/api/openapi.json", app_for_schema())


def _session_cookie(username: str) -> dict[str, str]:
    client = TestClient(APP)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    return {"carewise_session": client.cookies["carewise_session"]}


CALLS = {"signed in": 0, "anonymous": 0}


@pytest.fixture(scope="module", autouse=True)
def report_calls():
    yield
    print(f"\nschemathesis calls: {CALLS}")


@pytest.fixture(scope="module", params=["admin", "panel"])
def cookies(request):
    return _session_cookie(request.param)


def test_the_schema_describes_every_api_route():
    paths = set(APP.openapi()["paths"])
    assert paths == {"/api/v1/councils", "/api/v1/status", "/api/v1/measures", "/api/v1/children",
                     "/api/v1/children/{ref}"}


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_request_gives_a_server_error(case, cookies):
    response = case.call(cookies=cookies)
    CALLS["signed in"] += 1
    assert response.status_code < 500, (case.path, case.query, case.path_parameters, response.text)
    checks = [not_a_server_error] + ([response_schema_conformance] if response.status_code == 200 else [])
    case.validate_response(response, checks=checks)


@schema.parametrize()
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_without_a_session_every_operation_answers_401(case):
    response = case.call()
    CALLS["anonymous"] += 1
    assert response.status_code in (401, 405, 422), (case.path, response.status_code)
