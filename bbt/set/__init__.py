"""A set of BBTs taken as one unit: the documents of one budget year (docs/set.md).

Public interface::

    from bbt.set import is_set, check_set, build_set

    if is_set(path):                 # a folder of budget folders, or one with a set.yaml
        result = check_set(path)     # every document's findings, then the set's (BBT6xx)
        result = build_set(path, "output", jobs=2)   # documents, overview, open data

``bbt check`` and ``bbt build`` delegate here when their path is a set
(:func:`bbt.set.cli.run_set_check`, :func:`bbt.set.cli.run_set_build`).
"""

from __future__ import annotations

from bbt.set.load import is_set, load_set
from bbt.set.model import BudgetSet, Member, Provision
from bbt.set.run import DocumentReport, SetResult, build_set, check_set

__all__ = [
    "BudgetSet",
    "DocumentReport",
    "Member",
    "Provision",
    "SetResult",
    "build_set",
    "check_set",
    "is_set",
    "load_set",
]
