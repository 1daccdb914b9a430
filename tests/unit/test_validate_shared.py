"""Shared frames (``Context.shared``): built once, released between groups of rules when large.

A national-size return's derived frames (episodes in order with their neighbours, episodes with
the postcode-derived fields …) would otherwise all stay in memory to the end of the run; the
runner forgets them between groups of rules when they exceed ``SHARED_BUDGET``, and a frame asked
for again is rebuilt, so every rule's result is the same.
"""

from __future__ import annotations

import polars as pl

from carewise.returns.build import return_from_rows
from carewise.returns.years import CollectionYear
from carewise.validate import Context, engine, validate
from carewise.validate.engine import Rule, failing_rows

Y = CollectionYear(2024)


def _ret():
    return return_from_rows(
        Y,
        header=[{"CHILD": "A", "SEX": "M", "DOB": "01/01/2010"}],
        episodes=[{"CHILD": "A", "DECOM": "01/05/2024", "PLACE": "XX"}],
    )


def test_a_shared_frame_is_built_once_and_released_only_over_the_budget():
    ctx = Context(Y, _ret())
    built = []

    def build():
        built.append(1)
        return pl.DataFrame({"x": list(range(1000))})

    assert ctx.shared("k", build) is ctx.shared("k", build) and len(built) == 1
    assert ctx.release_shared(budget=10**9) is False and len(built) == 1
    ctx.shared("k", build)
    assert len(built) == 1
    assert ctx.release_shared(budget=100) is True
    ctx.shared("k", build)
    assert len(built) == 2


def _module_rule(code: str, module: str, built: list[str]) -> Rule:
    def check(ctx: Context) -> pl.DataFrame:
        frame = ctx.shared("episodes_plus", lambda: built.append(code) or ctx.t("episodes"))
        return failing_rows(frame, pl.col("PLACE") == "XX")

    check.__module__ = module
    return Rule(code, check, "explained", "fix it", ("episodes",), ("PLACE",), 2022, 2026)


def test_the_runner_releases_between_groups_and_results_stay_the_same(monkeypatch):
    built: list[str] = []
    rules = [_module_rule("101", "rules_100", built), _module_rule("102", "rules_100", built),
             _module_rule("201", "rules_200", built)]
    kept = validate(Context(Y, _ret()), rules)
    assert built == ["101"]  # under the budget: built once for the whole run
    built.clear()
    monkeypatch.setattr(engine, "SHARED_BUDGET", -1)
    released = validate(Context(Y, _ret()), rules)
    assert built == ["101", "201"]  # forgotten when the group changed, rebuilt by its first rule
    assert [(e.rule, e.row) for e in released.errors] == [(e.rule, e.row) for e in kept.errors]
    assert len(kept.errors) == 3
