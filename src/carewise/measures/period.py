"""The periods a measure is evaluated over.

- a collection year, ``2024-25``: 1 April 2024 to 31 March 2025;
- a quarter of a collection year, ``2025-Q1``: councils' financial quarters, so Q1 is April-June
  2025, Q4 is January-March 2026;
- a rolling 12 months, ``rolling-12m:2025-03-31``: the 12 months ending on that date;
- a snapshot date, ``2025-03-31``: "at date" measures at that date; flow measures (starts,
  ceased, placements in the period) over the 12 months ending on it, as DfE's year does.

Every period has an ``end`` (the "at date" for snapshot measures) and a ``start`` (first day of
the flow window, inclusive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from carewise.errors import UserFacingError
from carewise.returns.years import CollectionYear


class BadPeriodError(UserFacingError):
    """The --period text could not be read."""

    exit_code = 2


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier); the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def month_end(day: date) -> date:
    return add_months(date(day.year, day.month, 1), 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A window of days, inclusive at both ends, with the kind it was asked as."""

    kind: str
    """``year``, ``quarter``, ``rolling`` or ``snapshot``."""
    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int:
        """The period's length in whole months (a quarter 3, a year 12)."""
        return round(self.days / 30.44)

    @property
    def is_annual(self) -> bool:
        """Twelve months long: what DfE's annual figures count over."""
        return self.months == 12

    @property
    def collection_year(self) -> CollectionYear:
        """The collection year containing the end of the period."""
        return CollectionYear.containing(self.end)

    @property
    def year_ending_march(self) -> int:
        """The year-ending-31-March (DfE ``time_period``) that contains the period's end."""
        return self.collection_year.year_ending_march

    def shifted(self, months: int) -> Period:
        """The same kind of period ``months`` later (negative: earlier); years become rolling."""
        end = (
            month_end(add_months(self.end, months))
            if self.end == month_end(self.end)
            else add_months(self.end, months)
        )
        if self.kind == "snapshot":
            return snapshot(end)
        length = round(self.days / 30.44)
        start = add_months(end + timedelta(days=1), -length)
        if self.kind == "year" and months % 12 == 0:
            return year(CollectionYear.containing(end))
        if self.kind == "quarter" and months % 3 == 0:
            return Period("quarter", start, end, _quarter_label(start))
        return Period(
            "rolling",
            start,
            end,
            f"12 months to {end:%d %B %Y}"
            if length == 12
            else f"{length} months to {end:%d %B %Y}",
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def year(cy: CollectionYear) -> Period:
    return Period("year", cy.start, cy.end, cy.label)


def snapshot(day: date) -> Period:
    return Period(
        "snapshot", add_months(day + timedelta(days=1), -12), day, f"{day:%d %B %Y}".lstrip("0")
    )


def rolling(end: date, months: int = 12) -> Period:
    return Period(
        "rolling",
        add_months(end + timedelta(days=1), -months),
        end,
        f"{months} months to {end:%d %B %Y}",
    )


def quarter_number(day: date) -> int:
    """Which quarter of its collection year a day falls in: 1 (April to June) to 4 (January to
    March)."""
    return (day.month - 4) % 12 // 3 + 1


def quarter_containing(day: date) -> Period:
    """The quarter of the collection year that holds ``day``."""
    return quarter(CollectionYear.containing(day).start_year, quarter_number(day))


def _quarter_label(start: date) -> str:
    return f"{CollectionYear.containing(start).start_year}-Q{quarter_number(start)}"


def quarter(start_year: int, q: int) -> Period:
    start = add_months(date(start_year, 4, 1), 3 * (q - 1))
    end = add_months(start, 3) - timedelta(days=1)
    return Period("quarter", start, end, f"{start_year}-Q{q}")


_ROLLING = re.compile(r"^rolling-(\d{1,2})m:(\d{4}-\d{2}-\d{2})$")
_QUARTER = re.compile(r"^(20\d\d)-Q([1-4])$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_period(text: str | Period) -> Period:
    """Read ``2024-25``, ``2025-Q1``, ``rolling-12m:2025-03-31`` or ``2025-03-31``."""
    if isinstance(text, Period):
        return text
    value = str(text).strip()
    try:
        if m := _ROLLING.match(value):
            return rolling(date.fromisoformat(m.group(2)), int(m.group(1)))
        if m := _QUARTER.match(value):
            return quarter(int(m.group(1)), int(m.group(2)))
        if _DATE.match(value):
            return snapshot(date.fromisoformat(value))
        return year(CollectionYear.parse(value))
    except ValueError as exc:
        raise BadPeriodError(
            f"'{text}' is not a period: write a collection year (2024-25), a quarter (2025-Q1 = "
            "April-June 2025), rolling-12m:2025-03-31, or a date (2025-03-31)"
        ) from exc


def annual_comparison_note(period: Period) -> str:
    """Why a figure counted over a part of a year is shown without DfE's annual comparators."""
    return (
        f"Not compared with England: DfE's figures count a whole year and this one counts "
        f"{period.months} month{'s' if period.months != 1 else ''} ({period.label}). For a "
        f"comparison, ask for the 12 months to {period.end.day} {period.end:%B %Y} "
        f"(rolling-12m:{period.end.isoformat()})."
    )
