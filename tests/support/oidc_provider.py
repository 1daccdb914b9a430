"""A small but genuine OpenID Connect provider for tests, built on authlib's server side.

It speaks the authorization-code flow (``authlib.oauth2.rfc6749`` + ``authlib.oidc.core``): a
discovery document at ``/.well-known/openid-configuration``, a JWKS, ID tokens signed with RS256
(authlib signs through joserfc, the JOSE library behind ``authlib.jose`` since authlib 1.7), and a
userinfo endpoint. The authorize endpoint consents at once for ``provider.user`` (no login form),
so a test or a browser follows the redirects straight through.

Knobs a test may turn (all on the running provider object):

- ``user``: the person who "signs in" (``sub``, ``email``, ``name``).
- ``refuse``: answer the authorization request with ``error=access_denied``.
- ``wrong_nonce``: sign ID tokens with a nonce other than the one the client sent.
- ``claims_in_id_token``: put email and name only in userinfo, not the ID token (as some IdPs do).
- ``consent_page``: show a page with a "Continue" button (a form posted to the provider) instead of
  consenting at once, so that in a browser the redirect back is started by the provider's own page,
  as after a real sign-in form (browsers then withhold SameSite=Strict cookies of the client).

Started by :func:`running_provider` with uvicorn on a free loopback port in a thread.
"""

from __future__ import annotations

import html
import secrets
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

SCOPES = ("openid", "email", "profile")


@dataclass
class SSOUser:
    sub: str
    email: str
    name: str


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)
    """Exact callback addresses allowed; empty means any address on loopback (the test's own port
    is only known once its server runs)."""

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        if self.redirect_uris:
            return redirect_uri in self.redirect_uris
        return redirect_uri.startswith(("http://127.0.0.1:", "http://localhost:"))

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: SSOUser
    nonce: str | None
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _Payload(OAuth2Payload):
    def __init__(self, data: dict[str, str], datalist: dict[str, list[str]]):
        self._data = data
        self._datalist = defaultdict(list, datalist)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list]:
        return self._datalist


