"""The rules' neighbouring-row helpers give exactly what polars' windows over CHILD give (issue 13
item 7).

``child_shift`` and ``same_child`` replace ``shift(k).over("CHILD")`` and "first / last row of the
child" windows (``int_range(pl.len()).over("CHILD")``) in frames sorted by CHILD, which are many
times faster; for any such frame (blank CHILDs, one child, none, nulls first or last) the columns
must be the same.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from carewise.validate.engine import child_shift, same_child

children = st.one_of(st.none(), st.sampled_from(["A", "B", "C", "D"]))
dates = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2025, 12, 31)))
codes = st.one_of(st.none(), st.sampled_from(["X1", "E11", "P", "S"]))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_child_shift_and_same_child_are_the_windows(data):
    n = data.draw(st.integers(0, 12))
    frame = pl.DataFrame(
        {
            "CHILD": pl.Series(data.draw(st.lists(children, min_size=n, max_size=n)), dtype=pl.String),
            "DEC": pl.Series(data.draw(st.lists(dates, min_size=n, max_size=n)), dtype=pl.Date),
            "REC": pl.Series(data.draw(st.lists(codes, min_size=n, max_size=n)), dtype=pl.String),
        }
    ).sort("CHILD", nulls_last=data.draw(st.booleans()))
    quick = frame.select(
        *[child_shift(c, k).alias(f"{c}{k}") for c in ("DEC", "REC") for k in (-2, -1, 1, 2)],
        (~same_child(-1)).alias("last"),
        (~same_child(1)).alias("first"),
    )
    window = frame.select(
        *[pl.col(c).shift(k).over("CHILD").alias(f"{c}{k}") for c in ("DEC", "REC") for k in (-2, -1, 1, 2)],
        (pl.int_range(pl.len()).over("CHILD") == pl.len().over("CHILD") - 1).alias("last"),
        (pl.int_range(pl.len()).over("CHILD") == 0).alias("first"),
    )
    assert quick.equals(window), (frame, quick, window)
