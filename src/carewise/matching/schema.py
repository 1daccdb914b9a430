"""The four market extracts a council loads: their columns, types, vocabularies and templates.

Each is a ``Table`` of ``Column``s that the one extract reader (``carewise.ingest.extracts``)
reads and checks, as it does compliance's local extracts.

One spec per table drives the reader (schema checks with file/row/column/value/fix), the blank
templates (``carewise market template``) and the documentation, so they cannot disagree.
The referral is a subset of the South West RCC "home search" standard and the proposed
national Placement Standard (see ``docs/matching.md``), with locations as postcodes or
postcode sectors.
"""

from __future__ import annotations

from carewise.ingest.extracts import Column, Table

NEEDS = (
    "disability",
    "emotional_behavioural",
    "exploitation",
    "missing",
    "offending",
    "substance_misuse",
)
"""Needs a referral can flag (Y/N each) and carers/providers can list as skills or categories."""

SKILLS = (*NEEDS, "uasc", "therapeutic", "parent_and_child")
"""Skills a household or provider may list; ``therapeutic`` (therapeutic care) also counts as
meeting emotional and behavioural needs."""

ADAPTATIONS = ("wheelchair_access", "ground_floor_bedroom", "adapted_bathroom", "hoist")
"""Physical adaptations of a home a child may need (RCC home search standard: home
adaptations); always essential when a referral names them."""

ESSENTIAL = (*NEEDS, "uasc", "language", "faith_culture")
"""What a referral can mark essential: a hard constraint for every kind of option (Fostering
NMS 15.1: only carers who can reasonably be expected to meet the child's assessed needs);
needs flagged Y but not marked essential are desirable and scored."""

REGISTRABLE_NEEDS = ("disability", "emotional_behavioural", "substance_misuse")
"""Needs that map onto Ofsted children's home registration categories (learning/physical
disability, emotional and behavioural difficulties, alcohol/drug misuse)."""

OPTION_KINDS = (
    "in_house_fostering",
    "agency_fostering",
    "childrens_home",
    "supported_accommodation",
    "parent_and_child",
)
PROVIDER_TYPES = {
    "agency": "agency_fostering",
    "childrens_home": "childrens_home",
    "supported_accommodation": "supported_accommodation",
    "parent_and_child_unit": "parent_and_child",
}
OFSTED_GRADES = ("outstanding", "good", "requires_improvement", "inadequate", "not_yet_inspected")
SEXES = ("M", "F")
SEX_ACCEPTED = ("any", "M", "F")
URGENCIES = ("today", "within_5_days", "over_5_days")
DURATIONS = ("emergency", "short_term", "long_term", "respite")
CONTRACTS = ("framework", "spot")
REFERRAL_STATUSES = ("open", "placed", "withdrawn", "forecast")
CARED_FOR_ALONGSIDE = ("solo", "older_children_only", "younger_children_only",
                       "with_other_children", "no_preference")
"""Who the child can be cared for alongside (national Placement Standard)."""
PETS = ("yes", "no", "not_known")
"""Can the child live with pets (national Placement Standard: Yes / No / Not known)."""
LEGAL_STATUSES = ("C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4")
"""903 LS codes (legal status) a referral can carry."""


def _loc(example: str, who: str) -> tuple[Column, ...]:
    return (
        Column("postcode", "postcode", False, f"{who} full postcode or sector (e.g. LS1 1)", example),
        Column("easting", "float", False, "OS easting in metres, if no postcode", "", low=0,
               high=700_000),
        Column("northing", "float", False, "OS northing in metres, if no postcode", "",
               low=0, high=1_300_000),
    )


_AGE_LOW, _AGE_HIGH = 0, 25  # ages a placement may be approved for

