"""No input crashes the CSV reader: any bytes give a result with problems, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.ingest import read_csv_bytes, read_xml_bytes
from carewise.returns.model import typed_from_raw
from carewise.returns.tables import TABLES

HEADERS = [",".join(spec.columns) for spec in TABLES.values()]

cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@st.composite
def csv_like(draw):
    header = draw(st.sampled_from(HEADERS))
    width = header.count(",") + 1
    rows = draw(st.lists(st.lists(cells, min_size=max(0, width - 2), max_size=width + 2), max_size=6))
    body = "\n".join(",".join(r) for r in rows)
    text = header + "\n" + body
    cut = draw(st.integers(min_value=0, max_value=len(text)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text[:cut].encode(encoding, errors="replace")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_like())
def test_csv_reader_never_crashes_on_near_903_files(data):
    read = read_csv_bytes(data, "fuzz.csv")
    if read.raw is not None:
        typed_from_raw(read.raw, read.spec)  # typing what was read never fails either
        assert read.raw["_row"].is_sorted()


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_csv_reader_never_crashes_on_random_bytes(data):
    read_csv_bytes(data, "fuzz.csv")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: ("<EXPSSDA903><CHILD>" + t).encode()))
def test_xml_reader_never_crashes(data):
    ret, problems = read_xml_bytes(data, "fuzz.xml")
    assert ret is not None or problems
