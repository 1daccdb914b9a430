"""Hostile file shapes never crash the readers and never make an oversized message (issue 13):
one endless line, NUL bytes anywhere, other encodings and delimiters, title and footer lines,
ragged rows, unbalanced quotes, deep or entity-laden XML, system files beside the 903 files."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.ingest import read_csv_bytes, read_returns, read_xml_bytes
from carewise.ingest.problems import LIMITS
from carewise.returns.tables import TABLES

EPISODES = ",".join(TABLES["episodes"].columns)
ROW = "C1,01/05/2024,S,C2,N1,U4,PR1,,,,,,"

pieces = st.sampled_from([
    EPISODES, ROW, ROW[:17], ROW + ",,,extra", '"', '""', "\x00", "\r", "\r\n", "\n", ";", "\t",
    "Total rows: 12", "Episodes report 2024-25", "x" * 5000, "\ufeff", ",,,,", "é", "\u2028",
])


def assert_sane(problems) -> None:
    for p in problems:
        for name, limit in LIMITS.items():
            value = getattr(p, name)
            assert value is None or len(value) <= limit, (name, len(value))
        assert p.describe()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, max_size=30), st.sampled_from(["utf-8", "utf-16", "cp1252", "utf-8-sig"]))
def test_hostile_csv_shapes_give_problems_never_a_crash(parts, encoding):
    data = "".join(parts).encode(encoding, errors="replace")
    read = read_csv_bytes(data, "episodes.csv")
    assert_sane(read.problems)
    if read.raw is not None and read.raw.width > 1:
        nul = pl.any_horizontal(pl.col(c).str.contains("\x00", literal=True) for c in read.raw.columns[1:])
        assert not read.raw.select(nul.any()).item(), "a NUL got through"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([
    "<EXPSSDA903>", "</EXPSSDA903>", "<CHILD>", "</CHILD>", "<HEADER>", "</HEADER>", "<CHILDID>C1</CHILDID>",
    "<EPISODE>", "</EPISODE>", "<DECOM>01/05/2024</DECOM>", "<DECOM>4/2/12</DECOM>", "<PL>U4</PL>",
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', "&a;", "<x>" * 50, "\x00", "<![CDATA[", "]]>",
    '<?xml version="1.0"?>', "<NOTES>" + "y" * 3000 + "</NOTES>",
]), max_size=40))
def test_hostile_xml_shapes_give_problems_never_a_crash(parts):
    ret, problems = read_xml_bytes("".join(parts).encode(), "return.xml")
    assert ret is not None or problems
    assert_sane(problems)


def test_a_60_kb_line_and_a_3_mb_line_give_short_messages():
    for size in (60_000, 3_000_000):
        read = read_csv_bytes(b"CHILD;" + b"y" * size, "one_line.csv")
        assert read.raw is None and read.problems
        assert_sane(read.problems)


def test_folders_holding_every_hostile_shape_are_read_without_a_traceback(tmp_path):
    folder = tmp_path / "2024-25"
    folder.mkdir()
    (folder / "episodes.csv").write_bytes(f"{EPISODES}\n{ROW}\n".encode())
    (folder / "broken.csv").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "header.xml").write_bytes(b'<!DOCTYPE x [<!ENTITY a "b">]><EXPSSDA903>&a;</EXPSSDA903>')
    (folder / "long.txt").write_bytes(b"z" * 100_000)
    result = read_returns([folder])
    assert result.errors
    assert_sane(result.problems)
