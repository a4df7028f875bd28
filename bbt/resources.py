"""Files shipped inside the package: the templates and the example budget.

They are package data (``bbt/templates``, ``bbt/examples``), found with
:mod:`importlib.resources`, so a wheel installed anywhere can build without the source tree.
bbt is installed as files on disk (not from a zip), so each resource is a real folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _folder(*parts: str) -> Path:
    return Path(str(files("bbt").joinpath(*parts)))


TEMPLATES = _folder("templates")
"""The shipped template folder (``bbt/document.html.j2``, ``contingent/overview.html.j2``)."""

EXAMPLE_NAME = "2024-sociale-economie"
EXAMPLE = _folder("examples", EXAMPLE_NAME)
"""The shipped example: the BBT Sociale Economie 2024, rebuilt from the published text."""
