"""Signing in and out, roles, and which council a user is looking at.

Local accounts use argon2 hashes (``carewise.store.accounts``); optional OpenID
Connect single sign-on (authlib) is switched on by the ``CAREWISE_OIDC_*``
settings. Failed sign-ins are throttled (``carewise.web.security.Throttle``): locked per user
name and address, slowed per user name, so nobody can lock another person out.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from carewise.store import accounts, audit
from carewise.store.accounts import Role, User
from carewise.web.security import csrf_valid

router = APIRouter(include_in_schema=False)


def redirect_to_login(request: Request) -> RedirectResponse:
    target = request.url.path if request.method == "GET" else "/"
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def current_user(request: Request) -> User:
    """The signed-in user (401 otherwise); sets ``request.state`` user, council and councils."""
    username = request.session.get("user")
    user = accounts.find_user(request.app.state.store, username) if username else None
    if user is None or not user.active:
        request.session.pop("user", None)
        raise HTTPException(401, "sign in first")
    request.state.user = user
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
def login_page(request: Request, next: str | None = None):
    from carewise.web.app import render

    return render(request, "login.html", next=_safe_next(next), errors={})


@router.post("/login")
async def login(request: Request, username: str = Form(""), password: str = Form(""),
                csrf_token: str = Form(""), next: str = Form("/")):
    """Sign in; a user name under attack from many addresses first waits (without holding a thread)."""
    wait = request.app.state.throttle.delay(username) if username.strip() else 0.0
    if wait:
        await asyncio.sleep(wait)
    return await run_in_threadpool(_login, request, username, password, csrf_token, next)


def client_address(request: Request) -> str:
    """The client's address: the real one behind a trusted proxy (``CAREWISE_TRUSTED_PROXIES``)."""
    return request.client.host if request.client else "unknown"


def _login(request: Request, username: str, password: str, csrf_token: str, next: str):
    from carewise.web.app import render

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
    request.session.clear()
    request.session["user"] = user.username
    audit.record(store, user.username, "sign-in", detail={"method": "password"})
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")):
    check_csrf(request, csrf_token)
    who = request.session.get("user")
    if who:
        audit.record(request.app.state.store, who, "sign-out")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/council")
def choose_council(request: Request, council: str = Form(""), csrf_token: str = Form(""),
                   user: User = Depends(current_user)):
    check_csrf(request, csrf_token)
    if not user.may_see(council):
        raise HTTPException(403, "You do not have access to that council's data.")
    request.session["council"] = council
    return RedirectResponse("/", status_code=303)


def configure_oidc(app, settings) -> None:
    """Council single sign-on through OpenID Connect (authlib)."""
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        "council",
        server_metadata_url=settings.oidc_metadata_url,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        client_kwargs={"scope": "openid email profile"},
    )

    @app.get("/auth/sso", include_in_schema=False)
    async def sso_start(request: Request):
        return await oauth.council.authorize_redirect(request, str(request.url_for("sso_callback")))

    @app.get("/auth/callback", include_in_schema=False, name="sso_callback")
    async def sso_callback(request: Request):
        token = await oauth.council.authorize_access_token(request)
        claims = token.get("userinfo") or {}
        username = (claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "").lower()
        if not username:
            raise HTTPException(403, "Your sign-in did not say who you are.")
        store = request.app.state.store
        user = accounts.find_user(store, username)
        if user is None:
            user = accounts.create_user(store, username, None, settings.oidc_default_role,
                                        display_name=claims.get("name") or username)
        if not user.active:
            raise HTTPException(403, "Your account is switched off. Ask an administrator.")
        request.session.clear()
        request.session["user"] = user.username
        audit.record(store, user.username, "sign-in", detail={"method": "sso"})
        return RedirectResponse("/", status_code=303)
