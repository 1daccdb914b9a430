"""carewise forecast on data shaped unlike carewise's own councils (issue 14: councils it has not
seen): a clear refusal naming what is wrong and what to do, or a forecast with warnings — never a
silent, degenerate answer. Data: carewise's synthetic councils, the shared sample files written by
another tool, and folders derived from them. Small councils, 100 runs, no backtest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carewise.cli import app
from carewise.synth import generate_council, write_council

runner = CliRunner()
FAST = ["--runs", "100", "--no-backtest", "--json"]  # 100: fewer runs would warn (few_runs)
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "903-from-open-source-validator"


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Path:
    """A small synthetic council, 2020-21 to 2023-24."""
    return write_council(generate_council(60, "2020-21..2023-24", seed=4), tmp_path_factory.mktemp("council") / "c")


def _run(*args: str):
    return runner.invoke(app, ["forecast", *args])


def _json(*args: str) -> dict:
    result = _run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _codes(data: dict) -> list[str]:
    return [w["code"] for w in data["warnings"]]


def _total(data: dict, day: str) -> dict:
    return next(r for r in data["forecast"] if r["state"] == "total" and r["date"] == day)


def _refusal(result) -> str:
    assert result.exit_code == 4, result.output
    return " ".join(result.output.split())


def test_full_returns_forecast_without_warnings(council):
    data = _json("--from", str(council), *FAST)
    assert data["warnings"] == []


def test_returns_read_as_the_wrong_year_are_refused(council, tmp_path):
    """The shared sample's situation: episodes of 2022-23 with one end date of 1 April 2023 are read
    as 2023-24, whose window then holds no start or end of care. It used to forecast 0 entries a
    year with ranges such as 107 (95% 107-107)."""
    folder = tmp_path / "late"
    episodes = pl.read_csv(council / "2022-23" / "episodes.csv", infer_schema_length=0)
    ended = episodes["DEC"].is_not_null().arg_true()[0]
    episodes = episodes.with_columns(
        pl.when(pl.int_range(pl.len()) == ended).then(pl.lit("01/04/2023")).otherwise(pl.col("DEC")).alias("DEC"))
    folder.mkdir()
    episodes.write_csv(folder / "episodes.csv", null_value="")
    shutil.copy(council / "2022-23" / "header.csv", folder / "header.csv")
    text = _refusal(_run("--from", str(folder), *FAST))
    assert "The reference window 1 April 2023 to 31 March 2024 holds no child starting or leaving care" in text
    assert "read as 2023-24" in text and "their episodes are of 2022-23" in text
    assert "1 episode date on or after 1 April 2023" in text and "correct that date" in text


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not beside the repository")
def test_shared_sample_files_are_refused_with_what_to_do():
    """Another tool's fake files: the folder holds the same year twice (CSV and XML) and a table
    twice, so which data to use is unclear; the CSV files alone are read as 2018-19 though their
    episodes end with 2017-18."""
    folder = _run("--from", str(SAMPLES), *FAST)
    assert folder.exit_code == 3
    assert "could not be used" in folder.output and "given twice" in " ".join(folder.output.split())
    text = _refusal(_run("--from", str(SAMPLES / "episodes.csv"), "--from", str(SAMPLES / "header.csv"), *FAST))
    assert "1 April 2018 to 31 March 2019 holds no child starting or leaving care" in text
    assert "their episodes are of 2017-18" in text


def test_a_missing_year_sets_the_earlier_years_aside(council, tmp_path):
    """2020-21, 2021-22 and 2023-24 held, 2022-23 not: children whose care ended in 2022-23 would stay
    looked after, so the forecast starts from the same children as with every year held."""
    gap = tmp_path / "gap"
    for year in ("2020-21", "2021-22", "2023-24"):
        shutil.copytree(council / year, gap / year)
    full = _json("--from", str(council), *FAST)
    data = _json("--from", str(gap), *FAST)
    assert _codes(data)[0] == "gap_in_years"
    assert "No return is held for 2022-23" in data["warnings"][0]["message"]
    assert "uses only 2023-24 (2020-21, 2021-22 set aside)" in data["warnings"][0]["message"]
    assert data["starting_children"] == full["starting_children"]
    assert data["reference_start"] == "2023-04-01"


def test_years_given_in_any_order_and_folders_give_the_same_forecast(council):
    years = ["2023-24", "2020-21", "2022-23", "2021-22"]
    mixed = _json(*[a for y in years for a in ("--from", str(council / y))], *FAST)
    whole = _json("--from", str(council), *FAST)
    assert mixed["forecast"] == whole["forecast"] and mixed["warnings"] == whole["warnings"] == []


def test_one_year_of_returns_says_the_window_is_shorter(council):
    data = _json("--from", str(council / "2023-24"), *FAST)
    assert _codes(data) == ["window_shortened"]
    assert "12 months of returns held (1 April 2023 to 31 March 2024), not the 36-month reference window" in data["warnings"][0]["message"]


def test_a_window_under_a_year_is_flagged(council):
    data = _json("--from", str(council), "--reference-months", "3", *FAST)
    assert "short_window" in _codes(data)


def test_start_before_the_data_names_where_they_begin(council):
    text = _refusal(_run("--from", str(council), "--start", "2019-03-31", *FAST))
    assert "cannot start on 2019-03-31: the data begin on 2020-04-01" in text


def test_start_on_the_first_day_is_refused_not_a_flat_line(council):
    text = _refusal(_run("--from", str(council), "--start", "2020-04-01", *FAST))
    assert "The reference window 1 April 2020 to 1 April 2020 holds no child starting or leaving care" in text
    assert "a later --start" in text


def test_returns_that_stop_early_are_forecast_from_where_they_end(council, tmp_path):
    """Every episode date after 30 September 2023 removed from the last return (those episodes left
    open), as an extract taken during the year: the forecast starts where the data end, and says so
    (from 31 March 2024 a medium council fell from 443 children to 299 in a year); a --start at the
    year end is kept, with the warning that the data went quiet long before it."""
    cut = tmp_path / "quiet"
    shutil.copytree(council, cut)
    path = cut / "2023-24" / "episodes.csv"
    episodes = pl.read_csv(path, infer_schema_length=0)
    day = pl.col("DECOM").str.to_date("%d/%m/%Y")
    dec = pl.col("DEC").str.to_date("%d/%m/%Y", strict=False)
    late = dec > pl.date(2023, 9, 30)
    episodes.filter(day <= pl.date(2023, 9, 30)).with_columns(
        pl.when(late).then(None).otherwise(pl.col("DEC")).alias("DEC"),
        pl.when(late).then(None).otherwise(pl.col("REC")).alias("REC"),
    ).write_csv(path, null_value="")
    data = _json("--from", str(cut), *FAST)
    assert "2023-09-01" <= data["origin"] <= "2023-09-30"
    assert _codes(data) == ["data_end_early"]
    assert f"The forecast starts where the data end, on {int(data['origin'][8:])} September 2023" in data["warnings"][0]["message"]
    assert data["starting_children"] == _json("--from", str(council), "--start", data["origin"], *FAST)["starting_children"]
    kept = _json("--from", str(cut), "--start", "2024-03-31", *FAST)
    message = next(w["message"] for w in kept["warnings"] if w["code"] == "data_end_early")
    assert kept["origin"] == "2024-03-31" and "before the forecast starts (31 March 2024)" in message
    assert f"--start {data['origin']}" in message


def test_one_run_warns_that_there_is_no_range(council):
    data = _json("--from", str(council), "--runs", "1", "--no-backtest", "--json")
    assert _codes(data) == ["few_runs"]


def test_warnings_are_printed_with_the_forecast(council):
    result = _run("--from", str(council / "2023-24"), "--runs", "100", "--no-backtest")
    assert result.exit_code == 0, result.output
    assert "Warning (window_shortened)" in result.output


@pytest.mark.parametrize(("code", "reason"), [
    ("E06000053", "DfE published no count of children looked after at 31 March for E06000053"),  # Isles of Scilly
])
def test_a_council_with_nothing_to_borrow_says_why(council, code, reason):
    """The Isles of Scilly's counts are suppressed, so the data cannot be matched to its population
    (it used to borrow 100% of the entry rate from a population hundreds of times too small)."""
    data = _json("--from", str(council), "--council", code, *FAST)
    assert data["borrowed"] is None
    message = next(w["message"] for w in data["warnings"] if w["code"] == "not_borrowed")
    assert reason in message


def _shifted(council: Path, folder: Path, years: int) -> Path:
    """The council's returns with every date moved ``years`` years, in relabelled year folders."""
    for year in sorted(p for p in council.iterdir() if p.is_dir()):
        start = int(year.name[:4]) + years
        (folder / f"{start}-{(start + 1) % 100:02d}").mkdir(parents=True)
        for f in year.glob("*.csv"):
            frame = pl.read_csv(f, infer_schema_length=0)
            dates = [c for c in frame.columns if c in {"DOB", "DECOM", "DEC", "MC_DOB", "DUC"}]
            frame.with_columns(pl.col(c).str.to_date("%d/%m/%Y", strict=False).dt.offset_by(f"{years}y")
                               .dt.strftime("%d/%m/%Y") for c in dates
                               ).write_csv(folder / f"{start}-{(start + 1) % 100:02d}" / f.name, null_value="")
    return folder


