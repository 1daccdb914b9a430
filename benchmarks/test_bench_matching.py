"""Matching speed on the path users run, on a synthetic market of about 5,000 options.

- ``carewise match REFERRAL_ID`` (``shortlist_json``: hard constraints and scores against every
  option, the best 20 explained, exclusions summarised, as JSON): under 100 ms;
- ``carewise match --all`` for 500 open referrals (``batch_report``: the allocation solved with
  HiGHS, unmet need and the commissioning figures; each capacity suggestion is one more
  solve, timed separately): under 5 s, with the greedy baseline and the gain in ``extra_info``.

The market comes from ``carewise.synth.market`` (real Leeds-area postcodes, no real people),
read through the extract reader as a council's files would be; loading it from the store is
not part of these timings.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from carewise.matching import Market, load_settings, read_extracts
from carewise.matching.report import batch_report
from carewise.matching.shortlist import shortlist_json
from carewise.synth.market import generate_market, write_market

CFG = load_settings()
DAY = date(2026, 11, 20)
SIZE = 3450
"""Synthetic referrals generated; the market scales with it to about 5,000 options."""


@pytest.fixture(scope="module")
def market_5000(tmp_path_factory) -> Market:
    folder = tmp_path_factory.mktemp("market")
    paths = write_market(generate_market("E08000035", seed=1, size=SIZE, as_at=DAY), folder)
    frames, _ = read_extracts(paths)
    market = Market("E08000035").with_tables(frames)
    return market.with_tables({"referrals": market.referrals.head(500)})


def test_bench_match_one_referral_5000_options(benchmark, market_5000):
    ids = market_5000.referrals["referral_id"].to_list()[:5]

    def run() -> int:
        return sum(len(json.dumps(shortlist_json(market_5000, rid, CFG, 20, today=DAY),
                                  default=str)) for rid in ids)

    size = benchmark.pedantic(run, rounds=5, iterations=1)
    per_referral = benchmark.stats.stats.median / len(ids)
    benchmark.extra_info.update({"options": market_5000.options().height,
                                 "json_bytes_per_referral": size // len(ids),
                                 "seconds_per_referral": round(per_referral, 4)})
    assert per_referral < 0.1


def test_bench_match_all_500_referrals_5000_options(benchmark, market_5000):
    report = benchmark.pedantic(batch_report, args=(market_5000, CFG),
                                kwargs={"suggestions": 0, "today": DAY}, rounds=3, iterations=1)
    s = report["summary"]
    benchmark.extra_info.update({k: s[k] for k in (
        "referrals", "options", "children", "children_met", "greedy_children_met",
        "extra_children_met_vs_greedy", "total_score", "greedy_total_score",
        "candidate_pairs", "solve_seconds", "scoring_seconds", "rounds")})
    assert s["children_met"] >= s["greedy_children_met"]
    assert benchmark.stats.stats.median < 5.0
