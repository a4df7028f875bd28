"""Reading a spreadsheet (CSV, XLSX or JSON) as rows of cells, within fixed limits.

A spreadsheet is untrusted input: a 5 KB XLSX can claim a used range up to XFD1048576 or
unpack to gigabytes, a CSV can have a million rows or one endless line. Every reader checks
what it can *before* loading (the file size, the unpacked size of a workbook's parts) and
counts while streaming (rows, columns, line length), so memory and time stay bounded whatever
the file says about itself. Crossing a limit is a finding (BBT512) with file:row:column.

Rows come one at a time (:attr:`Sheet.rows`); the caller keeps only the cells it needs.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import importlib
import io
import json
import re
import stat
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NoReturn

from bbt.errors import Location, relpath
from bbt.exchange import Cell, ExchangeError, error
from bbt.exchange.cells import Odd, Value, excel_number

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What ``bbt import`` reads at most (docs/exchange.md, "Limits").

    Attributes:
        file_bytes: size of the file on disk.
        unpacked_bytes: XLSX: the parts of the workbook together, uncompressed.
        zip_entries: XLSX: parts in the workbook.
        rows: rows of the sheet, the header included (JSON: records + 1).
        columns: columns that hold a value (JSON: keys of a record).
        line_chars: CSV: characters on one line.
    """

    file_bytes: int = 20 * MIB
    unpacked_bytes: int = 64 * MIB
    zip_entries: int = 1000
    rows: int = 100_000
    columns: int = 256
    line_chars: int = 65_536


LIMITS = Limits()


@dataclass(frozen=True)
class Row:
    """One row: its number (the header is row 1; JSON: the line a record starts on) and its
    non-empty cells by 0-based column."""

    number: int
    cells: dict[int, Value]


@dataclass
class Sheet:
    """An open spreadsheet: the header, then the rows as they are read.

    Attributes:
        name: the file as messages show it.
        kind: ``csv``, ``xlsx`` or ``json``.
        header: the header texts (JSON: the keys of the first record).
        rows: the rows after the header, read lazily (raises ExchangeError on a limit).
        delimiter: the CSV separator.
        header_row: the row (JSON: line) the header is on.
    """

    name: str
    kind: str
    header: list[str]
    rows: Iterator[Row]
    delimiter: str = ""
    header_row: int = 1

    def cell(self, row: int, column: int) -> Cell:
        """The location of a 0-based column on a row (JSON has lines, not columns)."""
        header = self.header[column] if column < len(self.header) else ""
        return Cell(self.name, row, 0 if self.kind == "json" else column + 1, header)

    def column_label(self, column: int) -> str:
        """``column F``, or ``key 'amount'`` in a JSON file."""
        if self.kind == "json":
            return f"key {self.header[column]!r}"
        return f"column {column_letter(column)}"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _fail(name: str, message: str, row: int = 0, column: int = 0, code: str = "BBT501") -> NoReturn:
    raise ExchangeError([error(code, Location(name, row, column), message)])


def _too_big(name: str, message: str, row: int = 0, column: int = 0) -> NoReturn:
    _fail(name, message, row, column, "BBT512")


