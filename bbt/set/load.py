"""Read a set folder: ``set.yaml`` when there is one, else every budget subfolder.

Confinement (docs/set.md, "What is read"): a document path in ``set.yaml`` is relative to the
set folder and must stay inside it, or inside a folder that ``external:`` lists explicitly.
Nothing else outside the set folder is read; a symbolic link that points out counts as out.
"""

from __future__ import annotations

from pathlib import Path

from bbt.errors import Finding, Location, Severity, relpath
from bbt.load.budget import DOCUMENT_FILE, expenditure_amounts
from bbt.load.fields import Context, Fields
from bbt.load.nodes import Map, Scalar, YNode
from bbt.load.yamlsrc import parse_yaml
from bbt.set.model import OVERVIEW_STEM, SET_FILE, BudgetSet, Member, Provision

DEFAULT_TITLE = "Beleids- en begrotingstoelichtingen"


def is_set(path: Path | str) -> bool:
    """True for a folder that is not a budget folder but holds a set.yaml or budget folders."""
    folder = Path(path)
    if not folder.is_dir() or (folder / DOCUMENT_FILE).is_file():
        return False
    if (folder / SET_FILE).is_file():
        return True
    return any(child.is_dir() and (child / DOCUMENT_FILE).is_file() for child in folder.iterdir())


def load_set(path: Path | str) -> tuple[BudgetSet | None, list[Finding]]:
    """Load the set's own data; the documents are loaded later, one by one."""
    root = Path(path)
    ctx = Context(root)
    if not is_set(root):
        ctx.error(
            "BBT600",
            Location(relpath(root)),
            f"{relpath(root)} is not a set: it has no {SET_FILE} and no budget folders "
            f"(folders with a {DOCUMENT_FILE})",
        )
        return None, ctx.findings
    source = root / SET_FILE
    if source.is_file():
        node = parse_yaml(source, ctx.findings)
        if node is None:
            return None, ctx.findings
        budget_set = _from_yaml(ctx, node, Location(relpath(source), 1))
    else:
        budget_set = _from_folder(ctx)
    _check_members(ctx, budget_set)
    if any(f.severity is Severity.ERROR for f in ctx.findings):
        return None, ctx.findings
    return budget_set, ctx.findings


def _from_folder(ctx: Context) -> BudgetSet:
    """Without set.yaml: the budget subfolders in name order."""
    members = tuple(
        Member(child, Location(relpath(child)))
        for child in sorted(ctx.root.iterdir())
        if child.is_dir() and (child / DOCUMENT_FILE).is_file()
    )
    return BudgetSet(ctx.root, DEFAULT_TITLE, None, members, loc=Location(relpath(ctx.root)))


def _from_yaml(ctx: Context, node: YNode, loc: Location) -> BudgetSet:
    f = Fields(ctx, node, SET_FILE)
    title = f.text("title")
    year = f.integer("year")
    external = tuple(ctx.root / text for text, _loc in f.str_list("external"))
    members = tuple(m for m in (_member(ctx, item) for item in f.seq("documents", True)) if m)
    provisions = _provisions(ctx, f.map("provisions"))
    f.done()
    return BudgetSet(
        ctx.root,
        title or DEFAULT_TITLE,
        year,
        members,
        provisions,
        external,
        loc,
    )


def _member(ctx: Context, item: YNode) -> Member | None:
    """``- cultuur`` or ``- {path: cultuur, names: [Agentschap Cultuur]}``."""
    if isinstance(item, Scalar) and item.tag == "str" and item.text.strip():
        return Member(ctx.root / item.text.strip(), item.loc)
    if isinstance(item, Map):
        g = Fields(ctx, item, f"{SET_FILE}: document")
        path = g.text("path", required=True)
        names = tuple(text for text, _loc in g.str_list("names"))
        g.done()
        return Member(ctx.root / path, item.loc, names) if path else None
    ctx.error(
        "BBT003",
        item.loc,
        f"{SET_FILE}: a document is a folder name or a mapping with 'path' (and 'names')",
    )
    return None


def _provisions(ctx: Context, f: Fields | None) -> dict[str, Provision]:
    """``provisions: {CB0-1CBD2AB-PR: {title: Indexprovisie, vak: 9156, vek: 9156}}``."""
    out: dict[str, Provision] = {}
    if f is None:
        return out
    for key, node in f.items():
        g = Fields(ctx, node, f"{SET_FILE}: provisions: {key}")
        title = g.text("title")
        released = expenditure_amounts(g)
        g.done()
        out[key] = Provision(key, title or key, released, f.key_loc(key))
    f.done()
    return out


def _allowed(budget_set: BudgetSet) -> tuple[Path, ...]:
    return (budget_set.root.resolve(), *(p.resolve() for p in budget_set.external))


def _check_members(ctx: Context, budget_set: BudgetSet) -> None:
    """BBT600-BBT603: something to check, each document inside the allowed folders, once."""
    if not budget_set.members:
        ctx.error("BBT600", budget_set.loc, "the set names no documents")
    allowed = _allowed(budget_set)
    seen: dict[Path, Member] = {}
    stems: dict[str, Member] = {}
    for member in budget_set.members:
        real = member.path.resolve()
        if not any(real.is_relative_to(folder) for folder in allowed):
            ctx.error(
                "BBT601",
                member.loc,
                f"{relpath(member.path)} lies outside the set folder; list its folder under "
                "'external:' in set.yaml to allow it",
            )
            continue
        if not (real / DOCUMENT_FILE).is_file():
            what = "does not exist" if not real.exists() else f"has no {DOCUMENT_FILE}"
            ctx.error("BBT602", member.loc, f"document {relpath(member.path)} {what}")
            continue
        if real in seen:
            ctx.error(
                "BBT603",
                member.loc,
                f"document {relpath(member.path)} is listed twice (also at {seen[real].loc})",
            )
            continue
        seen[real] = member
        clash = stems.get(member.stem)
        if clash is not None or member.stem == OVERVIEW_STEM:
            other = f"{relpath(clash.path)} ({clash.loc})" if clash else "the set's overview"
            ctx.error(
                "BBT603",
                member.loc,
                f"document {relpath(member.path)} would be written as {member.stem}.html, "
                f"like {other}; rename one of the folders",
            )
            continue
        stems[member.stem] = member
