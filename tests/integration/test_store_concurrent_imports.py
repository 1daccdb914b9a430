"""One current batch per council and year, whatever runs at once; NUL characters never reach the
database (issue 13). Runs on SQLite and, with CAREWISE_TEST_POSTGRES_URL, on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from carewise.importing import import_paths
from carewise.returns.build import return_from_rows
from carewise.store import Store
from carewise.store import schema as s


def _return(children: int):
    header = [{"CHILD": f"C{i}", "SEX": "1", "DOB": "01/02/2012", "ETHNIC": "WBRI"} for i in range(children)]
    episodes = [{"CHILD": f"C{i}", "DECOM": "05/05/2024", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U4",
                 "PLACE_PROVIDER": "PR1"} for i in range(children)]
    return return_from_rows("2024-25", header=header, episodes=episodes)


def test_concurrent_imports_of_one_year_leave_one_current_batch(db_url):
    Store(db_url).import_returns("E06000056", [_return(2)])
    stores = [Store(db_url, migrate=False) for _ in range(4)]  # one engine each, as separate processes have
    start = threading.Barrier(4, timeout=60)
    failures: list[BaseException] = []

    def run(store: Store, children: int) -> None:
        try:
            start.wait()
            store.import_returns("E06000056", [_return(children)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(store, n)) for store, n in zip(stores, (3, 4, 5, 6), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    store = Store(db_url)
    assert [str(y) for y in store.years("E06000056")] == ["2024-25"]
    current = [b for b in store.batches("E06000056") if b.status == "current"]
    assert len(current) == 1 and len(store.batches("E06000056")) == 5
    stored = store.load_return("E06000056", "2024-25")
    assert stored.raw["header"].height == current[0].children  # the rows are the current batch's


def test_the_database_refuses_a_second_current_batch(db_url):
    store = Store(db_url)
    (batch,) = store.import_returns("E06000056", [_return(2)])
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        council_id = conn.execute(select(s.council.c.id)).scalar_one()
        conn.execute(insert(s.import_batch).values(
            council_id=council_id, year=2024, imported_at=datetime.now(UTC), imported_by="x", status="current",
            children=0, episodes=0, counts={}, problems=[], source="csv"))
    assert [b.id for b in store.batches("E06000056") if b.status == "current"] == [batch.id]


def test_a_nul_character_anywhere_is_refused_naming_file_and_row(db_url, tmp_path):
    folder = tmp_path / "2024-25"
    folder.mkdir()
    filler = "".join(f"C{i},1,01/02/2012,WBRI,,,\n" for i in range(300))  # the NUL is well past the first 4 KB
    (folder / "header.csv").write_bytes(
        f"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n{filler}X\x00Y,1,01/02/2012,WBRI,,,\n".encode())
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "C1,05/05/2024,S,C2,N1,U4,PR1,,,,,,\n")
    store = Store(db_url)
    outcome = import_paths(store, [folder], la_code="E06000056", validate=False)
    assert not outcome.stored and store.councils() == []
    (problem,) = outcome.read.errors
    assert (problem.file, problem.row) == ("header.csv", 301) and "NUL" in problem.message
