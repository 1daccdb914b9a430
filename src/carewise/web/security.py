"""Security for the web app: headers, CSRF tokens, server-side sessions and sign-in throttling.

- Every response carries a strict Content-Security-Policy with a per-request
  nonce for the one inline script GOV.UK Frontend needs; HSTS is sent when the
  app is told it runs behind HTTPS.
- Forms carry a CSRF token tied to the session (synchroniser token pattern).
- Sessions live in the database (:class:`SessionStore`); the cookie is an opaque random id.
- Failed sign-ins are throttled (:class:`Throttle`, counted in the database) so passwords cannot
  be guessed quickly, without letting anyone lock another person out on purpose.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select, update
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from carewise.store import schema as s
from carewise.store.accounts import session_key

if TYPE_CHECKING:
    from carewise.store.store import Store

SESSION_COOKIE = "carewise_session"
CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"


class SecurityHeaders(BaseHTTPMiddleware):
    """Adds CSP (with a nonce), framing, referrer and content-type headers to every response."""

    def __init__(self, app, *, hsts: bool = False) -> None:
        super().__init__(app)
        self.hsts = hsts

    async def dispatch(self, request: Request, call_next) -> Response:
        nonce = secrets.token_urlsafe(16)
        request.state.csp_nonce = nonce
        response = await call_next(request)
        return add_security_headers(response, nonce, request.url.path, hsts=self.hsts)


def add_security_headers(response: Response, nonce: str | None, path: str, *, hsts: bool) -> Response:
    """The headers every response carries (also called for 500 pages, which bypass middleware)."""
    script_src = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src {script_src}; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if path.startswith(("/children", "/api/v1/children", "/imports/", "/compliance/worklist", "/pack/jobs")):
        response.headers["Cache-Control"] = "no-store"
    if hsts:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(CSRF_SESSION_KEY)
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))


class Throttle:
    """Failed sign-ins, counted so that guessing is slow but nobody can lock someone else out.

    Follows the OWASP Authentication Cheat Sheet ("Login throttling", "account lockout" and its
    denial-of-service warning): a hard lockout keyed on the user name alone lets anyone shut a
    named user out with a few wrong passwords, so the lockout is per (user name, address) and the
    user name's count across all addresses only slows attempts down.

    - ``limit`` failures for one user name from one address in ``window`` seconds: that pair is
      refused (429) for the rest of the window.
    - ``address_limit`` failures from one address, whatever the names: the address is refused
      (one address trying many names). Higher than ``limit`` so colleagues behind one office
      address are not all shut out by a few mistakes.
    - ``user_soft_limit`` failures for a user name from any addresses in ``user_window`` seconds:
      every further attempt for it waits :meth:`delay` (doubling from ``base_delay`` up to
      ``max_delay``) before the password is checked, right or wrong, so a spread-out attack is
      slowed while the real user still gets in.

    The failures are rows of the database's ``login_failure`` table, so every server process
    (``carewise serve --workers N``, or several machines on one PostgreSQL) shares one count.
    """

    def __init__(
        self,
        store: Store,
        limit: int = 5,
        window: float = 300.0,
        *,
        address_limit: int = 20,
        user_soft_limit: int = 10,
        user_window: float = 900.0,
        base_delay: float = 0.5,
        max_delay: float = 4.0,
    ) -> None:
        self.store = store
        self.limit = limit
        self.window = window
        self.address_limit = address_limit
        self.user_soft_limit = user_soft_limit
        self.user_window = user_window
        self.base_delay = base_delay
        self.max_delay = max_delay

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str, str]:
        name = username.strip().lower()[:200]
        address = address[:100]
        return f"pair:{name} {address}", f"addr:{address}", f"user:{name}"

    def _recent(self, conn, key: str, window: float) -> int:
        since = datetime.now(UTC) - timedelta(seconds=window)
        table = s.login_failure
        return int(conn.execute(select(func.count()).select_from(table)
                                .where(table.c.key == key, table.c.at > since)).scalar() or 0)

    def blocked(self, username: str, address: str) -> bool:
        """True when this user name from this address, or this address, has failed too often."""
        pair, addr, _ = self._keys(username, address)
        with self.store.engine.connect() as conn:
            return (self._recent(conn, pair, self.window) >= self.limit
                    or self._recent(conn, addr, self.window) >= self.address_limit)

    def delay(self, username: str) -> float:
        """Seconds to wait before checking a password for this user name (0 below the soft limit)."""
        _, _, user = self._keys(username, "")
        with self.store.engine.connect() as conn:
            over = self._recent(conn, user, self.user_window) - self.user_soft_limit
        if over < 0:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** min(over, 16))

    def fail(self, username: str, address: str) -> None:
        now = datetime.now(UTC)
        with self.store.engine.begin() as conn:
            conn.execute(insert(s.login_failure), [{"key": key, "at": now}
                                                   for key in self._keys(username, address)])
            # forget what no window can see any more, so the table stays small
            conn.execute(delete(s.login_failure).where(
                s.login_failure.c.at < now - timedelta(seconds=max(self.window, self.user_window))))

    def succeeded(self, username: str, address: str) -> None:
        """A right password forgets this pair's failures; the address's and the name's stay, so
        signing in to one's own account does not reset the count of guesses at others'."""
        pair, _, _ = self._keys(username, address)
        with self.store.engine.begin() as conn:
            conn.execute(delete(s.login_failure).where(s.login_failure.c.key == pair))


def _as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; carewise writes UTC, so read them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SessionStore:
    """Server-side sessions (OWASP ASVS V3, OWASP Session Management Cheat Sheet).

    The browser's cookie holds only a random 256-bit id; the database keeps its SHA-256 (so a
    copy of the table opens no session) beside the session's data. A session ends when the user
    signs out (its row is deleted), after ``idle`` unused or ``absolute`` after sign-in, and when an
    administrator switches the user off or resets their password (:func:`end_sessions`). Signing in
    always starts a new id, so an id planted before sign-in is worthless (session fixation).
    """

    touch_every = timedelta(seconds=60)
    """``seen_at`` is written at most once a minute per session, not on every request."""

    def __init__(self, store: Store, *, idle: timedelta, absolute: timedelta) -> None:
        self.store = store
        self.idle = idle
        self.absolute = absolute

    def load(self, token: str) -> tuple[dict, datetime] | None:
        """The session's data and when it was last written down, or None (unknown or timed out)."""
        table = s.web_session
        key = session_key(token)
        with self.store.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.token_hash == key)).first()
        if row is None:
            return None
        now = datetime.now(UTC)
        seen = _as_utc(row.seen_at)
        if now - seen > self.idle or now - _as_utc(row.created_at) > self.absolute:
            with self.store.engine.begin() as conn:
                conn.execute(delete(table).where(table.c.token_hash == key))
            return None
        return dict(row.data or {}), seen

    def save(self, token: str | None, before: dict, after: dict, seen: datetime | None) -> str | None:
        """Write the session down after a request; returns a new cookie value when one is issued
        ("" to clear the cookie, None to leave it as it is)."""
        table = s.web_session
        now = datetime.now(UTC)
        if not after:
            if token is not None:
                self.end(token)
                return ""
            return None
        if token is None or after.get("user") != before.get("user"):
            # a new session, or the user changed (signed in): always a fresh id
            if token is not None:
                self.end(token)
            fresh = secrets.token_urlsafe(32)
            with self.store.engine.begin() as conn:
                conn.execute(delete(table).where(
                    (table.c.seen_at < now - self.idle) | (table.c.created_at < now - self.absolute)))
                conn.execute(insert(table).values(token_hash=session_key(fresh), username=after.get("user"),
                                                  created_at=now, seen_at=now, data=after))
            return fresh
        if after != before:
            with self.store.engine.begin() as conn:
                conn.execute(update(table).where(table.c.token_hash == session_key(token))
                             .values(data=after, seen_at=now))
        elif seen is None or now - seen > self.touch_every:
            with self.store.engine.begin() as conn:
                conn.execute(update(table).where(table.c.token_hash == session_key(token)).values(seen_at=now))
        return None

    def end(self, token: str) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(delete(s.web_session).where(s.web_session.c.token_hash == session_key(token)))


