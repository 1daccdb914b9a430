"""Validate a 903 return against the DfE rules of its collection year."""

from carewise.validate.engine import Context, ProviderLists, Rule, Skip, rule, rules_for

__all__ = ["Context", "ProviderLists", "Rule", "Skip", "rule", "rules_for"]
