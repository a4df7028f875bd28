"""Hostile input below the command line: the defences, one by one, with data in and findings out.

The bad-input corpus (tests/test_bad_inputs.py) runs whole commands; these tests pin the
pieces: the confined reader, writing a set, the sandbox's limits, the resource policy, the
character rules, the amount bound, the guard of the entry point and multi-document builds.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from budgetkit import ARTICLE, make_budget
from hypothesis import given, settings
from hypothesis import strategies as st

from bbt import pipeline
from bbt.errors import Location
from bbt.files import InputRefused, read_input, write_set
from bbt.format import bedrag, getal, procent
from bbt.guard import EXIT_INTERNAL
from bbt.guard import main as guarded
from bbt.load.budget import load_with_findings
from bbt.load.characters import first_problem
from bbt.model import Narrative
from bbt.money import MAX_AMOUNT, AmountError, Percent, parse_amount, ratio_percent, round_half_up
from bbt.narrative import sandbox
from bbt.narrative.policy import judge, references
from bbt.narrative.sandbox import NarrativeError, expand

A = "articles/JB0-1JEC2HA-WT.yaml"


# -- the confined reader ---------------------------------------------------------------------


def test_the_size_cap_counts_bytes_read_not_what_stat_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "groot.yaml"
    path.write_bytes(b"x" * 100)
    assert read_input(path, (tmp_path,), limit=100) == b"x" * 100
    real_fstat = os.fstat

    class Small:  # a file whose size the system misreports (as /proc and pipes do)
        def __init__(self, fd: int) -> None:
            info = real_fstat(fd)
            self.st_mode, self.st_size = info.st_mode, 0

    monkeypatch.setattr(os, "fstat", Small)
    with pytest.raises(InputRefused) as caught:
        read_input(path, (tmp_path,), limit=99)
    assert caught.value.code == "BBT010"
    assert caught.value.reason.startswith("file is more than 99 bytes, above the limit")


def test_a_refusal_names_the_link_never_its_target(tmp_path: Path) -> None:
    budget = tmp_path / "budget"
    budget.mkdir()
    (tmp_path / "geheim-bestand.txt").write_text("BBT-TEST-SECRET", "utf-8")
    (budget / "glossary.yaml").symlink_to(tmp_path / "geheim-bestand.txt")
    with pytest.raises(InputRefused) as caught:
        read_input(budget / "glossary.yaml", (budget,))
    assert caught.value.code == "BBT018"
    assert "glossary.yaml" in str(caught.value) and "geheim" not in str(caught.value)


def test_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "echt.yaml").write_text("a: 1\n", "utf-8")
    (tmp_path / "ook.yaml").symlink_to(tmp_path / "echt.yaml")
    assert read_input(tmp_path / "ook.yaml", (tmp_path,)) == b"a: 1\n"


def test_a_budget_folder_given_through_a_link_loads(tmp_path: Path) -> None:
    make_budget(tmp_path / "2024")
    (tmp_path / "huidig").symlink_to(tmp_path / "2024")
    document, findings = load_with_findings(tmp_path / "huidig")
    assert document is not None, findings
    assert document.articles[0].loc.file.endswith("huidig/" + A)


# -- writing a set ------------------------------------------------------------------------------


def test_a_rename_that_fails_halfway_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html, pdf = tmp_path / "doc.html", tmp_path / "doc.pdf"
    html.write_bytes(b"old html")
    pdf.write_bytes(b"old pdf")
    real_replace = os.replace

    def replace(source: str, target: str | Path) -> None:
        if Path(target) == pdf:  # the PDF cannot be written after the HTML was renamed
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        write_set({html: b"new html", pdf: b"new pdf"})
    assert html.read_bytes() == b"old html" and pdf.read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.html", "doc.pdf"]


def test_a_full_disk_is_a_finding_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = make_budget(tmp_path / "budget")
    out = tmp_path / "out"
    out.mkdir()
    (out / "budget.html").write_bytes(b"previous")

    class Full:
        def __init__(self, handle: int, mode: str) -> None:
            os.close(handle)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("bbt.files.os.fdopen", Full)
    result = pipeline.build(budget, out, ("html",))
    (finding,) = result.errors
    assert finding.code == "BBT307" and "No space left on device" in finding.message
    assert sorted(p.name for p in out.iterdir()) == ["budget.html"]
    assert (out / "budget.html").read_bytes() == b"previous"


# -- several documents --------------------------------------------------------------------------


def test_a_crash_in_one_document_is_its_finding_and_the_others_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = make_budget(tmp_path / "eerste"), make_budget(tmp_path / "tweede")
    real_build = pipeline.build

    def build(path: Path, *args: object, **kwargs: object) -> pipeline.Result:
        if Path(path).name == "eerste":
            raise KeyError("a bug")
        return real_build(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "build", build)
    results = pipeline.build_many([first, second], tmp_path / "out", ("html",))
    assert [f.code for f in results[0].findings] == ["BBT309"]
    assert [p.name for p in results[1].written] == ["tweede.html"]


def test_documents_with_the_same_output_name_are_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    a, b = make_budget(tmp_path / "a" / "2024"), make_budget(tmp_path / "b" / "2024")
    other = make_budget(tmp_path / "ander")
    results = pipeline.build_many([a, other, b], tmp_path / "out", ("html",))
    assert [[f.code for f in r.errors] for r in results] == [["BBT308"], [], ["BBT308"]]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ander.html"]


# -- the sandbox --------------------------------------------------------------------------------


def _expand(source: str) -> str:
    return expand(Narrative(source, Location("t.md", 1)), {"vak": {"bu": Decimal(552289)}})


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{{ 'x' * 10**9 }}", "more than 1,000,000 characters"),
        ("{{ 9**(9**9) }}", "more than 4,096 bits"),
        ("{% for a in range(999) %}{% for b in range(999) %}{% endfor %}{% endfor %}", "loop"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "nested more than 40 deep"),
        ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", "nested more than 40"),
        ("{{ '{:>999999999}'.format(1) }}", "formatted value"),
        ("{{ ''.join(['x' * 10**5] * 100) }}", "more than 1,000,000"),
        ("{{ (['x' * 1000] * 1000) | join }}", "more than 1,000,000"),
        ("{{ ([[1] * 1000] * 1000) | tojson }}", "more than 1,000,000"),
        ("{{ [1] | batch(10**9, 0) | list }}", "a list of more than"),
        (
            "{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}"
            "{% endfor %}{{ ns.l }}",
            "printed value",
        ),
    ],
)
def test_unbounded_work_stops_at_a_limit_with_its_line(source: str, words: str) -> None:
    with pytest.raises(NarrativeError) as caught:
        _expand("Eerste regel.\n" + source)
    finding = caught.value.finding
    assert finding.code == "BBT205" and words in finding.message
    assert finding.location.line == 2


def test_the_limits_leave_ordinary_narrative_alone() -> None:
    text = (
        "{% for i in range(3) %}{{ i }} {% endfor %}{{ vak.bu }} keuro, "
        "{{ 'a' ~ 'b' }} {{ '%s-%d' % ('x', 5) }} {{ 'x'.upper() }} {{ [1, 2] | join(', ') }}"
    )
    assert _expand(text) == "0 1 2 552.289 keuro, ab x-5 X 1, 2"


def test_no_helper_makes_two_renders_differ() -> None:
    env = sandbox.make_environment()
    assert "lipsum" not in env.globals and "random" not in env.filters
    assert _expand("{{ cycler('a', 'b').next() }}") == _expand("{{ cycler('a', 'b').next() }}")


def test_a_narrative_is_compiled_once_for_every_render() -> None:
    source = "Uniek voor deze test: {{ vak.bu }}."
    before = sandbox._compiled.cache_info()
    for _ in range(3):
        assert _expand(source) == "Uniek voor deze test: 552.289."
    after = sandbox._compiled.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


# -- resource policy ----------------------------------------------------------------------------


def test_every_kind_of_reference_is_found(tmp_path: Path) -> None:
    html = """<img src="a.png" srcset="b.png 1x, https://e.org/c.png 2x">
