"""The exchange extension: ``bbt import``, ``bbt export``, ``bbt new`` and ``bbt diff``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bbt.extension import Extension

if TYPE_CHECKING:
    import click

EXTENSION = Extension(
    name="exchange",
    summary="spreadsheet import, open-data export, next year's skeleton, budget diff",
    commands="bbt.exchange.extension:commands",
    finding_codes="bbt.exchange.codes:CODES",
)


def commands() -> list[click.Command]:
    from bbt.exchange.cli import COMMANDS

    return list(COMMANDS)
