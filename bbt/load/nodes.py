"""The nodes bbt reads YAML into: values that remember their file and line (bbt.load.yamlsrc).

Apart from the reader and the parser (bbt.load.yamlparse) so that both stand on them.
"""

from __future__ import annotations

from typing import Any

from bbt.errors import Location


class _Node:
    """What the three nodes share: a compact repr and equality by their fields (for tests).

    Plain classes with slots rather than dataclasses: a document is a thousand nodes, read
    again on every run, and a dataclass costs about a millisecond to create when bbt starts.
    """

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Node)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclasses they were

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"


class Scalar(_Node):
    """A YAML scalar: its Python value (str, int, bool, None, date) and its source text.

    Floats keep ``value`` as their text: amounts are read from ``text`` as Decimal.
    """

    __slots__ = ("loc", "quoted", "style", "tag", "text", "value")

    def __init__(
        self,
        value: object,
        text: str,
        tag: str,
        loc: Location,
        quoted: bool = False,
        style: str | None = None,
    ) -> None:
        self.value = value
        self.text = text
        self.tag = tag
        self.loc = loc
        self.quoted = quoted
        self.style = style

    @property
    def text_loc(self) -> Location:
        """Where the scalar's text starts: a block scalar (``|``) starts on the next line."""
        if self.style in ("|", ">"):
            return self.loc.at_line(1)
        return self.loc


class Seq(_Node):
    """A YAML sequence."""

    __slots__ = ("items", "loc")

    def __init__(self, items: list[YNode], loc: Location) -> None:
        self.items = items
        self.loc = loc


class Map(_Node):
    """A YAML mapping with string keys; ``keys`` keeps the location of every key."""

    __slots__ = ("keys", "loc", "order", "values")

    def __init__(
        self,
        values: dict[str, YNode],
        keys: dict[str, Location],
        loc: Location,
        order: list[str] | None = None,
    ) -> None:
        self.values = values
        self.keys = keys
        self.loc = loc
        self.order = order if order is not None else []


YNode = Scalar | Seq | Map


def plain(node: YNode) -> Any:
    """The node as plain Python data (dicts, lists and scalar values), without locations."""
    if isinstance(node, Map):
        return {k: plain(node.values[k]) for k in node.values}
    if isinstance(node, Seq):
        return [plain(item) for item in node.items]
    return node.value


__all__ = ["Map", "Scalar", "Seq", "YNode", "plain"]
