"""The generating model's assumptions: who enters care, by which route, where they live.

Shares are national shapes (``shared/domain.md`` §2: starts by age 2024, legal status and
placement mix at 31 March, exits, missing, stability); route mixes and durations are modelling
assumptions chosen so that the simulated stock reproduces those shapes (see
``docs/synthetic-data.md`` for the comparison). Everything here is recorded on
:class:`carewise.synth.figures.Truth`.
"""

from __future__ import annotations

from carewise.codes import ETHNIC_GROUPS

BANDS = ("under_1", "1_to_4", "5_to_9", "10_to_15", "16_and_over")
BAND_EDGES_YEARS = (0.0, 1.0, 5.0, 10.0, 16.0, 18.0)

ENTRY_AGE_PROBS = {  # starts 2024 by age (EES): 16+ 29%, 10-15 26%, 5-9 15%, 1-4 15%, under 1 15%
    "under_1": 0.15, "1_to_4": 0.15, "5_to_9": 0.15, "10_to_15": 0.26, "16_and_over": 0.29,
}
UASC_ENTRY_AGE = {"10_to_15": 0.22, "16_and_over": 0.78}

ROUTES = ("adopt", "sgo", "co_home", "co_long", "s20_short", "s20_long", "uasc", "remand")
ROUTE_PROBS = {  # non-UASC children, by age band at entry
    "under_1": {"adopt": 0.40, "sgo": 0.20, "co_home": 0.19, "co_long": 0.09, "s20_short": 0.12},
    "1_to_4": {"adopt": 0.22, "sgo": 0.22, "co_home": 0.22, "co_long": 0.16, "s20_short": 0.18},
    "5_to_9": {"adopt": 0.03, "sgo": 0.17, "co_home": 0.25, "co_long": 0.32, "s20_short": 0.23},
    "10_to_15": {"sgo": 0.06, "co_home": 0.18, "co_long": 0.30, "s20_short": 0.31,
                 "s20_long": 0.12, "remand": 0.03},
    "16_and_over": {"co_home": 0.04, "co_long": 0.05, "s20_short": 0.47, "s20_long": 0.41,
                    "remand": 0.03},
}
ROUTE_MEDIAN_DAYS = {  # lognormal medians (co_long and s20_long: exponential means)
    "s20_short": 50.0, "co_home": 420.0, "sgo": 560.0, "co_long": 7300.0, "s20_long": 900.0,
    "remand": 40.0,
}
ROUTE_SIGMA = {"s20_short": 1.15, "co_home": 0.6, "sgo": 0.45}
ADOPTION_REVERSAL = 0.12

EXIT_PROBS = {
    "s20_short_child": {"E4A": 0.62, "E4B": 0.14, "E13": 0.14, "E8": 0.10},
    "s20_short_16": {"E4A": 0.33, "E4B": 0.10, "E13": 0.17, "E5": 0.15, "E6": 0.05, "E8": 0.20},
    "co_home": {"E4A": 0.78, "E41": 0.12, "E13": 0.10},
    "co_home_p1": {"E4A": 0.75, "E41": 0.25},
    "sgo": {"E45": 0.42, "E47": 0.33, "E46": 0.13, "E48": 0.12},
    "adopt": {"E11": 0.25, "E12": 0.75},
    "co_long": {"E4B": 0.35, "E13": 0.30, "E3": 0.20, "E41": 0.15},
    "s20_long": {"E4B": 0.35, "E13": 0.35, "E8": 0.30},
    "s20_long_16": {"E4B": 0.20, "E13": 0.25, "E5": 0.25, "E6": 0.10, "E8": 0.20},
    "remand": {"E14": 1.0},
    "uasc": {"E15": 0.75, "E8": 0.25},
    "at_18_foster": {"E17": 0.55, "E5": 0.30, "E6": 0.05, "E8": 0.10},
    "at_18_supported": {"E5": 0.60, "E6": 0.25, "E8": 0.15},
    "at_18_home": {"E5": 0.50, "E7": 0.15, "E8": 0.35},
    "at_18_other": {"E5": 0.40, "E8": 0.60},
}

