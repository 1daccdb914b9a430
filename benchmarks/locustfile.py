"""Load on the web app: signed-in users browsing the dashboards, the voice page, the compliance and care-leaver
pages and the measures API.

Run by ``benchmarks/test_bench_web.py`` (which starts ``carewise serve`` on loopback with a large
synthetic council), or by hand against a server you started::

    CAREWISE_LOAD_USER=... CAREWISE_LOAD_PASSWORD=... \\
        .venv/bin/locust -f benchmarks/locustfile.py --headless -u 50 -r 10 -t 60s \\
        --host http://127.0.0.1:8000

Only ever point it at a server on this machine (loopback).
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

from locust import HttpUser, between, task

PERIODS = [p for p in os.environ.get("CAREWISE_LOAD_PERIODS", "").split(",") if p]
_cookies = os.environ.get("CAREWISE_LOAD_SESSIONS")
SESSIONS = Path(_cookies).read_text().split() if _cookies else []
"""Session cookies made beforehand (one a line); without them each user signs in itself."""
_TAKEN = itertools.count()


class DashboardUser(HttpUser):
    """Someone reading the dashboards: a page every 1 to 3 seconds."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        if SESSIONS:
            # signed in beforehand, so that the figures measure browsing, not password hashing
            self.client.cookies.set("carewise_session", SESSIONS[next(_TAKEN) % len(SESSIONS)])
            return
        page = self.client.get("/login", name="/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        with self.client.post(
            "/login", name="/login (post)", allow_redirects=False, catch_response=True,
            data={"username": os.environ["CAREWISE_LOAD_USER"],
                  "password": os.environ["CAREWISE_LOAD_PASSWORD"], "csrf_token": token, "next": "/"},
        ) as response:
            if response.status_code != 303:
                response.failure(f"sign-in failed: {response.status_code}")

    def _get(self, path: str, name: str | None = None) -> None:
        with self.client.get(path, name=name or path, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    @task(4)
    def dashboard(self) -> None:
        self._get("/")

    @task(3)
    def population(self) -> None:
        self._get("/population")

    @task(1)
    def population_filtered(self) -> None:
        self._get("/population?sex=2", name="/population?sex=…")

    @task(2)
    def stability(self) -> None:
        self._get("/stability")

    @task(2)
    def care_leavers(self) -> None:
        self._get("/care-leavers")

    @task(2)
    def compliance(self) -> None:
        self._get("/compliance")

    @task(2)
    def compliance_leavers(self) -> None:
        self._get("/compliance/leavers")

    @task(1)
    def compliance_pledges(self) -> None:
        self._get("/compliance/pledges")

    @task(2)
    def voice(self) -> None:
        self._get("/voice")

    @task(1)
    def health(self) -> None:
        self._get("/health")

    @task(2)
    def measures_api(self) -> None:
        self._get("/api/v1/measures")

    @task(1)
    def earlier_year(self) -> None:
        if PERIODS:
            self._get(f"/?period={PERIODS[-1]}", name="/?period=…")
