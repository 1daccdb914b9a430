"""Any synthetic council written to CSV and read back is the same as in memory."""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.ingest import read_returns
from carewise.synth import generate_council, write_council


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(8, 60), seed=st.integers(0, 10_000), first=st.integers(2020, 2025),
       council=st.sampled_from(["E06000056", "E08000025", "E10000016", "E09000012"]))
def test_written_council_reads_back_identically(size, seed, first, council):
    made = generate_council(size, f"{first}-{(first + 1) % 100:02d}..2026-27", seed, council)
    with tempfile.TemporaryDirectory() as tmp:
        write_council(made, tmp)
        read = read_returns([tmp])
    assert not read.errors
    assert set(read.returns) == set(made.returns)
    for year, ret in made.returns.items():
        assert set(read.returns[year].raw) == set(ret.raw)
        for name, frame in ret.raw.items():
            assert frame.equals(read.returns[year].raw[name]), (year.label, name)
