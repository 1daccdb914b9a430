"""Security for the web app: headers, CSRF tokens and sign-in throttling.

- Every response carries a strict Content-Security-Policy with a per-request
  nonce for the one inline script GOV.UK Frontend needs; HSTS is sent when the
  app is told it runs behind HTTPS.
- Forms carry a CSRF token tied to the session (synchroniser token pattern).
- Sign-in attempts are throttled per user name and per address, so passwords
  cannot be guessed quickly.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque
from pathlib import Path

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

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
    if path.startswith(("/children", "/api/v1/children")):
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
    """At most ``limit`` failed sign-ins per key in ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        now = time.monotonic()
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(k)) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        for k in keys:
            self._recent(k).append(time.monotonic())

    def clear(self, *keys: str) -> None:
        for k in keys:
            self._failures.pop(k, None)


def secret_key(data_dir: Path, configured: str | None) -> str:
    """The session-signing key: configured, or made once and kept in the data folder (mode 600)."""
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
