"""The one extract reader and the market store on a large council's local data.

A large synthetic council (about 1,000 children looked after, 2023-24 and 2024-25) with its nine
compliance extracts (about 40,000 rows: visits, PA contacts …) read and checked by
``carewise.ingest.extracts``; a market of about 600 rows (carers, providers, vacancies, 200
referrals) saved to and loaded from the store (SQLite) as an import batch.

    .venv/bin/pytest benchmarks/test_bench_extracts.py -s --benchmark-only
"""

from __future__ import annotations

from datetime import date

import pytest

from carewise.compliance.extracts import read_extracts
from carewise.matching import Market, StoreMarkets, check_extracts
from carewise.store import Store


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from carewise.synth import generate_council
    from carewise.synth.extracts import extracts_for_council, write_extracts
    from carewise.synth.market import generate_market, write_market

    root = tmp_path_factory.mktemp("extracts")
    council = generate_council("large", "2023-24..2024-25", seed=5, la_code="E10000007")
    compliance = write_extracts(extracts_for_council(council), root / "compliance")
    market = write_market(generate_market("E10000007", seed=1, size=200, as_at=date(2026, 11, 20)),
                          root / "market")
    return root, compliance, market


def test_read_a_large_councils_compliance_extracts(benchmark, files):
    _, compliance, _ = files
    reads = benchmark.pedantic(read_extracts, args=(compliance,), rounds=3, iterations=1)
    assert sum(r.frame.height for r in reads) > 20_000
    assert not [p for r in reads for p in r.problems]


def test_save_and_load_a_market_in_the_store(benchmark, files):
    root, _, market_files = files
    frames, _ = check_extracts(market_files)
    markets = StoreMarkets(Store(f"sqlite:///{root / 'db.sqlite'}"))
    market = Market("E10000007").with_tables(frames)

    def save_and_load():
        markets.save(market, actor="bench", sources=market_files)
        return markets.load("E10000007")

    loaded = benchmark.pedantic(save_and_load, rounds=3, iterations=1)
    assert loaded.referrals.height == 200
