"""Handler of criteria refined by a province or a unit (366 Điều 10)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.criteria import CriteriaRefinement
from domain.errors import DomainError
from domain.organisations import Organisation
from ledger.signing import Signer
from services import rating_commands as rc
from services.handlers.base import Services
from services.handlers.registry import handler
from services.rating_ids import criteria_id


@handler(rc.DefineCriteria)
def define_criteria(app: Services, command: rc.DefineCriteria, signer: Signer) -> UUID:
    uow = app.uow
    ident = criteria_id(command.org_id, command.appendix, command.from_year)

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "criteria.define", command.org_id)
        org = uow.get(Organisation, command.org_id, "org.not_found")
        if org.dissolved:
            raise DomainError("org.dissolved")
        if uow.exists(ident):
            raise DomainError("criteria.exists", year=command.from_year)
        return [
            CriteriaRefinement.define(
                refinement_id=ident,
                org_id=org.id,
                org_name=org.name,
                appendix=command.appendix,
                from_year=command.from_year,
                items=[
                    {
                        "code": code,
                        "group": group,
                        "max_points": points,
                        "title": title,
                    }
                    for code, group, points, title in command.items
                ],
                defined_by=signer.actor,
            )
        ]

    uow.commit(signer, work)
    return ident
