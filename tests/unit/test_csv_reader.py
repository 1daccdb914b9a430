"""Reading one 903 CSV file: tables recognised by header, encodings, and every kind of bad input."""

from __future__ import annotations

from datetime import date

import pytest

from carewise.ingest import Severity, read_csv_bytes
from carewise.returns.model import typed_from_raw
from carewise.returns.tables import TABLES

EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def errors(read):
    return [p for p in read.problems if p.severity == Severity.ERROR]


def test_recognises_table_by_header_not_name():
    read = read_csv_bytes((EPISODES + "1,01/04/2024,S,C2,N1,U4,PR1,,,,LS1 1AA,LS2 2BB,\n").encode(), "export_7.csv")
    assert read.spec is TABLES["episodes"]
    assert read.raw.height == 1
    assert read.raw["_row"].to_list() == [1]


def test_header_spelling_of_other_tools_is_accepted():
    text = "child id, Sex ,dob,ethnic,upn,mother,mc_dob\nA1,1,01/01/2010,WBRI,,,\n"
    read = read_csv_bytes(text.encode(), "h.csv")
    assert read.spec is TABLES["header"]
    assert not errors(read)


def test_utf8_bom_and_windows_1252():
    body = "CHILD,DOB,MISSING,MIS_START,MIS_END\n1,01/01/2010,M,02/05/2024,03/05/2024\n"
    bom = read_csv_bytes(b"\xef\xbb\xbf" + body.encode(), "m.csv")
    assert bom.spec is TABLES["missing"] and not bom.problems
    cp = read_csv_bytes(body.replace("1,01", "Zo\u00eb,01").encode("cp1252"), "m.csv")
    assert cp.usable
    assert cp.source.encoding == "windows-1252"
    assert any("Windows-1252" in p.message for p in cp.problems)
    assert cp.raw["CHILD"].to_list() == ["Zo\u00eb"]


def test_codes_trimmed_uppercased_raw_kept():
    read = read_csv_bytes((EPISODES + "1, 01/04/2024 , s ,c2,N1,u4,pr1,,,,,,\n").encode(), "e.csv")
    typed = typed_from_raw(read.raw, read.spec)
    assert {p.column for p in read.problems} == {"RNE", "LS", "PLACE", "PLACE_PROVIDER"}
    assert typed["RNE"][0] == "S" and typed["PLACE"][0] == "U4"
    assert typed["DECOM"][0] == date(2024, 4, 1)
    assert read.raw["RNE"][0] == " s "


def test_iso_dates_read_with_a_warning_and_impossible_dates_are_errors_naming_row_column_value():
    read = read_csv_bytes((EPISODES + "1,2024-04-01,S,C2,N1,U4,PR1,,,,,,\n2,31/02/2024,S,C2,N1,U4,PR1,,,,,,\n").encode(), "e.csv")
    typed = typed_from_raw(read.raw, read.spec)
    assert typed["DECOM"].to_list() == [date(2024, 4, 1), None]
    iso, impossible = [p for p in read.problems if p.column == "DECOM"]
    assert (iso.severity, iso.file, iso.row, iso.value) == (Severity.WARNING, "e.csv", 1, "2024-04-01")
    assert "YYYY-MM-DD" in iso.message and "01/04/2024" in iso.message
    assert (impossible.severity, impossible.row, impossible.value) == (Severity.ERROR, 2, "31/02/2024")
    assert "does not exist" in impossible.message
    assert read.usable  # the layout was read: the rules can still check every other row


@pytest.mark.parametrize(
    ("written", "read_as", "layout"),
    [
        ("4/2/12", date(2012, 2, 4), "DD/MM/YY"),
        ("01/05/98", date(1998, 5, 1), "DD/MM/YY"),
        ("01/04/2024 00:00:00", date(2024, 4, 1), "DD/MM/YYYY and a time"),
        ("2024-04-01T00:00", date(2024, 4, 1), "YYYY-MM-DD and a time"),
        ("01-04-2024", date(2024, 4, 1), "DD-MM-YYYY"),
    ],
)
def test_other_date_layouts_are_read_with_a_warning_never_as_the_year_12(written, read_as, layout):
    read = read_csv_bytes((EPISODES + f"1,{written},S,C2,N1,U4,PR1,,,,,,\n").encode(), "e.csv")
    assert typed_from_raw(read.raw, read.spec)["DECOM"].to_list() == [read_as]
    (problem,) = [p for p in read.problems if p.column == "DECOM"]
    assert problem.severity == Severity.WARNING and problem.value == written and problem.row == 1
    assert layout in problem.message and read_as.strftime("%d/%m/%Y") in problem.message


@pytest.mark.parametrize("written", ["04/02/0012", "30/13/2024", "unknown", "00/00/0000"])
def test_dates_that_cannot_be_right_are_errors(written):
    read = read_csv_bytes((EPISODES + f"1,{written},S,C2,N1,U4,PR1,,,,,,\n").encode(), "e.csv")
    assert typed_from_raw(read.raw, read.spec)["DECOM"].to_list() == [None]
    (problem,) = [p for p in read.problems if p.column == "DECOM"]
    assert problem.severity == Severity.ERROR and problem.value == written


