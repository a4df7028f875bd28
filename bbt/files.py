"""Writing files so that readers never see half of a change.

Every output of bbt (a document's HTML and PDF, an import's edited articles, an export) is a
*set* of files: :func:`write_set` writes each to a temporary file beside its target and renames
them into place only when all were written, so a failure (a full disk, a refused folder)
leaves the previous files exactly as they were.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place."""
    return write_set({target: data})[0]


def write_set(files: Mapping[Path, bytes]) -> list[Path]:
    """Write several files as one change: all are renamed into place, or none is.

    Raises :class:`OSError` when a file cannot be written; then no target has changed and
    no temporary file is left behind.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in files.items():
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            staged.append((temp, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temp, 0o644)
        for temp, target in staged:
            os.replace(temp, target)
    except BaseException:
        for temp, _target in staged:
            Path(temp).unlink(missing_ok=True)
        raise
    return [target for _temp, target in staged]
