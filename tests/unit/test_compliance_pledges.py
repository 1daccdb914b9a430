"""Pledges tied to measures with RAG; the action plan's history is append-only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from carewise.compliance import pledges as pg
from carewise.compliance import schema as cs
from carewise.errors import BadInputError, NotFoundError
from carewise.returns.build import return_from_rows
from carewise.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ret = return_from_rows("2024-25", header=[{"CHILD": "1", "SEX": "M", "DOB": "01/01/2012"}],
                           episodes=[{"CHILD": "1", "DECOM": "01/06/2024", "RNE": "S", "LS": "C2", "CIN": "N1",
                                      "PLACE": "U6", "PLACE_PROVIDER": "PR1"}],
                           reviews=[{"CHILD": "1", "DOB": "01/01/2012", "REVIEW": r, "REVIEW_CODE": "PN1"}
                                    for r in ("20/06/2024", "15/09/2024")])
    s.import_returns("E06000056", [ret], synthetic=True)
    return s


@pytest.mark.parametrize(("value", "target", "direction", "expected"), [
    (92.0, 90, "higher", "green"), (86.0, 90, "higher", "amber"), (84.9, 90, "higher", "red"),
    (None, 90, "higher", "grey"), (3.0, 5, "lower", "green"), (12.0, 5, "lower", "red"),
])
def test_rag(value, target, direction, expected):
    assert pg.rag(value, target, direction, 5.0) == expected


def test_pledges_from_a_file_with_their_figures(store, tmp_path):
    f = tmp_path / "pledges.csv"
    f.write_text("ref,pledge,audience,measure,target\n"
                 "P1,We will review your plan on time,children,reviews_on_time,95\n"
                 "P2,We will stay in touch,care_leavers,care_leavers_in_touch,90\n", encoding="utf-8")
    pg.save_pledges(store, "E06000056", pg.read_pledges(f))
    from carewise.compliance.pledges import pledge_rows

    at, rows = pledge_rows(store, "E06000056", date(2024, 12, 31))
    p1 = next(r for r in rows if r["ref"] == "P1")
    # first review within 20 working days, second within 3 months; the third is not due till March
    assert (p1["value"], p1["rag"]) == (100.0, "green")
    _, later = pledge_rows(store, "E06000056", date(2025, 3, 31))
    assert next(r for r in later if r["ref"] == "P1")["rag"] == "red"  # 2 of 3 on time
    assert {r["ref"] for r in rows} == {"P1", "P2"}


def test_a_pledge_must_name_a_known_measure(tmp_path):
    f = tmp_path / "pledges.csv"
    f.write_text("ref,pledge,audience,measure,target\nP1,See you often,children,visits_often,90\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="row 1, column measure"):
        pg.read_pledges(f)


def test_action_updates_are_appended_never_overwritten(store):
    pg.add_action(store, "E06000056", "1.1", "Recommendation 1", "Train frontline managers", "Head of L&D",
                  date(2025, 9, 30))
    pg.update_action(store, "E06000056", "1.1", "on_track", "Programme designed")
    pg.update_action(store, "E06000056", "1.1", "off_track", "Trainer left", due=date(2025, 12, 31))
    (a,) = pg.list_actions(store, "E06000056")
    assert [u.status for u in a.updates] == ["not_started", "on_track", "off_track"]
    assert (a.status, a.rag, a.current_due, a.due) == ("off_track", "red", date(2025, 12, 31), date(2025, 9, 30))
    assert a.overdue(date(2026, 1, 1)) and not a.overdue(date(2025, 10, 1))
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cs.action_update)).scalar() == 3
    with pytest.raises(NotFoundError):
        pg.update_action(store, "E06000056", "9.9", "achieved", "?")
    with pytest.raises(pg.PledgeError):
        pg.add_action(store, "E06000056", "1.1", "", "again", "x", date(2025, 1, 1))


def test_loading_an_action_plan_twice_adds_updates_only_for_changes(store, tmp_path):
    f = tmp_path / "actions.csv"
    f.write_text("ref,area,action,owner,due,status,rag,note\n"
                 "1.1,Rec 1,Train managers,Head of L&D,30/09/2025,on track,,Designed\n"
                 "2.1,Rec 2,Audit plans,AD,2025-06-30,achieved,green,Done\n", encoding="utf-8")
    pg.load_actions(store, "E06000056", pg.read_actions(f))
    pg.load_actions(store, "E06000056", pg.read_actions(f))
    assert [len(a.updates) for a in pg.list_actions(store, "E06000056")] == [1, 1]
    f.write_text(f.read_text().replace("on track,,Designed", "off track,red,Delayed"), encoding="utf-8")
    pg.load_actions(store, "E06000056", pg.read_actions(f))
    a = pg.list_actions(store, "E06000056")[0]
    assert [u.note for u in a.updates] == ["Designed", "Delayed"]


def test_an_action_plan_file_lands_whole_or_not_at_all(store, tmp_path):
    f = tmp_path / "actions.csv"
    f.write_text("ref,area,action,owner,due\n3.1,R3,Audit,AD,2025-06-30\n3.1,R3,Audit again,AD,2025-06-30\n",
                 encoding="utf-8")
    with pytest.raises(pg.PledgeError, match="3.1 already exists"):
        pg.load_actions(store, "E06000056", pg.read_actions(f))
    assert pg.list_actions(store, "E06000056") == []