def test_two_digit_year_warnings_stop_at_the_limit_with_a_count():
    body = "".join(f"{i},4/2/12,S,C2,N1,U4,PR1,,,,,,\n" for i in range(60))
    read = read_csv_bytes((EPISODES + body).encode(), "e.csv")
    decom = [p for p in read.problems if p.column == "DECOM"]
    assert len(decom) == 51 and decom[-1].row is None and decom[-1].message.startswith("10 more dates")


def test_trimmed_and_recased_codes_are_warned_with_the_value_read():
    read = read_csv_bytes((EPISODES + "1,01/04/2024, S,c2,N1,U4,PR1,,,,,,\n").encode(), "e.csv")
    codes = {p.column: p for p in read.problems}
    assert set(codes) == {"RNE", "LS"}
    assert codes["RNE"].value == " S" and "'S'" in codes["RNE"].message and "spaces" in codes["RNE"].message
    assert codes["LS"].value == "c2" and "lower case" in codes["LS"].message
    assert all(p.severity == Severity.WARNING and p.row == 1 for p in codes.values())


def test_missing_column_is_an_error_naming_it():
    read = read_csv_bytes(b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST,URN\n", "e.csv")
    assert not read.usable
    assert [p.column for p in errors(read)] == ["REASON_PLACE_CHANGE"]


def test_unknown_column_is_a_warning_and_ignored():
    read = read_csv_bytes((b"CHILD,DOB,IN_TOUCH,ACTIV,ACCOM,NOTES\n1,01/01/2006,YES,F1,U1,hello\n"), "oc3.csv")
    assert read.usable
    assert "NOTES" not in read.raw.columns
    assert [p.column for p in read.problems if p.severity == Severity.WARNING] == ["NOTES"]


def test_truncated_file_reports_the_row():
    read = read_csv_bytes((EPISODES + "1,01/04/2024,S,C2,N1,U4,PR1,,,,,,\n2,01/04/2024,S,C2").encode(), "e.csv")
    assert not read.usable
    (problem,) = errors(read)
    assert problem.row == 2 and "cut short" in problem.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"PK\x03\x04rest-of-zip", "Excel"),
        (b"\x00\x01\x02binary", "not a text file"),
        (b"name,age\nfred,3\n", "does not match any 903 table"),
        (b"\x81\x8d\x90 not text", "encoding"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, words):
    read = read_csv_bytes(data, "bad.csv")
    assert not read.usable
    assert any(words in p.message for p in errors(read)), [p.message for p in read.problems]


def test_duplicate_column_is_an_error():
    read = read_csv_bytes(b"CHILD,DOB,DUC,DUC,SEX\n", "u.csv")
    assert not read.usable
    assert any(p.column == "DUC" for p in errors(read))


def test_trailing_empty_cells_from_excel_are_ignored():
    read = read_csv_bytes(b"CHILD,DOB,IN_TOUCH,ACTIV,ACCOM,,\n1,01/01/2006,YES,F1,U1,,\n,,,,,,\n", "oc3.csv")
    assert read.usable and read.raw.height == 1


def test_without_value_checks_the_same_frame_is_read(tmp_path):
    """``check_values=False`` (the forecast's reading) leaves out only the problems that change nothing
    read: odd dates, trimmed or lower-case codes, blank and repeated rows are still read into the same
    frame, and a table of other children is still part of the return."""
    from carewise.ingest import read_returns
    from carewise.ingest.csv_reader import value_problems

    text = (EPISODES + "1,01/04/2024,S,C2,N1,U4,PR1,,,,LS1 1AA,LS2 2BB,\n"
            "2,2024-04-02,s, C2,N1,U4,PR1,31/02/2025,E11,,,,\n"
            "2,2024-04-02,s, C2,N1,U4,PR1,31/02/2025,E11,,,,\n"
            ",,,,,,,,,,,,\n"
            "3,1/4/24,L,J2,N2,R1,PR4,,,,,,\n")
    checked, unchecked = read_csv_bytes(text.encode(), "e.csv"), read_csv_bytes(text.encode(), "e.csv", check_values=False)
    found = value_problems(checked.raw, checked.spec, "e.csv")
    assert len(found) >= 5 and {p.severity for p in found} == {Severity.ERROR, Severity.WARNING}
    assert unchecked.raw.equals(checked.raw) and unchecked.spec is checked.spec and unchecked.source == checked.source
    assert unchecked.problems == checked.problems[: len(checked.problems) - len(found)]
    folder = tmp_path / "2024-25"
    folder.mkdir()
    (folder / "episodes.csv").write_text(text)
    (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2010,WBRI,,,\n")
    (folder / "reviews.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\n77,01/01/2010,01/06/2024,PN1\n")
    full, quick = read_returns([folder]), read_returns([folder], check_values=False)
    assert list(quick.returns) == list(full.returns)
    for year, ret in full.returns.items():
        assert ret.raw.keys() == quick.returns[year].raw.keys()
        assert all(quick.returns[year].raw[name].equals(frame) for name, frame in ret.raw.items())
    assert len(quick.problems) < len(full.problems) and all(p in full.problems for p in quick.problems)
    assert any("children in the reviews table appear" in p.message for p in full.problems)
    assert not any("appear" in p.message for p in quick.problems)
