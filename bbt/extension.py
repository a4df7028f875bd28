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
  ``build_path(path, out_dir, formats, templates, jobs) -> int | None``: a kind of folder the
  extension takes over from ``bbt check`` and ``bbt build`` (a set of budgets); None when the
  path is not its kind, else the exit status;
* ``finding_codes``: the codes it reports, with their docs (docs/findings.md is tested
  against them).

Extensions run with the rights of bbt itself: they are installed packages, never files of a
budget folder (which comes from pull requests and is untrusted).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

GROUP = "bbt.extensions"


@dataclass(frozen=True)
class Extension:
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
    found = []
    for point in entry_points(group=GROUP):
        extension = point.load()
        if isinstance(extension, Extension):
            found.append(extension)
    return tuple(sorted(found, key=lambda e: e.name))


def hooks(name: str) -> Sequence[tuple[Extension, Callable[..., Any]]]:
    """Every extension's ``name`` hook, with the extension it belongs to."""
    out = []
    for extension in extensions():
        hook = extension.hook(name)
        if hook is not None:
            out.append((extension, hook))
    return out


__all__ = ["GROUP", "Extension", "extensions", "hooks"]
