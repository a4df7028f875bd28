"""Parse YAML text into bbt's nodes (bbt.load.nodes): PyYAML's composer and our converter.

Why not ``yaml.safe_load``: budget staff need ``file:line`` for every mistake, including the
line of a value deep inside a mapping, and the raw text of every number (so ``0.1`` becomes
``Decimal("0.1")`` exactly, never a float). We therefore *compose* the document with PyYAML's
libyaml parser (fast, and composing builds nodes without constructing any Python object) and
convert the nodes ourselves: no object tags, duplicate keys are findings, aliases are expanded
against a budget so an alias bomb is refused, and plain scalars are resolved with the YAML 1.2
core schema (so ``no`` and ``on`` stay words, unlike PyYAML's YAML 1.1 resolver).

Kept apart from :mod:`bbt.load.yamlsrc` because a run that finds every file in the cache
(a second ``bbt check``) parses nothing and so never imports PyYAML.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import yaml
from yaml.error import MarkedYAMLError, YAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bbt.errors import Finding, Location, Severity
from bbt.load.characters import first_problem, line_of, nfc
from bbt.load.nodes import Map, Scalar, Seq, YNode

MAX_DEPTH = 50
"""Nesting of lists and mappings in one file; budget files need about five levels."""

MAX_NODES = 200_000
"""Upper bound on nodes produced from one file, aliases expanded (alias bombs stop here)."""

MAX_ALIASES = 100
"""Aliases (``*name``) one file may use; budget files need few, alias bombs need many."""


class YamlFindings(Exception):
    """Raised internally when a file cannot be turned into nodes at all."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings)
        self.findings = findings


