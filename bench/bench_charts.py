"""Benchmark: the document's charts, ours against the matplotlib charts they replaced, in one run.

Every timing is a *fresh* Python process (what a user or CI pays), the kinds of run alternated
round by round, best of ``--repeat``:

* ``floor``: a Python that only imports yaml, click, jinja2, babel.numbers and markdown_it;
* ``charts``: import the drawing code and draw the example's four charts, timed inside the
  process after the budget is checked (so only the charts' own cost), against the floor;
* ``html build``: ``bbt.pipeline.build(..., formats=("html",))``, the whole HTML-only build,
  against the floor (the aim: at most 1.5x);
* ``pdf``: :func:`bbt.render.pdf.render_pdf` (WeasyPrint layout and writing) of the same
  document's HTML with each set of charts, timed inside the process.

The old charts are ``bbt/render/charts.py`` as of ``--baseline`` (a git revision), loaded in
place of the module; they need git and matplotlib, and are skipped without them.

Usage::

    python bench/bench_charts.py [BUDGET] [--repeat 5] [--pdf-repeat 3] [--baseline REV]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUDGET = ROOT / "bbt" / "examples" / "2024-sociale-economie"
TEMPLATES = ROOT / "bbt" / "templates"
BASELINE = "0fa8601"  # the last commit with the matplotlib charts

FLOOR = "import yaml, click, jinja2, babel.numbers, markdown_it"

# argv: budget, baseline file or "-" (ours); prints the seconds of import + drawing
CHARTS = """
import sys, time
from bbt.pipeline import check
calculation = check(sys.argv[1]).calculation
start = time.perf_counter()
if sys.argv[2] == "-":
    from bbt.render.kept_charts import document_charts
else:
    import importlib.util
    spec = importlib.util.spec_from_file_location("bbt_charts_baseline", sys.argv[2])
    module = importlib.util.module_from_spec(spec); sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    document_charts = module.document_charts
document_charts(calculation)
print(time.perf_counter() - start)
"""

# argv: budget, out dir, baseline file or "-"; the old module stands in for the charts the
# renderer asks bbt.render.kept_charts for
HTML_BUILD = """
import sys
if sys.argv[3] != "-":
    import importlib.util
    spec = importlib.util.spec_from_file_location("bbt.render.charts", sys.argv[3])
    module = importlib.util.module_from_spec(spec); sys.modules["bbt.render.charts"] = module
    spec.loader.exec_module(module)
    sys.modules["bbt.render.kept_charts"] = module
from bbt.pipeline import build
sys.exit(1 if build(sys.argv[1], sys.argv[2], ("html",)).failed() else 0)
"""

# argv: html file, budget, templates; prints the seconds of render_pdf
PDF = """
import sys, time
from pathlib import Path
from bbt.render.pdf import render_pdf
html = Path(sys.argv[1]).read_text("utf-8")
start = time.perf_counter()
render_pdf(html, allowed_dirs=[Path(sys.argv[2]), Path(sys.argv[3])])
print(time.perf_counter() - start)
"""

Seconds = float  # float-ok: timings, not money


def run(code: str, *args: str) -> tuple[Seconds, Seconds | None]:
    """Wall clock of a fresh process, and the seconds it printed (if any)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    printed = done.stdout.strip().splitlines()
    return wall, float(printed[-1]) if printed else None  # float-ok: seconds


