"""Council single sign-on in a real browser: the "Sign in with your council account" link on /login
goes through a real OpenID Connect provider (``tests/support/oidc_provider.py``) and lands signed in.

The provider is addressed as ``localhost`` and carewise as ``127.0.0.1``, so Chromium treats them as
different sites, as a council's sign-in service and carewise are: the SameSite=Strict session
cookie is then withheld on the provider's redirect back, which this test must survive.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from oidc_provider import SSOUser, running_provider, serving  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sso_world(world, tmp_path_factory):
    """The browser suite's council, served by a second carewise whose SSO settings name the provider."""
    from carewise.settings import Settings
    from carewise.web import create_app

    with running_provider(public_host="localhost") as provider:
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("sso-data"),
            oidc_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
            oidc_client_id=provider.client.client_id, oidc_client_secret=provider.client.client_secret,
            oidc_default_role="panel",
        )
        app = create_app(world.store.url, settings)
        with serving(app, name="carewise") as port:
            yield f"http://127.0.0.1:{port}", provider


def test_council_account_link_signs_in_through_the_provider(browser, world, sso_world):
    from carewise.store import accounts, audit

    base, provider = sso_world
    provider.user = SSOUser("browser-sub-1", "jo.brown@council.example", "Jo Brown")
    before = provider.authorize_requests
    context = browser.new_context()
    page = context.new_page()
    visited: list[str] = []
    page.on("request", lambda r: r.is_navigation_request() and visited.append(r.url))
    provider.consent_page = True
    try:
        page.goto(f"{base}/login")
        page.get_by_role("link", name="Sign in with your council account").click()
        page.get_by_role("button", name="Continue as Jo Brown").click()
        page.wait_for_url(f"{base}/", timeout=15000)
        page.wait_for_load_state()
        assert "Jo Brown" in page.locator("header").inner_text()
        assert page.get_by_role("button", name="Sign out").is_visible()
        page.screenshot(path=str(world.screenshots / "sso-signed-in.png"), full_page=True)
        # signed in for later pages too, not just the landing one
        page.goto(f"{base}/")
        assert page.url == f"{base}/"
    finally:
        provider.consent_page = False
        context.close()
    assert provider.authorize_requests == before + 1
    callbacks = [u for u in visited if u.startswith(f"{base}/auth/callback")]
    assert callbacks and visited[-1] == f"{base}/", visited
    user = accounts.get_user(world.store, "jo.brown@council.example")
    assert user.role.value == "panel"
    assert audit.events(world.store, action="sign-in", actor=user.username)[0].detail == {"method": "sso"}


def test_refused_sign_in_shows_a_page_not_an_error(browser, world, sso_world):
    base, provider = sso_world
    provider.refuse = True
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{base}/login")
        page.get_by_role("link", name="Sign in with your council account").click()
        page.wait_for_load_state()
        assert page.url.startswith(f"{base}/auth/callback")
        assert page.get_by_role("heading", name="You are not signed in").is_visible()
        assert "did not sign you in" in page.content()
    finally:
        provider.refuse = False
        context.close()
