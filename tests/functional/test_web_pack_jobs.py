"""Issue 16 item 6: the pack is made in the background with its progress shown; a job is its
user's alone, and its state lives in the data folder so any worker can answer for it."""

from __future__ import annotations

import re
import time

import pytest
from web_helpers import csrf, sign_in, synthetic_app

PASSWORD = "pack-jobs-password-1"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-pack-jobs")
    app, store, council = synthetic_app(root, ("analyst", "manager", "panel"), PASSWORD, 80,
                                        "2023-24..2024-25", seed=5)
    return root, app, store, council


def _start(client, **form) -> str:
    answer = client.post("/pack/jobs", data={"csrf_token": csrf(client, "/pack"), **form}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return re.fullmatch(r"/pack/jobs/([0-9a-f]{32})", answer.headers["location"]).group(1)


def _finished(client, job_id: str) -> dict:
    deadline = time.monotonic() + 120  # a bound on waiting, not a timing assertion
    while time.monotonic() < deadline:
        status = client.get(f"/pack/jobs/{job_id}/status").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError("the pack job did not finish")


@pytest.fixture(scope="module")
def finished_job(world):
    _, app, _, _ = world
    analyst = sign_in(app, "analyst", PASSWORD)
    job_id = _start(analyst, period="2024-25", audience="panel", format="html")
    return analyst, job_id, _finished(analyst, job_id)


def test_the_job_reports_progress_then_the_file(world, finished_job):
    _, _, store, council = world
    analyst, job_id, status = finished_job
    assert status["state"] == "done" and status["percent"] == 100 and status["done"] == status["total"] > 3
    assert status["download"] == f"/pack/jobs/{job_id}/download"
    page = analyst.get(f"/pack/jobs/{job_id}").text
    assert "Your pack is ready" in page and "<noscript>" in page
    file = analyst.get(status["download"])
    assert file.status_code == 200 and file.headers["cache-control"] == "no-store"
    assert f'carewise-synthetic-pack-{council.la_code}-2024-25-panel.html' in file.headers["content-disposition"]
    assert "Synthetic data" in file.text
    from carewise.store import audit

    assert audit.events(store, action="export", actor="analyst")[0].detail["job"] == job_id


def test_the_same_pack_asked_again_while_running_is_one_job(world):
    _, app, _, _ = world
    analyst = sign_in(app, "analyst", PASSWORD)
    form = dict(period="2024-25", audience="internal", format="xlsx")
    first, second = _start(analyst, **form), _start(analyst, **form)
    status = _finished(analyst, first)
    assert status["state"] == "done"
    assert second == first or _finished(analyst, second)["state"] == "done"


def test_another_users_job_is_not_found(world, finished_job):
    _, app, _, _ = world
    _, job_id, _ = finished_job
    manager = sign_in(app, "manager", PASSWORD)
    for tail in ("", "/status", "/download"):
        assert manager.get(f"/pack/jobs/{job_id}{tail}").status_code == 404


def test_a_panel_member_cannot_start_an_internal_pack_nor_skip_the_csrf_token(world):
    _, app, _, _ = world
    panel = sign_in(app, "panel", PASSWORD)
    refused = panel.post("/pack/jobs", data={"csrf_token": csrf(panel, "/pack"), "audience": "internal",
                                             "format": "pdf"}, follow_redirects=False)
    assert refused.status_code == 403
    assert panel.post("/pack/jobs", data={"audience": "panel", "format": "pdf"},
                      follow_redirects=False).status_code in (400, 403)


def test_another_worker_answers_for_the_job(world, finished_job):
    """``serve --workers N``: a second app on the same store and data folder sees the job."""
    root, _, _, _ = world
    from carewise.settings import Settings
    from carewise.web import create_app

    _, job_id, _ = finished_job
    other = create_app(f"sqlite:///{root / 'carewise.db'}", Settings(data_dir=root / "data"))
    analyst = sign_in(other, "analyst", PASSWORD)
    assert analyst.get(f"/pack/jobs/{job_id}/status").json()["state"] == "done"
    assert analyst.get(f"/pack/jobs/{job_id}/download").status_code == 200
