"""Hostile spreadsheets, repositories and disks: a clear finding, bounded memory, nothing half-written.

The risky reads run ``bbt import`` in a subprocess under an address-space limit (RLIMIT_AS) and a
timeout, so a regression fails the test instead of taking the machine down.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from budgetkit import bounded_bbt, git
from click.testing import CliRunner

from bbt.exchange import files as exchange_files
from bbt.exchange.cli import COMMANDS
from bbt.resources import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 768 * 1024 * 1024  # about four times what an import needs
TIMEOUT = 60
COMMAND = {c.name: c for c in COMMANDS}
HEADER = ["Begrotingsartikel", "Krediettype", "Fase", "Bedrag"]


def bounded_import(sheet: Path, budget: Path) -> tuple[int, str]:
    """``bbt import SHEET --into BUDGET --dry-run`` in a child with limited memory and time."""
    args = ["import", str(sheet), "--into", str(budget), "--dry-run"]
    return bounded_bbt(args, memory=MEMORY, timeout=TIMEOUT)


def workbook(
    change: Callable[[str, bytes], bytes] = lambda _n, d: d, extra: dict[str, bytes] | None = None
) -> bytes:
    """A small valid workbook (one figure), with ``change(part, data)`` applied to its parts
    and ``extra`` parts added."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["JB0-1JEC2HA-WT", "VEK", "BU", 552157])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info.filename))
            target.writestr(info.filename, data, zipfile.ZIP_DEFLATED, 1)
        for name, data in (extra or {}).items():
            target.writestr(name, data, zipfile.ZIP_DEFLATED, 1)
    return out.getvalue()


def in_sheet(old: bytes, new: bytes) -> Callable[[str, bytes], bytes]:
    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            assert old in data
            return data.replace(old, new)
        return data

    return change


def far_cell(name: str, data: bytes) -> bytes:
    row = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return in_sheet(b"</sheetData>", row + b"</sheetData>")(name, data)


def dimension(name: str, data: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)


def padded_sheet(name: str, data: bytes) -> bytes:  # 80 MB of spaces: a zip bomb
    return data.replace(b"</sheetData>", b" " * (80 * 1024 * 1024) + b"</sheetData>")


SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def shared_strings(name: str, data: bytes) -> bytes:
    """Declare a shared strings part (added by the test) as Excel does."""
    if name == "xl/_rels/workbook.xml.rels":
        link = f'<Relationship Id="rIdS" Type="{SST_REL}" Target="sharedStrings.xml"/>'
        return data.replace(b"</Relationships>", link.encode() + b"</Relationships>")
    if name == "[Content_Types].xml":
        part = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/>'
        return data.replace(b"</Types>", part.encode() + b"</Types>")
    return data


STRINGS = {
    "xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + b"<si/>" * 1_100_000
    + b"</sst>"
}


def laughs(name: str, data: bytes) -> bytes:
    if name != "xl/worksheets/sheet1.xml":
        return data
    entities = b'<!ENTITY a "xxxxxxxxxx">' + b"".join(
        b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(8)
    )
    return b"<!DOCTYPE worksheet [" + entities + b"]>" + data.replace(b"<t>Fase</t>", b"<t>&i;</t>")


HOSTILE_XLSX: dict[str, tuple[Callable[[str, bytes], bytes], str, dict[str, bytes] | None]] = {
    # name: (change, expected message, added parts)
    "a cell at XFD1048576": (far_cell, ":100001: error: the sheet goes on beyond row 100000", None),
    "a row of twelve million cells": (
        in_sheet(b"</sheetData>", b'<row r="3">' + b"<c/>" * 12_000_000 + b"</row></sheetData>"),
        "xl/worksheets/sheet1.xml: a row with more than 16384 cells [BBT512]",
        None,
    ),
    "a sheet that unpacks to 80 MB": (padded_sheet, "the workbook unpacks to 80.0 MB", None),
    "a million shared strings": (
        shared_strings,
        "more than 1000000 shared strings [BBT512]",
        STRINGS,
    ),
    "entities in a document type": (laughs, "declares a document type", None),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_XLSX))
def test_hostile_workbooks_end_in_a_finding(case: str, tmp_path: Path) -> None:
    change, message, extra = HOSTILE_XLSX[case]
    sheet = tmp_path / "hostile.xlsx"
    sheet.write_bytes(workbook(change, extra))
    assert sheet.stat().st_size < 1024 * 1024  # small files, all of them
    code, output = bounded_import(sheet, EXAMPLE)
    assert code == 1, output
    assert message in output, output
    assert "Traceback" not in output


def test_an_untrue_dimension_record_is_ignored(tmp_path: Path) -> None:
    sheet = tmp_path / "dimension.xlsx"
    sheet.write_bytes(workbook(dimension))
    code, output = bounded_import(sheet, EXAMPLE)
    assert code == 0, output
    assert "0 figure(s) to write" in output and "1 figure(s) already equal" in output


