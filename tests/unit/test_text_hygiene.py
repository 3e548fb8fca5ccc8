"""The text rules of the input boundary (domain.text, web.hygiene), pure."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.members import card_is_valid, normalise_card
from domain.text import normalised_identifier, normalised_input, text_problem
from web.hygiene import InputRefused, checked_json, too_deep


@pytest.mark.parametrize(
    ("value", "multiline", "problem"),
    [
        ("Nguyễn Văn An", False, None),
        ("dòng một\ndòng hai\tcột", True, None),
        ("dòng một\ndòng hai", False, "text.control_character"),
        ("a\x00b", True, "text.control_character"),
        ("a\x7fb", True, "text.control_character"),
        ("a\x85b", True, "text.control_character"),
        ("a\ud800b", True, "text.surrogate"),
        ("abc\u202e", False, "text.bidi_control"),
        ("\u2067x\u2069", False, "text.bidi_control"),
        ("\u200b", False, "text.invisible_only"),
        (" \u200c\ufeff ", False, "text.invisible_only"),
        ("An\u200dh", False, None),  # inside a name: allowed
        ("", False, None),  # empty is the required-field rule's business
        ("   ", False, None),
    ],
)
def test_text_problem(value, multiline, problem):
    assert text_problem(value, multiline=multiline) == problem


def test_normalised_input_is_nfc_and_refuses_with_the_code():
    decomposed = unicodedata.normalize("NFD", "  Lê Thị Ánh ")
    assert normalised_input(decomposed) == "Lê Thị Ánh"
    with pytest.raises(DomainError) as caught:
        normalised_input("x\x00")
    assert caught.value.code == "text.control_character"


def test_card_numbers_fold_look_alikes():
    assert normalise_card("ＤＶ００１０１８３８") == "DV00101838"
    assert normalise_card(" dv-001/2 ") == "DV-001/2"
    assert normalised_identifier("ｄｖ　００１") == "DV 001"  # ideographic space
    assert card_is_valid("DV00101838")
    assert card_is_valid("DV-001/2.3")
    for bad in ("DV 001", "ĐV001", "-DV1", "", "D" * 33, "DV٣"):
        assert not card_is_valid(normalise_card(bad)), bad


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-./", max_size=40))
def test_an_ascii_card_keeps_its_earlier_form(card):
    """Member ids are uuid5 of this form: ASCII cards must not change."""
    assert normalise_card(card) == " ".join(card.split()).upper()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=30,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@given(json_values)
def test_too_deep_counts_nesting_as_the_parser_does(value):
    text = json.dumps(value)
    depth = _depth(value)
    assert too_deep(text, depth) is False
    if depth:
        assert too_deep(text, depth - 1) is True


def test_brackets_and_escaped_quotes_in_strings_are_not_structure():
    text = json.dumps({"a": 'x"[[[{{\\\\"', "b": ["]]]"]})
    assert too_deep(text, 2) is False
    assert too_deep(text, 1) is True


def test_checked_json_refuses_and_normalises():
    assert checked_json(b'{"n": "Le\\u0302"}') == {"n": "Lê"}
    for raw, code in (
        (b"[" * 100 + b"]" * 100, "input.json_too_deep"),
        (b'{"n": 18446744073709551616}', "input.number_out_of_range"),
        (b'{"n": -Infinity}', "input.number_not_finite"),
        (b'{"\\u0000": 1}', "text.control_character"),
        (b"\xff", "input.json_invalid"),
    ):
        with pytest.raises(InputRefused) as caught:
            checked_json(raw)
        assert caught.value.code == code
