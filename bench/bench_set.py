"""Benchmark: a generated government of 29 BBTs, checked and built as one set.

The generator writes, into a temporary folder, one document that owns the index provision
(``CB0-1CBD2AB-PR``) and 28 fictional policy fields with 5 to 15 articles each (1 to 3 ISEs,
index tranches from the provision, one transfer to the next policy field booked on both sides,
a short explanation per article), and a ``set.yaml`` that declares what the provision released.
The set is consistent: ``bbt check`` finds no error.

Each command runs in a fresh process (the ``bbt`` command line); peak memory is the largest resident
set of any child process (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the bbt process
itself or one of its ``-j`` workers), measured after each command.

Usage::

    python bench/bench_set.py [--documents 29] [--jobs 2] [--formats html,pdf] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = "DEFGHKLMNPQRSTUVWXYZ"  # J (the example) and C (the provision) are left out
PROVISION = "CB0-1CBD2AB-PR"
TRANCHES = ("2024-04", "2025-01")


def _article(code: str, title: str, ise: str, ba: int, moves: list[str], bu_per_mille: int) -> str:
    moved = sum(int(m.split("vak: ")[1].split(",")[0]) for m in moves)
    ba_jr = ba + moved
    bu = ba_jr * bu_per_mille // 1000
    lines = [
        f"code: {code}",
        f"title: {title}",
        f"ise: {ise}",
        "credits:",
        f"  vak: {{ba: {ba}, ba_jr: {ba_jr}, bu: {bu}}}",
        f"  vek: {{ba: {ba}, ba_jr: {ba_jr}, bu: {bu}}}",
    ]
    if moves:
        lines += ["movements:", *(f"  - {m}" for m in moves)]
    lines += [
        "toelichting: |",
        "  Het beschikbare krediet bedroeg {{ vak.ba_jr }} keuro VAK. De uitvoering bedroeg",
        "  {{ vak.bu }} keuro VAK, een benuttingsgraad van {{ vak.benutting }}.",
    ]
    return "\n".join(lines) + "\n"


def _document(folder: Path, n: int, fields: int, rng: random.Random) -> dict[str, list[int]]:
    """One policy field; returns its index tranches per tranche (for the provision)."""
    domain, series = DOMAINS[n % len(DOMAINS)], n // len(DOMAINS)
    entity, programme = f"{domain}B{series}", f"{domain}{'ABCD'[series]}"
    ises = [f"cluster-{k + 1}" for k in range(rng.randint(1, 3))]
    folder.mkdir(parents=True)
    (folder / "bbt.yaml").write_text(
        f"title: Beleids- en begrotingstoelichting Beleidsveld {n + 1}\n"
        "subtitle: Uitvoering begrotingsjaar 2024\nyear: 2024\n"
        f"policy_field: Beleidsveld {n + 1}\nprogramme: {{code: {programme}, title: Programma {n + 1}}}\n"
        f"department: Departement {n + 1}\nminister: {{name: Minister {n + 1}}}\ndate: 2025-05-16\n"
        f"ises: [{', '.join(ises)}]\n",
        "utf-8",
    )
    (folder / "ises").mkdir()
    for key in ises:
        (folder / "ises" / f"{key}.yaml").write_text(f"title: Cluster {key[-1]}\n", "utf-8")
    (folder / "articles").mkdir()
    tranches: dict[str, list[int]] = {t: [] for t in TRANCHES}
    for k in range(rng.randint(5, 15)):
        code = f"{entity}-1{programme}A2{'ABC'[k % len(ises)]}{chr(65 + k)}-WT"
        ba = rng.randint(500, 90000)
        moves = []
        for tranche in TRANCHES:
            amount = ba // 100
            tranches[tranche].append(amount)
            moves.append(
                f"{{vak: {amount}, vek: {amount}, from: {PROVISION}, tranche: {tranche}, reason: spilindex}}"
            )
        if k == 0:  # a ring: each field gives to the next and receives from the previous
            moves.append(_transfer(n, "to", (n + 1) % fields))
        elif k == 1:
            moves.append(_transfer((n - 1) % fields, "from", (n - 1) % fields))
        (folder / "articles" / f"{code}.yaml").write_text(
            _article(
                code, f"Artikel {k + 1}", ises[k % len(ises)], ba, moves, rng.randint(850, 1000)
            ),
            "utf-8",
        )
    return tranches


def _transfer(giver: int, direction: str, other: int) -> str:
    amount = 100 + giver
    sign = -1 if direction == "to" else 1
    return (
        f"{{vak: {sign * amount}, vek: {sign * amount}, {direction}: Beleidsveld {other + 1}, "
        "reason: herverdeling tussen beleidsvelden}"
    )


def generate(root: Path, documents: int, seed: int = 2024) -> Path:
    """Write a consistent set of ``documents`` BBTs (the first owns the provision) into ``root``."""
    rng = random.Random(seed)
    fields = documents - 1
    released: dict[int, dict[str, list[int]]] = {}
    for n in range(fields):
        released[n] = _document(root / f"beleidsveld-{n + 1:02d}", n, fields, rng)
    total = _provision_document(root / "financien", released)
    names = "\n".join(f"  - beleidsveld-{n + 1:02d}" for n in range(fields))
    (root / "set.yaml").write_text(
        f"title: Gegenereerde set van {documents} BBT's\nyear: 2024\n"
        f"documents:\n  - financien\n{names}\n"
        f"provisions:\n  {PROVISION}: {{title: Indexprovisie, vak: {total}, vek: {total}}}\n",
        "utf-8",
    )
    return root


def _provision_document(folder: Path, released: dict[int, dict[str, list[int]]]) -> int:
    (folder / "ises").mkdir(parents=True)
    (folder / "articles").mkdir()
    (folder / "bbt.yaml").write_text(
        "title: Beleids- en begrotingstoelichting Financiën en Begroting\n"
        "subtitle: Uitvoering begrotingsjaar 2024\nyear: 2024\npolicy_field: Financiën en Begroting\n"
        "programme: {code: CB, title: Provisies}\ndepartment: Departement Financiën en Begroting\n"
        "minister: {name: Minister van Begroting}\ndate: 2025-05-16\nises: [provisies]\n",
        "utf-8",
    )
    (folder / "ises" / "provisies.yaml").write_text("title: Provisies\n", "utf-8")
    moves = []
    total = 0
    for n, tranches in sorted(released.items()):
        for tranche, amounts in tranches.items():
            amount = sum(amounts)
            total += amount
            moves.append(
                f"{{vak: -{amount}, vek: -{amount}, to: Beleidsveld {n + 1}, tranche: {tranche}, reason: spilindex}}"
            )
    ba = total * 2
    (folder / "articles" / f"{PROVISION}.yaml").write_text(
        f"code: {PROVISION}\ntitle: Provisie indexering\nise: provisies\ncredits:\n"
        f"  vak: {{ba: {ba}, ba_jr: {ba - total}, bu: 0}}\n  vek: {{ba: {ba}, ba_jr: {ba - total}, bu: 0}}\n"
        "movements:\n" + "".join(f"  - {m}\n" for m in moves) + "toelichting: |\n"
        "  De provisie werd herverdeeld naar de beleidsvelden; het saldo bleef onbenut.\n",
        "utf-8",
    )
    return total


def run(args: list[str]) -> str:
    """Wall time, CPU time of the processes, exit code and peak RSS of the largest child so far."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-c", "from bbt.cli import main; main()", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak = after.ru_maxrss // 1024  # ru_maxrss is in KiB on Linux
    if done.returncode != 0:
        sys.stderr.write(done.stdout.decode() + done.stderr.decode())
    return f"{wall:7.1f} s wall  {cpu:7.1f} s CPU  exit {done.returncode}  peak {peak} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=29)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--keep", type=Path, default=None, help="Copy the set and output here.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bbt-bench-set-") as tmp:
        root = generate(Path(tmp) / "set", options.documents)
        articles = sum(1 for _ in root.glob("*/articles/*.yaml"))
        print(f"{options.documents} documents, {articles} articles")
        print(f"bbt check SET         {run(['check', str(root), '-q'])}")
        out = Path(tmp) / "out"
        build = ["build", str(root), "-o", str(out), "-j", str(options.jobs)]
        print(f"bbt build SET -j {options.jobs}    {run([*build, '--format', options.formats])}")
        files = sum(1 for path in out.rglob("*") if path.is_file())
        print(f"({files} files written)")
        if options.keep:
            shutil.copytree(tmp, options.keep, dirs_exist_ok=True)


if __name__ == "__main__":
    main()
