"""The preview extension: ``bbt preview`` (page images) and ``bbt serve`` (live preview)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bbt.extension import Extension

if TYPE_CHECKING:
    import click

EXTENSION = Extension(
    name="preview",
    summary="page images and a contact sheet; a live preview with figure sources",
    commands="bbt.preview.extension:commands",
)


def commands() -> list[click.Command]:
    from bbt.preview.cli import preview, serve

    return [preview, serve]
