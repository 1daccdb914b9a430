"""Placement finding: the shortlist for one referral and the batch view of the market.

Public face:

- ``read_extracts`` / ``check_extracts``: read and schema-check the market extracts
  (carers, providers, vacancies, referrals) from CSV or Excel;
- ``write_templates``: blank templates with an example row and notes;
- ``Market``: one council's loaded extracts; ``StoreMarkets`` keeps them (import batches in
  the store, versioned and audited);
- ``load_settings``: weights and thresholds (TOML) a council can set;
- ``shortlist``: hard constraints with reasons, then explained weighted scores, for one referral;
- ``prepare`` + ``assign``: optimal batch assignment (HiGHS) with a greedy baseline;
- ``sufficiency_gap`` / ``what_if``: unmet need by group and what extra capacity would meet it;
- ``CONSTRAINTS``, ``CRITERIA_RULES``: the rule set, each with its reason and source.
"""

from carewise.matching.batch import Assignment, assign, greedy_assignment
from carewise.matching.engine import CONSTRAINTS, CRITERIA_RULES, evaluate, prepare
from carewise.matching.extracts import ExtractError, check_extracts, read_extracts
from carewise.matching.gap import Addition, parse_addition, sufficiency_gap, what_if
from carewise.matching.market import Market
from carewise.matching.schema import TABLES
from carewise.matching.settings import MatchSettings, load_settings
from carewise.matching.shortlist import Shortlist, shortlist
from carewise.matching.store import MarketStore, StoreMarkets
from carewise.matching.templates import write_templates

__all__ = [
    "CONSTRAINTS",
    "CRITERIA_RULES",
    "TABLES",
    "Addition",
    "Assignment",
    "ExtractError",
    "Market",
    "MarketStore",
    "MatchSettings",
    "Shortlist",
    "StoreMarkets",
    "assign",
    "check_extracts",
    "evaluate",
    "greedy_assignment",
    "load_settings",
    "parse_addition",
    "prepare",
    "read_extracts",
    "shortlist",
    "sufficiency_gap",
    "what_if",
    "write_templates",
]