# Placement kinds: what a placement is before it gets a year's PLACE code.
KINDS = ("KIN", "FIH", "FIFA", "K2", "K1", "SUPP", "P2", "P1", "S1", "R3", "R1", "R5", "ADOPT",
         "OTHER")
KIND_GROUP = {  # DfE's placement groups (cla-by-la.csv columns)
    "KIN": "foster", "FIH": "foster", "FIFA": "foster", "K2": "secure_and_childrens_homes",
    "K1": "secure_and_childrens_homes", "SUPP": "independent_supported",
    "P2": "independent_supported", "P1": "with_parents", "S1": "residential_schools",
    "R3": "other_residential", "R1": "other_residential", "R5": "other",
    "ADOPT": "for_adoption", "OTHER": "other",
}
PLACEMENT_WEIGHTS = {  # a new placement's kind, by age band at its start (before council factors)
    "under_1": {"KIN": 0.25, "FIH": 0.43, "FIFA": 0.24, "R3": 0.08, "P1": 0.06},
    "1_to_4": {"KIN": 0.26, "FIH": 0.40, "FIFA": 0.32, "K2": 0.02, "P1": 0.08, "OTHER": 0.01},
    "5_to_9": {"KIN": 0.22, "FIH": 0.36, "FIFA": 0.35, "K2": 0.05, "S1": 0.002, "P1": 0.08,
               "OTHER": 0.02},
    "10_to_15": {"KIN": 0.13, "FIH": 0.28, "FIFA": 0.30, "K2": 0.23, "S1": 0.003, "K1": 0.01,
                 "R5": 0.01, "R1": 0.01, "P1": 0.06, "OTHER": 0.04},
    "16_and_over": {"KIN": 0.05, "FIH": 0.12, "FIFA": 0.14, "K2": 0.15, "SUPP": 0.37, "P2": 0.15,
                    "R5": 0.01, "R1": 0.01, "P1": 0.03, "OTHER": 0.05},
}
"""P1 (placed with parents) is drawn only under a care order (rule: not section 20, not UASC);
OTHER is an "other placement" (Z1; Z11-Z14 from 2025-26) with no provider and no URN."""
GROUP_CORRECTION = {  # generated England stock mix over the published one, inverted (seeded runs)
    "foster": 0.80, "for_adoption": 1.0, "with_parents": 1.45, "independent_supported": 1.7,
    "secure_and_childrens_homes": 1.20, "other_residential": 1.4, "residential_schools": 1.0,
    "other": 1.1,
}
UASC_PLACEMENT_WEIGHTS = {
    "10_to_15": {"FIH": 0.40, "FIFA": 0.50, "K2": 0.10},
    "16_and_over": {"FIH": 0.10, "FIFA": 0.15, "SUPP": 0.62, "P2": 0.13},
}
FOSTER_ONLY = {"KIN": 0.28, "FIH": 0.42, "FIFA": 0.30}
IN_HOUSE_SHARE = 0.57  # in-house (PR1) share of mainstream fostering (FOI 2024: 27.9 vs 24.8 IFA)
PLACEMENT_MOVE_RATE = {  # new placements per year in the first year in care, by age at entry
    "under_1": 1.0, "1_to_4": 1.0, "5_to_9": 0.95, "10_to_15": 1.5, "16_and_over": 1.6,
}
SETTLED_MOVE_FACTOR = 0.18  # after the first year: 3+ placements ~10%, long-term stability ~68%
PLACED_WITH_PARENTS_SHARE = 0.7  # care-order returns home that begin placed with parents (P1)
OWN_CARERS_NEAR = 0.2  # in-house foster carers living in a neighbouring council
OUTSIDE_BASE_SHIFT = 0.45  # log-odds added to every chance of being outside, for England's 44%

