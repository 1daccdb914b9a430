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


def test_a_folder_named_for_the_wrong_year_is_refused_naming_the_year_the_dates_point_to(tmp_path):
    header, episodes = good_rows(25, year=2023)
    folder = write_year(tmp_path / "2024-25", header, episodes)
    result, data = invoke("import", str(folder), "--council", "E06000056", "--json")
    assert result.exit_code == 3 and data["stored"] is False
    (problem,) = data["problems"]
    assert "says collection year 2024-25" in problem["message"] and "point to 2023-24" in problem["message"]
    assert "--year 2023-24" in problem["fix"]

    plain = write_year(tmp_path / "plain", header, episodes)
    result, data = invoke("import", str(plain), "--year", "2024-25", "--council", "E06000056", "--json")
    assert result.exit_code == 3 and "--year says collection year 2024-25" in data["problems"][0]["message"]
    result, data = invoke("import", str(plain), "--year", "2023-24", "--council", "E06000056", "--json")
    assert result.exit_code == 0 and list(data["years"]) == ["2023-24"]


def test_a_few_long_placements_from_before_the_year_only_warn():
    from carewise.ingest.reader import _year_agrees
    from carewise.returns.build import raw_frame
    from carewise.returns.years import CollectionYear

    episodes = raw_frame("episodes", [{"CHILD": "A", "DECOM": "01/06/2023", "RNE": "S"}])
    problems: list = []
    assert _year_agrees({"episodes": episodes}, CollectionYear(2024), "the folder name", "f", problems)
    assert problems[0].severity == "warning" and "took the 2024-25 label" in problems[0].message
    closed = raw_frame("episodes", [{"CHILD": "A", "DECOM": "01/06/2023", "DEC": "01/07/2023"}])
    assert not _year_agrees({"episodes": closed}, CollectionYear(2024), "the folder name", "f", problems)


def test_reimporting_a_year_shows_what_changes_and_a_large_change_needs_replace(tmp_path):
    header, episodes = good_rows(20)
    assert invoke("import", str(write_year(tmp_path / "a" / "2024-25", header, episodes)),
                  "--council", "E06000056")[0].exit_code == 0
    corrected = [h.replace(",WBRI,", ",WIRI,") if h.startswith("C1,") else h for h in header] + [
        "C99,2,01/01/2012,WBRI,,,"]
    result, data = invoke("import", str(write_year(tmp_path / "b" / "2024-25", corrected, episodes)),
                          "--council", "E06000056", "--json")
    assert result.exit_code == 0, result.output
    assert data["years"]["2024-25"]["changes"] == {"added": 1, "removed": 0, "changed": 1, "unchanged": 19,
                                                  "large": False}

    other_header, other_episodes = good_rows(20)
    other = write_year(tmp_path / "c" / "2024-25", [h.replace("C", "X", 1) for h in other_header],
                       [e.replace("C", "X", 1) for e in other_episodes])
    result, data = invoke("import", str(other), "--council", "E06000056", "--json")
    assert result.exit_code == 3 and data["stored"] is False and data["needs_replace"] is True
    assert data["changes"]["2024-25"] == {"added": 20, "removed": 21, "changed": 0, "unchanged": 0, "large": True}
    result = runner.invoke(app, ["import", str(other), "--council", "E06000056"])
    assert result.exit_code == 3 and "--replace" in result.output and "21 removed" in result.output
    status = json.loads(invoke("status", "--json")[0].stdout)
    assert status["years"]["2024-25"]["children"] == 21  # still the corrected return
    result, data = invoke("import", str(other), "--council", "E06000056", "--replace", "--json")
    assert result.exit_code == 0 and data["years"]["2024-25"]["changes"]["large"] is True


def test_another_councils_file_in_the_folder_is_flagged(tmp_path):
    header, episodes = good_rows(10)
    stranger = [e.replace("C", "Z", 1) for e in episodes]
    result, data = invoke("import", str(write_year(tmp_path / "2024-25", header, stranger)),
                          "--council", "E06000056", "--json")
    assert result.exit_code == 3
    flagged = [p for p in data["problems"] if "none of the 10 children" in p["message"]]
    assert {p["file"] for p in flagged} == {"episodes.csv", "header.csv"}
    assert all(p["severity"] == "error" for p in flagged)
