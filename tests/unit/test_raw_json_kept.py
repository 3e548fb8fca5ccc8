"""The raw JSON of a history entry is kept per process under the event's stored
bytes (issue 14: the indented dump was a third of a history page): the same
bytes give the kept text without a dump, a stored value changed by one byte is
dumped afresh, a stored value over the inline bound is never dumped or kept,
and what is kept is bounded."""

from __future__ import annotations

from collections import OrderedDict

import pytest

from web.audit import present
from web.audit.present import RAW_LIMIT, raw_json, raw_json_of_stored


@pytest.fixture(autouse=True)
def _empty(monkeypatch):
    monkeypatch.setattr(present, "_raw_kept", OrderedDict())


def test_the_same_stored_bytes_give_the_kept_text(monkeypatch):
    stored = b'{"body":{"name":"Nguy\xe1\xbb\x85n"}}'
    body = {"name": "Nguyễn", "n": 1}
    first = raw_json_of_stored(stored, body)
    assert first == raw_json(body, len(stored))
    dumps = []
    monkeypatch.setattr(present, "raw_json", lambda *a: dumps.append(a))
    assert raw_json_of_stored(bytes(bytearray(stored)), body) == first
    assert dumps == []


def test_a_stored_value_changed_by_one_byte_is_dumped_afresh():
    stored = b'{"body":{"born":"1980-05-17"}}'
    assert raw_json_of_stored(stored, {"born": "1980-05-17"}) is not None
    edited = stored.replace(b"17", b"18")
    assert len(edited) == len(stored)
    text = raw_json_of_stored(edited, {"born": "1980-05-18"})
    assert text is not None
    assert "1980-05-18" in text
    assert "1980-05-17" not in text


def test_a_large_stored_value_is_neither_dumped_nor_kept():
    class Unreadable(dict):
        def items(self):
            raise AssertionError("a large body was dumped")

    assert raw_json_of_stored(b"x" * (2 * RAW_LIMIT + 1), Unreadable(a=1)) is None
    assert len(present._raw_kept) == 0


def test_what_is_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(present, "RAW_KEPT", 3)
    for n in range(10):
        raw_json_of_stored(b"event %d" % n, {"n": n})
    assert list(present._raw_kept) == [b"event 7", b"event 8", b"event 9"]
