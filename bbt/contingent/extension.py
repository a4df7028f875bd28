"""The contingent extension: how the register plugs into bbt (see bbt.extension).

* ``load``: ``contingenten.yaml`` beside a budget becomes ``Document.extensions["contingent"]``;
* ``rules``: the register's own checks (BBT43x) run with ``bbt check``;
* ``narrative_context``: ``contingent['cmw']['2023'].percent`` for every narrative;
* ``commands``: ``bbt contingent fill|reduce|distribute|overview``;
* ``finding_codes``: BBT4xx (docs/contingent.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bbt.extension import Extension
from bbt.resources import EXAMPLE

if TYPE_CHECKING:
    import click

    from bbt.calculation import Calculation
    from bbt.errors import Finding

REGISTER_NAME = "contingenten.yaml"
"""The register's file name inside a budget folder."""

DEFAULT_REGISTER = EXAMPLE / REGISTER_NAME
"""The shipped register: what ``bbt contingent`` uses without ``--register``."""

EXTENSION = Extension(
    name="contingent",
    summary="contingent register: fill rates, the 80% rule, redistribution",
    load="bbt.contingent.extension:load",
    rules="bbt.contingent.rule",
    narrative_context="bbt.contingent.extension:narrative_context",
    commands="bbt.contingent.extension:commands",
    finding_codes="bbt.contingent.codes:CODES",
)


def load(root: Path, findings: list[Finding]) -> object | None:
    """The budget folder's register, when it has one (its findings join the budget's)."""
    path = root / REGISTER_NAME
    if not path.is_file():
        return None
    from bbt.contingent.load import load_register

    register, found = load_register(path)
    findings.extend(found)
    return register


def narrative_context(calculation: Calculation) -> dict[str, object]:
    """``contingent['cmw']['2023'].percent``: the register's fill rates for all of Flanders."""
    from bbt.contingent.model import Register
    from bbt.contingent.rules.fill import ContingentError, fill_rate

    register = calculation.document.extensions.get("contingent")
    if not isinstance(register, Register):
        return {"contingent": {}}
    out: dict[str, dict[str, dict[str, object]]] = {}
    for measure in register.measures.values():
        for period in dict.fromkeys(e.period.text for e in measure.entries):
            try:
                rate = fill_rate(register, measure.key, period)
            except ContingentError:
                continue
            out.setdefault(measure.key, {})[period] = {
                "filled": rate.filled,
                "allocated": rate.allocated,
                "percent": rate.percent,
            }
    return {"contingent": out}


def commands() -> list[click.Command]:
    from bbt.contingent.cli import contingent

    return [contingent]
