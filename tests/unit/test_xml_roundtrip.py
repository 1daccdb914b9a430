"""903 XML: every table read (incl. social-worker episodes and DoLOs), written, and read back the same."""

import json

from carewise.ingest import read_returns, read_xml_bytes
from carewise.ingest.xml_writer import to_xml_bytes, write_xml
from carewise.returns.build import return_from_rows, write_return_csv
from carewise.validate import validate_paths

HEADER = [
    {"CHILD": "A", "SEX": "M", "DOB": "01/01/2010", "ETHNIC": "WBRI", "UPN": "UN1", "MOTHER": None},
    {"CHILD": "B", "SEX": "F", "DOB": "02/02/2008", "ETHNIC": "XXXX", "UPN": "UN2", "MOTHER": "0"},
]
EPISODES = [
    {"CHILD": "A", "DECOM": "01/05/2026", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U1", "PLACE_PROVIDER": "PR1"},
    {"CHILD": "A", "DECOM": "01/06/2026", "RNE": "P", "LS": "C2", "CIN": "N1", "PLACE": "U4", "PLACE_PROVIDER": "PR1",
     "DEC": "01/07/2026", "REC": "E11"},
    {"CHILD": "B", "DECOM": "05/05/2026", "RNE": "S", "LS": "V2", "CIN": "N4", "PLACE": "K2", "PLACE_PROVIDER": "PR4"},
]


def _ret():
    return return_from_rows(
        "2026-27",
        header=HEADER,
        episodes=EPISODES,
        reviews=[{"CHILD": "A", "DOB": "01/01/2010", "REVIEW": "01/08/2026", "REVIEW_CODE": "PN1"}],
        uasc=[{"CHILD": "B", "SEX": "F", "DOB": "02/02/2008", "DUC": "02/02/2026"}],
        oc3=[{"CHILD": "B", "DOB": "02/02/2008", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"}],
        ad1=[{"CHILD": "A", "DOB": "01/01/2010", "DATE_INT": "01/05/2026", "DATE_MATCH": "01/05/2026",
              "FOSTER_CARE": "0", "NB_ADOPTR": "1", "SEX_ADOPTR": "F1", "LS_ADOPTR": "L0"}],
        placed_for_adoption=[{"CHILD": "A", "DOB": "01/01/2010", "DATE_PLACED": "01/06/2026"}],
        previous_permanence=[{"CHILD": "B", "DOB": "02/02/2008", "PREV_PERM": "Z1"}],
        missing=[{"CHILD": "B", "DOB": "02/02/2008", "MISSING": "M", "MIS_START": "01/06/2026"}],
        oc2=[{"CHILD": "B", "DOB": "02/02/2008", "SDQ_SCORE": "12", "CONVICTED": "0"}],
        social_worker_episodes=[
            {"CHILD": "A", "DOB": "01/01/2010", "SW_ID": "SW1", "SW_DECOM": "01/05/2026", "SW_REASON": "MANAGE"},
            {"CHILD": "B", "DOB": "02/02/2008", "SW_ID": "XX2", "SW_DECOM": "05/05/2026"},
        ],
        dolo=[{"CHILD": "B", "DOB": "02/02/2008", "DOLO_START": "01/06/2026", "DOLO_END": "01/07/2026"}],
    )


def test_every_table_round_trips():
    ret = _ret()
    back, problems = read_xml_bytes(to_xml_bytes(ret), "r.xml", ret.year)
    assert not [p for p in problems if p.severity == "error"]
    assert set(back.raw) == set(ret.raw)
    for name, frame in ret.raw.items():
        assert back.raw[name].select(frame.columns).equals(frame), name


def test_variants_wrappers_namespaces_and_unknown_group_names():
    xml = b"""<?xml version="1.0"?>
    <EXPSSDA903 xmlns="urn:x"><CHILDREN><CHILD><HEADER><CHILDID>Z</CHILDID><DOB>01/01/2012</DOB></HEADER>
      <EPISODES><EPISODE><DECOM>01/05/2024</DECOM><PL>K3</PL></EPISODE></EPISODES>
      <SOCIALWORKER><SW_ID>SW9</SW_ID><SW_DECOM>01/05/2024</SW_DECOM><SW_DEC></SW_DEC><SW_REASON>OTHERS</SW_REASON>
      </SOCIALWORKER>
      <DEPRIVATION_OF_LIBERTY><DOLO_START>02/05/2024</DOLO_START></DEPRIVATION_OF_LIBERTY>
    </CHILD></CHILDREN></EXPSSDA903>"""
    ret, problems = read_xml_bytes(xml, "v.xml")
    assert ret is not None, problems
    assert ret.raw["episodes"]["PLACE"].to_list() == ["K3"]
    assert ret.raw["social_worker_episodes"]["SW_ID"].to_list() == ["SW9"]
    assert ret.raw["social_worker_episodes"]["CHILD"].to_list() == ["Z"]
    assert ret.raw["dolo"]["DOB"].to_list() == ["01/01/2012"]


def test_unrecognised_group_is_a_problem():
    xml = b"<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID></HEADER><FOO><BAR>1</BAR></FOO></CHILD></EXPSSDA903>"
    ret, problems = read_xml_bytes(xml, "f.xml")
    assert ret is None and "FOO" in problems[0].message


def test_csv_and_xml_of_the_same_data_validate_identically(tmp_path):
    ret = _ret()
    write_return_csv(ret, tmp_path / "csv" / "2026-27")
    (tmp_path / "xml").mkdir()
    write_xml(ret, tmp_path / "xml" / "return_2026-27.xml")
    csv_read, xml_read = read_returns([tmp_path / "csv"]), read_returns([tmp_path / "xml"])
    assert not csv_read.errors and not xml_read.errors
    a = validate_paths(tmp_path / "csv").as_json()
    b = validate_paths(tmp_path / "xml").as_json()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
