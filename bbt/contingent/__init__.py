"""Contingents: allocated subsidised places, their fill, the 80% rule and redistribution.

The public API::

    from bbt.contingent import load_register, check_register, fill_rate
    register, findings = load_register(DEFAULT_REGISTER)
    findings += check_register(register)
    rate = fill_rate(register, "cmw", "2023")    # 76.476,81 / 82.456,46
    rate.rounded(0)                              # Decimal("93")

Format, rules and finding codes (BBT4xx): docs/contingent.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bbt.extension import lazy_exports

if TYPE_CHECKING:
    from bbt.contingent.checks import check_register
    from bbt.contingent.extension import DEFAULT_REGISTER, REGISTER_NAME
    from bbt.contingent.load import load_register
    from bbt.contingent.model import Entry, Measure, Period, Reduction, Register
    from bbt.contingent.rules.distribution import DistributionError
    from bbt.contingent.rules.fill import ContingentError, FillRate, fill_rate, fill_rates

__getattr__ = lazy_exports(
    __name__,
    {
        "check_register": "bbt.contingent.checks",
        "DEFAULT_REGISTER": "bbt.contingent.extension",
        "REGISTER_NAME": "bbt.contingent.extension",
        "load_register": "bbt.contingent.load",
        "Entry": "bbt.contingent.model",
        "Measure": "bbt.contingent.model",
        "Period": "bbt.contingent.model",
        "Reduction": "bbt.contingent.model",
        "Register": "bbt.contingent.model",
        "ContingentError": "bbt.contingent.rules.fill",
        "DistributionError": "bbt.contingent.rules.distribution",
        "FillRate": "bbt.contingent.rules.fill",
        "fill_rate": "bbt.contingent.rules.fill",
        "fill_rates": "bbt.contingent.rules.fill",
    },
)

__all__ = [
    "DEFAULT_REGISTER",
    "REGISTER_NAME",
    "ContingentError",
    "DistributionError",
    "Entry",
    "FillRate",
    "Measure",
    "Period",
    "Reduction",
    "Register",
    "check_register",
    "fill_rate",
    "fill_rates",
    "load_register",
]
