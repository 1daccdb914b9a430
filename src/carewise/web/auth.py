"""Signing in and out, roles, and which council a user is looking at.

Local accounts use argon2 hashes (``carewise.store.accounts``); optional OpenID
Connect single sign-on (authlib) is switched on by the ``CAREWISE_OIDC_*``
settings. Failed sign-ins are throttled (``carewise.web.security.Throttle``): locked per user
name and address, slowed per user name, so nobody can lock another person out.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carewise.errors import UserFacingError
from carewise.store import accounts, audit
from carewise.store.accounts import Role, User
from carewise.web.security import csrf_valid

if TYPE_CHECKING:
    from fastapi import FastAPI

    from carewise.settings import Settings

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)


def redirect_to_login(request: Request) -> RedirectResponse:
    target = request.url.path if request.method == "GET" else "/"
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def redirect_to_password_change(request: Request) -> RedirectResponse:
    target = request.url.path if request.method == "GET" else "/"
    return RedirectResponse(f"/account/password?next={quote(target)}", status_code=303)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


class PasswordChangeRequired(Exception):
    """The user must choose a new password (an administrator reset it) before anything else."""


def signed_in_user(request: Request) -> User:
    """The signed-in user, read from the database on every request (so a role or council change,
    or switching the account off, applies at once); 401 otherwise."""
    username = request.session.get("user")
    user = accounts.find_user(request.app.state.store, username) if username else None
    if user is None or not user.active:
        request.session.pop("user", None)
        raise HTTPException(401, "sign in first")
    request.state.user = user
    return user


def current_user(request: Request) -> User:
    """The signed-in user (401 otherwise) with a usable password; sets ``request.state`` user,
    council and councils."""
    user = signed_in_user(request)
    if user.must_change_password:
        raise PasswordChangeRequired()
    store = request.app.state.store
    allowed = [c for c in store.councils() if user.may_see(c.la_code)]
    request.state.councils = allowed
    chosen = request.session.get("council")
    council = next((c for c in allowed if c.la_code == chosen), allowed[0] if allowed else None)
    request.state.council = council
    return user


def require(*roles: Role):
    """A dependency admitting only the given roles (403 for everyone else)."""

    def check(request: Request, user: User = Depends(current_user)) -> User:
        if user.role not in roles:
            raise HTTPException(403, "Your role does not give access to this page.")
        return user

    return check


children_roles = require(Role.ADMIN, Role.ANALYST, Role.MANAGER)
import_roles = require(Role.ADMIN, Role.ANALYST)
admin_role = require(Role.ADMIN)


def check_csrf(request: Request, token: str | None) -> None:
    if not csrf_valid(request, token):
        raise HTTPException(403, "The form expired. Go back, reload the page and try again.")


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    from carewise.web.rendering import render

    return render(request, "login.html", next=_safe_next(next), errors={})


@router.post("/login")
async def login(request: Request, username: str = Form(""), password: str = Form(""),
                csrf_token: str = Form(""), next: str = Form("/")) -> Response:
    """Sign in; a user name under attack from many addresses first waits (without holding a thread)."""
    wait = request.app.state.throttle.delay(username) if username.strip() else 0.0
    if wait:
        await asyncio.sleep(wait)
    return await run_in_threadpool(_login, request, username, password, csrf_token, next)


def client_address(request: Request) -> str:
    """The client's address: the real one behind a trusted proxy (``CAREWISE_TRUSTED_PROXIES``)."""
    return request.client.host if request.client else "unknown"


def _login(request: Request, username: str, password: str, csrf_token: str, next: str):
    from carewise.web.rendering import render

    check_csrf(request, csrf_token)
    store = request.app.state.store
    throttle = request.app.state.throttle
    address = client_address(request)
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "Enter your user name"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return render(request, "login.html", status_code=400, next=_safe_next(next), errors=errors,
                      username=username)
    if throttle.blocked(username, address):
        audit.record(store, username.strip().lower() or "(blank)", "sign-in-throttled")
        raise HTTPException(429, "Too many failed attempts. Wait 5 minutes and try again.")
    user = accounts.verify_password(store, username, password)
    if user is None:
        throttle.fail(username, address)
        audit.record(store, username.strip().lower(), "sign-in-failed")
        return render(request, "login.html", status_code=400, next=_safe_next(next), username=username,
                      errors={"password": "The user name or password is not right"})
    throttle.succeeded(username, address)
    # a new user in the session: the middleware issues a fresh session id (no fixation)
    request.session.clear()
    request.session["user"] = user.username
    audit.record(store, user.username, "sign-in", detail={"method": "password"})
    if user.must_change_password:
        return RedirectResponse(f"/account/password?next={quote(_safe_next(next))}", status_code=303)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    """Sign out: the session's row is deleted, so the cookie (or a copy of it) opens nothing."""
    check_csrf(request, csrf_token)
    who = request.session.get("user")
    if who:
        audit.record(request.app.state.store, who, "sign-out")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/account/password")
