"""BBT43x: the register's own checks, run with every ``bbt check`` of a budget that has one."""

from __future__ import annotations

from collections.abc import Iterator

from bbt.calculation import Calculation
from bbt.checks import rule
from bbt.contingent.checks import check_register
from bbt.contingent.model import Register
from bbt.errors import Finding


@rule
def check_contingent_register(calculation: Calculation) -> Iterator[Finding]:
    """BBT43x: the contingent register beside the budget (docs/contingent.md)."""
    register = calculation.document.extensions.get("contingent")
    if isinstance(register, Register):
        yield from check_register(register)
