"""The docs keep up with the code: every finding code and every command and option documented.

docs/commands.md is generated from the commands' own help (a reviewed golden file). After
changing a command, regenerate it and review the diff::

    BBT_UPDATE_DOCS=1 python -m pytest tests/test_docs.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from bbt.cli import main
from bbt.findings import registry

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ROW = re.compile(r"^\| (BBT\d{3}) \| ([^|]+?) \| (.+?) \|$", re.M)


def documented_codes() -> dict[str, tuple[str, str]]:
    """Every ``| BBTnnn | severity | meaning |`` row of the docs."""
    rows: dict[str, tuple[str, str]] = {}
    for path in sorted(DOCS.glob("*.md")):
        for code, severity, meaning in ROW.findall(path.read_text(encoding="utf-8")):
            assert code not in rows, f"{code} is documented twice"
            rows[code] = (severity.strip(), meaning.strip())
    return rows


def test_every_registered_code_is_documented_as_registered() -> None:
    docs = documented_codes()
    codes = registry()
    assert sorted(set(codes) - set(docs)) == [], "registered but not in docs/*.md"
    assert sorted(set(docs) - set(codes)) == [], "in docs/*.md but not registered"
    for code, entry in codes.items():
        assert docs[code] == (entry.severity, entry.meaning), code


def test_every_code_the_code_reports_is_registered() -> None:
    used = set()
    for path in (ROOT / "bbt").rglob("*.py"):
        used |= set(re.findall(r"[\"'](BBT\d{3})[\"']", path.read_text(encoding="utf-8")))
    assert sorted(used - set(registry())) == []


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    # The same settings as a real run (-h as well as --help), whatever ran before.
    return click.Context(
        command,
        info_name=name,
        parent=parent,
        terminal_width=100,
        max_content_width=100,
        **command.context_settings,
    )


def _commands(ctx: click.Context) -> list[click.Context]:
    """The context of every command under ``ctx``'s group, depth first."""
    group = ctx.command
    assert isinstance(group, click.Group)
    out = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        sub = _context(command, name, ctx)
        out.append(sub)
        if isinstance(command, click.Group):
            out += _commands(sub)
    return out


def reference() -> str:
    """The command reference: each command's help, exactly as ``bbt ... --help`` prints it."""
    ctx = _context(main, "bbt", None)
    for sub in [ctx, *_commands(ctx)]:
        # click keeps a command's help option from its first run, whichever context (and
        # help option names) that run had: start from the real CLI's.
        sub.command._help_option = None
    parts = [
        "# Command reference",
        "",
        "Generated from the commands' own `--help` (see tests/test_docs.py to regenerate).",
        "",
        "## bbt",
        "",
        "```text",
        main.get_help(ctx),
        "```",
    ]
    for sub in _commands(ctx):
        parts += ["", f"## {sub.command_path}", "", "```text", sub.command.get_help(sub), "```"]
    return "\n".join(parts) + "\n"


def test_every_command_and_option_is_in_the_command_reference() -> None:
    target = DOCS / "commands.md"
    text = reference()
    if os.environ.get("BBT_UPDATE_DOCS"):
        target.write_text(text, encoding="utf-8")
    assert target.read_text(encoding="utf-8") == text, (
        "docs/commands.md is out of date: BBT_UPDATE_DOCS=1 python -m pytest tests/test_docs.py"
    )
    for sub in _commands(_context(main, "bbt", None)):
        assert f"## {sub.command_path}\n" in text
        for param in sub.command.params:
            for flag in getattr(param, "opts", []):
                if flag.startswith("--"):
                    assert flag in text, f"{sub.command_path} {flag}"
