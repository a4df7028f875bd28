"""The set extension: ``bbt check SET`` and ``bbt build SET`` of a folder of budgets."""

from __future__ import annotations

from bbt.extension import Extension

EXTENSION = Extension(
    name="set",
    summary="the government's set: many BBTs checked and built as one unit, one overview",
    check_path="bbt.set.cli:check_path",
    build_path="bbt.set.cli:build_path",
    finding_codes="bbt.set.codes:CODES",
)
