"""A stored XML return keeps the line each row starts on (issue 13 item 6), on SQLite and PostgreSQL:
validating the stored return names the XML line, as validating the file just read does."""

from __future__ import annotations

from carewise.ingest import read_returns
from carewise.ingest.xml_writer import write_xml
from carewise.returns.build import return_from_rows
from carewise.store import Store
from carewise.validate.runner import validate_stored

LA = "E06000056"


def _xml_return(tmp_path):
    ret = return_from_rows(
        "2024-25",
        header=[{"CHILD": f"C{i}", "SEX": "1", "DOB": "01/02/2012", "ETHNIC": "WBRI"} for i in range(3)],
        episodes=[{"CHILD": f"C{i}", "DECOM": "05/05/2024", "RNE": "S", "LS": "C2", "CIN": "N1",
                   "PLACE": "XX" if i == 1 else "U4", "PLACE_PROVIDER": "PR1", "HOME_POST": "LU1 1AA"}
                  for i in range(3)],
    )
    read = read_returns([write_xml(ret, tmp_path / "return.xml")])
    assert read.ok, read.problems
    return next(iter(read.returns.values()))


def test_stored_xml_rows_keep_their_lines_and_reports_name_them(db_url, tmp_path):
    read = _xml_return(tmp_path)
    lines = read.sources["episodes"].lines
    assert lines and len(set(lines)) == 3 and min(lines) > 1
    store = Store(db_url)
    store.import_returns(LA, [read], council_name="Central Bedfordshire")
    loaded = store.load_returns(LA)[read.year]
    assert loaded.sources["episodes"].lines == lines
    assert loaded.sources["header"].lines == read.sources["header"].lines
    result = validate_stored(store, LA)
    wrong = [e for e in result.errors if e.rule == "146"]
    assert [e.row for e in wrong] == [2]
    assert result.where("episodes", 2) == f"return.xml, line {lines[1]} (episodes record 2)"


def test_a_csv_return_stores_no_lines(db_url):
    ret = return_from_rows("2024-25", header=[{"CHILD": "A", "SEX": "1", "DOB": "01/02/2012", "ETHNIC": "WBRI"}])
    store = Store(db_url)
    store.import_returns(LA, [ret], council_name="Central Bedfordshire")
    loaded = store.load_returns(LA)[ret.year]
    assert all(src.lines is None for src in loaded.sources.values())


def test_migration_0009_adds_the_column_the_code_defines(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from carewise.store.schema import metadata

    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "source_line" in repr(d)] == []