def test_old_returns_forecast_without_borrowing_and_say_so(council, tmp_path):
    """Returns moved six years earlier (2014-15 to 2017-18): no DfE figures shipped were published
    by 31 March 2018, so nothing is borrowed — said, not silent — and the forecast is the same."""
    old = _shifted(council, tmp_path / "old", -6)
    data = _json("--from", str(old), "--council", "E06000056", *FAST)
    assert data["origin"] == "2018-03-31" and data["borrowed"] is None
    assert "no DfE figures had been published by 2018-03-31" in data["warnings"][0]["message"]
    assert data["starting_children"] == _json("--from", str(council), *FAST)["starting_children"]


def test_returns_before_the_price_index_are_forecast_without_spend(council, tmp_path):
    """Returns of 2009-10 to 2012-13: the children are forecast; spend is not, and it says why (it
    used to stop with 'No price index before March 2015: give costs from 2015-16 or later')."""
    data = _json("--from", str(_shifted(council, tmp_path / "older", -11)), *FAST)
    assert data["origin"] == "2013-03-31" and data["spend"] == []
    assert _codes(data) == ["not_priced"] and "begins in March 2015" in data["warnings"][0]["message"]
    assert len([r for r in data["forecast"] if r["state"] == "total"]) == 37


def _blank_dobs(council: Path, folder: Path, every: int) -> Path:
    """The council with the DOB of every ``every``-th header row blank, in each year."""
    shutil.copytree(council, folder)
    for path in folder.glob("*/header.csv"):
        header = pl.read_csv(path, infer_schema_length=0)
        header.with_columns(pl.when(pl.int_range(pl.len()) % every == 0).then(None).otherwise(pl.col("DOB")).alias("DOB")
                            ).write_csv(path, null_value="")
    return folder


