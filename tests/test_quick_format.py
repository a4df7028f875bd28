"""The Dutch formats kept between runs are exactly the strings Babel makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import babel.dates
import babel.numbers
import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

import bbt.format
from bbt.format import bedrag, datum, getal, procent

AMOUNTS = ["580966", "-2188", "1207.64", "0.0004", "-0.0004", "-0", "123456789012.345", "93.95"]


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[bbt.format._Kept]:
    """An empty store of kept strings in a cache folder of this test."""
    monkeypatch.setenv("BBT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BBT_NO_CACHE", raising=False)
    store = bbt.format._Kept()
    monkeypatch.setattr(bbt.format, "_KEPT", store)
    yield store


def _all_formats() -> list[str]:
    out = [bedrag(Decimal(a)) for a in AMOUNTS]
    out += [procent(Decimal(a), places) for a in AMOUNTS for places in (0, 1, 2)]
    out += [getal(Decimal(a), 2) for a in AMOUNTS]
    return [*out, datum(dt.date(2024, 3, 22)), datum(dt.date(2023, 12, 31))]


def test_the_seed_figures_read_as_before(kept: bbt.format._Kept) -> None:
    assert bedrag(Decimal("580966")) == "580.966"
    assert bedrag(Decimal("-2188")) == "-2.188"
    assert bedrag(Decimal("-0.0004")) == "0"
    assert procent(Decimal("93.95")) == "94,0%"
    assert getal(Decimal("1680.333"), 2) == "1.680,33"
    assert datum(dt.date(2024, 3, 22)) == "22 maart 2024"


def test_a_second_run_serves_the_same_strings_without_babel(
    kept: bbt.format._Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _all_formats()
    assert kept.new == len(set(kept.known or {}))
    kept.save()
    again = bbt.format._Kept()  # a new process reads what the first one kept
    monkeypatch.setattr(bbt.format, "_KEPT", again)
    monkeypatch.setattr(babel.numbers, "format_decimal", _no_babel)
    monkeypatch.setattr(babel.dates, "format_date", _no_babel)
    assert _all_formats() == first
    assert again.new == 0


def _no_babel(*args: object, **kwargs: object) -> str:
    raise AssertionError("Babel was asked again")


def test_the_kept_strings_are_babels_own(kept: bbt.format._Kept) -> None:
    for amount in ["580966", "-2188", "1207.64", "123456789012.345"]:
        expected = format_decimal(Decimal(amount), "#,##0.###", locale="nl_BE")
        assert bedrag(Decimal(amount)) == expected
    assert datum(dt.date(2024, 4, 5)) == format_date(dt.date(2024, 4, 5), "d MMMM y", "nl_BE")


def test_without_the_cache_every_string_is_made_again(
    kept: bbt.format._Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    bedrag(Decimal("580966"))
    kept.save()
    monkeypatch.setenv("BBT_NO_CACHE", "1")
    again = bbt.format._Kept()
    monkeypatch.setattr(bbt.format, "_KEPT", again)
    assert bedrag(Decimal("580966")) == "580.966"
    assert again.new == 1


@pytest.mark.parametrize("entry", [b"", b"{", b"[1, 2]", b'"text"'])
def test_an_odd_entry_is_ignored(kept: bbt.format._Kept, entry: bytes) -> None:
    kept._STORE.put(kept.name, entry)
    assert bedrag(Decimal("-2188")) == "-2.188"
    assert kept.new == 1


def test_the_entry_stays_bounded(kept: bbt.format._Kept, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bbt.format._Kept, "LIMIT", 3)
    for n in range(5):
        bedrag(Decimal(n))
    kept.save()
    assert sorted(kept._load().values()) == ["2", "3", "4"]  # the newest


def test_past_the_limit_the_oldest_strings_go(
    kept: bbt.format._Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bbt.format._Kept, "LIMIT", 3)
    for n in (9, 1, 5):  # one run makes these, in this order
        bedrag(Decimal(n))
    kept.save()
    again = bbt.format._Kept()  # the next run makes one more
    monkeypatch.setattr(bbt.format, "_KEPT", again)
    bedrag(Decimal(7))
    again.save()
    assert sorted(again._load().values()) == ["1", "5", "7"]  # 9 was made first
