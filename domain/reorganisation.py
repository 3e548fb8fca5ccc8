"""Sắp xếp, tổ chức lại: the rules every reorganisation of the party tree obeys.

Each change (rename, move under another parent, change of kind, merge, split,
dissolution) is made by a decision (quyết định) with a number and an effective
date; the organisation aggregate (``domain.organisations``) records it as a
signed event and refuses nonsense with the checks here. Pure functions: the
service layer loads the facts (the new parent's ancestor path, the kinds of the
children) and passes them in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.errors import DomainError

MAX_DECISION_LENGTH = 100
MAX_DAYS_AHEAD = 60
"""A decision may take effect at most this many days after it is recorded."""


@dataclass(frozen=True)
class Decision:
    """Quyết định sắp xếp: its number (số quyết định) and effective date."""

    number: str
    effective_on: date

    @classmethod
    def checked(cls, number: str, effective_on: date, *, today: date) -> Decision:
        """Refuse an empty or overlong number and a date too far ahead."""
        text = " ".join(unicodedata.normalize("NFC", number or "").split())
        if not text:
            raise DomainError("org.decision_required")
        if len(text) > MAX_DECISION_LENGTH:
            raise DomainError("org.decision_too_long", limit=MAX_DECISION_LENGTH)
        if effective_on > today + timedelta(days=MAX_DAYS_AHEAD):
            raise DomainError("org.effective_too_far", days=MAX_DAYS_AHEAD)
        return cls(number=text, effective_on=effective_on)


def check_order(decision: Decision, last_effective_on: date | None) -> None:
    """An organisation's changes take effect in the order they are recorded, so
    its history over time is one sequence of periods."""
    if last_effective_on is not None and decision.effective_on < last_effective_on:
        raise DomainError(
            "org.effective_before_last_change", last=last_effective_on.isoformat()
        )


def check_not_below(org_id: UUID, target_path: Sequence[UUID], code: str) -> None:
    """``target_path`` (root first, the target last) must not pass through
    ``org_id``: the tree stays a tree (no organisation under itself or under one
    of its own descendants)."""
    if org_id in target_path:
        raise DomainError(code)


def tree_is_a_tree(parents: Mapping[UUID, UUID | None]) -> bool:
    """Every organisation reaches a root by following its parents (no cycle)."""
    for start in parents:
        seen: set[UUID] = set()
        current: UUID | None = start
        while current is not None:
            if current in seen:
                return False
            seen.add(current)
            current = parents.get(current)
    return True


def distinct(ids: Collection[UUID], code: str, *, at_least: int) -> list[UUID]:
    """The ids in their given order; refuse repeats or too few."""
    ordered = list(dict.fromkeys(ids))
    if len(ordered) != len(ids) or len(ordered) < at_least:
        raise DomainError(code, at_least=at_least)
    return ordered


def decision_fields(decision: Decision | None) -> dict[str, Any]:
    """The decision's fields as every reorganisation event records them (None for
    a correction of the record, which no decision made)."""
    if decision is None:
        return {"decision_no": None, "effective_on": None}
    return {"decision_no": decision.number, "effective_on": decision.effective_on}


def path_as_of(
    org_id: UUID,
    parents: Mapping[UUID, UUID | None],
    successors: Mapping[UUID, Sequence[UUID]],
) -> tuple[UUID, ...]:
    """Where ``org_id``'s people stood in the tree of one day: ``parents`` is that
    day's tree (the organisations alive then), ``successors`` the successor links
    in effect by then. An organisation that had ended is followed to its
    successor (of a split, the first by id), then the
    parents up to the root; empty when it leads to no organisation of that day
    (not yet founded). Each subject lands in one place: a report rolled up by it
    never counts a moved member twice."""
    current: UUID | None = org_id
    seen: set[UUID] = set()
    while current is not None and current not in parents:
        if current in seen:
            return ()
        seen.add(current)
        following = successors.get(current, ())
        current = following[0] if following else None
    if current is None:
        return ()
    chain: list[UUID] = []
    node: UUID | None = current
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return tuple(reversed(chain))


def cell_on(cells: Sequence[tuple[str, str]], day: date) -> UUID | None:
    """A member's chi bộ on ``day`` from their chi bộ over time: ``cells`` are
    (chi bộ, valid from: ISO date, '' = since enrolled) in the order recorded;
    the last one in effect by that day, None before the first."""
    found: UUID | None = None
    for cell_id, valid_from in cells:
        if valid_from <= day.isoformat():
            found = UUID(cell_id)
    return found


def rebased(
    path: Sequence[str], at: str, onto: Sequence[str], *, keep: bool
) -> list[str]:
    """A stored path (nearest first, like a subject's) as it stands after a
    reorganisation of ``at``, one organisation on it: ``at`` and everything
    above it give way to ``onto`` (the successor's path, nearest first), or,
    with ``keep`` (a move), ``at`` stays and ``onto`` (its new parent's path)
    goes above it. The organisations below ``at`` stay as they are."""
    index = list(path).index(at)
    below = list(path[: index + 1] if keep else path[:index])
    return [*below, *onto]


PeriodsOf = Callable[[str], Sequence[Mapping[str, Any]]]
"""An organisation's (parent, name, kind, ended) rows over time, oldest first
(``valid_from``: '' = since it was recorded; ``seq``; ``decision_no``)."""

MAX_DEPTH = 32
MAX_ROUNDS = 8  # ancestors' changes gathered (a safeguard, never reached)


def _row_on(rows: Sequence[Mapping[str, Any]], day: str) -> Mapping[str, Any] | None:
    """The organisation's row in effect on ``day`` (ISO text; '' = the start)."""
    found = None
    for row in rows:
        if str(row["valid_from"]) <= day:
            found = row
    return found


def path_on(org_id: str, day: str, periods_of: PeriodsOf) -> list[tuple[str, str]]:
    """(id, name) from the root down to ``org_id`` as the tree stood on ``day``."""
    chain: list[tuple[str, str]] = []
    current: str | None = org_id
    while current and len(chain) < MAX_DEPTH:
        row = _row_on(periods_of(current), day)
        if row is None:
            break
        chain.append((current, str(row["name"])))
        current = str(row["parent_id"]) if row["parent_id"] else None
    return list(reversed(chain))


def chi_bo_over_time(
    cells: Sequence[Mapping[str, Any]], periods_of: PeriodsOf
) -> list[dict[str, Any]]:
    """A member's chi bộ and its place in the tree over time (quá trình sinh
    hoạt đảng), oldest first. ``cells`` are the member's enrolment and
    transfers (``cell_id``, ``valid_from``, ``decision_no``); a stretch also
    ends when a reorganisation decision renamed or moved the chi bộ or an
    organisation above it. Each row: ``from`` and ``until`` (ISO text, None =
    since enrolled / still), ``cell_id``, ``path`` (root first) and the
    ``decision_no`` that began it, and ``how``: ``enrolled``, ``transferred``
    (a plain transfer), ``reorganised`` (by the decision) or ``corrected`` (a
    correction of the record, which no decision made)."""
    spells: list[dict[str, Any]] = []
    for index, cell in enumerate(cells):
        start = str(cell["valid_from"])
        end = str(cells[index + 1]["valid_from"]) if index + 1 < len(cells) else None
        cell_id = str(cell["cell_id"])
        changes: dict[str, str | None] = {start: cell["decision_no"]}
        for _ in range(MAX_ROUNDS):
            found = {
                str(row["valid_from"]): row["decision_no"]
                for day in list(changes)
                for org, _name in path_on(cell_id, day, periods_of)
                for row in periods_of(org)
                if start < str(row["valid_from"])
                and (end is None or row["valid_from"] < end)
            }
            if set(found) <= set(changes):
                break
            changes.update({k: v for k, v in found.items() if k not in changes})
        for day in sorted(changes):
            path = path_on(cell_id, day, periods_of)
            if (
                spells
                and spells[-1]["cell_id"] == cell_id
                and spells[-1]["path"] == path
            ):
                continue
            if spells:
                spells[-1]["until"] = day or None
            decision = changes[day]
            how = "reorganised" if decision else "corrected"
            if day == start and not decision:
                how = "enrolled" if index == 0 else "transferred"
            spells.append(
                {
                    "from": day or None,
                    "until": end,
                    "cell_id": cell_id,
                    "path": path,
                    "decision_no": decision,
                    "how": how,
                }
            )
    return spells
