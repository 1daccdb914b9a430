"""DfE's reporting groups for 903 codes, as used in "Children looked after in England".

Group names are DfE's own wording in the published characteristics tables, so a council's
breakdown lines up with the comparators from ``carewise.benchmarks``.
"""

from __future__ import annotations

import polars as pl

from carewise.codes import ADOPTED as ADOPTED
from carewise.codes import ETHNIC_GROUPS as ETHNIC_GROUPS
from carewise.codes import (
    FAMILY_AND_FRIENDS_FOSTERING,
    FOSTER_PLACEMENTS,
    PLACED_FOR_ADOPTION,
    PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS,
)
from carewise.codes import NEW_CARERS_RNE as NEW_CARERS_RNE
from carewise.codes import PLACEMENT_START_RNE as PLACEMENT_START_RNE
from carewise.codes import SAME_CARERS_RNE as SAME_CARERS_RNE

# DfE leaves children looked after only under short breaks out of every headline count (EES
# footnotes to "Children looked after in England"). A temporary placement and the return from it
# are not a change of placement in DfE's stability measures (903 rule 383). Re-exported so measure
# definitions read them as ``codes.SHORT_BREAKS`` beside DfE's reporting groups.
from carewise.codes import SHORT_BREAKS as SHORT_BREAKS
from carewise.codes import TEMPORARY_PLACEMENTS as TEMPORARY_PLACEMENTS

AGE_BANDS = ("Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years", "16 years and over")

SEXES = {"M": "Male", "F": "Female", "U": "Not known"}


LEGAL_STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "Interim care order": ("C1",),
    "Full care order": ("C2",),
    "Placement order granted": ("E1", "D1"),
    "Voluntary agreements under S20 CA 1989": ("V2",),
    "Detained for child protection": ("L1", "L2", "L3"),
    "Youth justice legal statuses": ("J1", "J2", "J3"),
}

NEED_GROUPS: dict[str, tuple[str, ...]] = {
    "N1. Abuse or neglect": ("N1",),
    "N2. Child's disability": ("N2",),
    "N3. Parental illness or disability": ("N3",),
    "N4. Family in acute stress": ("N4",),
    "N5. Family dysfunction": ("N5",),
    "N6. Socially unacceptable behaviour": ("N6",),
    "N7. Low income": ("N7",),
    "N8. Absent parenting": ("N8",),
}

FOSTER = FOSTER_PLACEMENTS
FAMILY_AND_FRIENDS = FAMILY_AND_FRIENDS_FOSTERING
IN_HOUSE_PROVIDER = ("PR1",)
AGENCY_PROVIDERS = ("PR4", "PR5")

PLACEMENT_GROUPS: dict[str, tuple[str, ...]] = {
    "Foster placements": FOSTER,
    "Placed for adoption": PLACED_FOR_ADOPTION,
    "Placed with parents or other person with parental responsibility": ("P1",),
    "Independent and semi-independent living arrangements/supported accommodation": (
        "H5",
        "K3",
        "P2",
        "P3",
    ),
    "Secure homes and children's homes": ("K1", "K2"),
    "Other residential settings": ("R1", "R2", "R3", "R5"),
    "Residential schools": ("S1",),
    "Other placements": ("Z1", "Z11", "Z12", "Z13", "Z14", *TEMPORARY_PLACEMENTS),
}
"""The 8 groups of ``cla-by-la.csv`` (DfE characteristics "Placement"). Evidence for the map
(docs/measures.md, "Placement groups"): in every published LA row (2020-2025) "Other placements"
equals the placement-provider count "not reported", and PLACE_PROVIDER is blank exactly for
T0-T4 and Z1 (903 rule 213), so "Other placements" is T0-T4 and Z1 (Z11-Z14 from 2025-26);
"Placed with parents" equals provider PR0 (P1). SFR 34/2015 footnotes: "other residential
settings" are R1, R2, R3 and R5, and living independently (P2) was grouped with residential
employment (P3), the group now called independent and semi-independent living (with H5, K3).
Codes not listed (and blanks) fall in "Other placements"."""

PLACEMENT_BENCHMARK_COLUMNS: dict[str, str] = {
    "Foster placements": "placement_foster",
    "Placed for adoption": "placement_for_adoption",
    "Placed with parents or other person with parental responsibility": "placement_with_parents",
    "Independent and semi-independent living arrangements/supported accommodation": "placement_independent_supported",
    "Secure homes and children's homes": "placement_secure_and_childrens_homes",
    "Other residential settings": "placement_other_residential",
    "Residential schools": "placement_residential_schools",
    "Other placements": "placement_other",
}

FOSTER_TYPES = (
    "Foster: family and friends",
    "Foster: in-house",
    "Foster: agency",
    "Foster: other provider or not recorded",
)

CEASED_GROUPS: dict[str, tuple[str, ...]] = {
    "Adopted": ADOPTED,
    "Special guardianship order": ("E43", "E44", "E45", "E46", "E47", "E48"),
    "Child arrangements order": ("E41",),
    "Returned home to parents or relatives": ("E4A", "E4B", "E4"),
    "Living with parents or relatives without parental responsibility": ("E13",),
    "Independent living": ("E5", "E6"),
    "Aged 18 and stayed with carers (Staying Put)": ("E17",),
    "Transferred to adult social care": ("E7",),
    "Care taken over by another local authority": ("E3",),
    "Sentenced to custody": ("E9",),
    "Accommodation on remand ended": ("E14",),
    "Age assessed as 18 or over": ("E15",),
    "Moved abroad": ("E16",),
    "Died": ("E2",),
    "Other reason": ("E8",),
}

SGO = CEASED_GROUPS["Special guardianship order"]
CAO = CEASED_GROUPS["Child arrangements order"]
RETURNED_HOME = CEASED_GROUPS["Returned home to parents or relatives"]

ADOPTION_PLACEMENTS = PLACED_FOR_ADOPTION
ADOPTION_WITH_FOSTER_CARER = PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS
PLACEMENT_ORDER_LS = ("E1", "D1")


def group_expr(column: str, groups: dict[str, tuple[str, ...]], other: str) -> pl.Expr:
    """Map codes in ``column`` to their group's name; anything else (and blank) to ``other``."""
    mapping = {code: name for name, codes in groups.items() for code in codes}
    return pl.col(column).replace_strict(mapping, default=other, return_dtype=pl.String)


def age_band_expr(age: pl.Expr) -> pl.Expr:
    """DfE's age bands: under 1, 1-4, 5-9, 10-15, 16 and over; no date of birth: "Not known"."""
    return (
        pl.when(age.is_null())
        .then(pl.lit("Age not known"))
        .when(age < 1)
        .then(pl.lit(AGE_BANDS[0]))
        .when(age < 5)
        .then(pl.lit(AGE_BANDS[1]))
        .when(age < 10)
        .then(pl.lit(AGE_BANDS[2]))
        .when(age < 16)
        .then(pl.lit(AGE_BANDS[3]))
        .otherwise(pl.lit(AGE_BANDS[4]))
    )
