"""The validation runner: skips, internal errors, failing rows → errors, reading files first."""

import json

import polars as pl

from carewise.returns.build import return_from_rows
from carewise.returns.years import CollectionYear
from carewise.validate import Context, Skip, validate, validate_paths
from carewise.validate.engine import Rule, failing_rows

Y = CollectionYear(2024)


def _rule(code, fn, tables=("episodes",), **kw):
    return Rule(
        code, fn, "explained", "fix it", tables, kw.pop("fields", ("PLACE",)), 2022, 2026, **kw
    )


def _ret():
    return return_from_rows(
        Y,
        header=[
            {"CHILD": "A", "SEX": "M", "DOB": "01/01/2010"},
            {"CHILD": "B", "SEX": "F", "DOB": "01/01/2012"},
        ],
        episodes=[
            {"CHILD": "A", "DECOM": "01/05/2024", "PLACE": "U1"},
            {"CHILD": "B", "DECOM": "01/06/2024", "PLACE": "XX"},
        ],
    )


def test_failing_rows_become_errors_with_rows_and_children():
    r = _rule("146", lambda ctx: failing_rows(ctx.t("episodes"), pl.col("PLACE") == "XX"))
    result = validate(Context(Y, _ret()), [r])
    assert result.rules_run == 1
    assert [(e.rule, e.table, e.row, e.child) for e in result.errors] == [
        ("146", "episodes", 2, "B")
    ]
    data = result.as_json()
    assert set(data) == {"year", "rules_run", "rules_skipped", "errors", "problems"}
    assert data["errors"][0]["message"].startswith("Placement type code")
    assert data["errors"][0]["fields"] == ["PLACE"]
    json.dumps(data)
    assert result.exit_code == 1


def test_dict_failures_point_at_each_table():
    def both(ctx):
        return {"header": ctx.t("header").head(1), "Episodes": ctx.t("episodes").tail(1)}

    result = validate(Context(Y, _ret()), [_rule("999", both, tables=("header", "episodes"))])
    assert {(e.table, e.row) for e in result.errors} == {("header", 1), ("episodes", 2)}


def test_absent_table_and_skip_are_reported_not_dropped():
    def needs_last(ctx):
        return ctx.last("episodes")

    rules = [_rule("1", lambda ctx: ctx.t("oc3"), tables=("oc3",)), _rule("2", needs_last)]
    result = validate(Context(Y, _ret()), rules)
    reasons = {s.rule: s.reason for s in result.skipped}
    assert "OC3" in reasons["1"] and "not supplied" in reasons["1"]
    assert "last year" in reasons["2"]
    assert result.rules_run == 0 and result.exit_code == 0


def test_explicit_skip_and_providers():
    def skipper(ctx):
        raise Skip("no postcode lookup")

    rules = [_rule("3", skipper), _rule("4", lambda ctx: ctx.t("episodes"), needs_providers=True)]
    result = validate(Context(Y, _ret()), rules)
    assert [s.reason for s in result.skipped][0] == "no postcode lookup"
    assert "provider" in result.skipped[1].reason


def test_a_crashing_rule_is_an_internal_error_and_the_run_continues():
    def boom(ctx):
        raise ZeroDivisionError

    ok = _rule("146", lambda ctx: failing_rows(ctx.t("episodes"), pl.col("PLACE") == "XX"))
    bad_return = _rule("7", lambda ctx: "not a frame")
    no_row = _rule("8", lambda ctx: ctx.t("episodes").drop("_row"))
    result = validate(Context(Y, _ret()), [_rule("5", boom), bad_return, no_row, ok])
    assert {s.rule for s in result.internal_errors} == {"5", "7", "8"}
    assert result.rules_run == 1 and len(result.errors) == 1


def test_every_registered_rule_runs_or_skips_on_an_empty_return():
    result = validate(Context(Y, return_from_rows(Y, header=[], episodes=[])))
    assert not result.internal_errors, result.internal_errors


def test_every_dfe_code_of_each_year_has_a_rule_and_no_rule_runs_outside_its_list():
    from carewise.validate.engine import dfe_codes, rules_for

    for start in range(2022, 2027):
        year = CollectionYear(start)
        run = {r.code for r in rules_for(year)}
        assert dfe_codes(year) == run, (year.label, dfe_codes(year) ^ run)


def test_every_year_runs_on_an_empty_return_without_internal_errors():
    for start in (2022, 2023, 2025, 2026):
        year = CollectionYear(start)
        result = validate(Context(year, return_from_rows(year, header=[], episodes=[])))
        assert not result.internal_errors, (year.label, result.internal_errors)


def test_malformed_file_is_an_ingest_problem_not_rule_failures(tmp_path):
    (tmp_path / "episodes.csv").write_bytes(b"\x00\x01binary junk")
    result = validate_paths(tmp_path, year="2024-25")
    assert not result.readable and result.rules_run == 0 and not result.errors
    assert result.problems and result.exit_code == 3


def test_validate_paths_reads_csv_and_validates(tmp_path):
    (tmp_path / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA,M,01/01/2010,WBRI,UN1,,\n"
    )
    (tmp_path / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "A,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n"
    )
    result = validate_paths(tmp_path)
    assert result.readable and result.year == Y
    assert result.rules_run + len(result.skipped) == len(result.rules)


def test_a_single_frame_is_attributed_to_the_table_whose_rows_it_holds():
    ret = return_from_rows(
        Y,
        episodes=[{"CHILD": "A", "DECOM": "01/05/2024"}],
        oc3=[{"CHILD": "A", "DOB": "01/01/2006", "IN_TOUCH": "YES"}],
    )
    r = _rule("1000", lambda ctx: ctx.t("oc3"), tables=("episodes", "oc3"))
    result = validate(Context(Y, ret), [r])
    assert [(e.table, e.row) for e in result.errors] == [("oc3", 1)]
    r2 = _rule(
        "1001", lambda ctx: ctx.t("episodes").select("_row", "CHILD"), tables=("episodes", "oc3")
    )
    assert [e.table for e in validate(Context(Y, ret), [r2]).errors] == ["episodes"]
