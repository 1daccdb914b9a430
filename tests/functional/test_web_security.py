"""The web app's defences, end to end through FastAPI's TestClient (no browser): sessions, CSRF,
sign-in throttling, security headers, error pages that leak nothing, opaque child references."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from web_helpers import csrf, sign_in

import carewise
from carewise.returns.build import return_from_rows

LA = "E06000056"
PASSWORD = "functional-tests-password"
# the folder carewise runs from is what a leaked path would show, wherever it is installed
SECRET_WORDS = ("Traceback", "RuntimeError", "sqlalchemy", "site-packages",
                str(Path(carewise.__file__).resolve().parent.parent), ".py")


def _return(year: str, prefix: str, children: int):
    """A tiny hand-built return: ``children`` children looked after all year, 2 of them boys."""
    header = [{"CHILD": f"{prefix}{i:04d}", "SEX": "1" if i < 2 else "2", "DOB": "03/03/2011",
               "ETHNIC": "WBRI"} for i in range(children)]
    episodes = [{"CHILD": f"{prefix}{i:04d}", "DECOM": f"0{1 + i % 9}/06/2023", "RNE": "S", "LS": "C2",
                 "CIN": "N1", "PLACE": "U4", "PLACE_PROVIDER": "PR1"} for i in range(children)]
    return return_from_rows(year, header=header, episodes=episodes)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> tuple[str, Path]:
    from carewise.store import Store
    from carewise.store.accounts import create_user

    root = tmp_path_factory.mktemp("web-security")
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    store.import_returns(LA, [_return("2024-25", "SEC", 12)], council_name="Test council", synthetic=True)
    for role in ("admin", "analyst", "panel"):
        create_user(store, role, PASSWORD, role, councils=[LA], all_councils=role == "admin")
    return url, root


def _app(db, **settings):
    """A fresh app on the module's database, with no failed sign-ins counted yet (the counts are
    in the database, shared by every app on it, as by every worker of one server)."""
    from sqlalchemy import delete

    from carewise.settings import Settings
    from carewise.store import schema
    from carewise.web import create_app

    url, root = db
    app = create_app(url, Settings(data_dir=root / "data", **settings))
    with app.state.store.engine.begin() as conn:
        conn.execute(delete(schema.login_failure))
    return app


@pytest.fixture(scope="module")
def app(db):
    return _app(db)


def signed_in(app, username: str) -> TestClient:
    return sign_in(app, username, PASSWORD, raise_server_exceptions=False)


# -- sessions ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/population", "/children", "/imports", "/admin/audit", "/pack"])
def test_pages_send_visitors_without_a_session_to_sign_in(app, path):
    r = TestClient(app).get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path.replace('/', '%2F')}" or \
        r.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize("path", ["/api/v1/measures", "/api/v1/children", "/api/v1/status",
                                  "/api/v1/councils"])
def test_the_api_answers_401_without_a_session(app, path):
    r = TestClient(app).get(path)
    assert r.status_code == 401
    assert r.json() == {"detail": "sign in first"}


def test_a_forged_or_tampered_session_cookie_is_not_a_session(app):
    client = TestClient(app)
    client.cookies.set("carewise_session", "eyJ1c2VyIjogImFkbWluIn0=.forged.signature")
    assert client.get("/api/v1/councils").status_code == 401


def test_a_switched_off_account_loses_its_session(db, app):
    from carewise.store import Store
    from carewise.store.accounts import create_user, update_user

    store = Store(db[0])
    create_user(store, "leaver", PASSWORD, "analyst", councils=[LA])
    client = signed_in(app, "leaver")
    assert client.get("/api/v1/councils").status_code == 200
    update_user(store, "leaver", active=False)
    assert client.get("/api/v1/councils").status_code == 401


def test_sign_in_never_redirects_off_the_site(app):
    client = TestClient(app)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = client.post("/login", data={"username": "analyst", "password": PASSWORD,
                                        "csrf_token": csrf(client), "next": target},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", target


# -- CSRF ------------------------------------------------------------------------------------------

def test_forms_without_the_sessions_csrf_token_are_refused(app):
    from carewise.store.accounts import find_user

    admin = signed_in(app, "admin")
    other = TestClient(app)
    stolen = csrf(other)  # a token of another session is no good either
    for token in ("", "not-the-token", stolen):
        r = admin.post("/admin/users", data={"username": "sneaky", "password": "x" * 16, "role": "admin",
                                              "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 403, token
        assert "form expired" in r.text
        r = admin.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 403
    assert find_user(app.state.store, "sneaky") is None
    assert admin.get("/api/v1/councils").status_code == 200, "still signed in"
    r = TestClient(app).post("/login", data={"username": "admin", "password": PASSWORD},
                             follow_redirects=False)
    assert r.status_code == 403, "signing in needs the token too"


# -- throttling ------------------------------------------------------------------------------------

def _try(client: TestClient, username: str, password: str, token: str) -> int:
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False).status_code


def test_the_sixth_failed_sign_in_in_five_minutes_is_refused_even_with_the_right_password(db):
    from carewise.store import audit

    app = _app(db)
    client = TestClient(app)
    token = csrf(client)
    for _ in range(5):
        r = client.post("/login", data={"username": "analyst", "password": "wrong-password-1",
                                        "csrf_token": token})
        assert r.status_code == 400
        assert "not right" in r.text
    r = client.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429
    assert "Wait 5 minutes" in r.text
    assert audit.events(app.state.store, action="sign-in-throttled", limit=1)[0].actor == "analyst"
    assert _try(client, "ANALYST ", "wrong-password-1", token) == 429, "the name's case and spaces"


def test_one_addresss_failures_do_not_lock_out_the_user_signing_in_from_another(db):
    app = _app(db)
    attacker = TestClient(app, client=("203.0.113.5", 50000))
    user = TestClient(app, client=("198.51.100.7", 50000))
    token = csrf(attacker)
    assert [_try(attacker, "analyst", "wrong-password-1", token) for _ in range(6)] == [400] * 5 + [429]
    assert _try(attacker, "analyst", PASSWORD, token) == 429
    assert _try(user, "analyst", PASSWORD, csrf(user)) == 303, "the real user is not locked out"


def test_an_address_trying_many_names_is_refused_after_twenty_failures(db):
    app = _app(db)
    client = TestClient(app, client=("203.0.113.9", 50000))
    token = csrf(client)
    for name in ("admin", "analyst", "panel", "nobody"):
        assert [_try(client, name, "wrong-password-1", token) for _ in range(5)] == [400] * 5
    assert _try(client, "leaver", PASSWORD, token) == 429, "20 failures from one address, any names"
    other = TestClient(app, client=("198.51.100.9", 50000))
    assert _try(other, "panel", PASSWORD, csrf(other)) == 303


def test_a_name_attacked_from_many_addresses_is_slowed_not_locked(db):
    import time

    from carewise.web.security import Throttle

    app = _app(db)
    app.state.throttle = throttle = Throttle(app.state.store, user_soft_limit=10, base_delay=0.2,
                                                 max_delay=0.4)
    for i in range(12):  # a botnet: two guesses from each of six addresses, none locked
        bot = TestClient(app, client=(f"192.0.2.{i // 2}", 50000))
        assert _try(bot, "analyst", "wrong-password-1", csrf(bot)) == 400
    assert throttle.delay("analyst") == 0.4 and throttle.delay("panel") == 0
    user = TestClient(app, client=("198.51.100.7", 50000))
    token = csrf(user)
    started = time.monotonic()
    assert _try(user, "analyst", PASSWORD, token) == 303, "slowed, but in"
    assert time.monotonic() - started >= 0.4


def test_behind_a_trusted_proxy_each_visitor_is_throttled_on_their_own_address(db):
    """How ``carewise serve`` runs with CAREWISE_TRUSTED_PROXIES: uvicorn's proxy-headers middleware
    believes X-Forwarded-For from the listed proxies only."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from carewise.cli.web import proxy_options

    app = _app(db)
    options = proxy_options(" 10.0.0.1 , ")
    assert options == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.1"]}
    served = ProxyHeadersMiddleware(app, trusted_hosts=options["forwarded_allow_ips"])
    proxy = TestClient(served, client=("10.0.0.1", 50000))
    token = csrf(proxy)

    def via_proxy(visitor: str, password: str) -> int:
        return proxy.post("/login", data={"username": "analyst", "password": password, "csrf_token": token},
                          headers={"X-Forwarded-For": visitor}, follow_redirects=False).status_code

    assert [via_proxy("203.0.113.5", "wrong-password-1") for _ in range(6)] == [400] * 5 + [429]
    assert via_proxy("198.51.100.7", PASSWORD) == 303
    # a visitor who is not a listed proxy cannot choose their address with the header
    direct = TestClient(served, client=("203.0.113.77", 50000))
    token = csrf(direct)
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"):
        status = direct.post("/login", data={"username": "panel", "password": "wrong-password-1",
                                             "csrf_token": token},
                             headers={"X-Forwarded-For": forged}).status_code
    assert status == 429
    assert proxy_options(None) == proxy_options(" , ") == {"proxy_headers": False}


