"""Validate a 903 return against the DfE rules of its collection year."""

from carewise.validate.engine import Context, ProviderLists, Rule, Skip, rule, rules_for
from carewise.validate.runner import (
    RuleError,
    SkippedRule,
    ValidationResult,
    context_for,
    validate,
    validate_paths,
    validate_returns,
    validate_stored,
)

__all__ = [
    "Context",
    "ProviderLists",
    "Rule",
    "RuleError",
    "Skip",
    "SkippedRule",
    "ValidationResult",
    "context_for",
    "rule",
    "rules_for",
    "validate",
    "validate_paths",
    "validate_returns",
    "validate_stored",
]