def password_page(request: Request, next: str | None = None, user: User = Depends(signed_in_user)) -> Response:
    from carewise.web.rendering import render

    return render(request, "account_password.html", title="Change your password", errors={},
                  next=_safe_next(next), forced=user.must_change_password)


@router.post("/account/password")
def change_password(request: Request, current_password: str = Form(""), new_password: str = Form(""),
                    confirm_password: str = Form(""), csrf_token: str = Form(""), next: str = Form("/"),
                    user: User = Depends(signed_in_user)) -> Response:
    """A user's own new password (NIST SP 800-63B: the current one first); their other sessions end."""
    from carewise.web.rendering import render
    from carewise.web.security import SESSION_COOKIE

    check_csrf(request, csrf_token)
    errors: dict[str, str] = {}
    if not current_password:
        errors["current_password"] = "Enter your current password"
    if new_password != confirm_password:
        errors["confirm_password"] = "Enter the same new password twice"
    if not errors:
        try:
            accounts.change_own_password(request.app.state.store, user.username, current_password, new_password,
                                         keep_session=request.cookies.get(SESSION_COOKIE))
        except accounts.AccountError as exc:
            errors[exc.field] = str(exc)
    if errors:
        return render(request, "account_password.html", status_code=400, title="Change your password",
                      errors=errors, next=_safe_next(next), forced=user.must_change_password)
    audit.record(request.app.state.store, user.username, "password-changed", target=user.username)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/council")
def choose_council(request: Request, council: str = Form(""), csrf_token: str = Form(""),
                   user: User = Depends(current_user)) -> Response:
    check_csrf(request, csrf_token)
    if not user.may_see(council):
        raise HTTPException(403, "You do not have access to that council's data.")
    request.session["council"] = council
    return RedirectResponse("/", status_code=303)


SSO_RETRY = "carewise_retry"
"""Marks the callback's second try, made from carewise's own page (see ``_bounce``)."""


