"""Extensions: how contingents, exchange, previews and a department's own rules plug in.

The core never names an extension. An extension is an :class:`Extension` published under
the entry-point group ``bbt.extensions`` of an installed package (bbt's own are declared in
its pyproject.toml)::

    [project.entry-points."bbt.extensions"]
    contingent = "bbt.contingent.extension:EXTENSION"

Each hook is optional, and each is a dotted name (``module:function``) imported only when
the hook is used, so ``bbt check`` pays nothing for a command it does not run:

* ``load(root, findings) -> data | None``: extra data beside a budget (a file of its own in
  the budget folder); the result is kept in ``Document.extensions[name]``;
* ``rules``: a module whose import registers check rules (``@bbt.checks.rule``);
* ``narrative_context(calculation) -> dict``: extra names every narrative may use;
* ``commands() -> list[click.Command]``: extra ``bbt`` commands;
* ``check_path(path, fmt, strict, quiet, fix) -> int | None`` and
  ``build_path(path, options: bbt.pipeline.BuildOptions) -> int | None``: a kind of folder the
  extension takes over from ``bbt check`` and ``bbt build`` (a set of budgets); None when the
  path is not its kind, else the exit status. A budget folder (one with a ``bbt.yaml``) is
  always the core's: these hooks are not asked about it;
* ``finding_codes``: the codes it reports, with their docs (docs/findings.md is tested
  against them).

Extensions run with the rights of bbt itself: they are installed packages, never files of a
budget folder (which comes from pull requests and is untrusted).

Finding them is kept between runs: reading every installed package's entry points (and
importing :mod:`importlib.metadata` to do so) costs about 40 ms, more than some whole checks.
The first run records each extension's declaration in the user's cache folder (bbt.files
:class:`~bbt.files.Cache`, kind ``extensions``), named by the folders of ``sys.path`` with their
modification times (installing, upgrading or removing a package changes its folder); a record
is used only while every declaring module is unchanged (its size and modification time), so
an edited ``EXTENSION`` is read again. ``BBT_NO_CACHE=1`` reads the entry points every run.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import msgspec

from bbt.files import Cache

GROUP = "bbt.extensions"


class Extension(msgspec.Struct, frozen=True):
    """A plug-in; every hook is a ``module:attribute`` name, imported when used.

    Attributes:
        name: short name, also the key of its data in ``Document.extensions``.
        summary: one line for ``bbt --help`` and the docs.
        load: ``(root: Path, findings: list[Finding]) -> object | None``.
        rules: a module that registers check rules when imported.
        narrative_context: ``(calculation) -> dict[str, object]``.
        commands: ``() -> list[click.Command]``.
        check_path / build_path: ``bbt check`` / ``bbt build`` of a folder it recognises.
        finding_codes: ``module:attribute`` of a sequence of :class:`bbt.findings.Code`.
    """

    name: str
    summary: str = ""
    load: str = ""
    rules: str = ""
    narrative_context: str = ""
    commands: str = ""
    check_path: str = ""
    build_path: str = ""
    finding_codes: str = ""

    def hook(self, name: str) -> Any:
        """The object a hook names (None when the extension has no such hook)."""
        target: str = getattr(self, name)
        if not target:
            return None
        module, _, attribute = target.partition(":")
        loaded = importlib.import_module(module)
        return getattr(loaded, attribute) if attribute else loaded


@cache
def extensions() -> tuple[Extension, ...]:
    """The installed extensions, ordered by name (so every run sees them in the same order)."""
    name = _record_name()
    found = _RECORD.recall(name, _recorded)
    if found is None:
        declared = _discovered()
        if all(type(extension) is Extension for extension, _source in declared):
            _RECORD.put(name, _record_of(declared))  # a subclass may behave otherwise: not kept
        found = tuple(extension for extension, _source in declared)
    return found


_RECORD = Cache("extensions", limit=50)
"""What the last discovery found, per installation (see the module's doc)."""


def _discovered() -> list[tuple[Extension, str]]:
    """The extensions the entry points declare, by name, with the file of each declaring module."""
    from importlib.metadata import entry_points

    found = []
    for point in entry_points(group=GROUP):
        extension = point.load()
        if isinstance(extension, Extension):
            source = getattr(sys.modules.get(point.module), "__file__", None)
            found.append((extension, source or ""))
    return sorted(found, key=lambda pair: pair[0].name)


def _stamp(path: str) -> list[int]:
    """What changes when a file or folder changes: its modification time and size."""
    try:
        info = os.stat(path)
    except OSError:
        return []
    return [info.st_mtime_ns, info.st_size]


def _record_name() -> str:
    """The record's name: this Python, this bbt and every folder entry points are read from."""
    here = [sys.implementation.cache_tag, *_stamp(__file__)]
    folders = [[entry, *_stamp(entry or ".")] for entry in sys.path]
    return hashlib.sha256(json.dumps([GROUP, here, folders]).encode()).hexdigest()


def _record_of(declared: list[tuple[Extension, str]]) -> bytes:
    """Each extension's fields with the file and stamp of the module that declares it."""
    rows = [
        {"fields": msgspec.structs.asdict(extension), "source": [source, *_stamp(source)]}
        for extension, source in declared
    ]
    return json.dumps(rows, sort_keys=True).encode()


def _recorded(record: bytes) -> tuple[Extension, ...] | None:
    """The recorded extensions, or None when a declaring module changed (an odd record raises,
    and :meth:`~bbt.files.Cache.recall` takes that as missing)."""
    found: list[Extension] = []
    for row in json.loads(record):
        source, *stamp = row["source"]
        if not source or _stamp(source) != stamp:
            return None
        found.append(Extension(**row["fields"]))
    return tuple(found)


def hooks(name: str) -> Sequence[tuple[Extension, Callable[..., Any]]]:
    """Every extension's ``name`` hook, with the extension it belongs to."""
    out = []
    for extension in extensions():
        hook = extension.hook(name)
        if hook is not None:
            out.append((extension, hook))
    return out


def lazy_exports(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A package's ``__getattr__`` (PEP 562) that imports each public name from its module
    when first used: ``bbt check`` imports an extension's package to reach its hooks, and
    needs few of the names the package offers.

    Use in the package's ``__init__.py``: ``__getattr__ = lazy_exports(__name__, {name: module})``.
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(home), name)

    return __getattr__


__all__ = ["GROUP", "Extension", "extensions", "hooks", "lazy_exports"]