PROVIDERS = {  # kind -> (codes, probabilities)
    "KIN": (("PR1",), (1.0,)),
    "FIH": (("PR1",), (1.0,)),
    "FIFA": (("PR4", "PR5"), (0.8, 0.2)),
    "K2": (("PR4", "PR1", "PR5"), (0.78, 0.14, 0.08)),
    "K1": (("PR1", "PR2"), (0.5, 0.5)),
    "SUPP": (("PR4", "PR5", "PR1"), (0.7, 0.2, 0.1)),
    "P2": (("PR1", "PR4"), (0.6, 0.4)),
    "P1": (("PR0",), (1.0,)),
    "S1": (("PR4", "PR5", "PR1"), (0.6, 0.3, 0.1)),
    "R3": (("PR4", "PR5"), (0.6, 0.4)),
    "R1": (("PR3", "PR4"), (0.5, 0.5)),
    "R5": (("PR3",), (1.0,)),
    "ADOPT": (("PR1", "PR2", "PR5"), (0.7, 0.1, 0.2)),
    "OTHER": ((None,), (1.0,)),
}
LOCATION = {  # kind -> P(inside, neighbouring council, further) when not own (PR1) provision
    "FIFA": (0.42, 0.40, 0.18), "K2": (0.28, 0.35, 0.37), "K1": (0.1, 0.4, 0.5),
    "SUPP": (0.50, 0.35, 0.15), "P2": (0.70, 0.25, 0.05), "S1": (0.2, 0.4, 0.4),
    "R3": (0.4, 0.4, 0.2), "R1": (0.4, 0.4, 0.2), "R5": (0.2, 0.4, 0.4),
    "ADOPT": (0.3, 0.4, 0.3), "OTHER": (0.45, 0.35, 0.20),
}

TEMPORARY_RATE = 0.03  # temporary placements (T0-T4) per year in a foster or children's home spell
TEMPORARY_PROBS = {"T1": 0.30, "T2": 0.15, "T3": 0.35, "T4": 0.18, "T0": 0.02}
TEMPORARY_DAYS = {  # (shortest, longest) nights away; T4 is 7 days or less (rule 379)
    "T0": (1, 7), "T1": (1, 10), "T2": (3, 14), "T3": (2, 14), "T4": (1, 7),
}

SHORT_BREAK_CHILDREN_PER_CLA = 0.2  # children on a short-break agreement at a time, per CLA
SHORT_BREAK_MEAN_YEARS = 3.0  # length of a child's run of short-break agreements
SHORT_BREAK_V4_SHARE = 0.15  # recorded by agreement (V4) rather than each break (V3)
SHORT_BREAK_EVERY_DAYS = 18  # a break every two to three weeks
SHORT_BREAK_MAX_DAYS = 70  # V3 days in a collection year (DfE limit 75, rule 367)
SHORT_BREAK_PLACES = {"K2": 0.45, "U6": 0.35, "U3": 0.10, "U5": 0.0, "R1": 0.10}
SHORT_BREAK_CIN = {"N2": 0.88, "N3": 0.05, "N1": 0.04, "N4": 0.03}
SHORT_BREAK_REC = {"E4A": 0.9, "E13": 0.1}

CIN_PROBS = {"N1": 0.70, "N2": 0.04, "N3": 0.04, "N4": 0.08, "N5": 0.12, "N6": 0.015,
             "N7": 0.005}
UASC_CIN_PROBS = {"N8": 0.85, "N4": 0.10, "N1": 0.05}
ETHNIC_PROBS = {
    "WBRI": 0.66, "WIRI": 0.004, "WOTH": 0.05, "WIRT": 0.004, "WROM": 0.008, "MWBC": 0.035,
    "MWBA": 0.012, "MWAS": 0.016, "MOTH": 0.045, "AIND": 0.008, "APKN": 0.015, "ABAN": 0.008,
    "AOTH": 0.012, "BCRB": 0.015, "BAFR": 0.03, "BOTH": 0.018, "CHNE": 0.002, "OOTH": 0.02,
    "REFU": 0.003, "NOBT": 0.005,
}
UASC_ETHNIC_PROBS = {"AOTH": 0.30, "OOTH": 0.28, "BAFR": 0.27, "BOTH": 0.05, "WOTH": 0.07,
                     "NOBT": 0.03}
