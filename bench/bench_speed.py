"""Fast feedback, measured: every speed goal of bbt as a ratio taken in one run.

The floor is the one issue 15 set: a fresh Python importing what a check needed before bbt kept
its work between runs (yaml, click, jinja2, babel.numbers, markdown_it; a warm run now imports
click and jinja2 of them). Each of ``--runs`` rounds times every kind once in a fresh process
(the serve figure: edits in one warm process), the kinds one after the other. The ratio that
counts is *paired*: each kind's time over the floor's time of the same round, the median over
the rounds; a shared machine's speed moves from round to round (the floor alone between 0.19
and 0.36 s within one run), and a pair sees both at the same speed. The median seconds and
the ratio of the best runs are printed beside it. No test asserts a time; this prints them.

* ``bbt check``: the shipped example, as a user runs it (aim: at most 1.5x the floor), with
  the cache between runs (bbt/load/cache.py) as a second run finds it; ``one text edited``:
  a narrative changed before every run (its compiled code, numbers and HTML are new); ``no
  cache``: ``BBT_NO_CACHE=1``, the first run after installing or upgrading bbt;
* ``HTML-only build``: check and render the HTML, charts included, with the cache as a second
  run finds it (aim: at most 1.5x); ``one text edited`` and ``no cache`` as for the check. The
  kinds of a round run in this order: floor, check, HTML, then the edited and the uncached
  runs, so that the warm runs find what the previous round's edited runs kept;
* ``serve, narrative edit``: a warm ``bbt serve`` process rebuilds after a saved edit of one
  narrative (aim: within 2x the floor, ideally 0.1 s);
* ``PDF per page``: our whole build per page of the example, against bare WeasyPrint per page
  of a plain reference document (headings, paragraphs, 7-column tables, footnotes) that
  bench/generate.py writes, rendered with the same fonts (aim: at most 1.0x, ideally 0.8x);
* with ``--instructions``: the instructions each of the floor, ``bbt check`` and the HTML-only
  build runs, counted by valgrind (``--tool=callgrind``, needs ``apt-get install valgrind``),
  and their ratios. A count does not move with the machine's load: it tells whether a change
  made the work smaller when the clock is too noisy to say. It is not a time: the floor spends
  more of its time waiting for files (Babel's locale data) than bbt does;
* with ``--scale``: the example ten times over (bench/generate.py: 80 articles, 350 pages)
  and a set of 29 generated documents built with ``-j 2`` (bench/bench_set.py): pages per
  second and peak memory (the largest resident set of the build and its worker processes).

As an installed bbt is, the package is byte-compiled first (``compileall``: a checkout run
with ``PYTHONDONTWRITEBYTECODE`` would compile every module on every start). The cache lives
in the run's temporary folder (``BBT_CACHE_DIR``), never in the user's.

Usage::

    python bench/bench_speed.py [--runs 5] [--instructions] [--scale]
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "bbt" / "examples" / "2024-sociale-economie"
EDITED = Path("text") / "articles" / "JB0-1JEC2HA-WT.toelichting.md"
FLOOR = "import yaml, click, jinja2, babel.numbers, markdown_it"
CHECK = "from bbt.cli import main; main(['check', '-q', {budget!r}])"
HTML = "from bbt.pipeline import build; build({budget!r}, {out!r}, ('html',))"
FULL = "from bbt.pipeline import build; build({budget!r}, {out!r}, ('html', 'pdf'))"
BARE = """
import warnings
warnings.simplefilter("ignore")
from weasyprint import CSS, HTML
HTML(filename={html!r}).write_pdf(
    {pdf!r}, stylesheets=[CSS(filename={css!r})], pdf_variant="pdf/ua-1"
)
"""
PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

Seconds = float  # float-ok: timings, never money


def fresh(code: str, **env: str) -> Seconds:
    """Wall clock of a fresh Python running ``code`` (start-up and imports included)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    return time.perf_counter() - start


