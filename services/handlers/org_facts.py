"""Handlers of the facts about an organisation (thông tin tổ chức) the rules
read: sector, conclusions, task results, disciplined cases, discipline of the
organisation. Each is in scope of the organisation it is about."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.members import PartyMember
from domain.organisations import Organisation
from ledger.signing import Signer
from services import ids
from services import rating_commands as rc
from services.handlers.base import Services
from services.handlers.registry import handler


def record_org_fact(
    app: Services, signer: Signer, org_id: UUID, step: Callable[[Organisation], None]
) -> UUID:
    uow = app.uow

    def work() -> list[Aggregate]:
        org = uow.get(Organisation, org_id, "org.not_found")
        uow.authorise(signer.actor, "organisation.record_fact", org.id)
        step(org)
        return [org]

    uow.commit(signer, work)
    return org_id


@handler(rc.SetSector)
def set_sector(app: Services, command: rc.SetSector, signer: Signer) -> UUID:
    return record_org_fact(
        app,
        signer,
        command.org_id,
        lambda o: o.set_sector(sector=command.sector, set_by=signer.actor),
    )


@handler(rc.RecordConclusion)
def record_conclusion(
    app: Services, command: rc.RecordConclusion, signer: Signer
) -> UUID:
    return record_org_fact(
        app,
        signer,
        command.org_id,
        lambda o: o.record_conclusion(
            conclusion_id=ids.org_fact_id(
                o.id, command.kind, command.concluded_on, command.reference
            ),
            kind=command.kind,
            concluded_on=command.concluded_on,
            reference=command.reference,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.RecordTaskResults)
def record_task_results(
    app: Services, command: rc.RecordTaskResults, signer: Signer
) -> UUID:
    return record_org_fact(
        app,
        signer,
        command.org_id,
        lambda o: o.record_task_results(
            year=command.year,
            tasks_planned=command.tasks_planned,
            tasks_completed=command.tasks_completed,
            targets_apply=command.targets_apply,
            targets_failed=list(command.targets_failed),
            reference=command.reference,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.RecordCase)
def record_case(app: Services, command: rc.RecordCase, signer: Signer) -> UUID:
    if command.member_id is not None:
        app.uow.get(PartyMember, command.member_id, "member.not_found")
    return record_org_fact(
        app,
        signer,
        command.org_id,
        lambda o: o.record_case(
            case_id=ids.org_fact_id(
                o.id, command.kind, command.disciplined_on, command.reference
            ),
            kind=command.kind,
            disciplined_on=command.disciplined_on,
            member_id=command.member_id,
            reference=command.reference,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.RecordOrgDiscipline)
def record_org_discipline(
    app: Services, command: rc.RecordOrgDiscipline, signer: Signer
) -> UUID:
    return record_org_fact(
        app,
        signer,
        command.org_id,
        lambda o: o.record_discipline(
            discipline_id=ids.org_fact_id(
                o.id, command.level, command.decided_on, command.reference
            ),
            level=command.level,
            decided_on=command.decided_on,
            reference=command.reference,
            recorded_by=signer.actor,
        ),
    )
