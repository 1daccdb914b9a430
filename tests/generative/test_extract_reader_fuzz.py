"""The one extract reader on random files (hypothesis): it never fails with a traceback, every
problem points at a real row and column, and values written as a council would are read back."""

from __future__ import annotations

import csv
import tempfile
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carewise.compliance.extracts import EXTRACTS
from carewise.errors import UserFacingError
from carewise.ingest.extracts import ROW, Column, Table, read_files
from carewise.matching.schema import TABLES as MARKET

TODAY = date(2025, 6, 1)
TABLE = Table("events", "Events", None, (
    Column("child", "id", True, "id", "1"),
    Column("date", "date", True, "date", "", not_future=True),
    Column("flag", "bool", False, "Y/N", ""),
    Column("amount", "float", False, "money", ""),
    Column("count", "int", False, "whole number", "", low=0, high=10),
    Column("kind", "enum", False, "a or b", "", ("alpha", "beta")),
    Column("tags", "list", False, "tags", "", ("red", "green")),
))
ALL = {"events": TABLE, **EXTRACTS, **MARKET}

cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["", "Y", "no", "31/02/2024", "1/1/2025", "2024-13-01", "£1,2", "5 June 2024",
                     "10", "-1", "alpha", "red;blue", "  ", '"', ",", "1e9"]),
)


@st.composite
def headers(draw):
    """The table's columns in any order, spelt as people do (case, spaces, hyphens), sometimes
    one left out, one repeated or one carewise does not know."""
    names = draw(st.permutations(list(TABLE.names)))
    spelt = [draw(st.sampled_from([n, n.upper(), n.title(), n.replace("_", " "), f" {n}-"]))
             for n in names]
    extra = draw(st.lists(st.sampled_from(["notes", "DATE", "", "child"]), max_size=2))
    return draw(st.sampled_from([spelt, spelt[1:], spelt + extra]))


@given(header=headers(), data=st.data())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_cells_give_problems_that_point_at_real_rows_and_columns(header, data):
    rows = data.draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=8))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header, *rows])
        try:
            reads = read_files([path], ALL, today=TODAY)
        except UserFacingError:
            return  # a file it cannot parse is refused with a message, never a traceback
    (read,) = reads
    assert read.kind == "events"
    assert read.frame.schema == pl.Schema({ROW: pl.Int64, **TABLE.schema})
    for p in read.problems:
        assert p.file == "events.csv" and p.fix
        assert p.row is None or 1 <= p.row <= len(rows)


dates = st.dates(min_value=date(1990, 1, 1), max_value=TODAY)


@given(values=st.lists(st.tuples(st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True), dates, st.booleans(),
                                 st.decimals(min_value=0, max_value=100_000, places=2),
                                 st.integers(0, 10), st.sampled_from(["alpha", "beta"]),
                                 st.lists(st.sampled_from(["red", "green"]), max_size=2, unique=True)),
                       min_size=1, max_size=10, unique_by=lambda v: v[0]),
       padded=st.booleans(), pounds=st.booleans())
@settings(max_examples=100, deadline=None)
def test_values_written_as_a_council_would_are_read_back_exactly(values, padded, pounds):
    def day(d: date) -> str:
        return f"{d:%d/%m/%Y}" if padded else f"{d.day}/{d.month}/{d.year}"

    text = [{"child": c, "date": day(d), "flag": "Yes" if f else "No",
             "amount": f"£{a:,.2f}" if pounds else f"{a:.2f}", "count": str(n), "kind": k.upper(),
             "tags": "; ".join(t)} for c, d, f, a, n, k, t in values]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        pl.DataFrame(text).write_csv(path)
        (read,) = read_files([path], ALL, today=TODAY)
    assert read.problems == []
    got = read.frame.drop(ROW).rows()
    assert got == [(c, d, f, float(a), n, k, t) for c, d, f, a, n, k, t in values]
