"""`bbt init`: a new, empty budget that checks strictly and builds, with nothing of the example."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bbt.cli import main
from bbt.init import InitError, Starter, init_budget, starter_files
from bbt.load.budget import load
from bbt.pipeline import build, check
from bbt.resources import EXAMPLE


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A starter with the default options, built once: the folder and the HTML's text."""
    root = tmp_path_factory.mktemp("init") / "nieuw"
    result = run("init", str(root), "--year", "2025")
    assert result.exit_code == 0, result.output
    out = build(root, root / "output", ("html", "pdf"))
    assert not out.failed() and len(out.written) == 2, out.findings
    return root, _text((root / "output" / "nieuw.html").read_text("utf-8"))


def _text(page: str) -> str:
    """The words a reader sees: no markup, no style, no figure-source attributes."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_starter_passes_check_strict_with_no_finding_at_all(
    built: tuple[Path, str],
) -> None:
    root, _text = built
    result = check(root)
    assert result.findings == []
    strict = run("check", str(root), "--strict")
    assert strict.exit_code == 0 and "0 error(s), 0 warning(s), 0 note(s)" in strict.output


def test_the_starter_builds_a_pdf_and_its_figures_reconcile(built: tuple[Path, str]) -> None:
    root, text = built
    assert (root / "output" / "nieuw.pdf").read_bytes().startswith(b"%PDF-")
    calculation = check(root).calculation
    assert calculation is not None
    article = calculation.document.articles[0]
    assert str(article.code) == "XB0-1XXC2AA-WT"
    # the programme table, the article's table and the text all show the same figures
    assert "BU 2025 0 0 0 950 950" in text and "95,0%" in text
    assert "van de 1.000 keuro beschikbaar VAK-krediet werd 950 keuro uitgevoerd" in text


def test_every_narrative_is_a_visible_placeholder_not_a_draft(built: tuple[Path, str]) -> None:
    root, text = built
    texts = sorted((root / "text").rglob("*.md"))
    assert len(texts) == 10
    for path in texts:
        source = path.read_text("utf-8")
        assert source.startswith("Te vervangen") and "{#" not in source, path
    assert text.count("Te vervangen") >= 15


def _example_words() -> tuple[set[str], set[str]]:
    """The example's names (titles, codes, minister ...) and every run of six words of its prose."""
    document = load(EXAMPLE)
    names = {
        document.title,
        document.policy_field,
        document.department,
        document.minister.name,
        document.programme_title,
        document.stamp,
        *(str(a.code) for a in document.articles),
        *(a.title for a in document.articles),
        *(i.title for i in document.ises),
        *(o.title for i in document.ises for o in i.ods),
        *(sd.title for sd in document.sds),
        *(i.title for i in document.indicators),
        "Sociale Economie",
        "Crevits",
        f" {document.programme_code} ",
    }
    runs = set()
    for path in EXAMPLE.rglob("*.md"):
        # the words between expressions: "{{ vak.bu }}" renders as a figure, not as these words
        for part in re.split(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", path.read_text("utf-8")):
            words = re.findall(r"[\w’'-]+", part)
            runs |= {" ".join(words[i : i + 6]) for i in range(len(words) - 5)}
    return {n for n in names if n}, runs


def test_nothing_of_the_example_appears_in_the_document(built: tuple[Path, str]) -> None:
    _root, text = built
    names, runs = _example_words()
    assert len(names) > 30 and len(runs) > 5000  # the comparison has something to compare
    assert sorted(n for n in names if n in text) == []
    words = re.findall(r"[\w’'-]+", text)
    seen = {" ".join(words[i : i + 6]) for i in range(len(words) - 5)}
    assert sorted(seen & runs) == []


def test_options_fill_the_title_page_and_the_article_code(tmp_path: Path) -> None:
    result = run(
        "init",
        str(tmp_path / "mob"),
        "--department",
        'Departement "Mobiliteit" en Openbare Werken',
        "--policy-field",
        "Mobiliteit",
        "--programme",
        "mb",
        "--year",
        "2024",
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "bbt check --strict && bbt build" in result.output
    document = load(tmp_path / "mob")
    assert document.department == 'Departement "Mobiliteit" en Openbare Werken'
    assert (document.policy_field, document.programme_code, document.year) == (
        "Mobiliteit",
        "MB",
        2024,
    )
    assert document.title == "Beleids- en begrotingstoelichting Mobiliteit"
    assert [str(a.code) for a in document.articles] == ["MB0-1MBC2AA-WT"]
    assert (tmp_path / "mob" / "articles" / "MB0-1MBC2AA-WT.yaml").is_file()
    assert check(tmp_path / "mob").findings == []


def test_the_default_year_is_last_year() -> None:
    import datetime

    assert Starter().year == datetime.date.today().year - 1


def test_a_folder_that_is_not_empty_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("init", str(tmp_path))
    assert result.exit_code == 1
    assert "is not empty; bbt init writes only into a new or empty folder" in result.output
    assert "Traceback" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    result = run("init", str(tmp_path / "f"))
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_an_empty_current_folder_is_filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "next: bbt check --strict && bbt build" in result.output
    assert (tmp_path / "bbt.yaml").is_file() and (tmp_path / ".gitignore").is_file()
    # standing in it, the commands use it
    checked = run("check", "--strict")
    assert checked.exit_code == 0 and "shipped example" not in checked.output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--programme", "J1", "must be two capital letters"),
        ("--programme", "JEC", "must be two capital letters"),
        ("--department", "  ", "must be one line of text"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    result = run("init", str(tmp_path / "x"), option, value)
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "x").exists()


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bbt.init

    def full_disk(_files: object) -> list[Path]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bbt.init, "write_set", full_disk)
    with pytest.raises(InitError, match="No space left on device"):
        init_budget(tmp_path / "new")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "empty").mkdir()
    with pytest.raises(InitError):
        init_budget(tmp_path / "empty")
    assert list((tmp_path / "empty").iterdir()) == []


def test_the_starter_is_package_data_and_every_yaml_field_is_filled() -> None:
    files = starter_files(Starter(year=2025))
    assert "bbt.yaml" in files and "articles/XB0-1XXC2AA-WT.yaml" in files
    assert not any("$" in data.decode("utf-8") for data in files.values())
