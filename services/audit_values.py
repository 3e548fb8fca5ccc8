"""Pure helpers of the inspection committee's workspace (issue 5): how a subject
is named and placed (its label, its organisation attributes, the aggregate it
belongs to), how a stored value is shown as text, a state flattened field by
field, and the subtree of an organisation in a replayed world."""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.organisations import Organisation
from ledger import canonical
from ledger.history import Row as LedgerRow
from ledger.keys import SigningKey
from services.audit_results import StateAt

LABEL_ATTRIBUTES = ("full_name", "title", "name", "username", "code", "key_id")
ORG_ATTRIBUTES = (
    "org_id",
    "cell_id",
    "organisation_id",
    "authority_org_id",
    "venue_id",
)
# Attributes naming the aggregate a subject belongs to (for its scope).
PARENT_ATTRIBUTES = ("cycle_id", "round_id", "review_id", "vote_id", "subject_id")
# Body fields that say why: shown as the rule explanation in the history.
EXPLANATION_FIELDS = (
    "explanation",
    "decision_no",
    "decided_on",
    "rulebook_id",
    "rulebook",
    "rules",
    "rule",
    "basis",
    "justification",
    "reason",
    "band",
)
MAX_FLATTEN_DEPTH = 4


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise DomainError("audit.naive_time")
    return moment.astimezone(UTC)


def row_time(row: LedgerRow) -> datetime:
    from ledger import envelope

    try:
        content = envelope.parse_content_unchecked(
            envelope.unpack(row.state).content, row.stream
        )
        return canonical.parse_timestamp(content.ts)
    except (ValueError, TypeError):
        return datetime.max.replace(tzinfo=UTC)


def key_id_of(state: bytes) -> str | None:
    from ledger import envelope

    try:
        return envelope.unpack(state).key_id.hex()
    except envelope.MalformedEnvelopeError:
        return None


def parent_ids(aggregate: Aggregate) -> list[UUID]:
    found = [uuid_value(getattr(aggregate, name, None)) for name in PARENT_ATTRIBUTES]
    owner = getattr(aggregate, "owner", None)
    if isinstance(aggregate, SigningKey) and isinstance(owner, str):
        found.append(uuid_value(owner.removeprefix("u:")))
    return [f for f in found if f is not None and f != aggregate.id]


def org_in_body(state: bytes) -> UUID | None:
    from ledger import envelope

    try:
        body = envelope.parse_content(envelope.unpack(state).content).body
    except (ValueError, TypeError):
        return None
    for name in ORG_ATTRIBUTES:
        value = uuid_value(body.get(name))
        if value is not None:
            return value
    return None


def uuid_value(value: Any) -> UUID | None:
    if isinstance(value, UUID):
        return value
    if isinstance(value, dict):
        value = value.get("_data_")
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            return None
    return None


def label_of(aggregate: Aggregate) -> str:
    for name in LABEL_ATTRIBUTES:
        value = getattr(aggregate, name, None)
        if isinstance(value, str) and value:
            return value
    return type(aggregate).__name__


def actor_fallback(actor: str) -> str:
    if actor.startswith("u:"):
        return actor
    return f"{actor} (không phải cá nhân)"


NAMED_DEPTH = 3  # nesting of a body walked for the ids a page names
HYPHENATED_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)


def ids_named(
    value: Any, found: set[str], depth: int = 0, budget: list[int] | None = None
) -> None:
    """Add the ids a signed body names for a person to read as names: UUID values
    (tagged ``uuid_hex``), hyphenated UUID texts, actors (``u:<id>``) and subject
    keys (``m:<id>``, ``o:<id>``), as canonical texts ("u:" kept for actors).
    ``budget`` ([n]) bounds the values looked at (a page of history names what
    a person reads, not every subject of a cycle's opening)."""
    if depth > NAMED_DEPTH:
        return
    if budget is not None:
        if budget[0] <= 0:
            return
        budget[0] -= 1
    if isinstance(value, str):
        text = value[2:] if value[:2] in ("u:", "m:", "o:") else value
        if HYPHENATED_UUID.fullmatch(text):
            canonical = str(UUID(text))
            found.add(f"u:{canonical}" if value.startswith("u:") else canonical)
    elif isinstance(value, Mapping):
        if value.get("_type_") == "uuid_hex":
            with contextlib.suppress(ValueError):
                found.add(str(UUID(str(value.get("_data_")))))
            return
        for item in value.values():
            ids_named(item, found, depth + 1, budget)
    elif isinstance(value, list | tuple):
        for item in value:
            ids_named(item, found, depth + 1, budget)


def explanation(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, text) pairs of the body fields that say why, in a fixed order."""
    return [
        (name, plain(body[name]))
        for name in EXPLANATION_FIELDS
        if body.get(name) not in (None, "", [], {})
    ]


def plain(value: Any) -> str:
    """A stable text rendering of any state or body value."""
    if isinstance(value, dict) and set(value) == {"_type_", "_data_"}:
        return plain(value["_data_"])
    if isinstance(value, bool | int | str):
        return str(value)
    if value is None:
        return "—"
    if isinstance(value, UUID | date | datetime):
        return value.isoformat() if not isinstance(value, UUID) else str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple | frozenset | set):
        items = sorted(value, key=str) if isinstance(value, frozenset | set) else value
        return "[" + ", ".join(plain(v) for v in items) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{k}: {plain(v)}" for k, v in sorted(value.items())) + "}"
        )
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return str(value.value)
    return str(value)


def flatten(prefix: str, value: Any, out: dict[str, str], depth: int) -> None:
    """Nested mappings as dotted fields (``entries.<subject>.decision.level``), so
    a diff of a review or a rating round names the field that changed. A frozen
    dataclass of the state (a round's entry) reads as the mapping of its fields."""
    if is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, dict) and value and depth < MAX_FLATTEN_DEPTH:
        for key in sorted(value, key=str):
            flatten(f"{prefix}.{key}", value[key], out, depth + 1)
        return
    out[prefix] = plain(value)


def state_of(aggregate: Aggregate) -> StateAt:
    """The aggregate's public attributes, and the state it builds on read
    (``STATE_PROPERTIES``: a cycle's subjects), as dotted fields."""
    values = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    for name in getattr(type(aggregate), "STATE_PROPERTIES", ()):
        values[name] = getattr(aggregate, name)
    state: dict[str, str] = {}
    for name, value in sorted(values.items()):
        flatten(name, value, state, 0)
    return StateAt(
        aggregate.id,
        type(aggregate).__name__,
        label_of(aggregate),
        aggregate.version,
        state,
    )


def subtree(aggregates: Mapping[UUID, Aggregate], root: UUID) -> list[StateAt]:
    """Everything under ``root`` in the replayed world: organisations by their
    parent, the rest by the organisation they name."""
    orgs = {k: a for k, a in aggregates.items() if isinstance(a, Organisation)}
    inside = {root}
    grew = True
    while grew:
        grew = False
        for org_id, org in orgs.items():
            if org_id not in inside and getattr(org, "parent_id", None) in inside:
                inside.add(org_id)
                grew = True
    related: list[StateAt] = []
    for aggregate_id, aggregate in aggregates.items():
        if aggregate_id == root:
            continue
        if aggregate_id in inside:
            related.append(state_of(aggregate))
            continue
        for name in ORG_ATTRIBUTES:
            if uuid_value(getattr(aggregate, name, None)) in inside:
                related.append(state_of(aggregate))
                break
    related.sort(key=lambda s: (s.kind, s.label, str(s.subject_id)))
    return related
