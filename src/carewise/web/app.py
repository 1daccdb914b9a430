"""The carewise web app: FastAPI with server-rendered GOV.UK Frontend pages and a JSON API.

Every page works without JavaScript. Panel members see aggregates with small
numbers suppressed; child-level pages are for admins, analysts and managers,
and every view of one is written to the audit trail.
"""

from __future__ import annotations

import logging
import threading
import traceback
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from carewise.disclosure import Policy
from carewise.errors import UserFacingError
from carewise.settings import Settings, get_settings
from carewise.store import Store
from carewise.web.data import CouncilData
from carewise.web.jobs import Jobs
from carewise.web.rendering import render, templates
from carewise.web.security import (
    SESSION_COOKIE,
    DatabaseSessionMiddleware,
    SecurityHeaders,
    SessionStore,
    Throttle,
    add_security_headers,
    secret_key,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"


def record_refusal(request: Request, reason: Any) -> None:
    """A refused request (403) in the audit trail: who, which address and method, and why
    (OWASP ASVS 7.1.3: access control failures are logged)."""
    from carewise.store import audit

    user = getattr(request.state, "user", None)
    actor = user.username if user else (request.session.get("user") if "session" in request.scope else None)
    council = getattr(request.state, "council", None)
    audit.record(request.app.state.store, actor or "(not signed in)", "refused",
                 council=council.la_code if council else None, target=request.url.path[:200],
                 detail={"method": request.method, "reason": reason if isinstance(reason, str) else "refused"})


@asynccontextmanager
async def _warm_up_in_background(app: FastAPI):
    """When served, compute the dashboards' figures in a background thread (see pages.warm_up)."""
    from carewise.web.pages import warm_up

    threading.Thread(target=warm_up, args=(app,), name="carewise-warm-up", daemon=True).start()
    yield


def create_app(db_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    store = Store(db_url or settings.resolved_database_url())
    secret = secret_key(settings.data_dir, settings.secret_key)
    from carewise.validate.postcodes import use_cache_folder

    use_cache_folder(settings.data_dir / "cache")  # validation's copies of the postcode directory
    policy = Policy.from_settings(settings)
    app = FastAPI(
        title="carewise API",
        version="1",
        description="Figures about children looked after, from the 903 return. Sign in through the web "
        f"pages first: the API uses the same session and roles. Counts from {policy.small_range} are "
        "suppressed for panel users.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_warm_up_in_background,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.data = CouncilData(store, secret, policy)
    app.state.templates = templates()
    app.state.jobs = Jobs(settings.data_dir / "jobs")
    app.state.throttle = Throttle(store)
    app.state.sessions = SessionStore(store, idle=timedelta(minutes=settings.session_idle_minutes),
                                      absolute=timedelta(hours=settings.session_absolute_hours))
    app.add_middleware(DatabaseSessionMiddleware, sessions=app.state.sessions, cookie=SESSION_COOKIE,
                       secure=settings.secure_cookies)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    from carewise.web import (
        api,
        auth,
        pages,
        pages_admin,
        pages_compliance,
        pages_forecast,
        pages_matching,
        pages_voice,
    )

    for module in (auth, pages, pages_admin, pages_matching, pages_forecast, pages_compliance, pages_voice, api):
        app.include_router(module.router)
    if settings.oidc_metadata_url:
        auth.configure_oidc(app, settings)

    @app.exception_handler(auth.PasswordChangeRequired)
    async def password_change_required(request: Request, exc: auth.PasswordChangeRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "choose a new password first: sign in on /login"}, status_code=403)
        return auth.redirect_to_password_change(request)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 403:
            await run_in_threadpool(record_refusal, request, exc.detail)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 401:
            return auth.redirect_to_login(request)
        titles = {403: "You do not have access to this page", 404: "Page not found",
                  405: "Page not found", 429: "Too many attempts"}
        return render(request, "error.html", status_code=exc.status_code,
                      title=titles.get(exc.status_code, "Sorry, there is a problem"),
                      message=exc.detail if exc.status_code in (403, 429) and isinstance(exc.detail, str) else None)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "the request's parameters are not valid"}, status_code=422)
        return render(request, "error.html", status_code=400, title="Sorry, that request was not valid",
                      message="Check the address or go back and try again.")

    @app.exception_handler(UserFacingError)
    async def user_error(request: Request, exc: UserFacingError) -> Response:
        # e.g. a period typed into the address that is not one, or after the last return stored
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return render(request, "error.html", status_code=400, title="That cannot be shown", message=str(exc))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # The path and the code's stack are logged, never the exception's message, which could
        # hold a value from a child's record.
        log.error("unhandled %s on %s\n%s", type(exc).__name__, request.url.path,
                  "".join(traceback.format_tb(exc.__traceback__)))
        if request.url.path.startswith("/api/"):
            return add_security_headers(JSONResponse({"detail": "internal error"}, status_code=500), None,
                                        request.url.path, hsts=settings.secure_cookies)
        page = render(request, "error.html", status_code=500, title="Sorry, there is a problem with the service",
                      message="Try again later. The problem has been logged.")
        # a 500 is answered outside the middleware, so its headers are added here
        return add_security_headers(page, getattr(request.state, "csp_nonce", None), request.url.path,
                                    hsts=settings.secure_cookies)

    return app
