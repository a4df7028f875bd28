"""Fast feedback, measured: every speed goal of bbt as a ratio taken in one run.

The floor is a fresh Python importing what the job must use (yaml, click, jinja2,
babel.numbers, markdown_it). Every figure is the median of ``--runs`` fresh processes (the
serve figure: of edits in one warm process), the kinds alternated run by run so that a busy
machine slows them alike. No test asserts a time; this prints them.

* ``bbt check``: the shipped example, as a user runs it (aim: at most 1.5x the floor);
* ``HTML-only build``: check and render the HTML, charts included (aim: at most 1.5x);
* ``serve, narrative edit``: a warm ``bbt serve`` process rebuilds after a saved edit of one
  narrative (aim: within 2x the floor, ideally 0.1 s);
* ``PDF per page``: our whole build per page of the example, against bare WeasyPrint per page
  of a plain reference document (headings, paragraphs, 7-column tables, footnotes) that
  bench/generate.py writes, rendered with the same fonts (aim: at most 1.0x, ideally 0.8x);
* with ``--scale``: the example ten times over (bench/generate.py, 80 articles) and a set of
  29 generated documents built with ``-j 2`` (bench/bench_set.py): pages per second and peak
  memory (largest resident set of a child process).

Usage::

    python bench/bench_speed.py [--runs 5] [--scale]
"""

from __future__ import annotations

import argparse
import io
import resource
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

Seconds = float  # float-ok: timings, never money


def fresh(code: str) -> Seconds:
    """Wall clock of a fresh Python running ``code`` (start-up and imports included)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf.read_bytes())).pages)


def serve_edits(budget: Path, runs: int) -> list[Seconds]:
    """Seconds from saving a narrative edit to the new page, in one warm serve process."""
    sys.path.insert(0, str(ROOT))
    from bbt.preview.serve import LiveDocument

    live = LiveDocument(budget)
    live.rebuild()  # the first build: what `bbt serve` does before it listens
    text = budget / "text" / "articles" / "JB0-1JEC2HA-WT.toelichting.md"
    original = text.read_text(encoding="utf-8")
    times = []
    for n in range(runs):
        text.write_text(original + f"\nAanvulling {n}.\n", encoding="utf-8")
        start = time.perf_counter()
        live.rebuild()
        times.append(time.perf_counter() - start)
        assert live.ok and f"Aanvulling {n}." in live.page
    return times


def alternate(kinds: dict[str, Callable[[], Seconds]], runs: int) -> dict[str, list[Seconds]]:
    times: dict[str, list[Seconds]] = {name: [] for name in kinds}
    for _ in range(runs):
        for name, run in kinds.items():
            times[name].append(run())
    return times


def peak_child_rss_mb() -> float:  # float-ok: megabytes for a report
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def scale(tmp: Path) -> list[str]:
    """The example ten times over, and a set of 29 documents with -j 2."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_set import generate
    from generate import scaled_example

    lines = []
    big = scaled_example(tmp / "scaled", copies=10)
    seconds = fresh(FULL.format(budget=str(big), out=str(tmp / "scaled-out")))
    n = pages(tmp / "scaled-out" / "scaled.pdf")
    lines.append(
        f"10x example (80 articles): {n} pages in {seconds:.1f} s = {n / seconds:.1f} pages/s, "
        f"peak {peak_child_rss_mb():.0f} MB"
    )
    government = generate(tmp / "set", 29)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bbt",
            "build",
            str(government),
            "-o",
            str(tmp / "set-out"),
            "-j",
            "2",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    total = sum(pages(p) for p in (tmp / "set-out").glob("*.pdf"))
    lines.append(
        f"set of 29 documents, -j 2: {total} pages in {seconds:.0f} s = "
        f"{total / seconds:.1f} pages/s, peak {peak_child_rss_mb():.0f} MB"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", action="store_true", help="also the 10x and 29-document runs")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bbt-speed-") as name:
        tmp = Path(name)
        budget = Path(shutil.copytree(EXAMPLE, tmp / "2024-sociale-economie"))
        sys.path.insert(0, str(ROOT / "bench"))
        from generate import reference_html

        reference = tmp / "reference.html"
        reference.write_text(reference_html(40), encoding="utf-8")
        css = str(ROOT / "bbt" / "templates" / "bbt" / "pdf.css")
        quick = alternate(
            {
                "floor": lambda: fresh(FLOOR),
                "check": lambda: fresh(CHECK.format(budget=str(budget))),
                "html": lambda: fresh(HTML.format(budget=str(budget), out=str(tmp / "html"))),
            },
            options.runs,
        )
        slow = alternate(
            {
                "full": lambda: fresh(FULL.format(budget=str(budget), out=str(tmp / "full"))),
                "bare": lambda: fresh(
                    BARE.format(html=str(reference), pdf=str(tmp / "bare.pdf"), css=css)
                ),
            },
            max(1, options.runs // 2),
        )
        edits = serve_edits(budget, options.runs)
        ours_pages, bare_pages = pages(tmp / "full" / f"{budget.name}.pdf"), pages(tmp / "bare.pdf")
        extra = scale(tmp) if options.scale else []
    med = {k: statistics.median(v) for k, v in {**quick, **slow, "serve": edits}.items()}
    floor = med["floor"]
    per_page = (med["full"] / ours_pages) / (med["bare"] / bare_pages)
    print(f"median of {options.runs} runs, fresh processes, kinds alternated; floor {floor:.3f} s")
    print(
        f"bbt check                 {med['check']:6.3f} s  {med['check'] / floor:5.2f}x floor (aim <= 1.5)"
    )
    print(
        f"HTML-only build           {med['html']:6.3f} s  {med['html'] / floor:5.2f}x floor (aim <= 1.5)"
    )
    print(
        f"serve, narrative edit     {med['serve']:6.3f} s  {med['serve'] / floor:5.2f}x floor (aim <= 2)"
    )
    print(
        f"PDF per page              {med['full'] / ours_pages:6.3f} s/page ({ours_pages} pages) vs bare "
        f"WeasyPrint {med['bare'] / bare_pages:.3f} s/page ({bare_pages} pages): {per_page:.2f}x (aim <= 1.0)"
    )
    for line in extra:
        print(line)


if __name__ == "__main__":
    main()
