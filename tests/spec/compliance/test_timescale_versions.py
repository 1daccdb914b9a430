"""The timescales are versioned data: a change applies from its effective date, not before."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carewise.compliance.rules import RULES_FILE, Duration, due_expr, in_force, load_versions
from carewise.errors import SettingError


def test_a_new_version_applies_only_to_anchors_from_its_effective_date(tmp_path):
    text = RULES_FILE.read_text(encoding="utf-8")
    new = text.split("\n[[version]]\n", 1)[1].replace("effective_from = 2011-04-01", "effective_from = 2025-01-01")
    new = new.replace('{ every = "6w" },\n]', '{ every = "4w" },\n]')
    path = tmp_path / "timescales.toml"
    path.write_text(text + "\n[[version]]\n" + new, encoding="utf-8")
    vs = tuple(load_versions(path))
    assert [v.effective_from for v in vs] == [date(2011, 4, 1), date(2025, 1, 1)]
    frame = pl.DataFrame({"anchor": [date(2024, 12, 31), date(2025, 1, 2)], "start": [date(2020, 1, 1)] * 2,
                          "DOB": [date(2010, 1, 1)] * 2, "PLACE": ["U6", "U6"], "n": [3, 3],
                          "long_term_from": [None, None]}, schema_overrides={"long_term_from": pl.Date})
    got = frame.select(due_expr("visits", vs).alias("due"))["due"].to_list()
    assert got == [date(2025, 2, 11), date(2025, 1, 30)]  # 6 weeks under the old rules, 4 under the new
    assert in_force(date(2024, 6, 1), vs).effective_from == date(2011, 4, 1)


def test_durations_are_checked():
    assert Duration.parse("20wd") == Duration(20, "wd")
    with pytest.raises(SettingError):
        Duration.parse("six weeks")
