"""A set of BBTs: the documents of one budget year, taken as one unit (docs/set.md).

The set is a folder of budget folders, optionally with a ``set.yaml`` that names them in order
and holds the set's own data (what each central provision released). These types are the
loaded ``set.yaml``; the documents themselves stay :class:`bbt.model.Document` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bbt.errors import UNKNOWN, Location

SET_FILE = "set.yaml"
OVERVIEW_STEM = "overzicht"
"""Output name of the set's overview (``overzicht.html``, ``overzicht.pdf``)."""
OPEN_DATA_DIR = "open-data"
"""Output folder of the set's data package."""


@dataclass(frozen=True)
class Member:
    """One document of the set.

    Attributes:
        path: the budget folder, as set.yaml names it (joined to the set folder).
        loc: where set.yaml lists it (the folder itself when there is no set.yaml).
        names: further names other documents may use for it as a movement counterpart
            (its ``policy_field`` always counts), e.g. ``Agentschap Overheidspersoneel``.
    """

    path: Path
    loc: Location = UNKNOWN
    names: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        """The output name of the document, as ``pipeline.build`` names its files."""
        from bbt.pipeline import output_stem

        return output_stem(self.path)


@dataclass(frozen=True)
class Provision:
    """What a central provision released to the documents of the set.

    Attributes:
        key: the counterpart the articles name: a code (``CB0-1CBD2AB-PR``) or a name
            (``Relanceprovisie``).
        title: a readable name for the overview (``Indexprovisie``); the key when not given.
        released: per credit type, the amount released and where set.yaml says so.
        loc: the line of the provision in set.yaml.
    """

    key: str
    title: str
    released: dict[str, tuple[Decimal, Location]] = field(default_factory=dict)
    loc: Location = UNKNOWN


@dataclass(frozen=True)
class BudgetSet:
    """A loaded set.

    Attributes:
        root: the set folder.
        title: the overview's title.
        year: the budget year (set.yaml, else the year of the first document).
        members: the documents in order.
        provisions: set.yaml's provisions by key.
        external: folders outside the set folder that set.yaml allows documents from.
        loc: set.yaml (line 1), or the folder when there is none.
    """

    root: Path
    title: str
    year: int | None
    members: tuple[Member, ...]
    provisions: dict[str, Provision] = field(default_factory=dict)
    external: tuple[Path, ...] = ()
    loc: Location = UNKNOWN
