"""Remediation of shortcomings (khắc phục hạn chế, khuyết điểm; domain.md §6).

One :class:`RemediationPlan` per subject and cycle is the consistency boundary
(architecture.md §4): the shortcomings pointed out at that cycle's review, the
plan that answers them (measures, responsible person, deadline, supervising
body), the progress reports with their evidence, the completion claimed by the
subject or the secretary and the verification (or refusal, with its reason) by
the inspection committee or the higher level.

The state machine of one shortcoming, the carry-over into a later cycle and
the deadlines' urgency are in :mod:`domain.remediation_rules`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.remediation_rules import (
    ALLOWED,
    CAUSES,
    DUE_SOON_DAYS,
    MAX_REFERENCE,
    MAX_TEXT,
    PERSON_ROLES,
    SETTLED,
    SHA256_HEX,
    SOURCES,
    SUPERVISORS,
    Carried,
    Status,
    carried_into,
    is_carried,
    next_status,
    optional_text,
    required_text,
    urgency,
)
from domain.subjects import Subject
from domain.text import clean_text

FOLLOWS = frozenset({"merge", "split", "move"})
"""The reorganisations an open plan follows (a rename or a change of kind
leaves its place as it is; a dissolution is refused while anything remains)."""

__all__ = [
    "ALLOWED",
    "CAUSES",
    "DUE_SOON_DAYS",
    "MAX_REFERENCE",
    "MAX_TEXT",
    "PERSON_ROLES",
    "SETTLED",
    "SHA256_HEX",
    "SOURCES",
    "SUPERVISORS",
    "Carried",
    "RemediationPlan",
    "Status",
    "carried_into",
    "is_carried",
    "next_status",
    "urgency",
]


class RemediationPlan(Aggregate):
    """Khắc phục hạn chế, khuyết điểm of one subject after one cycle's review."""

    @classmethod
    def open(
        cls,
        *,
        plan_id: UUID,
        cycle_id: UUID,
        year: int,
        subject: Subject,
        opened_by: str,
    ) -> RemediationPlan:
        place = subject.org_id or subject.cell_id
        if not place:
            raise DomainError("remediation.subject_without_place")
        return cls._create(
            cls.Opened,  # type: ignore[attr-defined]
            id=plan_id,
            cycle_id=cycle_id,
            year=year,
            subject_key=subject.key,
            subject_kind=subject.kind,
            subject_name=subject.name,
            place_id=str(place),
            path=list(subject.path),
            opened_by=opened_by,
        )

    @event("Opened")
    def __init__(
        self,
        cycle_id: UUID,
        year: int,
        subject_key: str,
        subject_kind: str,
        subject_name: str,
        place_id: str,
        path: list[str],
        opened_by: str,
    ) -> None:
        self.cycle_id = cycle_id
        self.year = year
        self.subject_key = subject_key
        self.subject_kind = subject_kind
        self.subject_name = subject_name
        self.place_id = place_id
        # The subject's organisation (its own, or a member's chi bộ): the audit's
        # scope of this file.
        self.org_id = UUID(place_id)
        self.path = list(path)
        self.shortcomings: dict[str, dict[str, Any]] = {}
        self.plans: list[dict[str, Any]] = []

    # -- helpers ----
    def shortcoming(self, shortcoming_id: str) -> dict[str, Any]:
        found = self.shortcomings.get(str(shortcoming_id))
        if found is None:
            raise DomainError("remediation.shortcoming_not_found", id=shortcoming_id)
        return found

    def status_of(self, shortcoming_id: str) -> Status:
        return Status(self.shortcoming(shortcoming_id)["status"])

    def _step(self, shortcoming_id: str, step: str) -> dict[str, Any]:
        item = self.shortcoming(shortcoming_id)
        next_status(Status(item["status"]), step)
        return item

    def items(self) -> list[dict[str, Any]]:
        """Rows for :func:`carried_into`."""
        return [
            {
                "shortcoming_id": k,
                "year": self.year,
                "status": v["status"],
                "verified_on": v["verified_on"],
                "recurred_year": v["recurred_year"],
            }
            for k, v in sorted(self.shortcomings.items())
        ]

    # -- recording ----
    def record_shortcoming(
        self,
        *,
        shortcoming_id: UUID,
        source: str,
        description: str,
        cause: str,
        recorded_on: date,
        collective_responsibility: str | None,
        persons: Sequence[Mapping[str, Any]],
        eligible_persons: Mapping[str, str],
        review_id: UUID | None,
        review_subject_key: str | None,
        recurrence_of: Mapping[str, Any] | None,
        recorded_by: str,
    ) -> None:
        """A hạn chế, khuyết điểm pointed out at this cycle's review.

        ``eligible_persons`` maps the member ids who may be named (for a
        collective: its head and members, with their role) to their role;
        ``review_subject_key`` is the subject of the linked review (facts the
        service read); ``recurrence_of`` is the earlier shortcoming found again
        (``shortcoming_id``, ``subject_key``, ``year``, ``status``)."""
        if str(shortcoming_id) in self.shortcomings:
            raise DomainError("remediation.shortcoming_exists")
        if source not in SOURCES:
            raise DomainError("remediation.source_unknown", source=source)
        if cause not in CAUSES:
            raise DomainError("remediation.cause_unknown", cause=cause)
        if review_id is not None and review_subject_key != self.subject_key:
            raise DomainError("remediation.review_mismatch")
        collective = self.subject_kind == "collective"
        if collective_responsibility and not collective:
            raise DomainError("remediation.collective_only")
        named: list[dict[str, Any]] = []
        seen: set[str] = set()
        for person in persons:
            member = str(person["member_id"])
            if not collective:
                raise DomainError("remediation.collective_only")
            if member not in eligible_persons:
                raise DomainError("remediation.person_not_in_collective")
            if member in seen:
                raise DomainError("remediation.person_twice")
            seen.add(member)
            named.append(
                {
                    "member_id": member,
                    "role": eligible_persons[member],
                    "responsibility": required_text(
                        str(person.get("responsibility", "")),
                        "remediation.responsibility_required",
                        multiline=True,
                    ),
                }
            )
        earlier = None
        if recurrence_of is not None:
            if recurrence_of["subject_key"] != self.subject_key:
                raise DomainError("remediation.recurrence_other_subject")
            if int(recurrence_of["year"]) >= self.year:
                raise DomainError("remediation.recurrence_not_earlier")
            if Status(recurrence_of["status"]) is Status.RECURRED:
                raise DomainError("remediation.already_recurred")
            earlier = str(recurrence_of["shortcoming_id"])
        self._recorded(
            shortcoming_id=str(shortcoming_id),
            source=source,
            description=required_text(
                description, "remediation.description_required", multiline=True
            ),
            cause=cause,
            recorded_on=recorded_on,
            collective_responsibility=optional_text(
                collective_responsibility, multiline=True
            ),
            persons=sorted(named, key=lambda p: (p["role"] != "head", p["member_id"])),
            review_id=review_id,
            recurrence_of=earlier,
            recorded_by=recorded_by,
        )

    @event("ShortcomingRecorded")
    def _recorded(
        self,
        shortcoming_id: str,
        source: str,
        description: str,
        cause: str,
        recorded_on: date,
        collective_responsibility: str | None,
        persons: list[dict[str, Any]],
        review_id: UUID | None,
        recurrence_of: str | None,
        recorded_by: str,
    ) -> None:
        self.shortcomings[shortcoming_id] = {
            "source": source,
            "description": description,
            "cause": cause,
            "recorded_on": recorded_on,
            "recurrence_of": recurrence_of,
            "status": Status.OPEN.value,
            "plan": None,
            "claim": None,
            "verified_on": None,
            "recurred_year": None,
            "refusals": 0,
            "progress": 0,
        }

    def mark_recurred(
        self,
        *,
        shortcoming_id: str,
        by_shortcoming_id: str,
        in_year: int,
        recurred_on: date,
        marked_by: str,
    ) -> None:
        """A later cycle found this shortcoming again (in the same command that
        records the new one)."""
        self._step(shortcoming_id, "recur")
        if in_year <= self.year:
            raise DomainError("remediation.recurrence_not_earlier")
        self._recurred(
            shortcoming_id=str(shortcoming_id),
            by_shortcoming_id=str(by_shortcoming_id),
            in_year=in_year,
            recurred_on=recurred_on,
            marked_by=marked_by,
        )

    @event("ShortcomingRecurred")
    def _recurred(
        self,
        shortcoming_id: str,
        by_shortcoming_id: str,
        in_year: int,
        recurred_on: date,
        marked_by: str,
    ) -> None:
        item = self.shortcomings[shortcoming_id]
        item["status"] = Status.RECURRED.value
        item["recurred_year"] = in_year

    # -- the plan ----
    def adopt_plan(
        self,
        *,
        shortcoming_ids: Sequence[str],
        measures: Sequence[str],
        responsible_member_id: UUID,
        deadline: date,
        supervisor: str,
        supervisor_org_id: UUID,
        adopted_on: date,
        adopted_by: str,
    ) -> None:
        """Kế hoạch khắc phục: measures, who answers for it, by when, supervised
        by the inspection committee or the higher committee."""
        ids = sorted({str(i) for i in shortcoming_ids})
        if not ids:
            raise DomainError("remediation.shortcomings_required")
        for ident in ids:
            self._step(ident, "plan")
        cleaned = [clean_text(m) for m in measures if clean_text(m)]
        if not cleaned:
            raise DomainError("remediation.measures_required")
        if any(len(m) > MAX_TEXT for m in cleaned):
            raise DomainError("remediation.text_too_long", limit=MAX_TEXT)
        if supervisor not in SUPERVISORS:
            raise DomainError("remediation.supervisor_unknown", supervisor=supervisor)
        if deadline < adopted_on:
            raise DomainError("remediation.deadline_in_past")
        self._plan_adopted(
            plan_no=len(self.plans) + 1,
            shortcoming_ids=ids,
            measures=cleaned,
            responsible_member_id=responsible_member_id,
            deadline=deadline,
            supervisor=supervisor,
            supervisor_org_id=supervisor_org_id,
            adopted_on=adopted_on,
            adopted_by=adopted_by,
        )

    @event("RemediationPlanAdopted")
    def _plan_adopted(
        self,
        plan_no: int,
        shortcoming_ids: list[str],
        measures: list[str],
        responsible_member_id: UUID,
        deadline: date,
        supervisor: str,
        supervisor_org_id: UUID,
        adopted_on: date,
        adopted_by: str,
    ) -> None:
        self.plans.append(
            {
                "plan_no": plan_no,
                "shortcoming_ids": list(shortcoming_ids),
                "measures": list(measures),
                "responsible_member_id": responsible_member_id,
                "deadline": deadline,
                "supervisor": supervisor,
                "supervisor_org_id": supervisor_org_id,
            }
        )
        for ident in shortcoming_ids:
            item = self.shortcomings[ident]
            item["plan"] = plan_no
            item["status"] = Status.IN_PROGRESS.value

    # -- a reorganisation (sắp xếp, tổ chức lại; issue 12) ----
    @property
    def is_open(self) -> bool:
        """Some shortcoming still waits for someone (not verified, not recurred)."""
        return any(
            Status(v["status"]) not in SETTLED for v in self.shortcomings.values()
        )

    def follow(
        self,
        *,
        how: str,
        decision_no: str,
        effective_on: date,
        place_id: UUID,
        path: Sequence[UUID],
        supervisors: Mapping[UUID, UUID],
        moved_by: str,
    ) -> None:
        """The open plan follows its subject's organisation to where the
        reorganisation decision puts it: ``place_id`` (the successor, or the
        place itself when only its parent changed) and its ``path`` now;
        ``path`` is nearest first, like the subject's; ``supervisors`` maps a
        supervising organisation that ended to its successor. The earlier place
        stays in the plan's history."""
        if how not in FOLLOWS:
            raise DomainError("remediation.follow_unknown", how=how)
        if not self.is_open:
            raise DomainError("remediation.plan_closed")
        if not path or path[0] != place_id:
            raise DomainError("remediation.follow_path")
        named = {str(p["supervisor_org_id"]) for p in self.plans}
        self._followed(
            how=how,
            decision_no=decision_no,
            effective_on=effective_on,
            from_place_id=self.place_id,
            place_id=str(place_id),
            path=[str(o) for o in path],
            supervisors={
                str(old): str(new)
                for old, new in sorted(supervisors.items())
                if str(old) in named
            },
            moved_by=moved_by,
        )

    @event("RemediationPlanFollowed")
    def _followed(
        self,
        how: str,
        decision_no: str,
        effective_on: date,
        from_place_id: str,
        place_id: str,
        path: list[str],
        supervisors: dict[str, str],
        moved_by: str,
    ) -> None:
        self.place_id = place_id
        self.org_id = UUID(place_id)
        self.path = list(path)
        for plan in self.plans:
            new = supervisors.get(str(plan["supervisor_org_id"]))
            if new is not None:
                plan["supervisor_org_id"] = UUID(new)

    def plan_of(self, shortcoming_id: str) -> dict[str, Any] | None:
        number = self.shortcoming(shortcoming_id)["plan"]
        return self.plans[number - 1] if number else None

    # -- progress and completion ----
    def report_progress(
        self,
        *,
        shortcoming_id: str,
        text: str,
        reported_on: date,
        document_reference: str | None,
        document_sha256: str | None,
        reported_by: str,
    ) -> None:
        """Báo cáo tiến độ with its evidence (a reference to a document and, when
        given, the SHA-256 of its bytes; never the file itself)."""
        item = self.shortcoming(shortcoming_id)
        if item["plan"] is None:
            raise DomainError("remediation.plan_required")
        self._step(shortcoming_id, "progress")
        digest = (document_sha256 or "").strip().lower() or None
        if digest is not None and not SHA256_HEX.fullmatch(digest):
            raise DomainError("remediation.document_hash_invalid")
        reference = optional_text(document_reference, MAX_REFERENCE)
        if digest is not None and reference is None:
            raise DomainError("remediation.document_reference_required")
        self._progress_reported(
            shortcoming_id=str(shortcoming_id),
            text=required_text(text, "remediation.text_required", multiline=True),
            reported_on=reported_on,
            document_reference=reference,
            document_sha256=digest,
            reported_by=reported_by,
        )

    @event("RemediationProgressReported")
    def _progress_reported(
        self,
        shortcoming_id: str,
        text: str,
        reported_on: date,
        document_reference: str | None,
        document_sha256: str | None,
        reported_by: str,
    ) -> None:
        item = self.shortcomings[shortcoming_id]
        item["status"] = Status.IN_PROGRESS.value
        item["progress"] += 1

    def claim_completion(
        self, *, shortcoming_id: str, summary: str, claimed_on: date, claimed_by: str
    ) -> None:
        """The subject (or the secretary) says the remedy is complete."""
        item = self.shortcoming(shortcoming_id)
        if item["plan"] is None:
            raise DomainError("remediation.plan_required")
        self._step(shortcoming_id, "claim")
        self._claimed(
            shortcoming_id=str(shortcoming_id),
            summary=required_text(summary, "remediation.text_required", multiline=True),
            claimed_on=claimed_on,
            claimed_by=claimed_by,
        )

    @event("RemediationCompletionClaimed")
    def _claimed(
        self, shortcoming_id: str, summary: str, claimed_on: date, claimed_by: str
    ) -> None:
        item = self.shortcomings[shortcoming_id]
        item["status"] = Status.DONE.value
        item["claim"] = {"claimed_on": claimed_on, "claimed_by": claimed_by}

    @staticmethod
    def _check_verifier(
        item: Mapping[str, Any], on: date, actor: str, verifier: str
    ) -> None:
        if verifier not in SUPERVISORS:
            raise DomainError("remediation.supervisor_unknown", supervisor=verifier)
        claim = item["claim"]
        if claim is not None and on < claim["claimed_on"]:
            raise DomainError("remediation.verified_before_claim")
        if claim is not None and claim["claimed_by"] == actor:
            raise DomainError("remediation.verifier_is_claimant")

    def verify(
        self,
        *,
        shortcoming_id: str,
        note: str,
        verified_on: date,
        verifier: str,
        verified_by: str,
    ) -> None:
        """The supervising body checked it and closes it as remedied."""
        item = self._step(shortcoming_id, "verify")
        self._check_verifier(item, verified_on, verified_by, verifier)
        self._closed(
            shortcoming_id=str(shortcoming_id),
            outcome=Status.VERIFIED.value,
            note=optional_text(note, multiline=True),
            verified_on=verified_on,
            verifier=verifier,
            closed_by=verified_by,
        )

    @event("RemediationClosed")
    def _closed(
        self,
        shortcoming_id: str,
        outcome: str,
        note: str | None,
        verified_on: date,
        verifier: str,
        closed_by: str,
    ) -> None:
        item = self.shortcomings[shortcoming_id]
        item["status"] = outcome
        item["verified_on"] = verified_on

    def refuse(
        self,
        *,
        shortcoming_id: str,
        reason: str,
        refused_on: date,
        verifier: str,
        refused_by: str,
    ) -> None:
        """Not remedied: back to the subject, with the reason."""
        item = self._step(shortcoming_id, "refuse")
        self._check_verifier(item, refused_on, refused_by, verifier)
        self._refused(
            shortcoming_id=str(shortcoming_id),
            reason=required_text(reason, "remediation.reason_required", multiline=True),
            refused_on=refused_on,
            verifier=verifier,
            refused_by=refused_by,
        )

    @event("RemediationRefused")
    def _refused(
        self,
        shortcoming_id: str,
        reason: str,
        refused_on: date,
        verifier: str,
        refused_by: str,
    ) -> None:
        item = self.shortcomings[shortcoming_id]
        item["status"] = Status.NOT_DONE.value
        item["claim"] = None
        item["refusals"] += 1
