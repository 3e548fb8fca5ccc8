"""Handlers of the organisation tree (cây tổ chức): found, rename, dissolve."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.organisations import Organisation
from ledger.signing import Signer
from services import commands as c
from services import ids
from services.handlers.base import Services
from services.handlers.registry import handler


@handler(c.FoundOrganisation)
def found_organisation(
    app: Services, command: c.FoundOrganisation, signer: Signer
) -> UUID:
    uow = app.uow
    org_id = ids.organisation_id(command.code)

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "organisation.found", command.parent_id)
        parent = None
        if command.parent_id is not None:
            parent = uow.get(
                Organisation, command.parent_id, "org.parent_not_found"
            ).facts()
        if uow.exists(org_id):
            raise DomainError("org.code_taken", value=command.code)
        return [
            Organisation.found(
                org_id=org_id,
                code=command.code,
                name=command.name,
                kind=command.kind,
                parent=parent,
                founded_by=signer.actor,
            )
        ]

    uow.commit(signer, work)
    return org_id


@handler(c.RenameOrganisation)
def rename_organisation(
    app: Services, command: c.RenameOrganisation, signer: Signer
) -> UUID:
    uow = app.uow

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "organisation.rename", command.org_id)
        org = uow.get(Organisation, command.org_id, "org.not_found")
        org.rename(command.name, renamed_by=signer.actor)
        return [org]

    uow.commit(signer, work)
    return command.org_id


@handler(c.DissolveOrganisation)
def dissolve_organisation(
    app: Services, command: c.DissolveOrganisation, signer: Signer
) -> UUID:
    uow = app.uow

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "organisation.dissolve", command.org_id)
        org = uow.get(Organisation, command.org_id, "org.not_found")
        org.dissolve(reason=command.reason, dissolved_by=signer.actor)
        return [org]

    uow.commit(signer, work)
    return command.org_id
