"""BBT4xx: the contingent register of the budget folder (rules in bbt.contingent.checks)."""

from __future__ import annotations

from collections.abc import Iterator

from bbt.calculation import Calculation
from bbt.checks import rule
from bbt.errors import Finding


@rule
def check_contingent_register(calculation: Calculation) -> Iterator[Finding]:
    """BBT4xx: the register's own checks (docs/contingent.md)."""
    register = calculation.document.register
    if register is None:
        return
    from bbt.contingent import check_register

    yield from check_register(register)
