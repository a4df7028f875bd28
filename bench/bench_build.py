"""Benchmark: our build against a bare WeasyPrint render of the same HTML, in one run.

Every timing is the wall clock of a *fresh* Python process (interpreter start and imports
included), repeated ``--repeat`` times; the table shows the best and the median.

* ``bbt build (html+pdf)``: load + check + HTML + PDF, via :func:`bbt.pipeline.build`;
* ``bare WeasyPrint``: ``HTML(filename=...).write_pdf(stylesheets=[pdf.css])`` on the final
  HTML our build produced, with the same font stylesheet (so both embed the same fonts);
* ``bbt build (html)``: load + check + HTML only.

Usage::

    python bench/bench_build.py [BUDGET] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUDGET = ROOT / "bbt" / "examples" / "2024-sociale-economie"
TEMPLATES = ROOT / "bbt" / "templates"

OURS = """
import sys
from bbt.pipeline import build
result = build(sys.argv[1], sys.argv[2], tuple(sys.argv[3].split(",")))
sys.exit(1 if result.failed() else 0)
"""

BARE = """
import sys, warnings
warnings.simplefilter("ignore")
from weasyprint import CSS, HTML
HTML(filename=sys.argv[1], base_url=sys.argv[3]).write_pdf(
    sys.argv[2], stylesheets=[CSS(filename=sys.argv[4])], pdf_variant="pdf/ua-1"
)
"""


def timed(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("budget", nargs="?", type=Path, default=DEFAULT_BUDGET)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    budget = options.budget.resolve()
    with tempfile.TemporaryDirectory(prefix="bbt-bench-") as tmp:
        out = Path(tmp)
        ours = timed(["-c", OURS, str(budget), str(out / "full"), "html,pdf"], options.repeat)
        html_file = out / "full" / f"{budget.name}.html"
        pdf_file = out / "full" / f"{budget.name}.pdf"
        bare = timed(
            [
                "-c",
                BARE,
                str(html_file),
                str(out / "bare.pdf"),
                str(budget) + "/",
                str(TEMPLATES / "bbt" / "pdf.css"),
            ],
            options.repeat,
        )
        html_only = timed(["-c", OURS, str(budget), str(out / "html"), "html"], options.repeat)

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf_file.read_bytes())).pages)
        bare_pages = len(PdfReader(io.BytesIO((out / "bare.pdf").read_bytes())).pages)

    def row(label: str, times: list[float], extra: str = "") -> str:
        return f"{label:<28} {min(times):>8.2f} {statistics.median(times):>8.2f}  {extra}"

    print(
        f"budget: {budget.name}, {pages} pages (bare render: {bare_pages}), {options.repeat} runs each, fresh processes"
    )
    print(f"{'':<28} {'best s':>8} {'median s':>8}")
    print(row("bbt build (html+pdf)", ours, f"{pages / min(ours):.1f} pages/s"))
    print(row("bare WeasyPrint (same html)", bare, f"{bare_pages / min(bare):.1f} pages/s"))
    print(row("bbt build (html only)", html_only, "aim: < 0.35 s"))
    ratio = min(ours) / min(bare)
    verdict = "faster" if ratio < 1 else "slower"
    print(
        f"ratio ours / bare (best): {ratio:.2f}  -> our full build is {verdict} than the bare render"
    )


if __name__ == "__main__":
    main()
