"""Birthdays and the code groups named once in carewise.codes, worked by hand."""

from datetime import date

import polars as pl

from carewise.codes.lists import sex_code
from carewise.returns import age_at, age_expr, birthday, birthday_expr


def test_a_child_born_on_29_february_turns_18_on_1_march_in_a_common_year():
    # Family Law Reform Act 1969 s9: the age is attained at the start of the anniversary;
    # 2026 has no 29 February, so the 18th birthday of a child born 29/02/2008 is 01/03/2026.
    assert birthday(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert age_at(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_at(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_a_29_february_birthday_in_a_leap_year_stays_on_29_february():
    assert birthday(date(2008, 2, 29), 16) == date(2024, 2, 29)


def test_the_polars_birthday_agrees_with_the_python_one_and_with_age():
    dobs = [date(2008, 2, 29), date(2008, 3, 1), date(2007, 2, 28), date(2008, 2, 29)]
    ages = [18, 18, 18, 16]
    frame = pl.DataFrame({"DOB": dobs, "age": ages}).with_columns(
        birthday_expr(pl.col("DOB"), pl.col("age")).alias("by_column"),
        birthday_expr(pl.col("DOB"), 18).alias("eighteenth"),
    )
    assert frame["by_column"].to_list() == [
        date(2026, 3, 1), date(2026, 3, 1), date(2025, 2, 28), date(2024, 2, 29)
    ]
    assert frame["eighteenth"].to_list()[0] == date(2026, 3, 1)
    on_the_day = frame.select(age_expr(pl.col("DOB"), pl.col("eighteenth")).alias("a"))["a"]
    assert on_the_day.to_list() == [18, 18, 18, 18]
    day_before = frame.select(
        age_expr(pl.col("DOB"), pl.col("eighteenth").dt.offset_by("-1d")).alias("a")
    )["a"]
    assert day_before.to_list() == [17, 17, 17, 17]


def test_sex_codes_follow_the_year_code_list():
    # SEX was 1/2 until 2023-24 and M/F/U from 2024-25 (DfE SSDA903 code list).
    assert (sex_code("M", 2023), sex_code("F", 2023), sex_code("U", 2023)) == ("1", "2", None)
    assert (sex_code("M", 2024), sex_code("F", 2024), sex_code("U", 2024)) == ("M", "F", "U")


def test_compliance_eligibility_uses_the_1_march_birthday():
    # Born 29/02/2008; looked after 01/01/2022-01/06/2022 (151 days after the 14th birthday, more
    # than 13 weeks), then again from 28/02/2026. Under 18 until 01/03/2026, so an eligible child
    # (Children Act 1989 Sch 2 para 19B) from 28/02/2026; with a 28 February birthday she never was.
    from carewise.compliance import cohort
    from carewise.history import stitch
    from carewise.returns.build import return_from_rows

    header = [{"CHILD": "1", "SEX": "F", "DOB": "29/02/2008", "ETHNIC": "WBRI"}]

    def ep(decom, dec=None, rec=None):
        return {"CHILD": "1", "DECOM": decom, "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U4",
                "PLACE_PROVIDER": "PR1", "DEC": dec, "REC": rec}

    history = stitch([
        return_from_rows("2021-22", header=header, episodes=[ep("01/01/2022", "01/06/2022", "E4A")]),
        return_from_rows("2022-23", header=header, episodes=[ep("01/01/2022", "01/06/2022", "E4A")]),
        return_from_rows("2025-26", header=header, episodes=[ep("28/02/2026")]),
    ])
    eligible = cohort.eligibility(history, date(2026, 3, 31))
    assert eligible.select("CHILD", "eligible_from").rows() == [("1", date(2026, 2, 28))]