def instructions(code: str) -> int:
    """Instructions a fresh Python runs for ``code`` (start-up and imports included)."""
    valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={os.devnull}"]
    done = subprocess.run(
        [*valgrind, sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def counted(budget: Path, tmp: Path) -> str:
    """The instruction counts of the floor, a check and an HTML-only build (cache warm)."""
    floor = instructions(FLOOR)
    check = instructions(CHECK.format(budget=str(budget)))
    html = instructions(HTML.format(budget=str(budget), out=str(tmp / "html")))
    return (
        f"instructions (valgrind): floor {floor / 1e6:.0f} M; bbt check {check / 1e6:.0f} M = "
        f"{check / floor:.2f}x; HTML-only build {html / 1e6:.0f} M = {html / floor:.2f}x"
    )


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf.read_bytes())).pages)


class Edits:
    """Appends a new sentence to one narrative of ``budget`` before each run it times."""

    def __init__(self, budget: Path) -> None:
        self.text = budget / EDITED
        self.original = self.text.read_text(encoding="utf-8")
        self.count = 0

    def next(self) -> None:
        self.count += 1
        self.text.write_text(self.original + f"\nAanvulling {self.count}.\n", encoding="utf-8")

    def restore(self) -> None:
        self.text.write_text(self.original, encoding="utf-8")


def serve_edits(budget: Path, runs: int) -> list[Seconds]:
    """Seconds from saving a narrative edit to the new page, in one warm serve process."""
    sys.path.insert(0, str(ROOT))
    from bbt.preview.serve import LiveDocument

    live = LiveDocument(budget)
    live.rebuild()  # the first build: what `bbt serve` does before it listens
    edits = Edits(budget)
    times = []
    for _ in range(runs):
        edits.next()
        start = time.perf_counter()
        live.rebuild()
        times.append(time.perf_counter() - start)
        assert live.ok and f"Aanvulling {edits.count}." in live.page
    edits.restore()
    return times


def alternate(kinds: dict[str, Callable[[], Seconds]], runs: int) -> dict[str, list[Seconds]]:
    times: dict[str, list[Seconds]] = {name: [] for name in kinds}
    for _ in range(runs):
        for name, run in kinds.items():
            times[name].append(run())
    return times


def peak(command: list[str]) -> tuple[Seconds, int]:
    """Seconds and peak resident megabytes of ``command`` with every process it starts."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *command], cwd=ROOT, check=True, capture_output=True
    )
    return time.perf_counter() - start, int(done.stdout) // 1024


def scale(tmp: Path) -> list[str]:
    """The example ten times over, and a set of 29 documents with -j 2."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_set import generate
    from generate import scaled_example

    big = scaled_example(tmp / "scaled", copies=10)
    command = [sys.executable, "-m", "bbt", "build", str(big), "-o", str(tmp / "scaled-out")]
    seconds, megabytes = peak(command)
    n = pages(tmp / "scaled-out" / "scaled.pdf")
    lines = [
        f"10x example (80 articles): {n} pages in {seconds:.1f} s = {n / seconds:.1f} pages/s, "
        f"peak {megabytes} MB"
    ]
    government = generate(tmp / "set", 29)
    out = tmp / "set-out"
    command = [sys.executable, "-m", "bbt", "build", str(government), "-o", str(out), "-j", "2"]
    seconds, megabytes = peak(command)
    total = sum(pages(p) for p in out.glob("*.pdf"))
    lines.append(
        f"set of 29 documents, -j 2: {total} pages in {seconds:.0f} s = "
        f"{total / seconds:.1f} pages/s, peak {megabytes} MB (largest process)"
    )
    return lines


def quick_kinds(budget: Path, tmp: Path, edits: Edits) -> dict[str, Callable[[], Seconds]]:
    check = CHECK.format(budget=str(budget))
    html = HTML.format(budget=str(budget), out=str(tmp / "html"))

    def edited(code: str) -> Callable[[], Seconds]:
        def run() -> Seconds:
            edits.next()
            return fresh(code)

        return run

    return {
        "floor": lambda: fresh(FLOOR),
        "check": lambda: fresh(check),
        "html": lambda: fresh(html),
        "check_edited": edited(check),
        "html_edited": edited(html),
        "check_cold": lambda: fresh(check, BBT_NO_CACHE="1"),
        "html_cold": lambda: fresh(html, BBT_NO_CACHE="1"),
    }


