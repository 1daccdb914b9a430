"""The typed number helpers for polars aggregates and cells (carewise.returns.frames)."""

from datetime import date

import numpy as np
import polars as pl
import pytest

from carewise.returns.frames import MISSING, as_date, as_float, as_int


def test_an_aggregate_of_a_numeric_column_is_its_number():
    frame = pl.DataFrame({"n": [1, 2, 4], "x": [0.5, 1.5, None]})
    assert as_int(frame["n"].sum()) == 7
    assert as_float(frame["x"].mean()) == 1.0
    assert as_int(frame["x"].max()) == 1  # truncated, as int() does


@pytest.mark.parametrize("value", [None, date(2024, 4, 1), "3", [1]])
def test_anything_but_a_number_fails_as_int_and_float_would(value):
    with pytest.raises(TypeError):
        as_int(value)
    with pytest.raises(TypeError):
        as_float(value)


def test_an_empty_column_has_no_number():
    with pytest.raises(TypeError):
        as_float(pl.Series("n", [], dtype=pl.Int64).mean())


def test_missing_is_what_numpy_makes_of_none():
    cond = np.array([True, False])
    assert np.where(cond, "a", MISSING).tolist() == np.where(cond, "a", None).tolist() == ["a", None]
    assert np.append(np.array(["x"], dtype=object), MISSING).tolist() == ["x", None]


def test_a_date_column_gives_its_date_or_none():
    dates = pl.Series("d", [date(2024, 4, 1), None, date(2025, 3, 31)])
    assert as_date(dates.max()) == date(2025, 3, 31)
    assert as_date(dates.drop_nulls().head(0).min()) is None
    with pytest.raises(TypeError):
        as_date(pl.Series([3]).max())