def test_a_million_row_csv_stops_at_the_limit(tmp_path: Path) -> None:
    sheet = tmp_path / "rows.csv"
    with sheet.open("w", encoding="utf-8") as stream:
        stream.write(";".join(HEADER) + "\n")
        stream.writelines("x;VEK;BU;1\n" for _ in range(1_000_000))
    assert sheet.stat().st_size < 32 * 1024 * 1024
    code, output = bounded_import(sheet, EXAMPLE)
    assert code == 1
    assert (
        "rows.csv:100001: error: the sheet has more than 100000 rows (the limit) [BBT512]" in output
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "line.csv",
            ";".join(HEADER) + "\n" + "1;" * 5_000_000,
            "line 2 is longer than 65536 characters",
        ),
        ("big.csv", "#" * (21 * 1024 * 1024), "the file is 21.0 MB, above the limit of 20.0 MB"),
        (
            "deep.json",
            "[" * 1_000_000,
            "deep.json:1: error: not valid JSON: nested too deeply [BBT501]",
        ),
        ("wide.csv", ";".join(HEADER) + ";x" * 300 + "\n", "beyond the limit of 256 columns"),
    ],
)
def test_hostile_text_files_end_in_a_finding(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    sheet = tmp_path / name
    sheet.write_text(content, encoding="utf-8")
    code, output = bounded_import(sheet, EXAMPLE)
    assert code == 1
    assert message in output, output
    assert "Traceback" not in output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("role", ["sheet", "mapping"])
def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path, role: str) -> None:
    pipe = tmp_path / ("figures.csv" if role == "sheet" else "mapping.yaml")
    os.mkfifo(pipe)  # nobody ever writes: reading it would wait for ever
    if role == "sheet":
        code, output = bounded_bbt(
            ["import", str(pipe), "--into", str(EXAMPLE), "--dry-run"], memory=MEMORY, timeout=30
        )
        expected = "is not a regular file (a named pipe or a device), not a spreadsheet [BBT501]"
    else:
        sheet = tmp_path / "figures.csv"
        sheet.write_text(";".join(HEADER) + "\n", encoding="utf-8")
        args = ["import", str(sheet), "--into", str(EXAMPLE), "--mapping", str(pipe), "--dry-run"]
        code, output = bounded_bbt(args, memory=MEMORY, timeout=30)
        expected = (
            "the mapping file is refused: it is not a regular file "
            "(a folder, a named pipe or a device) [BBT510]"
        )
    assert code == 1 and expected in output, output


# -- nothing half-written -----------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every write after the first fails with ENOSPC, as on a full disk; returns the calls."""
    calls: list[int] = []
    real = exchange_files._fill

    def fill(handle: int, data: bytes) -> None:
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(handle, data)

    monkeypatch.setattr(exchange_files, "_fill", fill)
    return calls


