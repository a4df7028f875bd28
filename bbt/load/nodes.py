"""The nodes bbt reads YAML into: values that remember their file and line (bbt.load.yamlsrc).

Apart from the reader and the parser (bbt.load.yamlparse) so that both stand on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bbt.errors import Location


@dataclass
class Scalar:
    """A YAML scalar: its Python value (str, int, bool, None, date) and its source text.

    Floats keep ``value`` as their text: amounts are read from ``text`` as Decimal.
    """

    value: object
    text: str
    tag: str
    loc: Location
    quoted: bool = False
    style: str | None = None

    @property
    def text_loc(self) -> Location:
        """Where the scalar's text starts: a block scalar (``|``) starts on the next line."""
        if self.style in ("|", ">"):
            return self.loc.at_line(1)
        return self.loc


@dataclass
class Seq:
    """A YAML sequence."""

    items: list[YNode]
    loc: Location


@dataclass
class Map:
    """A YAML mapping with string keys; ``keys`` keeps the location of every key."""

    values: dict[str, YNode]
    keys: dict[str, Location]
    loc: Location
    order: list[str] = field(default_factory=list)


YNode = Scalar | Seq | Map


def plain(node: YNode) -> Any:
    """The node as plain Python data (dicts, lists and scalar values), without locations."""
    if isinstance(node, Map):
        return {k: plain(node.values[k]) for k in node.values}
    if isinstance(node, Seq):
        return [plain(item) for item in node.items]
    return node.value


__all__ = ["Map", "Scalar", "Seq", "YNode", "plain"]