@contextlib.contextmanager
def open_sheet(
    path: Path, delimiter: str | None = None, sheet: str | None = None, limits: Limits = LIMITS
) -> Iterator[Sheet]:
    """Open ``path`` for reading; raise ExchangeError (BBT501, BBT512) when it cannot be read."""
    name = relpath(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm", ".json"):
        _fail(name, f"unknown spreadsheet type {suffix or '(none)'!r}; use .xlsx, .csv or .json")
    try:
        info = path.stat()
    except FileNotFoundError:
        _fail(name, "the spreadsheet does not exist")
    except OSError as exc:
        _fail(name, f"cannot read the spreadsheet: {exc.strerror or exc}")
    if stat.S_ISDIR(info.st_mode):
        _fail(name, "is a folder, not a spreadsheet")
    if not stat.S_ISREG(info.st_mode):  # a named pipe would block the read, a device never end it
        _fail(name, "is not a regular file (a named pipe or a device), not a spreadsheet")
    size = info.st_size
    if size > limits.file_bytes:
        _too_big(name, f"the file is {_mib(size)}, above the limit of {_mib(limits.file_bytes)}")
    with contextlib.ExitStack() as stack:
        try:
            if suffix in (".xlsx", ".xlsm"):
                opened = _xlsx(path, name, sheet, limits, stack)
            elif suffix == ".json":
                opened = _json(path, name, limits)
            else:
                text = io.TextIOWrapper(path.open("rb"), encoding="utf-8-sig", newline="")
                opened = _csv(stack.enter_context(text), name, delimiter, limits)
        except OSError as exc:
            _fail(name, f"cannot read the spreadsheet: {exc.strerror or exc}")
        yield opened


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MB"  # float-ok: a file size in a message


# -- CSV ----------------------------------------------------------------------------------


def _lines(text: IO[str], name: str, limits: Limits) -> Iterator[str]:
    """Physical lines of UTF-8 text (BOM dropped), each at most ``limits.line_chars`` long."""
    number = 0
    while True:
        try:
            line = text.readline(limits.line_chars + 1)
        except UnicodeDecodeError:
            _fail(
                name,
                "the CSV file is not UTF-8; save it as 'CSV UTF-8 (door lijstscheidingsteken "
                "gescheiden)'",
                _bad_byte_line(text),
            )
        if not line:
            return
        number += 1
        if len(line) > limits.line_chars:
            _too_big(name, f"line {number} is longer than {limits.line_chars} characters", number)
        yield line


def _bad_byte_line(text: IO[str]) -> int:
    """The line of the first byte that is not UTF-8 (the decoder reads ahead in chunks)."""
    raw = text.buffer  # type: ignore[attr-defined]
    raw.seek(0)
    data = raw.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return int(data[: exc.start].count(b"\n")) + 1
    return 0  # pragma: no cover - only called after a decoding error


def _csv(text: IO[str], name: str, delimiter: str | None, limits: Limits) -> Sheet:
    lines = _lines(text, name, limits)
    first = next(lines, "")
    if not first.strip():
        _fail(name, "the spreadsheet is empty")
    sep = delimiter or max((";", ",", "\t"), key=first.count)
    reader = csv.reader(_chain(first, lines), delimiter=sep)
    try:
        header = next(reader)
    except csv.Error as exc:
        _fail(name, f"not a valid CSV header: {exc}", 1)
    _check_width(name, 1, header, limits)

    def rows() -> Iterator[Row]:
        number = 1
        while True:
            try:
                record = next(reader, None)
            except csv.Error as exc:
                _fail(name, f"not valid CSV: {exc}", number + 1)
            if record is None:
                return
            number += 1
            if number > limits.rows:
                _too_big(name, f"the sheet has more than {limits.rows} rows (the limit)", number)
            _check_width(name, number, record, limits)
            yield Row(number, {i: v for i, v in enumerate(record) if v.strip()})

    return Sheet(name, "csv", [h.strip() for h in header], rows(), sep)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _check_width(name: str, row: int, values: list[Any] | tuple[Any, ...], limits: Limits) -> None:
    if len(values) <= limits.columns:
        return
    last = max((i for i, v in enumerate(values) if _filled(v)), default=-1)
    if last >= limits.columns:
        _too_big(
            name,
            f"a value in column {column_letter(last)}, beyond the limit of {limits.columns} columns",
            row,
            last + 1,
        )


def _filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return getattr(value, "value", value) is not None


# -- XLSX ---------------------------------------------------------------------------------


def _check_zip(path: Path, name: str, limits: Limits) -> None:
    """Refuse a workbook that unpacks beyond the limits, before openpyxl parses anything.

    The sizes come from the zip directory; Python's zipfile never returns more bytes than an
    entry declares (and fails on a mismatch), so the declared total bounds what is read. The
    sheets and the shared strings are then scanned with expat, which keeps nothing: a row of
    millions of empty cells, millions of shared strings or a document type declaration (the
    door to entity expansion) is refused before openpyxl would build them in memory.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > limits.zip_entries:
                _too_big(
                    name,
                    f"the workbook has {len(entries)} parts, above the limit of {limits.zip_entries}",
                )
            unpacked = sum(e.file_size for e in entries)
            if unpacked > limits.unpacked_bytes:
                _too_big(
                    name,
                    f"the workbook unpacks to {_mib(unpacked)}, above the limit of "
                    f"{_mib(limits.unpacked_bytes)} (a zip bomb, or far more than budget figures)",
                )
            for entry in entries:
                if _SCANNED.match(entry.filename):
                    with archive.open(entry) as stream:
                        _scan_part(stream, name, entry.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        _fail(name, "not a valid XLSX file (a broken zip archive); save it again as .xlsx")


_SCANNED = re.compile(r"^xl/(worksheets/[^/]+|sharedStrings)\.xml$", re.I)
MAX_ROW_CELLS = 16_384
"""Cells one row element may hold (Excel's own column limit)."""
MAX_SHARED_STRINGS = 1_000_000


def _scan_part(stream: IO[bytes], name: str, part: str) -> None:
    """Count rows' cells and shared strings in one XML part without keeping anything."""
    from xml.parsers import expat

    state = {"cells": 0, "strings": 0}

    def start(tag: str, _attrs: object) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == "row":
            state["cells"] = 0
        elif local == "c":
            state["cells"] += 1
            if state["cells"] > MAX_ROW_CELLS:
                _too_big(name, f"{part}: a row with more than {MAX_ROW_CELLS} cells")
        elif local == "si":
            state["strings"] += 1
            if state["strings"] > MAX_SHARED_STRINGS:
                _too_big(name, f"{part}: more than {MAX_SHARED_STRINGS} shared strings")

    def doctype(*_args: object) -> None:
        _fail(name, f"{part} declares a document type; a workbook never does (entity expansion?)")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        while chunk := stream.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        _fail(name, f"{part} is not valid XML: {exc}")


def _xlsx(
    path: Path, name: str, sheet: str | None, limits: Limits, stack: contextlib.ExitStack
) -> Sheet:
    _check_zip(path, name, limits)
    openpyxl = importlib.import_module("openpyxl")  # untyped: imported as a module object

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it skips
            book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # a broken workbook: openpyxl raises many kinds
        _fail(name, f"cannot read the workbook: {exc}")
    stack.callback(book.close)
    names = book.sheetnames
    if sheet is not None and sheet not in names:
        _fail(name, f"the workbook has no sheet {sheet!r}; it has {', '.join(map(repr, names))}")
    if not book.worksheets:
        _fail(name, "the workbook has no worksheet")
    ws = book[sheet] if sheet is not None else book.worksheets[0]
    ws.reset_dimensions()  # the dimension record is untrusted: never pad rows up to it
    iterator = ws.iter_rows()

    def next_row() -> tuple[Any, ...] | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                row: tuple[Any, ...] | None = next(iterator, None)
            except ExchangeError:
                raise
            except Exception as exc:  # broken XML in the sheet
                _fail(name, f"cannot read the sheet: {exc}")
            return row

    first = next_row()
    if first is None:
        _fail(name, "the spreadsheet is empty")
    _check_width(name, 1, first, limits)
    header = [_text_of(_xlsx_value(c)) for c in first]

    def rows() -> Iterator[Row]:
        number = 1
        while (row := next_row()) is not None:
            number += 1
            if number > limits.rows:
                _too_big(name, f"the sheet goes on beyond row {limits.rows} (the limit)", number)
            _check_width(name, number, row, limits)
            cells = {i: v for i, c in enumerate(row) if (v := _xlsx_value(c)) is not None}
            yield Row(number, cells)

    return Sheet(name, "xlsx", header, rows())


def _text_of(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Odd):
        return value.text
    return str(value).strip()


def _xlsx_value(cell: Any) -> Value | None:
    value = getattr(cell, "value", None)
    if value is None:
        return None
    kind = getattr(cell, "data_type", "")
    if kind == "f":
        return Odd("formula", str(getattr(value, "text", value)))
    if kind == "e":
        return Odd("error", str(value))
    if isinstance(value, bool):
        return Odd("boolean", "TRUE" if value else "FALSE")
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return Odd("date", str(value))
    if isinstance(value, int | float):
        try:
            return excel_number(value)
        except ValueError:
            return Odd("error", repr(value))
    text = str(value)
    return text if text.strip() else None


# -- JSON ---------------------------------------------------------------------------------


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a number")


def _json(path: Path, name: str, limits: Limits) -> Sheet:
    """An array of flat records (``[{"article_code": ..., "amount": 580966}, ...]``).

    Numbers are exact Decimals (never float); the records are decoded one at a time.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(name, "the JSON file is not UTF-8")
    decoder = json.JSONDecoder(
        parse_float=Decimal, parse_int=Decimal, parse_constant=_refuse_constant
    )
    records = _records(text, name, decoder)
    first = next(records, None)
    if first is None:
        _fail(name, "the JSON array has no records")
    line, record = first
    if len(record) > limits.columns:
        _too_big(
            name, f"a record has {len(record)} keys, above the limit of {limits.columns}", line
        )
    header = list(record)

    def rows() -> Iterator[Row]:
        count = 1
        for number, values in _chain_records(first, records):
            count += 1
            if count > limits.rows:
                _too_big(name, f"more than {limits.rows - 1} records (the limit)", number)
            extra = [k for k in values if k not in header]
            if extra:
                _fail(name, f"key {extra[0]!r} is not in the first record", number, 0, "BBT502")
            cells: dict[int, Value] = {}
            for key, value in values.items():
                converted = _json_value(value)
                if converted is not None:
                    cells[header.index(key)] = converted
            yield Row(number, cells)

    return Sheet(name, "json", header, rows(), header_row=line)


def _chain_records(
    first: tuple[int, dict[str, Any]], rest: Iterator[tuple[int, dict[str, Any]]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    yield first
    yield from rest


def _json_value(value: Any) -> Value | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Odd("boolean", "true" if value else "false")
    if isinstance(value, Decimal):
        return value
    text = str(value)
    return text if text.strip() else None


def _records(
    text: str, name: str, decoder: json.JSONDecoder
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, record)`` for each element of the top-level array."""
    pos = _skip(text, 0)
    if text[pos : pos + 1] != "[":
        _fail(name, "a JSON file to import is an array of records: [{...}, {...}]", 1)
    pos = _skip(text, pos + 1)
    line, counted = 1, 0
    while text[pos : pos + 1] != "]":
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            _fail(name, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno)
        except RecursionError:
            _fail(name, "not valid JSON: nested too deeply", line)
        except ValueError as exc:  # NaN, Infinity (from _refuse_constant)
            _fail(name, f"not valid JSON: {exc}", line)
        if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
            _fail(name, "each record must be an object of plain values (text, numbers)", line)
        yield line, value
        pos = _skip(text, pos)
        if text[pos : pos + 1] == ",":
            pos = _skip(text, pos + 1)
        elif text[pos : pos + 1] != "]":
            _fail(name, "not valid JSON: expected ',' or ']' between records", line)
    if text[_skip(text, pos + 1) :].strip():
        _fail(name, "not valid JSON: text after the closing ']'")


_SPACE = re.compile(r"[ \t\r\n]*")


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


__all__ = ["LIMITS", "Limits", "Row", "Sheet", "column_letter", "open_sheet"]