def configure_oidc(app: FastAPI, settings: Settings) -> None:
    """Council single sign-on through OpenID Connect (authlib's Starlette client).

    ``/auth/sso`` sends the browser to the provider with a fresh ``state`` and ``nonce`` (kept in the
    session); ``/auth/callback`` exchanges the code, checks the ID token (signature from the JWKS,
    issuer, audience, expiry, nonce) and signs the person in, creating a first-time user with
    ``CAREWISE_OIDC_DEFAULT_ROLE``. Every refusal is a page saying what to do, never a 500.
    """
    import httpx
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.starlette_client import OAuth
    from joserfc.errors import JoseError  # what authlib (1.7+) raises for a bad ID token

    from carewise.web.security import SESSION_COOKIE

    missing = [name for name in ("oidc_client_id", "oidc_client_secret") if not getattr(settings, name)]
    if missing:
        raise SSOSettingsError(
            f"single sign-on needs {' and '.join('CAREWISE_' + m.upper() for m in missing)}: set them to "
            "the client registered for carewise with the council's sign-in service")
    try:
        default_role = Role(settings.oidc_default_role)
    except ValueError:
        raise SSOSettingsError(
            f"CAREWISE_OIDC_DEFAULT_ROLE is {settings.oidc_default_role!r}: set it to one of "
            + ", ".join(r.value for r in Role)) from None

    oauth = OAuth()
    oauth.register(
        "council",
        server_metadata_url=settings.oidc_metadata_url,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        client_kwargs={"scope": "openid email profile", "timeout": 10},
    )

    @app.get("/auth/sso", include_in_schema=False)
    async def sso_start(request: Request, next: str | None = None):
        # the callback address comes from the request: behind a proxy, uvicorn's proxy headers
        # (CAREWISE_TRUSTED_PROXIES) give it the public scheme and host
        callback = str(request.url_for("sso_callback"))
        try:
            response = await oauth.council.authorize_redirect(request, callback)
        except (httpx.HTTPError, OAuthError, ValueError) as exc:
            log.warning("single sign-on: the provider's metadata could not be read (%s)", type(exc).__name__)
            return _sso_unavailable(request)
        request.session["sso_next"] = _safe_next(next)
        return response

    @app.get("/auth/callback", include_in_schema=False, name="sso_callback")
    async def sso_callback(request: Request):
        store = request.app.state.store
        if SESSION_COOKIE not in request.cookies and SSO_RETRY not in request.query_params:
            return _bounce(request)
        try:
            token = await oauth.council.authorize_access_token(request)
            claims = dict(token.get("userinfo") or {})
            if not claims:
                raise OAuthError(error="no_id_token")
            if not _identity(claims):
                # some providers put only "sub" in the ID token: ask userinfo, for the same subject
                extra = await oauth.council.userinfo(token=token)
                if extra.get("sub") != claims.get("sub"):
                    raise OAuthError(error="userinfo_subject_mismatch")
                claims.update(extra)
        except httpx.HTTPError as exc:
            log.warning("single sign-on: the provider could not be reached (%s)", type(exc).__name__)
            return _sso_unavailable(request)
        except OAuthError as exc:
            audit.record(store, "(single sign-on)", "sign-in-failed",
                         detail={"method": "sso", "reason": exc.error or "oauth"})
            if exc.error and exc.error != "mismatching_state" and request.query_params.get("error"):
                return _sso_refused(request, "The council's sign-in service did not sign you in.")
            return _sso_refused(request, "Your sign-in could not be checked, or it took too long.")
        except JoseError as exc:
            # the ID token's signature, issuer, audience, expiry or nonce is wrong
            audit.record(store, "(single sign-on)", "sign-in-failed",
                         detail={"method": "sso", "reason": exc.error})
            return _sso_refused(request, "Your sign-in could not be checked.")
        username = _identity(claims)
        if not username:
            return _sso_refused(request, "Your council's sign-in did not say who you are.")
        user = await run_in_threadpool(accounts.find_user, store, username)
        if user is None:
            user = await run_in_threadpool(
                lambda: accounts.create_user(store, username, None, default_role,
                                             display_name=claims.get("name") or username))
            audit.record(store, user.username, "user-created", target=user.username,
                         detail={"method": "sso", "role": default_role.value})
        if not user.active:
            audit.record(store, user.username, "sign-in-failed", detail={"method": "sso", "reason": "switched off"})
            raise HTTPException(403, "Your account is switched off. Ask an administrator.")
        next_page = _safe_next(request.session.get("sso_next"))
        request.session.clear()
        request.session["user"] = user.username
        audit.record(store, user.username, "sign-in", detail={"method": "sso"})
        return RedirectResponse(next_page, status_code=303)


class SSOSettingsError(UserFacingError):
    """The CAREWISE_OIDC_* settings are incomplete or wrong."""


def _identity(claims: dict) -> str:
    """Who signed in, as a carewise user name: a verified email, else the provider's user name.

    An email the provider marks unverified is not used, as anyone could have typed it; the bare
    ``sub`` is not used either, as no administrator could recognise it.
    """
    email = claims.get("email") if claims.get("email_verified") is not False else None
    return (email or claims.get("preferred_username") or "").strip().lower()


def _bounce(request: Request):
    """The callback reached without the session cookie: try again from carewise's own page.

    The session cookie is SameSite=Strict, so a browser withholds it on the redirect from the
    provider (another site). A same-site navigation from this page sends it; the second try is
    marked, so a callback that truly has no session is refused rather than bounced again.
    """
    from carewise.web.rendering import render

    query = request.url.query + ("&" if request.url.query else "") + f"{SSO_RETRY}=1"
    page = render(request, "sso_continue.html", target=f"{request.url.path}?{query}")
    # rendering put a CSRF token in this cookie-less request's new session: drop it, or its cookie
    # would replace the one holding the sign-in's state before the retry could send it
    request.session.clear()
    return page


def _sso_refused(request: Request, message: str):
    from carewise.web.rendering import render

    return render(request, "error.html", status_code=403, title="You are not signed in",
                  message=f"{message} Sign in again; if it keeps happening, ask your administrator.")


def _sso_unavailable(request: Request):
    from carewise.web.rendering import render

    return render(request, "error.html", status_code=503, title="Sorry, sign-in is not working",
                  message="The council's sign-in service cannot be reached. Try again in a few minutes, "
                  "or sign in with a carewise password if you have one.")