def report(timed: dict[str, list[Seconds]], ours_pages: int, bare_pages: int, runs: int) -> None:
    med = {k: statistics.median(v) for k, v in timed.items()}
    best = {k: min(v) for k, v in timed.items()}
    floor = timed["floor"]
    # Each round times every kind once, one after the other: a kind's time over the floor's of
    # the same round compares them at the same machine speed, which moves from round to round.
    paired = {
        k: statistics.median(t / f for t, f in zip(timed[k], floor, strict=True))
        for k in ("check", "check_edited", "check_cold", "html", "html_edited", "html_cold")
    }
    print(
        f"{runs} rounds, fresh processes, kinds alternated; floor {med['floor']:.3f} s (median), "
        f"{best['floor']:.3f} s (best)"
    )
    print(f"{'':26s}{'median':>7s}  {'paired':>6s}  {'best':>6s}  (ratios to the floor)")
    rows = [
        ("bbt check", "check", "1.5"),
        ("  one text edited", "check_edited", ""),
        ("  no cache", "check_cold", ""),
        ("HTML-only build", "html", "1.5"),
        ("  one text edited", "html_edited", ""),
        ("  no cache", "html_cold", ""),
        ("serve, narrative edit", "serve", "2"),
    ]
    for label, kind, aim in rows:
        goal = f"  (aim <= {aim})" if aim else ""
        ratio = paired.get(kind, med[kind] / med["floor"])
        print(
            f"{label:26s}{med[kind]:6.3f}s  {ratio:5.2f}x  {best[kind] / best['floor']:5.2f}x{goal}"
        )
    ours, bare = med["full"] / ours_pages, med["bare"] / bare_pages
    print(
        f"PDF per page              {ours:6.3f} s/page ({ours_pages} pages) vs bare "
        f"WeasyPrint {bare:.3f} s/page ({bare_pages} pages): {ours / bare:.2f}x (aim <= 1.0)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions (needs valgrind)"
    )
    parser.add_argument("--scale", action="store_true", help="also the 10x and 29-document runs")
    options = parser.parse_args()
    compileall.compile_dir(ROOT / "bbt", quiet=1)
    with tempfile.TemporaryDirectory(prefix="bbt-speed-") as name:
        tmp = Path(name)
        os.environ["BBT_CACHE_DIR"] = str(tmp / "cache")  # this run's, inherited by every child
        budget = Path(shutil.copytree(EXAMPLE, tmp / "2024-sociale-economie"))
        sys.path.insert(0, str(ROOT / "bench"))
        from generate import reference_html

        reference = tmp / "reference.html"
        reference.write_text(reference_html(40), encoding="utf-8")
        css = str(ROOT / "bbt" / "templates" / "bbt" / "pdf.css")
        fresh(HTML.format(budget=str(budget), out=str(tmp / "html")))  # fills the cache
        edits = Edits(budget)
        quick = alternate(quick_kinds(budget, tmp, edits), options.runs)
        edits.restore()
        slow = alternate(
            {
                "full": lambda: fresh(FULL.format(budget=str(budget), out=str(tmp / "full"))),
                "bare": lambda: fresh(
                    BARE.format(html=str(reference), pdf=str(tmp / "bare.pdf"), css=css)
                ),
            },
            max(1, options.runs // 2),
        )
        serve = serve_edits(budget, options.runs)
        ours_pages, bare_pages = pages(tmp / "full" / f"{budget.name}.pdf"), pages(tmp / "bare.pdf")
        extra = [counted(budget, tmp)] if options.instructions else []
        extra += scale(tmp) if options.scale else []
    report({**quick, **slow, "serve": serve}, ours_pages, bare_pages, options.runs)
    for line in extra:
        print(line)


if __name__ == "__main__":
    main()
