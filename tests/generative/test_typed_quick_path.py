"""The typed frame's quick paths give exactly what the full expressions give (issue 13 item 7).

``typed_from_raw`` keeps a code column that is already clean as it is and reads a date column
written only DD/MM/YYYY without trying the other layouts; any cell, however odd, must come out as
``clean_code_expr`` / ``parse_date_expr`` make it.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from carewise.returns.model import ROW, clean_code_expr, parse_date_expr, typed_from_raw
from carewise.returns.tables import TABLES

SPEC = TABLES["header"]  # CHILD, SEX, ETHNIC, UPN, MOTHER codes; DOB, MC_DOB dates

plain_dates = st.builds(lambda d, m, y: f"{d}/{m}/{y}", st.integers(0, 35), st.integers(0, 14),
                        st.integers(1, 2999).map(lambda y: f"{y:04d}"))
odd_dates = st.sampled_from(["2012-02-01", "4/2/12", "01-02-2012", " 01/02/2012", "01/02/2012 00:00",
                             "31/02/2024", "x", "", " ", "1/2/12345", "01/02/0012"])
codes = st.one_of(st.sampled_from(["A1", "WBRI", "1", "S", "V2", "PR1"]),
                  st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6))



@settings(max_examples=300, deadline=None)
@given(st.data())
def test_typed_frame_is_the_full_expressions(data):
    n = data.draw(st.integers(0, 8))
    cols = {}
    for col in SPEC.columns:
        values = plain_dates if col in SPEC.date_columns and data.draw(st.booleans()) else (
            st.one_of(plain_dates, odd_dates) if col in SPEC.date_columns else codes)
        cols[col] = pl.Series(data.draw(st.lists(st.one_of(st.none(), values), min_size=n, max_size=n)),
                              dtype=pl.String)
    raw = pl.DataFrame({ROW: pl.Series(range(1, n + 1), dtype=pl.Int64), **cols})
    full = raw.select(pl.col(ROW), *[parse_date_expr(c) if c in SPEC.date_columns else clean_code_expr(c)
                                     for c in SPEC.columns])
    assert typed_from_raw(raw, SPEC).equals(full)
