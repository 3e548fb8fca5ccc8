"""Who is rated in which cycle, and where does each subject stand? (``cycles``,
``subjects``)

A cycle's subjects are derived when it opens (and refreshed), one row each with
their place in the tree, their venues and deciders, and their current rating:
status, self-rating, proposal, decided level and decision. Every change of a
subject's level moves it between the buckets of :mod:`.statistics`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.cycles import ReviewCycle, deadline_level
from domain.subjects import Subject
from ledger.mapper import LedgerEvent
from projections.ratings import cycle_parts
from projections.ratings.open_items import (
    opening,
    refresh_cycle,
    refresh_later,
    subject_updated,
)
from projections.ratings.statistics import (
    Placed,
    bump,
    bump_moved,
    place_bump,
    placed_key,
    replace_placed,
)
from projections.ratings.tallies import (
    add_tallies,
    recount,
    status_moved,
    subject_tallies,
    tally,
)
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
    rows = []
    tallies: dict[tuple[str, str, str], int] = {}
    placed: dict[Placed, int] = {}
    for payload in subjects:
        s = Subject.from_payload(payload)
        row = {
            "cycle_id": cycle,
            "subject_key": s.key,
            "kind": s.kind,
            "name": s.name,
            "org_kind": s.org_kind,
            "sector": s.sector,
            "klass": s.klass,
            "appendix": s.appendix,
            "org_id": s.org_id,
            "parent_id": s.parent_id,
            "member_id": s.member_id,
            "cell_id": s.cell_id,
            "temporary_cell_id": s.temporary_cell_id,
            "exempt": s.exempt,
            "self_rates": s.self_rates,
            "proposes": s.proposes,
            "decides": s.decides,
            "venues": to_json(list(s.venues)),
            "posts": to_json(dict(s.posts)),
            "path": to_json(list(s.path)),
            "population": s.population,
            "deadline_level": deadline_level(payload),
            "round_id": None,
            "status": "exempt" if s.exempt else PENDING,
            "revisions": 0,
            "updated_at": at,
        }
        rows.append(row)
        add_tallies(tallies, subject_tallies(s.path, str(row["status"]), s.decides))
        bucket = f"exempt:{s.exempt}" if s.exempt else PENDING
        own = placed_key(row, s.path, bucket)
        placed[own] = placed.get(own, 0) + 1
        for org in s.path:
            place = (org, s.population, bucket)
            counts[place] = counts.get(place, 0) + 1
    tx.upsert_many("subjects", ["cycle_id", "subject_key"], rows)
    for (org, pop, bucket), n in counts.items():
        bump(tx, cycle, [org], pop, bucket, n)
    tally(tx, cycle, tallies)
    place_bump(tx, cycle, placed)


def subject_row(tx: Tx, cycle: str, key: str) -> dict[str, Any] | None:
    tx.execute(
        "SELECT * FROM {subjects} WHERE cycle_id = ? AND subject_key = ?",
        (cycle, key),
    )
    return tx.fetchone_dict()


def set_subject(
    tx: Tx,
    cycle: str,
    key: str,
    at: int,
    *,
    before: Mapping[str, Any] | None = None,
    **values: Any,
) -> None:
    """Set columns of a subject's row; its status tallies and open items follow.
    ``before``: the row as it stands, when the caller has just read it."""
    assignments = ", ".join(f"{k} = ?" for k in values)
    params = (*values.values(), at, cycle, key)
    if "status" not in values:
        before = None
    elif before is None and tx.postgres:
        # One statement: the row's status and path as they were, from the
        # statement's own snapshot (PostgreSQL's RETURNING names the FROM).
        tx.execute(
            "UPDATE {subjects} AS s SET "  # noqa: S608 - column names come from code
            + assignments
            + ", updated_at = ? FROM (SELECT status, path FROM {subjects} "
            "WHERE cycle_id = ? AND subject_key = ?) AS old "
            "WHERE s.cycle_id = ? AND s.subject_key = ? "
            "RETURNING old.status, old.path",
            (*params, cycle, key),
        )
        found = tx.fetchone()
        before = None if found is None else {"status": found[0], "path": found[1]}
        params = ()
    elif before is None:
        tx.execute(
            "SELECT status, path FROM {subjects} "
            "WHERE cycle_id = ? AND subject_key = ?",
            (cycle, key),
        )
        before = tx.fetchone_dict()
    if params:
        tx.execute(
            "UPDATE {subjects} SET "  # noqa: S608 - column names come from code
            + assignments
            + ", updated_at = ? WHERE cycle_id = ? AND subject_key = ?",
            params,
        )
    moved = before is not None and before["status"] != values["status"]
    if before is not None and moved:
        path = json.loads(before["path"])
        status_moved(tx, cycle, path, before["status"], values["status"])
    statuses = (before["status"], values["status"]) if before and moved else None
    subject_updated(tx, cycle, key, values, statuses)


def bucket_of(row: dict[str, Any]) -> str:
    """The statistics bucket a stored subject row is counted in."""
    if row["status"] == "exempt":
        return f"exempt:{row['exempt']}"
    return str(row["level"] or PENDING)


def drop_subject(tx: Tx, cycle: str, row: dict[str, Any]) -> None:
    """Take a stored subject row out of the counters and the table (its open
    items go with :func:`cycle_parts.subjects_removed` once the event's rows are
    in place)."""
    path = json.loads(row["path"])
    bump(tx, cycle, path, row["population"], bucket_of(row), -1)
    tally(tx, cycle, subject_tallies(path, str(row["status"]), row["decides"], by=-1))
    place_bump(tx, cycle, {placed_key(row, path, bucket_of(row)): -1})
    tx.execute(
        "DELETE FROM {subjects} WHERE cycle_id = ? AND subject_key = ?",
        (cycle, row["subject_key"]),
    )


def level_changed(
    tx: Tx, cycle: str, key: str, old: str | None, new: str | None
) -> dict[str, Any] | None:
    """The subject's counters follow its level; its row as it stood (before
    the caller's :func:`set_subject`), or None when it has none."""
    row = subject_row(tx, cycle, key)
    if row is None:
        return None
    path = json.loads(row["path"])
    bump_moved(tx, cycle, path, row["population"], old or PENDING, new or PENDING)
    moved = {placed_key(row, path, old or PENDING): -1}
    new_key = placed_key(row, path, new or PENDING)
    moved[new_key] = moved.get(new_key, 0) + 1
    place_bump(tx, cycle, moved)
    return row


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
        # A round's page a page at a time, by name then key (v12, round_pages).
        "subjects_round": ("subjects", "cycle_id, decides, name, subject_key"),
        # The cycle page and statistics: only the collectives (v10).
        "subjects_kind": ("subjects", "cycle_id, kind, subject_key"),
        # A report's deadlines: who is late or still open at a level (v10).
        "subjects_deadline": ("subjects", "cycle_id, deadline_level, decided_on"),
        # A report's re-rated subjects, without reading the others (v10).
        "subjects_revised": ("subjects", "revisions, cycle_id"),
        # A part of a cycle's subjects: who may wait for it (v10, open_items).
        "subjects_parent": ("subjects", "cycle_id, parent_id"),
        "subjects_cell": ("subjects", "cycle_id, cell_id"),
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
        refresh_later(tx, cycle)  # after the parts that follow (RatingsView.apply)

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
        if e.event.subjects:  # an earlier release's: the whole list
            self.subjects_refreshed(e, tx)

    @handles(ReviewCycle.SubjectsAdded)  # type: ignore[attr-defined]
    def subjects_added(self, e: LedgerEvent, tx: Tx) -> None:
        cycle = str(e.stream)
        insert_subjects(tx, cycle, e.event.subjects, e.notification_id)
        if opening(tx, cycle):  # a part of its opening: refreshed whole after it
            return
        cycle_parts.subjects_added(tx, cycle, [str(s["key"]) for s in e.event.subjects])

    @handles(ReviewCycle.SubjectsChanged)  # type: ignore[attr-defined]
    def subjects_changed(self, e: LedgerEvent, tx: Tx) -> None:
        """Rows added or changed, keys removed; a subject already rated keeps
        its row (as a whole-list refresh keeps it)."""
        cycle = str(e.stream)
        fresh = []
        for payload in e.event.changed:
            row = subject_row(tx, cycle, str(payload["key"]))
            if row is not None and row["status"] not in (PENDING, "exempt"):
                continue
            if row is not None:
                drop_subject(tx, cycle, row)
            fresh.append(payload)
        insert_subjects(tx, cycle, fresh, e.notification_id)
        gone = []
        for key in e.event.removed:
            row = subject_row(tx, cycle, key)
            if row is not None:
                drop_subject(tx, cycle, row)
                gone.append(key)
        cycle_parts.subjects_removed(tx, cycle, gone)
        cycle_parts.subjects_added(tx, cycle, [str(p["key"]) for p in fresh])

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
        recount(tx, cycle)
        replace_placed(tx, cycle)
        refresh_cycle(tx, cycle)

    @handles(ReviewCycle.Closed)  # type: ignore[attr-defined]
    def cycle_closed(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {cycles} SET closed = 1 WHERE cycle_id = ?", (str(e.stream),)
        )


