"""Local compliance extracts in the store on SQLite and PostgreSQL: atomic loads, same figures."""

from __future__ import annotations

import pytest

from carewise.compliance import assess, assess_stored, load_extracts
from carewise.compliance.extracts import read_extracts
from carewise.compliance.storage import ExtractError, extract_batches, import_extracts
from carewise.importing import import_paths
from carewise.store import Store
from carewise.synth import generate_council, write_council
from carewise.synth.extracts import extracts_for_council, write_extracts


@pytest.fixture
def council(tmp_path):
    made = generate_council(40, "2023-24..2024-25", 5, "E06000056")
    write_council(made, tmp_path / "council")
    files = write_extracts(extracts_for_council(made), tmp_path / "extracts")
    return made, tmp_path / "council", files


def test_extracts_round_trip_and_give_the_same_compliance(db_url, council):
    made, folder, files = council
    store = Store(db_url)
    assert import_paths(store, [folder], la_code=made.la_code, validate=False).stored
    reads = read_extracts(files)
    import_extracts(store, made.la_code, reads)
    loaded = load_extracts(store, made.la_code)
    stored = assess_stored(store, made.la_code)
    fresh = assess(store.load_history(made.la_code), loaded, stored.as_at)
    assert stored.summary == fresh.summary
    assert stored.summary["visits_on_time"]["denominator"] > 0
    assert {b.kind for b in extract_batches(store, made.la_code)} == {r.kind for r in reads}


def test_a_bad_extract_stores_nothing(db_url, council, tmp_path):
    made, folder, files = council
    store = Store(db_url)
    import_paths(store, [folder], la_code=made.la_code, validate=False)
    visits = next(f for f in files if "visit" in f.name)
    bad = tmp_path / visits.name
    lines = visits.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(next(c for c in header if "date" in c))] = "not a date"
    bad.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    with pytest.raises(ExtractError):
        import_extracts(store, made.la_code, read_extracts([bad, *[f for f in files if f != visits]]))
    assert extract_batches(store, made.la_code) == []
