"""Named rules over a loaded register; each returns findings (``BBT43x``, docs/contingent.md).

Like :mod:`bbt.checks`, every rule is a small ``check_*`` function in :data:`CHECKS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bbt.contingent.model import PROVINCES, Register
from bbt.contingent.rules.reductions import reconcile_reductions
from bbt.errors import Finding, Severity
from bbt.money import ZERO


def check_filled_not_above_allocated(register: Register) -> Iterator[Finding]:
    """BBT430: more filled than allocated is possible (over-occupation) but usually a typo."""
    for m in register.measures.values():
        for e in m.entries:
            if e.allocated is not None and e.filled is not None and e.filled > e.allocated:
                yield Finding(
                    "BBT430",
                    Severity.WARNING,
                    e.locs.get("filled", e.loc),
                    f"{m.key}, {e.period}, {e.scope_label}: filled {e.filled} is above allocated "
                    f"{e.allocated}; a fill within contingent cannot exceed 100%",
                )


def check_provinces_add_up(register: Register) -> Iterator[Finding]:
    """BBT431: the province entries of a period add up to the entry for the whole measure."""
    for m in register.measures.values():
        for whole in (e for e in m.entries if e.province is None and e.organisation is None):
            parts = [e for e in m.entries if e.period == whole.period and e.scope == "province"]
            if not parts:
                continue
            for field in ("allocated", "filled", "organisations"):
                total = getattr(whole, field)
                values = [getattr(e, field) for e in parts]
                if total is None or any(v is None for v in values):
                    continue
                summed = sum(values, ZERO)
                if summed != total:
                    yield Finding(
                        "BBT431",
                        Severity.WARNING,
                        whole.locs.get(field, whole.loc),
                        f"{m.key}, {whole.period}: {field} of the whole measure is {total}, "
                        f"the provinces add up to {summed}",
                    )


def check_reductions_match_snapshots(register: Register) -> Iterator[Finding]:
    """BBT432: a published reduction equals the drop of the contingent between the reference
    date before it and its own date (when the register has both snapshots)."""
    for m in register.measures.values():
        for r in reconcile_reductions(m):
            if r.matches is False:
                where = PROVINCES.get(r.province, r.province) if r.province else "the whole measure"
                yield Finding(
                    "BBT432",
                    Severity.WARNING,
                    r.loc,
                    f"{m.key}, {where}: reduction of {r.published} on {r.date} but the contingent "
                    f"went from {r.before} ({r.before_date}) to {r.after} ({r.date}), a drop of {r.change}",
                )


def check_reduced_organisations(register: Register) -> Iterator[Finding]:
    """BBT433: no more organisations reduced than the province had before the reduction."""
    for m in register.measures.values():
        for r in m.reductions:
            if r.organisations is None or r.province is None:
                continue
            before = [
                e
                for e in m.entries
                if e.province == r.province
                and e.scope == "province"
                and e.period.kind == "date"
                and e.period.start < r.date
                and e.organisations is not None
            ]
            if not before:
                continue
            last = max(before, key=lambda e: e.period.start)
            if last.organisations is not None and r.organisations > last.organisations:
                yield Finding(
                    "BBT433",
                    Severity.WARNING,
                    r.loc,
                    f"{m.key}, {PROVINCES[r.province]}: {r.organisations} organisations reduced on "
                    f"{r.date}, but the province had {last.organisations} on {last.period}",
                )


CHECKS: list[Callable[[Register], Iterator[Finding]]] = [
    check_filled_not_above_allocated,
    check_provinces_add_up,
    check_reductions_match_snapshots,
    check_reduced_organisations,
]


def check_register(register: Register) -> list[Finding]:
    """Run every rule of :data:`CHECKS`; findings sorted by file and line."""
    findings = [f for check in CHECKS for f in check(register)]
    return sorted(findings, key=Finding.sort_key)
