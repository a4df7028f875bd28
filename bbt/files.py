"""Reading input files inside their folder only, and writing outputs as a set.

Reading. A budget folder and a template folder come from pull requests: they are untrusted.
:func:`read_input` is the one way bbt reads a file of such a folder. It resolves the real
path (symbolic links included) and refuses anything outside the allowed folders, anything that
is not a regular file (a named pipe would block, ``/dev/zero`` never ends), link loops and
over-long names, and it reads at most the limit plus one byte, whatever ``stat`` says. A
refusal names the file as the user wrote it, never the target of a link nor its content.

Writing. Every output of bbt (a document's HTML and PDF, an import's edited articles, an
export) is a *set* of files: :func:`write_set` writes each to a temporary file beside its
target and renames them into place only when all were written; a failure (a full disk, a
refused folder, a folder where a file should be) leaves the previous files as they were.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from bbt.errors import relpath

MAX_INPUT_BYTES = 5 * 1024 * 1024
"""A budget file or template is a few kilobytes; anything above this is a mistake (or an attack)."""

_CHUNK = 64 * 1024


class InputRefused(Exception):
    """An input file that was not read; ``reason`` says why without revealing its target or content.

    Attributes:
        path: the file as the caller named it.
        reason: one clause for a message (``it is a link to a file outside the budget folder``).
        code: the finding code: ``BBT018`` refused, ``BBT010`` unreadable or too large.
    """

    def __init__(self, path: Path, reason: str, code: str = "BBT018") -> None:
        super().__init__(f"{shown(path)}: {reason}")
        self.path = path
        self.reason = reason
        self.code = code


def shown(path: Path | str) -> str:
    """A path as users want to read it, links not followed (:func:`bbt.errors.relpath`)."""
    return relpath(path)


def exists(path: Path) -> bool:
    """Whether a name exists in its folder (a broken link counts); never raises.

    A name too long or a link loop on the way counts as existing, so that reading it says so.
    """
    try:
        os.lstat(path)
    except OSError as exc:
        return exc.errno in (errno.ENAMETOOLONG, errno.ELOOP)
    except ValueError:  # a NUL character
        return False
    return True


def _reason(exc: OSError) -> tuple[str, str]:
    """A refusal's reason and code for an error of the operating system."""
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link loop", "BBT018"
    if exc.errno == errno.ENAMETOOLONG:
        return "its name is too long", "BBT018"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "it does not exist (or is a broken link)", "BBT018"
    return f"cannot read it: {exc.strerror or 'error'}", "BBT010"


def _real(path: Path) -> Path:
    """The real path, every link resolved; raises :class:`InputRefused` when there is none."""
    try:
        return Path(os.path.realpath(path, strict=True))
    except ValueError:  # a NUL character in the name
        raise InputRefused(path, "its name contains a NUL character") from None
    except OSError as exc:
        reason, code = _reason(exc)
        raise InputRefused(path, reason, code) from None


def confine(path: Path, roots: Sequence[Path], within: str = "the budget folder") -> Path:
    """The real path of ``path`` when it lies inside one of ``roots`` (their real paths).

    Raises :class:`InputRefused` for a path outside them (a link pointing out counts), a
    broken link, a loop or an over-long name.
    """
    real = _real(path)
    allowed = [Path(os.path.realpath(root)) for root in roots]
    if not any(real == root or real.is_relative_to(root) for root in allowed):
        raise InputRefused(
            path,
            f"it lies outside {within} (through a symbolic link); bbt reads only files inside it",
        )
    return real


def _too_large(path: Path, size: int | None, limit: int) -> InputRefused:
    mib = 1024 * 1024
    bound = f"{limit // mib} MB" if limit >= mib else f"{limit:,} bytes"
    if size is None:
        amount = f"more than {bound}"
    else:
        amount = f"{size / mib:.1f} MB" if limit >= mib else f"{size:,} bytes"  # float-ok: a size
    return InputRefused(
        path,
        f"file is {amount}, above the limit of {bound} for one file; split it or check it is the right file",
        "BBT010",
    )


