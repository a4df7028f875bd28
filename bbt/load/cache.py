"""What bbt keeps between runs: work that depends only on a text, in the user's cache folder.

Parsing a YAML file, compiling a narrative's expressions (and a template), reading the numbers
of its prose, turning its Markdown into HTML and finding the references of that HTML depend on
the text alone, and most texts do not change between two runs of ``bbt check``. Each result
is kept as one *entry* (kinds ``yaml``, ``jinja``, ``numbers``, ``markdown``, ``references``),
named by a digest of everything it depends on: the text (for YAML also the name its findings
print), the bytes of the bbt modules that compute it, the versions of Python and of the library
involved. An edited text, or another version of bbt, simply misses and is computed again.
Nothing is looked up by a file's name alone: two budgets with the same text share its entry,
and a text is never served another text's result.

Where:

* ``BBT_CACHE_DIR``, when set; else the platform's cache folder: ``$XDG_CACHE_HOME/bbt``
  (default ``~/.cache/bbt``) on Linux, ``~/Library/Caches/bbt`` on macOS,
  ``%LOCALAPPDATA%\\bbt\\Cache`` on Windows. Never inside a budget folder.
* ``BBT_NO_CACHE=1`` turns it off (nothing is read or written); so does a folder that cannot
  be created or written: the cache only ever saves time, a run without it gives the same output.

Safe by construction: an entry holds a digest over its name and its content, so a truncated,
corrupted or foreign file (another version, another key) is ignored and recomputed. Compiled
code is executed when used, so the folder must be the user's own: it is created private
(0700), and on POSIX a folder owned by someone else or writable by others is not used. Writes
go to a temporary file renamed into place, so parallel builds (``bbt build -j``) share it.
Each kind of entry keeps at most :data:`MAX_ENTRIES`; past that, the least recently used go.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

MAX_ENTRIES = 2000
"""Entries kept per kind (a few KB each): a department's texts many times over."""

_MAGIC = b"bbt-cache-1\n"
_DIGEST = 32  # bytes of a SHA-256
_PRUNE_EVERY = 50  # puts between two counts of a kind's entries


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


def fingerprint(*files: str | None, versions: str = "") -> str:
    """A digest of the code that computes an entry (module files) and of the versions in use.

    The bytes of the modules that compute a result are part of its key (a version number
    stays the same while the code changes during development), and so are Python's version
    and ``versions`` (a library's, e.g. Jinja's).
    """
    digest = hashlib.sha256(f"{sys.implementation.cache_tag}|{versions}".encode())
    for name in files:
        try:
            digest.update(Path(name).read_bytes() if name else b"-")
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def key(*parts: str) -> str:
    """The name of an entry: a digest of everything the result depends on."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


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
            with open(path, "rb") as stream:
                raw = stream.read()
        except (OSError, ValueError):
            return None
        head = len(_MAGIC) + _DIGEST
        payload = raw[head:]
        expected = hashlib.sha256(name.encode() + payload).digest()
        if raw[: len(_MAGIC)] != _MAGIC or raw[len(_MAGIC) : head] != expected:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest when the kind is pruned
        return payload

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
        """Remove the least recently used entries beyond :attr:`limit` (down to 3/4 of it)."""
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


__all__ = ["MAX_ENTRIES", "Cache", "cache_root", "fingerprint", "key"]
