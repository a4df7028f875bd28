"""Properties (hypothesis): generated documents load, check and render; mutations never crash.

Example counts are kept small so the suite stays fast. For a long run:

    BBT_HYPOTHESIS=long python -m pytest tests/test_properties.py

(``long`` runs 50x more examples per property.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from budgetkit import DOCUMENT, ISE, make_budget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbt.calculation import calculate, utilisation
from bbt.checks.stated import parse_dutch
from bbt.errors import Severity
from bbt.format import bedrag
from bbt.load.budget import load_with_findings
from bbt.load.yamlsrc import parse_yaml_text
from bbt.pipeline import build, check

LONG = os.environ.get("BBT_HYPOTHESIS") == "long"


def examples(n: int) -> settings:
    return settings(
        max_examples=n * 50 if LONG else n,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


amounts = st.integers(min_value=0, max_value=2_000_000)
signed = st.integers(min_value=-50_000, max_value=50_000).filter(lambda v: v != 0)
esr = st.sampled_from(["WT", "WT", "LO", "PR", "IS", "LE", "PA"])


@st.composite
def articles(draw):
    letters = draw(st.lists(st.sampled_from("ABCDEFGHJKLM"), min_size=1, max_size=5, unique=True))
    out = []
    for letter in letters:
        code = f"JB0-1JEC2H{letter}-{draw(esr)}"
        ba = {c: draw(amounts) for c in ("vak", "vek")}
        moves = draw(
            st.lists(st.tuples(st.sampled_from(["vak", "vek"]), signed, st.booleans()), max_size=4)
        )
        ba_jr = dict(ba)
        lines = []
        for i, (credit, amount, index) in enumerate(moves):
            if index:
                amount = abs(amount)
                counterpart = "from: CB0-1CBD2AB-PR"
            else:
                counterpart = "from: Elders" if amount > 0 else "to: Elders"
            ba_jr[credit] += amount
            lines.append(f"  - {{id: m{i}, {credit}: {amount}, {counterpart}, reason: test}}")
        for credit in ("vak", "vek"):
            if ba_jr[credit] < 0:  # keep the credit non-negative: top it up at BA
                ba[credit] -= ba_jr[credit]
                ba_jr[credit] = 0
        bu = {
            c: draw(st.integers(min_value=-5_000, max_value=max(ba_jr[c], 0) + 1_000))
            for c in ("vak", "vek")
        }
        text = (
            f"code: {code}\ntitle: Artikel {letter}\nise: activering\ncredits:\n"
            + "".join(
                f"  {c}: {{ba: {ba[c]}, ba_jr: {ba_jr[c]}, bu: {bu[c]}}}\n" for c in ("vak", "vek")
            )
            + ("movements:\n" + "\n".join(lines) + "\n" if lines else "")
            + "toelichting: |\n  De uitvoering bedroeg {{ vak.bu }} keuro VAK of {{ vak.benutting }} en {{ vek.bu }} keuro VEK.\n"
        )
        out.append((code, text, bu))
    return out


def write(articles_: list[tuple[str, str, dict[str, int]]]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="bbt-prop-")) / "b"
    files: dict[str, str | None] = {f"articles/{code}.yaml": text for code, text, _ in articles_}
    make_budget(root, files, article=None)
    return root


@examples(25)
@given(articles())
def test_generated_documents_load_and_check_without_errors(arts):
    root = write(arts)
    try:
        result = check(root)
        assert result.calculation is not None, [str(f) for f in result.findings]
        errors = [str(f) for f in result.findings if f.severity is Severity.ERROR]
        assert errors == []
        calculation = result.calculation
        # Invariant before display rounding: articles = ISE = programme.
        for credit in ("vak", "vek"):
            total = sum((Decimal(bu[credit]) for _, _, bu in arts), Decimal(0))
            assert calculation.ise("activering").computed[credit].bu == total
            assert calculation.programme_computed[credit].bu == total
    finally:
        shutil.rmtree(root.parent)


@examples(8)
@given(articles())
def test_generated_documents_render_html(arts):
    root = write(arts)
    try:
        result = build(root, root.parent / "out", formats=("html",))
        assert not result.failed(), [str(f) for f in result.findings]
        html = (root.parent / "out" / "b.html").read_text(encoding="utf-8")
        for code, _, bu in arts:
            assert code in html
            assert bedrag(Decimal(bu["vak"])) in html
    finally:
        shutil.rmtree(root.parent)


# -- check and build agree ---------------------------------------------------------------------

EXPRESSIONS = [
    "{{ vak.bu }} keuro",
    "{{ vek.benutting }}",
    "{{ mv.m0.vak }}",
    "{{ mv.m3.vek }}",
    "{{ figures.raming }}",
    "{{ ise.vak.ba }}",
    "{{ ises['activering'].vek.bu }}",
    "{{ vak }}",
    "{{ year }}",
    "{{ art['JB0-1JEC2HA-WT'].vak.bu }}",
    "{{ programme.vak.bu }}",
    "{{ vak.bu | bedrag }}",
    "{{ vak.ba_jr - vak.bu }}",
    "{{ accruals.vak }}",
    "{{ index.vak }}",
    "![logo](logo.png)",
    "[^1]\n\n[^1]: noot bij {{ vak.ba }} keuro",
    "#### Tussenkop\n\nMeer tekst.",
    "{% if vak.bu > 0 %}positief{% endif %}",
    "{{ nergens.iets }}",
]


@st.composite
def texts(draw):
    return " ".join(draw(st.lists(st.sampled_from(EXPRESSIONS), min_size=1, max_size=4)))


@examples(25)
@given(articles(), texts())
def test_check_without_errors_means_the_build_succeeds(arts, text):
    """Whatever stops a build is found by ``bbt check``, all at once (no surprise at build)."""
    code, article, bu = arts[0]
    head = article.split("toelichting:")[0]
    arts = [(code, head + "toelichting: |\n  " + text.replace("\n", "\n  ") + "\n", bu), *arts[1:]]
    root = write(arts)
    try:
        checked = check(root)
        built = build(root, root.parent / "out", formats=("html",))
        errors = {
            (f.code, str(f.location)) for f in checked.findings if f.severity is Severity.ERROR
        }
        after = {(f.code, str(f.location)) for f in built.findings if f.severity is Severity.ERROR}
        assert after == errors, [str(f) for f in built.findings]
        assert built.failed() == bool(errors)
        assert (root.parent / "out" / "b.html").is_file() != bool(errors)
    finally:
        shutil.rmtree(root.parent)


VALID = [
    "{{ vak.bu }} keuro",
    "{{ vek.benutting }}",
    "{{ ise.vak.ba }}",
    "{{ year }}",
    "{{ index.vak }}",
    "{{ programme.vek.ba_jr }}",
    "{{ vak.ba_jr - vak.bu }}",
    "[^1]\n\n[^1]: noot bij {{ vak.ba }} keuro",
]


@examples(10)
@given(articles(), st.lists(st.sampled_from(VALID), min_size=1, max_size=4).map(" ".join))
def test_next_years_skeleton_checks_and_builds_alike(arts, text):
    """``bbt new`` leaves no expression that cannot evaluate (no BBT202), and on the skeleton
    ``bbt check`` and ``bbt build --draft`` report the same errors."""
    from bbt.exchange.skeleton import build_skeleton, write_skeleton

    code, article, bu = arts[0]
    head = article.split("toelichting:")[0]
    clean = text.replace("{{ nergens.iets }}", "").replace("![logo](logo.png)", "")
    arts = [
        (code, head + "toelichting: |\n  " + clean.replace("\n", "\n  ") + " .\n", bu),
        *arts[1:],
    ]
    root = write(arts)
    try:
        if check(root).failed():
            return  # bbt new refuses a source with errors (tested in test_exchange_new.py)
        skeleton = root.parent / "next"
        write_skeleton(build_skeleton(root, 2025), skeleton)
        checked = check(skeleton)
        assert not [f for f in checked.findings if f.code in ("BBT201", "BBT202", "BBT203")]
        built = build(skeleton, root.parent / "out", formats=("html",), draft=True)
        errors = {
            (f.code, str(f.location)) for f in checked.findings if f.severity is Severity.ERROR
        }
        after = {(f.code, str(f.location)) for f in built.findings if f.severity is Severity.ERROR}
        assert after == errors
    finally:
        shutil.rmtree(root.parent)


_TRICKY = [
    *":-[]{}&*!|>'\"\t#%@`,?\\\n ",
    "\u00e9",
    "\x00",
    "\ufeff",
    "0.1",
    "!!python/object:os.system",
    "*a",
]


@st.composite
def mutations(draw):
    text = DOCUMENT if draw(st.booleans()) else ISE
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "replace-line"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.sampled_from(_TRICKY)) + lines[i][pos:]
        elif kind == "delete" and lines[i]:
            pos = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:pos] + lines[i][pos + 1 :]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            parts = st.lists(st.sampled_from([*_TRICKY, *"abcXYZ019"]), max_size=8)
            lines[i] = "".join(draw(parts)) + "\n"
    return text, "".join(lines)


@examples(150)
@given(mutations())
def test_mutated_yaml_loads_or_gives_a_finding(case):
    original, mutated = case
    root = Path(tempfile.mkdtemp(prefix="bbt-mut-")) / "b"
    try:
        name = "bbt.yaml" if original is DOCUMENT else "ises/activering.yaml"
        make_budget(root, {name: mutated})
        document, findings = load_with_findings(root)  # must not raise
        if document is None:
            assert any(f.severity is Severity.ERROR for f in findings)
            assert all(f.location.file for f in findings)
        else:
            calculate(document)
    finally:
        shutil.rmtree(root.parent)


@examples(200)
@given(st.text(max_size=200))
def test_any_text_parses_or_gives_a_finding(text):
    findings = []
    node = parse_yaml_text(text, "x.yaml", findings)  # never raises
    assert node is not None or any(f.severity is Severity.ERROR for f in findings)
    assert all(f.location.file == "x.yaml" for f in findings)


@examples(300)
@given(
    st.decimals(
        min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False
    )
)
def test_dutch_format_roundtrip(value):
    assert parse_dutch(bedrag(value)) == value


@examples(300)
@given(st.integers(-(10**7), 10**7), st.integers(1, 10**7))
def test_utilisation_is_exact_and_rounds_half_up(bu, ba_jr):
    pct = utilisation(Decimal(bu), Decimal(ba_jr))
    exact = Fraction(bu * 100, ba_jr)
    # Half-up (away from zero) to one decimal, computed independently with fractions.
    tenths = abs(exact) * 10
    rounded = Fraction(int(tenths + Fraction(1, 2)), 10) * (1 if exact >= 0 else -1)
    assert pct.rounded(1) == Decimal(rounded.numerator) / Decimal(rounded.denominator)
    # value is exact to Decimal's 28 significant digits
    assert abs(Fraction(pct.value) - exact) <= abs(exact) * Fraction(1, 10**27)
