"""``bbt export``: the figures as open data, and as a workbook for Excel.

Four files, one row per article x credit type x phase:

* ``credits.csv``: by default for a Dutch-language Excel, which opens it on a double-click:
  ``;``-separated, UTF-8 with a byte-order mark, a decimal comma and no grouping (``552157``,
  ``12,5``). ``--csv plain`` writes the international form instead: ``,``-separated, UTF-8
  without a mark, a decimal point (``12.5``).
* ``credits.xlsx``: the same table; amounts are numeric cells, text is text (never a formula).
* ``credits.json``: the same rows as a JSON array; amounts are JSON numbers written digit for
  digit from the Decimal.
* ``datapackage.json``: a Frictionless Data Package describing the CSV (its dialect and
  decimal sign included). The phases map onto the Fiscal Data Package: BA -> ``approved``,
  BA-JR -> ``adjusted``, BU -> ``executed``.

Text that a spreadsheet would run as a formula is escaped with a leading quote in the CSV and
the workbook (:func:`bbt.exchange.cells.escape_text`); ``bbt import`` reads it back exactly.
Every byte is a function of the data: the same budget gives the same four files.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import json
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bbt.calculation import Calculation
from bbt.errors import Location, relpath
from bbt.exchange import ExchangeError, error
from bbt.exchange.cells import escape_text, fits_excel
from bbt.exchange.mapping import EXPORT_COLUMNS
from bbt.exchange.yamledit import plain_amount
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES, Document

FISCAL_PHASES = {"ba": "approved", "ba_jr": "adjusted", "bu": "executed"}
"""BA (decretaal krediet) is the approved budget; BA-JR the budget adjusted by the year's
reallocations; BU the execution."""

CSV_NAME = "credits.csv"
XLSX_NAME = "credits.xlsx"
JSON_NAME = "credits.json"
PACKAGE_NAME = "datapackage.json"


@dataclass(frozen=True)
class CsvFormat:
    """A flavour of ``credits.csv``.

    Attributes:
        name: ``nl`` or ``plain`` (``--csv``).
        delimiter: the separator.
        decimal: the decimal sign of amounts.
        bom: whether the file starts with a UTF-8 byte-order mark (Excel reads it as UTF-8).
    """

    name: str
    delimiter: str
    decimal: str
    bom: bool


CSV_FORMATS = {
    "nl": CsvFormat("nl", ";", ",", True),
    "plain": CsvFormat("plain", ",", ".", False),
}

Record = dict[str, str | Decimal | int]


def _columns(doc: Document) -> list[tuple[str, str, str, str | None]]:
    """name, Table Schema type, description (from the document's own data), FDP columnType."""
    ises = ", ".join(f"{i.key} ({i.title})" for i in doc.ises)
    return [
        ("budget_year", "year", f"Budget year (begrotingsjaar): {doc.year}", "date:fiscal-year"),
        (
            "programme_code",
            "string",
            f"Programme code: {doc.programme_code} ({doc.programme_title}), policy field "
            f"{doc.policy_field}",
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
            f"Key of the ISE (inhoudelijk structuurelement): {ises}",
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
        ("amount", "number", f"Amount in thousand euro ({doc.unit}), exact", "value"),
    ]


PRIMARY_KEY = ["article_code", "credit_type", "phase"]


@dataclass(frozen=True)
class Export:
    """The export of one budget, as bytes per file name (nothing is written yet)."""

    files: dict[str, bytes]
    rows: int


def rows(calculation: Calculation) -> list[Record]:
    """One record per article, credit type and phase that the data has, in document order."""
    doc = calculation.document
    ise_titles = {i.key: i.title for i in doc.ises}
    out: list[Record] = []
    for ise in doc.ises:
        for article in doc.ise_articles(ise.key):
            for credit in article.credit_types:
                series = article.credits.get(credit)
                for phase in PHASES if series is not None else ():
                    value = series.get(phase) if series is not None else None
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


# -- the files ------------------------------------------------------------------------------


def csv_bytes(records: list[Record], fmt: CsvFormat) -> bytes:
    """``credits.csv`` of these records in one of :data:`CSV_FORMATS` (a set's export too)."""
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=fmt.delimiter, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for record in records:
        writer.writerow([_csv_cell(record[name], fmt) for name in EXPORT_COLUMNS])
    return ("\ufeff" if fmt.bom else "").encode("utf-8") + stream.getvalue().encode("utf-8")


def _csv_cell(value: str | Decimal | int, fmt: CsvFormat) -> str:
    if isinstance(value, Decimal):
        return plain_amount(value).replace(".", fmt.decimal)
    if isinstance(value, int):
        return str(value)
    return escape_text(value)


def _json_bytes(records: list[Record]) -> bytes:
    def token(value: str | Decimal | int) -> str:
        # An exact decimal is written as a JSON number token, digit for digit.
        if isinstance(value, Decimal):
            return plain_amount(value)
        return json.dumps(value, ensure_ascii=False)

    lines = [
        "  {" + ", ".join(f"{json.dumps(n)}: {token(r[n])}" for n in EXPORT_COLUMNS) + "}"
        for r in records
    ]
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8")


class _FixedZip(zipfile.ZipFile):
    """A zip archive whose entries carry a fixed date, so a workbook's bytes depend on its
    content only (openpyxl stamps entries with the time of writing)."""

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=(1980, 1, 1, 0, 0, 0))
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str],
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl streams each worksheet into a temporary file and adds it with write()
        name = arcname if arcname is not None else os.fspath(filename)
        self.writestr(name, Path(filename).read_bytes(), compress_type, compresslevel)


