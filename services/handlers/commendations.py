"""Handler of commendations (khen thưởng): one award decision, in scope of the
awarding organisation."""

from __future__ import annotations

from uuid import UUID

from domain.commendations import Commendation
from domain.errors import DomainError
from domain.organisations import Organisation
from domain.subjects import org_class
from ledger.signing import Signer
from services.commendations import GrantAward, award_id
from services.handlers.base import Services
from services.handlers.registry import handler

ACTION = "commendation.grant"


@handler(GrantAward)
def grant_award(app: Services, command: GrantAward, signer: Signer) -> UUID:
    uow, service = app.uow, app.commendations
    ident = award_id(command.subject_key, command.kind, command.year)

    def work() -> list[Commendation]:
        uow.authorise(signer.actor, ACTION, command.awarding_org_id)
        tree = app.ratings.tree()
        org = uow.get(Organisation, command.awarding_org_id, "org.not_found")
        subject = service.award_subject(command.subject_key, command.year)
        if subject is None:
            raise DomainError("commendation.subject_unknown")
        if uow.exists(ident):
            raise DomainError("commendation.exists", year=command.year)
        history = {
            y: {"level": r["level"], "decision_no": r["decision_no"]}
            for y, r in service.levels(command.subject_key).items()
        }
        return [
            Commendation.grant(
                award_id=ident,
                subject_key=command.subject_key,
                subject_name=subject["name"],
                subject_kind=subject["kind"],
                subject_path=subject["path"],
                kind=command.kind,
                year=command.year,
                history=history,
                five_year=service.five_year,
                awarding_org_id=org.id,
                awarding_org_name=org.name,
                awarding_class=org_class(tree, tree[org.id]),
                decision_no=command.decision_no,
                decided_on=command.decided_on,
                granted_by=signer.actor,
            )
        ]

    uow.commit(signer, work)
    return ident
