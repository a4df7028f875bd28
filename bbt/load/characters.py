"""Characters that change what a text means without showing it: refused at load (BBT025).

Text is normalised to NFC first (``e`` + combining diaeresis becomes ``ë``), so two spellings
of one word compare equal. Then these are refused, with the file and line:

* invisible characters (Unicode category Cf: zero-width space and joiners, bidirectional
  controls that reorder what is shown, the byte-order mark inside a text ...): a zero-width
  space inside ``CB0-1CBD2AB-PR`` silently made an index tranche a reallocation;
* control characters other than tab and line breaks, private-use characters (the live
  preview uses U+E000..U+E002 as its own markers) and lone surrogates;
* digits other than 0-9 (Arabic-Indic, full-width, mathematical ...): they read as amounts but
  are not what a reader of the document checks;
* in codes, references, keys and other single words (not in prose): the soft hyphen, and any
  non-ASCII character in a text shaped like an article code (a Cyrillic ``С`` for a ``C``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SOFT_HYPHEN = "\u00ad"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
_CODE_SHAPE = re.compile(rf"^\S{{3}}[{_DASHES}]\S{{7}}[{_DASHES}]\S{{2}}$")
"""Anything shaped like ``JB0-1JEC2HA-WT`` (in any script, with any dash)."""


class Problem(NamedTuple):
    """A refused character in a text.

    Attributes:
        offset: its index in the (normalised) text.
        char: the character.
        why: what kind of character it is, for the message.
    """

    offset: int
    char: str
    why: str

    def message(self, where: str = "") -> str:
        """``invisible character U+200B (ZERO WIDTH SPACE) in 'from'; ...``."""
        name = unicodedata.name(self.char, "unnamed")
        place = f" in {where}" if where else ""
        return (
            f"{self.why} U+{ord(self.char):04X} ({name}){place}; it can change what the "
            "text means without showing it: delete it or retype the text"
        )


def nfc(text: str) -> str:
    """The text in Unicode normal form C (composed characters)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _kind(char: str, prose: bool) -> str | None:
    category = unicodedata.category(char)
    if category == "Cf":
        if prose and char == _SOFT_HYPHEN:
            return None
        return "invisible character"
    if category in ("Cc", "Cs"):
        return "control character"
    if category == "Co":
        return "private-use character"
    if category == "Nd":
        return "digit other than 0-9"
    return None


def first_problem(text: str, prose: bool = True) -> Problem | None:
    """The first refused character of ``text``; ``prose=False`` for codes, keys and words."""
    control = _ASCII_CONTROL.search(text)
    found = Problem(control.start(), control.group(), "control character") if control else None
    for match in _NON_ASCII.finditer(text):
        if found is not None and match.start() > found.offset:
            break
        why = _kind(match.group(), prose)
        if why is not None:
            found = Problem(match.start(), match.group(), why)
            break
    if found is None and not prose and not text.isascii() and _CODE_SHAPE.match(text):
        odd = _NON_ASCII.search(text)
        assert odd is not None
        return Problem(
            odd.start(), odd.group(), "non-ASCII character (in a text shaped like a code)"
        )
    return found


def line_of(text: str, offset: int) -> int:
    """0-based line of ``offset`` in ``text``."""
    return text.count("\n", 0, offset)
