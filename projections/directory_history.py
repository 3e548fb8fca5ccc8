"""``Directory``: the tree over time — who carried on from whom (the successor
links, with their decisions), each organisation's periods (parent, name, kind,
ended) and its lifetime, and the tree as it stood on a day. Reads of the
``org_successions`` and ``org_periods`` tables of
:class:`projections.directory.Directory`.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def successions(runtime: ProjectionRuntime, org_id: UUID) -> list[dict[str, Any]]:
    """The successor links of ``org_id`` both ways (its predecessors and its
    successors), each with the decision and both organisations' names."""
    rows = runtime.query(
        "directory",
        "SELECT s.*, a.name AS predecessor_name, b.name AS successor_name "
        "FROM {org_successions} s "
        "LEFT JOIN {organisations} a ON a.org_id = s.predecessor_id "
        "LEFT JOIN {organisations} b ON b.org_id = s.successor_id "
        "WHERE s.predecessor_id = ? OR s.successor_id = ? "
        "ORDER BY s.effective_on, s.predecessor_id, s.successor_id",
        [str(org_id), str(org_id)],
    )
    return [dict(r) for r in rows]


def periods(runtime: ProjectionRuntime, org_id: UUID) -> list[dict[str, Any]]:
    """The organisation's (parent, name, kind, ended) over time, oldest first,
    with the parent's present name."""
    rows = runtime.query(
        "directory",
        "SELECT p.*, o.name AS parent_name FROM {org_periods} p "
        "LEFT JOIN {organisations} o ON o.org_id = p.parent_id "
        "WHERE p.org_id = ? ORDER BY p.valid_from, p.seq",
        [str(org_id)],
    )
    return [dict(r) for r in rows]


TREE_AS_OF_SQL = (
    "SELECT p.org_id, p.parent_id, p.name, p.kind, p.ended FROM {org_periods} p "
    "WHERE p.valid_from <= ? AND NOT EXISTS (SELECT 1 FROM {org_periods} q "
    "WHERE q.org_id = p.org_id AND q.valid_from <= ? AND (q.valid_from > "
    "p.valid_from OR (q.valid_from = p.valid_from AND q.seq > p.seq)))"
)


# Organisation ids parsed once per process (a UUID is an immutable value, so the
# cache is always right): a province's tree is read whole by every report.
@lru_cache(maxsize=16384)
def _uuid(text: str) -> UUID:
    return UUID(text)


def tree_as_of(runtime: ProjectionRuntime, day: date) -> dict[UUID, dict[str, Any]]:
    """The tree as it was on ``day`` (cây tổ chức tại ngày): each organisation
    that existed and had not ended, with its parent, name and kind that day."""
    key = day.isoformat()
    rows = runtime.query("directory", TREE_AS_OF_SQL, [key, key])
    return {
        _uuid(r["org_id"]): {
            "org_id": _uuid(r["org_id"]),
            "parent_id": _uuid(r["parent_id"]) if r["parent_id"] else None,
            "name": r["name"],
            "kind": r["kind"],
        }
        for r in rows
        if not r["ended"]
    }


def successors_as_of(runtime: ProjectionRuntime, day: date) -> dict[UUID, list[UUID]]:
    """Each predecessor's successors by the links in effect on ``day`` (by id)."""
    rows = runtime.query(
        "directory",
        "SELECT predecessor_id, successor_id FROM {org_successions} "
        "WHERE effective_on <= ? ORDER BY predecessor_id, successor_id",
        [day.isoformat()],
    )
    found: dict[UUID, list[UUID]] = {}
    for r in rows:
        following = found.setdefault(_uuid(r["predecessor_id"]), [])
        following.append(_uuid(r["successor_id"]))
    return found


def predecessor_links(runtime: ProjectionRuntime, org_id: UUID) -> list[dict[str, Any]]:
    """The organisations ``org_id`` carries on from (kế tục: merged into it or
    split into it), with how and from when (one indexed query)."""
    rows = runtime.query(
        "directory",
        "SELECT predecessor_id, how, effective_on FROM {org_successions} "
        "WHERE successor_id = ? ORDER BY effective_on, predecessor_id",
        [str(org_id)],
    )
    return [
        {
            "org_id": r["predecessor_id"],
            "how": r["how"],
            "effective_on": date.fromisoformat(r["effective_on"]),
        }
        for r in rows
    ]


def lifetime(
    runtime: ProjectionRuntime, org_id: UUID
) -> tuple[date | None, date | None]:
    """(from, until) of an organisation: the day a reorganisation decision
    founded it (None when it was recorded without one: it existed before), and
    the day it ended (merged, split or dissolved; None while it lasts)."""
    rows = runtime.query(
        "directory",
        "SELECT valid_from, ended FROM {org_periods} WHERE org_id = ? "
        "ORDER BY valid_from, seq",
        [str(org_id)],
    )
    began = rows[0]["valid_from"] if rows else ""
    ended = next((r["valid_from"] for r in rows if r["ended"]), "")
    return (
        date.fromisoformat(began) if began else None,
        date.fromisoformat(ended) if ended else None,
    )