CARERS = Table(
    "carers",
    "In-house fostering households",
    "household_id",
    (
        Column("household_id", "id", True, "the council's reference for the household", "H0001"),
        *_loc("LS6 2AB", "the household's"),
        Column("approved_places", "int", True, "places in the terms of approval", "2", low=1, high=12),
        Column("min_age", "int", True, "youngest age approved for", "0", low=_AGE_LOW, high=_AGE_HIGH),
        Column("max_age", "int", True, "oldest age approved for", "17", low=_AGE_LOW, high=_AGE_HIGH),
        Column("sex_accepted", "enum", True, "any, M or F", "any", SEX_ACCEPTED),
        Column("sibling_group_max", "int", True, "largest sibling group approved for", "2", low=1,
               high=12),
        Column("short_term", "bool", True, "approved for short-term care (Y/N)", "Y"),
        Column("long_term", "bool", True, "approved for long-term care (Y/N)", "Y"),
        Column("parent_and_child", "bool", True, "approved for parent-and-child (Y/N)", "N"),
        Column("respite", "bool", True, "approved for respite/short breaks (Y/N)", "Y"),
        Column("current_children", "int", True, "children in placement now", "1", low=0, high=12),
        Column("vacancies", "int", True, "places free now", "1", low=0, high=12),
        Column("available_from", "date", False, "date the vacancy is free (blank: now)", ""),
        Column("skills", "list", False, "skills (;-separated)", "emotional_behavioural;therapeutic",
               SKILLS),
        Column("languages", "list", False, "languages spoken other than English", "Urdu"),
        Column("faiths", "list", False, "faith or cultural background offered", "Muslim"),
        Column("cannot_accept", "list", False, "restrictions: needs the household cannot meet",
               "offending", NEEDS),
        Column("adaptations", "list", False, "adaptations of the home (;-separated)",
               "ground_floor_bedroom", ADAPTATIONS),
        Column("pets", "bool", False, "pets in the household (Y/N)", "Y"),
        Column("current_youngest_age", "int", False, "youngest child living there now (blank: "
               "none, or not known)", "9", low=_AGE_LOW, high=_AGE_HIGH),
        Column("current_oldest_age", "int", False, "oldest child living there now", "9",
               low=_AGE_LOW, high=_AGE_HIGH),
        Column("connected_person_for", "list", False, "903 child ids (or referral ids) this "
               "household is approved, or being assessed, as a connected person (family and "
               "friends) for; blank: a mainstream household", ""),
        Column("full_weekly_cost", "float", False, "full weekly cost to the council (allowance, "
               "fee, supervising social worker, support, recruitment; blank: weekly_cost plus "
               "the in_house_overhead_weekly setting)", "650", low=0, high=100_000),
        Column("fostering_limit_exemption", "bool", False,
               "exemption from the usual fostering limit of 3 (CA 1989 Sch. 7)", "N"),
        Column("accepts_dol", "bool", False, "can care for a child under a deprivation of liberty "
               "order (Y/N; blank: N)", "N"),
        Column("weekly_cost", "float", False, "weekly allowance and fee", "450", low=0, high=100_000),
    ),
    "One row per approved household. Vacancies are places free now (a vacant place that is not "
    "available, e.g. carer on a break, is not a vacancy).",
    ordered=(("min_age", "max_age"),),
)

PROVIDERS = Table(
    "providers",
    "Providers: agencies, children's homes, supported accommodation, parent-and-child units",
    "urn",
    (
        Column("urn", "id", True, "Ofsted unique reference number", "SC123456"),
        Column("name", "text", True, "provider or home name", "Example Homes Ltd"),
        Column("provider_type", "enum", True, "agency, childrens_home, supported_accommodation or "
               "parent_and_child_unit", "childrens_home", tuple(PROVIDER_TYPES)),
        Column("ofsted_grade", "enum", True, "latest overall Ofsted judgement", "good", OFSTED_GRADES),
        Column("ofsted_date", "date", False, "date of that inspection", "12/06/2025"),
        Column("registered_places", "int", True, "registered places", "4", low=0, high=1000),
        Column("categories", "list", False, "registered categories of need (;-separated)",
               "emotional_behavioural", NEEDS),
        Column("min_age", "int", True, "youngest age accepted", "11", low=_AGE_LOW, high=_AGE_HIGH),
        Column("max_age", "int", True, "oldest age accepted", "17", low=_AGE_LOW, high=_AGE_HIGH),
        Column("sex_accepted", "enum", True, "any, M or F", "any", SEX_ACCEPTED),
        *_loc("BD5 0AA", "the home's (agencies: office)"),
        Column("contract", "enum", True, "framework or spot", "framework", CONTRACTS),
        Column("price_standard", "float", True, "weekly price, no additional needs", "4500", low=0,
               high=100_000),
        Column("price_complex", "float", False, "weekly price, one or two needs", "5200", low=0,
               high=100_000),
        Column("price_specialist", "float", False, "weekly price, three or more needs", "6500",
               low=0, high=100_000),
        Column("skills", "list", False, "skills (;-separated)", "exploitation;missing", SKILLS),
        Column("languages", "list", False, "languages offered", ""),
        Column("faiths", "list", False, "faith or cultural background offered", ""),
        Column("cannot_accept", "list", False, "needs the provider will not accept", "", NEEDS),
        Column("adaptations", "list", False, "adaptations of the home (;-separated)",
               "wheelchair_access;ground_floor_bedroom", ADAPTATIONS),
        Column("active", "bool", False, "registered and not suspended (blank: Y)", "Y"),
        Column("accepts_dol", "bool", False, "can care for a child under a deprivation of liberty "
               "order (Y/N; blank: N)", "Y"),
    ),
    "One row per provider (agency) or per home (children's home, supported accommodation, "
    "parent-and-child unit). Places come from the vacancies extract.",
    ordered=(("min_age", "max_age"),),
)

