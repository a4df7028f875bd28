"""The cache between runs (bbt/load/cache.py) and the caches within one: they save time, never
change an answer.

What is kept: compiled Jinja code (narratives and templates), parsed YAML, numbers read from
prose, Markdown HTML, the references of HTML, the charts. Each test points ``BBT_CACHE_DIR`` at a folder of its own and forgets
what this process keeps, so that an answer really comes from the folder (or from nowhere).
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import jinja2
import pytest
from budgetkit import ARTICLE, copy_example, make_budget
from hypothesis import given
from hypothesis import strategies as st

from bbt.checks import numbers, reading
from bbt.errors import Finding, Location
from bbt.glossary import _occurs
from bbt.load import cache, yamlsrc
from bbt.model import Narrative
from bbt.narrative import htmlscan, policy, sandbox
from bbt.pipeline import build, check
from bbt.preview import provenance
from bbt.render import charts, kept_charts

markdown_module = importlib.import_module(
    "bbt.narrative.markdown"
)  # the package's name is the function
A = "articles/JB0-1JEC2HA-WT.yaml"
ROOT = Path(__file__).resolve().parent.parent


def forget() -> None:
    """Forget what this process keeps, so the next answer comes from the cache folder."""
    for kept in (
        sandbox._compiled,
        markdown_module.markdown,
        markdown_module.render_inline,
        numbers._read_once,
        yamlsrc._parsed,
        policy._references,
        provenance._template,
    ):
        kept.cache_clear()
    kept_charts._KEPT.clear()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("BBT_CACHE_DIR", str(where))
    monkeypatch.delenv("BBT_NO_CACHE", raising=False)
    forget()
    return where


def entries(where: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(where)): p.read_bytes()
        for p in sorted(where.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def findings_of(budget: Path) -> list[str]:
    return [str(f) for f in check(budget).findings]


def html_of(budget: Path, out: Path) -> bytes:
    result = build(budget, out, ("html",))
    assert not result.failed(), [str(f) for f in result.findings]
    return (out / f"{budget.name}.html").read_bytes()


# -- the folder --------------------------------------------------------------------------------


def test_an_entry_comes_back_as_it_was_put(folder: Path) -> None:
    kind = cache.Cache("test")
    kind.put("a" * 64, b"payload")
    assert kind.get("a" * 64) == b"payload"
    assert kind.get("b" * 64) is None
    assert (folder / "test" / ("a" * 64)).is_file()


def test_a_corrupt_or_foreign_entry_is_never_served(folder: Path) -> None:
    kind = cache.Cache("test")
    kind.put("a" * 64, b"first")
    kind.put("b" * 64, b"second")
    a, b = folder / "test" / ("a" * 64), folder / "test" / ("b" * 64)
    a.write_bytes(b.read_bytes())  # another entry's file under this name
    assert kind.get("a" * 64) is None
    b.write_bytes(b.read_bytes()[:-1])  # truncated
    assert kind.get("b" * 64) is None
    b.write_bytes(b"garbage")
    assert kind.get("b" * 64) is None


def test_remember_computes_once_and_again_when_an_entry_does_not_decode(folder: Path) -> None:
    kind = cache.Cache("test")
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        return 42

    def remember() -> int:
        return kind.remember("a" * 64, compute, lambda v: str(v).encode(), lambda d: int(d))

    assert remember() == 42 and remember() == 42 and len(computed) == 1
    kind.put("a" * 64, b"not a number")  # a valid entry that is not a value of ours
    assert remember() == 42 and len(computed) == 2
    assert kind.get("a" * 64) == b"42"  # stored again


def test_no_cache_writes_nothing_and_changes_nothing(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = copy_example(tmp_path / "b")
    with_cache = html_of(budget, tmp_path / "one")
    assert entries(folder)
    monkeypatch.setenv("BBT_NO_CACHE", "1")
    monkeypatch.setenv("BBT_CACHE_DIR", str(tmp_path / "unused"))
    forget()
    assert html_of(budget, tmp_path / "two") == with_cache
    assert not (tmp_path / "unused").exists()


def test_the_default_folder_is_the_users_cache_never_the_budget(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BBT_CACHE_DIR", raising=False)
    monkeypatch.delenv("BBT_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    expected = {
        "win32": Path(os.environ.get("LOCALAPPDATA", "")) / "bbt" / "Cache",
        "darwin": Path.home() / "Library" / "Caches" / "bbt",
    }.get(sys.platform, tmp_path / "xdg" / "bbt")
    assert cache.cache_root() == expected
    monkeypatch.setenv("BBT_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_root() == tmp_path / "mine"
    monkeypatch.setenv("BBT_NO_CACHE", "1")
    assert cache.cache_root() is None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners and modes")
def test_a_folder_others_may_write_is_not_used(folder: Path) -> None:
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)  # someone else could plant compiled code here
    cache.Cache("test").put("a" * 64, b"x")
    assert not (folder / "test").exists()
    assert cache.Cache("test").get("a" * 64) is None


def test_the_least_recently_used_entries_go_past_the_limit(folder: Path) -> None:
    kind = cache.Cache("test", limit=8)
    names = [f"{n:064x}" for n in range(12)]
    for n, name in enumerate(names):
        kind.put(name, b"x")
        os.utime(folder / "test" / name, ns=(n * 10**9, n * 10**9))
    kind.prune()
    assert sorted(entries(folder)) == [f"test/{name}" for name in names[-6:]]


def test_reading_an_entry_marks_it_used_once_an_hour(folder: Path) -> None:
    kind = cache.Cache("test")
    old, fresh = "a" * 64, "b" * 64
    kind.put(old, b"x")
    kind.put(fresh, b"y")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(folder / "test" / old, (two_hours_ago, two_hours_ago))
    ten_minutes_ago = time.time() - 600
    os.utime(folder / "test" / fresh, (ten_minutes_ago, ten_minutes_ago))
    assert kind.get(old) == b"x" and kind.get(fresh) == b"y"
    # the old one is now recent (kept by the next prune); the fresh one was not written to
    assert (folder / "test" / old).stat().st_mtime > time.time() - 60
    assert (folder / "test" / fresh).stat().st_mtime == pytest.approx(ten_minutes_ago, abs=1)


# -- what is kept, and that it changes nothing -------------------------------------------------


def test_a_second_run_reads_the_cache_and_gives_the_same_answers(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = copy_example(tmp_path / "b")
    first_findings, first_html = findings_of(budget), html_of(budget, tmp_path / "one")
    kinds = {name.split("/")[0] for name in entries(folder)}
    # (and "extensions" when this process had not yet looked for them)
    assert {"charts", "jinja", "markdown", "numbers", "references", "yaml"} <= kinds
    forget()

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed again although the cache holds it")

    monkeypatch.setattr(jinja2.Environment, "compile", refused)  # narratives and templates
    monkeypatch.setattr(yamlsrc, "_parse", refused)
    monkeypatch.setattr(markdown_module, "_render", refused)
    monkeypatch.setattr(reading, "read", refused)
    monkeypatch.setattr(htmlscan, "Collector", refused)
    monkeypatch.setattr(charts, "utilisation_chart", refused)
    assert findings_of(budget) == first_findings
    assert html_of(budget, tmp_path / "two") == first_html


def test_a_corrupt_cache_gives_the_same_answers(tmp_path: Path, folder: Path) -> None:
    budget = copy_example(tmp_path / "b")
    first_findings, first_html = findings_of(budget), html_of(budget, tmp_path / "one")
    for n, name in enumerate(entries(folder)):
        path = folder / name
        data = path.read_bytes()
        # truncated, a bit flipped, or another entry's content
        path.write_bytes([data[:-3], data[:-1] + bytes([data[-1] ^ 1]), b"bbt-cache-1\n"][n % 3])
    forget()
    assert findings_of(budget) == first_findings
    assert html_of(budget, tmp_path / "two") == first_html


def test_an_edited_narrative_is_read_again(tmp_path: Path, folder: Path) -> None:
    budget = make_budget(tmp_path / "b")
    assert findings_of(budget) == []
    edited = ARTICLE.replace(
        "{{ vak.benutting }}.", "{{ vak.benutting }}. Er bleef 36.005 keuro over."
    )
    make_budget(budget, {A: edited})
    forget()  # a new process: only the folder remembers
    found = findings_of(budget)
    assert any("36.005" in f and "[BBT210]" in f for f in found), found
    make_budget(budget, {A: ARTICLE.replace("{{ vak.bu }} keuro", "{{ vak.ba_jr }} keuro")})
    html = html_of(budget, tmp_path / "out").decode("utf-8")
    assert "De uitvoering bedroeg 588.293 keuro VAK" in html


def test_the_same_text_in_two_budgets_shows_each_budgets_figures(
    tmp_path: Path, folder: Path
) -> None:
    one = make_budget(tmp_path / "one" / "2024")
    two = make_budget(
        tmp_path / "two" / "2024", {A: ARTICLE.replace("bu: 552289}", "bu: 552290}", 1)}
    )
    first = html_of(one, tmp_path / "out-one").decode("utf-8")
    forget()
    second = html_of(two, tmp_path / "out-two").decode("utf-8")
    assert "De uitvoering bedroeg 552.289 keuro VAK" in first
    assert "De uitvoering bedroeg 552.290 keuro VAK" in second


def test_yaml_and_its_mistakes_come_back_the_same_from_the_cache(folder: Path) -> None:
    broken = "title: Activering\nods: [\n  - {code: OD17\n"
    doubled = (
        "title: Eén\nods:\n  - {code: OD17, title: Twee}\n  - code: OD18\n    code: OD19\n"
        "when: 2024-05-16\nn: 12\nbig: 123456789012345678901234567890\nyes: no\nx: ~\n"
        "f: 1.50\nquoted: '12'\nblock: |\n  regel\n"
    )
    for source in (broken, doubled):
        fresh: list[Finding] = []
        parsed = yamlsrc.parse_yaml_text(source, "ises/x.yaml", fresh)
        forget()
        again: list[Finding] = []
        assert yamlsrc.parse_yaml_text(source, "ises/x.yaml", again) == parsed
        assert again == fresh and fresh
    assert yamlsrc.parse_yaml_text(broken, "ises/x.yaml", []) is None
    assert isinstance(parsed, yamlsrc.Map) and parsed.values["yes"] == yamlsrc.Scalar(
        "no", "no", "str", Location("ises/x.yaml", 9, 6), style=""
    )


def test_numbers_read_from_the_cache_are_the_numbers_read(folder: Path) -> None:
    literal = ROOT / "tests" / "data" / "seed-literal"
    texts = [p.read_text("utf-8") for p in sorted(literal.rglob("*.md"))]
    assert texts
    read = [numbers.read_numbers(t, 2024) for t in texts]
    forget()
    assert [numbers.read_numbers(t, 2024) for t in texts] == read
    assert sum(len(r) for r in read) > 50


def test_a_cache_is_shared_by_processes_and_builds_in_parallel(
    tmp_path: Path, folder: Path
) -> None:
    budget = copy_example(tmp_path / "b")
    env = {**os.environ, "BBT_CACHE_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bbt", "check", "-q", str(budget)]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    assert [run.communicate(timeout=120) and run.returncode for run in runs] == [0, 0]
    before = entries(folder)
    again = subprocess.run(command, env=env, capture_output=True, timeout=120)
    assert again.returncode == 0
    assert entries(folder) == before  # nothing new to keep: every text came from the cache


_PARSERS = ("yaml", "babel", "markdown_it", "html.parser", "bbt.render.charts")


@pytest.mark.parametrize(
    "run",
    [
        "r = check(sys.argv[1])",
        "r = build(sys.argv[1], sys.argv[2], ('html',))",
    ],
)
def test_a_second_run_needs_no_parser_of_what_the_cache_holds(
    tmp_path: Path, folder: Path, run: str
) -> None:
    """PyYAML, Babel, markdown-it, html.parser and the chart drawing code are imported only
    for a text or chart the cache does not hold."""
    budget = copy_example(tmp_path / "b")
    env = {**os.environ, "BBT_CACHE_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    code = (
        f"import sys; from bbt.pipeline import build, check; {run};"
        "print(sorted(str(f) for f in r.findings));"
        f"print(sorted(m for m in {_PARSERS!r} if m in sys.modules))"
    )
    command = [sys.executable, "-c", code, str(budget), str(tmp_path / "out")]
    runs = [subprocess.run(command, env=env, capture_output=True, text=True) for _ in range(2)]
    first, second = (run.stdout.splitlines() for run in runs)
    needed = ["babel", "html.parser", "markdown_it", "yaml"]  # an empty cache: each one was
    assert first[1] == str(sorted(needed + (["bbt.render.charts"] if "build" in run else [])))
    assert second == [first[0], "[]"]  # the same findings, with none of them imported
    assert "BBT" in first[0]


# -- shortcuts that must agree with the long way -----------------------------------------------


@given(st.text(alphabet=st.sampled_from("ab {}#%\r\n\t€é"), max_size=40))
def test_a_text_without_jinja_is_its_own_expansion(source: str) -> None:
    if sandbox.has_expressions(source):
        return
    expected = sandbox._ENV.from_string(source).render({})
    assert sandbox.expand(Narrative(source, Location("t.md", 1)), {}) == expected


_LINES = [
    "<section>",
    "<h2>Titel</h2>",
    "  <h3 id='x'>",
    "<style>",
    "a { background: url(http://x/a.png) }",
    "</style>",
    "<img src='http://x/b.png'>",
    "<img",
    " src='c.png'>",
    "<!-- ",
    " -->",
    "&am",
    "p; tekst",
    "<script>",
    "</script>",
    "<p style=\"background:url('d.png')\">",
    "<iframe>",
    "tekst",
]


@given(st.lists(st.sampled_from(_LINES), max_size=30))
def test_a_document_read_in_pieces_gives_what_it_gives_whole(lines: list[str]) -> None:
    html = "\n".join(lines)
    policy._references.cache_clear()
    whole, _clean = policy._parsed(html, final=True)
    assert policy.references(html) == list(whole)


def test_an_edit_parses_only_the_piece_it_is_in(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pieces = [f"<section>\n<h2>Deel {n}</h2>\n<img src='http://x/{n}.png'>\n" for n in range(9)]
    first = policy.references("".join(pieces))
    assert [(r.url, r.line) for r in first][:2] == [("http://x/0.png", 3), ("http://x/1.png", 6)]
    parsed: list[str] = []
    real = policy._parsed

    def counted(text: str, final: bool) -> tuple[tuple[policy.Reference, ...], bool]:
        parsed.append(text)
        return real(text, final)

    monkeypatch.setattr(policy, "_parsed", counted)
    pieces[4] = pieces[4].replace("4.png", "4.png'><img src='http://x/vier.png")
    again = policy.references("".join(pieces))
    assert parsed == [pieces[4].removeprefix("<section>\n")]  # a heading starts a piece too
    assert [r.url for r in again][4:6] == ["http://x/4.png", "http://x/vier.png"]
    assert [r.line for r in again] == [3, 6, 9, 12, 15, 15, 18, 21, 24, 27]


def test_an_element_never_closed_costs_one_more_reading_not_one_per_piece(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pieces = [f"<section>\n<img src='http://x/{n}.png'>\n" for n in range(200)]
    html = "<style>\n" + "".join(pieces)  # a template that never closes its <style>
    read: list[int] = []
    real = policy._parsed

    def counted(text: str, final: bool) -> tuple[tuple[policy.Reference, ...], bool]:
        read.append(len(text))
        return real(text, final)

    monkeypatch.setattr(policy, "_parsed", counted)
    assert policy.references(html) == list(real(html, final=True)[0])
    assert sum(read) <= 2 * len(html)


def test_a_document_of_countless_headings_is_read_whole(folder: Path) -> None:
    html = "".join(f"<h2>{n}</h2>\n" for n in range(policy._MAX_PIECES + 1))
    assert policy.references(html + "<img src='http://x/a.png'>") != []
    assert {p.parent.name for p in folder.rglob("*") if p.is_file()} == {"references"}
    assert len([p for p in folder.rglob("*") if p.is_file()]) == 1  # one entry: the document


@given(
    st.text(alphabet=st.sampled_from("ab_ Z9é-.()\n\u00a0٣²"), max_size=12),
    st.text(alphabet=st.sampled_from("ab_ Z9é-.()"), max_size=3),
)
def test_a_glossary_term_is_found_as_the_pattern_found_it(text: str, word: str) -> None:
    expected = bool(re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text))
    assert _occurs(word, text) == expected


# -- within one process: bbt serve -------------------------------------------------------------


def test_charts_are_redrawn_when_their_figures_change_and_only_then(
    tmp_path: Path, folder: Path
) -> None:
    document_charts = kept_charts.document_charts
    budget = make_budget(tmp_path / "b")
    first = check(budget).calculation
    assert first is not None
    before = document_charts(first)["activering"]
    make_budget(budget, {A: ARTICLE.replace("De uitvoering", "Na een nieuwe zin: de uitvoering")})
    same = check(budget).calculation
    assert same is not None
    again = document_charts(same)["activering"]
    assert [c["svg"] for c in again] == [c["svg"] for c in before]
    assert all(a["svg"] is b["svg"] for a, b in zip(again, before, strict=True))  # reused
    make_budget(budget, {A: ARTICLE.replace("bu: 552289}", "bu: 552290}", 1)})
    changed = check(budget).calculation
    assert changed is not None
    redrawn = document_charts(changed)["activering"]
    assert "552.290" in str(redrawn[0]["svg"]) and "552.290" not in str(before[0]["svg"])


def test_serve_shows_an_edit_with_every_figure_still_traced(tmp_path: Path) -> None:
    from bbt.preview.serve import LiveDocument

    budget = copy_example(tmp_path / "b")
    live = LiveDocument(budget)
    live.rebuild()
    sources = live.page.count('class="src"')
    assert live.ok and sources > 50
    text = budget / "text" / "articles" / "JB0-1JEC2HA-WT.toelichting.md"
    text.write_text(text.read_text("utf-8") + "\nDe BU VAK bedroeg {{ vak.bu }} keuro.\n", "utf-8")
    live.rebuild()
    assert live.ok and 'De BU VAK bedroeg <span class="src"' in live.page
    assert live.page.count('class="src"') == sources + 1
    assert "articles/JB0-1JEC2HA-WT.yaml:6: BU VAK JB0-1JEC2HA-WT" in live.page
