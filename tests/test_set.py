"""A set of BBTs as one unit: every document checked, then the rules between them (BBT6xx).

The test sets are in tests/data/set/: ``consistent`` (three fictional policy fields and the
shipped example, clean) and ``planted`` (the same with cross-document mistakes, each listed in
``planted/mistakes.yaml`` with its two ends).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bbt.cli import main
from bbt.errors import Finding, Severity
from bbt.resources import EXAMPLE
from bbt.set import SetResult, check_set, is_set, load_set

DATA = Path(__file__).parent / "data" / "set"
CONSISTENT = DATA / "consistent"
PLANTED = DATA / "planted"
_PLACE = re.compile(r"([^\s(),;]+\.yaml):(\d+)")


@pytest.fixture(scope="module")
def consistent() -> SetResult:
    return check_set(CONSISTENT)


@pytest.fixture(scope="module")
def planted() -> SetResult:
    return check_set(PLANTED)


def places(finding: Finding) -> set[tuple[Path, int]]:
    """Every ``file:line`` a finding points at: its location and those its message names."""
    text = f"{finding.location} {finding.message}"
    return {(Path(file).resolve(), int(line)) for file, line in _PLACE.findall(text)}


def end(text: str) -> tuple[Path, int]:
    file, line = text.rsplit(":", 1)
    return (PLANTED / file).resolve(), int(line)


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


# -- the planted set ------------------------------------------------------------------------------


def test_every_planted_mistake_is_reported_at_both_ends(planted: SetResult) -> None:
    manifest = yaml.safe_load((PLANTED / "mistakes.yaml").read_text("utf-8"))["mistakes"]
    assert len(manifest) == 7
    for mistake in manifest:
        found = [f for f in planted.findings if f.code == mistake["code"]]
        assert found, f"{mistake['code']} not reported: {mistake['what']}"
        pointed = set().union(*(places(f) for f in found))
        for text in mistake["ends"]:
            assert end(text) in pointed, f"{mistake['what']}: no {mistake['code']} at {text}"


def test_the_planted_set_has_no_other_error(planted: SetResult) -> None:
    manifest = yaml.safe_load((PLANTED / "mistakes.yaml").read_text("utf-8"))["mistakes"]
    ends = {(m["code"], end(text)) for m in manifest for text in m["ends"]}
    for finding in errors(planted.findings):  # each names an end of a planted mistake
        assert {(finding.code, place) for place in places(finding)} & ends, str(finding)
    # Each document is sound on its own: only the rules between documents see the mistakes.
    assert [errors(d.result.findings) for d in planted.documents] == [[]] * 5


def test_pair_rules_report_one_finding_at_each_end(planted: SetResult) -> None:
    transfer = [f for f in planted.findings if f.code == "BBT611"]
    assert sorted(f"{Path(f.location.file).name}:{f.location.line}" for f in transfer) == [
        "HB0-1HCA2AA-WT.yaml:10",
        "MB0-1MDB2BA-WT.yaml:10",
    ]
    cultuur = next(f for f in transfer if "HB0-1HCA2AA-WT" in f.location.file)
    assert "this side books VAK -500, the other books VAK +450" in cultuur.message


def test_tranche_mismatch_names_the_release_and_the_draws(planted: SetResult) -> None:
    (at_release,) = [
        f for f in planted.findings if f.code == "BBT621" and "financien" in str(f)[:40]
    ]
    assert "released VAK 540, VEK 540 to Cultuur for tranche 2024-04" in at_release.message
    assert "Cultuur drew VAK 522, VEK 522" in at_release.message
    (total,) = [f for f in planted.findings if f.code == "BBT620"]
    assert "released VAK 9.156, VEK 9.156 keuro" in total.message
    assert "they drew VAK 9.138, VEK 9.138" in total.message
    # The example declares what it drew (bbt.yaml `provisions:`): its end is that line.
    assert "Sociale Economie VAK 8.275, VEK 8.275 (" in total.message


def test_check_command_on_the_planted_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PLANTED)
    result = CliRunner().invoke(main, ["check", ".", "--format", "github"])
    assert result.exit_code == 1
    annotated = set(
        re.findall(r"^::error file=([^,]+),line=(\d+),col=\d+,title=BBT612::", result.output, re.M)
    )
    assert annotated == {
        ("cultuur/articles/HB0-1HCA2AC-WT.yaml", "9"),
        ("mobiliteit/articles/MB0-1MDB2BB-WT.yaml", "10"),
    }


# -- clean sets -----------------------------------------------------------------------------------


def test_the_consistent_set_is_clean(consistent: SetResult) -> None:
    assert not consistent.failed(strict=True), [str(f) for f in consistent.all_findings()]
    assert [d.member.stem for d in consistent.documents] == [
        "financien",
        "2024-sociale-economie",
        "cultuur",
        "mobiliteit",
    ]
    (outside,) = [f for f in consistent.findings if f.code == "BBT640"]
    assert outside.severity is Severity.INFO
    assert outside.message.startswith("2 movement(s) of Sociale Economie name counterparts outside")
    assert "Agentschap Overheidspersoneel (1), JB0-1JDE2CB-WT (1)" in outside.message


def test_check_command_on_the_consistent_set() -> None:
    result = CliRunner().invoke(main, ["check", str(CONSISTENT), "--strict"])
    assert result.exit_code == 0, result.output
    assert "4 document(s), 0 with errors; 0 error(s), 0 warning(s), 4 note(s)" in result.stderr


def test_a_set_of_the_example_alone_is_clean() -> None:
    # bbt/examples holds one budget folder and no set.yaml: a set of the example alone.
    assert is_set(EXAMPLE.parent) and not is_set(EXAMPLE)
    result = check_set(EXAMPLE.parent)
    assert not result.failed(strict=True)
    (outside,) = [f for f in result.findings if f.code == "BBT640"]
    # Without the provision's document, the index tranches and the relance stay unchecked.
    assert "13 movement(s)" in outside.message
    assert "CB0-1CBD2AB-PR (10)" in outside.message and "Relanceprovisie (1)" in outside.message
    cli = CliRunner().invoke(main, ["check", str(EXAMPLE.parent), "--strict", "-q"])
    assert cli.exit_code == 0, cli.output


# -- small sets written in the test ---------------------------------------------------------------


def make_set(root: Path, set_yaml: str | None, **documents: Path) -> Path:
    """Copy budget folders into ``root`` (name -> source folder) and write its set.yaml."""
    root.mkdir(parents=True, exist_ok=True)
    for name, source in documents.items():
        shutil.copytree(source, root / name)
    if set_yaml is not None:
        (root / "set.yaml").write_text(textwrap.dedent(set_yaml), "utf-8")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings if f.severity > Severity.INFO)


def test_without_set_yaml_the_budget_subfolders_in_name_order(tmp_path: Path) -> None:
    root = make_set(tmp_path / "s", None, b=CONSISTENT / "mobiliteit", a=CONSISTENT / "cultuur")
    (root / "notes").mkdir()  # not a budget folder: ignored
    budget_set, findings = load_set(root)
    assert budget_set is not None and not findings
    assert [m.path.name for m in budget_set.members] == ["a", "b"]
    result = check_set(root)
    # The provision's document is not in this set: the draws from it stay unchecked.
    assert codes(result.all_findings()) == []
    assert not is_set(tmp_path / "missing") and not is_set(root / "a")


def test_a_document_outside_the_set_folder_is_refused_unread(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(CONSISTENT / "cultuur", outside)
    (outside / "bbt.yaml").write_text("title: [unclosed\n", "utf-8")  # never read
    root = make_set(tmp_path / "s", "documents: [../outside]\n")
    result = check_set(root)
    assert [(f.code, f.location.line) for f in result.findings] == [("BBT601", 1)]
    assert "list its folder under 'external:'" in result.findings[0].message
    assert result.documents == []


def test_a_link_out_of_the_set_folder_counts_as_outside(tmp_path: Path) -> None:
    shutil.copytree(CONSISTENT / "cultuur", tmp_path / "elsewhere")
    root = make_set(tmp_path / "s", None)
    (root / "cultuur").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert codes(check_set(root).findings) == ["BBT601"]


def test_external_folders_allow_documents_from_outside(tmp_path: Path) -> None:
    root = make_set(
        tmp_path / "s",
        f"""\
        external: [{EXAMPLE.parent}]
        documents: [{EXAMPLE}]
        """,
    )
    result = check_set(root)
    assert not result.failed() and [d.member.stem for d in result.documents] == [EXAMPLE.name]


def test_set_yaml_mistakes(tmp_path: Path) -> None:
    root = make_set(
        tmp_path / "s",
        """\
        documents:
          - cultuur
          - missing
          - ./cultuur
          - other/cultuur
          - {path: mobiliteit, nmes: [Verkeer]}
        """,
        cultuur=CONSISTENT / "cultuur",
        mobiliteit=CONSISTENT / "mobiliteit",
    )
    shutil.copytree(CONSISTENT / "cultuur", root / "other" / "cultuur")
    result = check_set(root)
    assert result.budget_set is None and result.documents == []
    found = [(f.code, f.location.line) for f in result.findings]
    assert found == [("BBT002", 6), ("BBT602", 3), ("BBT603", 4), ("BBT603", 5)]
    assert "other/cultuur would be written as cultuur.html, like" in result.findings[3].message


def test_a_set_folder_that_is_not_a_set(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1 and "[BBT014]" in result.output  # one document's message
    _set, findings = load_set(tmp_path)
    assert [f.code for f in findings] == ["BBT600"]


def test_fix_is_refused_on_a_set() -> None:
    result = CliRunner().invoke(main, ["check", str(CONSISTENT), "--fix"])
    assert result.exit_code == 2 and "run it on each document of the set" in result.output


def test_a_counterpart_missing_from_its_document(tmp_path: Path) -> None:
    root = make_set(tmp_path / "s", None, c=CONSISTENT / "cultuur", m=CONSISTENT / "mobiliteit")
    edit(root / "c/articles/HB0-1HCA2AA-WT.yaml", "to: MB0-1MDB2BA-WT", "to: MB0-1MDB2BX-WT")
    found = sorted(
        (f for f in check_set(root).findings if f.severity > Severity.INFO), key=lambda f: f.code
    )
    assert [f.code for f in found] == ["BBT610", "BBT610", "BBT613"]
    found.reverse()
    assert "names MB0-1MDB2BX-WT as counterpart, but Mobiliteit (" in found[0].message
    assert "m/bbt.yaml:6), the document of programme MD" in found[0].message
    assert found[0].message.endswith("did you mean MB0-1MDB2BA-WT?")


def test_names_given_in_set_yaml_pair_transfers_by_document(tmp_path: Path) -> None:
    root = make_set(
        tmp_path / "s",
        """\
        documents: [c, {path: m, names: [Agentschap Verkeer]}]
        """,
        c=CONSISTENT / "cultuur",
        m=CONSISTENT / "mobiliteit",
    )
    edit(root / "c/articles/HB0-1HCA2AC-WT.yaml", "to: Mobiliteit", "to: Agentschap Verkeer")
    assert codes(check_set(root).findings) == []
    edit(root / "m/articles/MB0-1MDB2BB-WT.yaml", "vak: 250, vek: 250", "vak: 250, vek: 200")
    edit(
        root / "m/articles/MB0-1MDB2BB-WT.yaml",
        "vek: {ba: 2500, ba_jr: 2778",
        "vek: {ba: 2500, ba_jr: 2728",
    )
    at_c, at_m = [f for f in check_set(root).findings if f.code == "BBT611"]
    assert at_c.location.file.endswith("HB0-1HCA2AC-WT.yaml")
    assert (
        "Cultuur / Mobiliteit does not balance: this side books VEK -250, the other" in at_c.message
    )
    assert at_m.location.file.endswith("MB0-1MDB2BB-WT.yaml")
    assert f"VEK +200, the other books VEK -250 ({at_c.location})" in at_m.message


def test_same_name_or_wrong_year(tmp_path: Path) -> None:
    root = make_set(tmp_path / "s", None, a=CONSISTENT / "cultuur", b=CONSISTENT / "mobiliteit")
    edit(root / "b/bbt.yaml", "policy_field: Mobiliteit", "policy_field: Cultuur")
    edit(root / "b/bbt.yaml", "year: 2024", "year: 2023")
    found = [
        (f.code, Path(f.location.file).parent.name, f.location.line)
        for f in check_set(root).findings
    ]
    assert ("BBT632", "a", 5) in found and ("BBT632", "b", 5) in found
    assert ("BBT605", "b", 4) in found


def test_a_name_that_differs_only_in_case_from_the_documents_own_is_no_clash(
    tmp_path: Path,
) -> None:
    documents = "documents:\n  - {path: a, names: [CULTUUR]}\n  - b\n"
    root = make_set(tmp_path / "s", documents, a=CONSISTENT / "cultuur", b=CONSISTENT / "cultuur")
    edit(root / "b/bbt.yaml", "policy_field: Cultuur", "policy_field: Cultuur en Media")
    assert [f for f in check_set(root).findings if f.code == "BBT632"] == []
    # the same name in another document still clashes, whatever its case
    edit(root / "b/bbt.yaml", "policy_field: Cultuur en Media", "policy_field: cultuur")
    found = [(f.code, Path(f.location.file).parent.name) for f in check_set(root).findings]
    assert found.count(("BBT632", "a")) == 1 and found.count(("BBT632", "b")) == 1


def test_a_document_that_does_not_load(tmp_path: Path) -> None:
    root = make_set(tmp_path / "s", None, a=CONSISTENT / "cultuur", b=CONSISTENT / "mobiliteit")
    edit(root / "b/bbt.yaml", "ises: [verkeersveiligheid]", "ises: [verkeersveiligheid")
    result = check_set(root)
    assert [f.code for f in result.documents[1].result.findings] == ["BBT001"]
    # Its counterpart is not reported as one-sided: the document that would book it is unknown.
    assert codes(result.findings) == ["BBT604"]
    assert result.failed()


def test_a_provision_nobody_drew_from_and_an_undeclared_credit(tmp_path: Path) -> None:
    root = make_set(
        tmp_path / "s",
        """\
        documents: [c]
        provisions:
          Relanceprovisie: {vak: 100}
          Klimaatprovisie: {vak: 5}
        """,
        c=CONSISTENT / "cultuur",
    )
    found = {
        f.message.split(" released")[0]: f for f in check_set(root).findings if f.code == "BBT620"
    }
    assert (
        "released VAK 100 keuro to the documents of the set, but they drew VEK 400: Cultuur VEK 400 ("
        in found["provision Relanceprovisie"].message
    )
    assert found["provision Klimaatprovisie"].message.endswith("none drew from it")


def test_a_transfer_by_name_booked_on_one_side(tmp_path: Path) -> None:
    root = make_set(tmp_path / "s", None, c=CONSISTENT / "cultuur", m=CONSISTENT / "mobiliteit")
    edit(root / "m/articles/MB0-1MDB2BB-WT.yaml", "from: Cultuur", "from: Elders")
    at_c, at_m = sorted(
        (f for f in check_set(root).findings if f.code == "BBT610"),
        key=lambda f: f.location.file,
    )
    assert (Path(at_c.location.file).name, at_c.location.line) == ("HB0-1HCA2AC-WT.yaml", 9)
    assert (Path(at_m.location.file).name, at_m.location.line) == ("bbt.yaml", 5)  # policy_field
    assert (
        "with Mobiliteit (" in at_c.message
        and "naming the other document (by name)" in at_c.message
    )
    assert at_m.message.startswith("Mobiliteit books no movement with Cultuur")
    assert "book the other side here (VAK +250, VEK +250)" in at_m.message
