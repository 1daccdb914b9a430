"""Reports people can act on (issue 13): the analyst's file names, rows as Excel shows them (said
so), the offending values, severities, and the problems found reading the files in every format."""

from __future__ import annotations

import csv
import json

import openpyxl
from typer.testing import CliRunner

from carewise.cli import app

runner = CliRunner()


def _folder(tmp_path):
    folder = tmp_path / "2024-25"
    folder.mkdir()
    (folder / "kids.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA,1,01/01/2010,WBRI,,,\n"
                                     "B,1,01/01/2011,NOTACODE,,,\n")
    (folder / "eps.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "A,2024-05-01,S,C2,N1,U1,PR1,,,,,,\nB,01/06/2024,S,C2,N1,U1,PR1,,,,,,\n")
    return folder


def test_json_errors_carry_values_and_problems_carry_read_warnings(tmp_path):
    result = runner.invoke(app, ["validate", str(_folder(tmp_path)), "--json"])
    data = json.loads(result.stdout)
    (ethnic,) = [e for e in data["errors"] if e["rule"] == "103"]
    assert ethnic["values"] == {"ETHNIC": "NOTACODE"} and ethnic["row"] == 2
    (iso,) = data["problems"]
    assert (iso["file"], iso["row"], iso["value"], iso["severity"]) == ("eps.csv", 1, "2024-05-01", "warning")


def test_csv_html_and_excel_reports_name_files_excel_rows_values_and_read_warnings(tmp_path):
    folder = _folder(tmp_path)
    for fmt in ("csv", "html", "xlsx"):
        res = runner.invoke(app, ["validate", str(folder), "--format", fmt, "--out", str(tmp_path / f"r.{fmt}")])
        assert res.exit_code == 1, res.output
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8-sig")))
    (ethnic,) = [r for r in rows if r["rule"] == "103"]
    assert (ethnic["file"], ethnic["row"], ethnic["excel_row"], ethnic["values"], ethnic["severity"]) == (
        "kids.csv", "2", "3", "ETHNIC 'NOTACODE'", "error")
    (iso,) = [r for r in rows if r["rule"] == ""]
    assert (iso["file"], iso["excel_row"], iso["values"], iso["severity"]) == ("eps.csv", "2", "2024-05-01", "warning")

    html = (tmp_path / "r.html").read_text()
    assert "kids.csv, Excel row 3" in html and "ETHNIC &#39;NOTACODE&#39;" in html
    assert "Excel row 2" in html and "2024-05-01" in html and "warning" in html

    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Errors"]
    lines = [[c.value for c in r] for r in sheet.iter_rows()]
    assert lines[0][8:] == ["Severity", "File", "Excel row", "Values"]
    assert ["warning", "eps.csv", 2, "2024-05-01"] in [line[8:] for line in lines]


def test_xml_rule_errors_point_at_the_line_of_the_file(tmp_path):
    xml = tmp_path / "return.xml"
    xml.write_text("""<?xml version="1.0"?>
<EXPSSDA903>
<CHILD><HEADER><CHILDID>A</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB><ETHNIC>WBRI</ETHNIC></HEADER>
<EPISODE><DECOM>01/05/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE>
</CHILD>
<CHILD>
<HEADER><CHILDID>B</CHILDID><SEX>1</SEX><DOB>01/01/2011</DOB><ETHNIC>NOTACODE</ETHNIC></HEADER>
<EPISODE><DECOM>01/06/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE>
</CHILD>
</EXPSSDA903>
""")
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["validate", str(xml), "--format", "html", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "return.xml, line 7 (header record 2)" in out.read_text()


def test_the_terminal_shows_errors_first_and_says_how_many_more_there_are(tmp_path):
    folder = tmp_path / "2024-25"
    folder.mkdir()
    (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
                                       + "".join(f"C{i},1,2010-01-01,WBRI,,,\n" for i in range(60)))
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        + "".join(f"C{i},01/06/2024,S,C2,N1,U1,PR1,,,,,,\n" for i in range(59)) + "C59,31/06/2024,S,C2,N1,U1,PR1,,,,,,\n")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(("Error:", "Warning:"))]
    assert lines[0].startswith("Error:") and "31/06/2024" in result.output
    assert "… and 12 more problems reading the files" in result.output  # 1 error + 50 DOB + 1 count, less 40
