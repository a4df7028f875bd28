"""Small budgets written inside the tests (the beancount way): YAML in, findings out."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from bbt.resources import EXAMPLE as SHIPPED_EXAMPLE

EXAMPLE = SHIPPED_EXAMPLE

DOCUMENT = """\
title: Beleids- en begrotingstoelichting Test
year: 2024
policy_field: Test
programme: {code: JE, title: Sociale economie}
department: Departement Test
minister: {name: Test Minister}
ises: [activering]
"""

ISE = """\
title: Activering
ods:
  - {code: OD17, title: Collectief maatwerk versterken}
"""

ARTICLE = """\
code: JB0-1JEC2HA-WT
title: Collectief maatwerk
ise: activering
od: OD17
credits:
  vak: {ba: 580966, ba_jr: 588293, bu: 552289}
  vek: {ba: 580966, ba_jr: 586978, bu: 552157}
movements:
  - {id: index_apr24, vak: 6604, vek: 6604, from: CB0-1CBD2AB-PR, reason: spilindex april 2024}
  - {id: index_jan25, vak: 723, vek: 723, from: CB0-1CBD2AB-PR, reason: spilindex januari 2025}
  - {vek: -1315, to: Elders, reason: oproep digitale transformatie}
accruals: {vak: 18188, vek: 18188}
toelichting: |
  De uitvoering bedroeg {{ vak.bu }} keuro VAK of {{ vak.benutting }}.
"""


def article_with(
    vak: tuple[int, int, int],
    vek: tuple[int, int, int],
    *,
    title: str = "Collectief maatwerk",
    more: str = "",
) -> str:
    """Article JB0-1JEC2HA-WT of ISE activering with these (BA, BA-JR, BU) for VAK and VEK;
    ``more``: YAML after the credits (movements ...)."""
    lines = ["code: JB0-1JEC2HA-WT", f"title: {title}", "ise: activering", "credits:"]
    for credit, (ba, ba_jr, bu) in (("vak", vak), ("vek", vek)):
        lines.append(f"  {credit}: {{ba: {ba}, ba_jr: {ba_jr}, bu: {bu}}}")
    return "\n".join(lines) + "\n" + more


def make_budget(
    root: Path, files: dict[str, str] | None = None, *, article: str | None = ARTICLE
) -> Path:
    """Write a minimal valid budget into ``root``; ``files`` adds or replaces files (None removes)."""
    root.mkdir(parents=True, exist_ok=True)
    content: dict[str, str | None] = {"bbt.yaml": DOCUMENT, "ises/activering.yaml": ISE}
    if article is not None:
        content["articles/JB0-1JEC2HA-WT.yaml"] = article
    content.update(files or {})
    for name, text in content.items():
        path = root / name
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def copy_example(target: Path) -> Path:
    """A private copy of the shipped example, to change in a test."""
    shutil.copytree(EXAMPLE, target)
    return target


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a throwaway identity; its output."""
    import subprocess

    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def tracked_files(root: Path) -> list[str] | None:
    """The files a fresh clone of ``root`` would hold (tracked and new, not ignored); None
    outside a git checkout (an unpacked sdist)."""
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        return None
    return [name for name in listed.stdout.decode("utf-8").split("\0") if name]


def bounded_bbt(
    args: list[str], *, memory: int, timeout: int, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """``bbt ARGS`` in a child process with at most ``memory`` bytes of address space and
    ``timeout`` seconds (POSIX ``resource`` limits): a risky input can never take the machine.
    Returns the exit status and what it printed (stdout, then stderr)."""
    import os
    import subprocess
    import sys

    import pytest

    resource = pytest.importorskip("resource")  # POSIX; the limits cannot be set elsewhere

    def limit() -> None:  # pragma: no cover - runs in the child process
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    root = Path(__file__).resolve().parent.parent
    child = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
    child.pop("BBT_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", "from bbt.guard import main; main()", *args],
        capture_output=True,
        text=True,
        env=child,
        cwd=root,
        timeout=timeout,
        preexec_fn=limit,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr
