"""Truncated and corrupted 903 files (XML and CSV written from a valid return) never crash the readers
or the validator: the result is a return to validate, or problems to show, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.ingest import read_csv_bytes, read_xml_bytes
from carewise.ingest.xml_writer import to_xml_bytes
from carewise.returns.build import return_from_rows
from carewise.returns.years import CollectionYear
from carewise.validate import Context, validate

YEAR = CollectionYear(2024)
RET = return_from_rows(
    YEAR,
    header=[{"CHILD": "A", "SEX": "M", "DOB": "01/01/2012", "ETHNIC": "WBRI", "UPN": "UN1"}],
    episodes=[
        {
            "CHILD": "A",
            "DECOM": "01/05/2024",
            "RNE": "S",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "U1",
            "PLACE_PROVIDER": "PR1",
            "DEC": "01/06/2024",
            "REC": "X1",
        },
        {
            "CHILD": "A",
            "DECOM": "01/06/2024",
            "RNE": "P",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "U4",
            "PLACE_PROVIDER": "PR1",
        },
    ],
    reviews=[{"CHILD": "A", "DOB": "01/01/2012", "REVIEW": "01/07/2024", "REVIEW_CODE": "PN1"}],
    social_worker_episodes=[
        {
            "CHILD": "A",
            "DOB": "01/01/2012",
            "SW_ID": "SW1",
            "SW_DECOM": "01/05/2024",
            "SW_REASON": "MANAGE",
        }
    ],
)
XML = to_xml_bytes(RET)
CSV = RET.raw["episodes"].drop("_row").write_csv(null_value="").encode()
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def corrupted(draw, data: bytes):
    out = bytearray(data)
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        kind = draw(st.sampled_from(["flip", "delete", "insert"]))
        pos = draw(st.integers(min_value=0, max_value=max(len(out) - 1, 0)))
        if kind == "flip" and out:
            out[pos] = draw(st.integers(min_value=0, max_value=255))
        elif kind == "delete" and out:
            del out[pos : pos + draw(st.integers(min_value=1, max_value=20))]
        else:
            out[pos:pos] = draw(st.binary(min_size=1, max_size=10))
    cut = draw(st.integers(min_value=0, max_value=len(out)))
    return bytes(out[:cut]) if draw(st.booleans()) else bytes(out)


def _validate_if_read(ret):
    if ret is not None:
        result = validate(Context(ret.year, ret))
        assert not result.internal_errors, result.internal_errors


@FUZZ
@given(corrupted(XML))
def test_corrupted_xml_never_crashes(data):
    ret, problems = read_xml_bytes(data, "fuzz.xml", YEAR)
    assert ret is not None or problems
    _validate_if_read(ret)


@FUZZ
@given(corrupted(CSV))
def test_corrupted_csv_never_crashes(data):
    read = read_csv_bytes(data, "episodes.csv")
    if read.usable and read.spec is not None:
        from carewise.returns.model import Return

        _validate_if_read(Return(YEAR, raw={read.spec.name: read.raw}))


def test_the_uncorrupted_files_read_cleanly():
    ret, problems = read_xml_bytes(XML, "ok.xml", YEAR)
    assert ret is not None and not [p for p in problems if p.severity == "error"]
    assert read_csv_bytes(CSV, "episodes.csv").usable
