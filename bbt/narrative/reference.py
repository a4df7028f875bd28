"""What the HTML reader finds (bbt.narrative.htmlscan) and the policy judges
(bbt.narrative.policy): a reference of an HTML text to something outside it."""

from __future__ import annotations

import re
from typing import NamedTuple

SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript):", re.I)
"""An address that runs code instead of loading something: refused wherever it stands."""


class Reference(NamedTuple):
    """One reference of an HTML text to something outside it.

    Attributes:
        url: as written in the HTML (entities decoded); empty for refused elements.
        element: the tag name (``img``, ``style`` ...).
        attribute: the attribute (``src``, ``style``, ``(text)`` for a style sheet's text).
        line: its line in the HTML (1-based).
    """

    url: str
    element: str
    attribute: str
    line: int


__all__ = ["SCRIPT_URL", "Reference"]
