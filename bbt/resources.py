"""Files shipped inside the package: the templates and the example budget.

They are package data (``bbt/templates``, ``bbt/examples``) beside this module, so a wheel
installed anywhere can build without the source tree. bbt is installed as files on disk (not
from a zip: WeasyPrint and the confined reader need real files), so each resource is a real
folder, found from this module's own path (``importlib.resources`` would cost every run of
``bbt check`` a few milliseconds of imports for the same answer).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).parent


def _folder(*parts: str) -> Path:
    return _PACKAGE.joinpath(*parts)


TEMPLATES = _folder("templates")
"""The shipped template folder (``bbt/document.html.j2``, ``contingent/overview.html.j2``)."""

EXAMPLE_NAME = "2024-sociale-economie"
EXAMPLE = _folder("examples", EXAMPLE_NAME)
"""The shipped example: the BBT Sociale Economie 2024, rebuilt from the published text."""