def test_serve_passes_trusted_proxies_to_uvicorn_only_when_set(tmp_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from carewise.cli import app as cli
    from carewise.settings import get_settings

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    monkeypatch.setenv("CAREWISE_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    try:
        for trusted in (None, "127.0.0.1,10.0.0.2"):
            if trusted:
                monkeypatch.setenv("CAREWISE_TRUSTED_PROXIES", trusted)
            get_settings.cache_clear()
            result = CliRunner().invoke(cli, ["serve", "--db", url])
            assert result.exit_code == 0, result.output
    finally:
        get_settings.cache_clear()
    assert calls[0]["proxy_headers"] is False and "forwarded_allow_ips" not in calls[0]
    assert calls[1]["proxy_headers"] is True
    assert calls[1]["forwarded_allow_ips"] == ["127.0.0.1", "10.0.0.2"]


# -- headers ----------------------------------------------------------------------------------------

def test_every_page_carries_a_strict_csp_whose_nonce_is_the_inline_scripts(app):
    client = signed_in(app, "analyst")
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", r.text)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    again = client.get("/").headers["content-security-policy"]
    assert again != csp, "a fresh nonce per response"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_the_session_cookie_is_http_only_and_same_site_strict(app):
    client = TestClient(app)
    r = client.post("/login", data={"username": "panel", "password": PASSWORD, "csrf_token": csrf(client)},
                    follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_secure_cookies_setting_adds_hsts_and_secure_flag(db):
    app = _app(db, secure_cookies=True)
    r = TestClient(app, base_url="https://testserver").get("/login")
    assert r.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in r.headers["set-cookie"].lower()


def test_child_level_responses_are_never_cached(app):
    client = signed_in(app, "analyst")
    listing = client.get("/children")
    ref = re.search(r'href="/children/([0-9a-f]{24})"', listing.text).group(1)
    for path in ("/children", f"/children/{ref}", "/api/v1/children", f"/api/v1/children/{ref}"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-store", path


# -- errors leak nothing ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def broken_app(db):
    """The app with one route that fails the way a bug would, with sensitive words in the error."""
    app = _app(db)

    @app.get("/boom")
    def boom():
        raise RuntimeError("SEC0001 /srv/carewise/secret/path.py sqlalchemy password=hunter2")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("SEC0001 /srv/carewise/secret/path.py sqlalchemy password=hunter2")

    return app


def test_a_server_error_page_says_sorry_and_nothing_more(broken_app):
    client = signed_in(broken_app, "analyst")
    r = client.get("/boom")
    assert r.status_code == 500
    assert "Sorry, there is a problem with the service" in r.text
    for word in (*SECRET_WORDS, "SEC0001", "hunter2"):
        assert word not in r.text, word
    assert "content-security-policy" in r.headers, "error pages keep the security headers"
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.json() == {"detail": "internal error"}


def test_not_found_pages_leak_nothing(app):
    client = signed_in(app, "analyst")
    for path in ("/no-such-page", "/children/" + "0" * 24, "/children/SEC0001", "/children/../etc/passwd"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Page not found" in r.text
        for word in (*SECRET_WORDS, "SEC0001"):
            assert word not in r.text, (path, word)
    r = client.get("/api/v1/children/" + "0" * 24)
    assert r.status_code == 404 and r.json() == {"detail": "no such child"}


def test_bad_parameters_give_a_plain_error_not_the_validators_details(app):
    client = signed_in(app, "admin")
    r = client.get("/admin/audit?page=not-a-number")
    assert r.status_code == 400
    assert "not valid" in r.text and "int_parsing" not in r.text and "pydantic" not in r.text
    r = client.get("/api/v1/measures?period=" + "9" * 41)
    assert r.status_code == 422 and r.json() == {"detail": "the request's parameters are not valid"}


# -- child references -------------------------------------------------------------------------------

def test_addresses_carry_an_opaque_reference_never_the_child_id(db, app):
    client = signed_in(app, "analyst")
    listing = client.get("/children").text
    refs = re.findall(r'href="/children/([^"]+)"', listing)
    assert len(refs) == 12
    assert all(re.fullmatch(r"[0-9a-f]{24}", ref) for ref in refs)
    assert not any("SEC" in ref for ref in refs)
    api = client.get("/api/v1/children").json()
    assert {c["ref"] for c in api} == set(refs)
    assert all(c["ref"] != c["child"] and c["child"] not in c["ref"] for c in api)
    assert client.get("/children/SEC0003").status_code == 404, "the CHILD id does not open a record"
    # references depend on the installation's secret: another installation's do not match
    other = _app(db, secret_key="another-installations-secret-key")
    assert other.state.data.child_ref(LA, "SEC0003") != app.state.data.child_ref(LA, "SEC0003")


def test_panel_users_get_403_for_child_level_pages_and_api(app):
    client = signed_in(app, "panel")
    ref = app.state.data.child_ref(LA, "SEC0001")
    for path in ("/children", f"/children/{ref}", "/api/v1/children", f"/api/v1/children/{ref}",
                 "/imports", "/admin/audit"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert "SEC0001" not in r.text


def test_panel_measures_suppress_small_counts_that_analysts_see(app):
    panel = {m["id"]: m for m in signed_in(app, "panel").get("/api/v1/measures").json()}
    analyst = {m["id"]: m for m in signed_in(app, "analyst").get("/api/v1/measures").json()}
    boys_panel = _category(panel["cla_at_date"], "Male")
    boys_analyst = _category(analyst["cla_at_date"], "Male")
    assert boys_analyst["value"] == 2 and not boys_analyst["suppressed"]
    assert boys_panel["suppressed"]
    assert boys_panel["value"] is None and boys_panel["numerator"] is None, "nothing to undo it from"


def _category(measure: dict, category: str) -> dict:
    for breakdown in measure["breakdowns"].values():
        for row in breakdown["rows"]:
            if row["category"] == category:
                return row
    raise AssertionError(f"no {category} row")


# -- bad input in addresses and forms ---------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/population", "/population/download", "/stability", "/care-leavers",
                                  "/pack/download", "/children"])
@pytest.mark.parametrize("period", ["2024-zz", "1999-00", "2026-Q3", "9999-99"])
def test_a_period_that_is_not_one_gives_a_page_saying_so_not_a_server_error(app, path, period):
    client = signed_in(app, "admin")
    r = client.get(path, params={"period": period})
    assert r.status_code in (200, 400), r.status_code
    if r.status_code == 400:
        assert "period" in r.text and "Traceback" not in r.text
    api = client.get("/api/v1/measures", params={"period": period})
    assert api.status_code == 422 and "period" in api.json()["detail"]


def test_a_user_without_councils_cannot_upload_into_an_existing_council(db, app):
    from carewise.store import Store
    from carewise.store.accounts import create_user, find_user

    store = Store(db[0])
    create_user(store, "newcomer", PASSWORD, "analyst")
    before = [(b.id, b.status) for b in store.batches(LA)]
    client = signed_in(app, "newcomer")
    assert "No data yet" in client.get("/").text
    files = [("files", ("header.csv", b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nX1,1,01/01/2015,WBRI,,,\n",
                        "text/csv"))]
    r = client.post("/imports", data={"council_code": LA, "year": "2024-25",
                                      "csrf_token": csrf(client, "/imports")}, files=files)
    assert r.status_code == 403
    assert [(b.id, b.status) for b in store.batches(LA)] == before
    assert find_user(store, "newcomer").councils == ()


def test_an_admin_cannot_switch_themselves_off_or_drop_their_own_role(app):
    from carewise.store.accounts import find_user

    admin = signed_in(app, "admin")
    for form in ({"active": "no"}, {"role": "panel"}):
        r = admin.post("/admin/users/admin", data={**form, "csrf_token": csrf(admin, "/admin/users")})
        assert r.status_code == 403, form
        assert "Ask another administrator" in r.text
    me = find_user(app.state.store, "admin")
    assert me.active and me.role.value == "admin"
    r = admin.post("/admin/users/admin", data={"role": "admin", "csrf_token": csrf(admin, "/admin/users")},
                   follow_redirects=False)
    assert r.status_code == 303, "saving one's own unchanged role is fine"


def test_a_panel_members_population_download_hides_small_counts_and_what_they_come_from(app):
    csv_text = signed_in(app, "panel").get("/population/download?format=csv").text
    table = pl.read_csv(csv_text.encode(), infer_schema_length=0)
    boys = table.filter((pl.col("breakdown") == "Sex") & (pl.col("category") == "Male")).row(0, named=True)
    assert boys["value"] is None and boys["numerator"] is None and boys["denominator"] is None
    assert boys["note"].startswith("hidden")
    analyst = pl.read_csv(signed_in(app, "analyst").get("/population/download?format=csv").text.encode(),
                          infer_schema_length=0)
    assert "x" not in analyst["value"].to_list()


# -- the pack's progress bar ------------------------------------------------------------------------

def test_the_pack_progress_bar_counts_every_registered_section_in_a_fresh_process():
    """``carewise pack`` calls steps_for before any section module is imported: the count must
    include the compliance and forecast sections, not only the built-in ones."""
    import json
    import subprocess
    import sys

    code = (
        "import json\n"
        "from carewise.reports import steps_for\n"
        "n = steps_for(['html', 'xlsx'])\n"
        "from carewise.reports.sections import SECTIONS\n"
        "print(json.dumps({'steps': n, 'sections': sorted(SECTIONS)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    got = json.loads(done.stdout)
    assert {"statutory-compliance", "pledges", "action-plan", "forecast", "summary"} <= set(got["sections"])
    assert got["steps"] == 3 + len(got["sections"]) + 2


# -- published figures beside synthetic data --------------------------------------------------------

def test_beside_a_synthetic_councils_figures_the_published_figure_is_named_as_the_real_councils(tmp_path):
    """A synthetic council (made-up children) under a real ONS code: the DfE figure shown next to
    it is Central Bedfordshire's, and the page must not present it as a check on these figures."""
    from carewise.store import Store
    from carewise.store.accounts import create_user

    url = f"sqlite:///{tmp_path / 'carewise.db'}"
    store = Store(url)
    store.import_returns(LA, [_return("2024-25", "SYN", 12)], council_name="Made-up", synthetic=True)
    store.import_returns("E06000055", [_return("2024-25", "OWN", 12)], council_name="Bedford")
    create_user(store, "analyst", PASSWORD, "analyst", councils=[LA, "E06000055"])
    client = signed_in(_app((url, tmp_path)), "analyst")
    real = "Published figure for the real Central Bedfordshire (your data here is synthetic)"
    for council in (LA, "E06000055"):
        r = client.post("/council", data={"council": council, "csrf_token": csrf(client, "/")},
                        follow_redirects=False)
        assert r.status_code == 303
        page = client.get("/", params={"period": "2024-25"}).text
        if council == LA:
            assert f"{real}: 337" in page
            assert "Published (this council)" not in page
        else:  # a council whose data is its own keeps the plain label
            assert "Published (this council): " in page
            assert "your data here is synthetic" not in page