# -- reads ------------------------------------------------------------------------
def under_pattern(org_id: UUID) -> str:
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
    rows = views.query(  # every subject on the path counts in its stats row
        "ratings",
        "SELECT DISTINCT c.year FROM {cycles} c JOIN {stats} s "
        "ON s.cycle_id = c.cycle_id WHERE c.period = 'annual' AND s.org_id = ? "
        "AND s.n != 0 ORDER BY c.year",
        [str(org_id)],
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
        [*cycle_ids, under_pattern(org_id)],
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
        [cycle_id, under_pattern(org_id)],
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


def cycles(views: ProjectionRuntime) -> list[dict[str, Any]]:
    """Every cycle (kỳ kiểm điểm), newest year first, its JSON columns decoded."""
    rows = views.query(
        "ratings", "SELECT * FROM {cycles} ORDER BY year DESC, org_name, cycle_id"
    )
    return [decode_cycle(r) for r in rows]


def cycle(views: ProjectionRuntime, cycle_id: UUID) -> dict[str, Any] | None:
    """One cycle's row, its JSON columns decoded, if the cycle is known."""
    rows = views.query(
        "ratings", "SELECT * FROM {cycles} WHERE cycle_id = ?", [str(cycle_id)]
    )
    return decode_cycle(rows[0]) if rows else None


def decode_cycle(row: dict[str, Any]) -> dict[str, Any]:
    """A cycle's row as read, its JSON columns decoded."""
    return {
        **row,
        "deadlines": json.loads(row["deadlines"]),
        "options": json.loads(row["options"]),
        "closed": bool(row["closed"]),
    }


def cycle_subjects(
    views: ProjectionRuntime,
    cycle_id: UUID,
    decides: str | None = None,
    kind: str | None = None,
    cells: bool = True,
) -> list[dict[str, Any]]:
    """The cycle's subjects (đối tượng), collectives first, then by name and key;
    with ``decides`` only those that authority decides (a round's, through the
    ``subjects_decides`` index), with ``kind`` only the collectives or the
    individuals; without ``cells`` not the chi bộ (a province's collectives
    are mostly its thousands of chi bộ: a page choosing a committee or a
    collective reads the few others)."""
    where, params = "", [str(cycle_id)]
    for column, value in (("decides", decides), ("kind", kind)):
        if value is not None:
            where += f" AND {column} = ?"
            params.append(value)
    if not cells:
        where += " AND (org_kind IS NULL OR org_kind != 'cell')"
    rows = views.query(
        "ratings",
        "SELECT * FROM {subjects} WHERE cycle_id = ?"  # noqa: S608 - fixed text
        + where
        + " ORDER BY kind DESC, name, subject_key",
        params,
    )
    return [decode_subject(r) for r in rows]


def cycle_subject(
    views: ProjectionRuntime, cycle_id: UUID, key: str
) -> dict[str, Any] | None:
    """One subject of the cycle, if it is one."""
    rows = views.query(
        "ratings",
        "SELECT * FROM {subjects} WHERE cycle_id = ? AND subject_key = ?",
        [str(cycle_id), key],
    )
    return decode_subject(rows[0]) if rows else None


def decode_subject(row: dict[str, Any]) -> dict[str, Any]:
    """A subject row, its venues, posts and path decoded."""
    out = dict(row)
    for name in ("venues", "posts", "path"):
        out[name] = json.loads(row[name])
    return out