def load_baseline(revision: str, tmp: Path) -> Path | None:
    """The old charts module from git, if git and matplotlib are there."""
    if importlib.util.find_spec("matplotlib") is None:
        print("(matplotlib is not installed: old charts skipped)")
        return None
    shown = subprocess.run(
        ["git", "show", f"{revision}:bbt/render/charts.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        print(f"(git show {revision} failed: old charts skipped) {shown.stderr.strip()}")
        return None
    path = tmp / "bbt_charts_baseline.py"
    path.write_text(shown.stdout, "utf-8")
    try:
        import_file("bbt_charts_baseline", path)
    except ImportError as exc:  # the old module names modules bbt has since renamed
        print(f"(the old charts no longer import against this bbt: {exc}; skipped)")
        print("(their figures, measured when they still did, are in bench/README.md)")
        return None
    return path


def svg_bytes(budget: Path, module: ModuleType) -> int:
    from bbt.pipeline import check

    calculation = check(budget).calculation
    assert calculation is not None
    charts = module.document_charts(calculation)
    return sum(len(str(c["svg"]).encode()) for per_ise in charts.values() for c in per_ise)


@cache
def import_file(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def html_with(budget: Path, module: ModuleType, out: Path) -> Path:
    """The document's HTML drawn with ``module``'s charts."""
    import bbt.render.kept_charts as ours
    from bbt.pipeline import check
    from bbt.render.html import render_html

    outline = check(budget).outline
    assert outline is not None
    saved = ours.document_charts
    ours.document_charts = module.document_charts
    try:
        out.write_text(render_html(outline, template_dir=TEMPLATES), "utf-8")
    finally:
        ours.document_charts = saved
    return out


def best(runs: list[Seconds]) -> Seconds:
    return min(runs)


def time_rounds(
    kinds: dict[str, tuple[str, list[str]]], repeat: int, printed: bool
) -> dict[str, Seconds]:
    """Best time of each kind of run, the kinds alternated round by round."""
    times: dict[str, list[Seconds]] = {k: [] for k in kinds}
    for _ in range(repeat):
        for kind, (code, args) in kinds.items():
            wall, inner = run(code, *args)
            times[kind].append(inner if printed and inner is not None else wall)
    return {k: best(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("budget", nargs="?", type=Path, default=DEFAULT_BUDGET)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pdf-repeat", type=int, default=3, help="0 skips the PDF timing")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the old charts")
    options = parser.parse_args()
    # Without bbt's cache between runs (inherited by every child): each round really draws
    # the charts, and nothing is written to the user's cache folder.
    os.environ["BBT_NO_CACHE"] = "1"
    budget = options.budget.resolve()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="bbt-bench-charts-") as name:
        tmp = Path(name)
        old = load_baseline(options.baseline, tmp)
        sets = {"ours": "-"} | ({"matplotlib": str(old)} if old else {})
        report(budget, tmp, sets, options.repeat, options.pdf_repeat)


def report(budget: Path, tmp: Path, sets: dict[str, str], repeat: int, pdf_repeat: int) -> None:
    import bbt.render.kept_charts as ours

    modules = {"ours": ours} | (
        {"matplotlib": import_file("bbt_charts_baseline", Path(sets["matplotlib"]))}
        if "matplotlib" in sets
        else {}
    )
    print(f"budget: {budget.name}; best of {repeat} fresh processes, kinds alternated")
    sizes = {k: svg_bytes(budget, m) for k, m in modules.items()}
    for kind, size in sizes.items():
        print(f"SVG bytes, four charts ({kind}): {size:>9,}")
    if "matplotlib" in sizes:
        print(f"  ours / matplotlib: {sizes['ours'] / sizes['matplotlib']:.3f}")

    walls = time_rounds({"floor": (FLOOR, [])}, repeat, printed=False)
    charts = time_rounds({k: (CHARTS, [str(budget), v]) for k, v in sets.items()}, repeat, True)
    builds = time_rounds(
        {k: (HTML_BUILD, [str(budget), str(tmp / f"html-{k}"), v]) for k, v in sets.items()},
        repeat,
        printed=False,
    )
    floor = walls["floor"]
    print(f"floor (imports only):             {floor:6.3f} s")
    for kind in sets:
        print(
            f"charts import + draw ({kind:>10}): {charts[kind]:6.3f} s = "
            f"{charts[kind] / floor:5.2f} x floor"
        )
    for kind in sets:
        print(
            f"HTML-only build ({kind:>10}):     {builds[kind]:6.3f} s = "
            f"{builds[kind] / floor:5.2f} x floor (aim <= 1.5)"
        )
    if pdf_repeat > 0:
        pages = {k: html_with(budget, m, tmp / f"{k}.html") for k, m in modules.items()}
        pdf = time_rounds(
            {k: (PDF, [str(p), str(budget), str(TEMPLATES)]) for k, p in pages.items()},
            pdf_repeat,
            printed=True,
        )
        for kind in pages:
            size = pages[kind].stat().st_size
            print(f"render_pdf, HTML {size:,} B ({kind:>10}): {pdf[kind]:6.2f} s")
        if "matplotlib" in pdf:
            print(f"  ours / matplotlib: {pdf['ours'] / pdf['matplotlib']:.3f}")


if __name__ == "__main__":
    main()