VACANCIES = Table(
    "vacancies",
    "Vacancies offered by providers",
    "vacancy_id",
    (
        Column("vacancy_id", "id", True, "your reference for the offer", "V0001"),
        Column("urn", "id", True, "the provider's URN (must be in the providers extract)",
               "SC123456"),
        Column("places", "int", True, "places offered", "1", low=1, high=50),
        Column("available_from", "date", False, "first date the place is free (blank: now)",
               "20/11/2026"),
        Column("available_to", "date", False, "last date the offer stands", ""),
        *_loc("", "the carer's (agency vacancies); blank: the provider's"),
        Column("min_age", "int", False, "youngest age for this vacancy (blank: provider's)", "",
               low=_AGE_LOW, high=_AGE_HIGH),
        Column("max_age", "int", False, "oldest age for this vacancy (blank: provider's)", "",
               low=_AGE_LOW, high=_AGE_HIGH),
        Column("sex_accepted", "enum", False, "any, M or F (blank: provider's)", "", SEX_ACCEPTED),
        Column("sibling_group_max", "int", False, "largest sibling group (blank: places)", "",
               low=1, high=12),
        Column("current_children", "int", False, "agency carers: children there now", "",
               low=0, high=12),
        Column("weekly_price", "float", False, "price for this vacancy (blank: provider's band)",
               "", low=0, high=100_000),
        Column("skills", "list", False, "extra skills of this carer/home", "", SKILLS),
        Column("adaptations", "list", False, "adaptations of this carer's home (blank: the "
               "provider's)", "", ADAPTATIONS),
        Column("pets", "bool", False, "pets in the household (Y/N)", "N"),
        Column("current_youngest_age", "int", False, "youngest child living there now (blank: "
               "none, or not known)", "", low=_AGE_LOW, high=_AGE_HIGH),
        Column("current_oldest_age", "int", False, "oldest child living there now", "",
               low=_AGE_LOW, high=_AGE_HIGH),
    ),
    "One row per offered vacancy. A provider with no vacancy row has no free place.",
    ordered=(("min_age", "max_age"), ("available_from", "available_to")),
)

