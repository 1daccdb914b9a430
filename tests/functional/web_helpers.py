"""Set-up the web app's functional tests share: a synthetic council imported into a fresh store,
users to sign in as, a synthetic market, and signing in through the /login form with its CSRF token.

Imported by the ``test_web_*.py`` modules beside it (pytest puts this folder on ``sys.path``).
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

from fastapi.testclient import TestClient

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_in(html: str) -> str:
    """The CSRF token of the (first) form in this page."""
    return _CSRF.search(html).group(1)


def csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the form on ``path``, for this client's session."""
    return csrf_in(client.get(path).text)


def sign_in(app, username: str, password: str, **client_options) -> TestClient:
    """A TestClient signed in through the /login form (asserts the sign-in redirects, 303)."""
    client = TestClient(app, **client_options)
    signed = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": csrf(client), "next": "/"},
                         follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return client


def page_text(html: str) -> str:
    """A page's visible text, tags dropped and white space folded."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def synthetic_store(root: Path, children: int, years: str, seed: int):
    """A fresh SQLite store under ``root`` holding one synthetic council imported (without
    validation) through ``carewise.importing``; returns ``(url, store, council)``."""
    from carewise.importing import import_paths
    from carewise.store import Store
    from carewise.synth import generate_council, write_council

    council = generate_council(children, years, seed=seed)
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    outcome = import_paths(store, [write_council(council, root / "synth")], la_code=council.la_code,
                           council_name=council.la_name, synthetic=True, validate=False)
    assert outcome.stored
    return url, store, council


def create_users(store, roles, password: str, la_code: str) -> None:
    """One user per role, named after the role, for this council."""
    from carewise.store.accounts import create_user

    for role in roles:
        create_user(store, role, password, role, display_name=f"Test {role}", councils=[la_code])


def save_synthetic_market(la_code: str, root: Path, store, *, size: int,
                          seed: int = 3) -> list[Path]:
    """Write a synthetic market's extracts under ``root / "extracts"``, check them and save the
    market in ``store`` (the app's database); returns the extracts' paths."""
    from carewise.matching import Market, StoreMarkets, check_extracts
    from carewise.synth.market import generate_market, write_market

    extracts = write_market(generate_market(la_code, seed=seed, size=size, as_at=date.today()),
                            root / "extracts")
    frames, _ = check_extracts(extracts)
    StoreMarkets(store).save(Market(la_code).with_tables(frames), actor="fixture", sources=extracts)
    return extracts


def synthetic_app(root: Path, roles, password: str, children: int, years: str, seed: int):
    """The web app over a fresh store holding one synthetic council (:func:`synthetic_store`) and
    one user per role; returns ``(app, store, council)``."""
    from carewise.settings import Settings
    from carewise.web import create_app

    url, store, council = synthetic_store(root, children, years, seed)
    create_users(store, roles, password, council.la_code)
    return create_app(url, Settings(data_dir=root / "data")), store, council


def load_compliance_extracts(store, la_code: str, root: Path) -> None:
    """The council's synthetic compliance extracts (2 teams' worth), so compliance pages have rows."""
    from carewise.compliance.extracts import read_extracts
    from carewise.compliance.storage import import_extracts
    from carewise.synth.extracts import generate_extracts, write_extracts

    written = write_extracts(generate_extracts(store.load_history(la_code), 2), root / "extracts")
    import_extracts(store, la_code, read_extracts(written))
