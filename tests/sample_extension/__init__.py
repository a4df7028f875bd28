"""A department's own extension, as docs/extensions.md describes it (used by test_extension.py).

Its rule only speaks about documents whose title says "Uitbreidingstest", so that registering it
(rules stay registered for the rest of the test process) changes no other test.
"""

from __future__ import annotations

from bbt.extension import Extension
from bbt.findings import table

EXTENSION = Extension(
    name="wse",
    summary="house rules of a department (a test)",
    rules="sample_extension.rules",
    narrative_context="sample_extension:context",
    finding_codes="sample_extension:CODES",
)

CODES = table(
    """
| WSE001 | warning | an article names no operational objective (OD) |
"""
)


def context(calculation: object) -> dict[str, object]:
    return {"huisstijl": {"afdeling": "Afdeling Begroting"}}
