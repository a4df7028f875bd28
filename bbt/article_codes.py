"""Budget article codes such as ``JB0-1JEC2HA-WT``.

Structure [public + inferred, see docs/format.md]: ``JB0`` entity (domain letter, organisation
letter, digit) · ``-`` · ``1`` expenditure or ``9`` receipts · ``JE`` programme · ``C`` (responsible
minister, inferred) · credit kind (``2`` split, ``4`` variable, ``5`` correlative; receipts
``A``) · two letters: ISE letter and article letter (inferred) · ``-`` · ESR aggregate.
"""

from __future__ import annotations

import re

import msgspec

EXPENDITURE_ESR = ("WT", "LO", "PR", "IS", "LE", "PA")
RECEIPT_ESR = ("OW", "OI", "OP", "OL")

# The rows of an ISE "budgettair kader" [seed]: ESR aggregates grouped by category.
# Note: "LO" here is the ESR aggregate *lonen* (wages), not the receipt column *leningontvangsten*.
ESR_CATEGORIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("esr_uitgaven", "ESR-uitgaven", ("WT", "LO", "PR")),
    ("toelagen", "Toelagen", ("IS",)),
    ("overige", "Overige", ("LE", "PA")),  # and anything else
)
ESR_CATEGORY_LABELS = {
    "esr_uitgaven": "WT, LO, PR",
    "toelagen": "IS",
    "overige": "LE, PA, andere",
}

_CODE = re.compile(
    r"^(?P<entity>[A-Z]{2}[0-9])-(?P<side>[19])(?P<programme>[A-Z]{2})(?P<minister>[A-Z])"
    r"(?P<kind>[245A])(?P<ise_letter>[A-Z])(?P<letter>[A-Z])-(?P<esr>[A-Z]{2})$"
)
_LOOSE = re.compile(r"^[A-Z]{2}[0-9]-[0-9][A-Z0-9]{6}-[A-Z]{2}$")
# ASCII only ([0-9], not \d): an Arabic-Indic or full-width digit is not part of a code.


class CodeError(ValueError):
    """A malformed article code; the message explains which part is wrong."""


class ArticleCode(msgspec.Struct, frozen=True, order=True):
    """A parsed budget article code.

    Attributes:
        text: the code as written, e.g. ``JB0-1JEC2HA-WT``.
        entity: ``JB0``.
        is_receipt: True for receipts (``9``), False for expenditure (``1``).
        programme: ``JE``.
        credit_kind: ``2``, ``4``, ``5`` for expenditure, ``A`` for receipts.
        esr: ESR aggregate, e.g. ``WT``.
    """

    text: str
    entity: str
    is_receipt: bool
    programme: str
    credit_kind: str
    esr: str

    def __str__(self) -> str:
        return self.text

    @property
    def esr_category(self) -> str:
        """Row key of the ISE table: ``esr_uitgaven``, ``toelagen`` or ``overige``."""
        for key, _label, aggregates in ESR_CATEGORIES:
            if self.esr in aggregates:
                return key
        return "overige"


def parse_code(text: str) -> ArticleCode:
    """Parse and validate an article code, or raise :class:`CodeError` saying what is wrong."""
    match = _CODE.fullmatch(text)
    if not match:
        if not _LOOSE.fullmatch(text):
            raise CodeError(
                f"{text!r} is not a budget article code (expected the shape JB0-1JEC2HA-WT)"
            )
        side = text[4]
        if side not in "19":
            raise CodeError(
                f"{text!r}: the digit after the entity must be 1 (expenditure) or 9 (receipts), not {side}"
            )
        raise CodeError(
            f"{text!r}: unexpected credit kind {text[8]!r} (2, 4, 5 for expenditure, A for receipts)"
        )
    parts = match.groupdict()
    is_receipt = parts["side"] == "9"
    esr = parts["esr"]
    if is_receipt and esr not in RECEIPT_ESR:
        raise CodeError(
            f"{text!r}: receipts code with ESR aggregate {esr}; receipts use {', '.join(RECEIPT_ESR)}"
        )
    if not is_receipt and esr in RECEIPT_ESR:
        raise CodeError(f"{text!r}: expenditure code with receipts aggregate {esr}")
    if is_receipt != (parts["kind"] == "A"):
        raise CodeError(
            f"{text!r}: credit kind {parts['kind']!r} does not fit a{' receipts' if is_receipt else 'n expenditure'} article"
        )
    return ArticleCode(text, parts["entity"], is_receipt, parts["programme"], parts["kind"], esr)


def looks_like_code(text: str) -> bool:
    """True for strings shaped like an article code (valid or not): used to tell codes from names."""
    return bool(_LOOSE.fullmatch(text))
