"""The registry of checks: small named rules, each returning findings with a stable code.

Every rule is a function ``check_*(calculation) -> Iterable[Finding]`` registered with :func:`rule`.
Codes are documented in docs/findings.md; a code never changes meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bbt.calculation import Calculation
from bbt.errors import Finding

Rule = Callable[[Calculation], Iterable[Finding]]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    """Register a check."""
    RULES.append(function)
    return function


def run_checks(calculation: Calculation) -> list[Finding]:
    """Run every registered rule and return all findings."""
    # Importing the rule modules registers them.
    from bbt.checks import contingent, glossary, prose, reconcile  # noqa: F401

    findings: list[Finding] = []
    for check in RULES:
        findings.extend(check(calculation))
    return findings
