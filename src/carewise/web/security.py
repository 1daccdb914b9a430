"""Security for the web app: headers, CSRF tokens and sign-in throttling.

- Every response carries a strict Content-Security-Policy with a per-request
  nonce for the one inline script GOV.UK Frontend needs; HSTS is sent when the
  app is told it runs behind HTTPS.
- Forms carry a CSRF token tied to the session (synchroniser token pattern).
- Failed sign-ins are throttled (:class:`Throttle`) so passwords cannot be guessed
  quickly, without letting anyone lock another person out on purpose.
"""

from __future__ import annotations

import hmac
import secrets
import threading
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
    """

    def __init__(
        self,
        limit: int = 5,
        window: float = 300.0,
        *,
        address_limit: int = 20,
        user_soft_limit: int = 10,
        user_window: float = 900.0,
        base_delay: float = 0.5,
        max_delay: float = 4.0,
        max_keys: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.address_limit = address_limit
        self.user_soft_limit = user_soft_limit
        self.user_window = user_window
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str, str]:
        name = username.strip().lower()
        return f"pair:{name}\x00{address}", f"addr:{address}", f"user:{name}"

    def _recent(self, key: str, window: float) -> int:
        q = self._failures.get(key)
        if q is None:
            return 0
        now = time.monotonic()
        while q and now - q[0] > window:
            q.popleft()
        return len(q)

    def blocked(self, username: str, address: str) -> bool:
        """True when this user name from this address, or this address, has failed too often."""
        pair, addr, _ = self._keys(username, address)
        with self._lock:
            return (self._recent(pair, self.window) >= self.limit
                    or self._recent(addr, self.window) >= self.address_limit)

    def delay(self, username: str) -> float:
        """Seconds to wait before checking a password for this user name (0 below the soft limit)."""
        _, _, user = self._keys(username, "")
        with self._lock:
            over = self._recent(user, self.user_window) - self.user_soft_limit
        if over < 0:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** min(over, 16))

    def fail(self, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= self.max_keys:
                self._prune()
            for key in self._keys(username, address):
                self._failures[key].append(now)

    def succeeded(self, username: str, address: str) -> None:
        """A right password forgets this pair's failures; the address's and the name's stay, so
        signing in to one's own account does not reset the count of guesses at others'."""
        pair, _, _ = self._keys(username, address)
        with self._lock:
            self._failures.pop(pair, None)

    def _prune(self) -> None:
        longest = max(self.window, self.user_window)
        for key in list(self._failures):
            if not self._recent(key, longest):
                del self._failures[key]


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
