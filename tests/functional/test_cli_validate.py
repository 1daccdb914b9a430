"""`carewise validate` end to end: JSON contract, exit codes, reports."""

import json

import openpyxl
from typer.testing import CliRunner

from carewise.cli import app

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def _files(folder, header_rows, episode_rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "header.csv").write_text(HEADER + "".join(r + "\n" for r in header_rows))
    (folder / "episodes.csv").write_text(EPISODES + "".join(r + "\n" for r in episode_rows))
    return folder


def _good(tmp_path):
    return _files(
        tmp_path / "2024-25", ["A,M,01/01/2010,WBRI,UN1,,"], ["A,01/05/2024,S,C2,N1,U1,PR1,,,,,,"]
    )


def test_json_keys_and_exit_code(tmp_path):
    res = CliRunner().invoke(app, ["validate", str(_good(tmp_path)), "--year", "2024-25", "--json"])
    data = json.loads(res.stdout)
    assert set(data) == {"year", "rules_run", "rules_skipped", "errors", "problems"}
    assert data["year"] == "2024-25"
    assert res.exit_code == (1 if data["errors"] else 0)
    for e in data["errors"]:
        assert set(e) == {"rule", "table", "row", "child", "fields", "message", "values"}
    for s in data["rules_skipped"]:
        assert set(s) == {"rule", "reason"}


def test_invalid_code_is_reported_with_row(tmp_path):
    folder = _files(
        tmp_path / "2024-25",
        ["A,M,01/01/2010,WBRI,UN1,,", "B,M,01/01/2011,NOTACODE,UN1,,"],
        ["A,01/05/2024,S,C2,N1,U1,PR1,,,,,,", "B,01/06/2024,S,C2,N1,U1,PR1,,,,,,"],
    )
    res = CliRunner().invoke(app, ["validate", str(folder), "--json"])
    data = json.loads(res.stdout)
    bad = [e for e in data["errors"] if e["rule"] == "103"]
    assert bad and bad[0]["row"] == 2 and bad[0]["child"] == "B" and bad[0]["table"] == "header"
    assert res.exit_code == 1


def test_unreadable_input_exits_3(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "episodes.csv").write_bytes(b"PK\x03\x04 not really a workbook")
    res = CliRunner().invoke(app, ["validate", str(folder), "--json"])
    assert res.exit_code == 3
    data = json.loads(res.stdout)
    assert data["problems"]


def test_reports_written(tmp_path):
    folder = _good(tmp_path)
    runner = CliRunner()
    for fmt in ("html", "xlsx", "csv"):
        out = tmp_path / f"report.{fmt}"
        res = runner.invoke(app, ["validate", str(folder), "--format", fmt, "--out", str(out)])
        assert res.exit_code in (0, 1), res.output
        assert out.stat().st_size > 0
    html = (tmp_path / "report.html").read_text()
    assert "<script>" in html
    assert (
        "<link" not in html and 'src="http' not in html and 'href="http' not in html
    )  # works offline
    assert "rules checked" in html
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames[:3] == ["Summary", "Errors", "By child"]
    assert (
        (tmp_path / "report.csv").read_text(encoding="utf-8-sig").startswith("rule,table,row,child")
    )


def test_format_without_out_is_a_user_error(tmp_path):
    res = CliRunner().invoke(app, ["validate", str(_good(tmp_path)), "--format", "html"])
    assert res.exit_code == 4


def test_validate_stored_returns(tmp_path):
    from carewise.ingest import read_returns
    from carewise.store import Store

    folder = _files(
        tmp_path / "2024-25",
        ["A,M,01/01/2010,WBRI,UN1,,", "B,M,01/01/2011,NOTACODE,UN1,,"],
        ["A,01/05/2024,S,C2,N1,U1,PR1,,,,,,", "B,01/06/2024,S,C2,N1,U1,PR1,,,,,,"],
    )
    db = f"sqlite:///{tmp_path / 'c.db'}"
    Store(db).import_returns("E06000056", read_returns([folder]).returns.values())
    res = CliRunner().invoke(app, ["validate", "--db", db, "--council", "E06000056", "--json"])
    data = json.loads(res.stdout)
    assert data["year"] == "2024-25" and data["rules_run"] > 0
    assert any(e["rule"] == "103" and e["child"] == "B" for e in data["errors"])
    assert res.exit_code == 1
