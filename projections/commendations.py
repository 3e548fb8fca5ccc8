"""``commendations``: each subject's decided annual level per year (the input of
``consecutive_years(subject, HTXSNV)``) and the awards granted.

Answers: what was this subject rated in each year (``years``), who is in which
annual cycle and where (``subjects``), and which awards were decided
(``awards``). Streaks and proposals are computed by the reader from ``years``
with :func:`domain.commendations.consecutive_years`. Handlers depend only on the
event and the view's rows (ledger.md §9.1).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from domain.commendations import Commendation
from domain.cycles import ReviewCycle
from domain.ratings import RatingRound
from domain.subjects import Subject
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class CommendationHistory(ReadModel):
    name = "commendations"
    version = 1
    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "cycles": (
            "cycle_id TEXT PRIMARY KEY, year BIGINT NOT NULL, period TEXT NOT NULL"
        ),
        "rounds": "round_id TEXT PRIMARY KEY, cycle_id TEXT NOT NULL",
        "subjects": (
            "cycle_id TEXT NOT NULL, subject_key TEXT NOT NULL, kind TEXT NOT NULL, "
            "name TEXT NOT NULL, klass TEXT NOT NULL, member_id TEXT, "
            "place_id TEXT, path TEXT NOT NULL, "
            "PRIMARY KEY (cycle_id, subject_key)"
        ),
        "years": (
            "subject_key TEXT NOT NULL, year BIGINT NOT NULL, cycle_id TEXT NOT NULL, "
            "level TEXT, decision_no TEXT, decided_on TEXT, position BIGINT NOT NULL, "
            "PRIMARY KEY (subject_key, year)"
        ),
        "awards": (
            "award_id TEXT PRIMARY KEY, subject_key TEXT NOT NULL, "
            "subject_name TEXT NOT NULL, kind TEXT NOT NULL, year BIGINT NOT NULL, "
            "basis TEXT NOT NULL, awarding_level TEXT NOT NULL, "
            "awarding_org_id TEXT NOT NULL, awarding_org_name TEXT NOT NULL, "
            "decision_no TEXT NOT NULL, decided_on TEXT NOT NULL, "
            "granted_by TEXT NOT NULL, position BIGINT NOT NULL"
        ),
    }
    indexes = {  # noqa: RUF012
        "awards_subject": ("awards", "subject_key, year"),
        "years_year": ("years", "year, level"),
    }

    def _subjects(self, tx: Tx, cycle: str, subjects: list[dict[str, Any]]) -> None:
        tx.upsert_many(
            "subjects",
            ["cycle_id", "subject_key"],
            [
                {
                    "cycle_id": cycle,
                    "subject_key": s.key,
                    "kind": s.kind,
                    "name": s.name,
                    "klass": s.klass,
                    "member_id": s.member_id,
                    "place_id": s.cell_id or s.org_id,
                    "path": _json(list(s.path)),
                }
                for s in map(Subject.from_payload, subjects)
            ],
        )

    @handles(ReviewCycle.Opened)  # type: ignore[attr-defined]
    def cycle_opened(self, e: LedgerEvent, tx: Tx) -> None:
        cycle = str(e.stream)
        tx.upsert(
            "cycles",
            ["cycle_id"],
            {"cycle_id": cycle, "year": e.event.year, "period": e.event.period},
        )
        self._subjects(tx, cycle, e.event.subjects)

    @handles(ReviewCycle.SubjectsRefreshed)  # type: ignore[attr-defined]
    def subjects_refreshed(self, e: LedgerEvent, tx: Tx) -> None:
        self._subjects(tx, str(e.stream), e.event.subjects)

    @handles(ReviewCycle.SubjectsAdded)  # type: ignore[attr-defined]
    def subjects_added(self, e: LedgerEvent, tx: Tx) -> None:
        self._subjects(tx, str(e.stream), e.event.subjects)

    @handles(ReviewCycle.SubjectsChanged)  # type: ignore[attr-defined]
    def subjects_changed(self, e: LedgerEvent, tx: Tx) -> None:
        cycle = str(e.stream)
        self._subjects(tx, cycle, e.event.changed)
        for key in e.event.removed:
            tx.execute(
                "DELETE FROM {subjects} WHERE cycle_id = ? AND subject_key = ?",
                (cycle, key),
            )

    @handles(RatingRound.Opened)  # type: ignore[attr-defined]
    def round_opened(self, e: LedgerEvent, tx: Tx) -> None:
        tx.upsert(
            "rounds",
            ["round_id"],
            {"round_id": str(e.stream), "cycle_id": str(e.event.cycle_id)},
        )

    def _annual_cycle(self, tx: Tx, round_id: str) -> tuple[str, int] | None:
        tx.execute(
            "SELECT c.cycle_id, c.year, c.period FROM {rounds} r JOIN {cycles} c "
            "ON c.cycle_id = r.cycle_id WHERE r.round_id = ?",
            (round_id,),
        )
        row = tx.fetchone_dict()
        if row is None or row["period"] != "annual":
            return None
        return str(row["cycle_id"]), int(row["year"])

    @handles(
        RatingRound.RatingDecided,
        RatingRound.RatingRevised,
    )
    def decided(self, e: LedgerEvent, tx: Tx) -> None:
        found = self._annual_cycle(tx, str(e.stream))
        if found is None:
            return
        cycle, year = found
        tx.upsert(
            "years",
            ["subject_key", "year"],
            {
                "subject_key": e.event.subject_key,
                "year": year,
                "cycle_id": cycle,
                "level": e.event.level,
                "decision_no": e.event.decision_no,
                "decided_on": e.event.decided_on.isoformat(),
                "position": e.notification_id,
            },
        )

    @handles(RatingRound.RatingCancelled)  # type: ignore[attr-defined]
    def cancelled(self, e: LedgerEvent, tx: Tx) -> None:
        found = self._annual_cycle(tx, str(e.stream))
        if found is None:
            return
        cycle, year = found
        tx.execute(
            "UPDATE {years} SET level = NULL, decision_no = NULL, decided_on = NULL, "
            "position = ? WHERE subject_key = ? AND year = ? AND cycle_id = ?",
            (e.notification_id, e.event.subject_key, year, cycle),
        )

    @handles(Commendation.AwardGranted)  # type: ignore[attr-defined]
    def granted(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "awards",
            ["award_id"],
            {
                "award_id": str(e.stream),
                "subject_key": ev.subject_key,
                "subject_name": ev.subject_name,
                "kind": ev.kind,
                "year": ev.year,
                "basis": _json(ev.basis),
                "awarding_level": ev.awarding_level,
                "awarding_org_id": str(ev.awarding_org_id),
                "awarding_org_name": ev.awarding_org_name,
                "decision_no": ev.decision_no,
                "decided_on": ev.decided_on.isoformat(),
                "granted_by": ev.granted_by,
                "position": e.notification_id,
            },
        )


# -- reads ------------------------------------------------------------------------
def decided_years(views: ProjectionRuntime, subject_key: str) -> list[dict[str, Any]]:
    """The subject's years with a decided annual level (the rating history), in
    order."""
    return views.query(
        "commendations",
        "SELECT * FROM {years} WHERE subject_key = ? AND level IS NOT NULL "
        "ORDER BY year",
        [subject_key],
    )


def annual_subject(
    views: ProjectionRuntime, subject_key: str, year: int
) -> dict[str, Any] | None:
    """The subject as rated in the annual cycle(s) of ``year`` (the first by
    cycle id), its ``path`` decoded."""
    rows = views.query(
        "commendations",
        "SELECT s.* FROM {subjects} s JOIN {cycles} c ON c.cycle_id = s.cycle_id "
        "WHERE s.subject_key = ? AND c.year = ? AND c.period = 'annual' "
        "ORDER BY s.cycle_id",
        [subject_key, year],
    )
    if not rows:
        return None
    return {**rows[0], "path": json.loads(rows[0]["path"])}


def awards(views: ProjectionRuntime, year: int | None = None) -> list[dict[str, Any]]:
    """The awards (khen thưởng) recorded (of one year), latest year first, then
    by subject name and kind (``basis`` still JSON text)."""
    sql, params = "SELECT * FROM {awards}", []
    if year is not None:
        sql, params = sql + " WHERE year = ?", [year]
    return views.query(
        "commendations", sql + " ORDER BY year DESC, subject_name, kind", params
    )


def excellent_members(views: ProjectionRuntime, year: int) -> list[dict[str, Any]]:
    """The members decided HTXSNV in ``year``: ``subject_key``, ``name``,
    ``path`` (JSON text), ``place_id``, by name and key."""
    return views.query(
        "commendations",
        "SELECT y.subject_key, s.name, s.path, s.place_id FROM {years} y "
        "JOIN {subjects} s ON s.cycle_id = y.cycle_id "
        "AND s.subject_key = y.subject_key "
        "WHERE y.year = ? AND y.level = 'HTXSNV' AND s.kind = 'individual' "
        "ORDER BY s.name, y.subject_key",
        [year],
    )
