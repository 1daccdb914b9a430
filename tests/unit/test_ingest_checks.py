"""Nothing read is dropped or doubled without a word: repeated rows and keys, blank fields,
unnamed and unknown columns, XML with a DOCTYPE (issue 13)."""

from __future__ import annotations

import pytest

from carewise.ingest import Severity, read_csv_bytes, read_xml_bytes
from carewise.returns.years import CollectionYear

EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def problems_of(text: str, name: str = "f.csv"):
    read = read_csv_bytes(text.encode(), name)
    assert read.usable, read.problems
    return read.problems


@pytest.mark.parametrize(
    ("table", "header", "row"),
    [
        ("header", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", "A,1,01/01/2010,WBRI,,,"),
        ("oc2", "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,"
         "SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED", "A,01/01/2010,12,,0,1,1,1,1,0,,"),
        ("uasc", "CHILD,SEX,DOB,DUC", "A,1,01/01/2010,01/01/2028"),
        ("reviews", "CHILD,DOB,REVIEW,REVIEW_CODE", "A,01/01/2010,01/06/2024,PN1"),
        ("missing", "CHILD,DOB,MISSING,MIS_START,MIS_END", "A,01/01/2010,M,01/06/2024,02/06/2024"),
        ("oc3", "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM", "A,01/01/2006,YES,F1,U1"),
    ],
)
def test_an_exact_repeated_row_is_an_error_naming_both_rows(table, header, row):
    read = read_csv_bytes(f"{header}\nB{row[1:]}\n{row}\n{row}\n".encode(), f"{table}.csv")
    (dupe,) = [p for p in read.problems if p.severity == Severity.ERROR]
    assert read.spec.name == table
    assert dupe.row == 3 and "repeats row 2 exactly" in dupe.message and "rows 2 and 3" in dupe.fix
    assert dupe.value.startswith("A")


def test_a_repeated_key_is_an_error_naming_both_rows_and_the_key():
    body = ("A,01/04/2024,S,C2,N1,U4,PR1,,,,,,\n"
            "B,01/04/2024,S,C2,N1,U4,PR1,,,,,,\n"
            "a ,01/04/2024,P,C2,N1,U1,PR1,,,,,,\n")
    (dupe,) = [p for p in problems_of(EPISODES + body) if p.severity == Severity.ERROR]
    assert (dupe.row, dupe.column, dupe.value) == (3, "CHILD,DECOM", "A, 01/04/2024")
    assert "same CHILD and DECOM as row 1" in dupe.message


def test_a_blank_key_is_an_error_and_a_blank_mandatory_field_a_warning_saying_what_was_done():
    body = "A,,S,C2,N1,U4,PR1,,,,,,\n,01/05/2024,S,C2,N1,U4,PR1,,,,,,\nB,01/05/2024,S,,N1,U4,PR1,,,,,,\n"
    found = {(p.row, p.column): p for p in problems_of(EPISODES + body)}
    assert found[(1, "DECOM")].severity == Severity.ERROR and "cannot be stored" in found[(1, "DECOM")].message
    assert found[(2, "CHILD")].severity == Severity.ERROR and "child's id" in found[(2, "CHILD")].message
    assert found[(3, "LS")].severity == Severity.WARNING and "kept with LS blank" in found[(3, "LS")].message


def test_unknown_and_unnamed_columns_are_named_as_ignored():
    text = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM,NOTES,,\n1,01/01/2006,YES,F1,U1,said hello,,\n2,01/01/2006,YES,F1,U1,,x,\n"
    found = [p for p in problems_of(text, "oc3.csv")]
    assert [(p.severity, p.column) for p in found] == [
        (Severity.WARNING, "NOTES"), (Severity.WARNING, "G"), (Severity.WARNING, "H")]
    assert "column 7 (Excel column G) has no name in the header row but holds 1 values" in found[1].message
    assert "column 8 (Excel column H) is an empty column with no name" in found[2].message


XML = """<?xml version="1.0"?>{doctype}
<EXPSSDA903><CHILD><HEADER><CHILDID>{child}</CHILDID><SEX>1</SEX><DOB>01/01/2012</DOB><ETHNIC>WBRI</ETHNIC>
<NOTES>free text</NOTES></HEADER>
<EPISODE><DECOM>01/05/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL><COLOUR>red</COLOUR></EPISODE>
<EPISODE><DECOM>01/05/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL></EPISODE>
</CHILD></EXPSSDA903>"""


def test_xml_with_a_doctype_is_refused():
    doctype = '<!DOCTYPE EXPSSDA903 [<!ENTITY id "C1">]>'
    ret, problems = read_xml_bytes(XML.format(doctype=doctype, child="&id;").encode(), "r.xml", CollectionYear(2024))
    assert ret is None
    (problem,) = problems
    assert problem.severity == Severity.ERROR and "DOCTYPE" in problem.message


def test_xml_unknown_fields_are_named_and_repeated_episodes_are_errors():
    ret, problems = read_xml_bytes(XML.format(doctype="", child="C1").encode(), "r.xml", CollectionYear(2024))
    assert ret is not None
    ignored = {p.column: p for p in problems if "ignored" in p.message}
    assert set(ignored) == {"NOTES", "COLOUR"} and ignored["COLOUR"].row == 4
    (dupe,) = [p for p in problems if p.severity == Severity.ERROR]
    assert dupe.table == "episodes" and "repeats row 1 exactly" in dupe.message


def test_a_nul_character_past_the_first_4_kb_is_refused_naming_the_row():
    body = "".join(f"C{i},01/04/2024,S,C2,N1,U4,PR1,,,,,,\n" for i in range(200))
    read = read_csv_bytes((EPISODES + body + "X\x00,01/04/2024,S,C2,N1,U4,PR1,,,,,,\n").encode(), "e.csv")
    assert read.raw is None
    (problem,) = read.problems
    assert problem.severity == Severity.ERROR and problem.row == 201 and "NUL" in problem.message


def test_utf16_with_a_byte_order_mark_is_read_with_a_warning():
    text = EPISODES + "C1,01/04/2024,S,C2,N1,U4,PR1,,,,,,\n"
    for data in (text.encode("utf-16"), b"\xfe\xff" + text.encode("utf-16-be")):
        read = read_csv_bytes(data, "e.csv")
        assert read.usable and read.raw["CHILD"].to_list() == ["C1"] and read.source.encoding == "utf-16"
        (problem,) = read.problems
        assert problem.severity == Severity.WARNING and "UTF-16" in problem.message


def test_messages_are_cut_to_a_sane_length_saying_how_long_the_text_was():
    read = read_csv_bytes(b"CHILD," + b"y" * 60_000, "one_line.csv")
    (problem,) = read.problems
    assert len(problem.message) <= 300 and "(60,000 characters in all)" in problem.message


def test_problems_in_xml_values_name_the_line_of_the_record():
    ret, problems = read_xml_bytes(XML.format(doctype="", child="C1").replace("<DOB>01/01/2012</DOB>", "<DOB>2012-01-01</DOB>")
                                   .encode(), "r.xml", CollectionYear(2024))
    (iso,) = [p for p in problems if p.column == "DOB" and p.table == "header"]
    assert (iso.row, iso.line) == (1, 2) and "r.xml, line 2, column DOB" in iso.describe()
    (dupe,) = [p for p in problems if p.severity == Severity.ERROR]
    assert (dupe.row, dupe.line) == (2, 5)


def test_a_failure_inside_the_csv_reader_is_a_problem_not_a_traceback(monkeypatch):
    import carewise.ingest.csv_reader as csv_reader

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(csv_reader, "value_problems", broken)
    read = read_csv_bytes((EPISODES + "C1,01/04/2024,S,C2,N1,U4,PR1,,,,,,\n").encode(), "e.csv")
    (problem,) = read.problems
    assert read.raw is None and problem.severity == Severity.ERROR and "RuntimeError inside carewise" in problem.message
