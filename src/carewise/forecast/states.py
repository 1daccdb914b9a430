"""The states of the sufficiency forecast: age band × placement category.

A child looked after is in exactly one state on a day: the age band of their age on that day
and the category of the placement they are in. Categories follow how councils commission
placements, not the peer model's four groups: in-house and agency foster care are separate
states (from PLACE_PROVIDER, never from the U4/U5/U6 code), so a "70% in-house" scenario
changes flows of children rather than re-weighting costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from carewise.codes import (
    FAMILY_AND_FRIENDS_FOSTERING,
    OTHER_FOSTERING,
    PLACED_FOR_ADOPTION,
    TEMPORARY_PLACEMENTS,
)

CATEGORIES: tuple[str, ...] = (
    "fostering_in_house",
    "fostering_agency",
    "family_and_friends",
    "residential",
    "supported",
    "placed_with_parents",
    "adoption",
    "other",
)
"""Placement categories, in output order."""

CATEGORY_LABELS: dict[str, str] = {
    "fostering_in_house": "Fostering (in-house)",
    "fostering_agency": "Fostering (agency)",
    "family_and_friends": "Family and friends",
    "residential": "Residential",
    "supported": "Supported / independent living",
    "placed_with_parents": "Placed with parents",
    "adoption": "Placed for adoption",
    "other": "Other",
}

EXIT = "left_care"
"""The destination of a child who leaves care (any REC other than a move within care)."""

_FOSTER_OTHER = OTHER_FOSTERING
_KINSHIP = FAMILY_AND_FRIENDS_FOSTERING
_RESIDENTIAL = ("K1", "K2", "R1", "S1", "P3")
_SUPPORTED = ("H5", "K3", "P2")
_ADOPTION = PLACED_FOR_ADOPTION
_IN_HOUSE_PROVIDERS = ("PR1",)
_AGENCY_PROVIDERS = ("PR4", "PR5")


@dataclass(frozen=True)
class AgeBand:
    """Ages [low, high) in whole years, as on the day (the child's own birthdays)."""

    low: int
    high: int

    @property
    def label(self) -> str:
        return f"{self.low} to {self.high - 1}" if self.high - self.low > 1 else f"{self.low}"


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand(0, 1),
    AgeBand(1, 5),
    AgeBand(5, 10),
    AgeBand(10, 16),
    AgeBand(16, 18),
)
"""The peer model's bands (birth to 1, 1–4, 5–9, 10–15, 16–17) so results compare; care ends at 18."""

CARE_ENDS_AT = 18
"""Care ends on the 18th birthday (Children Act 1989 s105: a child is a person under 18)."""

DAYS_PER_YEAR = 365.25


def category_expr(place: str = "PLACE", provider: str = "PLACE_PROVIDER") -> pl.Expr:
    """Placement category of an episode from PLACE and PLACE_PROVIDER.

    U4–U6 are "other foster carer" whoever provides them: in-house means PLACE_PROVIDER PR1
    (own provision), agency means PR4/PR5 (private, voluntary) — DfE 903 guide, placement
    provider codes. U4–U6 with another provider (PR2 other LA, PR3 other public, blank) count
    as "other". Temporary placements (T0–T4) are returned as null so callers can carry the
    previous placement's category over them.
    """
    p, pr = pl.col(place), pl.col(provider)
    return (
        pl.when(p.is_in(_FOSTER_OTHER) & pr.is_in(_IN_HOUSE_PROVIDERS))
        .then(pl.lit("fostering_in_house"))
        .when(p.is_in(_FOSTER_OTHER) & pr.is_in(_AGENCY_PROVIDERS))
        .then(pl.lit("fostering_agency"))
        .when(p.is_in(_KINSHIP))
        .then(pl.lit("family_and_friends"))
        .when(p.is_in(_RESIDENTIAL))
        .then(pl.lit("residential"))
        .when(p.is_in(_SUPPORTED))
        .then(pl.lit("supported"))
        .when(p == "P1")
        .then(pl.lit("placed_with_parents"))
        .when(p.is_in(_ADOPTION))
        .then(pl.lit("adoption"))
        .when(p.is_in(TEMPORARY_PLACEMENTS))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.lit("other"))
    )


def band_thresholds_days() -> np.ndarray:
    """Upper age of each band in days (approximate birthdays, 365.25 days a year)."""
    return np.array([round(b.high * DAYS_PER_YEAR) for b in AGE_BANDS], dtype=np.int64)


def band_of_age_days(age_days: np.ndarray) -> np.ndarray:
    """Band index for ages in days; ages of 18 or more give len(AGE_BANDS)."""
    return np.searchsorted(band_thresholds_days(), age_days, side="right")


def state_label(band: int, category: int) -> str:
    return f"{AGE_BANDS[band].label} / {CATEGORIES[category]}"


N_BANDS = len(AGE_BANDS)
N_CATEGORIES = len(CATEGORIES)


@dataclass(frozen=True)
class DurationBand:
    """Time in the current period of care, [low, high) in months (None: no upper end)."""

    low: int
    high: int | None

    @property
    def label(self) -> str:
        def words(months: int) -> str:
            return f"{months // 12} year{'s' if months > 12 else ''}" if months % 12 == 0 else f"{months} months"

        if self.high is None:
            return f"{words(self.low)} or more"
        if self.low == 0:
            return f"under {words(self.high).replace('1 months', '1 month')}"
        return f"{words(self.low).replace('1 months', '1 month')} to {words(self.high)}"


DURATION_BANDS: tuple[DurationBand, ...] = (
    DurationBand(0, 1),
    DurationBand(1, 3),
    DurationBand(3, 6),
    DurationBand(6, 12),
    DurationBand(12, 24),
    DurationBand(24, None),
)
"""Time in care bands of the exit hazard: most children who leave care quickly leave in the first
weeks or months (DfE, *Children looked after in England*: about a third of those ceasing each year
were looked after for under 6 months), so a child's chance of leaving depends on how long they
have been looked after, not only on their age and placement."""

SETTLED_MONTHS = 24
"""From two years in care on, the exit hazard no longer depends on time in care (the last band)."""
N_DURATIONS = len(DURATION_BANDS)
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


def duration_edges_days() -> np.ndarray:
    """The lower edge of each duration band after the first, in days (365.25 / 12 days a month)."""
    return np.array([round(b.low * DAYS_PER_MONTH) for b in DURATION_BANDS[1:]], dtype=np.int64)
