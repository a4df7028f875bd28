"""Regenerate the sample spreadsheets of the 2024 figures from the shipped example.

    python tests/data/exchange/make_samples.py

``figures-2024.csv``: long layout, Dutch headers and number format, ``;``-separated (what
Excel writes for a Dutch locale). ``figures-2024.xlsx``: wide layout (``VAK BA``, ``VEK BU``
...), amounts as numeric cells. Needs openpyxl.
"""

from __future__ import annotations

import csv
from pathlib import Path

from bbt.format import bedrag
from bbt.load.budget import load
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[2] / "bbt" / "examples" / "2024-sociale-economie"


def main() -> None:
    doc = load(EXAMPLE)
    with (HERE / "figures-2024.csv").open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream, delimiter=";", lineterminator="\n")
        out.writerow(["Begrotingsartikel", "Omschrijving", "ISE", "Krediettype", "Fase", "Bedrag"])
        for article in doc.articles:
            for credit, series in article.credits.items():
                for phase in PHASES:
                    value = series.get(phase)
                    if value is not None:
                        out.writerow(
                            [
                                article.code.text,
                                article.title,
                                article.ise,
                                CREDIT_LABELS[credit],
                                PHASE_LABELS[phase],
                                bedrag(value),
                            ]
                        )
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Kredieten 2024"
    columns = [(c, p) for c in ("vak", "vek", "ao", "to", "lo") for p in PHASES]
    sheet.append(
        ["Begrotingsartikel", "Titel", "ISE"]
        + [f"{CREDIT_LABELS[c]} {PHASE_LABELS[p]}" for c, p in columns]
    )
    for article in doc.articles:
        row: list[object] = [article.code.text, article.title, article.ise]
        for credit, phase in columns:
            series = article.credits.get(credit)
            value = series.get(phase) if series else None
            row.append(None if value is None else int(value))
        sheet.append(row)
    book.save(HERE / "figures-2024.xlsx")


if __name__ == "__main__":
    main()
