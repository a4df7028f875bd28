"""``bbt check --fix``: bind literal numbers in the prose to the data they equal.

A pasted text says ``580.966 keuro``; when that equals a figure of its section, the number is
replaced by the expression that cites it (``{{ vak.ba }} keuro``), so it can never drift from
the data again. Numbers that match nothing are left alone (``bbt check`` reports them). The
change is shown as a unified diff first; with ``write=False`` nothing is changed.

Only bindings that render the very same text are made:

* amounts in keuro (``keuro``, ``k€``, ``duizend euro``, ``24.016 VAK``) become the figure
  (``{{ vak.ba }}``); amounts in euro written in full (``552.289.000 euro``) become the figure
  times 1000 (``{{ vak.bu * 1000 }}``), when they equal it exactly;
* a utilisation claim written ``93,9%`` becomes ``{{ vak.benutting }}``;
* rounded amounts (``552,3 miljoen euro``), ``93,9 procent`` and bounds or estimates
  (``ruim 550 miljoen euro``) stay as typed: an expression would print a different text.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from bbt.checks.figures import DataFigure, fits, flatten, rank, required_credits, utilisations
from bbt.checks.numbers import read_numbers
from bbt.checks.stated import Stated
from bbt.files import write_atomic
from bbt.money import Percent
from bbt.outline import Outline


def _pick_rate(paths: list[str], stated: Stated) -> str:
    """Among equal utilisations prefer the credit type the sentence ties the number to."""
    window = (stated.credit + " " + stated.context[-60:] + " ").upper()
    for credit in ("VEK", "VAK"):
        if credit in window:
            preferred = [p for p in paths if f"{credit.lower()}.benutting" in p]
            if preferred:
                return min(preferred, key=len)
    return sorted(paths, key=len)[0]


def _expression(path: str, negate: bool, times: str = "") -> str:
    return "{{ " + ("-" if negate else "") + path + times + " }}"


def _binding(
    stated: Stated, line: str, figures: list[DataFigure], rates: list[tuple[str, Percent]]
) -> tuple[int, str] | None:
    """The end column and expression that replace a stated number, or None to leave it."""
    if stated.approximate:
        return None
    if stated.kind == "percent":
        # A utilisation claim that equals a computed utilisation becomes its expression.
        match = [p for p, r in rates if r.rounded(stated.decimals) == stated.value]
        if not stated.utilisation or not match or stated.decimals != 1 or stated.unit != "%":
            return None
        return line.index("%", stated.end) + 1, _expression(_pick_rate(match, stated), False)
    times = {Decimal(1): "", Decimal("0.001"): " * 1000"}.get(stated.scale)
    if times is None or stated.quantum != stated.scale:
        return None  # rounded (miljoen euro) or with decimals: the expression would print otherwise
    credit = required_credits(stated)[0]
    equal = [f for f in figures if abs(f.value) == abs(stated.value) and fits(stated, f, credit)]
    if not equal:
        return None
    best = rank(equal, stated)[0]
    return stated.end, _expression(best.path, (best.value < 0) != (stated.value < 0), times)


def fix_numbers(outline: Outline, write: bool = True, echo: Callable[[str], None] = print) -> int:
    """Rewrite bindable literal amounts in every narrative; return how many were bound."""
    # file -> line number -> list of (old line text, replacements (start, end, new text))
    edits: dict[str, dict[int, tuple[str, list[tuple[int, int, str]]]]] = defaultdict(dict)
    count = 0
    year = outline.calculation.document.year
    for piece in outline.texts():
        narrative = piece.narrative
        if not narrative or not narrative.loc.line:
            continue
        figures = list(flatten(piece.local))
        lines = narrative.source.splitlines()
        rates = list(utilisations(piece.local))
        for stated in read_numbers(narrative.source, year):
            old = lines[stated.line - 1]
            binding = _binding(stated, old, figures, rates) if stated.kind else None
            if binding is None:
                continue
            end, expression = binding
            file_line = narrative.loc.line + stated.line - 1
            entry = edits[narrative.loc.file].setdefault(file_line, (old, []))
            entry[1].append((stated.start, end, expression))
            count += 1
    for file, by_line in sorted(edits.items()):
        _apply(Path(file), by_line, write, echo)
    return count


def _apply(
    path: Path,
    by_line: dict[int, tuple[str, list[tuple[int, int, str]]]],
    write: bool,
    echo: Callable[[str], None],
) -> None:
    """Show the diff of one file's replacements and, with ``write``, make them (atomically)."""
    before = path.read_text(encoding="utf-8").splitlines(keepends=True)
    after = list(before)
    for number, (old, replacements) in by_line.items():
        new = old
        for start, end, text in sorted(replacements, reverse=True):
            new = new[:start] + text + new[end:]
        current = after[number - 1]
        body = current.rstrip("\n")
        if not body.endswith(old):
            continue  # the file changed under us; leave the line alone
        after[number - 1] = body[: len(body) - len(old)] + new + current[len(body) :]
    diff = difflib.unified_diff(before, after, fromfile=f"a/{path}", tofile=f"b/{path}")
    echo("".join(diff).rstrip("\n"))
    if write and after != before:
        write_atomic(path, "".join(after).encode("utf-8"))
