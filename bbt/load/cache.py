"""What bbt keeps between runs: work that depends only on a text, in the user's cache folder.

Parsing a YAML file, compiling a narrative's expressions (and a template), reading the numbers
of its prose, turning its Markdown into HTML and finding the references of that HTML depend on
the text alone, and most texts do not change between two runs of ``bbt check``. Each result
is kept as one *entry* (kinds ``yaml``, ``jinja``, ``numbers``, ``markdown``, ``references``),
named by a digest of everything it depends on: the text (for YAML also the name its findings
print), the bytes of the bbt modules that compute it, the versions of Python and of the library
involved. An edited text, or another version of bbt, simply misses and is computed again.
Nothing is looked up by a file's name alone: two budgets with the same text share its entry
(a YAML file's, whose findings print its name, only where that name is the same), and a text
is never served another text's result.

Three more kinds keep work that depends on something else than one text: ``charts``
(bbt/render/kept_charts.py, by the figures drawn), ``formats`` (bbt/format.py: Babel's Dutch
strings by value and pattern, per Babel version) and ``extensions`` (bbt/extension.py: the
declarations of the installed extensions, per installation, checked against their modules).

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
Each kind of entry keeps at most :data:`MAX_ENTRIES`; past that, the least recently used go
(to the hour: reading an entry marks it used at most once an hour).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from bbt.files import MAX_ENTRIES, Cache, cache_root


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


__all__ = ["MAX_ENTRIES", "Cache", "cache_root", "fingerprint", "key"]