def invoke(command: str, *args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(COMMAND[command], [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def no_temporaries(root: Path) -> bool:
    return not [p for p in root.rglob(".*") if p.name.endswith(".tmp") or p.is_dir()]


def test_an_import_that_fails_half_way_writes_no_article(
    full_disk: list[int], tmp_path: Path
) -> None:
    budget = Path(shutil.copytree(EXAMPLE, tmp_path / "b"))
    sheet = tmp_path / "two.csv"
    sheet.write_text(
        ";".join(HEADER) + "\nJB0-1JEC2HA-WT;VEK;BU;552158\nJB0-1JEC2HE-WT;VAK;BU;-2187\n",
        encoding="utf-8",
    )
    before = snapshot(budget)
    code, _, err = invoke("import", sheet, "--into", budget, "--yes")
    assert code == 1 and len(full_disk) == 2
    assert re.search(
        r"articles/JB0-1JEC2HE-WT\.yaml: error: cannot write .*: No space left on device \[BBT515\]",
        err,
    )
    assert snapshot(budget) == before and no_temporaries(budget)


def test_an_export_that_fails_half_way_keeps_the_previous_one(
    full_disk: list[int], tmp_path: Path
) -> None:
    out = tmp_path / "od"
    out.mkdir()
    (out / "credits.csv").write_text("previous\n")
    code, stdout, err = invoke("export", EXAMPLE, "--to", out)
    assert code == 1 and stdout == ""
    assert "No space left on device [BBT515]" in err and "nothing exported" in err
    assert snapshot(out) == {"credits.csv": b"previous\n"} and no_temporaries(out)
    code, _, err = invoke("export", EXAMPLE, "--to", tmp_path / "new" / "od")
    assert code == 1 and not (tmp_path / "new").exists()  # the folders it made are gone too


def test_a_skeleton_that_fails_half_way_leaves_nothing(
    full_disk: list[int], tmp_path: Path
) -> None:
    code, _, err = invoke("new", "2025", "--from", EXAMPLE, "--to", tmp_path / "2025")
    assert code == 1 and "No space left on device [BBT515]" in err
    assert list(tmp_path.iterdir()) == []


def test_a_diff_report_that_fails_half_way(full_disk: list[int], tmp_path: Path) -> None:
    code, _, err = invoke(
        "diff", EXAMPLE, EXAMPLE, "-o", tmp_path / "d.md", "--html", tmp_path / "d.html"
    )
    assert code == 1 and "[BBT515]" in err
    assert list(tmp_path.iterdir()) == []


def test_a_rename_that_fails_puts_the_first_files_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("old a")
    real = os.replace
    calls: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(str(dst))
        if Path(dst) == second:
            raise OSError(errno.EACCES, "Permission denied (opened in Excel?)")
        real(src, dst)

    monkeypatch.setattr(exchange_files.os, "replace", replace)
    with pytest.raises(exchange_files.ExchangeError) as caught:
        exchange_files.write_files({first: b"new a", second: b"new b"})
    assert "cannot write" in str(caught.value) and "[BBT515]" in str(caught.value)
    assert first.read_text() == "old a" and not second.exists() and no_temporaries(tmp_path)


def test_a_folder_without_write_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def refuse(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # what a read-only folder does
    code, _, err = invoke("export", EXAMPLE, "--to", tmp_path / "od")
    assert code == 1
    assert err.splitlines()[1].endswith(
        "cannot write " + str(tmp_path / "od" / "credits.csv") + ": Permission denied [BBT515]"
    )


def _export_without_override(out: Path) -> tuple[int, str]:
    """``bbt export`` as root without the capability to ignore permission bits (setpriv)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if os.environ.get("CI") == "true":
            pytest.fail("setpriv (util-linux) is needed to test a read-only folder as root")
        pytest.skip("setpriv (util-linux) not installed; root ignores a folder's permissions")
    drop = "--bounding-set=-dac_override,-dac_read_search"
    command = [setpriv, drop, sys.executable, "-m", "bbt", "export", str(EXAMPLE), "--to", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stderr


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_a_read_only_folder_for_real(tmp_path: Path) -> None:
    out = tmp_path / "od"
    out.mkdir()
    out.chmod(0o555)
    try:
        if os.geteuid() == 0:  # root writes anywhere unless it gives up that capability
            code, err = _export_without_override(out)
        else:
            code, _, err = invoke("export", EXAMPLE, "--to", out)
    finally:
        out.chmod(0o755)
    assert code == 1 and "Permission denied [BBT515]" in err and list(out.iterdir()) == []


# -- diff --git: nothing outside the committed budget folder is read ------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "budget")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    return repo


def commit_links(repo: Path, links: dict[str, str]) -> None:
    for name, target in links.items():
        path = repo / name
        path.unlink(missing_ok=True)
        path.symlink_to(target)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (
            {"budget/articles/JB0-1JEC2HA-WT.yaml": "/etc/passwd"},
            "budget/articles/JB0-1JEC2HA-WT.yaml is a symbolic link (to /etc/passwd) at revision HEAD",
        ),
        (
            {"budget/glossary.yaml": "loop.yaml", "budget/loop.yaml": "glossary.yaml"},
            "budget/glossary.yaml is a symbolic link (to loop.yaml)",
        ),
        (
            {"budget/text/inleiding.md": "../../outside.md"},
            "budget/text/inleiding.md is a symbolic link (to ../../outside.md)",
        ),
    ],
)
def test_committed_links_are_refused(repo: Path, links: dict[str, str], message: str) -> None:
    (repo / "outside.md").write_text("secret outside the budget\n")
    commit_links(repo, links)
    code, out, err = invoke("diff", "--git", "HEAD~1", "HEAD", repo / "budget")
    assert code == 1 and out == ""
    assert message in err and "[BBT531]" in err
    assert "root:" not in err and "secret" not in err and "Traceback" not in err


def test_a_folder_committed_as_a_link(repo: Path, tmp_path: Path) -> None:
    shutil.rmtree(repo / "budget")
    (repo / "budget").symlink_to("/etc")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    (repo / "budget").unlink()
    shutil.copytree(EXAMPLE, repo / "budget")  # the working tree holds a real folder again
    code, _, err = invoke("diff", "--git", "HEAD~1", "HEAD", repo / "budget")
    assert code == 1 and "budget is a symbolic link (to /etc) at revision HEAD" in err


def test_a_folder_outside_the_repository(repo: Path, tmp_path: Path) -> None:
    (repo / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    code, _, err = invoke("diff", "--git", "HEAD", "HEAD", repo / "elsewhere")
    assert code == 1 and "not a git repository" in err and "[BBT530]" in err


def test_a_text_outside_the_folder_is_not_read(repo: Path) -> None:
    (repo / "outside.md").write_text("secret outside the budget\n")
    bbt_yaml = repo / "budget" / "bbt.yaml"
    bbt_yaml.write_text(
        bbt_yaml.read_text(encoding="utf-8").replace(
            "inleiding: text/inleiding.md", "inleiding: ../outside.md"
        ),
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "outside")
    code, out, err = invoke("diff", "--git", "HEAD~1", "HEAD", repo / "budget", "--allow-errors")
    assert code == 1 and "[BBT007]" in err and "secret" not in out + err
