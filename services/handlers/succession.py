"""What a handler asks about an organisation that ended (merged, split or
dissolved): the organisations that carry it on, and the refusal of an act at
or by it (the rules are ``domain.succession``; docs/rules.md, "Reviews and
ratings across a change")."""

from __future__ import annotations

from uuid import UUID

from domain.organisations import Organisation
from domain.succession import Carrier, ensure_not_ended
from services import succession_facts
from services.errors import NotFoundError
from services.handlers.base import Services


def carriers_for(app: Services, org_id: UUID) -> list[Carrier]:
    """The organisations that carry ``org_id`` on now (through every change)."""

    def active(org: str) -> bool:
        try:
            return not app.uow.read(Organisation, UUID(org), "org.not_found").dissolved
        except NotFoundError:
            return False

    return succession_facts.carriers_of(app.projections, org_id, active)


def ensure_active(app: Services, org: Organisation, code: str, role: str) -> None:
    """Refuse ``code`` if ``org`` has ended, naming its successors."""
    if org.dissolved:
        ensure_not_ended(
            ended=True,
            code=code,
            role=role,
            name=org.name,
            successors=carriers_for(app, org.id),
        )
