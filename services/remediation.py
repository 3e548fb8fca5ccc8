"""Remediation: the application service of issue 6, part 1 (domain.md §6).

The commands of ``services.remediation_commands`` run on
:class:`domain.remediation.RemediationPlan` (one per subject and cycle) through
their handlers in ``services.handlers.remediation``;
``RemediationService(kiemdiem)`` loads the plans and answers the questions of
the ``remediation`` view. Other areas read it through this query API:

* :meth:`carried` — the shortcomings carried into a subject's cycle and those
  verified (:class:`domain.remediation.Carried`, exact ratio): the rating
  service passes it to the HTXSNV condition and records it in the event;
* :meth:`items` — one row per shortcoming of a subject (organisation path,
  cycle year, status, deadline…), filtered by organisation subtree, year,
  status;
* :meth:`status_counts` — counts per status plus ``overdue`` / ``due_soon`` for
  an organisation's subtree and a year (the reports upward);
* :meth:`tracking_page`, :meth:`worklist`, :meth:`reminders` — the pages
  (keyset pages and counters, never the whole list).

Overdue and due soon are computed at query time from the stored deadlines and
``kiemdiem.today()``: a projection has no clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.accounts import UserAccount
from domain.remediation import (
    DUE_SOON_DAYS,
    Carried,
    RemediationPlan,
    Status,
    carried_into,
    is_carried,
    urgency,
)
from domain.subjects import SubjectKey, in_subtree
from projections import remediation as view
from projections import remediation_counters as counters
from projections import remediation_tracking as tracking
from projections.directory_reads import top_level_ids
from services.context import AppContext
from services.errors import NotFoundError
from services.todo_items import FIRST_N

PLAN_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/remediation-plan")
SHORTCOMING_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/shortcoming")
STATUSES = tuple(s.value for s in Status)
# Someone still has to act: not verified, not superseded by a recurrence.
OUTSTANDING = ("OPEN", "IN_PROGRESS", "DONE", "NOT_DONE")
WORKLIST_FIRST = 20
"""Items of each worklist section shown; the count and the paged list say the rest."""


def plan_id(cycle: UUID, subject_key: str) -> UUID:
    return uuid5(PLAN_NS, f"{cycle}/{subject_key}")


def shortcoming_id(plan: UUID, number: int) -> UUID:
    return uuid5(SHORTCOMING_NS, f"{plan}/{number}")


class RemediationService:
    """Shortcomings, plans, progress and verification on one :class:`Kiemdiem`."""

    def __init__(self, kiemdiem: AppContext) -> None:
        self.app = kiemdiem

    # -- read side (projection ``remediation``) ----------------------------------------
    @staticmethod
    def _row(
        row: Mapping[str, Any],
        today: date | None = None,
        soon_days: int = DUE_SOON_DAYS,
    ) -> dict[str, Any]:
        out = dict(row)
        for name in ("path", "persons", "measures"):
            out[name] = json.loads(row[name]) if row.get(name) else []
        deadline = date.fromisoformat(row["deadline"]) if row["deadline"] else None
        out["deadline_date"] = deadline
        if today is not None:
            out["urgency"] = urgency(deadline, Status(row["status"]), today, soon_days)
        return out

    def items(
        self,
        *,
        org_id: UUID | None = None,
        year: int | None = None,
        subject_key: str | None = None,
        status: str | None = None,
        today: date | None = None,
        soon_days: int = DUE_SOON_DAYS,
        subject_keys: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """One row per shortcoming of a subject (or of ``subject_keys``), read
        by the subject's index (an organisation's list is read a keyset page at
        a time: :meth:`tracking_page`), narrowed by ``org_id``'s subtree, year
        and status: ``shortcoming_id``, ``plan_id``, ``cycle_id``, ``year``,
        ``subject_key``, ``subject_kind``, ``subject_name``,
        ``place_id``, ``path`` (the place and every organisation above it),
        ``source``, ``cause``, ``description``, ``status``, ``deadline``,
        ``supervisor``, ``verified_on``, ``recurrence_of``, ``recurred_by``… and
        ``urgency`` (``overdue`` / ``due_soon`` within ``soon_days`` / ``""``)
        as of ``today``."""
        if subject_key is None and subject_keys is None:
            msg = "items are read by subject; an organisation's a page at a time"
            raise ValueError(msg)
        when = today or self.app.today()
        rows = view.shortcomings(
            self.app.projections,
            org_id=org_id,
            year=year,
            subject_key=subject_key,
            status=status,
            subject_keys=subject_keys,
        )
        return [self._row(r, when, soon_days) for r in rows]

    def item(self, ident: UUID) -> dict[str, Any] | None:
        row = view.shortcoming(self.app.projections, ident)
        return self._row(row, self.app.today()) if row is not None else None

    def history(self, ident: UUID) -> list[dict[str, Any]]:
        return view.shortcoming_history(self.app.projections, ident)

    def plans(self, subject_key: str) -> list[dict[str, Any]]:
        return view.subject_plans(self.app.projections, subject_key)

    def carried(self, subject_key: str, year: int) -> Carried:
        """The shortcomings carried into the subject's cycle of ``year``."""
        return carried_into(self.items(subject_key=subject_key), year)

    @staticmethod
    def carried_in(rows: Sequence[Mapping[str, Any]], year: int) -> Carried:
        """:meth:`carried` of a subject whose :meth:`items` are ``rows``."""
        return carried_into(list(rows), year)

    def carried_of(self, subject_keys: Sequence[str], year: int) -> dict[str, Carried]:
        """:meth:`carried` of several subjects, read in one query."""
        rows: dict[str, list[dict[str, Any]]] = {key: [] for key in subject_keys}
        for row in self.items(subject_keys=subject_keys):
            rows[row["subject_key"]].append(row)
        return {key: carried_into(found, year) for key, found in rows.items()}

    def carried_items(self, subject_key: str, year: int) -> list[dict[str, Any]]:
        """Rows of :meth:`carried`, oldest first (Mẫu 2A/2B/2C section III)."""
        return self.carried_items_in(self.items(subject_key=subject_key), year)

    @staticmethod
    def carried_items_in(
        rows: Sequence[dict[str, Any]], year: int
    ) -> list[dict[str, Any]]:
        """:meth:`carried_items` of a subject whose :meth:`items` are ``rows``."""
        carried = [r for r in rows if is_carried(r, year)]
        return sorted(carried, key=lambda r: (r["year"], r["recorded_at"]))

    def status_counts(
        self,
        org_id: UUID,
        year: int | None = None,
        today: date | None = None,
        soon_days: int = DUE_SOON_DAYS,
    ) -> dict[str, int]:
        """Shortcomings of ``org_id``'s subtree found in ``year`` (all years when
        None): one count per status, ``total``, and ``overdue`` / ``due_soon``
        as of ``today``."""
        when = today or self.app.today()
        rows = counters.counter_rows(self.app.projections, str(org_id), year=year)
        per, overdue, due_soon = counters.tally(
            rows, when.isoformat(), (when + timedelta(days=soon_days)).isoformat()
        )
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(per)
        counts.update(total=sum(per.values()), overdue=overdue, due_soon=due_soon)
        return counts

    def tracking_page(
        self,
        org_id: UUID,
        *,
        year: int | None = None,
        status: str | None = None,
        urgency_filter: str | None = None,
        after: UUID | None = None,
        before: UUID | None = None,
        limit: int,
        today: date | None = None,
        soon_days: int = DUE_SOON_DAYS,
    ) -> tuple[list[dict[str, Any]], bool]:
        """A keyset page of an organisation's list (``limit + 1`` read: the
        flag says whether the rows were read backwards, from ``before``)."""
        today = today or self.app.today()
        org = str(org_id)
        start = (
            tracking.position(self.app.projections, org, str(after)) if after else None
        )
        end = (
            tracking.position(self.app.projections, org, str(before))
            if before and start is None
            else None
        )
        rows = tracking.tracking_page(
            self.app.projections,
            org,
            today=today.isoformat(),
            soon=(today + timedelta(days=soon_days)).isoformat(),
            year=year,
            status=status,
            urgency=urgency_filter,
            after=start,
            before=end,
            limit=limit,
        )
        return [self._row(r, today, soon_days) for r in rows], end is not None

    def years(self, org_id: UUID) -> list[int]:
        """Years with shortcomings in and under ``org_id``, latest first."""
        return tracking.years(self.app.projections, str(org_id))

    def in_list(self, org_id: UUID, ident: UUID) -> bool:
        """Whether shortcoming ``ident`` is in ``org_id``'s list (by key)."""
        found = tracking.position(self.app.projections, str(org_id), str(ident))
        return found is not None

    def worklist(
        self, org_id: UUID, today: date | None = None, first: int = WORKLIST_FIRST
    ) -> dict[str, Any]:
        """The inspection committee's worklist in its scope (its organisation and
        below), of the plans the branch holds now (an open plan that followed a
        reorganisation is on the successor's worklist, issue 12): the first
        ``first`` claims awaiting verification (in the list's order) and overdue
        items (longest overdue first), each one index range, and how many there
        are (``awaiting_count``, ``overdue_count``: from the counters)."""
        when = today or self.app.today()
        views, org = self.app.projections, str(org_id)
        per, overdue, _ = counters.tally(
            counters.counter_rows(views, org, held=True), when.isoformat(), ""
        )
        awaiting = counters.first_at_status(views, org, Status.DONE.value, first)
        late = counters.first_overdue(views, org, when.isoformat(), first)
        return {
            "awaiting": [self._row(r, when) for r in awaiting],
            "overdue": [self._row(r, when) for r in late],
            "awaiting_count": per.get(Status.DONE.value, 0),
            "overdue_count": overdue,
        }

    def overdue_held(
        self,
        org_ids: Sequence[UUID],
        today: date,
        first: int,
        skip_subject: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """The first ``first`` overdue items the branches of ``org_ids`` hold
        now (longest overdue first) and how many there are, leaving out
        ``skip_subject``'s own (read by the subject's index)."""
        views, day = self.app.projections, today.isoformat()
        own = (
            [
                r["shortcoming_id"]
                for r in (self.items(subject_key=skip_subject, today=today))
                if r["urgency"] == "overdue"
            ]
            if skip_subject
            else []
        )
        found: list[dict[str, Any]] = []
        count = 0
        for org in map(str, org_ids):
            _, overdue, _ = counters.tally(
                counters.counter_rows(views, org, held=True), day, ""
            )
            skipped = counters.held_among(views, org, own)
            count += overdue - len(skipped)
            rows = counters.first_overdue(views, org, day, first + len(skipped))
            found += [r for r in rows if r["shortcoming_id"] not in skipped]
        found.sort(key=lambda r: (r["deadline"], r["shortcoming_id"]))
        return [self._row(r, today) for r in found[:first]], count

    def reminders(
        self,
        account: UserAccount,
        first: int = FIRST_N,
        skip_subject: str | None = None,
    ) -> dict[str, Any]:
        """Overdue items the account should see on the dashboard (``items``: the
        first ``first``, the worklist's order; ``count``: how many): its own as
        a member, its organisation's subtree otherwise (every top-level
        organisation's without one); ``skip_subject``'s own left out."""
        today = self.app.today()
        if account.member_id is not None and set(account.roles) == {"member"}:
            key = str(SubjectKey.of_member(account.member_id))
            if key == skip_subject:  # its own left out: nothing else to read
                return {"items": [], "count": 0}
            rows = [
                r
                for r in self.items(subject_key=key, today=today)
                if r["urgency"] == "overdue" and r["subject_key"] != skip_subject
            ]
            return {"items": rows[:first], "count": len(rows)}
        org_id = account.org_id

        def read() -> tuple[list[dict[str, Any]], int]:
            roots = (
                [org_id] if org_id is not None else top_level_ids(self.app.projections)
            )
            return self.overdue_held(roots, today, first, skip_subject)

        # kept while the views stand still (the caller keeps what its viewer reads)
        asked = (org_id, today, first, skip_subject)
        items, count = self.app.kept.get("reminders", asked, read)
        return {"items": items, "count": count}

    def in_scope(self, root: UUID, org_id: UUID) -> bool:
        """Whether ``org_id`` is ``root`` or under it (the tree as it stands)."""
        return in_subtree(self.app.ratings.tree(), root, org_id)

    # -- loading ---------------------------------------------------------------------
    def plan(self, ident: UUID) -> RemediationPlan:
        return self.app.uow.get(RemediationPlan, ident, "remediation.plan_not_found")

    def plan_of(self, shortcoming: UUID) -> RemediationPlan:
        """The plan holding ``shortcoming``."""
        row = self.item(shortcoming)
        if row is None:
            raise NotFoundError(
                "remediation.shortcoming_not_found", id=str(shortcoming)
            )
        return self.plan(UUID(row["plan_id"]))


__all__ = ["RemediationService", "plan_id", "shortcoming_id"]
