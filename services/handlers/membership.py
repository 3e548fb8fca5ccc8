"""Handlers of membership (đảng tịch): enrolment and transfer between cells.

Both check scope on every organisation they touch: enrolment the target cell,
a transfer the member's present cell and the target cell."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.members import MemberFacts, MembershipStatus, PartyMember, normalise_card
from domain.organisations import Organisation
from ledger.signing import Signer
from services import commands as c
from services import ids
from services.handlers.base import Services
from services.handlers.registry import handler


@handler(c.EnrolMember)
def enrol_member(app: Services, command: c.EnrolMember, signer: Signer) -> UUID:
    uow = app.uow
    member_id = ids.member_id(normalise_card(command.party_card_no))

    def work() -> list[Aggregate]:
        account = uow.authorise(signer.actor, "member.enrol")
        cell = uow.get(Organisation, command.cell_id, "org.not_found").facts()
        uow.check_scope(account, "member.enrol", command.cell_id)
        if uow.exists(member_id):
            raise DomainError("member.card_taken", value=command.party_card_no)
        try:
            status = MembershipStatus(command.status)
        except ValueError:
            raise DomainError("member.status_unknown") from None
        facts = MemberFacts(
            full_name=command.full_name,
            party_card_no=command.party_card_no,
            birth_date=command.birth_date,
            admission_date=command.admission_date,
            status=status,
        )
        return [
            PartyMember.enrol(
                member_id=member_id,
                facts=facts,
                cell=cell,
                today=uow.today(),
                enrolled_by=signer.actor,
            )
        ]

    uow.commit(signer, work)
    return member_id


@handler(c.TransferMember)
def transfer_member(app: Services, command: c.TransferMember, signer: Signer) -> UUID:
    uow = app.uow

    def work() -> list[Aggregate]:
        account = uow.authorise(signer.actor, "member.transfer")
        member = uow.get(PartyMember, command.member_id, "member.not_found")
        cell = uow.get(Organisation, command.cell_id, "org.not_found").facts()
        uow.check_scope(account, "member.transfer", member.cell_id)
        uow.check_scope(account, "member.transfer", command.cell_id)
        member.transfer(cell=cell, transferred_by=signer.actor)
        return [member]

    uow.commit(signer, work)
    return command.member_id
