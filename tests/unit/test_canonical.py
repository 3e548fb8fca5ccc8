"""Canonical JSON (ledger.md §3.3) against RFC 8785 as a dev-time oracle.

On the allowed domain (strings including Vietnamese, integers within ±(2^53−1),
booleans, null, nested arrays and objects with ASCII identifier keys) our fast
encoder must produce exactly the JCS bytes, and ``loads_canonical`` must refuse
every other spelling: floats, lone surrogates, whitespace, key order, duplicate
keys, escapes, integers out of range.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import rfc8785
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.canonical import (
    MAX_SAFE_INTEGER,
    TIMESTAMP_FORMAT,
    CanonicalEncodingError,
    dumps,
    encode,
    format_timestamp,
    loads_canonical,
    parse_timestamp,
)

VIETNAMESE = [
    "Nguyễn Văn An",
    "Đảng bộ xã",
    "kiểm điểm, đánh giá, xếp loại",
    "Hoàn thành xuất sắc nhiệm vụ",
    "phiếu tín nhiệm: ưu điểm / khuyết điểm",
    "Ỷ Ừ Ữ ỹ",
    "Nguye\u0302\u0303n",  # decomposed (NFD) marks are stored as given
]

keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
text = st.one_of(
    st.sampled_from(VIETNAMESE),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.text(
        alphabet='aăâđeêioôơuưyàảãáạằẳẵắặầẩẫấậ"\\/\n\t\x00\x1f\x7f\u2028 ', max_size=20
    ),
)
integers = st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
scalars = st.one_of(st.none(), st.booleans(), integers, text)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=25,
)
objects = st.dictionaries(keys, values, max_size=6)


@given(values)
def test_dumps_equals_rfc8785(value: Any) -> None:
    assert dumps(value) == rfc8785.dumps(value)


@given(objects)
def test_canonical_objects_round_trip(obj: dict[str, Any]) -> None:
    content = dumps(obj)
    assert loads_canonical(content) == obj
    assert encode(obj) == content


@given(objects, st.floats(allow_nan=False, allow_infinity=False), keys)
def test_floats_are_rejected(obj: dict[str, Any], number: float, key: str) -> None:
    obj = {**obj, key: number}
    with pytest.raises(CanonicalEncodingError):
        encode(obj)
    with pytest.raises(CanonicalEncodingError):
        loads_canonical(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode())


@pytest.mark.parametrize(
    "content",
    [
        b'{"a":1.0}',
        b'{"a":1e3}',
        b'{"a":-0.0}',
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":-0}',
        b'{"a":9007199254740992}',
        b'{"a":-9007199254740992}',
        b'{"a":"\\ud800"}',  # a lone surrogate
        b'{"a":"\\udc00x"}',
        b'{"a":"\\u00e9"}',  # escaped where the canonical form is raw UTF-8
        b'{"a":"\\/"}',
        b'{"a":1,"a":1}',  # duplicate keys
        b'{"b":1,"a":2}',  # key order
        b'{"a": 1}',
        b' {"a":1}',
        b'{"a":1}\n',
        b"\xef\xbb\xbf{}",  # BOM
        b'{"a":"\xff"}',  # not UTF-8
        b"[1,2]",  # not an object
        b'"text"',
        b"",
    ],
)
def test_non_canonical_content_is_rejected(content: bytes) -> None:
    with pytest.raises(CanonicalEncodingError):
        loads_canonical(content)


@given(objects)
def test_whitespace_and_escaped_variants_are_rejected(obj: dict[str, Any]) -> None:
    content = dumps(obj)
    for variant in (
        json.dumps(obj, sort_keys=True, ensure_ascii=False).encode(),
        json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=1).encode(),
        json.dumps(obj, sort_keys=True, separators=(",", ":")).encode(),  # \uXXXX
        b" " + content,
        content + b"\n",
    ):
        if variant != content:
            with pytest.raises(CanonicalEncodingError):
                loads_canonical(variant)


@given(st.dictionaries(keys, values, min_size=2, max_size=6))
def test_other_key_orders_are_rejected(obj: dict[str, Any]) -> None:
    reordered = dict(reversed(sorted(obj.items())))
    text_ = json.dumps(reordered, separators=(",", ":"), ensure_ascii=False)
    with pytest.raises(CanonicalEncodingError):
        loads_canonical(text_.encode())


@given(objects, keys, values)
def test_duplicate_keys_are_rejected(obj: dict[str, Any], key: str, value: Any) -> None:
    assume(key not in obj)
    inner = dumps({**obj, key: value}).decode()[1:-1]
    duplicated = "{" + inner + "," + json.dumps(key) + ":" + dumps(value).decode() + "}"
    with pytest.raises(CanonicalEncodingError):
        loads_canonical(duplicated.encode())


@given(
    st.one_of(
        st.integers(min_value=MAX_SAFE_INTEGER + 1),
        st.integers(max_value=-MAX_SAFE_INTEGER - 1),
    )
)
def test_integers_out_of_range_are_rejected(number: int) -> None:
    with pytest.raises(CanonicalEncodingError):
        encode({"n": number})
    with pytest.raises(CanonicalEncodingError):
        loads_canonical(b'{"n":%d}' % number)


def test_lone_surrogates_cannot_be_encoded() -> None:
    with pytest.raises(CanonicalEncodingError):
        dumps({"a": "\ud800"})
    with pytest.raises(CanonicalEncodingError):
        encode({"a": "x\udfff"})


@pytest.mark.parametrize(
    "content",
    [
        '{"é":1}'.encode(),
        '{"a":{"tên":1}}'.encode(),
        '{"a":"x","Tỉnh":"y"}'.encode(),
        '{"a":"Đà Nẵng","b":["Hà Nội"],"Huế":1}'.encode(),
        '{"a":"ý","Đ":1}'.encode(),
    ],
)
def test_non_ascii_keys_are_rejected(content):
    with pytest.raises(CanonicalEncodingError):
        loads_canonical(content)


def test_vietnamese_values_and_escaped_quotes_are_fine():
    content = dumps({"a": 'Tỉnh ủy "Sông Hồng":', "b": "é"})
    assert loads_canonical(content) == {"a": 'Tỉnh ủy "Sông Hồng":', "b": "é"}
    names = {"names": ["Nguyễn Thị Hồng Đào: ủy viên"] * 200, "x": "ế\\:"}
    assert loads_canonical(dumps(names)) == names


def test_duplicate_keys_are_rejected_by_the_re_encoding():
    with pytest.raises(CanonicalEncodingError):
        loads_canonical(b'{"a":1,"a":1}')


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1, 12),  # noqa: DTZ001 - made aware below
        max_value=datetime(9999, 12, 31, 12),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone.min]),
    )
)
def test_timestamps_are_the_fixed_strftime_form(moment: datetime) -> None:
    expected = moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    assert format_timestamp(moment) == expected
    if moment.astimezone(UTC).year >= 1000:
        assert parse_timestamp(expected) == moment


def test_dumps_refuses_what_json_dumps_refused() -> None:
    with pytest.raises(CanonicalEncodingError):
        dumps({"a": object()})
    with pytest.raises(CanonicalEncodingError):
        dumps(float("nan"))
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(CanonicalEncodingError):
        dumps(cycle)
    assert dumps("Đảng") == json.dumps("Đảng", ensure_ascii=False).encode()