def end_sessions(store: Store, username: str) -> int:
    """End every session of a user, in every server process at once (the rows are shared)."""
    with store.engine.begin() as conn:
        return conn.execute(delete(s.web_session).where(
            s.web_session.c.username == username.strip().lower())).rowcount or 0


class DatabaseSessionMiddleware:
    """``request.session`` backed by :class:`SessionStore`: the same dict interface as Starlette's
    signed-cookie sessions (which authlib's single sign-on also uses), but nothing readable or
    replayable lives in the browser."""

    def __init__(self, app, *, sessions: SessionStore, cookie: str, secure: bool) -> None:
        self.app = app
        self.sessions = sessions
        self.cookie = cookie
        self.secure = secure

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            # stylesheets, scripts and fonts need no session: no database round trip for them
            await self.app(scope, receive, send)
            return
        token = HTTPConnection(scope).cookies.get(self.cookie) or None
        loaded = await run_in_threadpool(self.sessions.load, token) if token else None
        before, seen = loaded if loaded else ({}, None)
        token_known = token if loaded else None
        scope["session"] = dict(before)

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                cookie = await run_in_threadpool(self.sessions.save, token_known, before,
                                                 dict(scope["session"]), seen)
                if cookie is None and token and loaded is None:
                    cookie = ""  # the browser holds an ended session's id: drop it
                if cookie is not None:
                    MutableHeaders(scope=message).append("Set-Cookie", self._cookie(cookie))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, value: str) -> str:
        max_age = int(self.sessions.absolute.total_seconds()) if value else 0
        flags = "; Secure" if self.secure else ""
        return f"{self.cookie}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{flags}"


def secret_key(data_dir: Path, configured: str | None) -> str:
    """The installation's secret (the key of children's opaque references): configured, or made
    once and kept in the data folder (mode 600)."""
    if configured:
        return configured
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
