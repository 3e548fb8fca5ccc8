"""Texts people write in paragraphs keep their line breaks (issue 13): the
multi-line normaliser (domain.text.clean_paragraphs), where the domain uses it,
and the signed bytes of an event that holds a line break."""

from __future__ import annotations

import unicodedata
from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.reviews import sections_of, text_of
from domain.text import clean_paragraphs, clean_text
from ledger.canonical import encode, from_jsonable, loads_canonical

BREAKS = ("\n", "\r\n", "\r", "\u2028", "\u2029")
# Letters, spaces, tabs and every kind of line break, Vietnamese letters among them.
PIECES = ["a", "B", "ễ", "Đ", "e\u0301", "1", ".", " ", "\t", "\u00a0", *BREAKS]
written = st.lists(st.sampled_from(PIECES), max_size=40).map("".join) | st.text(
    max_size=40
)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("1. Một việc\n2. Hai việc", "1. Một việc\n2. Hai việc"),
        ("  1. Một  việc \r\n 2.\tHai việc  ", "1. Một việc\n2. Hai việc"),
        ("a\rb\r\n\r\n\r\n\r\nc", "a\nb\n\nc"),
        ("a\n \t \n  \n\nb", "a\n\nb"),  # blank lines of spaces: one blank line
        ("\n\n  a\n\n", "a"),
        ("đoạn một\n\nđoạn hai", "đoạn một\n\nđoạn hai"),
        ("Nguye\u0302\u0303n", "Nguyễn"),  # NFC
        ("dòng\u2028dòng", "dòng\ndòng"),
        ("", ""),
        (" \n\r\n ", ""),
    ],
)
def test_clean_paragraphs(typed, kept):
    assert clean_paragraphs(typed) == kept


@given(written)
def test_clean_paragraphs_is_idempotent(text):
    once = clean_paragraphs(text)
    assert clean_paragraphs(once) == once


@given(written)
def test_clean_paragraphs_never_introduces_characters(text):
    cleaned = clean_paragraphs(text)
    source = unicodedata.normalize("NFC", text)
    assert set(cleaned) - {" ", "\n"} <= set(source)
    if " " in cleaned:
        assert any(c.isspace() for c in source)
    if "\n" in cleaned:
        assert len(source.splitlines()) > 1
    assert "\n\n\n" not in cleaned
    assert cleaned == cleaned.strip()
    assert all(line == line.strip() for line in cleaned.split("\n"))


@given(written.map(lambda t: " ".join(t.splitlines())))
def test_one_line_comes_out_as_clean_text(text):
    assert clean_paragraphs(text) == clean_text(text)


@given(written)
def test_a_folded_text_is_what_an_older_store_holds(text):
    """A text signed before line breaks were kept (folded by clean_text) is
    left as it is: the replay of an older store reads the same values."""
    folded = clean_text(text)
    assert clean_paragraphs(folded) == folded


def test_sections_and_comments_keep_their_lines_names_do_not():
    typed = {
        "strengths": " 1. Gương mẫu \r\n2. Tận tụy\n\n\n",
        "shortcomings": "Chậm báo cáo",
        "remediation": "\n \n",
        "measures": "a\r\rb",
    }
    assert sections_of("2B", typed) == {
        "strengths": "1. Gương mẫu\n2. Tận tụy",
        "shortcomings": "Chậm báo cáo",
        "measures": "a\n\nb",
    }
    assert text_of("Ý kiến 1\nÝ kiến 2", "review.text_required") == (
        "Ý kiến 1\nÝ kiến 2"
    )
    assert text_of("Sở\nNội vụ", "x", multiline=False) == "Sở Nội vụ"
    with pytest.raises(DomainError) as refused:
        text_of("\n \n", "review.text_required")
    assert refused.value.code == "review.text_required"


def test_a_line_break_is_signed_as_json_escapes_it():
    """The canonical bytes hold the two characters ``\\n``, never a raw line
    break, and read back to the same text."""
    body = {"text": "1. Một\n2. Hai", "on": date(2025, 12, 1), "id": uuid4()}
    raw = encode(body)
    assert b"\n" not in raw
    assert b"1. M\xe1\xbb\x99t\\n2. Hai" in raw
    assert from_jsonable(loads_canonical(raw)) == body
