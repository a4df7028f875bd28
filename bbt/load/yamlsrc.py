"""Read YAML files safely into nodes that remember their file and line (bbt.load.nodes).

This module reads a file through the confined reader (encoding, byte-order mark, size) and
keeps each text's nodes and findings, in this process and in the cache between runs, so an
unchanged file is not parsed again. Parsing itself is :mod:`bbt.load.yamlparse` (PyYAML's
composer and bbt's converter: ``file:line`` for every value, amounts from their raw text,
no object tags, bounded aliases, the YAML 1.2 core schema), imported only for a text the
cache does not hold.
"""

from __future__ import annotations

import datetime as dt
import marshal
import os
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from bbt.errors import Finding, Location, Severity
from bbt.files import MAX_INPUT_BYTES, InputRefused, module_file, read_input, shown
from bbt.load.cache import Cache, fingerprint, key
from bbt.load.nodes import Map, Scalar, Seq, YNode

MAX_FILE_BYTES = MAX_INPUT_BYTES
"""A budget file is a few kilobytes; anything above this is a mistake (or an attack)."""


def read_text(
    path: Path,
    findings: list[Finding],
    max_bytes: int = MAX_FILE_BYTES,
    roots: Sequence[Path] | None = None,
) -> str | None:
    """Read a UTF-8 text file inside ``roots``, or add a finding and return None.

    ``roots`` are the folders the file must lie in (links resolved); by default the folder
    that holds it. A byte-order mark is tolerated with a warning; tabs are allowed only
    outside indentation (the YAML reader reports indentation tabs with a clearer message).
    """
    name = shown(path)
    try:
        raw = read_input(path, roots if roots is not None else (path.parent,), limit=max_bytes)
    except InputRefused as exc:
        findings.append(Finding(exc.code, Severity.ERROR, Location(name), exc.reason))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        findings.append(
            Finding(
                "BBT012",
                Severity.WARNING,
                Location(name, 1),
                "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM",
            )
        )
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        findings.append(
            Finding(
                "BBT012",
                Severity.ERROR,
                Location(name, line),
                f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8 (it looks like Latin-1 or Windows-1252)",
            )
        )
        return None


def parse_yaml(
    path: Path, findings: list[Finding], roots: Sequence[Path] | None = None
) -> YNode | None:
    """Parse one YAML file (inside ``roots``, see :func:`read_text`) into nodes, or add findings."""
    text = read_text(path, findings, roots=roots)
    if text is None:
        return None
    return parse_yaml_text(text, shown(path), findings)


def parse_yaml_text(text: str, name: str, findings: list[Finding]) -> YNode | None:
    """Parse YAML source text (``name`` is used in locations).

    The nodes (and findings) of a text depend on the text and its name alone: they are kept
    in this process and in the cache between runs (bbt.load.cache), so an unchanged file
    is not parsed again. Readers never change the nodes they are given.
    """
    node, found = _parsed(text, name)
    findings.extend(found)
    return node


@lru_cache(maxsize=512)
def _parsed(text: str, name: str) -> tuple[YNode | None, tuple[Finding, ...]]:
    def parsed() -> tuple[YNode | None, tuple[Finding, ...]]:
        found: list[Finding] = []
        node = _parse(text, name, found)
        return node, tuple(found)

    return _TREES.remember(
        key(_fingerprint(), name, text),
        parsed,
        lambda tree: marshal.dumps(_encoded(*tree)),
        lambda data: _decoded(marshal.loads(data), name),
    )


_TREES = Cache("yaml")


@cache
def _fingerprint() -> str:
    """Our parsing modules and PyYAML's files, found without importing it (a run that finds
    every file in the cache never does): another PyYAML, or one with or without libyaml,
    misses."""
    here = Path(__file__)
    origin = module_file("yaml")
    library = sorted(os.listdir(os.path.dirname(origin))) if origin else []
    return fingerprint(
        str(here),
        str(here.with_name("yamlparse.py")),
        str(here.with_name("characters.py")),
        origin,
        versions=" ".join(library),
    )


def _encoded(node: YNode | None, findings: Sequence[Finding]) -> Any:
    """Nodes and findings as plain tuples (marshal); locations keep their line and column."""
    notes = [
        (f.code, int(f.severity), f.location.line, f.location.column, f.message) for f in findings
    ]
    return (None if node is None else _node_tuple(node), notes)


def _node_tuple(node: YNode) -> Any:
    at = (node.loc.line, node.loc.column)
    if isinstance(node, Map):
        pairs = [
            (k, node.keys[k].line, node.keys[k].column, _node_tuple(v))
            for k, v in node.values.items()
        ]
        return (2, *at, pairs)
    if isinstance(node, Seq):
        return (1, *at, [_node_tuple(item) for item in node.items])
    # the value is restored from the text when it is the text or a date
    value = None if node.tag in ("str", "float", "timestamp") else node.value
    return (0, *at, node.text, node.tag, node.quoted, node.style, value)


def _decoded(data: object, name: str) -> tuple[YNode | None, tuple[Finding, ...]]:
    assert isinstance(data, tuple)
    tree, notes = data
    findings = tuple(
        Finding(code, Severity(severity), Location(name, line, column), message)
        for code, severity, line, column, message in notes
    )
    return (None if tree is None else _node(tree, name)), findings


def _node(data: tuple[Any, ...], name: str) -> YNode:
    kind, line, column = data[0], data[1], data[2]
    loc = Location(name, line, column)
    if kind == 2:
        values: dict[str, YNode] = {}
        keys: dict[str, Location] = {}
        for k, kline, kcolumn, value in data[3]:
            keys[k] = Location(name, kline, kcolumn)
            values[k] = _node(value, name)
        return Map(values, keys, loc, list(values))
    if kind == 1:
        return Seq([_node(item, name) for item in data[3]], loc)
    text, tag, quoted, style, value = data[3:]
    if tag in ("str", "float"):
        value = text
    elif tag == "timestamp":
        value = dt.date.fromisoformat(text)
    return Scalar(value, text, tag, loc, quoted, style)


def _parse(text: str, name: str, findings: list[Finding]) -> YNode | None:
    from bbt.load.yamlparse import parse  # PyYAML: only when a text is not in the cache

    return parse(text, name, findings)
