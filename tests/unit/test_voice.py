"""Feedback extracts: reading, storing as batches, shares with disclosure, the asks tracker."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carewise.compliance.pledges import Pledge, save_pledges
from carewise.disclosure import Policy
from carewise.ingest.extracts import ExtractError
from carewise.returns.build import return_from_rows
from carewise.store import Store
from carewise.voice.extracts import read_voice
from carewise.voice.storage import Voice, ask_history, import_voice, load_voice, voice_batches
from carewise.voice.views import ask_views, overdue, pledge_views, quotes, shown_shares

LA = "E06000056"


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ret = return_from_rows("2024-25", header=[{"CHILD": "1", "SEX": "M", "DOB": "01/01/2012"}],
                           episodes=[{"CHILD": "1", "DECOM": "01/06/2024", "RNE": "S", "LS": "C2", "CIN": "N1",
                                      "PLACE": "U6", "PLACE_PROVIDER": "PR1"}])
    s.import_returns(LA, [ret], synthetic=True)
    save_pledges(s, LA, [Pledge("P1", "We will listen to you", "children", "visits_on_time", 90)])
    return s


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


ASKS = ("ref,forum,raised,you_said,owner,due,status,we_did,pledge,action\n"
        "A1,children_in_care_council,01/02/2025,More time with social workers,Head of Service,01/04/2025,open,,P1,\n"
        "A2,care leavers forum,01/02/2025,Council tax exemption,Director,01/03/2025,done,Exempt to 25,P9,\n")


def test_a_load_is_stored_as_batches_and_a_reload_supersedes_keeping_history(store, tmp_path):
    f = _write(tmp_path / "asks.csv", ASKS)
    (b1,) = import_voice(store, LA, reads := read_voice([f]))
    assert (b1.kind, b1.rows, b1.status) == ("asks", 2, "current")
    # P9 is not a recorded pledge: kept, with a warning naming the row
    (w,) = reads[0].problems
    assert (w.row, w.column, w.value) == (2, "pledge", "P9")
    _write(f, ASKS.replace("01/04/2025,open,", "01/05/2025,done,Protected time each month"))
    import_voice(store, LA, read_voice([f]))
    assert [b.status for b in voice_batches(store, LA)] == ["superseded", "current"]
    assert load_voice(store, LA).get("asks")["status"].to_list() == ["done", "done"]
    hist = ask_history(store, LA)
    assert [h["status"] for h in hist["A1"]] == ["open", "done"]
    assert hist["A1"][-1]["due"] == date(2025, 5, 1)
    assert len(hist["A2"]) == 1  # unchanged on the second load: no new entry


def test_errors_name_file_row_and_column_and_nothing_is_stored(store, tmp_path):
    f = _write(tmp_path / "survey_responses.csv", "survey,respondent,question,answer,age_group,date\n"
               "S,R1,Q1,maybe,under_11,01/02/2025\n")
    with pytest.raises(ExtractError) as exc:
        import_voice(store, LA, read_voice([f]))
    (p,) = [p for p in exc.value.problems if p.severity == "error"]
    assert (p.file, p.row, p.column, p.value) == ("survey_responses.csv", 1, "answer", "maybe")
    assert voice_batches(store, LA) == []


def test_ask_due_before_raised_is_an_error(tmp_path):
    f = _write(tmp_path / "asks.csv", ASKS.replace("01/04/2025", "01/01/2025"))
    (read,) = read_voice([f])
    assert any(p.column == "due" and p.row == 1 for p in read.problems if p.severity == "error")


def test_overdue_only_without_a_response_after_the_due_date():
    assert overdue("open", date(2025, 3, 1), date(2025, 3, 2))
    assert overdue("in_progress", date(2025, 3, 1), date(2025, 3, 2))
    assert not overdue("open", date(2025, 3, 1), date(2025, 3, 1))
    assert not overdue("done", date(2025, 3, 1), date(2025, 6, 1))
    assert not overdue("not_possible", date(2025, 3, 1), date(2025, 6, 1))


def test_asks_tracker_puts_overdue_first_and_links_actions():
    voice = Voice.from_frames({"asks": pl.DataFrame({
        "ref": ["A1", "A2"], "forum": ["children_in_care_council"] * 2, "raised": [date(2025, 1, 1)] * 2,
        "you_said": ["x", "y"], "owner": ["o", "o"], "due": [date(2025, 9, 1), date(2025, 2, 1)],
        "status": ["open", "open"], "we_did": [None, None], "pledge": ["P1", None], "action": [None, None]})})
    got = ask_views(voice, {}, date(2025, 3, 1))
    assert [(a["ref"], a["overdue"]) for a in got] == [("A2", True), ("A1", False)]


def test_small_groups_are_hidden_through_the_disclosure_module():
    policy = Policy(threshold=5)
    counts = {"under_11": (3, 2), "11_plus": (20, 15), "care_leaver": (12, 6)}
    panel = shown_shares(counts, "panel", policy)
    assert panel["under_11"]["share"] == "x" and panel["under_11"]["children"] == "x"
    # the group of 3 cannot be worked out from the whole less the others: one more is hidden
    assert "x" in (panel["11_plus"]["children"], panel["care_leaver"]["children"], panel["all"]["children"])
    internal = shown_shares(counts, "internal", policy)
    assert internal["under_11"] == {"children": "3", "share": "67%", "value": 66.7}
    assert internal["all"]["value"] == round(100 * 23 / 35, 1)


def test_a_group_where_all_but_a_few_agree_is_hidden_too():
    got = shown_shares({"under_11": (0, 0), "11_plus": (30, 28), "care_leaver": (30, 20)}, "panel", Policy())
    assert got["11_plus"]["share"] == "x"  # 2 did not agree
    assert got["under_11"]["share"] == "–"  # nobody answered: no figure, not a hidden one


def test_quotes_only_where_marked_for_publication():
    voice = Voice.from_frames({
        "survey_questions": pl.DataFrame({"question": ["Q1"], "text": ["t"], "pledge": ["P1"]}),
        "survey_responses": pl.DataFrame({
            "survey": ["S"] * 3, "respondent": ["R1", "R2", "R3"], "question": ["Q1"] * 3,
            "answer": ["agree"] * 3, "age_group": ["11_plus"] * 3, "date": [date(2025, 1, 5)] * 3,
            "child": ["1", None, None], "comment": ["publish me", "not me", None],
            "publish": [True, False, True]})})
    assert quotes(voice) == [{"quote": "publish me", "age_group": "11 and over", "year": 2025, "pledge": "P1"}]


def test_pledge_views_link_benchmarks_asks_and_rag():
    voice = Voice.from_frames({
        "survey_questions": pl.DataFrame({"question": ["Q1"], "text": ["Do you trust…"], "pledge": ["P1"]}),
        "benchmarks": pl.DataFrame({"pledge": ["P1"], "age_group": ["11_plus"], "share": [83.0],
                                    "source": ["Bright Spots 2023"]}),
    })
    (p,) = pledge_views(voice, [Pledge("P1", "We will listen", "children", "visits_on_time", 90)], "internal",
                        rags={"P1": "amber"})
    assert p["rag"] == "amber" and p["years"] == [] and p["benchmarks"][0]["share"] == 83.0


def test_migration_0007_creates_the_tables_the_code_defines(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from carewise.store.schema import metadata
    from carewise.voice import schema as vs

    names = {vs.batch.name, *(t.name for t in vs.tables.values())}
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if any(n in repr(d) for n in names)] == []


def test_an_answer_to_an_unknown_question_is_kept_with_a_warning(store, tmp_path):
    q = _write(tmp_path / "survey_questions.csv", "question,text,pledge\nQ1,Do you trust your worker?,P1\n")
    r = _write(tmp_path / "survey_responses.csv", "survey,respondent,question,answer,age_group,date\n"
               "S,R1,Q1,agree,under_11,01/02/2025\nS,R1,Q9,yes,under_11,01/02/2025\n")
    import_voice(store, LA, reads := read_voice([q, r]))
    (w,) = [p for read in reads for p in read.problems]
    assert (w.file, w.row, w.column, w.value) == ("survey_responses.csv", 2, "question", "Q9")
    assert load_voice(store, LA).get("survey_responses").height == 2


def test_benchmarks_when_supplied_replace_the_no_comparison_note(store, tmp_path):
    from carewise.voice.summary import voice_summary

    assert "No national comparison" in voice_summary(store, LA, with_rag=False)["benchmark_note"]
    b = _write(tmp_path / "benchmarks.csv", "pledge,age_group,share,source\nP1,11_plus,83,Bright Spots 2023\n")
    import_voice(store, LA, read_voice([b]))
    got = voice_summary(store, LA, with_rag=False)
    assert got["benchmarks_supplied"] and got["benchmark_note"] == ""
    assert got["pledges"][0]["benchmarks"] == [{"age_group": "11_plus", "share": 83.0, "source": "Bright Spots 2023"}]
