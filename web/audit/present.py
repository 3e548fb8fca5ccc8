"""A signed entry as a readable Vietnamese form (issue 13: one file per person):
the body fields a person reads, with their labels, names instead of ids, dates as
dd/mm/yyyy and codes by their Vietnamese names. The raw signed JSON stays in the
"Chi tiết kỹ thuật" fold. Names come from the page's result (``History.names``,
``EventDetail.names``: the ids of that page only), never from a lookup here."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from uuid import UUID

from web.catalogue import kind_label, role_label, status_label
from web.catalogue.audit import (
    BODY_FIELD_LABELS,
    NOT_NAMED,
    SUBJECT_KINDS,
    VIEW_LABELS,
    YES_NO,
)
from web.catalogue.ratings import (
    LEVEL_LABELS,
    REPORT_CONTENT_LABEL,
    REPORT_SECTION_LABELS,
    RULEBOOK_LABELS,
    SECTION_LABELS,
)
from web.catalogue.remediation import CAUSE_LABELS, SOURCE_LABELS, SUPERVISOR_LABELS
from web.templating import vn_date, vn_time

HYPHENATED = 36  # characters of a UUID written with its hyphens
RAW_LIMIT = 8000  # characters of raw JSON shown inline; a longer body: its page

# The fields of the entries of a person's file, in the order of the paper form;
# other events show their labelled fields in their stored order.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "Review.Opened": ("subject_key", "subject_kind", "venue_id", "cycle_id"),
    "Review.SelfReviewSubmitted": ("appendix", "form", "sections"),
    "Review.MeetingHeld": ("held_on", "attendees", "minutes", "conclusion"),
    "Review.CommentAdded": ("author_member_id", "text"),
    "RatingRound.SelfRated": ("subject_key", "score", "ceiling"),
    "RatingRound.RatingProposed": ("subject_key", "level", "note"),
    "RatingRound.RatingDecided": (
        "subject_key",
        "level",
        "decision_no",
        "decided_on",
        "rulebook_id",
        "explanation",
    ),
    "RatingRound.RatingRevised": (
        "subject_key",
        "previous_level",
        "level",
        "decision_no",
        "decided_on",
        "reason",
        "explanation",
    ),
    "RemediationPlan.Opened": ("subject_name", "subject_kind", "year", "place_id"),
    "RemediationPlan.ShortcomingRecorded": (
        "description",
        "cause",
        "source",
        "recorded_on",
        "review_id",
    ),
    "RemediationPlan.RemediationPlanAdopted": (
        "plan_no",
        "measures",
        "deadline",
        "responsible_member_id",
        "supervisor",
        "supervisor_org_id",
        "adopted_on",
    ),
}

# Coded values by the field that holds them.
CODES: dict[str, Callable[[str], str]] = {
    "level": lambda v: LEVEL_LABELS.get(v, v),
    "previous_level": lambda v: LEVEL_LABELS.get(v, v),
    "ceiling": lambda v: LEVEL_LABELS.get(v, v),
    "rulebook_id": lambda v: RULEBOOK_LABELS.get(v, v),
    "rulebook": lambda v: RULEBOOK_LABELS.get(v, v),
    "cause": lambda v: CAUSE_LABELS.get(v, v),
    "source": lambda v: SOURCE_LABELS.get(v, v),
    "supervisor": lambda v: SUPERVISOR_LABELS.get(v, v),
    "subject_kind": lambda v: SUBJECT_KINDS.get(v, v),
    "status": status_label,
    "kind": kind_label,
    "roles": role_label,
    "view": lambda v: VIEW_LABELS.get(v, v),
    "seen_at": vn_time,
    "form": lambda v: f"Mẫu {v}",
    "appendix": lambda v: f"Phụ lục {v}",
}


@dataclass(frozen=True)
class Field:
    """One line of the form: its label and its text, or its sub-lines
    (label, text) for a list or a mapping (the sections of a self-review)."""

    label: str
    text: str = ""
    lines: tuple[tuple[str, str], ...] = ()


def event_key(topic: str) -> str:
    """``domain.reviews:Review.MeetingHeld`` → ``Review.MeetingHeld``."""
    return topic.rpartition(":")[2]


def readable(
    topic: str, body: Mapping[str, Any], names: Mapping[str, str]
) -> list[Field]:
    """The labelled fields of a signed body, as a person reads them."""
    chosen = EVENT_FIELDS.get(event_key(topic))
    order = chosen if chosen is not None else tuple(body)
    found: list[Field] = []
    for name in order:
        value = body.get(name)
        label = BODY_FIELD_LABELS.get(name)
        if label is None or value in (None, "", [], {}):
            continue
        field = _field(label, name, value, names)
        if field not in found:  # an organisation named by its id and its name
            found.append(field)
    return found


def raw_json(body: Mapping[str, Any], stored_size: int = 0) -> str | None:
    """The signed body as indented JSON, or None when too long to show inline.
    A body stored in more than twice the limit is longer than the limit as
    JSON too: it is not dumped to find that out (a cycle's opening names every
    subject of the cycle)."""
    if stored_size > 2 * RAW_LIMIT:
        return None
    text = json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True)
    return text if len(text) <= RAW_LIMIT else None


# Stored events whose raw JSON a process keeps (≤ 2 × RAW_LIMIT bytes each, with
# their text: a few MB at most).
RAW_KEPT = 1024
_raw_kept: OrderedDict[bytes, str | None] = OrderedDict()
_raw_guard = threading.Lock()
_MISSING = object()


def raw_json_of_stored(stored: bytes, body: Mapping[str, Any]) -> str | None:
    """:func:`raw_json` of the body read from ``stored`` (the event's stored
    bytes), kept per process under those very bytes. The indented dump runs
    Python's JSON encoder, not its C one (a quarter of a history page); a page seen
    again shows the same events. The key is the whole stored value, compared
    byte for byte, so a row changed in the store (one byte) is another key and
    is dumped afresh: nothing kept can stand for a changed row."""
    if len(stored) > 2 * RAW_LIMIT:
        return None
    with _raw_guard:
        found = _raw_kept.get(stored, _MISSING)
        if found is not _MISSING:
            _raw_kept.move_to_end(stored)
            return found  # type: ignore[return-value]
    text = raw_json(body, len(stored))
    with _raw_guard:
        _raw_kept[stored] = text
        while len(_raw_kept) > RAW_KEPT:
            _raw_kept.popitem(last=False)
    return text


def _field(label: str, name: str, value: Any, names: Mapping[str, str]) -> Field:
    if isinstance(value, Mapping) and "_type_" not in value:
        # a self-review's or a collective report's (Mẫu 01: it has "results")
        sections = REPORT_SECTION_LABELS if "results" in value else SECTION_LABELS
        if name == "sections" and sections is REPORT_SECTION_LABELS:
            label = REPORT_CONTENT_LABEL
        if name == "sections":  # in the order of the form (I, II, … VI)
            order = list(sections)
            value = dict(
                sorted(
                    value.items(),
                    key=lambda kv: order.index(kv[0]) if kv[0] in order else 99,
                )
            )
        lines = tuple(
            (
                sections.get(str(k)) or BODY_FIELD_LABELS.get(str(k), str(k)),
                _text(k, v, names),
            )
            for k, v in value.items()
            if v not in (None, "", [], {})
        )
        return Field(label, lines=lines)
    if isinstance(value, list | tuple):
        if len(value) == 1 or name == "roles":
            return Field(label, ", ".join(_text(name, v, names) for v in value))
        return Field(label, lines=tuple(("", _text(name, v, names)) for v in value))
    return Field(label, _text(name, value, names))


def _text(name: str, value: Any, names: Mapping[str, str]) -> str:
    """One value as text: a tagged value (date, id, fraction), an id or an actor
    by its name, a code by its Vietnamese name."""
    if isinstance(value, bool):
        return YES_NO[0] if value else YES_NO[1]
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return _tagged(value, names)
    if isinstance(value, list | tuple):
        return ", ".join(_text(name, v, names) for v in value)
    text = str(value)
    if text.startswith("u:"):
        return names.get(text, NOT_NAMED)
    if text[:2] in ("m:", "o:"):
        return _named(text[2:], names) or text
    named = _named(text, names)
    if named is not None:
        return named
    if name in CODES:
        return CODES[name](text)
    if name.endswith("_on") or name.endswith("_date") or name == "deadline":
        return vn_date(text)
    return text


def _tagged(value: Mapping[str, Any], names: Mapping[str, str]) -> str:
    kind, data = value.get("_type_"), str(value.get("_data_", ""))
    if kind == "date_iso":
        return vn_date(data)
    if kind == "datetime_iso":
        return vn_time(data)
    if kind == "uuid_hex":
        try:
            return names.get(str(UUID(data)), NOT_NAMED)
        except ValueError:
            return data
    if kind in ("fraction", "decimal_str"):
        return _number(data)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _named(text: str, names: Mapping[str, str]) -> str | None:
    """The name of an id written as a hyphenated UUID; None for any other text."""
    if len(text) != HYPHENATED:
        return None
    try:
        key = str(UUID(text))
    except ValueError:
        return None
    return names.get(key, NOT_NAMED)


def _number(text: str) -> str:
    """82/1 → 82; 165/2 → 82,5 (a Vietnamese decimal comma)."""
    try:
        number = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return text
    if number.denominator == 1:
        return str(number.numerator)
    return f"{float(number):.2f}".rstrip("0").replace(".", ",")
