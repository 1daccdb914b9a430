"""Working days in England: Monday to Friday except bank holidays (hand-worked dates)."""

from __future__ import annotations

from datetime import date

from carewise.compliance.calendar import is_working_day, working_day


def test_christmas_and_boxing_day_are_not_working_days():
    # Fri 20 Dec 2024: Mon 23 (1), Tue 24 (2), Wed 25 and Thu 26 bank holidays, Fri 27 (3)
    assert working_day(date(2024, 12, 20), 3) == date(2024, 12, 27)
    assert not is_working_day(date(2024, 12, 25)) and not is_working_day(date(2024, 12, 26))


def test_easter_good_friday_and_easter_monday_are_skipped():
    # Thu 17 Apr 2025 + 1 working day: Fri 18 (Good Friday), Mon 21 (Easter Monday) -> Tue 22
    assert working_day(date(2025, 4, 17), 1) == date(2025, 4, 22)


def test_twenty_working_days_from_a_monday_is_four_weeks_later():
    assert working_day(date(2025, 3, 3), 20) == date(2025, 3, 31)


def test_twenty_working_days_from_a_saturday_counts_the_monday_as_day_one():
    # Sat 1 Mar 2025: Mon 3 Mar is day 1, so day 20 is Fri 28 Mar
    assert working_day(date(2025, 3, 1), 20) == date(2025, 3, 28)


def test_substitute_bank_holiday_when_christmas_falls_at_a_weekend():
    # 2022: Christmas Day Sunday -> substitute Tue 27 Dec; Boxing Day Mon 26 Dec
    assert not is_working_day(date(2022, 12, 27))
    assert working_day(date(2022, 12, 23), 1) == date(2022, 12, 28)
