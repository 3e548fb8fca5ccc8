"""Handlers of the facts about a member the rules read (thông tin đảng viên):
posts, temporary cells, exemptions, leaves, disciplines, degradations,
confidence results, work situation, oversight.

Every one is in scope of the member's cell; a post or an oversight also of the
organisation it is held in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.members import PartyMember
from domain.organisations import Organisation, ParentFacts
from ledger.signing import Signer
from services import ids
from services import rating_commands as rc
from services.handlers.base import Services
from services.handlers.registry import handler

ACTION = "member.record_fact"


def record_member_fact(
    app: Services,
    signer: Signer,
    member_id: UUID,
    step: Callable[[PartyMember], None],
    also: Iterable[UUID] = (),
) -> UUID:
    """Get the member, check scope over their cell (and ``also``), apply, commit."""
    uow = app.uow

    def work() -> list[Aggregate]:
        member = uow.get(PartyMember, member_id, "member.not_found")
        account = uow.authorise(signer.actor, ACTION, member.cell_id)
        for org_id in also:
            uow.check_scope(account, ACTION, org_id)
        step(member)
        return [member]

    uow.commit(signer, work)
    return member_id


def org_facts(app: Services, org_id: UUID) -> ParentFacts:
    return app.uow.get(Organisation, org_id, "org.not_found").facts()


@handler(rc.AssignPost)
def assign_post(app: Services, command: rc.AssignPost, signer: Signer) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.assign_post(
            org=org_facts(app, command.org_id),
            role=command.role,
            since=command.since,
            assigned_by=signer.actor,
        ),
        also=[command.org_id],
    )


@handler(rc.EndPost)
def end_post(app: Services, command: rc.EndPost, signer: Signer) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.end_post(
            org_id=command.org_id, until=command.until, ended_by=signer.actor
        ),
        also=[command.org_id],
    )


@handler(rc.AttachTemporaryCell)
def attach_temporary_cell(
    app: Services, command: rc.AttachTemporaryCell, signer: Signer
) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.attach_temporary_cell(
            cell=org_facts(app, command.cell_id),
            since=command.since,
            attached_by=signer.actor,
        ),
    )


@handler(rc.DetachTemporaryCell)
def detach_temporary_cell(
    app: Services, command: rc.DetachTemporaryCell, signer: Signer
) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.detach_temporary_cell(
            until=command.until, detached_by=signer.actor
        ),
    )


@handler(rc.RecordExemption)
def record_exemption(
    app: Services, command: rc.RecordExemption, signer: Signer
) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.record_exemption(
            kind=command.kind,
            start=command.start,
            end=command.end,
            reference=command.reference,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.RecordLeave)
def record_leave(app: Services, command: rc.RecordLeave, signer: Signer) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.record_leave(
            kind=command.kind,
            start=command.start,
            end=command.end,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.RecordDiscipline)
def record_discipline(
    app: Services, command: rc.RecordDiscipline, signer: Signer
) -> UUID:
    ident = ids.discipline_id(command.member_id, command.decided_on, command.reference)
    if command.conduct_org_id is not None:
        app.uow.get(Organisation, command.conduct_org_id, "org.not_found")
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.record_discipline(
            discipline_id=str(ident),
            level=command.level,
            duty_related=command.duty_related,
            decided_on=command.decided_on,
            conduct_org_id=command.conduct_org_id,
            reference=command.reference,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.RecordDegradation)
def record_degradation(
    app: Services, command: rc.RecordDegradation, signer: Signer
) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.record_degradation(
            concluded_on=command.concluded_on,
            reference=command.reference,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.RecordConfidenceResult)
def record_confidence_result(
    app: Services, command: rc.RecordConfidenceResult, signer: Signer
) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.record_confidence_result(
            held_on=command.held_on,
            returned=command.returned,
            low=command.low,
            reference=command.reference,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.SetWorkSituation)
def set_work_situation(
    app: Services, command: rc.SetWorkSituation, signer: Signer
) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.set_work_situation(
            outside_political_system=command.outside_political_system,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.AssignOversight)
def assign_oversight(
    app: Services, command: rc.AssignOversight, signer: Signer
) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.assign_oversight(
            org=org_facts(app, command.org_id),
            since=command.since,
            assigned_by=signer.actor,
        ),
        also=[command.org_id],
    )


@handler(rc.EndOversight)
def end_oversight(app: Services, command: rc.EndOversight, signer: Signer) -> UUID:
    return record_member_fact(
        app,
        signer,
        command.member_id,
        lambda m: m.end_oversight(
            org_id=command.org_id, until=command.until, ended_by=signer.actor
        ),
        also=[command.org_id],
    )
