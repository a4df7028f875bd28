"""A set of BBTs taken as one unit: the documents of one budget year (docs/set.md).

Public interface::

    from bbt.pipeline import BuildOptions
    from bbt.set import is_set, check_set, build_set

    if is_set(path):                 # a folder of budget folders, or one with a set.yaml
        result = check_set(path)     # every document's findings, then the set's (BBT6xx)
        result = build_set(path, BuildOptions(Path("output"), jobs=2))   # documents, overview, data

``bbt check`` and ``bbt build`` delegate here when their path is a set
(:func:`bbt.set.cli.run_set_check`, :func:`bbt.set.cli.run_set_build`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bbt.extension import lazy_exports

if TYPE_CHECKING:
    from bbt.set.load import is_set, load_set
    from bbt.set.model import BudgetSet, Member, Provision
    from bbt.set.run import DocumentReport, SetResult, build_set, check_set

# The public names, imported when first used: a ``bbt check`` that looks for the installed
# extensions (the first run, or one after an install) imports this package, where the
# extension is declared, and needs none of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "is_set": "bbt.set.load",
        "load_set": "bbt.set.load",
        "BudgetSet": "bbt.set.model",
        "Member": "bbt.set.model",
        "Provision": "bbt.set.model",
        "DocumentReport": "bbt.set.run",
        "SetResult": "bbt.set.run",
        "build_set": "bbt.set.run",
        "check_set": "bbt.set.run",
    },
)


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
