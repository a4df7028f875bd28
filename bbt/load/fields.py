"""Typed access to the keys of a YAML mapping, turning every mistake into a finding.

A :class:`Fields` wraps one mapping. Each accessor returns the converted value or None and
records a finding (wrong type, missing field); :meth:`Fields.done` then reports the keys that
were never asked for as unknown, with a "did you mean" when a known key is close.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from bbt.errors import Finding, Location, Severity, did_you_mean
from bbt.files import exists, shown
from bbt.load.characters import first_problem, line_of, nfc
from bbt.load.nodes import Map, Scalar, Seq, YNode
from bbt.load.yamlsrc import parse_yaml, read_text
from bbt.model import Narrative
from bbt.money import AmountError, parse_amount

_MD_REF = re.compile(r"^[\w./-]+\.md$")
_DECIMAL_INTEGER = re.compile(r"^[-+]?[0-9]+$")


class Context:
    """What all readers of one load share: the budget folder and the list of findings.

    Every file is read inside ``root`` only (bbt.files): a link pointing out of the budget
    folder, a named pipe or a device is a finding, never read.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.roots = (root,)
        self.findings: list[Finding] = []

    def parse(self, path: Path) -> YNode | None:
        """A YAML file of the budget folder as nodes, or None (with findings)."""
        return parse_yaml(path, self.findings, self.roots)

    def error(self, code: str, loc: Location, message: str) -> None:
        self.findings.append(Finding(code, Severity.ERROR, loc, message))

    def warning(self, code: str, loc: Location, message: str) -> None:
        self.findings.append(Finding(code, Severity.WARNING, loc, message))

    def narrative_file(self, ref: str, loc: Location) -> Narrative | None:
        """Read a Markdown file referenced from YAML; it must lie inside the budget folder."""
        path = self.root / ref
        if ref.startswith("/") or ".." in Path(ref).parts:
            self.error("BBT007", loc, f"text file {ref!r} lies outside the budget folder")
            return None
        if not exists(path):
            self.error("BBT007", loc, f"text file {ref!r} does not exist in {shown(self.root)}")
            return None
        text = read_text(path, self.findings, roots=self.roots)
        if text is None:
            return None
        text = nfc(text)
        name = shown(path)
        problem = first_problem(text)
        if problem is not None:
            where = Location(name, 1 + line_of(text, problem.offset))
            self.error("BBT025", where, problem.message())
        return Narrative(text, Location(name, 1))


def _kind(node: YNode) -> str:
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    if node.value is None:
        return "empty"
    return f"{node.text!r}"


