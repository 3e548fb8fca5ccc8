"""orjson where the ledger uses it writes exactly the canonical bytes (ledger.md
§3.3), and the verifier's orjson filter passes only content the full check
passes.

``canonical.dumps_plain`` (the writers' encoder) must equal ``canonical.dumps``
(Python's encoder, the spec's reference with RFC 8785 as the dev-time oracle in
tests/unit/test_canonical.py) on every value ``to_jsonable`` can return; the
verifier's ``_content`` (ledger/verify_rows.py) must never accept content that
``envelope.parse_content`` refuses, nor report other fields than it does.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import canonical, envelope
from ledger.canonical import MAX_SAFE_INTEGER, CanonicalEncodingError
from ledger.verify_rows import _content

VIETNAMESE = [
    "Nguyễn Văn An",
    "Đảng bộ xã Tân Phú",
    "Đồng chí cần khắc phục hạn chế trong việc thực hiện nhiệm vụ được giao",
    "Hoàn thành xuất sắc nhiệm vụ",
    "phiếu tín nhiệm: ưu điểm / khuyết điểm",
    "Ỷ Ừ Ữ ỹ",
    "Nguye\u0302\u0303n",  # decomposed (NFD) marks
    "1.5, 2e3: 9007199254740993",  # numbers' look-alikes inside text
]


class Status(StrEnum):
    FULL = "full"


keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
text = st.one_of(
    st.sampled_from(VIETNAMESE),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.text(
        alphabet='aăâđeêioôơuưyàảãáạằẳẵắặầẩẫấậ"\\/\n\t\x00\x1f\x7f\u2028 :,.[]{}',
        max_size=20,
    ),
)
integers = st.one_of(
    st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER),
    st.sampled_from([0, -1, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 10**15, -(10**15)]),
)
moments = st.datetimes(timezones=st.just(UTC))
# The value shapes events carry: text, integers, None, booleans, the tagged types
# (UUID, Decimal, datetime, date, Fraction, tuple, frozenset), StrEnum members,
# nested lists and dicts.
event_scalars = st.one_of(
    st.none(),
    st.booleans(),
    integers,
    text,
    st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False),
    moments,
    st.dates(),
    st.fractions(),
    st.just(Status.FULL),
)
event_values = st.recursive(
    event_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.frozensets(text, max_size=3),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=30,
)
bodies = st.dictionaries(keys, event_values, max_size=8)


def test_every_code_point_is_escaped_as_the_canonical_encoder_does() -> None:
    points = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(points), 4096):
        chunk = points[start : start + 4096]
        assert canonical.dumps_plain(chunk) == canonical.dumps(chunk)
        assert canonical.dumps_plain("".join(chunk)) == canonical.dumps("".join(chunk))


@settings(max_examples=150, deadline=None)
@given(bodies)
def test_encode_is_the_canonical_encoders_bytes(body: dict[str, Any]) -> None:
    plain = canonical.to_jsonable(body)
    assert canonical.encode(body) == canonical.dumps(plain)
    assert canonical.dumps_plain(plain) == canonical.dumps(plain)


@settings(max_examples=100, deadline=None)
@given(bodies, integers, text)
def test_build_content_is_the_canonical_encoders_bytes(
    body: dict[str, Any], ver: int, actor: str
) -> None:
    fields = {
        "log": "kiemdiem.test/x",
        "stream": uuid.UUID(int=abs(ver)),
        "ver": abs(ver) + 1,
        "topic": "domain.review:Review.CommentAdded",
        "ts": datetime(2026, 11, 23, 8, 15, 2, 123456, tzinfo=UTC),
        "actor": actor,
        "key_id": bytes(range(16)),
        "prev": bytes(32),
    }
    content = envelope.build_content(
        **fields,  # type: ignore[arg-type]
        body_jsonable=canonical.to_jsonable(body),
    )
    reference = canonical.dumps(
        {
            "v": 1,
            "log": fields["log"],
            "stream": str(fields["stream"]),
            "ver": fields["ver"],
            "topic": fields["topic"],
            "ts": "2026-11-23T08:15:02.123456Z",
            "actor": actor,
            "key_id": bytes(range(16)).hex(),
            "prev": bytes(32).hex(),
            "body": canonical.to_jsonable(body),
        }
    )
    assert content == reference


class _Text(str):
    __slots__ = ()


class _Number(int):
    pass


OUTSIDE = [
    pytest.param({"k": "lone \udc80 surrogate"}, id="lone-surrogate"),
    pytest.param({"k": 2**53}, id="wide-int"),
    pytest.param({"k": -(2**70)}, id="wider-than-64-bits"),
    pytest.param({"k": _Text("sub")}, id="str-subclass"),
    pytest.param({_Text("k"): 1}, id="str-subclass-key"),
    pytest.param({"k": _Number(7)}, id="int-subclass"),
    pytest.param({"k": Status.FULL}, id="str-enum"),
    pytest.param({1: "int key"}, id="int-key"),
    pytest.param({"k": datetime(2026, 1, 1, tzinfo=UTC)}, id="datetime"),
    pytest.param({"k": date(2026, 1, 1)}, id="date"),
]


@pytest.mark.parametrize("value", OUTSIDE)
def test_what_orjson_refuses_goes_to_the_canonical_encoder(value: Any) -> None:
    """Outside the plain domain dumps_plain answers as dumps does: the same bytes
    or the same error class."""
    try:
        expected: bytes | type[Exception] = canonical.dumps(value)
    except CanonicalEncodingError:
        expected = CanonicalEncodingError
    try:
        got: bytes | type[Exception] = canonical.dumps_plain(value)
    except CanonicalEncodingError:
        got = CanonicalEncodingError
    assert got == expected


def test_nesting_deeper_than_orjson_allows_is_encoded_all_the_same() -> None:
    deep: Any = "bottom"
    for _ in range(400):
        deep = {"a": [deep]}
    assert canonical.dumps_plain(deep) == canonical.dumps(deep)


def test_floats_stay_refused() -> None:
    with pytest.raises(CanonicalEncodingError):
        canonical.encode({"amount": 1.5})


# -- the verifier's filter ------------------------------------------------------------

KEY_ID = "0123456789abcdef" * 2


def _fields(body: Any, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "v": 1,
        "log": "kiemdiem.test/x",
        "stream": "6f1c2b1e-0000-4000-8000-000000000001",
        "ver": 2,
        "topic": "domain.review:Review.CommentAdded",
        "ts": "2026-11-23T08:15:02.123456Z",
        "actor": "u:7d0f",
        "key_id": KEY_ID,
        "prev": "ab" * 32,
        "body": body,
    }
    fields.update(changes)
    return fields


raw_scalars = st.one_of(
    st.none(),
    st.booleans(),
    integers,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
raw_keys = st.one_of(keys, st.sampled_from(["nế", "\nế", "Đ", "a\u2028", "k\\"]))
raw_values = st.recursive(
    raw_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(raw_keys, children, max_size=4)
    ),
    max_leaves=20,
)


def _spellings(fields: dict[str, Any]) -> list[bytes]:
    """The canonical spelling and a few that are not."""
    return [
        json.dumps(
            fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode(),
        json.dumps(fields, sort_keys=True, separators=(",", ":")).encode(),
        json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode(),
        json.dumps(fields, sort_keys=True, ensure_ascii=False).encode(),
    ]


def _full_check(content: bytes) -> envelope.Content | None:
    try:
        return envelope.parse_content(content)
    except (CanonicalEncodingError, envelope.MalformedEnvelopeError):
        return None


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(raw_keys, raw_values, max_size=6))
def test_the_filter_never_passes_what_the_full_check_refuses(body: Any) -> None:
    for content in _spellings(_fields(body)):
        fast = _content(content)
        if fast is None:
            continue
        full = _full_check(content)
        assert full is not None, content
        assert (
            fast["stream"],
            fast["ver"],
            fast["actor"],
            fast["key_id"],
            fast["prev"],
            fast["body"],
        ) == (str(full.stream), full.ver, full.actor, full.key_id, full.prev, full.body)


@settings(max_examples=100, deadline=None)
@given(bodies)
def test_the_filter_passes_the_events_writers_make(body: dict[str, Any]) -> None:
    content = canonical.dumps(_fields(canonical.to_jsonable(body)))
    assert _full_check(content) is not None
    assert _content(content) is not None


@pytest.mark.parametrize(
    "body",
    [
        {"amount": 1.5},
        {"amount": 1e16},
        {"big": 2**53},
        {"big": -(2**53)},
        {"deep": [{"x": [0.25]}]},
        {"nế": 1},
        {"\nế": 1},
    ],
)
def test_content_the_full_check_refuses_or_doubts_is_left_to_it(body: Any) -> None:
    content = json.dumps(
        _fields(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert _content(content) is None


def test_a_timestamp_with_a_fraction_is_not_taken_for_a_float() -> None:
    moment = datetime(2026, 11, 23, tzinfo=UTC) + timedelta(microseconds=5)
    body = canonical.to_jsonable(
        {"at": moment, "d": Decimal("1.5"), "f": Fraction(1, 3)}
    )
    assert _content(canonical.dumps(_fields(body))) is not None


# -- loads_canonical: orjson first, the reference check for anything in doubt ---------


def _reference_loads(content: bytes) -> Any:
    """The check as it was before orjson: json's parse with floats, wide integers
    and constants refused, the canonical re-encoding, the non-ASCII key pattern."""
    parsed = json.loads(
        content.decode("utf-8"),
        parse_float=canonical._reject_float,
        parse_int=canonical._checked_int,
        parse_constant=canonical._reject_constant,
    )
    if not isinstance(parsed, dict) or canonical.dumps(parsed) != content:
        raise CanonicalEncodingError("not canonical")
    if not content.isascii() and canonical._NON_ASCII_KEY.search(content):
        raise CanonicalEncodingError("non-ASCII key")
    return parsed


def _outcome(load: Any, content: bytes) -> Any:
    try:
        return ("value", load(content))
    except (CanonicalEncodingError, ValueError):
        return ("refused",)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(raw_keys, raw_values, max_size=6))
def test_loads_canonical_answers_as_the_reference_check(body: Any) -> None:
    for content in _spellings(_fields(body)):
        assert _outcome(canonical.loads_canonical, content) == _outcome(
            _reference_loads, content
        )


@pytest.mark.parametrize(
    "content",
    [
        b'{"a":1.5}',
        b'{"a":9007199254740992}',
        b'{"a":-9007199254740992}',
        b'{"a":9007199254740991}',
        b'{"a":1,"a":2}',
        b'{"b":1,"a":2}',
        b'{"a": 1}',
        b'{"a":"\\u00e9"}',
        '{"nế":1}'.encode(),
        '{"\\nế":1}'.encode(),
        b'{"a":NaN}',
        b'{"a":"\\ud800"}',
        b"[1]",
        b'{"a":-0}',
        b'{"a":"x"} ',
    ],
)
def test_loads_canonical_spellings(content: bytes) -> None:
    assert _outcome(canonical.loads_canonical, content) == _outcome(
        _reference_loads, content
    )
