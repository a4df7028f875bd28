"""Export and import are exact inverses: amounts, decimals and titles survive every format."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from budgetkit import make_budget
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbt.calculation import calculate
from bbt.exchange.cells import escape_text, unescape_text
from bbt.exchange.cli import COMMANDS
from bbt.exchange.export import build_export
from bbt.exchange.importer import read_spreadsheet
from bbt.load.budget import load
from bbt.pipeline import check
from bbt.resources import EXAMPLE

COMMAND = {c.name: c for c in COMMANDS}
FORMATS = [
    ("nl", "credits.csv"),
    ("plain", "credits.csv"),
    ("nl", "credits.xlsx"),
    ("nl", "credits.json"),
]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escaping_is_exactly_undone(text: str) -> None:
    escaped = escape_text(text)
    assert unescape_text(escaped) == text
    assert escaped[:1] not in ("=", "+", "-", "@", "\t", "\r")


amounts = st.one_of(
    st.decimals(min_value=-(10**9), max_value=10**9, places=3),
    st.decimals(min_value=-(10**9), max_value=10**9, places=1),
    st.integers(min_value=-(10**17), max_value=10**17).map(Decimal),  # beyond Excel's 15 digits
    st.decimals(min_value=10**12, max_value=10**14, places=3),  # 15 to 17 digits
)
titles = (
    st.tuples(
        st.sampled_from(["", "=", "+", "-", "@", "'", "'=", "''", "'-"]),
        st.text(
            # digits 0-9 only: the loader refuses other digits in any text (BBT025, confusable)
            st.characters(codec="utf-8", categories=["L", "Nl", "No", "P", "S", "Zs"])
            | st.sampled_from("0123456789"),
            min_size=1,
            max_size=30,
        )
        .map(str.strip)
        .filter(bool),
    )
    .map("".join)
    .map(lambda text: unicodedata.normalize("NFC", text))
)
"""Titles as bbt keeps text: NFC-normalised (the loader normalises, so ``豈`` U+F900 is read
back as its canonical U+8C48)."""


@st.composite
def budgets(draw: st.DrawFn) -> dict[str, tuple[str, dict[str, Decimal]]]:
    letters = draw(st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=4, unique=True))
    out = {}
    for letter in letters:
        figures = {
            f"{credit}.{phase}": draw(amounts)
            for credit in ("vak", "vek")
            for phase in ("ba", "ba_jr", "bu")
        }
        out[f"JB0-1JEC2H{letter}-WT"] = (draw(titles), figures)
    return out


def write(root: Path, data: dict[str, tuple[str, dict[str, Decimal]]]) -> Path:
    files: dict[str, str | None] = {}
    for code, (title, figures) in data.items():
        series = {
            credit: ", ".join(f"{p}: {figures[f'{credit}.{p}']}" for p in ("ba", "ba_jr", "bu"))
            for credit in ("vak", "vek")
        }
        files[f"articles/{code}.yaml"] = (
            f"code: {code}\ntitle: {json.dumps(title, ensure_ascii=False)}\nise: activering\ncredits:\n"
            f"  vak: {{{series['vak']}}}\n  vek: {{{series['vek']}}}\n"
        )
    return make_budget(root, files, article=None)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(budgets())
def test_every_export_format_imports_back_exactly(
    data: dict[str, tuple[str, dict[str, Decimal]]],
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = write(Path(temp) / "b", data)
        calculation = calculate(load(root))
        for flavour, name in FORMATS:
            path = Path(temp) / flavour / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(build_export(calculation, flavour).files[name])
            sheet = read_spreadsheet(path)
            assert sheet.warnings == ()
            for code, (title, figures) in data.items():
                article = sheet.articles[code]
                assert article.title is not None and article.title[0] == title, (name, flavour)
                got = {f"{c}.{p}": v for (c, p), (v, _cell) in article.figures.items()}
                assert got == figures, (name, flavour)


# -- export, import, export: the same bytes ----------------------------------------------------


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def invoke(command: str, *args: str | Path) -> str:
    result = CliRunner().invoke(COMMAND[command], [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def decimal_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with decimal amounts (euro precision in keuro) that still passes bbt check."""
    root = Path(shutil.copytree(EXAMPLE, tmp_path_factory.mktemp("a") / "2024-sociale-economie"))
    edit(
        root / "articles" / "JB0-1JEC2HA-WT.yaml",
        "vak: {ba: 580966, ba_jr: 588293, bu: 552289}",
        "vak: {ba: 580966.5, ba_jr: 588293.5, bu: 552289.125}",
    )
    edit(root / "articles" / "JB0-1JEC2HE-WT.yaml", "bu: -2188}   #", "bu: -2187.999}   #")
    assert not check(root).failed()
    return root


def cleared(source: Path, target: Path) -> Path:
    """A copy of ``source`` whose articles have no figures (as after bbt new)."""
    shutil.copytree(source, target)
    for article in (target / "articles").glob("*.yaml"):
        text = article.read_text(encoding="utf-8")
        article.write_text(
            re.sub(r"^(  (?:vak|vek|ao|to|lo)): \{[^}]*\}", r"\1: {}", text, flags=re.M)
        )
    return target


@pytest.mark.parametrize("name", ["credits.csv", "credits.xlsx", "credits.json"])
@pytest.mark.parametrize("flavour", ["nl", "plain"])
def test_export_import_export_gives_the_same_bytes(
    decimal_example: Path, tmp_path: Path, name: str, flavour: str
) -> None:
    first = tmp_path / "first"
    invoke("export", decimal_example, "--to", first, "--csv", flavour)
    assert (
        "552289,125" in (first / "credits.csv").read_text(encoding="utf-8-sig")
        or flavour == "plain"
    )
    target = cleared(decimal_example, tmp_path / "b" / decimal_example.name)
    assert load(target).article("JB0-1JEC2HA-WT").credits["vak"].bu is None  # type: ignore[union-attr]
    out = invoke("import", first / name, "--into", target, "--yes")
    assert "51 figure(s) to write: 0 new article(s), 8 updated" in out
    second = tmp_path / "second"
    invoke("export", target, "--to", second, "--csv", flavour)
    for part in ("credits.csv", "credits.xlsx", "credits.json", "datapackage.json"):
        assert (second / part).read_bytes() == (first / part).read_bytes(), part
    vak = load(target).article("JB0-1JEC2HA-WT").credits["vak"]  # type: ignore[union-attr]
    assert (vak.ba, vak.ba_jr, vak.bu) == (
        Decimal("580966.5"),
        Decimal("588293.5"),
        Decimal("552289.125"),
    )