class Fields:
    """Reader for one mapping; ``what`` names it in messages (``article JB0-1JEC2HA-WT``)."""

    def __init__(self, ctx: Context, node: YNode, what: str) -> None:
        self.ctx = ctx
        self.what = what
        self.asked: set[str] = set()
        if isinstance(node, Map):
            self.node = node
            self.ok = True
        else:
            ctx.error(
                "BBT003", node.loc, f"{what} must be a mapping of keys to values, not {_kind(node)}"
            )
            self.node = Map({}, {}, node.loc)
            self.ok = False

    @property
    def loc(self) -> Location:
        return self.node.loc

    def has(self, key: str) -> bool:
        return key in self.node.values

    def raw(self, key: str, required: bool = False) -> YNode | None:
        self.asked.add(key)
        node = self.node.values.get(key)
        if node is None:
            if required and self.ok:
                self.ctx.error("BBT004", self.node.loc, f"{self.what} has no {key!r} (required)")
            return None
        if isinstance(node, Scalar) and node.value is None:
            if required:
                self.ctx.error("BBT004", node.loc, f"{self.what}: {key!r} is empty (required)")
            return None
        return node

    def key_loc(self, key: str) -> Location:
        return self.node.keys.get(key, self.node.loc)

    def _type_error(self, key: str, node: YNode, expected: str) -> None:
        self.ctx.error(
            "BBT003", node.loc, f"{self.what}: {key!r} must be {expected}, not {_kind(node)}"
        )

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        """A single-line text (a title, a code, a reference); not prose, see :meth:`narrative`.

        Besides what every text refuses (bbt.load.characters), a soft hyphen, or a non-ASCII
        character in a text shaped like an article code, is a finding (BBT025).
        """
        node = self.raw(key, required)
        if node is None:
            return default
        if not isinstance(node, Scalar) or node.tag not in ("str", "int", "float"):
            self._type_error(key, node, "text")
            return default
        problem = first_problem(node.text, prose=False)
        if problem is not None and first_problem(node.text) is None:  # else reported on load
            self.ctx.error("BBT025", node.loc, f"{self.what}: " + problem.message(repr(key)))
        return node.text

    def integer(self, key: str, required: bool = False) -> int | None:
        """A whole number in decimal digits (``0x7E8`` and ``0o3750`` are refused)."""
        node = self.raw(key, required)
        if node is None:
            return None
        if (
            not isinstance(node, Scalar)
            or node.tag != "int"
            or not isinstance(node.value, int)
            or not _DECIMAL_INTEGER.match(node.text)
        ):
            self._type_error(key, node, "a whole number in decimal digits")
            return None
        return node.value

    def boolean(self, key: str, default: bool = False) -> bool:
        node = self.raw(key)
        if node is None:
            return default
        if not isinstance(node, Scalar) or node.tag != "bool":
            self._type_error(key, node, "true or false")
            return default
        return bool(node.value)

    def date(self, key: str, required: bool = False) -> dt.date | None:
        node = self.raw(key, required)
        if node is None:
            return None
        if not isinstance(node, Scalar) or not isinstance(node.value, dt.date):
            self._type_error(key, node, "a date (YYYY-MM-DD)")
            return None
        return node.value

    def amount(self, key: str, required: bool = False) -> tuple[Decimal, Location] | None:
        node = self.raw(key, required)
        if node is None:
            return None
        return self.amount_of(node, key)

    def amount_of(self, node: YNode, key: str) -> tuple[Decimal, Location] | None:
        if not isinstance(node, Scalar) or node.tag not in ("int", "float", "str"):
            self._type_error(key, node, "an amount")
            return None
        if node.tag == "str" and not node.quoted:
            try:
                parse_amount(node.text)  # for its message: a digit separator, a comma ...
                reason = f"{node.text!r} is not an amount"
            except AmountError as exc:
                reason = str(exc)
            self.ctx.error("BBT009", node.loc, f"{self.what}: {key}: {reason}")
            return None
        if node.quoted and re.match(r"^-?\d{1,3}(\.\d{3})+$", node.text.strip()):
            self.ctx.error(
                "BBT009",
                node.loc,
                f"{self.what}: {key}: {node.text!r} is written in Dutch number format; write it as a plain number, "
                f"e.g. {node.text.strip().replace('.', '')}",
            )
            return None
        try:
            value = parse_amount(node.text)
        except AmountError as exc:
            self.ctx.error(exc.code, node.loc, f"{self.what}: {key}: {exc}")
            return None
        keuro_field = key in ("ba", "ba_jr", "bu", "vak", "vek", "ao", "to", "lo", "value")
        if (
            keuro_field
            and node.tag == "float"
            and re.match(r"^-?\d{1,3}\.\d{3}$", node.text.strip())
        ):
            self.ctx.warning(
                "BBT017",
                node.loc,
                f"{self.what}: {key}: {node.text} reads as {node.text} keuro (euro precision); "
                f"if you meant {node.text.replace('.', '')} keuro, remove the dot",
            )
        return value, node.loc

    def map(self, key: str, required: bool = False) -> Fields | None:
        node = self.raw(key, required)
        if node is None:
            return None
        if not isinstance(node, Map):
            self._type_error(key, node, "a mapping")
            return None
        return Fields(self.ctx, node, f"{self.what}: {key}")

    def seq(self, key: str, required: bool = False) -> list[YNode]:
        node = self.raw(key, required)
        if node is None:
            return []
        if not isinstance(node, Seq):
            self._type_error(key, node, "a list")
            return []
        return node.items

    def str_list(self, key: str, required: bool = False) -> list[tuple[str, Location]]:
        out = []
        for item in self.seq(key, required):
            if isinstance(item, Scalar) and item.tag in ("str", "int") and item.value is not None:
                out.append((item.text, item.loc))
            else:
                self.ctx.error(
                    "BBT003",
                    item.loc,
                    f"{self.what}: every entry of {key!r} must be text, not {_kind(item)}",
                )
        return out

    def narrative(self, key: str, required: bool = False) -> Narrative:
        """Inline Markdown, or a reference to a ``.md`` file relative to the budget folder."""
        node = self.raw(key, required)
        if node is None:
            return Narrative("")
        if not isinstance(node, Scalar) or node.tag != "str":
            self._type_error(key, node, "text (Markdown) or the name of a .md file")
            return Narrative("")
        text = node.text
        if "\n" not in text and _MD_REF.match(text.strip()):
            return self.ctx.narrative_file(text.strip(), node.loc) or Narrative("")
        return Narrative(text, node.text_loc)

    def items(self) -> Iterator[tuple[str, YNode]]:
        """Iterate over all keys (for open mappings such as ``figures``); marks them all asked."""
        for key in self.node.order:
            self.asked.add(key)
            yield key, self.node.values[key]

    def done(self) -> None:
        """Report keys nobody asked for as unknown (with a suggestion when one is close)."""
        known = sorted(self.asked)
        for key in self.node.order:
            if key in self.asked:
                continue
            hint = did_you_mean(key, known, f"; known keys: {', '.join(known)}")
            self.ctx.error("BBT002", self.node.keys[key], f"{self.what}: unknown key {key!r}{hint}")
