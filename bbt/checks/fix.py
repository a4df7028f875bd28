"""``bbt check --fix``: bind literal numbers in the prose to the data they equal.

A pasted text says ``580.966 keuro``; when that equals a figure of its section, the number is
replaced by the expression that cites it (``{{ vak.ba }} keuro``), so it can never drift from
the data again. Numbers that match nothing are left alone (``bbt check`` reports them). The
change is shown as a unified diff first; with ``write=False`` nothing is changed.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from bbt.calc import Calculation
from bbt.checks.numbers import Stated, flatten, rank, stated_numbers, utilisations
from bbt.pipeline import write_atomic
from bbt.render.narrative import pieces


def _pick_rate(paths: list[str], stated: Stated) -> str:
    """Among equal utilisations prefer the credit type named near the number."""
    window = (stated.context[-60:] + " ").upper()
    for credit in ("VEK", "VAK"):
        if credit in window:
            preferred = [p for p in paths if f"{credit.lower()}.benutting" in p]
            if preferred:
                return min(preferred, key=len)
    return sorted(paths, key=len)[0]


def _expression(path: str, negate: bool) -> str:
    return "{{ " + ("-" if negate else "") + path + " }}"


def fix_numbers(calc: Calculation, write: bool = True, echo: Callable[[str], None] = print) -> int:
    """Rewrite bindable literal amounts in every narrative; return how many were bound."""
    # file -> line number -> list of (old line text, replacements (start, end, new text))
    edits: dict[str, dict[int, tuple[str, list[tuple[int, int, str]]]]] = defaultdict(dict)
    count = 0
    for piece in pieces(calc):
        narrative = piece.narrative
        if not narrative or not narrative.loc.line:
            continue
        figures = list(flatten(piece.local))
        lines = narrative.source.splitlines()
        rates = list(utilisations(piece.local))
        for stated in stated_numbers(narrative.source):
            old = lines[stated.line - 1]
            end = stated.end
            if stated.kind == "percent":
                # A utilisation claim that equals a computed utilisation becomes its expression.
                places = len(stated.text.split(",")[1]) if "," in stated.text else 0
                match = [p for p, r in rates if r.rounded(places) == stated.value]
                if not stated.utilisation or not match or places != 1:
                    continue
                expression = _expression(_pick_rate(match, stated), False)
                end = old.index("%", stated.end) + 1
            else:
                equal = [f for f in figures if abs(f.value) == abs(stated.value)]
                if not equal:
                    continue
                best = rank(equal, stated)[0]
                expression = _expression(best.path, (best.value < 0) != (stated.value < 0))
            file_line = narrative.loc.line + stated.line - 1
            entry = edits[narrative.loc.file].setdefault(file_line, (old, []))
            entry[1].append((stated.start, end, expression))
            count += 1
    for file, by_line in sorted(edits.items()):
        path = Path(file)
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
        diff = difflib.unified_diff(before, after, fromfile=f"a/{file}", tofile=f"b/{file}")
        echo("".join(diff).rstrip("\n"))
        if write and after != before:
            write_atomic(path, "".join(after).encode("utf-8"))
    return count
