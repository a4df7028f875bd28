"""Why an expression cites nothing, in the document's words (BBT202).

Jinja says "'dict object' has no attribute 'index_apr24'"; a budget officer needs "this
article has no movement with id index_apr24 (its movements: index_jan25, digitale_...)".
:func:`unknown_data` finds the expression of the failing line whose name does not exist, walks
its path through the text's context and says which step is missing and what exists instead.
"""

from __future__ import annotations

import re

from bbt.errors import did_you_mean

_EXPRESSION = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
_PATH = re.compile(
    r"[A-Za-z_]\w*(?:\s*(?:\.\s*[A-Za-z_]\w*|\[\s*(?:'[^']*'|\"[^\"]*\"|\d+)\s*\]))*"
)
_STEP = re.compile(r"\.\s*([A-Za-z_]\w*)|\[\s*(?:'([^']*)'|\"([^\"]*)\"|(\d+))\s*\]")
_KEYWORDS = frozenset(
    {
        "if",
        "else",
        "elif",
        "endif",
        "for",
        "endfor",
        "in",
        "not",
        "and",
        "or",
        "is",
        "set",
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        "loop",
    }
)

# What a missing child of a name means, in words: ``mv.<id>`` is a movement of the article.
_KINDS = {
    "mv": "this article has no movement with id {name!r}",
    "figures": "this article has no figure {name!r} under `figures:`",
    "art": "this document has no article {name}",
    "ises": "this document has no ISE {name!r}",
    "rows": "the ISE table has no row {name!r}",
    "accruals": "this article has no accruals in {name}",
    "contingent": "the contingent register has no measure {name!r}",
}


def _path(expression: str) -> list[str]:
    head = re.match(r"[A-Za-z_]\w*", expression)
    if head is None:
        return []
    steps = [head.group(0)]
    for match in _STEP.finditer(expression, head.end()):
        steps.append(next(g for g in match.groups() if g is not None))
    return steps


def _missing(steps: list[str], context: dict[str, object]) -> tuple[int, object] | None:
    """The index of the first step that does not exist, and the value it was looked up in."""
    node: object = context
    for n, step in enumerate(steps):
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, dict):
            return n, node
        else:
            return None  # a method or attribute of a value: not a name of the data
    return None


def _say(steps: list[str], n: int, node: dict[object, object]) -> str:
    name, known = steps[n], sorted(str(k) for k in node)
    hint = did_you_mean(name, known)
    listing = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    if n == 0:
        return f"{name!r} is not a name this text may use{hint} (names here: {listing})"
    parent = ".".join(steps[:n])
    have = f" (there is: {listing})" if known else " (there is none)"
    if steps[n - 1] in _KINDS:
        return _KINDS[steps[n - 1]].format(name=name) + (hint or have)
    if n >= 2 and steps[n - 2] == "contingent":
        return f"the contingent register has no {steps[n - 1]} figures of {name!r}{hint or have}"
    return f"{parent} has no {name!r}{hint or have}"


def unknown_data(source: str, line: int, context: dict[str, object]) -> str | None:
    """What an expression on ``line`` (1-based) of ``source`` cites that does not exist."""
    lines = source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else source
    for match in _EXPRESSION.finditer(text):
        expression = (match.group(1) or match.group(2) or "").strip()
        for candidate in _PATH.finditer(expression):
            steps = _path(candidate.group(0))
            if not steps or steps[0] in _KEYWORDS:
                continue
            found = _missing(steps, context)
            if found is not None:
                n, node = found
                assert isinstance(node, dict)
                return f"{match.group(0).strip()}: {_say(steps, n, node)}"
    return None
