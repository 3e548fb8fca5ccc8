"""``remediation``: every shortcoming pointed out at a review and where its
remedy stands (issue 6, domain.md §6).

Answers: which shortcomings does a subject have and in what state
(``shortcomings``: one row per shortcoming with its subject, cycle year, the
organisation path for roll-up, status, plan, deadline, claim, verification and
recurrence links), which of them belong to an organisation or anything under it
(``scope``: one row per shortcoming and organisation on its path, as the tree
stood when the cycle was opened; an open plan that followed a reorganisation
adds the rows of its new path, ``held`` = 1, and keeps the earlier ones, ``held``
= 0, so the old organisation's history still lists it), what happened to each
(``history``), and the plans per subject and cycle (``plans``). Overdue and
due soon are not stored: the reader computes them from ``deadline`` and its
own clock. An organisation's list a page at a time and its years:
:mod:`projections.remediation_tracking`; its counts per status and deadline
(``counts``), kept as the scope changes, and the worklist's first items:
:mod:`projections.remediation_counters`.

Handlers depend only on the event and the view's rows (ledger.md §9.1).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.remediation import SETTLED, RemediationPlan, Status
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.remediation_counters import (
    COUNTS_TABLE,
    URGENT,
    count_change,
    due,
    scope_keys,
)
from projections.sqlutil import Tx

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class RemediationView(ReadModel):
    name = "remediation"
    # 2: scope.held (open plans follow a reorganisation, issue 12);
    # 3: plans_subject (a subject's plans by index, not a scan);
    # 4: scope carries the list's order, status and deadline (keyset pages
    # and their filters by index, issue 14); 5: counts (per organisation,
    # held, year, status and deadline, kept as the scope changes) and
    # scope.due with the worklist's indexes (issue 14)
    version = 5
    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "plans": (
            "plan_id TEXT PRIMARY KEY, cycle_id TEXT NOT NULL, year BIGINT NOT NULL, "
            "subject_key TEXT NOT NULL, subject_kind TEXT NOT NULL, "
            "subject_name TEXT NOT NULL, place_id TEXT NOT NULL, path TEXT NOT NULL, "
            "opened_at BIGINT NOT NULL"
        ),
        "shortcomings": (
            "shortcoming_id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, "
            "cycle_id TEXT NOT NULL, year BIGINT NOT NULL, "
            "subject_key TEXT NOT NULL, subject_kind TEXT NOT NULL, "
            "subject_name TEXT NOT NULL, place_id TEXT NOT NULL, "
            "path TEXT NOT NULL, source TEXT NOT NULL, description TEXT NOT NULL, "
            "cause TEXT NOT NULL, collective_responsibility TEXT, "
            "persons TEXT NOT NULL, review_id TEXT, recurrence_of TEXT, "
            "recurred_by TEXT, recurred_year BIGINT, status TEXT NOT NULL, "
            "recorded_on TEXT NOT NULL, recorded_at BIGINT NOT NULL, "
            "plan_no BIGINT, measures TEXT, responsible_member_id TEXT, "
            "deadline TEXT, supervisor TEXT, supervisor_org_id TEXT, "
            "progress BIGINT NOT NULL, claimed_on TEXT, claim_summary TEXT, "
            "verified_on TEXT, verifier TEXT, verifier_note TEXT, "
            "refusals BIGINT NOT NULL, last_refusal TEXT, updated_at BIGINT NOT NULL"
        ),
        "scope": (
            "shortcoming_id TEXT NOT NULL, org_id TEXT NOT NULL, "
            "held INTEGER NOT NULL, sort_year BIGINT NOT NULL, "
            "subject_name TEXT NOT NULL, recorded_at BIGINT NOT NULL, "
            "status TEXT NOT NULL, deadline TEXT, due TEXT, "
            "PRIMARY KEY (shortcoming_id, org_id)"
        ),
        "counts": COUNTS_TABLE,
        "history": (
            "shortcoming_id TEXT NOT NULL, position BIGINT NOT NULL, "
            "step TEXT NOT NULL, actor TEXT NOT NULL, on_date TEXT, "
            "detail TEXT NOT NULL, PRIMARY KEY (shortcoming_id, position)"
        ),
    }
    indexes = {  # noqa: RUF012
        "shortcomings_subject": ("shortcomings", "subject_key, year"),
        # A subject's plans (the subject page's carried items, every visit).
        "plans_subject": ("plans", "subject_key, year"),
        # An organisation's list in its order (latest year first: sort_year is
        # minus the year), a keyset page read as one index range.
        "scope_page": (
            "scope",
            "org_id, sort_year, subject_name, recorded_at, shortcoming_id",
        ),
        # The same list at one status.
        "scope_status": (
            "scope",
            "org_id, status, sort_year, subject_name, recorded_at, shortcoming_id",
        ),
        # What a branch holds now at one status, in the list's order (the
        # worklist's claims awaiting verification).
        "scope_held": (
            "scope",
            "org_id, held, status, sort_year, subject_name, recorded_at, "
            "shortcoming_id",
        ),
        # What a branch holds now by deadline, still to act on (``due``: the
        # worklist's and the reminders' overdue items, longest overdue first).
        "scope_due": ("scope", "org_id, held, due, shortcoming_id"),
    }

    # -- helpers ----
    def _set(self, tx: Tx, ident: str, at: int, **values: Any) -> None:
        assignments = ", ".join(f"{k} = ?" for k in values)
        tx.execute(
            "UPDATE {shortcomings} SET "  # noqa: S608 - column names come from code
            + assignments
            + ", updated_at = ? WHERE shortcoming_id = ?",
            (*values.values(), at, ident),
        )
        kept = {k: v for k, v in values.items() if k in ("status", "deadline")}
        if kept:  # the list's filters, copied on every organisation's row
            before = scope_keys(tx, ident)
            marks = ", ".join("?" for _ in URGENT)
            tx.execute(
                "UPDATE {scope} SET "  # noqa: S608 - column names come from code
                + ", ".join(f"{k} = ?" for k in kept)
                + " WHERE shortcoming_id = ?",
                (*kept.values(), ident),
            )
            tx.execute(
                "UPDATE {scope} SET due = CASE WHEN status IN "  # noqa: S608 - marks only
                f"({marks}) THEN deadline END WHERE shortcoming_id = ?",
                (*URGENT, ident),
            )
            count_change(tx, before, scope_keys(tx, ident))

    def _log(
        self,
        tx: Tx,
        e: LedgerEvent,
        ident: str,
        step: str,
        on: Any,
        detail: dict[str, Any],
    ) -> None:
        tx.upsert(
            "history",
            ["shortcoming_id", "position"],
            {
                "shortcoming_id": ident,
                "position": e.notification_id,
                "step": step,
                "actor": e.actor,
                "on_date": _day(on),
                "detail": _json(detail),
            },
        )

    @staticmethod
    def _scope(tx: Tx, ident: str, path: list[str], row: dict[str, Any]) -> None:
        """``row``: the shortcoming's year, subject name and position recorded
        (the list's order), status and deadline (its filters), copied so a page
        is one index range."""
        order = {
            "sort_year": -int(row["year"]),
            "subject_name": row["subject_name"],
            "recorded_at": row["recorded_at"],
            "status": row["status"],
            "deadline": row.get("deadline"),
            "due": due(row["status"], row.get("deadline")),
        }
        for org in path:
            tx.upsert(
                "scope",
                ["shortcoming_id", "org_id"],
                {"shortcoming_id": ident, "org_id": org, "held": 1, **order},
            )

    # -- handlers ----
    @handles(RemediationPlan.Opened)  # type: ignore[attr-defined]
    def opened(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.upsert(
            "plans",
            ["plan_id"],
            {
                "plan_id": str(e.stream),
                "cycle_id": str(ev.cycle_id),
                "year": ev.year,
                "subject_key": ev.subject_key,
                "subject_kind": ev.subject_kind,
                "subject_name": ev.subject_name,
                "place_id": ev.place_id,
                "path": _json(list(ev.path)),
                "opened_at": e.notification_id,
            },
        )

    @handles(RemediationPlan.ShortcomingRecorded)  # type: ignore[attr-defined]
    def recorded(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        tx.execute("SELECT * FROM {plans} WHERE plan_id = ?", (str(e.stream),))
        plan = tx.fetchone_dict()
        assert plan is not None  # noqa: S101 - Opened is always first in the stream
        ident = ev.shortcoming_id
        tx.upsert(
            "shortcomings",
            ["shortcoming_id"],
            {
                "shortcoming_id": ident,
                "plan_id": plan["plan_id"],
                "cycle_id": plan["cycle_id"],
                "year": plan["year"],
                "subject_key": plan["subject_key"],
                "subject_kind": plan["subject_kind"],
                "subject_name": plan["subject_name"],
                "place_id": plan["place_id"],
                "path": plan["path"],
                "source": ev.source,
                "description": ev.description,
                "cause": ev.cause,
                "collective_responsibility": ev.collective_responsibility,
                "persons": _json(ev.persons),
                "review_id": str(ev.review_id) if ev.review_id else None,
                "recurrence_of": ev.recurrence_of,
                "status": Status.OPEN.value,
                "recorded_on": ev.recorded_on.isoformat(),
                "recorded_at": e.notification_id,
                "progress": 0,
                "refusals": 0,
                "updated_at": e.notification_id,
            },
        )
        before = scope_keys(tx, ident)
        self._scope(
            tx,
            ident,
            json.loads(plan["path"]),
            {**plan, "recorded_at": e.notification_id, "status": Status.OPEN.value},
        )
        count_change(tx, before, scope_keys(tx, ident))
        self._log(
            tx,
            e,
            ident,
            "recorded",
            ev.recorded_on,
            {"source": ev.source, "recurrence_of": ev.recurrence_of},
        )

    @handles(RemediationPlan.ShortcomingRecurred)  # type: ignore[attr-defined]
    def recurred(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        self._set(
            tx,
            ev.shortcoming_id,
            e.notification_id,
            status=Status.RECURRED.value,
            recurred_by=ev.by_shortcoming_id,
            recurred_year=ev.in_year,
        )
        self._log(
            tx,
            e,
            ev.shortcoming_id,
            "recurred",
            ev.recurred_on,
            {"by": ev.by_shortcoming_id, "year": ev.in_year},
        )

    @handles(RemediationPlan.RemediationPlanAdopted)  # type: ignore[attr-defined]
    def plan_adopted(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        for ident in ev.shortcoming_ids:
            self._set(
                tx,
                ident,
                e.notification_id,
                status=Status.IN_PROGRESS.value,
                plan_no=ev.plan_no,
                measures=_json(list(ev.measures)),
                responsible_member_id=str(ev.responsible_member_id),
                deadline=ev.deadline.isoformat(),
                supervisor=ev.supervisor,
                supervisor_org_id=str(ev.supervisor_org_id),
            )
            self._log(
                tx,
                e,
                ident,
                "plan_adopted",
                ev.adopted_on,
                {"plan_no": ev.plan_no, "deadline": ev.deadline.isoformat()},
            )

    @handles(RemediationPlan.RemediationProgressReported)  # type: ignore[attr-defined]
    def progress(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        count = tx.scalar(
            "SELECT progress FROM {shortcomings} WHERE shortcoming_id = ?",
            (ev.shortcoming_id,),
        )
        self._set(
            tx,
            ev.shortcoming_id,
            e.notification_id,
            status=Status.IN_PROGRESS.value,
            progress=int(count or 0) + 1,
        )
        self._log(
            tx,
            e,
            ev.shortcoming_id,
            "progress",
            ev.reported_on,
            {
                "text": ev.text,
                "document_reference": ev.document_reference,
                "document_sha256": ev.document_sha256,
            },
        )

    @handles(RemediationPlan.RemediationCompletionClaimed)  # type: ignore[attr-defined]
    def claimed(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        self._set(
            tx,
            ev.shortcoming_id,
            e.notification_id,
            status=Status.DONE.value,
            claimed_on=ev.claimed_on.isoformat(),
            claim_summary=ev.summary,
        )
        self._log(
            tx, e, ev.shortcoming_id, "claimed", ev.claimed_on, {"text": ev.summary}
        )

    @handles(RemediationPlan.RemediationClosed)  # type: ignore[attr-defined]
    def closed(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        self._set(
            tx,
            ev.shortcoming_id,
            e.notification_id,
            status=ev.outcome,
            verified_on=ev.verified_on.isoformat(),
            verifier=ev.verifier,
            verifier_note=ev.note,
        )
        self._log(
            tx,
            e,
            ev.shortcoming_id,
            "verified",
            ev.verified_on,
            {"verifier": ev.verifier, "text": ev.note},
        )

    @handles(RemediationPlan.RemediationRefused)  # type: ignore[attr-defined]
    def refused(self, e: LedgerEvent, tx: Tx) -> None:
        ev = e.event
        count = tx.scalar(
            "SELECT refusals FROM {shortcomings} WHERE shortcoming_id = ?",
            (ev.shortcoming_id,),
        )
        self._set(
            tx,
            ev.shortcoming_id,
            e.notification_id,
            status=Status.NOT_DONE.value,
            claimed_on=None,
            claim_summary=None,
            refusals=int(count or 0) + 1,
            last_refusal=ev.reason,
            verifier=ev.verifier,
        )
        self._log(
            tx,
            e,
            ev.shortcoming_id,
            "refused",
            ev.refused_on,
            {"verifier": ev.verifier, "text": ev.reason},
        )

    @handles(RemediationPlan.RemediationPlanFollowed)  # type: ignore[attr-defined]
    def followed(self, e: LedgerEvent, tx: Tx) -> None:
        """The plan's shortcomings are held at the new place; the organisations
        of the earlier path keep them as history (``held`` = 0)."""
        ev = e.event
        plan_id, path = str(e.stream), _json(list(ev.path))
        tx.execute(
            "UPDATE {plans} SET place_id = ?, path = ? WHERE plan_id = ?",
            (ev.place_id, path, plan_id),
        )
        tx.execute(
            "SELECT shortcoming_id, supervisor_org_id, year, subject_name, "
            "recorded_at, status, deadline FROM {shortcomings} WHERE plan_id = ? "
            "ORDER BY shortcoming_id",
            (plan_id,),
        )
        rows = tx.fetchall_dicts()
        for row in rows:
            ident = row["shortcoming_id"]
            supervisor = ev.supervisors.get(row["supervisor_org_id"] or "")
            values: dict[str, Any] = {"place_id": ev.place_id, "path": path}
            if supervisor is not None:
                values["supervisor_org_id"] = supervisor
            self._set(tx, ident, e.notification_id, **values)
            before = scope_keys(tx, ident)
            tx.execute("UPDATE {scope} SET held = 0 WHERE shortcoming_id = ?", (ident,))
            self._scope(tx, ident, list(ev.path), row)
            count_change(tx, before, scope_keys(tx, ident))
            self._log(
                tx,
                e,
                ident,
                "followed",
                ev.effective_on,
                {
                    "how": ev.how,
                    "decision_no": ev.decision_no,
                    "from": ev.from_place_id,
                    "to": ev.place_id,
                },
            )


# -- reads ------------------------------------------------------------------------
def shortcomings(
    views: ProjectionRuntime,
    *,
    org_id: UUID | None = None,
    year: int | None = None,
    subject_key: str | None = None,
    status: str | None = None,
    held: bool = False,
    subject_keys: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The shortcomings (khuyết điểm) in and under ``org_id``, of ``year``, of one
    subject (or of ``subject_keys``: several, one indexed query), at one status
    (each filter when given): latest year first, then by
    subject name and the order recorded (JSON columns still text). With
    ``held``, only those ``org_id``'s branch holds now (not the ones that
    followed a reorganisation elsewhere)."""
    sql = "SELECT s.* FROM {shortcomings} s"
    where: list[str] = []
    params: list[Any] = []
    if org_id is not None:
        sql += " JOIN {scope} p ON p.shortcoming_id = s.shortcoming_id"
        where.append("p.org_id = ?")
        params.append(str(org_id))
        if held:
            where.append("p.held = 1")
    if year is not None:
        where.append("s.year = ?")
        params.append(year)
    if subject_key is not None:
        where.append("s.subject_key = ?")
        params.append(subject_key)
    if subject_keys is not None:
        if not subject_keys:
            return []
        where.append(f"s.subject_key IN ({', '.join('?' for _ in subject_keys)})")
        params.extend(subject_keys)
    if status is not None:
        where.append("s.status = ?")
        params.append(status)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY s.year DESC, s.subject_name, s.recorded_at"
    return views.query("remediation", sql, params)


def shortcoming(views: ProjectionRuntime, ident: UUID) -> dict[str, Any] | None:
    """One shortcoming's row, if it is known."""
    rows = views.query(
        "remediation",
        "SELECT * FROM {shortcomings} WHERE shortcoming_id = ?",
        [str(ident)],
    )
    return rows[0] if rows else None


def shortcoming_history(views: ProjectionRuntime, ident: UUID) -> list[dict[str, Any]]:
    """The steps of one shortcoming, in order (``detail`` decoded)."""
    rows = views.query(
        "remediation",
        "SELECT * FROM {history} WHERE shortcoming_id = ? ORDER BY position",
        [str(ident)],
    )
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def subject_plans(views: ProjectionRuntime, subject_key: str) -> list[dict[str, Any]]:
    """The subject's remediation plans, latest year first."""
    return views.query(
        "remediation",
        "SELECT * FROM {plans} WHERE subject_key = ? ORDER BY year DESC",
        [subject_key],
    )


SETTLED_STATUSES = tuple(sorted(s.value for s in SETTLED))


def open_plan_ids_held_under(views: ProjectionRuntime, org_id: UUID) -> list[UUID]:
    """The plans with a shortcoming still open that ``org_id``'s branch holds
    now: what follows it when a reorganisation moves or ends it (one indexed
    query on the scope)."""
    rows = views.query(
        "remediation",
        "SELECT DISTINCT s.plan_id FROM {scope} p JOIN {shortcomings} s "
        "ON s.shortcoming_id = p.shortcoming_id WHERE p.org_id = ? AND p.held = 1 "
        "AND s.status NOT IN (?, ?) ORDER BY s.plan_id",
        [str(org_id), *SETTLED_STATUSES],
    )
    return [UUID(r["plan_id"]) for r in rows]