def read_input(
    path: Path,
    roots: Sequence[Path],
    *,
    limit: int = MAX_INPUT_BYTES,
    within: str = "the budget folder",
) -> bytes:
    """The bytes of an input file that lies inside ``roots``: at most ``limit`` of them.

    Raises :class:`InputRefused` for a file outside the roots, a special file (a folder, a
    named pipe, a device), a loop, an over-long name, an unreadable file, or one larger than
    ``limit`` (counted in bytes actually read, not in what ``stat`` claims).
    """
    real = confine(path, roots, within)
    try:
        if not stat.S_ISREG(os.stat(real).st_mode):  # before open: a pipe would block
            raise InputRefused(
                path, "it is not a regular file (a folder, a named pipe or a device)"
            )
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        handle = os.open(real, flags | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        reason, code = _reason(exc)
        raise InputRefused(path, reason, code) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):  # replaced between the two looks
            raise InputRefused(
                path, "it is not a regular file (a folder, a named pipe or a device)"
            )
        if info.st_size > limit:
            raise _too_large(path, info.st_size, limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(handle, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _too_large(path, None, limit)
        return b"".join(chunks)
    except OSError as exc:
        reason, code = _reason(exc)
        raise InputRefused(path, reason, code) from None
    finally:
        os.close(handle)


def list_inputs(
    folder: Path, suffix: str, roots: Sequence[Path], within: str = "the budget folder"
) -> list[Path]:
    """The names in ``folder`` ending in ``suffix``, sorted; links are not followed.

    The folder itself must lie inside ``roots`` (a folder that is a link pointing out is
    refused with :class:`InputRefused`); each name is then read with :func:`read_input`,
    which refuses the entries that are links out or special files.
    """
    real = confine(folder, roots, within)
    try:
        with os.scandir(real) as entries:
            names = sorted(entry.name for entry in entries if entry.name.endswith(suffix))
    except NotADirectoryError:
        raise InputRefused(folder, "it is not a folder") from None
    except OSError as exc:
        reason, code = _reason(exc)
        raise InputRefused(folder, reason, code) from None
    return [folder / name for name in names]


# -- writing -------------------------------------------------------------------------------


def write_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place."""
    return write_set({target: data})[0]


def _check_targets(files: Mapping[Path, bytes]) -> None:
    """Refuse, before anything is written, a target that is a folder or has no folder."""
    for target in files:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(target))
        if not target.parent.is_dir():
            what = "is not a folder" if target.parent.exists() else "does not exist"
            raise NotADirectoryError(errno.ENOTDIR, f"the folder {what}", str(target.parent))


def _backup(target: Path) -> str | None:
    """A second name for the current ``target`` (a hard link, else a copy), to restore it."""
    if not target.exists():
        return None
    backup = str(target.parent / f".{target.name}.{secrets.token_hex(8)}.old")
    try:
        os.link(target, backup)
    except OSError:  # a file system without hard links
        shutil.copy2(target, backup)
    return backup


def write_set(files: Mapping[Path, bytes]) -> list[Path]:
    """Write several files as one change: all are renamed into place, or none is.

    Raises :class:`OSError` when a file cannot be written; then no target has changed and
    no temporary file is left behind (renames done before a failing one are undone).
    """
    _check_targets(files)
    staged: list[tuple[str, Path]] = []
    replaced: list[tuple[str | None, Path]] = []
    backups: list[str] = []
    try:
        for target, data in files.items():
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            staged.append((temp, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temp, 0o644)
        for temp, target in staged:
            backup = _backup(target)
            if backup is not None:
                backups.append(backup)
            os.replace(temp, target)
            replaced.append((backup, target))
    except BaseException:
        _undo(replaced)
        for leftover in [temp for temp, _target in staged] + backups:
            Path(leftover).unlink(missing_ok=True)
        raise
    for backup in backups:
        Path(backup).unlink(missing_ok=True)
    return [target for _temp, target in staged]


def _undo(replaced: list[tuple[str | None, Path]]) -> None:
    """Put back what was there before each rename (nothing, or the backup); best effort."""
    for backup, target in reversed(replaced):
        try:
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        except OSError:  # keep undoing the others
            continue
