"""``python -m bbt``: the same as the ``bbt`` command (the usual fallback on Windows)."""

from bbt.guard import main

main()
