"""Who is rated in which cycle, and where does each subject stand? (``cycles``,
``subjects``)

A cycle's subjects are derived when it opens (and refreshed), one row each with
their place in the tree, their venues and deciders, and their current rating:
status, self-rating, proposal, decided level and decision. Every change of a
subject's level moves it between the buckets of :mod:`.statistics`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.cycles import ReviewCycle, deadline_level
from ledger.mapper import LedgerEvent
from projections.ratings.statistics import bump, population
from projections.ratings.values import PENDING, to_json
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def insert_subjects(
    tx: Tx, cycle: str, subjects: list[dict[str, Any]], at: int
) -> None:
    """One row per subject; the counters summed first and bumped once per
    organisation, population and bucket (not once per subject and level)."""
    counts: dict[tuple[str, str, str], int] = {}
    for s in subjects:
        row = {
            "cycle_id": cycle,
            "subject_key": s["key"],
            "kind": s["kind"],
            "name": s["name"],
            "org_kind": s.get("org_kind"),
            "sector": s.get("sector"),
            "klass": s["klass"],
            "appendix": s["appendix"],
            "org_id": s.get("org_id"),
            "parent_id": s.get("parent_id"),
            "member_id": s.get("member_id"),
            "cell_id": s.get("cell_id"),
            "temporary_cell_id": s.get("temporary_cell_id"),
            "exempt": s.get("exempt"),
            "self_rates": s.get("self_rates"),
            "proposes": s.get("proposes"),
            "decides": s.get("decides"),
            "venues": to_json(s["venues"]),
            "posts": to_json(s.get("posts", {})),
            "path": to_json(s.get("path", [])),
            "population": population(s),
            "deadline_level": deadline_level(s),
            "round_id": None,
            "status": "exempt" if s.get("exempt") else PENDING,
            "revisions": 0,
            "updated_at": at,
        }
        tx.upsert("subjects", ["cycle_id", "subject_key"], row)
        bucket = f"exempt:{s['exempt']}" if s.get("exempt") else PENDING
        for org in s.get("path", []):
            place = (org, population(s), bucket)
            counts[place] = counts.get(place, 0) + 1
    for (org, pop, bucket), n in counts.items():
        bump(tx, cycle, [org], pop, bucket, n)


def subject_row(tx: Tx, cycle: str, key: str) -> dict[str, Any] | None:
    tx.execute(
        "SELECT * FROM {subjects} WHERE cycle_id = ? AND subject_key = ?",
        (cycle, key),
    )
    return tx.fetchone_dict()


def set_subject(tx: Tx, cycle: str, key: str, at: int, **values: Any) -> None:
    assignments = ", ".join(f"{k} = ?" for k in values)
    tx.execute(
        "UPDATE {subjects} SET "  # noqa: S608 - column names come from code
        + assignments
        + ", updated_at = ? WHERE cycle_id = ? AND subject_key = ?",
        (*values.values(), at, cycle, key),
    )


def level_changed(
    tx: Tx, cycle: str, key: str, old: str | None, new: str | None
) -> None:
    row = subject_row(tx, cycle, key)
    if row is None:
        return
    path = json.loads(row["path"])
    bump(tx, cycle, path, row["population"], old or PENDING, -1)
    bump(tx, cycle, path, row["population"], new or PENDING, 1)


class CyclesAndSubjects(ReadModel):
    """The review cycles and each subject's current rating."""

    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "cycles": (
            "cycle_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, org_name TEXT NOT NULL, "
            "year BIGINT NOT NULL, period TEXT NOT NULL, period_no BIGINT, "
            "rulebook_id TEXT NOT NULL, reference_date TEXT NOT NULL, "
            "deadlines TEXT NOT NULL, options TEXT NOT NULL, closed INTEGER NOT NULL, "
            "opened_at BIGINT NOT NULL"
        ),
        "subjects": (
            "cycle_id TEXT NOT NULL, subject_key TEXT NOT NULL, kind TEXT NOT NULL, "
            "name TEXT NOT NULL, org_kind TEXT, klass TEXT NOT NULL, "
            "appendix TEXT NOT NULL, org_id TEXT, parent_id TEXT, member_id TEXT, "
            "cell_id TEXT, temporary_cell_id TEXT, exempt TEXT, self_rates TEXT, "
            "proposes TEXT, decides TEXT, venues TEXT NOT NULL, posts TEXT NOT NULL, "
            "path TEXT NOT NULL, population TEXT NOT NULL, "
            "deadline_level TEXT NOT NULL, round_id TEXT, status TEXT NOT NULL, "
            "self_level TEXT, score TEXT, ceiling TEXT, proposed_level TEXT, "
            "level TEXT, decision_no TEXT, decided_on TEXT, explanation TEXT, "
            "held_reason TEXT, revisions BIGINT NOT NULL, group_code TEXT, "
            "decided_at BIGINT, updated_at BIGINT NOT NULL, sector TEXT, "
            "PRIMARY KEY (cycle_id, subject_key)"
        ),
    }
    indexes = {  # noqa: RUF012
        "subjects_key": ("subjects", "subject_key"),
        "subjects_member": ("subjects", "member_id"),
        # The to-do lists: a cycle's subjects waiting at one status (v7).
        "subjects_status": ("subjects", "cycle_id, status, subject_key"),
        # A round's page: the subjects its authority decides (v8).
        "subjects_decides": ("subjects", "cycle_id, decides, subject_key"),
    }

    @handles(ReviewCycle.Opened)  # type: ignore[attr-defined]
    def cycle_opened(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        cycle = str(e.stream)
        tx.upsert(
            "cycles",
            ["cycle_id"],
            {
                "cycle_id": cycle,
                "org_id": str(ev.org_id),
                "org_name": ev.org_name,
                "year": ev.year,
                "period": ev.period,
                "period_no": ev.period_no,
                "rulebook_id": ev.rulebook_id,
                "reference_date": ev.reference_date.isoformat(),
                "deadlines": to_json(ev.deadlines),
                "options": to_json(ev.options),
                "closed": 0,
                "opened_at": e.notification_id,
            },
        )
        insert_subjects(tx, cycle, ev.subjects, e.notification_id)

    @handles(ReviewCycle.DeadlineSet)  # type: ignore[attr-defined]
    def deadline_set(self, e: LedgerEvent, tx: Tx) -> None:
        raw = tx.scalar(
            "SELECT deadlines FROM {cycles} WHERE cycle_id = ?", (str(e.stream),)
        )
        items = [
            d
            for d in json.loads(str(raw))
            if (d["level"], d["milestone"]) != (e.event.level, e.event.milestone)
        ]
        items.append(
            {
                "level": e.event.level,
                "milestone": e.event.milestone,
                "due": e.event.due.isoformat(),
            }
        )
        items.sort(key=lambda d: (d["due"], d["level"], d["milestone"]))
        tx.execute(
            "UPDATE {cycles} SET deadlines = ? WHERE cycle_id = ?",
            (to_json(items), str(e.stream)),
        )

    @handles(ReviewCycle.CombinedConferenceSet)  # type: ignore[attr-defined]
    def combined_set(self, e: LedgerEvent, tx: Tx) -> None:
        raw = tx.scalar(
            "SELECT options FROM {cycles} WHERE cycle_id = ?", (str(e.stream),)
        )
        options = {**json.loads(str(raw)), "combined": e.event.combined}
        tx.execute(
            "UPDATE {cycles} SET options = ? WHERE cycle_id = ?",
            (to_json(options), str(e.stream)),
        )
        self.subjects_refreshed(e, tx)

    @handles(ReviewCycle.SubjectsRefreshed)  # type: ignore[attr-defined]
    def subjects_refreshed(self, e: LedgerEvent, tx: Tx) -> None:
        cycle = str(e.stream)
        keep = {}
        tx.execute(
            "SELECT * FROM {subjects} WHERE cycle_id = ? AND status != ?",
            (cycle, PENDING),
        )
        for row in tx.fetchall_dicts():
            keep[row["subject_key"]] = row
        tx.execute("DELETE FROM {subjects} WHERE cycle_id = ?", (cycle,))
        tx.execute("DELETE FROM {stats} WHERE cycle_id = ?", (cycle,))
        insert_subjects(tx, cycle, e.event.subjects, e.notification_id)
        for key, row in keep.items():
            current = subject_row(tx, cycle, key)
            if current is None or row["status"] == "exempt":
                continue
            tx.upsert("subjects", ["cycle_id", "subject_key"], row)
            path = json.loads(row["path"])
            bump(tx, cycle, path, row["population"], PENDING, -1)
            bucket = row["level"] or PENDING
            bump(tx, cycle, path, row["population"], bucket, 1)

    @handles(ReviewCycle.Closed)  # type: ignore[attr-defined]
    def cycle_closed(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {cycles} SET closed = 1 WHERE cycle_id = ?", (str(e.stream),)
        )


# -- reads ------------------------------------------------------------------------
def _under(org_id: UUID) -> str:
    """A LIKE pattern for a subject whose path names the organisation."""
    return f'%"{org_id}"%'


def annual_cycles(
    views: ProjectionRuntime, year: int | None = None
) -> list[dict[str, Any]]:
    """The annual cycles (of one year), their deadlines decoded."""
    sql = "SELECT * FROM {cycles} WHERE period = 'annual'"
    params: list[Any] = []
    if year is not None:
        sql += " AND year = ?"
        params.append(year)
    rows = views.query("ratings", sql + " ORDER BY year, org_name, cycle_id", params)
    return [
        {**r, "deadlines": json.loads(r["deadlines"]), "closed": bool(r["closed"])}
        for r in rows
    ]


def annual_years(views: ProjectionRuntime, org_id: UUID) -> list[int]:
    """The years with an annual cycle that has subjects in or under ``org_id``."""
    rows = views.query(
        "ratings",
        "SELECT DISTINCT c.year FROM {cycles} c JOIN {subjects} s "
        "ON s.cycle_id = c.cycle_id WHERE c.period = 'annual' AND s.path LIKE ? "
        "ORDER BY c.year",
        [_under(org_id)],
    )
    return [int(r["year"]) for r in rows]


def subjects_under(
    views: ProjectionRuntime, cycle_ids: Sequence[str], org_id: UUID
) -> list[dict[str, Any]]:
    """The subjects of these cycles in and under ``org_id``, their path and posts
    decoded, by cycle and key."""
    if not cycle_ids:
        return []
    marks = ", ".join("?" for _ in cycle_ids)
    rows = views.query(
        "ratings",
        "SELECT * FROM {subjects} WHERE cycle_id IN ("  # noqa: S608 - marks only
        + marks
        + ") AND path LIKE ? ORDER BY cycle_id, subject_key",
        [*cycle_ids, _under(org_id)],
    )
    found = []
    for row in rows:
        path = json.loads(row["path"])
        if str(org_id) in path:
            found.append({**row, "path": path, "posts": json.loads(row["posts"])})
    return found


def subjects_of_cycles(
    views: ProjectionRuntime, cycle_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """Every subject of these cycles, their path and posts decoded, by cycle and
    key (a report on another day's tree places each one itself)."""
    if not cycle_ids:
        return []
    marks = ", ".join("?" for _ in cycle_ids)
    rows = views.query(
        "ratings",
        "SELECT * FROM {subjects} WHERE cycle_id IN ("  # noqa: S608 - marks only
        + marks
        + ") ORDER BY cycle_id, subject_key",
        list(cycle_ids),
    )
    return [
        {**row, "path": json.loads(row["path"]), "posts": json.loads(row["posts"])}
        for row in rows
    ]


def cycle_covers(views: ProjectionRuntime, cycle_id: str, org_id: UUID) -> bool:
    """Whether the cycle has a subject in or under ``org_id``."""
    found = views.query(
        "ratings",
        "SELECT subject_key FROM {subjects} WHERE cycle_id = ? AND path LIKE ? LIMIT 1",
        [cycle_id, _under(org_id)],
    )
    return bool(found)


def subject_of_cycle(
    views: ProjectionRuntime, cycle_id: UUID, key: str
) -> dict[str, Any] | None:
    """The subject's row with its cycle's year, organisation and rulebook."""
    rows = views.query(
        "ratings",
        "SELECT s.*, c.year, c.org_name, c.rulebook_id FROM {subjects} s "
        "JOIN {cycles} c ON c.cycle_id = s.cycle_id "
        "WHERE s.cycle_id = ? AND s.subject_key = ?",
        [str(cycle_id), key],
    )
    return rows[0] if rows else None


def is_subject(views: ProjectionRuntime, cycle_id: UUID, member_id: UUID) -> bool:
    """Whether the member is one of the cycle's subjects."""
    rows = views.query(
        "ratings",
        "SELECT 1 AS one FROM {subjects} WHERE cycle_id = ? AND member_id = ?",
        [str(cycle_id), str(member_id)],
    )
    return bool(rows)
