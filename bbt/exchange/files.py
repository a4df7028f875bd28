"""Write a set of files together: all of them appear, or none does.

Every file is first written to a temporary file beside its target; only when all of them are
complete are they renamed into place. A failure while writing (a full disk, a folder that is
not writable, a target that is a folder) removes the temporaries and the folders this call
created, and leaves every target as it was. Should a rename fail half-way (rare: the
temporaries sit in the targets' own folders), the targets already replaced get their old
content back.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from bbt.errors import Location, relpath
from bbt.exchange import ExchangeError, error


def _fill(handle: int, data: bytes) -> None:
    """Write all of ``data`` to an open file descriptor (a seam for disk-full tests)."""
    view = memoryview(data)
    while view:
        written = os.write(handle, view)
        view = view[written:]


def _refuse(target: Path, message: str) -> ExchangeError:
    return ExchangeError([error("BBT515", Location(relpath(target)), message)])


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _make_parents(folder: Path, created: list[Path]) -> None:
    """Create ``folder`` and missing parents, remembering which ones this call made."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        if probe.is_symlink():  # a dangling link: never create through it
            raise _refuse(folder, f"cannot write into {relpath(folder)}: a broken link")
        missing.append(probe)
        probe = probe.parent
    if not probe.is_dir():
        raise _refuse(folder, f"cannot write into {relpath(folder)}: {relpath(probe)} is a file")
    for path in reversed(missing):
        try:
            path.mkdir()
        except OSError as exc:
            raise _refuse(
                path, f"cannot create the folder {relpath(path)}: {_reason(exc)}"
            ) from None
        created.append(path)


def _write_temp(target: Path, data: bytes, mode: int) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(name)
    try:
        try:
            _fill(handle, data)
        finally:
            os.close(handle)
        os.chmod(temp, mode)  # after closing: os.fchmod does not exist on Windows
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _cleanup(temps: list[Path], created: list[Path]) -> None:
    for temp in temps:
        temp.unlink(missing_ok=True)
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def write_files(files: Mapping[Path, bytes]) -> list[Path]:
    """Write every ``path: data`` of ``files`` as one set; raise ExchangeError (BBT515).

    Returns the targets in the order given. Existing targets keep their permissions; new
    files get ``rw-r--r--``.
    """
    created: list[Path] = []
    temps: list[Path] = []
    try:
        staged: list[tuple[Path, Path, bytes | None]] = []
        for target, data in files.items():
            if target.is_dir():
                raise _refuse(target, f"cannot write {relpath(target)}: it is a folder")
            _make_parents(target.parent, created)
            old = target.read_bytes() if target.is_file() else None
            mode = target.stat().st_mode & 0o777 if old is not None else 0o644
            try:
                temp = _write_temp(target, data, mode)
            except OSError as exc:
                raise _refuse(target, f"cannot write {relpath(target)}: {_reason(exc)}") from None
            temps.append(temp)
            staged.append((temp, target, old))
    except ExchangeError:
        _cleanup(temps, created)
        raise
    except OSError as exc:  # reading an old target, stat
        _cleanup(temps, created)
        raise _refuse(Path(exc.filename or "."), f"cannot write: {_reason(exc)}") from None
    _rename_all(staged)
    return list(files)


def _rename_all(staged: list[tuple[Path, Path, bytes | None]]) -> None:
    done: list[tuple[Path, bytes | None]] = []
    for temp, target, old in staged:
        try:
            os.replace(temp, target)
        except OSError as exc:
            for rest, _, _ in staged:
                rest.unlink(missing_ok=True)
            for path, content in reversed(done):
                with contextlib.suppress(OSError):
                    if content is None:
                        path.unlink()
                    else:
                        restored = _write_temp(path, content, path.stat().st_mode & 0o777)
                        os.replace(restored, path)
            raise _refuse(target, f"cannot write {relpath(target)}: {_reason(exc)}") from None
        done.append((target, old))


__all__ = ["write_files"]