def test_a_few_children_with_no_date_of_birth_are_counted_as_left_out(council, tmp_path):
    """One header row in 40 with a blank DOB: those children cannot be aged, so they are not in the
    forecast — the warning says how many of the children at the start."""
    full = _json("--from", str(council), *FAST)
    data = _json("--from", str(_blank_dobs(council, tmp_path / "few", 40)), *FAST)
    assert _codes(data) == ["no_date_of_birth"]
    left_out = full["starting_children"] - data["starting_children"]
    assert 0 < left_out <= 0.1 * full["starting_children"]
    assert data["warnings"][0]["message"].startswith(
        f"{left_out} of the {full['starting_children']} children looked after on 31 March 2024 have no readable date of birth")


def test_many_children_with_no_date_of_birth_are_refused(council, tmp_path):
    """A quarter of the DOBs blank, or the last year's header missing: the start and the rates would
    lose those children (a medium council fell from 499 to 314 at the start and 215 a year later)."""
    text = _refusal(_run("--from", str(_blank_dobs(council, tmp_path / "many", 4)), *FAST))
    assert "of the" in text and "have no readable date of birth" in text and "add the header" in text
    headless = tmp_path / "headless"
    shutil.copytree(council, headless)
    (headless / "2023-24" / "header.csv").unlink()
    assert "The 2023-24 return has no header table" in _refusal(_run("--from", str(headless), *FAST))
    for path in headless.glob("*/header.csv"):
        path.unlink()
    assert "No child in the returns has a readable date of birth" in _refusal(_run("--from", str(headless), *FAST))


def test_scenario_compare_carries_the_warnings(council, tmp_path):
    path = tmp_path / "fewer.json"
    assert runner.invoke(app, ["scenario", "create", "fewer", "--entry-rate", "-0.1", "--path", str(path)]).exit_code == 0
    result = runner.invoke(app, ["scenario", "compare", str(path), "--from", str(council / "2023-24"), "--runs", "100",
                                 "--horizon-months", "12", "--json"])
    assert result.exit_code == 0, result.output
    assert [w["code"] for w in json.loads(result.stdout)["warnings"]] == ["window_shortened"]


def test_backtest_sets_aside_the_years_before_a_gap_and_says_so(council, tmp_path):
    """An old 2018-19 return beside 2020-21 to 2023-24 (2019-20 missing): the backtest is the one of
    the unbroken years, and says what it set aside (its 'observed' totals in a gap counted children
    who had left)."""
    lone = tmp_path / "lone"
    shutil.copytree(council / "2020-21", lone / "2020-21")
    gapped = tmp_path / "gapped"
    shutil.copytree(council, gapped)
    _shifted(lone, tmp_path / "early", -2)
    shutil.copytree(tmp_path / "early" / "2018-19", gapped / "2018-19")
    args = ["backtest", "--runs", "50", "--json"]
    plain = runner.invoke(app, [*args, "--from", str(council)])
    result = runner.invoke(app, [*args, "--from", str(gapped)])
    assert result.exit_code == 0 and plain.exit_code == 0, result.output
    data, whole = json.loads(result.stdout), json.loads(plain.stdout)
    assert [w["code"] for w in data["warnings"]] == ["gap_in_years"] and whole["warnings"] == []
    assert "No return is held for 2019-20" in data["warnings"][0]["message"]
    assert data["rows"] == whole["rows"]


