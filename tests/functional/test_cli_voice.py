"""`carewise voice` end to end on a synthetic council: synth, load, per-pledge shares, asks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import ok, runner, synthetic_council_db

from carewise.cli import app
from carewise.errors import BadInputError


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    folder = tmp_path_factory.mktemp("council")
    db = synthetic_council_db(folder, "60")
    made = ok(["voice", "synth", "--db", db, "--out", str(folder / "voice"), "--load"])
    assert {b["kind"] for b in made["loaded"]} == {"survey_questions", "survey_responses", "consultations", "asks"}
    return folder, db


def test_voice_gives_each_pledge_its_shares_by_age_group_and_year(council):
    _, db = council
    data = ok(["voice", "--db", db])
    assert [p["ref"] for p in data["pledges"]] == ["P1", "P2", "P3", "P4", "P5"]
    p1 = data["pledges"][0]
    assert len(p1["years"]) == 3 and {q["question"] for q in p1["questions"]} == {"Q1", "Q2"}
    groups = p1["years"][-1]["groups"]
    assert set(groups) == {"under_11", "11_plus", "care_leaver", "all"}
    assert 30 < groups["all"]["value"] < 100 and groups["care_leaver"]["share"] == "–"
    assert p1["actions"][0]["ref"] == "1.1"
    assert data["pledges"][4]["years"][-1]["groups"]["care_leaver"]["children"] != "0"
    assert data["asks_summary"]["overdue"] == len(data["overdue"]) >= 1
    assert data["benchmarks_supplied"] is False and "No national comparison" in data["benchmark_note"]
    assert data["consultations"] and "listened_to" in data["consultations"][0]


def test_panel_audience_hides_small_groups_but_internal_does_not(council):
    _, db = council
    panel = ok(["voice", "--db", db, "--audience", "panel"])
    internal = ok(["voice", "--db", db])
    shares = lambda d: [g["share"] for p in d["pledges"] for y in p["years"] for g in y["groups"].values()]  # noqa: E731
    assert "x" not in shares(internal)
    assert shares(panel).count("x") >= shares(internal).count("x")


def test_asks_have_history_and_overdue_first(council):
    folder, db = council
    asks = ok(["voice", "asks", "--db", db])["asks"]
    assert asks[0]["overdue"] is True and all(a["history"] for a in asks)
    # a response recorded in a new load adds to the history; the first state stays
    path = folder / "voice" / "asks.csv"
    ref = asks[0]["ref"]
    lines = path.read_text().splitlines()
    lines = [line.replace(",in_progress,,", ",done,Agreed and in place,") if line.startswith(ref + ",") else line
             for line in lines]
    path.write_text("\n".join(lines) + "\n")
    ok(["voice", "load", str(path), "--db", db])
    after = {a["ref"]: a for a in ok(["voice", "asks", "--db", db])["asks"]}
    assert [h["status"] for h in after[ref]["history"]] == ["in_progress", "done"]
    assert after[ref]["overdue"] is False


def test_bad_file_is_refused_with_file_row_and_column(council, tmp_path):
    _, db = council
    bad = tmp_path / "consultations.csv"
    bad.write_text("form,review_date,age_group\nF1,01/02/2025,teen\n")
    result = runner.invoke(app, ["voice", "load", str(bad), "--db", db])
    assert result.exit_code == BadInputError.exit_code
    assert "consultations.csv" in result.output and "age_group" in result.output


def test_pack_has_what_children_told_us_for_the_panel(council, tmp_path):
    _, db = council
    result = runner.invoke(app, ["pack", "--db", db, "--period", "2024-25", "--audience", "panel",
                                 "--format", "html", "--out", str(tmp_path / "pack"), "--json"])
    assert result.exit_code == 0, result.output
    (html,) = [f["path"] for f in json.loads(result.stdout)["files"]]
    text = Path(html).read_text(encoding="utf-8")
    assert "What children told us" in text and "You said, we did" in text
    assert "No national comparison" in text and "Care leavers: what they said beside their outcomes" in text
    assert "<svg" in text.split("What children told us", 1)[1]
