"""Data the benchmarks share: synthetic councils, generated once per session (never real data)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def large_council_dir(tmp_path_factory):
    """A large synthetic council's five collection years written as 903 CSV folders."""
    from carewise.returns.years import year_range
    from carewise.synth import generate_council, write_council

    out = tmp_path_factory.mktemp("large-council")
    write_council(generate_council("large", year_range("2021-22..2025-26"), seed=2026), out)
    return out
