"""The browser suite's world: a synthetic council in a fresh store, four users, the real server,
and Debian's Chromium driven by Playwright (never a browser downloaded by ``playwright install``).

Everything is built once per session. Screenshots of the pages go to ``CAREWISE_SCREENSHOTS`` (a
temporary folder by default) so a person can look at them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PASSWORD = "browser-suite-password-1"
ROLES = ("admin", "analyst", "manager", "panel")
UPLOAD_YEAR = "2024-25"


@dataclass
class WebWorld:
    base_url: str
    la_code: str
    la_name: str
    csv_dir: Path
    store: object
    app: object
    screenshots: Path
    states: dict[str, Path] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pytest_collection_modifyitems(items):
    """Every test in this folder drives the browser; skip them all when Chromium is not installed."""
    skip = pytest.mark.skip(reason="Debian's Chromium (/usr/bin/chromium) is not installed")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> WebWorld:
    """A small synthetic council (3 years) imported into SQLite, the users, and the server running."""
    import uvicorn

    from carewise.importing import import_paths
    from carewise.settings import Settings
    from carewise.store import Store
    from carewise.store.accounts import create_user
    from carewise.synth import generate_council, write_council
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("web")
    council = generate_council("small", "2022-23..2024-25", seed=7)
    csv_dir = write_council(council, root / "synth")
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    outcome = import_paths(store, [csv_dir], la_code=council.la_code, council_name=council.la_name,
                           synthetic=True, imported_by="browser-suite", validate=False)
    assert outcome.stored
    for role in ROLES:
        create_user(store, role, PASSWORD, role, display_name=f"Test {role}",
                    councils=[council.la_code], all_councils=role == "admin")
    app = create_app(url, Settings(data_dir=root / "data"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    shots = Path(os.environ.get("CAREWISE_SCREENSHOTS") or root / "screenshots")
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    yield WebWorld(f"http://127.0.0.1:{port}", council.la_code, council.la_name, csv_dir, store, app, shots)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(world):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def signed_in_states(world, browser, tmp_path_factory) -> dict[str, Path]:
    """One signed-in cookie jar per role, made by signing in through the form once."""
    folder = tmp_path_factory.mktemp("states")
    for role in ROLES:
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, world.base_url, role)
        assert page.url.rstrip("/") == world.base_url, f"{role} could not sign in"
        path = folder / f"{role}.json"
        context.storage_state(path=str(path))
        context.close()
        world.states[role] = path
    return world.states


class Browsing:
    """Opens pages for one role; collects console errors (CSP violations show up there) and
    failed loads of a page's assets."""

    def __init__(self, browser, world: WebWorld, role: str | None, states, *, bypass_csp: bool = False):
        self.world = world
        self.context = browser.new_context(
            base_url=world.base_url, bypass_csp=bypass_csp, accept_downloads=True,
            storage_state=str(states[role]) if role else None, viewport={"width": 1280, "height": 900},
        )
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and not m.text.startswith(
            "Failed to load resource") and self.console_errors.append(m.text))
        self.page.on("response", self._response)

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.console_errors.append(f"{response.status} {response.url}")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def as_role(browser, world, signed_in_states):
    """``as_role("panel")`` gives a fresh signed-in browser context for that role."""
    opened: list[Browsing] = []

    def make(role: str | None, **kwargs) -> Browsing:
        b = Browsing(browser, world, role, signed_in_states, **kwargs)
        opened.append(b)
        return b

    yield make
    for b in opened:
        b.close()


@pytest.fixture(scope="session")
def child_ref(world, browser, signed_in_states) -> str:
    """The opaque reference of the first child on the admin's list of children."""
    b = Browsing(browser, world, "admin", signed_in_states)
    try:
        b.page.goto("/children")
        href = b.page.locator("table a[href^='/children/']").first.get_attribute("href")
    finally:
        b.close()
    return href.rsplit("/", 1)[-1]


@pytest.fixture(scope="session")
def compliance_loaded(world, tmp_path_factory):
    """The council's synthetic compliance extracts, so the compliance pages have their tables."""
    from carewise.compliance.extracts import read_extracts
    from carewise.compliance.storage import import_extracts
    from carewise.synth.extracts import generate_extracts, write_extracts

    folder = tmp_path_factory.mktemp("compliance-extracts")
    written = write_extracts(generate_extracts(world.store.load_history(world.la_code), 2), folder)
    import_extracts(world.store, world.la_code, read_extracts(written))


AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now (needs a bypass_csp context)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""",
        WCAG_TAGS,
    )