_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def _depth_problem(text: str) -> tuple[int, str] | None:
    """Line and message when collections nest deeper than :data:`MAX_DEPTH`.

    Checked on the parser's events (a loop) before composing: libyaml's composer and our
    converter recurse once per level, and a file of ``[[[[...]]]]`` must not exhaust the stack.
    """
    depth = 0
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = int(event.start_mark.line) + 1 if event.start_mark else 0
                return (
                    line,
                    f"YAML nested more than {MAX_DEPTH} levels deep; budget files need a few",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def parse(text: str, name: str, findings: list[Finding]) -> YNode | None:
    """The nodes of ``text`` (``name`` in their locations), or None with findings added."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            findings.append(
                Finding(
                    "BBT001",
                    Severity.ERROR,
                    Location(name, number),
                    "tab used for indentation; YAML needs spaces",
                )
            )
            return None
    try:
        deep = _depth_problem(text)
        if deep is not None:
            findings.append(Finding("BBT019", Severity.ERROR, Location(name, deep[0]), deep[1]))
            return None
        node = yaml.compose(text, Loader=LOADER)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        lineno = int(mark.line) + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid YAML"
        findings.append(
            Finding(
                "BBT001", Severity.ERROR, Location(name, lineno), f"YAML syntax error: {problem}"
            )
        )
        return None
    except YAMLError as exc:  # pragma: no cover - the parser raises marked errors in practice
        findings.append(Finding("BBT001", Severity.ERROR, Location(name), f"YAML error: {exc}"))
        return None
    if node is None:
        return Map({}, {}, Location(name, 1))
    converter = _Converter(name, findings, lines)
    try:
        return converter.convert(node)
    except YamlFindings:
        return None


@cache
def _core() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """YAML 1.2 core schema, for plain (unquoted) scalars.

    Compiled when a text is first parsed: a run that finds every file in the cache needs none.
    """
    return (
        ("null", re.compile(r"^(~|null|Null|NULL|)$")),
        ("bool", re.compile(r"^(true|True|TRUE|false|False|FALSE)$")),
        ("int", re.compile(r"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")),
        (
            "float",
            re.compile(
                r"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$"
            ),
        ),
        ("timestamp", re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$")),
    )


_IMPLICIT = {_STD + kind for kind in ("str", "int", "float", "bool", "null", "timestamp")}


def _tag(node: Node) -> str:
    tag = str(node.tag)
    if isinstance(node, ScalarNode) and not node.style and tag in _IMPLICIT:
        # Re-resolve what the YAML 1.1 resolver guessed (an explicit !!str keeps its tag only
        # when quoted; a plain "yes" is text here).
        for kind, pattern in _core():
            if pattern.match(str(node.value)):
                return _STD + kind
        return _STD + "str"
    return tag


class _Converter:
    def __init__(self, name: str, findings: list[Finding], lines: list[str]) -> None:
        self.name = name
        self.findings = findings
        self.lines = lines
        self.count = 0
        self.seen: set[int] = set()
        self.aliases = 0

    def loc(self, node: Node) -> Location:
        return Location(self.name, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: Node, code: str, message: str) -> YamlFindings:
        self.findings.append(Finding(code, Severity.ERROR, self.loc(node), message))
        return YamlFindings(self.findings)

    def bomb(self, node: Node, what: str) -> YamlFindings:
        """BBT011 for a file that expands past a bound: the mark of an alias bomb."""
        return self.fail(node, "BBT011", f"{what} (alias bomb?); refused")

    def convert(self, node: Node) -> YNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.bomb(node, f"YAML expands to more than {MAX_NODES:,} values")
        if isinstance(node, MappingNode | SequenceNode):
            if id(node) in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise self.bomb(node, f"more than {MAX_ALIASES} YAML aliases in one file")
            self.seen.add(id(node))
        tag = _tag(node)
        if tag not in _ALLOWED_TAGS:
            raise self.fail(
                node,
                "BBT011",
                f"YAML tag {tag!r} is not allowed; budget files hold plain data only",
            )
        if isinstance(node, MappingNode):
            return self.mapping(node)
        if isinstance(node, SequenceNode):
            return Seq([self.convert(item) for item in node.value], self.loc(node))
        assert isinstance(node, ScalarNode)
        return self.scalar(node, tag)

    def mapping(self, node: MappingNode) -> Map:
        values: dict[str, YNode] = {}
        keys: dict[str, Location] = {}
        order: list[str] = []
        for key_node, value_node in node.value:
            if _tag(key_node) == _STD + "merge":
                raise self.fail(
                    key_node,
                    "BBT011",
                    "YAML merge keys (<<) are not supported; write the keys out",
                )
            if not isinstance(key_node, ScalarNode):
                raise self.fail(
                    key_node, "BBT003", "a key must be a plain word, not a list or mapping"
                )
            key = self.checked(key_node, prose=False)
            if key in values:
                self.findings.append(
                    Finding(
                        "BBT013",
                        Severity.ERROR,
                        self.loc(key_node),
                        f"key {key!r} appears twice in this mapping (first at line {keys[key].line})",
                    )
                )
                continue
            keys[key] = self.loc(key_node)
            values[key] = self.convert(value_node)
            order.append(key)
        return Map(values, keys, self.loc(node), order)

    def checked(self, node: ScalarNode, prose: bool = True) -> str:
        """The scalar's text in NFC; a refused character (bbt.load.characters) is a finding."""
        text = nfc(str(node.value))
        problem = first_problem(text, prose)
        if problem is not None:
            loc = self.located(node, problem.char)
            if loc is None:  # written as an escape: the scalar's own line
                loc = self.loc(node)
                if node.style in ("|", ">"):  # a block scalar: its lines follow the key's line
                    loc = Location(loc.file, loc.line + 1 + line_of(text, problem.offset))
            where = "a key" if not prose else ""
            self.findings.append(Finding("BBT025", Severity.ERROR, loc, problem.message(where)))
        return text

    def located(self, node: ScalarNode, char: str) -> Location | None:
        """The source line of a scalar's first ``char``: a folded (``>``) or multi-line quoted
        scalar has joined its lines, so the text alone cannot tell (None: not in the source
        as such, e.g. written as an escape)."""
        first, last = node.start_mark.line, node.end_mark.line
        for number in range(first, min(last + 1, len(self.lines))):
            line = self.lines[number]
            if char in (line[node.start_mark.column :] if number == first else line):
                return Location(self.name, number + 1)
        return None

    def scalar(self, node: ScalarNode, tag: str) -> Scalar:
        text = self.checked(node)
        quoted = node.style in ("'", '"')
        kind = tag[len(_STD) :]
        value: object = text
        if kind == "int":
            try:
                value = int(text, 0) if text[:2] in ("0o", "0x") else int(text)
            except ValueError:  # more digits than Python converts (4,300)
                value = text
        elif kind == "bool":
            value = text.lower() == "true"
        elif kind == "null":
            value = None
        elif kind == "timestamp":
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                raise self.fail(
                    node, "BBT003", f"{text!r} is not a date (write YYYY-MM-DD)"
                ) from None
        return Scalar(value, text, kind, self.loc(node), quoted, node.style)
