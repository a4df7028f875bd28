"""``bbt build SET``: every document, then the set's overview (HTML, PDF) and its open data."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import types
from pathlib import Path

import pytest
from budgetkit import article_with, make_budget
from click.testing import CliRunner

from bbt.cli import main
from bbt.exchange.export import build_export
from bbt.resources import TEMPLATES
from bbt.set import check_set
from bbt.set.overview import open_data, render_overview_html, render_overview_pdf

DATA = Path(__file__).parent / "data" / "set"
CONSISTENT = DATA / "consistent"
ROOT = Path(__file__).resolve().parent.parent
WRITTEN = [
    "2024-sociale-economie.html",
    "cultuur.html",
    "financien.html",
    "mobiliteit.html",
    "open-data",
    "overzicht.html",
]
"""What an HTML build of the consistent set writes: its four documents, the overview, open data."""


def frictionless() -> types.ModuleType:
    """The validator; in CI it must be installed (the test extra), elsewhere it may be missing."""
    if os.environ.get("CI") == "true":
        import frictionless as module

        return module
    return pytest.importorskip("frictionless")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("set-out")
    result = CliRunner().invoke(
        main, ["build", str(CONSISTENT), "-o", str(out), "--format", "html", "-j", "2"]
    )
    assert result.exit_code == 0, result.output
    return out, result.stderr


def test_every_document_and_the_set_outputs_are_written(built: tuple[Path, str]) -> None:
    out, stderr = built
    assert sorted(p.name for p in out.iterdir()) == WRITTEN
    assert sorted(p.name for p in (out / "open-data").iterdir()) == [
        "credits.csv",
        "datapackage.json",
    ]
    # Off a terminal: one line per document as it finishes, then the report per document.
    progress = sorted(line for line in stderr.splitlines() if line.startswith("["))
    assert len(progress) == 4 and all(line.endswith(": 1 file(s)") for line in progress)
    assert "2024-sociale-economie.html" in stderr and "0 with errors" in stderr


def test_the_overview_shows_each_programme_and_the_total(built: tuple[Path, str]) -> None:
    html = (built[0] / "overzicht.html").read_text("utf-8")
    assert '<html lang="nl-BE">' in html and "<main>" in html
    # The example as its document shows it (published BU VAK 653.583): 653.583 / 721.768.
    head = '<th scope="row" class="label name">Sociale Economie</th>'
    row = html.split(head)[1].split("</tr>")[0]
    assert [
        c for c in ("717.324", "721.768", "653.583", "90,6%", "734.808", "91,0%") if c not in row
    ] == []
    total = html.split("Totaal van de 4 documenten")[1].split("</tr>")[0]
    assert "820.324" in total and "816.493" in total and "735.192" in total and "90,0%" in total
    assert '<a href="2024-sociale-economie.html">' in html
    assert str(ROOT) not in html and str(built[0]) not in html  # portable output
    # The provisions: the example drew 8.275 of the 9.156 the index provision released.
    assert "Indexprovisie (CB0-1CBD2AB-PR)" in html and "9.156" in html


def test_the_open_data_is_one_valid_package_of_every_document(built: tuple[Path, str]) -> None:
    out = built[0] / "open-data"
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    assert package["name"] == "bbt-set-consistent"
    example = check_set(CONSISTENT).documents[1].calculation
    assert example is not None
    single = json.loads(build_export(example).files["datapackage.json"])["resources"][0]
    stacked = package["resources"][0]
    assert stacked["dialect"] == single["dialect"]  # the same table, stackable
    assert [f["name"] for f in stacked["schema"]["fields"]] == [
        f["name"] for f in single["schema"]["fields"]
    ]
    programme = next(f for f in stacked["schema"]["fields"] if f["name"] == "programme_code")
    assert len(programme["constraints"]["enum"]) == 4  # every document's programme
    text = (out / "credits.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 93  # 31 series (article x credit type) of the four documents x 3 phases
    gesco = [r for r in rows if r["article_code"] == "JB0-1JEC2HE-WT" and r["phase"] == "BU"]
    assert [r["amount"] for r in gesco] == ["-2188", "-2188"]
    report = frictionless().validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_overview_pdf_names_the_files_and_embeds_its_fonts(tmp_path: Path) -> None:
    result = check_set(CONSISTENT)
    assert result.view is not None and result.budget_set is not None
    html = render_overview_html(
        result.view, result.budget_set, TEMPLATES, ("html", "pdf"), links=False
    )
    assert "<a href" not in html and "2024-sociale-economie.pdf" in html
    pdf = render_overview_pdf(html, TEMPLATES, CONSISTENT)
    pypdf = pytest.importorskip("pypdf") if os.environ.get("CI") != "true" else __import__("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Totaal van de 4 documenten" in text and "820.324" in text
    assert str(ROOT).encode() not in pdf


def test_the_overview_is_byte_identical_per_input() -> None:
    first, second = check_set(CONSISTENT), check_set(CONSISTENT)
    assert first.view and first.budget_set and second.view and second.budget_set
    one = render_overview_html(first.view, first.budget_set, TEMPLATES)
    assert one == render_overview_html(second.view, second.budget_set, TEMPLATES)
    assert open_data(first.view, first.budget_set) == open_data(second.view, second.budget_set)


def test_the_overview_refuses_a_source_date_epoch_that_is_not_a_unix_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bbt.errors import RenderError

    result = check_set(CONSISTENT)
    assert result.view and result.budget_set
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2024-05-30")
    with pytest.raises(RenderError) as refused:
        render_overview_html(result.view, result.budget_set, TEMPLATES)
    assert [f.code for f in refused.value.findings] == ["BBT305"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717027200")
    assert "2024-05-30T00:00:00Z" in render_overview_html(result.view, result.budget_set, TEMPLATES)


ZERO_BASE = article_with((2000, 2000, 1881), (0, 0, 0), title="Nieuw artikel")


def test_utilisation_half_up_and_not_applicable(tmp_path: Path) -> None:
    root = tmp_path / "s"
    make_budget(root / "test", article=ZERO_BASE)
    result = check_set(root)
    assert result.view is not None and result.budget_set is not None and not result.failed()
    html = render_overview_html(result.view, result.budget_set, TEMPLATES)
    row = html.split('<th scope="row" class="label name">Test</th>')[1].split("</tr>")[0]
    assert "94,1%" in row  # 1.881 / 2.000 = 94,05%: half-up, not to even
    assert "n.v.t." in row  # VEK: no base


def test_a_set_with_errors_builds_its_sound_documents_but_no_overview(tmp_path: Path) -> None:
    root = tmp_path / "s"
    for name in ("cultuur", "mobiliteit"):
        shutil.copytree(CONSISTENT / name, root / name)
    article = root / "mobiliteit/articles/MB0-1MDB2BA-WT.yaml"
    article.write_text(
        article.read_text("utf-8")
        .replace("vak: 500, vek: 500", "vak: 400, vek: 500")
        .replace("ba_jr: 8589, bu: 8420", "ba_jr: 8489, bu: 8420"),
        "utf-8",
    )
    shutil.copytree(CONSISTENT / "cultuur", root / "kapot")
    (root / "kapot/bbt.yaml").write_text("title: [unclosed\n", "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(root), "-o", str(out), "--format", "html"])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["cultuur.html", "mobiliteit.html"]
    assert "[BBT611]" in result.output and "[BBT001]" in result.output
    assert "no overview (the set has errors)" in result.stderr


def test_a_template_mistake_in_the_overview_points_at_its_line(tmp_path: Path) -> None:
    from bbt.errors import RenderError

    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "overview.html.j2").write_text("<html>\n{{ totals.nope }}\n", "utf-8")
    result = check_set(CONSISTENT)
    assert result.view is not None and result.budget_set is not None
    with pytest.raises(RenderError) as caught:
        render_overview_html(result.view, result.budget_set, tmp_path)
    (finding,) = caught.value.findings
    assert finding.code == "BBT650" and finding.location.line == 2
    assert finding.location.file.endswith("set/overview.html.j2")


def test_the_build_path_hook_takes_one_build_options(tmp_path: Path) -> None:
    """What docs/extensions.md promises an extension: ``build_path(path, BuildOptions)``; a
    budget folder is not a set, so the hook declines it (None)."""
    from bbt.pipeline import BuildOptions
    from bbt.set.cli import build_path

    options = BuildOptions(tmp_path / "out", ("html",), TEMPLATES)
    assert build_path(CONSISTENT / "cultuur", options) is None
    assert build_path(CONSISTENT, options) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == WRITTEN


def test_a_set_output_that_cannot_be_written_is_bbt307_and_nothing_of_the_set_is_written(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "open-data").write_text("a file where the open data's folder goes", "utf-8")
    result = CliRunner().invoke(
        main, ["build", str(CONSISTENT), "-o", str(out), "--format", "html"]
    )
    assert result.exit_code == 1, result.output
    assert "[BBT307]" in result.output and "Traceback" not in result.output
    assert not (out / "overzicht.html").exists()  # the set's files are written all or none
    assert (out / "open-data").read_text("utf-8").startswith("a file where")
