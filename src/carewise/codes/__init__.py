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
