"""The store on SQLite and PostgreSQL: batches land whole, re-imports replace, reads give back what was read."""

from __future__ import annotations

import pytest
from polars.testing import assert_frame_equal

from carewise.errors import NotFoundError
from carewise.returns.build import return_from_rows
from carewise.store import Store


def _return(year: str, children: int, extra_col: bool = False):
    header = [{"CHILD": f"C{i}", "SEX": "1", "DOB": "01/02/2012", "ETHNIC": "WBRI"} for i in range(children)]
    if extra_col:
        header[0]["UASC"] = "1"
    episodes = [
        {"CHILD": f"C{i}", "DECOM": "05/05/2023", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U4",
         "PLACE_PROVIDER": "PR1", "HOME_POST": "LU1 1AA"}
        for i in range(children)
    ]
    return return_from_rows(year, header=header, episodes=episodes)


def test_round_trip_is_identical(db_url):
    store = Store(db_url)
    original = _return("2023-24", 7, extra_col=True)
    store.import_returns("E06000056", [original], council_name="Central Bedfordshire")
    loaded = store.load_return("E06000056", "2023-24")
    for name in original.raw:
        assert_frame_equal(loaded.raw[name], original.raw[name])
        assert_frame_equal(loaded.table(name), original.table(name))
    status = store.status("E06000056")
    assert status["council"]["name"] == "Central Bedfordshire"
    assert status["years"]["2023-24"]["children"] == 7
    assert status["years"]["2023-24"]["tables"] == {"header": 7, "episodes": 7}


def test_reimport_replaces_year_and_keeps_history(db_url):
    store = Store(db_url)
    store.import_returns("E06000056", [_return("2023-24", 3), _return("2024-25", 4)])
    store.import_returns("E06000056", [_return("2024-25", 6)])
    assert store.status("E06000056")["years"]["2024-25"]["children"] == 6
    assert store.load_return("E06000056", "2024-25").raw["header"].height == 6
    assert store.load_return("E06000056", "2023-24").raw["header"].height == 3
    statuses = [(b.year.label, b.status) for b in store.batches("E06000056")]
    assert statuses == [("2023-24", "current"), ("2024-25", "superseded"), ("2024-25", "current")]


def test_failed_import_leaves_stored_data_untouched(db_url, monkeypatch):
    store = Store(db_url)
    store.import_returns("E06000056", [_return("2024-25", 5)])
    original = Store._insert_rows

    def write_then_fail(conn, table, *args):
        original(conn, table, *args)  # rows really written inside the transaction, then a failure
        if table.name == "r903_header":
            raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "_insert_rows", staticmethod(write_then_fail))
    with pytest.raises(RuntimeError):
        store.import_returns("E06000056", [_return("2024-25", 9)])
    monkeypatch.undo()
    assert store.status("E06000056")["years"]["2024-25"]["children"] == 5
    assert store.load_return("E06000056", "2024-25").raw["episodes"].height == 5
    assert [b.status for b in store.batches("E06000056")] == ["current"]


def test_unknown_council_is_a_user_error(db_url):
    store = Store(db_url)
    with pytest.raises(NotFoundError):
        store.status("E06000999")


def test_history_from_store(db_url):
    store = Store(db_url)
    store.import_returns("E06000056", [_return("2023-24", 2), _return("2024-25", 2)])
    history = store.load_history("E06000056")
    assert history.episodes.height == 2
    assert [y.label for y in history.years] == ["2023-24", "2024-25"]
