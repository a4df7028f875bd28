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

Keeping. :class:`Cache` is one kind of entry in the user's private cache folder (what each
kind holds and how entries are named: bbt/load/cache.py). It lives here, at the bottom of the
house, so that bbt/extension.py can keep what it discovered about the installed extensions.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from bbt.errors import Finding, Location, Severity, relpath

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


def unwritable(out: Path, exc: OSError) -> Finding:
    """BBT307: why an output could not be written (nothing was changed)."""
    what = exc.strerror or type(exc).__name__
    where = f" ({shown(exc.filename)})" if isinstance(exc.filename, str) else ""
    message = f"cannot write the output: {what}{where}; nothing was changed"
    return Finding("BBT307", Severity.ERROR, Location(shown(out)), message)


def write_outputs(out: Path, files: Mapping[Path, bytes], findings: list[Finding]) -> list[Path]:
    """Make the folders of ``files`` and write them as a set (:func:`write_set`); the files
    written. When that fails, BBT307 about ``out`` is added to ``findings`` and nothing is
    written: what every command that writes a build's outputs reports."""
    try:
        for folder in dict.fromkeys(target.parent for target in files):
            folder.mkdir(parents=True, exist_ok=True)
        return write_set(files)
    except OSError as exc:
        findings.append(unwritable(out, exc))
        return []


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


# -- keeping: the cache folder (what each kind of entry holds: bbt/load/cache.py) ----------


MAX_ENTRIES = 2000
"""Entries kept per kind (a few KB each): a department's texts many times over."""

_MAGIC = b"bbt-cache-1\n"
_DIGEST = 32  # bytes of a SHA-256
_PRUNE_EVERY = 50  # puts between two counts of a kind's entries
_TOUCH_AFTER = 3600  # seconds: an entry used within the hour is not marked used again (a write)


def cache_root() -> Path | None:
    """The cache folder, or None when caching is off (``BBT_NO_CACHE``)."""
    if os.environ.get("BBT_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("BBT_CACHE_DIR", "")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "bbt" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "bbt"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "bbt"


def _ours(folder: Path) -> bool:
    """Whether ``folder`` may hold code we run: created if missing, private, and ours."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except (OSError, ValueError):
        return False
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
        return False
    return os.access(folder, os.W_OK)


_SETTINGS = ("BBT_NO_CACHE", "BBT_CACHE_DIR", "XDG_CACHE_HOME")
"""The environment variables that decide where the cache is (looked at on every use)."""


@lru_cache(maxsize=32)
def _kind_folder(kind: str, *settings: str) -> str | None:
    """The folder of one kind of entry under the current settings, or None (no usable cache)."""
    root = cache_root()
    if root is None or not _ours(root):
        return None
    return os.path.join(root, kind)


T = TypeVar("T")


def module_file(name: str) -> str | None:
    """The file a top-level module or package is imported from, found without importing it
    (cache keys name a library by its files, so that a run served from the cache loads none)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    return spec.origin if spec is not None else None


class Cache:
    """One kind of entry (``jinja``, ``numbers``, ``markdown`` ...) in the cache folder."""

    def __init__(self, kind: str, limit: int = MAX_ENTRIES) -> None:
        self.kind = kind
        self.limit = limit
        self.puts = 0

    def _folder(self) -> str | None:
        environ = os.environ
        return _kind_folder(self.kind, *(environ.get(name, "") for name in _SETTINGS))

    def get(self, name: str) -> bytes | None:
        """The content of entry ``name``, or None (missing, unreadable, corrupt or foreign)."""
        folder = self._folder()
        if folder is None:
            return None
        path = os.path.join(folder, name)
        try:
            with open(path, "rb", buffering=0) as stream:  # one read, no buffer in between
                raw = stream.readall()
                used = os.fstat(stream.fileno()).st_mtime
        except (OSError, ValueError):
            return None
        head = len(_MAGIC) + _DIGEST
        payload = raw[head:]
        expected = hashlib.sha256(name.encode() + payload).digest()
        if raw[: len(_MAGIC)] != _MAGIC or raw[len(_MAGIC) : head] != expected:
            return None
        if time.time() - used > _TOUCH_AFTER:
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: kept longest when the kind is pruned
        return payload

    def remember(
        self,
        name: str,
        compute: Callable[[], T],
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
    ) -> T:
        """Entry ``name`` decoded, or else ``compute()``, stored encoded for the next run.

        An entry that does not decode (``decode`` raises: not a value of ours) is computed and
        stored again.
        """
        found = self.recall(name, decode)
        if found is not None:
            return found
        value = compute()
        self.put(name, encode(value))
        return value

    def recall(self, name: str, decode: Callable[[bytes], T]) -> T | None:
        """Entry ``name`` decoded, or None: missing, or not a value of ours (``decode`` raises)."""
        data = self.get(name)
        if data is None:
            return None
        try:
            return decode(data)
        except (ValueError, TypeError, KeyError, IndexError, EOFError, ArithmeticError):
            return None

    def put(self, name: str, payload: bytes) -> None:
        """Store ``payload`` as entry ``name``; any failure leaves the cache as it was."""
        folder = self._folder()
        if folder is None:
            return
        digest = hashlib.sha256(name.encode() + payload).digest()
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, 0o700)  # in the checked cache folder: never its parents
            handle, temp = tempfile.mkstemp(prefix=".new-", dir=folder)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(_MAGIC + digest + payload)
                os.replace(temp, os.path.join(folder, name))
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            return
        self.puts += 1
        if self.puts % _PRUNE_EVERY == 1:
            self.prune()

    def prune(self) -> None:
        """Remove the least recently used entries (to the hour) beyond :attr:`limit` (down to 3/4)."""
        folder = self._folder()
        if folder is None:
            return
        try:
            with os.scandir(folder) as entries:
                found = [(e.stat().st_mtime_ns, e.path) for e in entries if e.is_file()]
        except OSError:
            return
        if len(found) <= self.limit:
            return
        found.sort()
        for _mtime, path in found[: len(found) - self.limit * 3 // 4]:
            try:
                os.unlink(path)
            except OSError:
                continue
