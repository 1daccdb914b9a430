"""`carewise import` and `carewise validate` on files as councils really export them: nothing is
read wrongly or dropped without a word (issue 13)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from carewise.cli import app

runner = CliRunner()
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def write_year(folder, header_rows, episode_rows, *, header=HEADER, episodes=EPISODES):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "header.csv").write_text(header + "".join(r + "\n" for r in header_rows))
    (folder / "episodes.csv").write_text(episodes + "".join(r + "\n" for r in episode_rows))
    return folder


def good_rows(n: int = 3, year: int = 2024) -> tuple[list[str], list[str]]:
    header = [f"C{i},1,03/03/2011,WBRI,A12345678901{i},," for i in range(n)]
    episodes = [f"C{i},0{1 + i % 9}/06/{year},S,C2,N1,U4,PR1,,,,,," for i in range(n)]
    return header, episodes


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result, data


def test_two_digit_years_are_read_as_this_century_with_warnings_naming_each_cell(tmp_path):
    header, episodes = good_rows()
    episodes = [e.replace("/06/2024", "/06/24") for e in episodes]
    folder = write_year(tmp_path / "2024-25", header, episodes)
    result, data = invoke("validate", str(folder), "--json")
    assert result.exit_code in (0, 1), result.output
    dated = [p for p in data["problems"] if p["column"] == "DECOM"]
    assert [(p["file"], p["row"], p["value"], p["severity"]) for p in dated] == [
        ("episodes.csv", i + 1, f"0{1 + i}/06/24", "warning") for i in range(3)
    ]
    assert all("DD/MM/YY" in p["message"] and "2024" in p["message"] for p in dated)
    assert not any(e["rule"] in {"141", "146"} for e in data["errors"])  # DECOM was read, as 2024

    result, data = invoke("import", str(folder), "--council", "E06000056", "--json")
    assert result.exit_code == 0 and data["stored"] is True
    assert {p["value"] for p in data["problems"] if p["column"] == "DECOM"} == {"01/06/24", "02/06/24", "03/06/24"}


def test_a_date_that_does_not_exist_refuses_the_import_but_validation_still_checks_every_rule(tmp_path):
    header, episodes = good_rows()
    episodes[1] = episodes[1].replace("02/06/2024", "31/06/2024")
    header[2] = header[2].replace(",WBRI,", ",NOTACODE,")
    folder = write_year(tmp_path / "2024-25", header, episodes)
    result, data = invoke("import", str(folder), "--council", "E06000056", "--json")
    assert result.exit_code == 3 and data["stored"] is False
    (bad,) = [p for p in data["problems"] if p["severity"] == "error"]
    assert (bad["file"], bad["row"], bad["column"], bad["value"]) == ("episodes.csv", 2, "DECOM", "31/06/2024")
    assert "does not exist" in bad["message"]

    result, data = invoke("validate", str(folder), "--json")
    assert result.exit_code == 1
    assert any(e["rule"] == "103" and e["row"] == 3 for e in data["errors"])  # the rules still ran
    assert any(p["value"] == "31/06/2024" and p["severity"] == "error" for p in data["problems"])


def test_a_repeated_row_refuses_the_import_so_no_child_is_counted_twice(tmp_path):
    header, episodes = good_rows()
    folder = write_year(tmp_path / "good" / "2024-25", header, episodes)
    assert invoke("import", str(folder), "--council", "E06000056")[0].exit_code == 0
    repeated = write_year(tmp_path / "bad" / "2024-25", header + [header[0]], episodes + [episodes[0]])
    result, data = invoke("import", str(repeated), "--council", "E06000056", "--json")
    assert result.exit_code == 3 and data["stored"] is False
    errors = sorted((p["file"], p["row"]) for p in data["problems"] if p["severity"] == "error")
    assert errors == [("episodes.csv", 4), ("header.csv", 4)]
    assert all("repeats row 1 exactly" in p["message"] for p in data["problems"] if p["severity"] == "error")
    status = json.loads(invoke("status", "--json")[0].stdout)
    assert status["years"]["2024-25"]["children"] == 3 and status["years"]["2024-25"]["episodes"] == 3
