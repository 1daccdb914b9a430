"""Stitching returns of many collection years into one history per child."""

from datetime import date

from carewise.history import stitch
from carewise.returns.build import return_from_rows


def _ep(child, decom, **kw):
    return {"CHILD": child, "DECOM": decom, "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U4",
            "PLACE_PROVIDER": "PR1", **kw}


def test_episode_open_over_31_march_is_one_episode_later_return_wins():
    a = return_from_rows("2023-24", episodes=[_ep("1", "01/05/2023")])
    b = return_from_rows("2024-25", episodes=[_ep("1", "01/05/2023", DEC="01/06/2024", REC="E11")])
    h = stitch([b, a])
    assert h.episodes.height == 1
    assert h.episodes["DEC"][0] == date(2024, 6, 1)
    assert h.conflicts.height == 0  # closing an open episode is not a disagreement


def test_changed_value_is_a_conflict():
    a = return_from_rows("2023-24", episodes=[_ep("1", "01/05/2023")])
    b = return_from_rows("2024-25", episodes=[_ep("1", "01/05/2023", LS="E1")])
    h = stitch([a, b])
    assert h.episodes["LS"].to_list() == ["E1"]
    assert h.conflicts.select("column", "earlier_value", "later_value").rows() == [("LS", "C2", "E1")]


def test_sex_recoding_in_2024_25_is_not_a_conflict():
    a = return_from_rows("2023-24", header=[{"CHILD": "1", "SEX": "2", "DOB": "01/01/2012"}])
    b = return_from_rows("2024-25", header=[{"CHILD": "1", "SEX": "F", "DOB": "01/01/2012"}])
    h = stitch([a, b])
    assert h.header["SEX"].to_list() == ["F"] and h.conflicts.height == 0


def test_annual_tables_keep_every_year():
    a = return_from_rows("2023-24", oc3=[{"CHILD": "1", "DOB": "01/01/2006", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "U1"}])
    b = return_from_rows("2024-25", oc3=[{"CHILD": "1", "DOB": "01/01/2006", "IN_TOUCH": "NO", "ACTIV": "0", "ACCOM": "0"}])
    h = stitch([a, b])
    assert sorted(h.table("oc3").select("YEAR", "IN_TOUCH").rows()) == [(2023, "YES"), (2024, "NO")]
    assert h.conflicts.height == 0


def test_open_episode_missing_from_next_return_is_reported():
    a = return_from_rows("2023-24", episodes=[_ep("1", "01/05/2023")])
    b = return_from_rows("2024-25", episodes=[_ep("2", "01/05/2024")])
    h = stitch([a, b])
    assert h.conflicts.filter(h.conflicts["column"] == "(episode)")["CHILD"].to_list() == ["1"]


def _returns_with_conflicts():
    a = return_from_rows("2023-24", episodes=[_ep("1", "01/05/2023"), _ep("3", "01/06/2023")],
                         header=[{"CHILD": "1", "SEX": "1", "DOB": "01/01/2012"}],
                         oc3=[{"CHILD": "1", "DOB": "01/01/2006", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "U1"}])
    b = return_from_rows("2024-25", episodes=[_ep("1", "01/05/2023", LS="E1")],
                         header=[{"CHILD": "1", "SEX": "F", "DOB": "02/01/2012"}],
                         missing=[{"CHILD": "1", "MISSING": "M", "MIS_START": "01/07/2024"}])
    return a, b


def test_tables_and_conflicts_are_the_same_whichever_is_read_first():
    """``stitch`` leaves the other tables and the conflicts until first read (a forecast needs
    neither): read in either order, or after the history is copied or pickled, they are the same."""
    import pickle
    from dataclasses import replace

    first = stitch(_returns_with_conflicts())
    conflicts, tables = first.conflicts, first.tables
    assert sorted(conflicts["column"].to_list()) == ["(episode)", "DOB", "LS", "SEX"]
    assert list(tables) == ["oc3", "missing"] and tables["missing"]["MIS_START"].to_list() == [date(2024, 7, 1)]
    for other in (stitch(_returns_with_conflicts()), pickle.loads(pickle.dumps(stitch(_returns_with_conflicts()))),
                  replace(stitch(_returns_with_conflicts()))):
        assert list(other.tables) == list(tables) and all(other.tables[n].equals(t) for n, t in tables.items())
        assert other.conflicts.equals(conflicts)
    later = stitch(_returns_with_conflicts())
    assert later.conflicts.equals(conflicts) and later.table("oc3").equals(tables["oc3"])


def test_a_history_given_its_tables_and_conflicts_keeps_them():
    from carewise.history import History

    h = stitch(_returns_with_conflicts())
    given = History(episodes=h.episodes, header=h.header, tables={}, conflicts=h.conflicts.clear(), years=h.years)
    assert given.tables == {} and given.conflicts.height == 0
    assert History(episodes=h.episodes, header=h.header).conflicts.height == 0
