"""``bbt export``: the figures as open data.

Three files: ``credits.csv`` (tidy: one row per article x credit type x phase), ``credits.json``
(the same rows as a JSON array) and ``datapackage.json``, a Frictionless Data Package whose
Table Schema describes the CSV. The phases map onto the Fiscal Data Package's budget phases:
BA -> ``approved``, BA-JR -> ``adjusted``, BU -> ``executed`` (docs/exchange.md).

Amounts are written exactly as the data holds them (``580966``, ``-2188``, ``12.5``): no
float ever touches them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bbt.calc import Calculation
from bbt.exchange.yamledit import plain_amount
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES

FISCAL_PHASES = {"ba": "approved", "ba_jr": "adjusted", "bu": "executed"}
"""BA (decretaal krediet) is the approved budget; BA-JR the budget adjusted by the year's
reallocations; BU the execution."""

CSV_NAME = "credits.csv"
JSON_NAME = "credits.json"
PACKAGE_NAME = "datapackage.json"

# name, Table Schema type, description, FDP columnType (None: no fiscal meaning)
COLUMNS: tuple[tuple[str, str, str, str | None], ...] = (
    ("budget_year", "year", "Budget year (begrotingsjaar)", "date:fiscal-year"),
    (
        "programme_code",
        "string",
        "Programme code (JE)",
        "administrative-classification:generic:level1:code",
    ),
    (
        "programme_title",
        "string",
        "Programme title",
        "administrative-classification:generic:level1:label",
    ),
    (
        "ise",
        "string",
        "Key of the ISE (inhoudelijk structuurelement)",
        "activity:generic:level1:code",
    ),
    ("ise_title", "string", "Title of the ISE", "activity:generic:level1:label"),
    (
        "article_code",
        "string",
        "Budget article code (begrotingsartikel)",
        "activity:generic:level2:code",
    ),
    ("article_title", "string", "Title of the budget article", "activity:generic:level2:label"),
    (
        "esr_aggregate",
        "string",
        "ESR aggregate: the suffix of the article code (WT, IS, OW ...)",
        "economic-classification:generic:level1:code",
    ),
    ("direction", "string", "expenditure or revenue", "direction"),
    ("credit_type", "string", "VAK (commitment), VEK (payment); receipts AO, TO, LO", None),
    ("phase", "string", "BA, BA-JR or BU", None),
    (
        "fiscal_phase",
        "string",
        "Fiscal Data Package phase: approved (BA), adjusted (BA-JR), executed (BU)",
        "phase",
    ),
    ("amount", "number", "Amount in thousand euro (keuro), exact", "value"),
)
PRIMARY_KEY = ["article_code", "credit_type", "phase"]


@dataclass(frozen=True)
class Export:
    """The export of one budget, as bytes per file name (nothing is written yet)."""

    files: dict[str, bytes]
    rows: int


def rows(calc: Calculation) -> list[dict[str, str | Decimal | int]]:
    """One record per article, credit type and phase that the data has, in document order."""
    doc = calc.document
    ise_titles = {i.key: i.title for i in doc.ises}
    out: list[dict[str, str | Decimal | int]] = []
    for ise in doc.ises:
        for article in doc.ise_articles(ise.key):
            for credit in article.credit_types:
                series = article.credits.get(credit)
                if series is None:
                    continue
                for phase in PHASES:
                    value = series.get(phase)
                    if value is None:
                        continue
                    out.append(
                        {
                            "budget_year": doc.year,
                            "programme_code": doc.programme_code,
                            "programme_title": doc.programme_title,
                            "ise": article.ise,
                            "ise_title": ise_titles.get(article.ise, ""),
                            "article_code": article.code.text,
                            "article_title": article.title,
                            "esr_aggregate": article.code.esr,
                            "direction": "revenue" if article.code.is_receipt else "expenditure",
                            "credit_type": CREDIT_LABELS[credit],
                            "phase": PHASE_LABELS[phase],
                            "fiscal_phase": FISCAL_PHASES[phase],
                            "amount": value,
                        }
                    )
    return out


def _text(value: str | Decimal | int) -> str:
    return plain_amount(value) if isinstance(value, Decimal) else str(value)


def _json_value(value: str | Decimal | int) -> str:
    # An exact decimal is written as a JSON number token, digit for digit.
    return (
        plain_amount(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
    )


def package_name(calc: Calculation) -> str:
    folder = calc.document.root.resolve().name.lower()
    slug = re.sub(r"[^a-z0-9._-]+", "-", folder).strip("-") or "budget"
    return f"bbt-{slug}"


def build_export(calc: Calculation) -> Export:
    """Render the CSV, the JSON and the data package descriptor in memory."""
    records = rows(calc)
    names = [c[0] for c in COLUMNS]
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(names)
    for record in records:
        writer.writerow([_text(record[n]) for n in names])
    json_lines = [
        "  {" + ", ".join(f"{json.dumps(n)}: {_json_value(r[n])}" for n in names) + "}"
        for r in records
    ]
    json_text = "[\n" + ",\n".join(json_lines) + "\n]\n"
    doc = calc.document
    fields = []
    for name, kind, description, column_type in COLUMNS:
        spec: dict[str, object] = {
            "name": name,
            "type": kind,
            "description": description,
            "constraints": {"required": True},
        }
        if kind == "number":
            spec["decimalChar"] = "."
            spec["bareNumber"] = True
        if column_type:
            spec["columnType"] = column_type
        fields.append(spec)
    enum_of = {
        "credit_type": ["VAK", "VEK", "AO", "TO", "LO"],
        "phase": list(PHASE_LABELS.values()),
        "fiscal_phase": list(FISCAL_PHASES.values()),
        "direction": ["expenditure", "revenue"],
    }
    for spec in fields:
        if spec["name"] in enum_of:
            spec["constraints"] = {"required": True, "enum": enum_of[str(spec["name"])]}
    descriptor = {
        "profile": "tabular-data-package",
        "name": package_name(calc),
        "title": f"{doc.title} {doc.year}",
        "description": (
            f"Credits of programme {doc.programme_code} ({doc.programme_title}), "
            f"{doc.policy_field}, budget year {doc.year}: BA, BA-JR and BU per budget article "
            "and credit type, in thousand euro."
        ),
        "keywords": ["begroting", "BBT", doc.policy_field, str(doc.year)],
        "fiscalPeriod": {"start": f"{doc.year}-01-01", "end": f"{doc.year}-12-31"},
        "currency": "EUR",
        "unit": "keuro",
        "resources": [
            {
                "name": "credits",
                "path": CSV_NAME,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": {"fields": fields, "primaryKey": PRIMARY_KEY},
            }
        ],
    }
    return Export(
        {
            CSV_NAME: stream.getvalue().encode("utf-8"),
            JSON_NAME: json_text.encode("utf-8"),
            PACKAGE_NAME: (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode(
                "utf-8"
            ),
        },
        len(records),
    )


def write_export(export: Export, out_dir: Path) -> list[Path]:
    """Write every file atomically into ``out_dir`` (created when missing)."""
    from bbt.pipeline import write_atomic

    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_atomic(out_dir / name, data) for name, data in export.files.items()]
