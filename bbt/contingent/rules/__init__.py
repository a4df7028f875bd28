"""The contingent rules as pure functions with explicit parameters (docs/contingent.md).

* :mod:`.fill`: :func:`fill_rate`, filled / allocated over the same period, from summed figures,
  never an average of percentages.
* :mod:`.fill_rule`: :func:`apply_fill_rule`, the AMA WSE 80% rule: an organisation whose annual
  fill stayed below the threshold loses contingent from 1 July of the next year.
* :mod:`.reductions`: :func:`reconcile_reductions`, published reductions against the change of
  the province contingents around the reduction date.
* :mod:`.distribution`: :func:`split_largest_remainder` and :func:`distribute`, the 2018
  procedure for a growth path (seed 004): provinces by weight, then equal whole shares over the
  applicants that filled at least the threshold.

One module per rule, so that a document's build imports the two it uses (fill rates and
reductions) and not the classes of the others; every name can still be imported from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bbt.extension import lazy_exports

if TYPE_CHECKING:
    from bbt.contingent.rules.distribution import (
        Applicant,
        Distribution,
        DistributionError,
        DistributionRule,
        Share,
        TieBreak,
        distribute,
        fill_percent,
        share_equally,
        split_largest_remainder,
    )
    from bbt.contingent.rules.fill import ContingentError, FillRate, fill_rate, fill_rates
    from bbt.contingent.rules.fill_rule import (
        Cut,
        FillRule,
        OrgFill,
        ProvinceCut,
        Rounding,
        apply_fill_rule,
        cuts_by_province,
    )
    from bbt.contingent.rules.reductions import ReductionCheck, reconcile_reductions
    from bbt.money import round_half_up

_FILL = "bbt.contingent.rules.fill"
_FILL_RULE = "bbt.contingent.rules.fill_rule"
_REDUCTIONS = "bbt.contingent.rules.reductions"
_DISTRIBUTION = "bbt.contingent.rules.distribution"

__getattr__ = lazy_exports(
    __name__,
    {
        "ContingentError": _FILL,
        "FillRate": _FILL,
        "fill_rate": _FILL,
        "fill_rates": _FILL,
        "Cut": _FILL_RULE,
        "FillRule": _FILL_RULE,
        "OrgFill": _FILL_RULE,
        "ProvinceCut": _FILL_RULE,
        "Rounding": _FILL_RULE,
        "apply_fill_rule": _FILL_RULE,
        "cuts_by_province": _FILL_RULE,
        "ReductionCheck": _REDUCTIONS,
        "reconcile_reductions": _REDUCTIONS,
        "Applicant": _DISTRIBUTION,
        "Distribution": _DISTRIBUTION,
        "DistributionError": _DISTRIBUTION,
        "DistributionRule": _DISTRIBUTION,
        "Share": _DISTRIBUTION,
        "TieBreak": _DISTRIBUTION,
        "distribute": _DISTRIBUTION,
        "fill_percent": _DISTRIBUTION,
        "share_equally": _DISTRIBUTION,
        "split_largest_remainder": _DISTRIBUTION,
        "round_half_up": "bbt.money",
    },
)

__all__ = [
    "Applicant",
    "ContingentError",
    "Cut",
    "Distribution",
    "DistributionError",
    "DistributionRule",
    "FillRate",
    "FillRule",
    "OrgFill",
    "ProvinceCut",
    "ReductionCheck",
    "Rounding",
    "Share",
    "TieBreak",
    "apply_fill_rule",
    "cuts_by_province",
    "distribute",
    "fill_percent",
    "fill_rate",
    "fill_rates",
    "reconcile_reductions",
    "round_half_up",
    "share_equally",
    "split_largest_remainder",
]