MALE_SHARE = 0.53
UASC_MALE_SHARE = 0.93
ETHNIC_GROUP = {  # the council figures' ethnicity columns, each DfE's group (carewise.codes)
    key: ETHNIC_GROUPS[group] for key, group in (
        ("eth_white", "White"), ("eth_mixed", "Mixed or Multiple ethnic groups"),
        ("eth_asian", "Asian or Asian British"), ("eth_black", "Black, African, Caribbean or Black British"),
        ("eth_other", "Other ethnic group"), ("eth_refused", "Refused or information not yet available"))}
CIN_COLUMN = {f"N{i}": f"cin_n{i}" for i in range(1, 9)}
BASE_STOCK_AGE = {  # stock at 31 March by age band that ENTRY_AGE_PROBS give (England run)
    "under_1": 0.030, "1_to_4": 0.160, "5_to_9": 0.200, "10_to_15": 0.360, "16_and_over": 0.250,
}
"""Entry ages are scaled by a council's published stock share over this (see calibrate)."""
ICO_MEAN_DAYS = 240  # interim care order (C1) to full care order (C2), England's 16% at 31 March

REASON_PLACE_CHANGE = {  # national 2024 shares of reasons placements ended (domain.md §1.8)
    "CARPL": 0.33, "OTHER": 0.22, "PLACE": 0.08, "CREQB": 0.11, "CREQO": 0.08, "CHILD": 0.05,
    "STAND": 0.02, "CLOSE": 0.03, "ALLEG": 0.02, "LAREQ": 0.02, "APPRR": 0.01,
}
MISSING_CHILD_SHARE = {"10_to_15": 0.22, "16_and_over": 0.36}  # periods with any missing
MISSING_RATE_PER_YEAR = 7.0  # incidents per year in care for a child who goes missing
REENTRY_PROBABILITY = 0.22
DEATH_PROBABILITY = 0.002  # periods of care ending in death (E2): ~70 a year in England (DfE)
PREV_PERM_PROBS = {"Z1": 0.86, "P1": 0.02, "P2": 0.06, "P3": 0.03, "P4": 0.03}
REVIEW_GAP_DAYS = ((8, 29), (60, 90), (130, 182))
"""Days from the event before to a review held on time (low, high exclusive): first review by
day 28 (20 working days are at least 28 days), second by 89 (3 months), then by 181 (6 months)."""
REVIEW_LATE_SHARE = (0.085, 0.125)
"""A council's share of reviews held late (uniform range); with the few missed at the end of
care, ~85-90% on time, the range real councils run at (DfE publishes no national figure)."""
REVIEW_LATE_YEAR_SD = 0.015  # the share's year-to-year spread
REVIEW_LATE_DAYS = (1.3, 9.0)  # gamma (shape, scale): late by a few days to weeks, mean ~13
REVIEW_MISSED_AT_END = 0.12  # last review due before care ends that is not held
REVIEW_CODE_PROBS = {"PN1": 0.45, "PN2": 0.08, "PN3": 0.05, "PN4": 0.05, "PN5": 0.08,
                     "PN6": 0.12, "PN7": 0.17}
SW_CHANGE_RATE = 0.9  # social-worker changes per year
# Reasons for a change of worker during an allocation; FCONTA (first contact) starts a new
# allocation after the last one ended, never a change of worker (rule SW10bSTG2).
SW_REASON_PROBS = {"LEFTRL": 0.30, "TSPROC": 0.25, "MANAGE": 0.15, "ORGRST": 0.08,
                   "ABSENC": 0.05, "CHCHAN": 0.03, "PCCHAN": 0.02, "OTHERS": 0.12}
DOLO_SHARE = 0.05  # children aged 10+ in a children's home or residential school in 2026-27
STOCK_OVERSHOOT = (1.01, 0.84, 0.052)
"""Simulated stock over the target (entries x mean stay) is about a + b x UASC share + c x starts
per child looked after (clipped 0.3-0.55): re-entries and stays cut at 18 push it up. Fitted on
seeded trial runs of 16 councils (every tenth) at 3,000 children, 2021-22..2025-26, largest
miss 3%; the entry rate is divided by it instead of running a trial per council."""

