"""Council single sign-on end to end: carewise (served by uvicorn) against a real OpenID Connect
provider on loopback (``tests/support/oidc_provider.py``, authlib's server side), following the
redirects with one httpx client across both servers. Nothing of carewise or authlib is mocked."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
from oidc_provider import OIDCProvider, SSOUser, free_port, running_provider, serving  # noqa: E402

LA = "E06000056"


@pytest.fixture(scope="module")
def provider() -> Iterator[OIDCProvider]:
    with running_provider() as p:
        yield p


@pytest.fixture(autouse=True)
def fresh_provider_knobs(provider):
    provider.refuse = provider.wrong_nonce = False
    provider.claims_in_id_token = True
    yield


@pytest.fixture(scope="module")
def carewise(tmp_path_factory, provider) -> Iterator[tuple[str, object]]:
    """carewise served on a free loopback port, its SSO settings pointing at the provider."""
    from carewise.settings import Settings
    from carewise.store import Store
    from carewise.web import create_app

    root = tmp_path_factory.mktemp("web-oidc")
    url = f"sqlite:///{root / 'carewise.db'}"
    store = Store(url)
    settings = Settings(data_dir=root / "data", oidc_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
                        oidc_client_id=provider.client.client_id,
                        oidc_client_secret=provider.client.client_secret, oidc_default_role="analyst")
    app = create_app(url, settings)
    with serving(app, name="carewise") as port:
        yield f"http://127.0.0.1:{port}", store


def _follow(client: httpx.Client, url: str, *, tamper=None, limit: int = 10) -> tuple[httpx.Response, list[str]]:
    """Follow redirects by hand across both servers; ``tamper(url)`` may rewrite the callback."""
    seen = []
    response = client.get(url)
    for _ in range(limit):
        seen.append(str(response.url))
        if response.status_code not in (302, 303, 307):
            return response, seen
        target = str(response.url.join(response.headers["location"]))
        if tamper and "/auth/callback" in target:
            target = tamper(target)
        response = client.get(target)
    raise AssertionError(f"too many redirects: {seen}")


def test_discovery_and_signed_id_token(provider):
    """The provider is a real one: discovery names its endpoints and its key signs RS256."""
    meta = httpx.get(f"{provider.issuer}/.well-known/openid-configuration").json()
    assert meta["issuer"] == provider.issuer
    keys = httpx.get(meta["jwks_uri"]).json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_login_page_offers_council_sign_in(carewise):
    base, _ = carewise
    page = httpx.get(f"{base}/login")
    assert 'href="/auth/sso"' in page.text and "Sign in with your council account" in page.text


def test_first_sso_sign_in_creates_user_with_default_role(carewise, provider):
    from carewise.store import accounts, audit

    base, store = carewise
    provider.user = SSOUser("sub-new-1", "Alex.Khan@Council.example", "Alex Khan")
    with httpx.Client() as client:
        response, seen = _follow(client, f"{base}/auth/sso")
        assert any(u.startswith(f"{provider.issuer}/authorize") for u in seen)
        assert any(u.startswith(f"{base}/auth/callback") for u in seen)
        assert response.status_code == 200 and str(response.url) == f"{base}/"
        user = accounts.get_user(store, "alex.khan@council.example")
        assert user.role.value == "analyst" and user.display_name == "Alex Khan"
        # the session is signed in: a page for analysts opens without going to /login
        children = client.get(f"{base}/children", follow_redirects=False)
        assert children.status_code == 200
    events = audit.events(store, action="sign-in", actor="alex.khan@council.example")
    assert events and events[0].detail == {"method": "sso"}


def test_second_sign_in_keeps_the_role_an_admin_gave(carewise, provider):
    from carewise.store import accounts

    base, store = carewise
    provider.user = SSOUser("sub-2", "pat.lee@council.example", "Pat Lee")
    accounts.create_user(store, "pat.lee@council.example", None, "manager")
    with httpx.Client() as client:
        response, _ = _follow(client, f"{base}/auth/sso")
    assert str(response.url) == f"{base}/"
    assert accounts.get_user(store, "pat.lee@council.example").role.value == "manager"


def test_switched_off_user_is_refused(carewise, provider):
    from carewise.store import accounts, audit

    base, store = carewise
    provider.user = SSOUser("sub-3", "off@council.example", "Switched Off")
    accounts.create_user(store, "off@council.example", None, "analyst")
    accounts.update_user(store, "off@council.example", active=False)
    with httpx.Client() as client:
        response, _ = _follow(client, f"{base}/auth/sso")
        assert response.status_code == 403
        assert "switched off" in response.text
        assert client.get(f"{base}/children", follow_redirects=False).status_code == 303
    assert not audit.events(store, action="sign-in", actor="off@council.example")


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_tampered_state_is_refused(carewise, provider):
    base, store = carewise
    provider.user = SSOUser("sub-4", "state@council.example", "State Tamper")
    with httpx.Client() as client:
        response, _ = _follow(client, f"{base}/auth/sso", tamper=lambda u: _with_query(u, state="forged"))
    assert response.status_code == 403
    assert "Sign in again" in response.text and "Traceback" not in response.text
    from carewise.store import accounts

    assert accounts.find_user(store, "state@council.example") is None


def test_callback_without_a_started_sign_in_is_refused(carewise):
    base, _ = carewise
    with httpx.Client() as client:
        client.get(f"{base}/login")  # a session, but no sign-in started in it
        response = client.get(f"{base}/auth/callback?code=abc&state=xyz")
    assert response.status_code == 403 and "Sign in again" in response.text


def test_callback_without_the_session_cookie_retries_once_from_carewise(carewise):
    """A browser withholds the SameSite=Strict session cookie on the provider's redirect: carewise
    answers with its own page that goes to the same callback (then same-site), marked as a retry;
    a retry that still has no session is refused, not bounced again."""
    base, _ = carewise
    first = httpx.get(f"{base}/auth/callback?code=abc&state=xyz")
    assert first.status_code == 200
    assert "set-cookie" not in first.headers  # a new cookie would replace the one with the state
    target = "/auth/callback?code=abc&amp;state=xyz&amp;carewise_retry=1"
    assert f'content="0;url={target}"' in first.text and f'href="{target}"' in first.text
    second = httpx.get(f"{base}/auth/callback?code=abc&state=xyz&carewise_retry=1")
    assert second.status_code == 403


def test_id_token_with_wrong_nonce_is_refused(carewise, provider):
    from carewise.store import accounts

    base, store = carewise
    provider.user = SSOUser("sub-5", "nonce@council.example", "Nonce Tamper")
    provider.wrong_nonce = True
    with httpx.Client() as client:
        response, _ = _follow(client, f"{base}/auth/sso")
    assert response.status_code == 403
    assert accounts.find_user(store, "nonce@council.example") is None


def test_provider_refusing_shows_a_friendly_page(carewise, provider):
    base, _ = carewise
    provider.refuse = True
    with httpx.Client() as client:
        response, _ = _follow(client, f"{base}/auth/sso")
    assert response.status_code == 403
    assert "did not sign you in" in response.text


def test_claims_only_in_userinfo_are_used(carewise, provider):
    """Some providers put only ``sub`` in the ID token: the email then comes from userinfo."""
    from carewise.store import accounts

    base, store = carewise
    provider.user = SSOUser("sub-6", "info@council.example", "Only Userinfo")
    provider.claims_in_id_token = False
    with httpx.Client() as client:
        response, _ = _follow(client, f"{base}/auth/sso")
    assert str(response.url) == f"{base}/"
    assert accounts.get_user(store, "info@council.example").display_name == "Only Userinfo"


def test_unreachable_provider_shows_a_friendly_page(tmp_path):
    from fastapi.testclient import TestClient

    from carewise.settings import Settings
    from carewise.web import create_app

    settings = Settings(data_dir=tmp_path / "data",
                        oidc_metadata_url=f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration",
                        oidc_client_id="carewise", oidc_client_secret="x" * 20)
    with TestClient(create_app(f"sqlite:///{tmp_path / 'c.db'}", settings),
                    raise_server_exceptions=False) as client:
        response = client.get("/auth/sso", follow_redirects=False)
    assert response.status_code == 503
    assert "sign-in service cannot be reached" in response.text and "Traceback" not in response.text


def test_callback_address_is_the_public_one(provider, tmp_path):
    """Behind a trusted proxy (``CAREWISE_TRUSTED_PROXIES``) uvicorn gives carewise the public scheme
    and host: the callback address sent to the provider must be that one, not the loopback one."""
    from fastapi.testclient import TestClient

    from carewise.settings import Settings
    from carewise.web import create_app

    settings = Settings(data_dir=tmp_path / "data",
                        oidc_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
                        oidc_client_id=provider.client.client_id,
                        oidc_client_secret=provider.client.client_secret)
    app = create_app(f"sqlite:///{tmp_path / 'c.db'}", settings)
    with TestClient(app, base_url="https://carewise.council.example") as client:
        response = client.get("/auth/sso", follow_redirects=False)
    assert response.status_code in (302, 303)
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["redirect_uri"] == ["https://carewise.council.example/auth/callback"]
    assert query["nonce"] and query["state"] and query["scope"] == ["openid email profile"]


@pytest.mark.parametrize(("settings", "words"), [
    ({"oidc_client_secret": None}, "CAREWISE_OIDC_CLIENT_SECRET"),
    ({"oidc_default_role": "boss"}, "CAREWISE_OIDC_DEFAULT_ROLE"),
])
def test_incomplete_sso_settings_say_what_to_set(tmp_path, settings, words):
    from carewise.errors import UserFacingError
    from carewise.settings import Settings
    from carewise.web import create_app

    base = {"oidc_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
            "oidc_client_id": "carewise", "oidc_client_secret": "s" * 20}
    with pytest.raises(UserFacingError, match=words):
        create_app(f"sqlite:///{tmp_path / 'c.db'}", Settings(data_dir=tmp_path / "data", **{**base, **settings}))
