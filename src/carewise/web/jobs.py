"""Work that takes too long for one request (a panel pack: 20 s or more), run in the background.

A job's state is a small JSON file, and its result a file, in a folder of its own under the data
folder (``jobs/<owner>/<job id>/``), not in one process's memory: with ``carewise serve
--workers N`` the status and download requests land on any worker, and every worker reads the
same folder. The job itself runs in a thread of the worker that started it; if that process ends
first, the job is reported as failed (its process id is gone) rather than running for ever.

Jobs belong to the user who started them: the owner's folder is named by a hash of the user
name, and a job is only looked up in the asking user's folder, so another user's job id finds
nothing. Finished jobs and their files are removed after :data:`KEEP` (checked whenever a job
starts). Nothing about the data goes into the state or the log: steps are section titles.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEEP = 3600.0
"""Seconds a job's state and file are kept after it started (then removed)."""
STALE = 1800.0
"""Seconds after which a job still not finished is reported as failed."""
STATUS = "status.json"

Progress = Callable[[str], None]
"""Called by the work with a short, data-free description of each step it starts."""
Work = Callable[[Path, Progress], Path]
"""Does the job: writes its result into the folder given and returns the file's path."""


@dataclass(frozen=True)
class Job:
    """What a status request sees of a job."""

    id: str
    state: str
    """queued, running, done or failed."""
    done: int
    total: int
    step: str
    name: str
    """The download's file name."""
    file: Path | None

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "done": self.done, "total": self.total,
                "percent": self.percent, "step": self.step}


def _owner(username: str) -> str:
    return hashlib.sha256(username.encode()).hexdigest()[:24]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that id: not ours, so ours has gone
        return False
    return True


class Jobs:
    """Background jobs of one installation, kept under ``root`` (the data folder's ``jobs``)."""

    def __init__(self, root: Path, threads: int = 2) -> None:
        self.root = root
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="carewise-job")

    def start(self, username: str, name: str, total: int, work: Work,
              same_as: dict[str, Any] | None = None) -> str:
        """Start ``work`` in the background for ``username``; returns the job's id. A job of the
        same user with the same ``same_as`` still queued or running is reused, not repeated."""
        self.clean()
        if same_as is not None:
            for job_id, state in self._states(username):
                if state.get("same_as") == same_as and self._job(username, job_id, state).state in (
                        "queued", "running"):
                    return job_id
        job_id = secrets.token_hex(16)
        folder = self.root / _owner(username) / job_id
        folder.mkdir(parents=True)
        self._write(folder, {"state": "queued", "done": 0, "total": total, "step": "", "name": name,
                             "file": None, "pid": os.getpid(), "started": time.time(), "same_as": same_as})
        self._pool.submit(self._run, folder, work)
        return job_id

    def get(self, username: str, job_id: str) -> Job | None:
        """The user's job, or None (unknown, expired, or another user's)."""
        if len(job_id) != 32 or not all(c in "0123456789abcdef" for c in job_id):
            return None
        state = self._read(self.root / _owner(username) / job_id)
        return None if state is None else self._job(username, job_id, state)

    def clean(self, now: float | None = None) -> int:
        """Remove every user's jobs started more than :data:`KEEP` ago; returns how many."""
        now = time.time() if now is None else now
        removed = 0
        for status in self.root.glob(f"*/*/{STATUS}"):
            state = self._read(status.parent)
            if state is None or now - float(state.get("started", 0)) > KEEP:
                shutil.rmtree(status.parent, ignore_errors=True)
                removed += 1
        return removed

    # -- internals ------------------------------------------------------------------------------

    def _run(self, folder: Path, work: Work) -> None:
        state = self._read(folder) or {}
        state.update(state="running")
        self._write(folder, state)

        def progress(step: str) -> None:
            state.update(done=min(state["done"] + 1, state["total"]), step=step)
            self._write(folder, state)

        try:
            path = work(folder, progress)
        except Exception as exc:  # reported to the user as failed
            # the kind and where (the code's stack), never the message: it could hold a child's value
            log.error("background job %s failed: %s\n%s", folder.name, type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
            state.update(state="failed", step="")
        else:
            state.update(state="done", done=state["total"], step="", file=path.name)
        self._write(folder, state)

    def _job(self, username: str, job_id: str, state: dict[str, Any]) -> Job:
        folder = self.root / _owner(username) / job_id
        status = state.get("state", "failed")
        if status in ("queued", "running") and (
                not _pid_alive(int(state.get("pid", 0)))
                or time.time() - float(state.get("started", 0)) > STALE):
            status = "failed"
        file = folder / state["file"] if status == "done" and state.get("file") else None
        if file is not None and not file.exists():
            status, file = "failed", None
        return Job(job_id, status, int(state.get("done", 0)), int(state.get("total", 0)),
                   str(state.get("step", "")), str(state.get("name", "")), file)

    def _states(self, username: str):
        for status in (self.root / _owner(username)).glob(f"*/{STATUS}"):
            state = self._read(status.parent)
            if state is not None:
                yield status.parent.name, state

    @staticmethod
    def _read(folder: Path) -> dict[str, Any] | None:
        try:
            return json.loads((folder / STATUS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    @staticmethod
    def _write(folder: Path, state: dict[str, Any]) -> None:
        """Written to a temporary file and renamed, so a reader never sees half a file."""
        temporary = folder / f".{STATUS}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, folder / STATUS)
