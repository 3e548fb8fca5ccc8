"""Remediation: the application service of issue 6, part 1 (domain.md §6).

``RemediationService(kiemdiem)`` runs the commands of
``services.remediation_commands`` on :class:`domain.remediation.RemediationPlan`
(one per subject and cycle) and answers the questions of the ``remediation``
view. Other areas read it through this query API:

* :meth:`carried` — the shortcomings carried into a subject's cycle and those
  verified (:class:`domain.remediation.Carried`, exact ratio): the rating
  service passes it to the HTXSNV condition and records it in the event;
* :meth:`items` — one row per shortcoming (subject, organisation path, cycle
  year, status, deadline…), filtered by organisation subtree, year, subject,
  status;
* :meth:`status_counts` — counts per status plus ``overdue`` / ``due_soon`` for
  an organisation's subtree and a year (the reports upward);
* :meth:`tracking`, :meth:`worklist`, :meth:`reminders` — the pages.

Overdue and due soon are computed at query time from the stored deadlines and
``kiemdiem.today()``: a projection has no clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.accounts import UserAccount
from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.remediation import (
    DUE_SOON_DAYS,
    Carried,
    RemediationPlan,
    Status,
    carried_into,
    is_carried,
    urgency,
)
from domain.reviews import Review
from domain.subjects import in_subtree
from ledger.signing import Signer
from services import remediation_commands as mc
from services.app import Kiemdiem
from services.commands import Command
from services.errors import NotFoundError

PLAN_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/remediation-plan")
SHORTCOMING_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/shortcoming")
STATUSES = tuple(s.value for s in Status)
# Someone still has to act: not verified, not superseded by a recurrence.
OUTSTANDING = ("OPEN", "IN_PROGRESS", "DONE", "NOT_DONE")


def plan_id(cycle: UUID, subject_key: str) -> UUID:
    return uuid5(PLAN_NS, f"{cycle}/{subject_key}")


def shortcoming_id(plan: UUID, number: int) -> UUID:
    return uuid5(SHORTCOMING_NS, f"{plan}/{number}")


class RemediationService:
    """Shortcomings, plans, progress and verification on one :class:`Kiemdiem`."""

    def __init__(self, kiemdiem: Kiemdiem) -> None:
        self.app = kiemdiem

    # -- read side (projection ``remediation``) ----------------------------------------
    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self.app.projections.query("remediation", sql, list(params))

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
    ) -> list[dict[str, Any]]:
        """One row per shortcoming: ``shortcoming_id``, ``plan_id``, ``cycle_id``,
        ``year``, ``subject_key``, ``subject_kind``, ``subject_name``,
        ``place_id``, ``path`` (the place and every organisation above it),
        ``source``, ``cause``, ``description``, ``status``, ``deadline``,
        ``supervisor``, ``verified_on``, ``recurrence_of``, ``recurred_by``… and
        ``urgency`` (``overdue`` / ``due_soon`` within ``soon_days`` / ``""``)
        as of ``today``."""
        sql = "SELECT s.* FROM {shortcomings} s"
        where: list[str] = []
        params: list[Any] = []
        if org_id is not None:
            sql += " JOIN {scope} p ON p.shortcoming_id = s.shortcoming_id"
            where.append("p.org_id = ?")
            params.append(str(org_id))
        if year is not None:
            where.append("s.year = ?")
            params.append(year)
        if subject_key is not None:
            where.append("s.subject_key = ?")
            params.append(subject_key)
        if status is not None:
            where.append("s.status = ?")
            params.append(status)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY s.year DESC, s.subject_name, s.recorded_at"
        when = today or self.app.today()
        return [self._row(r, when, soon_days) for r in self._q(sql, params)]

    def item(self, ident: UUID) -> dict[str, Any] | None:
        rows = self._q(
            "SELECT * FROM {shortcomings} WHERE shortcoming_id = ?", [str(ident)]
        )
        return self._row(rows[0], self.app.today()) if rows else None

    def history(self, ident: UUID) -> list[dict[str, Any]]:
        rows = self._q(
            "SELECT * FROM {history} WHERE shortcoming_id = ? ORDER BY position",
            [str(ident)],
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def plans(self, subject_key: str) -> list[dict[str, Any]]:
        return self._q(
            "SELECT * FROM {plans} WHERE subject_key = ? ORDER BY year DESC",
            [subject_key],
        )

    def carried(self, subject_key: str, year: int) -> Carried:
        """The shortcomings carried into the subject's cycle of ``year``."""
        return carried_into(self.items(subject_key=subject_key), year)

    def carried_items(self, subject_key: str, year: int) -> list[dict[str, Any]]:
        """Rows of :meth:`carried`, oldest first (Mẫu 2A/2B/2C section III)."""
        rows = [r for r in self.items(subject_key=subject_key) if is_carried(r, year)]
        return sorted(rows, key=lambda r: (r["year"], r["recorded_at"]))

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
        rows = self.items(org_id=org_id, year=year, today=today, soon_days=soon_days)
        counts = dict.fromkeys(STATUSES, 0)
        counts.update(total=len(rows), overdue=0, due_soon=0)
        for row in rows:
            counts[row["status"]] += 1
            if row["urgency"]:
                counts[row["urgency"]] += 1
        return counts

    def tracking(
        self,
        org_id: UUID,
        *,
        year: int | None = None,
        status: str | None = None,
        urgency_filter: str | None = None,
        today: date | None = None,
        soon_days: int = DUE_SOON_DAYS,
    ) -> dict[str, Any]:
        """The organisation's tracking view: counts and the filtered rows."""
        rows = self.items(
            org_id=org_id, year=year, status=status, today=today, soon_days=soon_days
        )
        if urgency_filter:
            rows = [r for r in rows if r["urgency"] == urgency_filter]
        return {
            "counts": self.status_counts(org_id, year, today, soon_days),
            "items": rows,
        }

    def worklist(self, org_id: UUID, today: date | None = None) -> dict[str, Any]:
        """The inspection committee's worklist in its scope (its organisation and
        below): claims awaiting verification, and overdue items."""
        rows = self.items(org_id=org_id, today=today)
        return {
            "awaiting": [r for r in rows if r["status"] == Status.DONE.value],
            "overdue": [r for r in rows if r["urgency"] == "overdue"],
        }

    def reminders(self, account: UserAccount) -> list[dict[str, Any]]:
        """Overdue items the account should see on the dashboard: its own as a
        member, its organisation's subtree otherwise."""
        today = self.app.today()
        if account.member_id is not None and set(account.roles) == {"member"}:
            rows = self.items(subject_key=f"m:{account.member_id}", today=today)
        elif account.org_id is not None:
            rows = self.items(org_id=account.org_id, today=today)
        else:
            rows = self.items(today=today)
        return [r for r in rows if r["urgency"] == "overdue"]

    def in_scope(self, root: UUID, org_id: UUID) -> bool:
        """Whether ``org_id`` is ``root`` or under it (the tree as it stands)."""
        return in_subtree(self.app.ratings.tree(), root, org_id)

    # -- loading ---------------------------------------------------------------------
    def plan(self, ident: UUID) -> RemediationPlan:
        return self.app._get(RemediationPlan, ident, "remediation.plan_not_found")

    def _plan_of(self, shortcoming: UUID) -> RemediationPlan:
        row = self.item(shortcoming)
        if row is None:
            raise NotFoundError(
                "remediation.shortcoming_not_found", id=str(shortcoming)
            )
        return self.plan(UUID(row["plan_id"]))

    # -- who may act -----------------------------------------------------------------
    def _authorise(self, actor: str, action: str, place: str | None) -> UserAccount:
        account = self.app._authorise(actor, action)
        if place is None or account.org_id is None:
            return account
        if not in_subtree(self.app.ratings.tree(), account.org_id, UUID(place)):
            raise DomainError("auth.out_of_scope", action=action)
        return account

    def _subject_actor(
        self, actor: str, action: str, plan: RemediationPlan
    ) -> UserAccount:
        """The subject themself (a member's own) or a secretary in scope."""
        account = self.app._authorise(actor, action)
        if "secretary" in account.roles:
            return self._authorise(actor, action, plan.place_id)
        if plan.subject_key != f"m:{account.member_id}":
            raise DomainError("remediation.not_own")
        return account

    def _verifier(self, actor: str, plan: RemediationPlan) -> str:
        """The inspection committee in scope, or a higher level's committee."""
        account = self.app._authorise(actor, "remediation.verify")
        tree = self.app.ratings.tree()
        place = UUID(plan.place_id)
        if account.org_id is None:
            raise DomainError("auth.out_of_scope", action="remediation.verify")
        if "inspector" in account.roles and in_subtree(tree, account.org_id, place):
            return "INSPECTION_COMMITTEE"
        if (
            "decision_maker" in account.roles
            and account.org_id != place
            and in_subtree(tree, account.org_id, place)
        ):
            return "HIGHER_COMMITTEE"
        raise DomainError("remediation.not_supervisor")

    def _run(
        self, command: Command, signer: Signer, work: Callable[[], Sequence[Aggregate]]
    ) -> None:
        if command.actor_id != signer.actor:
            raise DomainError("auth.actor_mismatch")
        self.app._commit(signer, work)

    # -- commands --------------------------------------------------------------------
    @singledispatchmethod
    def handle(self, command: Any, signer: Signer) -> Any:
        msg = f"no remediation handler for {type(command).__name__}"
        raise TypeError(msg)

    @staticmethod
    def _eligible(cycle: ReviewCycle, subject: Mapping[str, Any]) -> dict[str, str]:
        """Members who may be named for a collective: its head and members."""
        if subject["kind"] != "collective":
            return {}
        org = subject["org_id"]
        found = {}
        for other in cycle.subjects.values():
            role = other.get("posts", {}).get(org)
            if other["kind"] == "individual" and role:
                found[str(other["member_id"])] = "head" if role == "head" else "member"
        return found

    @handle.register
    def _(self, command: mc.RecordShortcoming, signer: Signer) -> UUID:
        ident = plan_id(command.cycle_id, command.subject_key)
        created: list[UUID] = []

        def work() -> list[Aggregate]:
            created.clear()
            cycle = self.app.ratings.cycle(command.cycle_id)
            subject = cycle.subject(command.subject_key)
            place = subject.get("org_id") or subject.get("cell_id")
            self._authorise(signer.actor, "remediation.record", place)
            if self.app._exists(ident):
                plan = self.plan(ident)
            else:
                plan = RemediationPlan.open(
                    plan_id=ident,
                    cycle_id=cycle.id,
                    year=cycle.year,
                    subject=subject,
                    opened_by=signer.actor,
                )
            review_subject = None
            if command.review_id is not None:
                review = self.app._get(Review, command.review_id, "review.not_found")
                if review.cycle_id == cycle.id:
                    review_subject = review.subject_key
            saved: list[Aggregate] = [plan]
            earlier: dict[str, Any] | None = None
            earlier_plan: RemediationPlan | None = None
            if command.recurrence_of is not None:
                earlier_plan = self._plan_of(command.recurrence_of)
                key = str(command.recurrence_of)
                earlier = {
                    "shortcoming_id": key,
                    "subject_key": earlier_plan.subject_key,
                    "year": earlier_plan.year,
                    "status": earlier_plan.status_of(key).value,
                }
            new_id = shortcoming_id(ident, len(plan.shortcomings) + 1)
            on = command.recorded_on or self.app.today()
            plan.record_shortcoming(
                shortcoming_id=new_id,
                source=command.source,
                description=command.description,
                cause=command.cause,
                recorded_on=on,
                collective_responsibility=command.collective_responsibility,
                persons=[
                    {"member_id": m, "responsibility": t} for m, t in command.persons
                ],
                eligible_persons=self._eligible(cycle, subject),
                review_id=command.review_id,
                review_subject_key=review_subject,
                recurrence_of=earlier,
                recorded_by=signer.actor,
            )
            if earlier_plan is not None and earlier is not None:
                earlier_plan.mark_recurred(
                    shortcoming_id=earlier["shortcoming_id"],
                    by_shortcoming_id=str(new_id),
                    in_year=plan.year,
                    recurred_on=on,
                    marked_by=signer.actor,
                )
                saved.append(earlier_plan)
            created.append(new_id)
            return saved

        self._run(command, signer, work)
        return created[0]

    @handle.register
    def _(self, command: mc.AdoptRemediationPlan, signer: Signer) -> UUID:
        if not command.shortcoming_ids:
            raise DomainError("remediation.shortcomings_required")

        def work() -> list[Aggregate]:
            plans = {self._plan_of(s).id for s in command.shortcoming_ids}
            if len(plans) != 1:
                raise DomainError("remediation.plan_mixes_subjects")
            plan = self.plan(plans.pop())
            self._authorise(signer.actor, "remediation.plan", plan.place_id)
            self.app._get(
                PartyMember, command.responsible_member_id, "member.not_found"
            )
            self.app._get(Organisation, command.supervisor_org_id, "org.not_found")
            plan.adopt_plan(
                shortcoming_ids=[str(s) for s in command.shortcoming_ids],
                measures=list(command.measures),
                responsible_member_id=command.responsible_member_id,
                deadline=command.deadline,
                supervisor=command.supervisor,
                supervisor_org_id=command.supervisor_org_id,
                adopted_on=command.adopted_on or self.app.today(),
                adopted_by=signer.actor,
            )
            return [plan]

        self._run(command, signer, work)
        return self._plan_of(command.shortcoming_ids[0]).id

    @handle.register
    def _(self, command: mc.ReportRemediationProgress, signer: Signer) -> UUID:
        def work() -> list[Aggregate]:
            plan = self._plan_of(command.shortcoming_id)
            self._subject_actor(signer.actor, "remediation.report", plan)
            plan.report_progress(
                shortcoming_id=str(command.shortcoming_id),
                text=command.text,
                reported_on=command.reported_on or self.app.today(),
                document_reference=command.document_reference,
                document_sha256=command.document_sha256,
                reported_by=signer.actor,
            )
            return [plan]

        self._run(command, signer, work)
        return command.shortcoming_id

    @handle.register
    def _(self, command: mc.ClaimRemediation, signer: Signer) -> UUID:
        def work() -> list[Aggregate]:
            plan = self._plan_of(command.shortcoming_id)
            self._subject_actor(signer.actor, "remediation.claim", plan)
            plan.claim_completion(
                shortcoming_id=str(command.shortcoming_id),
                summary=command.summary,
                claimed_on=command.claimed_on or self.app.today(),
                claimed_by=signer.actor,
            )
            return [plan]

        self._run(command, signer, work)
        return command.shortcoming_id

    @handle.register
    def _(self, command: mc.VerifyRemediation, signer: Signer) -> UUID:
        def work() -> list[Aggregate]:
            plan = self._plan_of(command.shortcoming_id)
            plan.verify(
                shortcoming_id=str(command.shortcoming_id),
                note=command.note,
                verified_on=command.verified_on or self.app.today(),
                verifier=self._verifier(signer.actor, plan),
                verified_by=signer.actor,
            )
            return [plan]

        self._run(command, signer, work)
        return command.shortcoming_id

    @handle.register
    def _(self, command: mc.RefuseRemediation, signer: Signer) -> UUID:
        def work() -> list[Aggregate]:
            plan = self._plan_of(command.shortcoming_id)
            plan.refuse(
                shortcoming_id=str(command.shortcoming_id),
                reason=command.reason,
                refused_on=command.refused_on or self.app.today(),
                verifier=self._verifier(signer.actor, plan),
                refused_by=signer.actor,
            )
            return [plan]

        self._run(command, signer, work)
        return command.shortcoming_id


__all__ = ["RemediationService", "plan_id", "shortcoming_id"]