def _xlsx_bytes(records: list[Record], doc: Document) -> bytes:
    openpyxl = importlib.import_module("openpyxl")  # untyped: imported as a module object
    writer_module = importlib.import_module("openpyxl.writer.excel")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "credits"
    stamp = dt.datetime.combine(doc.date or dt.date(doc.year, 1, 1), dt.time())
    props = book.properties
    props.creator, props.title = "bbt", f"{doc.title} {doc.year}"
    props.created = props.modified = stamp
    _put_row(sheet, 1, list(EXPORT_COLUMNS))
    for number, record in enumerate(records, start=2):
        _put_row(sheet, number, [record[name] for name in EXPORT_COLUMNS])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:M{len(records) + 1}"
    buffer = io.BytesIO()
    with _FixedZip(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        writer_module.ExcelWriter(book, archive).write_data()
    return buffer.getvalue()


def _put_row(sheet: Any, number: int, values: list[Any]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=number, column=column)
        if isinstance(value, Decimal) and not fits_excel(value):
            value = plain_amount(value)  # beyond Excel's 15 digits: exact as text
        elif isinstance(value, str):
            value = escape_text(value)
        try:
            cell.value = value
        except ValueError:  # openpyxl refuses control characters in text
            raise ExchangeError(
                [
                    error(
                        "BBT516",
                        Location(XLSX_NAME, number, column),
                        f"{value!r} holds control characters that a workbook cannot store",
                    )
                ]
            ) from None
        if isinstance(value, str):
            cell.data_type = "s"  # text, never a formula, whatever it starts with


def credits_resource(docs: Sequence[Document], fmt: CsvFormat) -> dict[str, object]:
    """The ``credits`` resource (path, dialect, Table Schema) of one document or of several.

    Descriptions come from the document's own data when there is one document; codes that
    the data may hold (programme, ISE) are constrained to those of ``docs``.
    """
    enum_of = {
        "credit_type": ["VAK", "VEK", "AO", "TO", "LO"],
        "phase": list(PHASE_LABELS.values()),
        "fiscal_phase": list(FISCAL_PHASES.values()),
        "direction": ["expenditure", "revenue"],
        "ise": list(dict.fromkeys(i.key for d in docs for i in d.ises)),
        "programme_code": list(dict.fromkeys(d.programme_code for d in docs)),
    }
    general = {name: text for name, _kind, text, _type in _columns(docs[0])}
    if len(docs) > 1:
        general.update(
            budget_year=f"Budget year (begrotingsjaar): {docs[0].year}",
            programme_code="Programme code of the document's policy field",
            ise="Key of the ISE (inhoudelijk structuurelement) within its document",
        )
    fields = []
    for column, kind, _description, column_type in _columns(docs[0]):
        spec: dict[str, object] = {
            "name": column,
            "type": kind,
            "description": general[column],
            "constraints": {
                "required": True,
                **({"enum": enum_of[column]} if column in enum_of else {}),
            },
        }
        if kind == "number":
            spec["decimalChar"] = fmt.decimal
            spec["bareNumber"] = True
        if column_type:
            spec["columnType"] = column_type
        fields.append(spec)
    return {
        "name": "credits",
        "path": CSV_NAME,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": fmt.delimiter, "header": True},
        "schema": {"fields": fields, "primaryKey": PRIMARY_KEY},
    }


def _package(doc: Document, records: int, name: str, fmt: CsvFormat) -> bytes:
    descriptor = {
        "profile": "tabular-data-package",
        "name": name,
        "title": f"{doc.title} {doc.year}",
        "description": (
            f"Credits of programme {doc.programme_code} ({doc.programme_title}), "
            f"{doc.policy_field}, budget year {doc.year}: BA, BA-JR and BU per budget article "
            f"and credit type, in thousand euro; {records} rows. The same table is in "
            f"{XLSX_NAME} and {JSON_NAME}."
        ),
        "keywords": ["begroting", "BBT", doc.policy_field, str(doc.year)],
        "fiscalPeriod": {"start": f"{doc.year}-01-01", "end": f"{doc.year}-12-31"},
        "currency": "EUR",
        "unit": doc.unit,
        "resources": [credits_resource([doc], fmt)],
    }
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def package_name(calculation: Calculation) -> str:
    folder = calculation.document.root.resolve().name.lower()
    slug = re.sub(r"[^a-z0-9._-]+", "-", folder).strip("-") or "budget"
    return f"bbt-{slug}"


def build_export(calculation: Calculation, csv_format: str = "nl") -> Export:
    """Render the CSV, the workbook, the JSON and the data package in memory."""
    fmt = CSV_FORMATS[csv_format]
    records = rows(calculation)
    doc = calculation.document
    return Export(
        {
            CSV_NAME: csv_bytes(records, fmt),
            XLSX_NAME: _xlsx_bytes(records, doc),
            JSON_NAME: _json_bytes(records),
            PACKAGE_NAME: _package(doc, len(records), package_name(calculation), fmt),
        },
        len(records),
    )


def write_export(export: Export, out_dir: Path) -> list[Path]:
    """Write the files into ``out_dir`` (created when missing), all of them or none (BBT515)."""
    from bbt.exchange.files import write_files

    if out_dir.exists() and not out_dir.is_dir():
        raise ExchangeError(
            [
                error(
                    "BBT515",
                    Location(relpath(out_dir)),
                    f"cannot write into {relpath(out_dir)}: it is a file, not a folder",
                )
            ]
        )
    return write_files({out_dir / name: data for name, data in export.files.items()})
