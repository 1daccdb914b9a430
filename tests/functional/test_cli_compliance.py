"""`carewise compliance`, `extracts`, `leavers`, `pledges` and `actions` on a synthetic council."""

from __future__ import annotations

import pytest
from cli_helpers import ok, runner, synthetic_council_db

from carewise.cli import app

SUMMARY_IDS = {"visits_on_time", "reviews_on_time", "iha_on_time", "rha_on_time", "pep_on_time",
               "rhi_within_72h", "pathway_plans_current"}


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    folder = tmp_path_factory.mktemp("council")
    db = synthetic_council_db(folder, "120")
    return folder, db


@pytest.fixture(scope="module")
def council_with_extracts(tmp_path_factory):
    """Its own council with synthetic local extracts loaded: the tests that need extracts do not
    depend on another test having loaded them (each test runs alone, or on any xdist worker)."""
    folder = tmp_path_factory.mktemp("council_extracts")
    db = synthetic_council_db(folder, "120")
    made = ok(["extracts", "synth", "--db", db, "--out", str(folder / "extracts"), "--load"])
    return folder, db, made


def test_compliance_before_extracts_only_reviews_are_assessed(council):
    folder, db = council
    data = ok(["compliance", "--db", db, "--summary-only"])
    assert data["summary"]["reviews_on_time"]["assessed"] is True
    assert data["summary"]["visits_on_time"]["assessed"] is False
    assert "children" not in data


def test_synthetic_extracts_load_and_give_every_summary(council_with_extracts, tmp_path):
    folder, db, made = council_with_extracts
    assert {b["kind"] for b in made["loaded"]} >= {"visits", "peps", "allocations"}
    data = ok(["compliance", "--db", db, "--excel", str(tmp_path / "worklist.xlsx")])
    assert set(data["summary"]) >= SUMMARY_IDS
    visits = data["summary"]["visits_on_time"]
    assert visits["assessed"] and visits["denominator"] > 100 and 60 < visits["value"] < 99
    assert data["as_at"] == "2025-03-31"
    statuses = {c["status"] for c in data["children"]}
    assert statuses <= {"overdue", "due_soon", "done_on_time", "done_late", "not_yet_due"}
    assert "overdue" in statuses
    assert sum(data["statuses"].values()) == len(data["children"])
    assert (tmp_path / "worklist.xlsx").stat().st_size > 5000
    assert {t["team"] for t in data["teams"]} - {"(unallocated)"}
    assert {w["worker"] for w in data["workers"]} - {"(unallocated)"}
    assert {r["month"] for r in data["trend"]} and all(0 <= (r["pct_on_time"] or 0) <= 100 for r in data["trend"])
    earlier = ok(["compliance", "--db", db, "--at", "2024-09-30", "--summary-only"])
    assert earlier["as_at"] == "2024-09-30"


def test_a_bad_extract_is_refused_with_where_and_what_to_do(council, tmp_path):
    folder, db = council
    bad = tmp_path / "visits.csv"
    bad.write_text("child,date,seen_alone\n100001,2024-13-01,Y\n", encoding="utf-8")
    result = runner.invoke(app, ["extracts", "load", str(bad), "--db", db])
    assert result.exit_code == 3
    assert "visits.csv, row 1, column date" in result.output and "nothing was stored" in result.output
    listed = ok(["extracts", "list", "--db", db])
    assert all(b["file"] != "visits.csv" or b["rows"] > 1 for b in listed["batches"])


def test_templates(tmp_path):
    data = ok(["extracts", "template", str(tmp_path / "t")])
    assert len(data["written"]) == 10


def test_leavers_by_status_with_caseloads_and_forecast(council_with_extracts):
    folder, db, _ = council_with_extracts
    data = ok(["leavers", "--db", db])
    assert set(data["by_status"]) == {"eligible", "relevant", "former_relevant", "former_relevant_21_25"}
    assert data["total"] == sum(v["count"] for v in data["by_status"].values()) > 0
    assert data["advisers"] == len(data["caseloads"]) > 0
    assert sum(c["caseload"] for c in data["caseloads"]) == sum(1 for y in data["young_people"] if y["adviser"])
    assert data["forecast"] and "requiring_pa" in data["forecast"][0]


def test_pledges_and_actions(council_with_extracts):
    folder, db, _ = council_with_extracts
    ok(["pledges", "add", "P1", "--pledge", "We will see you at least every six weeks",
         "--measure", "visits_on_time", "--target", "90", "--db", db])
    pledges = ok(["pledges", "list", "--db", db])["pledges"]
    assert pledges[0]["ref"] == "P1" and pledges[0]["rag"] in ("green", "amber", "red")
    assert pledges[0]["value"] is not None
    bad = runner.invoke(app, ["pledges", "add", "P2", "--pledge", "x", "--measure", "nope", "--target", "1",
                              "--db", db])
    assert bad.exit_code == 2 and "not a measure carewise knows" in bad.output
    ok(["actions", "add", "1.1", "--action", "Train frontline managers", "--owner", "Head of L&D",
         "--due", "2025-09-30", "--db", db])
    ok(["actions", "update", "1.1", "--status", "on_track", "--note", "Programme designed", "--db", db])
    (action,) = ok(["actions", "list", "--db", db])["actions"]
    assert action["status"] == "on_track" and len(action["updates"]) == 2
