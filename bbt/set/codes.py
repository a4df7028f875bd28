"""The set extension's finding codes (BBT6xx), as docs/set.md lists them."""

from __future__ import annotations

from bbt.findings import table

CODES = table(
    """
| BBT600 | error | the folder is not a set, or set.yaml names no documents |
| BBT601 | error | a document lies outside the set folder and the folders under `external:` |
| BBT602 | error | a document of set.yaml does not exist or has no `bbt.yaml` |
| BBT603 | error | a document listed twice, or two documents whose output names clash (same folder name, or `overzicht`) |
| BBT604 | warning | a document did not load (its own errors say why); the cross-document rules skip it |
| BBT605 | error | a document's year differs from the set's (`year:` in set.yaml, else the first document's) |
| BBT610 | error | a transfer between two documents booked in one only (at both ends: the booking and the counterpart article, or the other document's bbt.yaml) |
| BBT611 | error | a transfer between two documents that does not balance: the amounts per credit type differ |
| BBT612 | error | a transfer booked with the same sign on both sides (both `from`, or both `to`) |
| BBT613 | error | a counterpart code of a programme whose document is in the set, but that has no such article (with "did you mean": the article that books the other side, else the closest code) |
| BBT620 | error | what the documents drew from a provision does not add up to what `provisions:` in set.yaml says it released |
| BBT621 | error | the provision's own document released to a document (by name or by its article codes) another amount than that document drew; per index tranche when the provision books its releases per tranche |
| BBT630 | error | an article code in more than one document |
| BBT631 | error | a programme code used by more than one document |
| BBT632 | error | a name (policy field or `names:`) that belongs to more than one document |
| BBT640 | info | per document: how many movements name counterparts outside the set, and which |
| BBT650 | error | the overview template failed (file and line of the template) |
"""
)
