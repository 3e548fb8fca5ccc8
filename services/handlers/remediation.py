"""Handlers of remediation (khắc phục hạn chế, issue 6): shortcomings, plans,
progress, claims, verification and refusal. Who may act: secretaries in scope
of the subject's place, the subject themself for their own progress, and the
inspection committee or a higher committee to verify."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import permissions
from domain.accounts import UserAccount
from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.remediation import RemediationPlan
from domain.reviews import Review
from domain.subjects import Subject, SubjectKey
from ledger.signing import Signer
from services import remediation_commands as mc
from services.handlers.base import Services
from services.handlers.registry import handler
from services.remediation import plan_id, shortcoming_id


def subject_actor(
    app: Services, actor: str, action: str, plan: RemediationPlan
) -> UserAccount:
    """The subject themself (a member's own) or a secretary in scope
    (``domain.permissions.require_own_or_branch``)."""
    uow = app.uow
    account = uow.actor_account(actor)
    permissions.require_own_or_branch(
        uow.viewer(account),
        action,
        uow.path(UUID(plan.place_id)),
        owner=SubjectKey.parse(plan.subject_key).member_id,
        not_own="remediation.not_own",
    )
    return account


def verifier(app: Services, actor: str, plan: RemediationPlan) -> str:
    """The inspection committee in scope, or a higher level's committee
    (``domain.permissions.verifying_body``)."""
    uow = app.uow
    account = uow.actor_account(actor)
    return permissions.verifying_body(
        uow.viewer(account), uow.path(UUID(plan.place_id))
    )


def eligible(cycle: ReviewCycle, subject: Subject) -> dict[str, str]:
    """Members who may be named for a collective: its head and members."""
    if not subject.is_collective:
        return {}
    org = subject.own_org
    found = {}
    for other in cycle.subjects.values():
        role = other.posts.get(org)
        if other.is_individual and role:
            found[str(other.member_id)] = "head" if role == "head" else "member"
    return found


@handler(mc.RecordShortcoming)
def record_shortcoming(
    app: Services, command: mc.RecordShortcoming, signer: Signer
) -> UUID:
    uow, service = app.uow, app.remediation
    ident = plan_id(command.cycle_id, command.subject_key)
    created: list[UUID] = []

    def work() -> list[Aggregate]:
        created.clear()
        cycle = uow.get(ReviewCycle, command.cycle_id, "cycle.not_found")
        subject = cycle.subject(command.subject_key)
        place = subject.org_id or subject.cell_id
        uow.authorise(signer.actor, "remediation.record", place)
        if uow.exists(ident):
            plan = service.plan(ident)
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
            review = uow.get(Review, command.review_id, "review.not_found")
            if review.cycle_id == cycle.id:
                review_subject = review.subject_key
        saved: list[Aggregate] = [plan]
        earlier: dict[str, Any] | None = None
        earlier_plan: RemediationPlan | None = None
        if command.recurrence_of is not None:
            earlier_plan = service.plan_of(command.recurrence_of)
            key = str(command.recurrence_of)
            earlier = {
                "shortcoming_id": key,
                "subject_key": earlier_plan.subject_key,
                "year": earlier_plan.year,
                "status": earlier_plan.status_of(key).value,
            }
        new_id = shortcoming_id(ident, len(plan.shortcomings) + 1)
        on = command.recorded_on or uow.today()
        plan.record_shortcoming(
            shortcoming_id=new_id,
            source=command.source,
            description=command.description,
            cause=command.cause,
            recorded_on=on,
            collective_responsibility=command.collective_responsibility,
            persons=[{"member_id": m, "responsibility": t} for m, t in command.persons],
            eligible_persons=eligible(cycle, subject),
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

    uow.commit(signer, work)
    return created[0]


@handler(mc.AdoptRemediationPlan)
def adopt_plan(app: Services, command: mc.AdoptRemediationPlan, signer: Signer) -> UUID:
    uow, service = app.uow, app.remediation
    if not command.shortcoming_ids:
        raise DomainError("remediation.shortcomings_required")

    def work() -> list[Aggregate]:
        plans = {service.plan_of(s).id for s in command.shortcoming_ids}
        if len(plans) != 1:
            raise DomainError("remediation.plan_mixes_subjects")
        plan = service.plan(plans.pop())
        uow.authorise(signer.actor, "remediation.plan", plan.place_id)
        uow.get(PartyMember, command.responsible_member_id, "member.not_found")
        uow.get(Organisation, command.supervisor_org_id, "org.not_found")
        plan.adopt_plan(
            shortcoming_ids=[str(s) for s in command.shortcoming_ids],
            measures=list(command.measures),
            responsible_member_id=command.responsible_member_id,
            deadline=command.deadline,
            supervisor=command.supervisor,
            supervisor_org_id=command.supervisor_org_id,
            adopted_on=command.adopted_on or uow.today(),
            adopted_by=signer.actor,
        )
        return [plan]

    uow.commit(signer, work)
    return service.plan_of(command.shortcoming_ids[0]).id


def plan_step(
    app: Services,
    signer: Signer,
    shortcoming: UUID,
    step: Callable[[RemediationPlan], None],
) -> UUID:
    """Get the plan holding ``shortcoming``, apply ``step`` (which checks who may
    act), commit."""

    def work() -> list[Aggregate]:
        plan = app.remediation.plan_of(shortcoming)
        step(plan)
        return [plan]

    app.uow.commit(signer, work)
    return shortcoming


@handler(mc.ReportRemediationProgress)
def report_progress(
    app: Services, command: mc.ReportRemediationProgress, signer: Signer
) -> UUID:
    def step(plan: RemediationPlan) -> None:
        subject_actor(app, signer.actor, "remediation.report", plan)
        plan.report_progress(
            shortcoming_id=str(command.shortcoming_id),
            text=command.text,
            reported_on=command.reported_on or app.uow.today(),
            document_reference=command.document_reference,
            document_sha256=command.document_sha256,
            reported_by=signer.actor,
        )

    return plan_step(app, signer, command.shortcoming_id, step)


@handler(mc.ClaimRemediation)
def claim_remediation(
    app: Services, command: mc.ClaimRemediation, signer: Signer
) -> UUID:
    def step(plan: RemediationPlan) -> None:
        subject_actor(app, signer.actor, "remediation.claim", plan)
        plan.claim_completion(
            shortcoming_id=str(command.shortcoming_id),
            summary=command.summary,
            claimed_on=command.claimed_on or app.uow.today(),
            claimed_by=signer.actor,
        )

    return plan_step(app, signer, command.shortcoming_id, step)


@handler(mc.VerifyRemediation)
def verify_remediation(
    app: Services, command: mc.VerifyRemediation, signer: Signer
) -> UUID:
    return plan_step(
        app,
        signer,
        command.shortcoming_id,
        lambda plan: plan.verify(
            shortcoming_id=str(command.shortcoming_id),
            note=command.note,
            verified_on=command.verified_on or app.uow.today(),
            verifier=verifier(app, signer.actor, plan),
            verified_by=signer.actor,
        ),
    )


@handler(mc.RefuseRemediation)
def refuse_remediation(
    app: Services, command: mc.RefuseRemediation, signer: Signer
) -> UUID:
    return plan_step(
        app,
        signer,
        command.shortcoming_id,
        lambda plan: plan.refuse(
            shortcoming_id=str(command.shortcoming_id),
            reason=command.reason,
            refused_on=command.refused_on or app.uow.today(),
            verifier=verifier(app, signer.actor, plan),
            refused_by=signer.actor,
        ),
    )
