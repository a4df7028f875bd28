"""Finding the installed extensions is kept between runs, and never serves a stale declaration."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import bbt.extension
from bbt.extension import Extension, extensions
from bbt.files import Cache

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "bbt" / "examples" / "2024-sociale-economie"


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("BBT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BBT_NO_CACHE", raising=False)
    extensions.cache_clear()
    yield tmp_path / "cache"
    extensions.cache_clear()


def _no_entry_points(*args: object, **kwargs: object) -> object:
    raise AssertionError("the entry points were read again")


def test_the_second_run_reads_no_entry_points(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = extensions()
    assert {"contingent", "set"} <= {e.name for e in first}
    extensions.cache_clear()  # a new process
    monkeypatch.setattr(importlib.metadata, "entry_points", _no_entry_points)
    assert extensions() == first
    assert extensions()[0].rules == "bbt.contingent.rule"


def test_without_the_cache_the_entry_points_are_read(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extensions()
    extensions.cache_clear()
    monkeypatch.setenv("BBT_NO_CACHE", "1")
    monkeypatch.setattr(importlib.metadata, "entry_points", _no_entry_points)
    with pytest.raises(AssertionError, match="read again"):
        extensions()


def test_an_edited_declaration_is_read_again(tmp_path: Path) -> None:
    source = tmp_path / "extension.py"
    source.write_text("EXTENSION = ...\n", encoding="utf-8")
    declared = [(Extension(name="own", rules="own.rules"), str(source))]
    record = bbt.extension._record_of(declared)
    assert bbt.extension._recorded(record) == (Extension(name="own", rules="own.rules"),)
    source.write_text("EXTENSION = ...  # with another hook\n", encoding="utf-8")
    assert bbt.extension._recorded(record) is None
    source.unlink()
    assert bbt.extension._recorded(record) is None


@pytest.mark.parametrize("record", [b"", b"{", b"[{}]", b'[{"source": [], "fields": {}}]'])
def test_an_odd_record_is_not_used(record: bytes) -> None:
    kept = Cache("extensions-odd")  # the way extensions() reads its record
    name = hashlib.sha256(record).hexdigest()
    kept.put(name, record)
    assert kept.get(name) == record
    assert kept.recall(name, bbt.extension._recorded) is None


def test_a_record_names_its_fields_and_module(tmp_path: Path) -> None:
    source = tmp_path / "extension.py"
    source.write_text("", encoding="utf-8")
    row = json.loads(bbt.extension._record_of([(Extension(name="own"), str(source))]))[0]
    assert row["fields"]["name"] == "own"
    assert row["source"][0] == str(source)


CHECK_THEN_MODULES = """
import sys
from bbt.cli import main
try:
    main(["check", "-q", sys.argv[1]])
except SystemExit as end:
    print(end.code, " ".join(sorted(m for m in sys.modules if m.startswith("bbt.set"))))
"""


def test_checking_a_budget_folder_asks_no_set_extension(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BBT_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", CHECK_THEN_MODULES, str(EXAMPLE)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert "bbt.set" in first.stdout.split()  # discovery imports every declaring module
    second = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert second.stdout.split() == ["0"]  # the record: bbt.set is never imported
