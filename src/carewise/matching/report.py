"""JSON-ready reports for the CLI (and later the web app): market summary and batch view."""

from __future__ import annotations

from datetime import date

import polars as pl

from carewise.geo import la_name
from carewise.matching.gap import sufficiency_gap
from carewise.matching.market import Market, consistency_warnings
from carewise.matching.settings import MatchSettings


def market_summary(market: Market, versions: list[dict]) -> dict:
    """Counts of what is loaded: options and free places by kind, referrals by status."""
    options = market.options()
    by_kind = (
        options.group_by("kind")
        .agg(pl.len().alias("options"), pl.col("places_free").sum(),
             (pl.col("places_free") > 0).sum().alias("with_vacancy"))
        .sort("kind")
    )
    status = market.referrals.get_column("status").fill_null("open")
    grades = market.providers.group_by("ofsted_grade").len().sort("ofsted_grade")
    return {
        "council": market.la_code,
        "council_name": la_name(market.la_code),
        "version": market.version,
        "versions": [{k: v[k] for k in ("version", "created_at", "actor", "rows")}
                     for v in versions],
        "tables": {name: market.table(name).height
                   for name in ("carers", "providers", "vacancies", "referrals")},
        "options_by_kind": by_kind.to_dicts(),
        "providers_by_ofsted_grade": {g: n for g, n in grades.iter_rows()},
        "referrals": {"open": int((status == "open").sum()), "total": market.referrals.height},
        "warnings": consistency_warnings(market),
    }


def batch_report(market: Market, settings: MatchSettings, referrals: pl.DataFrame | None = None,
                 suggestions: int = 3, today: date | None = None) -> dict:
    """Optimal assignment vs greedy, unmet need by group and tested capacity suggestions."""
    gap = sufficiency_gap(market, settings, referrals, suggestions, today)
    result = gap["assignment"]
    return {
        "council": market.la_code,
        "market_version": market.version,
        "summary": result.summary,
        "assignments": result.referrals.to_dicts(),
        "unmet_groups": gap["unmet_groups"].to_dicts(),
        "suggestions": gap["suggestions"],
        "commissioning": gap["commissioning"],
        "warnings": consistency_warnings(market),
    }


def commissioning_text(c: dict) -> list[str]:
    """The commissioning figures (``gap.commissioning_figures``) as plain lines."""
    f = c["fostering"]
    share = ("no mainstream fostering placed" if f["in_house_share"] is None else
             f"in-house {f['children_in_house']} of {f['children_in_house'] + f['children_agency']}"
             f" mainstream fostering ({f['in_house_share']:.0%}; target {f['target']:.0%}"
             + (f", {f['gap_children']} more in-house to reach it)" if f["gap_children"]
                else ", reached)"))
    return [
        f"{c['children_placed']} children placed, {c['children_unmet']} not; {share}",
        f"{c['over_20_miles']} placed over 20 miles from home ({c['distance_not_known']} not "
        f"known), {c['out_of_area']} outside the council ({c['at_a_distance']} at a distance); "
        f"weekly cost £{c['weekly_cost']:,.0f}",
    ]
