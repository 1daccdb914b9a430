"""`carewise import` and `carewise status` end to end, as an analyst runs them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from carewise.cli import app
from carewise.returns.build import return_from_rows, write_return_csv

runner = CliRunner()


def _year(year: str, children: int):
    header = [{"CHILD": f"C{i}", "SEX": "2", "DOB": "03/03/2011", "ETHNIC": "WBRI"} for i in range(children)]
    episodes = [
        {"CHILD": f"C{i}", "DECOM": f"0{1 + i % 9}/06/{year[:4]}", "RNE": "S", "LS": "C2", "CIN": "N1",
         "PLACE": "U4", "PLACE_PROVIDER": "PR1"}
        for i in range(children)
    ]
    return return_from_rows(year, header=header, episodes=episodes)


def test_import_many_years_then_status(tmp_path):
    write_return_csv(_year("2023-24", 3), tmp_path / "returns" / "2023-24")
    write_return_csv(_year("2024-25", 4), tmp_path / "returns" / "2024-25")
    result = runner.invoke(app, ["import", str(tmp_path / "returns"), "--council", "E06000056", "--json"])
    assert result.exit_code == 0, result.output
    imported = json.loads(result.stdout)
    assert imported["stored"] is True
    assert imported["years"]["2024-25"]["children"] == 4

    status = runner.invoke(app, ["status", "--json"])
    assert status.exit_code == 0, status.output
    data = json.loads(status.stdout)
    assert data["council"]["la_code"] == "E06000056"
    assert set(data["years"]) == {"2023-24", "2024-25"}
    assert data["years"]["2023-24"] == data["years"]["2023-24"] | {"children": 3, "episodes": 3}
    assert data["years"]["2024-25"]["tables"]["episodes"] == 4


def test_year_is_inferred_from_dates_when_folder_has_no_year(tmp_path):
    write_return_csv(_year("2024-25", 2), tmp_path / "export")
    result = runner.invoke(app, ["import", str(tmp_path / "export"), "--council", "E06000056", "--json"])
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)["years"]) == ["2024-25"]


def test_bad_file_stores_nothing_and_keeps_what_was_there(tmp_path):
    write_return_csv(_year("2024-25", 2), tmp_path / "good" / "2024-25")
    assert runner.invoke(app, ["import", str(tmp_path / "good"), "--council", "E06000056"]).exit_code == 0
    bad = tmp_path / "bad" / "2024-25"
    write_return_csv(_year("2024-25", 9), bad)
    (bad / "episodes.csv").write_text("CHILD,DECOM,RNE\n1,01/04/2024,S\n")
    result = runner.invoke(app, ["import", str(tmp_path / "bad"), "--council", "E06000056", "--json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["stored"] is False
    missing = [p for p in report["problems"] if p["severity"] == "error"]
    assert {p["column"] for p in missing} >= {"LS", "PLACE"}
    assert all(p["file"] == "episodes.csv" for p in missing)
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert status["years"]["2024-25"]["children"] == 2


def test_council_is_required(tmp_path):
    write_return_csv(_year("2024-25", 1), tmp_path / "2024-25")
    result = runner.invoke(app, ["import", str(tmp_path / "2024-25")])
    assert result.exit_code == 2
    assert "--council" in result.output


def test_status_when_empty():
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"council": None, "years": {}}


def test_help_for_each_command():
    for command in ("import", "status"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_conflicts_between_years_are_reported(tmp_path):
    earlier = _year("2023-24", 2)
    later = return_from_rows(
        "2024-25",
        header=[{"CHILD": "C0", "SEX": "F", "DOB": "03/03/2011", "ETHNIC": "WBRI"}],
        episodes=[{"CHILD": "C0", "DECOM": "01/06/2023", "RNE": "S", "LS": "V2", "CIN": "N1",
                   "PLACE": "U4", "PLACE_PROVIDER": "PR1"}],
    )
    write_return_csv(earlier, tmp_path / "r" / "2023-24")
    write_return_csv(later, tmp_path / "r" / "2024-25")
    result = runner.invoke(app, ["import", str(tmp_path / "r"), "--council", "E06000056", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["conflicts"] >= 1
    listed = json.loads(runner.invoke(app, ["conflicts", "--json"]).stdout)["conflicts"]
    ls_change = [c for c in listed if c["column"] == "LS"]
    assert ls_change == [{"CHILD": "C0", "table": "episodes", "key": "C0 2023-06-01", "column": "LS",
                          "earlier_year": "2023-24", "earlier_value": "C2", "later_year": "2024-25",
                          "later_value": "V2"}]
    # child C1's episode was open at 31 March 2024 but is missing from 2024-25
    assert any(c["CHILD"] == "C1" and c["column"] == "(episode)" for c in listed)
