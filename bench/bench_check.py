"""How long `bbt check` takes on the shipped example, against the floor of its own imports.

Run: python bench/bench_check.py [--runs N]

Each run is a fresh process (what a user or CI pays). The floor is a fresh Python that only
imports what the loader and checks import (PyYAML, jinja2, markdown-it, babel, click) and
does no work; the ratio check/floor is printed from the same run. Aim: at most 2x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = (
    "import yaml, jinja2.sandbox, markdown_it, mdit_py_plugins.footnote, "
    "babel.numbers, babel.dates, click"
)
CHECK = "from bbt.cli import main; main(['check', '-q'])"


def timed(code: str, runs: int) -> list[float]:  # float-ok: seconds, not money
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = timed("pass", args.runs)
    floor = timed(FLOOR, args.runs)
    check = timed(CHECK, args.runs)
    med = {
        name: statistics.median(t)
        for name, t in (("python", python), ("floor", floor), ("check", check))
    }
    print(f"runs per figure: {args.runs} (median, fresh processes)")
    print(f"bare python            {med['python'] * 1000:7.0f} ms")
    print(f"imports floor          {med['floor'] * 1000:7.0f} ms")
    print(f"bbt check (example)    {med['check'] * 1000:7.0f} ms")
    print(f"ratio check / floor    {med['check'] / med['floor']:7.2f}x   (aim: <= 2x)")


if __name__ == "__main__":
    main()