def test_xml_returns_and_iso_dates_give_the_same_forecast(council, tmp_path):
    """The same returns as 903 XML files, and as CSV with dates written YYYY-MM-DD: the same forecast."""
    from carewise.ingest import read_returns
    from carewise.ingest.xml_writer import write_xml

    xml, iso = tmp_path / "xml", tmp_path / "iso"
    xml.mkdir()
    for year, ret in read_returns([council]).returns.items():
        write_xml(ret, xml / f"{year.label}.xml")
    for path in council.glob("*/*.csv"):
        frame = pl.read_csv(path, infer_schema_length=0)
        dates = [c for c in frame.columns if c in {"DOB", "DECOM", "DEC", "MC_DOB", "DUC"}]
        (iso / path.parent.name).mkdir(parents=True, exist_ok=True)
        frame.with_columns(pl.col(c).str.to_date("%d/%m/%Y", strict=False).dt.strftime("%Y-%m-%d") for c in dates
                           ).write_csv(iso / path.parent.name / path.name, null_value="")
    whole = _json("--from", str(council), *FAST)
    for other in (xml, iso):
        data = _json("--from", str(other), *FAST)
        assert data["forecast"] == whole["forecast"] and data["warnings"] == []


def _rekeyed(council: Path, folder: Path, every: int) -> Path:
    """The council with every ``every``-th child of the last return under a new CHILD id there
    (as a system that re-keys children, or a return missing their episodes, would give)."""
    shutil.copytree(council, folder)
    for path in (folder / "2023-24").glob("*.csv"):
        frame = pl.read_csv(path, infer_schema_length=0)
        if "CHILD" in frame.columns:
            moved = pl.col("CHILD").cast(pl.Int64, strict=False).fill_null(0) % every == 0
            frame.with_columns(pl.when(moved).then("9" + pl.col("CHILD")).otherwise(pl.col("CHILD")).alias("CHILD")
                               ).write_csv(path, null_value="")
    return folder


def test_children_left_open_and_missing_from_the_next_return(council, tmp_path):
    """Every child of the last return under a new id: the children open at 31 March 2023 are counted
    twice (refused); one child in 40: warned, with how many were counted."""
    text = _refusal(_run("--from", str(_rekeyed(council, tmp_path / "all", 1)), *FAST))
    assert "are so only because the 2022-23 return leaves an episode open and the 2023-24 return does not hold" in text
    assert "use the same CHILD id" in text
    data = _json("--from", str(_rekeyed(council, tmp_path / "few", 40)), *FAST)
    assert _codes(data) == ["open_not_carried"]
    counted = int(data["warnings"][0]["message"].split(" ")[0])
    assert 0 < counted <= 0.1 * data["starting_children"]


def test_backtest_scores_no_outcome_after_the_returns_stop(council, tmp_path):
    """The last return cut at 30 September 2023: no cut is scored on a target after the data end
    (the 'observed' totals there kept children who had left and missed those who came)."""
    cut = tmp_path / "quiet"
    shutil.copytree(council, cut)
    path = cut / "2023-24" / "episodes.csv"
    episodes = pl.read_csv(path, infer_schema_length=0)
    episodes.filter(pl.col("DECOM").str.to_date("%d/%m/%Y") <= pl.date(2023, 9, 30)).with_columns(
        pl.when(pl.col("DEC").str.to_date("%d/%m/%Y", strict=False) > pl.date(2023, 9, 30)).then(None)
        .otherwise(pl.col("DEC")).alias("DEC")).write_csv(path, null_value="")
    result = runner.invoke(app, ["backtest", "--from", str(cut), "--runs", "50", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [w["code"] for w in data["warnings"]] == ["data_end_early"]
    assert max(r["target"] for r in data["rows"]) <= "2023-09-30"


def test_a_date_of_birth_after_the_start_is_left_out_and_said(council, tmp_path):
    """One header row in 40 born 'in 2030': such children used to be counted among the children at
    the start but not in the forecast's first month (the two figures disagreed)."""
    future = tmp_path / "future"
    shutil.copytree(council, future)
    for path in future.glob("*/header.csv"):
        header = pl.read_csv(path, infer_schema_length=0)
        header.with_columns(pl.when(pl.int_range(pl.len()) % 40 == 0).then(pl.lit("01/01/2030")).otherwise(pl.col("DOB"))
                            .alias("DOB")).write_csv(path, null_value="")
    data = _json("--from", str(future), *FAST)
    assert _codes(data) == ["no_date_of_birth"] and "or one after that day" in data["warnings"][0]["message"]
    assert _total(data, data["origin"])["median"] == data["starting_children"]