class _Request(OAuth2Request):
    """authlib's request from a Starlette request whose form (if any) has been read already."""

    def __init__(self, request: Request, form: list[tuple[str, str]]):
        super().__init__(request.method, str(request.url), headers=request.headers)  # case-insensitive, as authlib needs
        pairs = list(request.query_params.multi_items()) + form
        datalist: dict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            datalist[key].append(value)
        self.payload = _Payload({k: v[0] for k, v in datalist.items()}, datalist)
        self._args = dict(request.query_params)
        self._form = dict(form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class OIDCProvider:
    """The provider's state (clients, codes, tokens, key) and its Starlette app."""

    def __init__(self, client_id: str = "carewise", client_secret: str | None = None,
                 redirect_uris: list[str] | None = None):
        self.issuer = ""  # set when served: the address it is reached at
        self.client = Client(client_id, client_secret or secrets.token_urlsafe(24), redirect_uris or [])
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig"}, private=True)
        self.user = SSOUser("user-1", "sam.jones@council.example", "Sam Jones")
        self.refuse = False
        self.wrong_nonce = False
        self.claims_in_id_token = True
        self.consent_page = False
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, tuple[SSOUser, str]] = {}
        self.authorize_requests = 0
        self.server = self._authorization_server()
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/userinfo", self.userinfo),
            Route("/jwks", self.jwks),
        ])

    # -- authlib wiring -------------------------------------------------------------------------

    def _authorization_server(self) -> AuthorizationServer:
        provider = self

        class Server(AuthorizationServer):
            def query_client(self, client_id):
                return provider.client if client_id == provider.client.client_id else None

            def save_token(self, token, request):
                provider.tokens[token["access_token"]] = (request.user, token.get("scope", ""))

            def send_signal(self, name, *args, **kwargs):
                pass

            def create_oauth2_request(self, request):
                return request  # already an authlib request (see the endpoints)

            def create_json_request(self, request):
                raise NotImplementedError("no JSON endpoints here")

            def handle_response(self, status, body, headers):
                headers = dict(headers)
                if isinstance(body, dict):
                    return JSONResponse(body, status_code=status, headers=headers)
                return Response(body or "", status_code=status, headers=headers)

        class CodeGrant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                provider.codes[code] = Code(
                    code, request.client.client_id, request.payload.redirect_uri or "",
                    request.payload.scope or "", request.user, request.payload.data.get("nonce"),
                    int(time.time()))

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class IDToken(OpenIDCode):
            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.key.kid}

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.get_client_id()]}

            def exists_nonce(self, nonce, request):
                return any(c.nonce == nonce for c in provider.codes.values())

            def get_authorization_code_claims(self, authorization_code):
                claims = super().get_authorization_code_claims(authorization_code)
                if provider.wrong_nonce:
                    claims["nonce"] = "not-the-nonce-the-client-sent"
                return claims

            def generate_user_info(self, user, scope):
                return provider.user_info(user, scope, for_id_token=True)

        server = Server(scopes_supported=list(SCOPES))
        server.register_grant(CodeGrant, [IDToken(require_nonce=True)])
        server.register_token_generator("default", BearerTokenGenerator(
            lambda *a, **k: secrets.token_urlsafe(32)))
        return server

    def user_info(self, user: SSOUser, scope: str, *, for_id_token: bool = False) -> UserInfo:
        info = UserInfo(sub=user.sub)
        if for_id_token and not self.claims_in_id_token:
            return info
        if "email" in scope.split():
            info["email"] = user.email
            info["email_verified"] = True
        if "profile" in scope.split():
            info["name"] = user.name
        return info

    # -- endpoints ------------------------------------------------------------------------------

    async def discovery(self, request: Request) -> JSONResponse:
        base = self.issuer
        return JSONResponse({
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "email", "email_verified", "name", "nonce"],
        })

    async def authorize(self, request: Request) -> Response:
        """Consent for ``self.user`` at once (or after the consent page's button; or refuse)."""
        self.authorize_requests += request.method == "GET"
        form = list((await request.form()).multi_items()) if request.method == "POST" else []
        req = _Request(request, form)
        grant = self.server.get_consent_grant(req)  # validates client, redirect_uri, scope, nonce
        if self.consent_page and request.method == "GET":
            fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                             for k, v in request.query_params.multi_items())
            return HTMLResponse(
                f"<!DOCTYPE html><html lang='en'><title>Test sign-in</title><form method='post' "
                f"action='/authorize'>{fields}<button type='submit'>Continue as "
                f"{html.escape(self.user.name)}</button></form></html>")
        if self.refuse:
            query = urlencode({"error": "access_denied", "error_description": "The user said no",
                               "state": req.payload.state or ""})
            return RedirectResponse(f"{grant.redirect_uri}?{query}", status_code=302)
        return self.server.create_authorization_response(req, grant_user=self.user, grant=grant)

    async def token(self, request: Request) -> Response:
        form = list((await request.form()).multi_items())
        return self.server.create_token_response(_Request(request, form))

    async def userinfo(self, request: Request) -> JSONResponse:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        found = self.tokens.get(value) if scheme.lower() == "bearer" else None
        if found is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        user, scope = found
        return JSONResponse(dict(self.user_info(user, scope)))

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def serving(app, host: str = "127.0.0.1", port: int | None = None,
            name: str = "test server") -> Iterator[int]:
    """Serve an ASGI ``app`` with uvicorn on ``host`` (a free port unless one is given) in a
    thread for the ``with`` block; yields the port."""
    import uvicorn

    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def running_provider(host: str = "127.0.0.1", public_host: str | None = None,
                     **kwargs) -> Iterator[OIDCProvider]:
    """An :class:`OIDCProvider` served by uvicorn on a free port of ``host`` in a thread.

    ``public_host`` is the name in its issuer and endpoints (e.g. ``localhost`` so that a browser sees
    it as another site than a carewise served on ``127.0.0.1``).
    """
    provider = OIDCProvider(**kwargs)
    port = free_port(host)
    provider.issuer = f"http://{public_host or host}:{port}"
    with serving(provider.app, host, port, name="the test OpenID Connect provider"):
        yield provider
