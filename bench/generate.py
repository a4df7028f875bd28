"""Generated documents for the benchmarks: the example, scaled; a plain reference document.

* :func:`scaled_example` copies the shipped example with its two ISEs repeated ``copies``
  times (each copy with its own ISE keys and article codes, its narrative and movements
  renamed with it, each text of a copy written ``texts`` times over, as a department with
  longer explanations writes them): ten copies give 80 articles and 300+ pages.
* :func:`reference_html` writes a plain document of headings, paragraphs, 7-column tables and
  footnotes, the kind of content a BBT is made of, for a bare WeasyPrint render to compare
  with (no bbt involved).

Usage: ``python bench/generate.py scaled OUT [--copies 10]`` or ``... reference OUT [--pages 40]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "bbt" / "examples" / "2024-sociale-economie"
LETTERS = "ABCDEFKLMNPQRSTUVWXYZ"  # ISE letters of the copies (the example's are G and H)
ISES = ("activering", "duurzame-arbeidsmarkt")


def _codes(folder: Path) -> list[str]:
    return sorted(p.stem for p in (folder / "articles").glob("*.yaml"))


def _renamer(copy: int, codes: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Code and ISE-key renames of one copy (copy 0 keeps the originals)."""
    if copy == 0:
        return {c: c for c in codes}, {k: k for k in ISES}
    letters = sorted({c[9] for c in codes})
    swap = {old: LETTERS[(copy - 1) * len(letters) + n] for n, old in enumerate(letters)}
    renamed = {c: c[:9] + swap[c[9]] + c[10:] for c in codes}
    return renamed, {k: f"{k}-{copy}" for k in ISES}


def _rewrite(text: str, codes: dict[str, str], keys: dict[str, str]) -> str:
    for old, new in codes.items():
        text = text.replace(old, new)
    for old, new in keys.items():
        text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
    return text


def _longer(text: str, times: int) -> str:
    """A narrative ``times`` over (its footnotes once: a label is defined once per text)."""
    body = re.sub(r"(?m)^\[\^[^\]]+\]:.*(?:\n(?: {2,}|\t).*)*\n?", "", text).rstrip("\n")
    return "\n\n".join([text.rstrip("\n"), *[body] * (times - 1)]) + "\n"


def scaled_example(target: Path, copies: int = 10, texts: int = 2) -> Path:
    """The example with its ISEs and articles repeated ``copies`` times, consistent and clean;
    each text of a copy ``texts`` times over."""
    shutil.copytree(EXAMPLE, target)
    codes = _codes(EXAMPLE)
    keys: list[str] = []
    for copy in range(1, copies):
        renamed, ise_keys = _renamer(copy, codes)
        keys += list(ise_keys.values())
        for ise in ISES:
            source = (EXAMPLE / "ises" / f"{ise}.yaml").read_text(encoding="utf-8")
            (target / "ises" / f"{ise_keys[ise]}.yaml").write_text(
                _rewrite(source, renamed, ise_keys), encoding="utf-8"
            )
            shutil.copytree(EXAMPLE / "text" / ise, target / "text" / ise_keys[ise])
            for md in (target / "text" / ise_keys[ise]).glob("*.md"):
                text = _rewrite(md.read_text("utf-8"), renamed, ise_keys)
                md.write_text(_longer(text, texts), "utf-8")
        for code in codes:
            article = (EXAMPLE / "articles" / f"{code}.yaml").read_text(encoding="utf-8")
            (target / "articles" / f"{renamed[code]}.yaml").write_text(
                _rewrite(article, renamed, ise_keys), encoding="utf-8"
            )
            for part in ("korte-inhoud", "toelichting"):
                md = EXAMPLE / "text" / "articles" / f"{code}.{part}.md"
                text = _rewrite(md.read_text("utf-8"), renamed, ise_keys)
                (target / "text" / "articles" / f"{renamed[code]}.{part}.md").write_text(
                    _longer(text, texts), "utf-8"
                )
    document = (target / "bbt.yaml").read_text(encoding="utf-8")
    # The copies draw from the provision and add to the programme too: drop the declared
    # programme and provision totals of the original (they are checked against the sums).
    document = re.sub(r"\npublished:\n  vak: \{bu: \d+\}\n", "\n", document)
    document = re.sub(r"\nprovisions:\n  CB0-1CBD2AB-PR: \{[^}]*\}\n", "\n", document)
    document = document.replace(
        "ises: [activering, duurzame-arbeidsmarkt]",
        "ises: [" + ", ".join([*ISES, *keys]) + "]",
    )
    (target / "bbt.yaml").write_text(document, encoding="utf-8")
    return target


_PARAGRAPH = (
    "In {year} werd het beschikbare krediet van dit begrotingsartikel voor {pct} benut. De "
    "onderbenutting is vooral het gevolg van vertragingen in de opstart van nieuwe projecten "
    "en van lagere uitbetalingen dan geraamd{note}. De middelen die niet werden vastgelegd, "
    "worden in het volgende begrotingsjaar opnieuw ingezet voor dezelfde doelstelling."
)


def reference_html(pages: int = 40) -> str:
    """A plain document of ``pages`` sections (each a heading, paragraphs, a table and a
    footnote; 40 sections make 24 A4 pages in the document's font)."""
    parts = [
        '<!DOCTYPE html><html lang="nl-BE"><head><meta charset="utf-8"><title>Referentie</title>',
        "<style>@page{size:A4;margin:2cm}body{font-family:'BBT Sans';font-size:10pt}"
        "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #999;"
        "padding:2pt 4pt;text-align:right}.fn{float:footnote}</style></head><body>",
    ]
    for n in range(1, pages + 1):
        parts.append(f"<h1>{n}. Hoofdstuk {n}</h1>")
        for p in range(3):
            note = f'<span class="fn">Zie ook begroting, p.{n + p}.</span>' if p == 1 else ""
            parts.append(
                "<p>" + _PARAGRAPH.format(year=2024, pct=f"{90 + p},{n % 10}%", note=note) + "</p>"
            )
        parts.append(
            "<table><thead><tr><th></th>"
            + "".join(f"<th>{h}</th>" for h in ("BA", "BA-JR", "BU", "BA", "BA-JR", "BU"))
            + "</tr></thead><tbody>"
        )
        for row in range(5):
            cells = "".join(
                f"<td>{(n * 7919 + row * 104729 + c * 13) % 900000:,}</td>" for c in range(6)
            )
            parts.append(f"<tr><th>Rij {row + 1}</th>{cells.replace(',', '.')}</tr>")
        parts.append("</tbody></table>")
        parts.append(
            "<h2>Toelichting</h2><p>" + _PARAGRAPH.format(year=2024, pct="88,1%", note="") + "</p>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("scaled", "reference"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--texts", type=int, default=2, help="each text of a copy this many times")
    parser.add_argument("--pages", type=int, default=40)
    options = parser.parse_args()
    if options.kind == "scaled":
        print(scaled_example(options.out, options.copies, options.texts))
    else:
        options.out.write_text(reference_html(options.pages), encoding="utf-8")
        print(options.out)


if __name__ == "__main__":
    main()