REFERRALS = Table(
    "referrals",
    "Referrals (placement requests)",
    "referral_id",
    (
        Column("referral_id", "id", True, "placement request reference", "R0001"),
        Column("child_id", "id", True, "the child's 903 CHILD id", "C123456"),
        Column("age", "int", True, "age in years", "14", low=0, high=17),
        Column("sex", "enum", True, "M or F", "F", SEXES),
        Column("legal_status", "enum", False, "903 LS code", "C2", LEGAL_STATUSES),
        *(Column(f"need_{n}", "bool", True, f"needs: {n.replace('_', ' ')} (Y/N)",
                 "Y" if n in ("emotional_behavioural", "missing") else "N") for n in NEEDS),
        Column("uasc", "bool", True, "unaccompanied asylum-seeking child (Y/N)", "N"),
        Column("wishes_feelings", "text", False, "the child's wishes and feelings about where to "
               "live, in their words (shown with the shortlist)", "Wants to stay near her school "
               "and keep seeing her nan"),
        Column("preferred_types", "list", False, "kinds of placement the child would prefer",
               "in_house_fostering", OPTION_KINDS),
        Column("preferred_areas", "list", False, "areas the child would like to live in: "
               "postcode districts or sectors, or council codes", "LS6"),
        Column("cared_for_alongside", "enum", False, "solo, older_children_only, "
               "younger_children_only, with_other_children or no_preference", "no_preference",
               CARED_FOR_ALONGSIDE),
        Column("can_live_with_pets", "enum", False, "yes, no or not_known", "yes", PETS),
        Column("school_year", "int", False, "national curriculum year (0 reception … 13); 10 and "
               "11 are GCSE exam years", "10", low=0, high=13),
        Column("ehcp", "bool", False, "has an education, health and care plan (Y/N)", "N"),
        Column("essential_needs", "list", False, "needs the placement must meet (hard constraint); "
               "other needs marked Y are desirable and scored", "emotional_behavioural",
               ESSENTIAL),
        Column("adaptations_needed", "list", False, "adaptations the child needs in the home "
               "(always essential)", "ground_floor_bedroom", ADAPTATIONS),
        Column("language", "text", False, "first language if not English", ""),
        Column("faith_culture", "text", False, "faith or cultural need to match", ""),
        Column("sibling_group_size", "int", True, "children in the sibling group, this child "
               "included (one row per child with sibling_group_id: 1)", "1", low=1, high=12),
        Column("siblings_together_required", "bool", False, "keep the group together (Y), or it "
               "may be split (N)", "Y"),
        Column("sibling_group_id", "id", False, "links the rows of siblings referred together, one "
               "row per child (blank: this row alone, or a group on one row)", "G0001"),
        Column("sibling_youngest_age", "int", False, "a group on one row: the youngest child's age "
               "(blank: age)", "", low=0, high=17),
        Column("sibling_oldest_age", "int", False, "a group on one row: the oldest child's age "
               "(blank: age)", "", low=0, high=17),
        Column("home_postcode", "postcode", False, "home postcode or sector (903 HOME_POST)", "LS9 8"),
        Column("school_postcode", "postcode", False, "school postcode or sector", "LS9 7"),
        Column("keep_school", "bool", False, "must keep the current school (Y/N)", "Y"),
        Column("urgency", "enum", True, "today, within_5_days or over_5_days", "within_5_days",
               URGENCIES),
        Column("date_needed", "date", True, "latest date the placement must start", "25/11/2026"),
        Column("duration", "enum", False, "emergency, short_term, long_term or respite",
               "long_term", DURATIONS),
        Column("placement_types", "list", True, "types that may meet need (;-separated)",
               "in_house_fostering;agency_fostering", OPTION_KINDS),
        Column("budget_weekly", "float", False, "weekly budget", "900", low=0, high=100_000),
        Column("max_distance_miles", "float", False, "furthest acceptable from home", "20", low=0,
               high=1000),
        Column("min_distance_miles", "float", False, "safeguarding: nearest to home the placement "
               "may be (e.g. risk of exploitation near home); home is then never scored as a "
               "pull", "5", low=0, high=1000),
        Column("avoid_areas", "list", False, "safeguarding: areas the child must not live in: "
               "postcode districts or sectors, or council codes (;-separated)", "LS11;LS12 5"),
        Column("deprivation_of_liberty", "bool", False, "a deprivation of liberty order applies "
               "(Y/N)", "N"),
        Column("previous_carers", "list", False, "household ids / URNs the child lived with before",
               ""),
        Column("excluded", "list", False, "household ids / URNs the child must not go to", ""),
        Column("status", "enum", False, "open, placed, withdrawn or forecast (blank: open)", "open",
               REFERRAL_STATUSES),
    ),
    "One row per child to place, siblings linked by sibling_group_id (each child's own age, "
    "needs and wishes); or a sibling group on one row with sibling_group_size > 1 and the "
    "youngest and oldest ages. siblings_together_required says whether the group must be kept "
    "together or may be split.",
)

TABLES: dict[str, Table] = {t.name: t for t in (CARERS, PROVIDERS, VACANCIES, REFERRALS)}
