"""Local extracts: schema checks with clear errors, templates, atomic loads that keep history."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from sqlalchemy import inspect

from carewise.compliance.extracts import (
    EXTRACTS,
    ExtractError,
    kind_for,
    read_extracts,
    write_templates,
)
from carewise.compliance.storage import extract_batches, import_extracts, load_extracts
from carewise.errors import BadInputError
from carewise.returns.build import return_from_rows
from carewise.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ret = return_from_rows("2024-25", header=[{"CHILD": "1", "SEX": "M", "DOB": "01/01/2012"}],
                           episodes=[{"CHILD": "1", "DECOM": "01/06/2024", "RNE": "S", "LS": "C2", "CIN": "N1",
                                      "PLACE": "U6", "PLACE_PROVIDER": "PR1"}])
    s.import_returns("E06000056", [ret], synthetic=True)
    return s


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_kind_comes_from_the_file_or_sheet_name():
    assert kind_for("visits-2024") == "visits"
    assert kind_for("PA contacts") == "pa_contacts"
    assert kind_for("pa_allocations_march") == "pa_allocations"
    assert kind_for("notes") is None


def test_errors_name_file_row_column_value_and_the_fix(tmp_path):
    f = _write(tmp_path / "visits.csv", "child,date,seen_alone\n1,2024-06-05,Y\n1,31/02/2024,Y\n,2024-06-09,maybe\n")
    (read,) = read_extracts([f], today=date(2025, 1, 1))
    errors = {(p.row, p.column, p.value) for p in read.problems if p.severity == "error"}
    assert errors == {(2, "date", "31/02/2024"), (3, "child", ""), (3, "seen_alone", "maybe")}
    bad = next(p for p in read.problems if p.column == "seen_alone")
    assert (bad.file, bad.message, bad.fix) == ("visits.csv", "seen_alone is not Y or N",
                                                "Write Y or N (Yes/No also accepted)")
    text = bad.describe()
    assert text.startswith("visits.csv, row 3") and "column seen_alone" in text and "'maybe'" in text


def test_missing_column_future_date_and_end_before_start(tmp_path):
    a = _write(tmp_path / "peps.csv", "child,term\n1,2024-25 autumn\n")
    b = _write(tmp_path / "allocations.csv", "child,worker,team,start,end\n1,SW1,T1,01/06/2024,01/05/2024\n"
               "1,SW1,T1,1/1/2030,\n")
    ra, rb = read_extracts([a, b], today=date(2025, 1, 1))
    assert [p.column for p in ra.problems] == ["date"]
    assert {(p.row, p.message) for p in rb.problems} == {(1, "end is before start"), (2, "start is in the future")}


def test_excel_workbook_with_a_sheet_per_extract(tmp_path):
    written = write_templates(tmp_path / "t")
    assert {p.name for p in written} == {f"{k}.csv" for k in EXTRACTS} | {"carewise-extracts.xlsx"}
    reads = read_extracts([tmp_path / "t" / "carewise-extracts.xlsx"], today=date(2030, 1, 1))
    assert {r.kind for r in reads} == set(EXTRACTS)
    assert all(not [p for p in r.problems if p.severity == "error"] for r in reads), [r.problems for r in reads]


def test_a_load_is_all_or_nothing(store, tmp_path):
    good = _write(tmp_path / "visits.csv", "child,date,seen_alone\n1,2024-06-05,Y\n")
    bad = _write(tmp_path / "dental_checks.csv", "child,date\n1,not a date\n")
    with pytest.raises(ExtractError) as err:
        import_extracts(store, "E06000056", read_extracts([good, bad]))
    errors = [(p.file, p.row, p.column) for p in err.value.problems if p.severity == "error"]
    assert errors == [("dental_checks.csv", 1, "date")]
    assert "dental_checks.csv, row 1" in str(err.value)
    assert extract_batches(store, "E06000056") == []
    assert not load_extracts(store, "E06000056").loaded("visits")


def test_loading_again_replaces_the_rows_and_keeps_the_history(store, tmp_path):
    first = _write(tmp_path / "visits.csv", "child,date,seen_alone\n1,2024-06-05,Y\n1,2024-07-01,N\n")
    import_extracts(store, "E06000056", read_extracts([first]))
    second = _write(tmp_path / "visits.csv", "child,date,seen_alone\n1,2024-06-06,Y\n")
    import_extracts(store, "E06000056", read_extracts([second]))
    batches = extract_batches(store, "E06000056")
    assert [(b.kind, b.status, b.rows) for b in batches] == [("visits", "superseded", 2), ("visits", "current", 1)]
    got = load_extracts(store, "E06000056")
    assert got.get("visits").to_dicts() == [{"child": "1", "date": date(2024, 6, 6), "seen_alone": True}]
    assert got.covers_from("visits") == date(2024, 6, 6)


def test_two_files_for_one_extract_are_refused(store, tmp_path):
    a = _write(tmp_path / "visits.csv", "child,date,seen_alone\n1,2024-06-05,Y\n")
    b = _write(tmp_path / "visits_more.csv", "child,date,seen_alone\n1,2024-06-07,Y\n")
    with pytest.raises(BadInputError, match="one file per extract"):
        import_extracts(store, "E06000056", read_extracts([a, b]))


def test_migration_0003_creates_the_tables_the_code_defines(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from carewise.compliance import schema as cs
    from carewise.store.schema import metadata

    names = {t.name for t in [cs.extract_batch, cs.pledge, cs.action, cs.action_update, *cs.extract_tables.values()]}
    assert names <= set(inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    ours = [d for d in diff if any(n in repr(d) for n in names)]
    assert ours == []


def test_typed_frames_match_the_specs(store):
    got = load_extracts(store, "E06000056")
    for kind, spec in EXTRACTS.items():
        assert list(got.get(kind).columns) == spec.names
    assert got.get("visits").schema["date"] == pl.Date


def test_a_child_not_in_the_903_is_kept_with_a_warning(store, tmp_path):
    f = _write(tmp_path / "visits.csv", "child,date,seen_alone\n1,05/06/2024,Y\n999,05/06/2024,Y\n")
    (batch,) = import_extracts(store, "E06000056", reads := read_extracts([f]))
    assert batch.rows == 2
    (w,) = reads[0].problems
    assert (w.row, w.column, w.value, w.severity) == (2, "child", "999", "warning")
