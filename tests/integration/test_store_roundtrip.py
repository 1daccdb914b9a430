"""A synthetic council written to files, imported and loaded back is exactly what was generated."""

from __future__ import annotations

import pytest

from carewise.importing import import_paths
from carewise.store import Store
from carewise.synth import generate_council, write_council


@pytest.mark.parametrize(("size", "seed", "years"), [(40, 3, "2022-23..2024-25"), (25, 11, "2025-26..2026-27")])
def test_synthetic_council_survives_files_and_store(db_url, tmp_path, size, seed, years):
    made = generate_council(size, years, seed, "E08000025")
    write_council(made, tmp_path / "council")
    store = Store(db_url)
    outcome = import_paths(store, [tmp_path / "council"], la_code=made.la_code, validate=False)
    assert outcome.stored, [p.describe() for p in outcome.read.errors]
    loaded = store.load_returns(made.la_code)
    assert set(loaded) == set(made.returns)
    for year, ret in made.returns.items():
        assert set(loaded[year].raw) == set(ret.raw)
        for name, frame in ret.raw.items():
            assert frame.equals(loaded[year].raw[name]), (year.label, name)
    status = store.status(made.la_code)
    assert [int(label[:4]) for label in status["years"]] == [y.start_year for y in sorted(made.returns)]
