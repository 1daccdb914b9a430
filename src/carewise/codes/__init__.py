"""Code lists and rule lists as data files, versioned by collection year.

The few code groups every capability reasons with are named once here.
"""

SHORT_BREAKS = ("V3", "V4")
"""Legal statuses of an agreed series of short-term breaks (LS V3/V4): DfE leaves children looked
after only under short breaks out of its headline counts, cohorts and most validation rules."""

TEMPORARY_PLACEMENTS = ("T0", "T1", "T2", "T3", "T4")
"""Temporary placements (hospital, holiday, carers' holiday, 7 days or less): the child returns
to the usual placement afterwards."""

URN_NOT_KNOWN = "XXXXXXX"
"""The URN DfE asks for when a placement's provider has no Ofsted registration number."""

FOSTER_PLACEMENTS = ("U1", "U2", "U3", "U4", "U5", "U6")
"""Foster placements (PLACE U1-U6): U1-U3 with a relative or friend, U4-U6 with other foster carers."""

FAMILY_AND_FRIENDS_FOSTERING = ("U1", "U2", "U3")
"""Foster placements with a relative or friend (kinship, "family and friends" carers: PLACE U1-U3)."""

OTHER_FOSTERING = ("U4", "U5", "U6")
"""Foster placements with other foster carers (PLACE U4-U6): in-house or agency by PLACE_PROVIDER."""

LONG_TERM_FOSTERING = ("U1", "U4")
"""Long-term foster placements (PLACE U1 with a relative or friend, U4 with other carers): the only
903 record of a placement intended to last until 18."""

PLACED_FOR_ADOPTION = ("A3", "A4", "A5", "A6")
"""Placements for adoption (PLACE A3-A6): with the child's current foster carers (A3, A5) or not
(A4, A6), under a placement order or with consent."""

AUTHORITY_TO_PLACE = ("E1", "D1")
"""Legal statuses under which the council, as adoption agency, is authorised to place the child
for adoption (LS E1 placement order, ACA 2002 s21; D1 freeing order, AA 1976 s18). Authority by
parental consent (ACA 2002 s19) has no legal status of its own in the 903 (the child is usually
V2 until placed, A3/A4), so it is seen only from the placement for adoption."""

PLACED_FOR_ADOPTION_WITH_FOSTER_CARERS = ("A3", "A5")
"""Placed for adoption with the child's current foster carer(s): the carers do not change."""

ADOPTED = ("E11", "E12")
"""Reasons episode ceased that mean the child was adopted (REC E11 contested, E12 uncontested)."""

PLACEMENT_START_RNE = ("S", "P", "B", "T", "U")
"""Reasons for new episode that start a placement; L (change of legal status only) does not
(DfE SSDA903 guide, RNE code list)."""

NEW_CARERS_RNE = ("S", "P", "B")
"""Reasons for new episode that start a placement with new carers."""

SAME_CARERS_RNE = ("T", "U")
"""Reasons for new episode that change the placement but keep the same carers (T: placement
only; U: legal status and placement), e.g. foster carers becoming the child's long-term or
adoptive carers. Whether such a change counts as a new placement is each figure's own rule, stated
where it is used: DfE's "3 or more placements" counts it, the reg 28 visits clock does not restart."""

ETHNIC_GROUPS: dict[str, tuple[str, ...]] = {
    "White": ("WBRI", "WIRI", "WIRT", "WOTH", "WROM"),
    "Mixed or Multiple ethnic groups": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "Asian or Asian British": ("AIND", "APKN", "ABAN", "AOTH"),
    "Black, African, Caribbean or Black British": ("BCRB", "BAFR", "BOTH"),
    "Other ethnic group": ("CHNE", "OOTH"),
    "Refused or information not yet available": ("REFU", "NOBT"),
}
"""DfE's ethnic groups (wording of the "Children looked after in England" characteristics
tables) and the ETHNIC codes in each."""

SEX_LETTERS = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U", "0": "U", "9": "U"}
"""SEX as written in any year, in the 2024-25 coding (M/F/U). SEX was 1 male / 2 female until
2023-24 and M/F/U from 2024-25 (DfE SSDA903 code list); 0 and 9 (ISO 5218 not known / not
applicable) are read as U. The code a given year expects is ``codes.lists.sex_code``."""