<p style="background: url('https://e.org/d.png')">x</p><style>@import "https://e.org/e.css";</style>
<meta http-equiv="refresh" content="0; url=https://e.org/f"><object data="g.swf"></object>
<svg><image href="https://e.org/h.png"/></svg><a href="https://e.org/i">link</a>
<a href="javascript:alert(1)">x</a><img src="#anker" onload="x()">"""
    urls = [r.url for r in references(html)]
    for url in ("a.png", "b.png", "https://e.org/c.png", "https://e.org/d.png",
                "https://e.org/e.css", "https://e.org/f", "g.swf", "https://e.org/h.png",
                "javascript:alert(1)", "#anker"):  # fmt: skip
        assert url in urls, url
    assert "https://e.org/i" not in urls  # a link is followed by the reader, not loaded
    (tmp_path / "a.png").write_bytes(b"png")
    verdicts = {r.url or r.attribute or r.element: judge(r, tmp_path) for r in references(html)}
    assert verdicts["a.png"] is None and verdicts["#anker"] is None
    assert verdicts["https://e.org/c.png"].kind == "network"  # type: ignore[union-attr]
    assert verdicts["b.png"].code == "BBT303"  # type: ignore[union-attr]
    assert verdicts["onload"].kind == "refused"  # type: ignore[union-attr]
    assert verdicts["object"].kind == "refused"  # type: ignore[union-attr]


def test_the_shipped_example_passes_the_policy() -> None:
    result = pipeline.check()
    assert not [f for f in result.findings if f.code in ("BBT204", "BBT302", "BBT303")]


# -- characters, amounts, years -------------------------------------------------------------------


def test_a_decomposed_narrative_is_read_composed(tmp_path: Path) -> None:
    decomposed = "Coo\u0308rdinatie van {{ vak.bu }} keuro."
    budget = make_budget(
        tmp_path / "b",
        {A: ARTICLE.replace("De uitvoering bedroeg", "Coo\u0308rdinatie:") + "korte_inhoud: kort.md\n",
         "kort.md": decomposed},
    )  # fmt: skip
    document, findings = load_with_findings(budget)
    assert document is not None, findings
    article = document.articles[0]
    assert article.korte_inhoud.source == "Co\u00f6rdinatie van {{ vak.bu }} keuro."
    assert article.toelichting.source.startswith("Co\u00f6rdinatie:")


@pytest.mark.parametrize(
    ("text", "prose", "refused"),
    [
        ("CB0-1CBD\u200b2AB-PR", True, "\u200b"),
        ("\u202e982.255", True, "\u202e"),
        ("٥٥٢", True, "٥"),
        ("JB0-1JEC2HA\u00ad-WT", False, "\u00ad"),
        ("\u0421B0-1CBD2AB-PR", False, "\u0421"),
        ("af\u00adbouw", True, None),  # a soft hyphen in prose is a hyphenation hint
        ("Coördinatie ² €", True, None),
    ],
)
def test_characters_that_change_a_meaning_unseen(
    text: str, prose: bool, refused: str | None
) -> None:
    problem = first_problem(text, prose)
    assert (problem.char if problem else None) == refused


def test_amounts_are_plain_decimal_digits_below_the_bound() -> None:
    assert parse_amount("999999999999999999.999") == Decimal("999999999999999999.999")
    for text, code in (("1000000000000000000", "BBT026"), ("-1e30", "BBT009"), ("5_000", "BBT009"),
                       ("５００", "BBT009"), ("٥٠٠", "BBT009")):  # fmt: skip
        with pytest.raises(AmountError) as caught:
            parse_amount(text)
        assert caught.value.code == code, text


bounded = st.decimals(
    min_value=-MAX_AMOUNT + 1, max_value=MAX_AMOUNT - 1, places=3, allow_nan=False
)


@settings(max_examples=200, deadline=None)
@given(bounded, bounded)
def test_arithmetic_on_amounts_within_the_bound_never_raises(a: Decimal, b: Decimal) -> None:
    total = sum([a] * 1000 + [b] * 1000, Decimal(0))  # a thousand articles of each
    assert total == 1000 * a + 1000 * b  # exact: no digit lost to the context's precision
    shown = procent(Percent(ratio_percent(total, b), total, b))
    assert shown == "n.v.t." if b == 0 else shown.endswith("%")
    assert bedrag(round_half_up(total)).lstrip("-")[:1].isdigit()


def test_minus_zero_prints_as_zero() -> None:
    assert bedrag(Decimal("-0")) == "0"
    assert bedrag(Decimal("-0.0001")) == "0"
    assert procent(Decimal("-0.04")) == "0,0%"
    assert getal(Decimal("-0.3"), 0) == "0"
    assert bedrag(Decimal("-2188")) == "-2.188"  # a real negative stays negative


# -- the entry point ------------------------------------------------------------------------------


def test_an_os_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "output/doc.html")

    monkeypatch.setattr("bbt.pipeline.check", refuse)
    monkeypatch.delenv("BBT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as caught:
        guarded(["check", "x"])
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert err == "bbt: error: output/doc.html: Permission denied\n"


def test_a_bug_is_an_internal_error_line_and_exit_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("bbt.pipeline.check", crash)
    monkeypatch.delenv("BBT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as caught:
        guarded(["check", "x"])
    assert caught.value.code == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error (ZeroDivisionError: division by zero)" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    monkeypatch.setenv("BBT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        guarded(["check", "x"])


def test_the_entry_point_exits_with_the_command_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        guarded(["check", str(Path(sys.prefix) / "no-such-budget")])
    assert caught.value.code == 1
    assert "[BBT014]" in capsys.readouterr().out


# -- the promises ---------------------------------------------------------------------------------


def test_every_test_named_in_the_guarantees_exists() -> None:
    """docs/guarantees.md names the test of each promise: each named test and case exists."""
    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "guarantees.md").read_text("utf-8")
    missing = []
    for cell in re.findall(r"`(tests/[^`]+)`((?:, `[^`/]+`)*)", text):
        first, more = cell
        path, _, name = first.partition("::")
        source = root / path
        if not (any(root.glob(path)) if "*" in path else source.exists()):
            missing.append(first)
            continue
        names = [name] if name else []
        names += [n.lstrip(":") for n in re.findall(r"`([^`]+)`", more)]
        for each in names:
            if path.startswith("tests/bad_inputs") or path.endswith("bad_inputs/"):
                pattern = each.replace("*", ".*")
                if not any(
                    re.fullmatch(pattern, p.name) for p in (root / "tests/bad_inputs").iterdir()
                ):
                    missing.append(f"bad_inputs/{each}")
            elif each.startswith("test_") and f"def {each}(" not in source.read_text("utf-8"):
                missing.append(f"{path}::{each}")
    assert missing == []
