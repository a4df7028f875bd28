"""The ``bbt`` entry point: no traceback ever reaches a user.

:func:`main` runs the click CLI (:data:`bbt.cli.main`). Mistakes in the data are findings
long before this; what reaches it is the machine saying no or a bug:

* an :class:`OSError` (a full disk, a folder that may not be written, a path that is a folder)
  becomes one line naming the file and the reason, exit status 1;
* any other exception one line, "internal error ... please report", exit status 70
  (``EX_SOFTWARE`` of sysexits.h);
* with ``BBT_DEBUG`` set (to anything) the traceback is shown instead, for whoever fixes it.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

EXIT_INTERNAL = 70
"""Exit status of an internal error (``EX_SOFTWARE``)."""


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc.filename, str):
        return f"bbt: error: {exc.filename}: {reason}"
    return f"bbt: error: {reason}"


def main(argv: list[str] | None = None) -> NoReturn:
    """Run ``bbt`` with ``argv`` (default: the command line) and exit."""
    from bbt.cli import main as cli

    try:
        cli.main(args=argv, prog_name="bbt")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("bbt: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("BBT_DEBUG"):
            raise
        if isinstance(exc, OSError):
            print(_os_error(exc), file=sys.stderr)
            sys.exit(1)
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        print(
            f"bbt: internal error ({type(exc).__name__}{': ' + detail if detail else ''}); "
            "please report it with the command you ran (BBT_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(0)


__all__ = ["EXIT_INTERNAL", "main"]
