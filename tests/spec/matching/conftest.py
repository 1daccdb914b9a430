"""Tiny hand-built markets: one baseline row per extract, overridden per test."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carewise.matching import Market, load_settings, read_extracts
from carewise.matching.schema import TABLES

HOME = "LS1 1BA"  # ONSPD grid reference 429317, 433507 (Leeds)
HOME_E, HOME_N = 429317.0, 433507.0
MILE = 1609.3  # metres per DfE mile
TODAY = date(2026, 11, 10)
"""The day the spec tests match on (offers must still stand then)."""

BASE = {
    "carers": dict(household_id="H1", postcode="", easting=HOME_E + MILE * 4, northing=HOME_N,
                   approved_places=2, min_age=0, max_age=17, sex_accepted="any",
                   sibling_group_max=2, short_term="Y", long_term="Y", parent_and_child="N",
                   respite="Y", current_children=0, vacancies=2, skills="", languages="",
                   faiths="", cannot_accept="", fostering_limit_exemption="N", weekly_cost=450),
    "providers": dict(urn="SC000001", name="Home A", provider_type="childrens_home",
                      ofsted_grade="good", registered_places=4, categories="emotional_behavioural",
                      min_age=8, max_age=17, sex_accepted="any", postcode="",
                      easting=HOME_E + MILE * 8, northing=HOME_N, contract="framework",
                      price_standard=4000, price_complex=4600, price_specialist=5600, active="Y"),
    "vacancies": dict(vacancy_id="V1", urn="SC000001", places=1, available_from="2026-11-01"),
    "referrals": dict(referral_id="R1", child_id="C1", age=12, sex="F", need_disability="N",
                      need_emotional_behavioural="N", need_exploitation="N", need_missing="N",
                      need_offending="N", need_substance_misuse="N", uasc="N",
                      sibling_group_size=1, home_postcode=HOME, urgency="within_5_days",
                      date_needed="2026-11-20",
                      placement_types="in_house_fostering;agency_fostering;childrens_home",
                      budget_weekly=900),
}


def _frame(name: str, rows: list[dict]) -> pl.DataFrame:
    cols = [c.name for c in TABLES[name].columns]
    data = [{c: ("" if r.get(c) is None else str(r.get(c))) for c in cols} for r in rows]
    return pl.DataFrame(data, schema=dict.fromkeys(cols, pl.String))


def build_market(tmp_path, **tables: list[dict]) -> Market:
    """Market from rows given as overrides of the baseline row (``carers=[{...}, …]``)."""
    paths = []
    for name in TABLES:
        rows = [BASE[name] | row for row in tables.get(name, [{}])]
        if tables.get(name) == []:
            continue
        path = tmp_path / f"{name}.csv"
        _frame(name, rows).write_csv(path)
        paths.append(path)
    frames, problems = read_extracts(paths)
    errors = [p.describe() for p in problems if p.severity == "error"]
    assert not errors, errors
    return Market("E08000035").with_tables(frames)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def settings():
    return load_settings()


@pytest.fixture
def market(tmp_path):
    return lambda **tables: build_market(tmp_path, **tables)
