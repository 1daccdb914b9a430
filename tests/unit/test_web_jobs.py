"""The web app's background jobs (web.jobs): per user, on disk, failed when their process is gone,
removed after an hour."""

from __future__ import annotations

import json
import time
from pathlib import Path

from carewise.web import jobs
from carewise.web.jobs import Jobs


def _wait(store: Jobs, user: str, job_id: str):
    deadline = time.monotonic() + 30
    while (job := store.get(user, job_id)).state in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return job


def _work(folder: Path, step) -> Path:
    for name in ("one", "two", "three"):
        step(name)
    (folder / "out.txt").write_text("made")
    return folder / "out.txt"


def test_a_job_runs_and_keeps_its_file_for_its_user_only(tmp_path):
    store = Jobs(tmp_path)
    job_id = store.start("alex", "out.txt", 3, _work)
    job = _wait(store, "alex", job_id)
    assert (job.state, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert job.file.read_text() == "made"
    assert store.get("sam", job_id) is None
    assert store.get("alex", "../" + job_id[3:]) is None


def test_a_failing_job_says_failed_without_the_message(tmp_path, caplog):
    child = str(123000 + 456)

    def broken(folder, step):
        raise ValueError(f"child {child} has no DOB")

    store = Jobs(tmp_path)
    assert _wait(store, "alex", store.start("alex", "x.pdf", 5, broken)).state == "failed"
    assert child not in caplog.text and "ValueError" in caplog.text and "broken" in caplog.text


def test_a_job_whose_process_has_gone_is_failed(tmp_path):
    store = Jobs(tmp_path)
    job_id = store.start("alex", "out.txt", 3, _work)
    _wait(store, "alex", job_id)
    status = next(tmp_path.glob(f"*/{job_id}/status.json"))
    state = json.loads(status.read_text()) | {"state": "running", "pid": 2 ** 22 + 7}
    status.write_text(json.dumps(state))
    assert store.get("alex", job_id).state == "failed"


def test_jobs_older_than_an_hour_are_removed(tmp_path):
    store = Jobs(tmp_path)
    job_id = store.start("alex", "out.txt", 3, _work)
    _wait(store, "alex", job_id)
    assert store.clean(now=time.time() + jobs.KEEP - 60) == 0
    assert store.clean(now=time.time() + jobs.KEEP + 60) == 1
    assert store.get("alex", job_id) is None
