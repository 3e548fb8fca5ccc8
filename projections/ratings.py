"""``ratings``: review cycles, each subject's current rating, review timelines,
peer groups and statistics by level rolled up through the tree (issue 3).

Answers: what is the current rating of each subject in a cycle (``subjects``),
what happened in a subject's review and rating (``timeline``), how many are rated
at each level in each organisation including everything under it (``stats``: one
row per cycle, organisation, population and level or exempt reason; the counts
are integers, percentages are computed exactly by the reader), which reviews were
held (``reviews``), the peer groups of the quota (``groups``) and the discipline
records (``disciplines``) that may call a decision into question.

Handlers depend only on the event and the view's rows (ledger.md §9.1).
"""

from __future__ import annotations

import json
from typing import Any

from domain.criteria import CriteriaRefinement
from domain.cycles import ReviewCycle, deadline_level
from domain.evaluation import show
from domain.members import PartyMember
from domain.ratings import RatingRound
from domain.rereviews import ReReviewOrder, covers_rating, covers_review
from domain.reviews import Review
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx

PENDING = "pending"


def population(subject: dict[str, Any]) -> str:
    """The statistics population of a subject (domain.md §8)."""
    if subject["kind"] == "individual":
        return "leaders" if subject["klass"] == "leader" else "members"
    if subject["org_kind"] == "leadership_collective":
        return "leadership_collectives"
    return "party_orgs"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class RatingsView(ReadModel):
    name = "ratings"
    version = 6
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
        "rounds": (
            "round_id TEXT PRIMARY KEY, cycle_id TEXT NOT NULL, "
            "authority_org_id TEXT NOT NULL, authority_name TEXT NOT NULL, "
            "rulebook_id TEXT NOT NULL, opened_at BIGINT NOT NULL"
        ),
        "groups": (
            "round_id TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, "
            "ratio_pct BIGINT NOT NULL, justification TEXT, members TEXT NOT NULL, "
            "PRIMARY KEY (round_id, code)"
        ),
        "reviews": (
            "review_id TEXT PRIMARY KEY, cycle_id TEXT NOT NULL, "
            "subject_key TEXT NOT NULL, venue_id TEXT NOT NULL, report_on TEXT, "
            "self_review_form TEXT, comments BIGINT NOT NULL, "
            "suggestions BIGINT NOT NULL, opinions BIGINT NOT NULL, "
            "residence_comment INTEGER NOT NULL, temporary_comment INTEGER NOT NULL, "
            "held_on TEXT, conclusion TEXT, opened_at BIGINT NOT NULL, "
            "redo_order_id TEXT, redone BIGINT NOT NULL DEFAULT 0"
        ),
        # Criteria refined by a province or unit (366 Điều 10), from a year on.
        "criteria": (
            "refinement_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, "
            "org_name TEXT NOT NULL, appendix TEXT NOT NULL, "
            "from_year BIGINT NOT NULL, items TEXT NOT NULL, actor TEXT NOT NULL, "
            "defined_at BIGINT NOT NULL"
        ),
        # Re-review orders (§5.4): what is still to be redone, and by when.
        "orders": (
            "order_id TEXT PRIMARY KEY, cycle_id TEXT NOT NULL, "
            "subject_key TEXT NOT NULL, subject_name TEXT NOT NULL, "
            "number BIGINT NOT NULL, scope TEXT NOT NULL, reason TEXT NOT NULL, "
            "deadline TEXT NOT NULL, ordered_on TEXT NOT NULL, "
            "ordering_org_id TEXT, chair_responsibility INTEGER NOT NULL, "
            "actor TEXT NOT NULL, superseded TEXT NOT NULL, "
            "reviews_open BIGINT NOT NULL, rating_open INTEGER NOT NULL, "
            "ordered_at BIGINT NOT NULL, done_at BIGINT"
        ),
        "timeline": (
            "cycle_id TEXT NOT NULL, subject_key TEXT NOT NULL, "
            "position BIGINT NOT NULL, step TEXT NOT NULL, venue_id TEXT, "
            "actor TEXT NOT NULL, on_date TEXT, detail TEXT NOT NULL, "
            "PRIMARY KEY (cycle_id, subject_key, position)"
        ),
        "stats": (
            "cycle_id TEXT NOT NULL, org_id TEXT NOT NULL, population TEXT NOT NULL, "
            "bucket TEXT NOT NULL, n BIGINT NOT NULL, "
            "PRIMARY KEY (cycle_id, org_id, population, bucket)"
        ),
        "facts": (
            "member_id TEXT NOT NULL, position BIGINT NOT NULL, kind TEXT NOT NULL, "
            "actor TEXT NOT NULL, detail TEXT NOT NULL, "
            "PRIMARY KEY (member_id, position)"
        ),
        "disciplines": (
            "member_id TEXT NOT NULL, discipline_id TEXT NOT NULL, "
            "level TEXT NOT NULL, duty_related INTEGER NOT NULL, "
            "decided_on TEXT NOT NULL, reference TEXT NOT NULL, "
            "recorded_at BIGINT NOT NULL, conduct_org_id TEXT, "
            "PRIMARY KEY (member_id, discipline_id)"
        ),
        # What opening a cycle reads of each member (domain.subjects.MemberNode),
        # by chi bộ: no member aggregate is loaded to derive the subjects.
        "roster": (
            "member_id TEXT PRIMARY KEY, full_name TEXT NOT NULL, "
            "cell_id TEXT NOT NULL, admission_date TEXT NOT NULL, "
            "posts TEXT NOT NULL, exemptions TEXT NOT NULL, "
            "outside_political_system INTEGER NOT NULL, temporary_cell_id TEXT"
        ),
    }
    indexes = {  # noqa: RUF012
        "roster_cell": ("roster", "cell_id"),
        "subjects_key": ("subjects", "subject_key"),
        "subjects_member": ("subjects", "member_id"),
        "disciplines_conduct": ("disciplines", "conduct_org_id"),
        "timeline_cycle": ("timeline", "cycle_id, position"),
        "orders_subject": ("orders", "cycle_id, subject_key"),
    }

    # -- helpers ----
    @staticmethod
    def _bump(
        tx: Tx, cycle: str, path: list[str], pop: str, bucket: str, by: int
    ) -> None:
        for org in path:
            tx.execute(
                "INSERT INTO {stats} (cycle_id, org_id, population, bucket, n) "
                "VALUES (?, ?, ?, ?, 0) ON CONFLICT (cycle_id, org_id, population, "
                "bucket) DO NOTHING",
                (cycle, org, pop, bucket),
            )
            tx.execute(
                "UPDATE {stats} SET n = n + ? WHERE cycle_id = ? AND org_id = ? "
                "AND population = ? AND bucket = ?",
                (by, cycle, org, pop, bucket),
            )

    def _insert_subjects(
        self, tx: Tx, cycle: str, subjects: list[dict[str, Any]], at: int
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
                "venues": _json(s["venues"]),
                "posts": _json(s.get("posts", {})),
                "path": _json(s.get("path", [])),
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
            self._bump(tx, cycle, [org], pop, bucket, n)

    def _subject(self, tx: Tx, cycle: str, key: str) -> dict[str, Any] | None:
        tx.execute(
            "SELECT * FROM {subjects} WHERE cycle_id = ? AND subject_key = ?",
            (cycle, key),
        )
        return tx.fetchone_dict()

    def _cycle_of_round(self, tx: Tx, round_id: str) -> str:
        cycle = tx.scalar(
            "SELECT cycle_id FROM {rounds} WHERE round_id = ?", (round_id,)
        )
        return str(cycle)

    def _set(self, tx: Tx, cycle: str, key: str, at: int, **values: Any) -> None:
        assignments = ", ".join(f"{k} = ?" for k in values)
        tx.execute(
            "UPDATE {subjects} SET "  # noqa: S608 - column names come from code
            + assignments
            + ", updated_at = ? WHERE cycle_id = ? AND subject_key = ?",
            (*values.values(), at, cycle, key),
        )

    def _log(
        self,
        tx: Tx,
        e: LedgerEvent,
        cycle: str,
        key: str,
        step: str,
        detail: dict[str, Any],
        venue: str | None = None,
        on: Any = None,
    ) -> None:
        tx.upsert(
            "timeline",
            ["cycle_id", "subject_key", "position"],
            {
                "cycle_id": cycle,
                "subject_key": key,
                "position": e.notification_id,
                "step": step,
                "venue_id": venue,
                "actor": e.actor,
                "on_date": on.isoformat() if on is not None else None,
                "detail": _json(detail),
            },
        )

    # -- cycles ----
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
                "deadlines": _json(ev.deadlines),
                "options": _json(ev.options),
                "closed": 0,
                "opened_at": e.notification_id,
            },
        )
        self._insert_subjects(tx, cycle, ev.subjects, e.notification_id)

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
            (_json(items), str(e.stream)),
        )

    @handles(ReviewCycle.CombinedConferenceSet)  # type: ignore[attr-defined]
    def combined_set(self, e: LedgerEvent, tx: Tx) -> None:
        raw = tx.scalar(
            "SELECT options FROM {cycles} WHERE cycle_id = ?", (str(e.stream),)
        )
        options = {**json.loads(str(raw)), "combined": e.event.combined}
        tx.execute(
            "UPDATE {cycles} SET options = ? WHERE cycle_id = ?",
            (_json(options), str(e.stream)),
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
        self._insert_subjects(tx, cycle, e.event.subjects, e.notification_id)
        for key, row in keep.items():
            current = self._subject(tx, cycle, key)
            if current is None or row["status"] == "exempt":
                continue
            tx.upsert("subjects", ["cycle_id", "subject_key"], row)
            path = json.loads(row["path"])
            self._bump(tx, cycle, path, row["population"], PENDING, -1)
            bucket = row["level"] or PENDING
            self._bump(tx, cycle, path, row["population"], bucket, 1)

    @handles(ReviewCycle.Closed)  # type: ignore[attr-defined]
    def cycle_closed(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {cycles} SET closed = 1 WHERE cycle_id = ?", (str(e.stream),)
        )

    # -- reviews ----
    @handles(Review.Opened)  # type: ignore[attr-defined]
    def review_opened(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        cycle = str(ev.cycle_id)
        tx.upsert(
            "reviews",
            ["review_id"],
            {
                "review_id": str(e.stream),
                "cycle_id": cycle,
                "subject_key": ev.subject_key,
                "venue_id": ev.venue_id,
                "comments": 0,
                "suggestions": 0,
                "opinions": 0,
                "residence_comment": 0,
                "temporary_comment": 0,
                "opened_at": e.notification_id,
            },
        )
        self._log(tx, e, cycle, ev.subject_key, "review_opened", {}, ev.venue_id)

    def _review(self, tx: Tx, e: LedgerEvent) -> dict[str, Any]:
        tx.execute("SELECT * FROM {reviews} WHERE review_id = ?", (str(e.stream),))
        row = tx.fetchone_dict()
        assert row is not None  # noqa: S101 - Opened is always first in the stream
        return row

    def _review_step(
        self,
        e: LedgerEvent,
        tx: Tx,
        step: str,
        detail: dict[str, Any],
        on: Any = None,
        **changes: Any,
    ) -> None:
        row = self._review(tx, e)
        if changes:
            assignments = ", ".join(f"{k} = {v}" for k, v in changes.items())
            tx.execute(
                "UPDATE {reviews} SET "  # noqa: S608 - assignments come from code
                + assignments
                + " WHERE review_id = ?",
                (str(e.stream),),
            )
        self._log(
            tx,
            e,
            row["cycle_id"],
            row["subject_key"],
            step,
            detail,
            row["venue_id"],
            on,
        )

    @handles(Review.CollectiveReportCirculated)  # type: ignore[attr-defined]
    def report(self, e: LedgerEvent, tx: Tx) -> None:
        self._review_step(
            e,
            tx,
            "report_circulated",
            {"summary": e.event.summary},
            e.event.circulated_on,
        )
        tx.execute(
            "UPDATE {reviews} SET report_on = ? WHERE review_id = ?",
            (e.event.circulated_on.isoformat(), str(e.stream)),
        )

    @handles(Review.SelfReviewSubmitted)  # type: ignore[attr-defined]
    def self_review(self, e: LedgerEvent, tx: Tx) -> None:
        self._review_step(
            e, tx, "self_review", {"form": e.event.form, "sections": e.event.sections}
        )
        tx.execute(
            "UPDATE {reviews} SET self_review_form = ? WHERE review_id = ?",
            (e.event.form, str(e.stream)),
        )

    @handles(Review.CommentAdded)  # type: ignore[attr-defined]
    def comment(self, e: LedgerEvent, tx: Tx) -> None:
        self._review_step(
            e,
            tx,
            "comment",
            {"author_member_id": str(e.event.author_member_id), "text": e.event.text},
            comments="comments + 1",
        )

    @handles(Review.SuggestionIssued)  # type: ignore[attr-defined]
    def suggestion(self, e: LedgerEvent, tx: Tx) -> None:
        self._review_step(
            e,
            tx,
            "suggestion",
            {"issuer_org_id": str(e.event.issuer_org_id), "text": e.event.text},
            suggestions="suggestions + 1",
        )

    @handles(Review.EvaluatorOpinionRecorded)  # type: ignore[attr-defined]
    def opinion(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        self._review_step(
            e,
            tx,
            "opinion",
            {
                "evaluator_kind": ev.evaluator_kind,
                "evaluator": ev.evaluator,
                "proposed_level": ev.proposed_level,
                "text": ev.text,
            },
            opinions="opinions + 1",
        )

    @handles(Review.ResidenceCommentRecorded)  # type: ignore[attr-defined]
    def residence(self, e: LedgerEvent, tx: Tx) -> None:
        self._review_step(
            e, tx, "residence_comment", {"text": e.event.text}, residence_comment="1"
        )

    @handles(Review.TemporaryCellCommentRecorded)  # type: ignore[attr-defined]
    def temporary(self, e: LedgerEvent, tx: Tx) -> None:
        self._review_step(
            e,
            tx,
            "temporary_cell_comment",
            {"cell_id": str(e.event.cell_id), "text": e.event.text},
            temporary_comment="1",
        )

    @handles(Review.MeetingHeld)  # type: ignore[attr-defined]
    def meeting(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        order = self._review(tx, e)["redo_order_id"]
        if order is not None:
            tx.execute(
                "UPDATE {orders} SET reviews_open = reviews_open - 1 "
                "WHERE order_id = ? AND reviews_open > 0",
                (order,),
            )
            tx.execute(
                "UPDATE {reviews} SET redo_order_id = NULL, redone = redone + 1 "
                "WHERE review_id = ?",
                (str(e.stream),),
            )
            self._order_done(tx, order, e.notification_id)
        self._review_step(
            e,
            tx,
            "meeting",
            {
                "attendees": ev.attendees,
                "minutes": ev.minutes,
                "conclusion": ev.conclusion,
            },
            ev.held_on,
        )
        tx.execute(
            "UPDATE {reviews} SET held_on = ?, conclusion = ? WHERE review_id = ?",
            (ev.held_on.isoformat(), ev.conclusion, str(e.stream)),
        )

    # -- rating rounds ----
    @handles(RatingRound.Opened)  # type: ignore[attr-defined]
    def round_opened(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "rounds",
            ["round_id"],
            {
                "round_id": str(e.stream),
                "cycle_id": str(ev.cycle_id),
                "authority_org_id": str(ev.authority_org_id),
                "authority_name": ev.authority_name,
                "rulebook_id": ev.rulebook_id,
                "opened_at": e.notification_id,
            },
        )

    @handles(RatingRound.PeerGroupDefined)  # type: ignore[attr-defined]
    def group_defined(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        rid = str(e.stream)
        cycle = self._cycle_of_round(tx, rid)
        tx.upsert(
            "groups",
            ["round_id", "code"],
            {
                "round_id": rid,
                "code": ev.code,
                "name": ev.name,
                "ratio_pct": ev.ratio_pct,
                "justification": None,
                "members": _json(list(ev.members)),
            },
        )
        for key in ev.members:
            self._set(tx, cycle, key, e.notification_id, group_code=ev.code)

    @handles(RatingRound.QuotaExceptionGranted)  # type: ignore[attr-defined]
    def exception(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {groups} SET ratio_pct = ?, justification = ? "
            "WHERE round_id = ? AND code = ?",
            (e.event.ratio_pct, e.event.justification, str(e.stream), e.event.code),
        )

    def _round_subject(self, e: LedgerEvent, tx: Tx) -> tuple[str, str]:
        cycle = self._cycle_of_round(tx, str(e.stream))
        return cycle, e.event.subject_key

    @handles(RatingRound.SelfRated)
    def self_rated(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        ev = e.event
        score = show(ev.score) if ev.score is not None else None
        self._set(
            tx,
            cycle,
            key,
            e.notification_id,
            round_id=str(e.stream),
            status="self_rated",
            self_level=ev.assessment["level"],
            score=score,
            ceiling=ev.ceiling,
            proposed_level=None,
        )
        self._log(
            tx,
            e,
            cycle,
            key,
            "self_rated",
            {
                "assessment": ev.assessment,
                "score": score,
                "open_questions": ev.open_questions,
            },
        )

    @handles(RatingRound.RatingProposed)
    def proposed(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        self._set(
            tx,
            cycle,
            key,
            e.notification_id,
            status="proposed",
            proposed_level=e.event.level,
        )
        self._log(
            tx,
            e,
            cycle,
            key,
            "proposed",
            {
                "level": e.event.level,
                "note": e.event.note,
                "open_questions": e.event.open_questions,
            },
        )

    @handles(RatingRound.RatingHeldForVerification)  # type: ignore[attr-defined]
    def held(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        self._set(tx, cycle, key, e.notification_id, held_reason=e.event.reason)
        self._log(
            tx, e, cycle, key, "held", {"reason": e.event.reason, "note": e.event.note}
        )

    @handles(RatingRound.VerificationConcluded)  # type: ignore[attr-defined]
    def released(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        self._set(tx, cycle, key, e.notification_id, held_reason=None)
        self._log(tx, e, cycle, key, "released", {"finding": e.event.finding})

    @handles(RatingRound.TriggerMitigationDecided)  # type: ignore[attr-defined]
    def mitigation(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        ev = e.event
        self._log(
            tx,
            e,
            cycle,
            key,
            "mitigation",
            {
                "trigger": ev.trigger,
                "mitigated": ev.mitigated,
                "justification": ev.justification,
            },
        )

    def _level_changed(
        self, tx: Tx, cycle: str, key: str, old: str | None, new: str | None
    ) -> None:
        row = self._subject(tx, cycle, key)
        if row is None:
            return
        path = json.loads(row["path"])
        self._bump(tx, cycle, path, row["population"], old or PENDING, -1)
        self._bump(tx, cycle, path, row["population"], new or PENDING, 1)

    @handles(RatingRound.RatingDecided)
    def decided(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        ev = e.event
        tx.execute(
            "SELECT order_id FROM {orders} WHERE cycle_id = ? AND subject_key = ? "
            "AND rating_open = 1",
            (cycle, key),
        )
        for row in tx.fetchall_dicts():
            tx.execute(
                "UPDATE {orders} SET rating_open = 0 WHERE order_id = ?",
                (row["order_id"],),
            )
            self._order_done(tx, row["order_id"], e.notification_id)
        self._level_changed(tx, cycle, key, None, ev.level)
        self._set(
            tx,
            cycle,
            key,
            e.notification_id,
            round_id=str(e.stream),
            status="decided",
            level=ev.level,
            decision_no=ev.decision_no,
            decided_on=ev.decided_on.isoformat(),
            explanation=ev.explanation,
            decided_at=e.notification_id,
        )
        self._log(
            tx,
            e,
            cycle,
            key,
            "decided",
            {
                "level": ev.level,
                "decision_no": ev.decision_no,
                "rulebook_id": ev.rulebook_id,
                "rules": ev.rules,
                "explanation": ev.explanation,
                "settled": ev.settled,
            },
            on=ev.decided_on,
        )

    @handles(RatingRound.RatingCancelled)  # type: ignore[attr-defined]
    def cancelled(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        ev = e.event
        self._level_changed(tx, cycle, key, ev.previous_level, None)
        self._set(
            tx,
            cycle,
            key,
            e.notification_id,
            status="cancelled",
            level=None,
            decided_at=None,
        )
        self._log(
            tx,
            e,
            cycle,
            key,
            "cancelled",
            {"previous_level": ev.previous_level, "reason": ev.reason},
        )

    @handles(RatingRound.RatingRevised)
    def revised(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        ev = e.event
        self._level_changed(tx, cycle, key, None, ev.level)
        row = self._subject(tx, cycle, key)
        revisions = int(row["revisions"]) + 1 if row else 1
        self._set(
            tx,
            cycle,
            key,
            e.notification_id,
            status="decided",
            level=ev.level,
            decision_no=ev.decision_no,
            decided_on=ev.decided_on.isoformat(),
            explanation=ev.explanation,
            held_reason=None,
            revisions=revisions,
            decided_at=e.notification_id,
        )
        self._log(
            tx,
            e,
            cycle,
            key,
            "revised",
            {
                "previous_level": ev.previous_level,
                "level": ev.level,
                "decision_no": ev.decision_no,
                "reason": ev.reason,
                "rules": ev.rules,
                "explanation": ev.explanation,
                "settled": ev.settled,
            },
            on=ev.decided_on,
        )

    @handles(RatingRound.ChairResponsibilityReviewOrdered)  # type: ignore[attr-defined]
    def chair(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        self._log(tx, e, cycle, key, "chair_responsibility", {"reason": e.event.reason})

    # -- criteria refined by a province or unit ----
    @handles(CriteriaRefinement.CriteriaRefined)  # type: ignore[attr-defined]
    def criteria_refined(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "criteria",
            ["refinement_id"],
            {
                "refinement_id": str(e.stream),
                "org_id": str(ev.org_id),
                "org_name": ev.org_name,
                "appendix": ev.appendix,
                "from_year": ev.from_year,
                "items": _json(ev.items),
                "actor": e.actor,
                "defined_at": e.notification_id,
            },
        )

    # -- re-review orders (§5.4) ----
    def _order_done(self, tx: Tx, order: str, at: int) -> None:
        tx.execute(
            "UPDATE {orders} SET done_at = ? WHERE order_id = ? AND reviews_open = 0 "
            "AND rating_open = 0 AND done_at IS NULL",
            (at, order),
        )

    @handles(ReReviewOrder.ReReviewOrdered)  # type: ignore[attr-defined]
    def rereview_ordered(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        cycle = str(ev.cycle_id)
        superseded = {
            "reviews": ev.superseded_reviews,
            "decision": ev.superseded_decision,
        }
        tx.upsert(
            "orders",
            ["order_id"],
            {
                "order_id": str(e.stream),
                "cycle_id": cycle,
                "subject_key": ev.subject_key,
                "subject_name": ev.subject_name,
                "number": ev.number,
                "scope": ev.scope,
                "reason": ev.reason,
                "deadline": ev.deadline.isoformat(),
                "ordered_on": ev.ordered_on.isoformat(),
                "ordering_org_id": str(ev.ordering_org_id)
                if ev.ordering_org_id
                else None,
                "chair_responsibility": 1 if ev.chair_responsibility else 0,
                "actor": e.actor,
                "superseded": _json(superseded),
                "reviews_open": len(ev.superseded_reviews)
                if covers_review(ev.scope)
                else 0,
                "rating_open": 1 if covers_rating(ev.scope) else 0,
                "ordered_at": e.notification_id,
                "done_at": None,
            },
        )
        self._log(
            tx,
            e,
            cycle,
            ev.subject_key,
            "rereview_ordered",
            {
                "order_id": str(e.stream),
                "number": ev.number,
                "scope": ev.scope,
                "text": ev.reason,
                "deadline": ev.deadline.isoformat(),
                "chair_responsibility": ev.chair_responsibility,
            },
            on=ev.ordered_on,
        )

    @handles(Review.RedoOrdered)  # type: ignore[attr-defined]
    def review_redo(self, e: LedgerEvent, tx: Tx) -> None:
        row = self._review(tx, e)
        tx.execute(
            "UPDATE {reviews} SET report_on = NULL, self_review_form = NULL, "
            "comments = 0, suggestions = 0, opinions = 0, residence_comment = 0, "
            "temporary_comment = 0, held_on = NULL, conclusion = NULL, "
            "redo_order_id = ? WHERE review_id = ?",
            (str(e.event.order_id), str(e.stream)),
        )
        self._log(
            tx,
            e,
            row["cycle_id"],
            row["subject_key"],
            "review_redo",
            {
                "order_id": str(e.event.order_id),
                "earlier_held_on": row["held_on"],
                "earlier_conclusion": row["conclusion"],
            },
            row["venue_id"],
        )

    @handles(RatingRound.RatingRedoOrdered)  # type: ignore[attr-defined]
    def rating_redo(self, e: LedgerEvent, tx: Tx) -> None:
        cycle, key = self._round_subject(e, tx)
        ev = e.event
        self._level_changed(tx, cycle, key, ev.previous_level, None)
        self._set(
            tx,
            cycle,
            key,
            e.notification_id,
            status=PENDING,
            self_level=None,
            score=None,
            ceiling=None,
            proposed_level=None,
            level=None,
            decision_no=None,
            decided_on=None,
            explanation=None,
            held_reason=None,
            decided_at=None,
        )
        self._log(
            tx,
            e,
            cycle,
            key,
            "rating_redo",
            {
                "order_id": str(ev.order_id),
                "previous_level": ev.previous_level,
                "previous_decision_no": ev.previous_decision_no,
            },
        )

    # -- member facts ----
    @handles(PartyMember.DisciplineRecorded)  # type: ignore[attr-defined]
    def discipline(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "disciplines",
            ["member_id", "discipline_id"],
            {
                "member_id": str(e.stream),
                "discipline_id": ev.discipline_id,
                "level": ev.level,
                "duty_related": 1 if ev.duty_related else 0,
                "decided_on": ev.decided_on.isoformat(),
                "reference": ev.reference,
                "recorded_at": e.notification_id,
                "conduct_org_id": str(ev.conduct_org_id) if ev.conduct_org_id else None,
            },
        )
        self._fact(
            e,
            tx,
            "DisciplineRecorded",
            {
                "level": ev.level,
                "duty_related": ev.duty_related,
                "decided_on": ev.decided_on,
                "reference": ev.reference,
            },
        )

    @handles(
        PartyMember.PostAssigned,  # type: ignore[attr-defined]
        PartyMember.PostEnded,  # type: ignore[attr-defined]
        PartyMember.TemporaryCellAttached,  # type: ignore[attr-defined]
        PartyMember.TemporaryCellDetached,  # type: ignore[attr-defined]
        PartyMember.ExemptionRecorded,  # type: ignore[attr-defined]
        PartyMember.LeaveRecorded,  # type: ignore[attr-defined]
        PartyMember.DegradationConcluded,  # type: ignore[attr-defined]
        PartyMember.ConfidenceResultRecorded,  # type: ignore[attr-defined]
        PartyMember.WorkSituationSet,  # type: ignore[attr-defined]
        PartyMember.OversightAssigned,  # type: ignore[attr-defined]
        PartyMember.OversightEnded,  # type: ignore[attr-defined]
    )
    def member_fact(self, e: LedgerEvent, tx: Tx) -> None:
        """Every fact about a member the rules read, in order (the facts page)."""
        self._roster_fact(e, tx)
        detail = {
            k: v
            for k, v in vars(e.event).items()
            if k not in ("originator_id", "originator_version", "timestamp")
            and not k.endswith("_by")
        }
        self._fact(e, tx, type(e.event).__name__, detail)

    # -- the roster a cycle's subjects are derived from ----
    @handles(PartyMember.Enrolled)  # type: ignore[attr-defined]
    def enrolled(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "roster",
            ["member_id"],
            {
                "member_id": str(e.stream),
                "full_name": ev.full_name,
                "cell_id": str(ev.cell_id),
                "admission_date": ev.admission_date.isoformat(),
                "posts": "{}",
                "exemptions": "[]",
                "outside_political_system": 0,
                "temporary_cell_id": None,
            },
        )

    @handles(PartyMember.Transferred)  # type: ignore[attr-defined]
    def transferred(self, e: LedgerEvent, tx: Tx) -> None:
        self._roster_set(tx, e, cell_id=str(e.event.cell_id))

    def _roster_set(self, tx: Tx, e: LedgerEvent, **values: Any) -> None:
        assignments = ", ".join(f"{k} = ?" for k in values)
        tx.execute(
            "UPDATE {roster} SET "  # noqa: S608 - column names come from code
            + assignments
            + " WHERE member_id = ?",
            (*values.values(), str(e.stream)),
        )

    def _roster_json(self, tx: Tx, e: LedgerEvent, column: str) -> Any:
        raw = tx.scalar(
            f"SELECT {column} FROM {{roster}} WHERE member_id = ?",  # noqa: S608 - a column named in code
            (str(e.stream),),
        )
        return json.loads(raw) if raw is not None else None

    def _roster_fact(self, e: LedgerEvent, tx: Tx) -> None:
        """Keep the roster row of the member in step with the aggregate: its
        posts, exemptions, temporary chi bộ and work situation."""
        ev, kind = e.event, type(e.event).__name__
        if kind in ("PostAssigned", "PostEnded"):
            posts = self._roster_json(tx, e, "posts")
            if posts is None:
                return
            if kind == "PostAssigned":
                posts[str(ev.org_id)] = ev.role
            else:
                posts.pop(str(ev.org_id), None)
            self._roster_set(tx, e, posts=_json(posts))
        elif kind == "ExemptionRecorded":
            items = self._roster_json(tx, e, "exemptions")
            if items is None:
                return
            items.append(
                {
                    "kind": ev.kind,
                    "start": ev.start.isoformat(),
                    "end": ev.end.isoformat() if ev.end is not None else None,
                }
            )
            self._roster_set(tx, e, exemptions=_json(items))
        elif kind == "TemporaryCellAttached":
            self._roster_set(tx, e, temporary_cell_id=str(ev.cell_id))
        elif kind == "TemporaryCellDetached":
            self._roster_set(tx, e, temporary_cell_id=None)
        elif kind == "WorkSituationSet":
            outside = 1 if ev.outside_political_system else 0
            self._roster_set(tx, e, outside_political_system=outside)

    def _fact(self, e: LedgerEvent, tx: Tx, kind: str, detail: dict[str, Any]) -> None:
        tx.upsert(
            "facts",
            ["member_id", "position"],
            {
                "member_id": str(e.stream),
                "position": e.notification_id,
                "kind": kind,
                "actor": e.actor,
                "detail": _json(detail),
            },
        )
