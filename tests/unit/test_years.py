"""Collection years and ages, as DfE counts them."""

from datetime import date

import polars as pl
import pytest

from carewise.returns.years import (
    CollectionYear,
    add_years,
    age_at,
    age_expr,
    label_expr,
    start_year_expr,
    year_range,
)


@pytest.mark.parametrize("text", ["2024-25", "2024_25", "202425", 2024, "return 2024-25 final"])
def test_parse_forms(text):
    assert CollectionYear.parse(text).label == "2024-25"


def test_parse_rejects_non_consecutive():
    with pytest.raises(ValueError):
        CollectionYear.parse("2024-26")


def test_bounds_and_containing():
    y = CollectionYear(2024)
    assert (y.start, y.end) == (date(2024, 4, 1), date(2025, 3, 31))
    assert CollectionYear.containing(date(2025, 3, 31)) == y
    assert CollectionYear.containing(date(2025, 4, 1)) == y.next


def test_year_range_inclusive():
    assert [y.label for y in year_range("2020-21..2022-23")] == ["2020-21", "2021-22", "2022-23"]


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (date(2007, 3, 31), date(2025, 3, 31), 18),
        (date(2007, 4, 1), date(2025, 3, 31), 17),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_at_and_vectorised_agree(dob, on, age):
    assert age_at(dob, on) == age
    frame = pl.DataFrame({"DOB": [dob]})
    assert frame.select(age_expr(pl.col("DOB"), on)).item() == age


def test_add_years_leap_day():
    assert add_years(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert add_years(date(2008, 5, 1), 18) == date(2026, 5, 1)


def test_dfe_and_ons_years_of_a_collection_year():
    cy = CollectionYear.parse("2024-25")
    assert cy.year_ending_march == 2025, "DfE's time_period"
    assert cy.mid_year == 2024, "ONS mid-2024 estimate falls in 2024-25"


def test_vectorised_labels_and_start_years_agree_with_collection_year():
    days = [date(2025, 3, 31), date(2025, 4, 1), date(1999, 12, 31)]
    frame = pl.DataFrame({"day": days}).with_columns(start_year_expr(pl.col("day")).alias("start"))
    frame = frame.with_columns(label_expr(pl.col("start")).alias("label"))
    assert frame["label"].to_list() == [CollectionYear.containing(d).label for d in days]
    assert frame["label"].to_list() == ["2024-25", "2025-26", "1999-00"]


def test_start_years_of_numpy_dates_agree_with_collection_year():
    import numpy as np

    from carewise.returns.years import start_years

    days = [date(2025, 3, 31), date(2025, 4, 1), date(2024, 2, 29)]
    assert start_years(np.array(days, dtype="datetime64[D]")).tolist() == [
        CollectionYear.containing(d).start_year for d in days]
