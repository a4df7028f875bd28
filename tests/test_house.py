"""The shape of the code: layers that only point down, small functions.

The pipeline is load -> calculate -> outline -> check -> render; each layer imports only
layers below it (docs in README.md, "Layout of the code"). Extensions (contingent, exchange,
preview, set) sit beside the pipeline and are reached through bbt/extension.py, never named by
the core. A failure here names the import that climbs.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "bbt"

LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "bbt.errors",
        "bbt.money",
        "bbt.article_codes",
        "bbt.files",
        "bbt.resources",
        "bbt.extension",
    ),
    ("bbt.findings", "bbt.format"),
    ("bbt.model",),
    ("bbt.load",),
    ("bbt.calculation",),
    ("bbt.narrative",),
    ("bbt.outline",),
    ("bbt.glossary",),
    ("bbt.checks",),
    ("bbt.render", "bbt.report"),
    ("bbt.pipeline",),
    ("bbt.console",),
    ("bbt.contingent", "bbt.exchange", "bbt.preview", "bbt.set"),
    ("bbt.cli", "bbt.init", "bbt.guard", "bbt.__main__", "bbt"),
)
"""From the bottom up; a module may import its own layer and the layers below."""

MAX_FUNCTION_LINES = 80


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _rank(module: str) -> int:
    best = (-1, -1)  # (length of the matching prefix, rank)
    for rank, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best[0]:
                best = (len(name), rank)
    assert best[1] >= 0, f"{module} is in no layer of tests/test_house.py"
    return best[1]


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "bbt" or name.startswith("bbt.")]


@cache
def _sources() -> list[tuple[Path, ast.AST]]:
    """Every module of bbt, parsed once for all the tests of this file."""
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(ROOT.rglob("*.py"))]


def test_imports_only_point_down() -> None:
    climbing = []
    for path, tree in _sources():
        module = _module(path)
        for line, imported in _imports(tree):
            if _rank(imported) > _rank(module):
                climbing.append(f"bbt/{path.relative_to(ROOT)}:{line}: {module} -> {imported}")
    assert climbing == []


def test_no_function_is_longer_than_80_lines() -> None:
    long = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(
                        f"bbt/{path.relative_to(ROOT)}:{node.lineno}: {node.name} ({lines})"
                    )
    assert long == []


def _struct_fields() -> dict[str, frozenset[str]]:
    """Every msgspec Struct class of bbt (by class name) with its field names."""
    import importlib
    import pkgutil

    import msgspec

    import bbt

    found: dict[str, frozenset[str]] = {}
    for info in pkgutil.walk_packages(bbt.__path__, "bbt."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, msgspec.Struct)
                and value.__module__ == info.name
            ):
                found[value.__name__] = frozenset(value.__struct_fields__)
    return found


def test_no_code_reads_a_default_from_a_struct_class() -> None:
    # On a dataclass, ``Settings.charts`` is the default value; on a msgspec Struct it is the
    # field's descriptor, truthy and wrong. The defaults are read from an instance instead.
    fields = _struct_fields()
    assert {"Settings", "Document", "Location", "Finding"} <= set(fields)
    reads = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.attr in fields.get(node.value.id, ())
            ):
                reads.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {ast.unparse(node)}")
    assert reads == []
