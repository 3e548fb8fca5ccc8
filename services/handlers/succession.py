"""What a handler asks about an organisation that ended (merged, split or
dissolved): the organisations that carry it on, the refusal of an act at or by
it, and the undecided rating steps carried to its successor's round (the rules
are ``domain.succession``; docs/rules.md, "Reviews and ratings across a
change")."""

from __future__ import annotations

from uuid import UUID

from domain.cycles import ReviewCycle
from domain.organisations import Organisation
from domain.ratings import RatingRound
from domain.succession import Carrier, ensure_not_ended
from services import succession_facts
from services.errors import NotFoundError
from services.handlers.base import Services
from services.rating_ids import round_id


def carriers_for(app: Services, org_id: UUID) -> list[Carrier]:
    """The organisations that carry ``org_id`` on now (through every change)."""
    return succession_facts.carriers_of(
        app.projections, org_id, lambda org: _active(app, org)
    )


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


def carry_into(
    app: Services, cycle: ReviewCycle, target: RatingRound, carried_by: str
) -> bool:
    """Carry into ``target`` the undecided steps (self-rating, proposal, open
    verification) its subjects left in the rounds of this cycle of the
    organisations that ended and that ``target``'s authority carries on
    (nearest first; ``RatingRound.carry_steps`` says what follows), then those
    rounds' peer groups where the decision said they follow
    (``RatingRound.carry_peer_groups``). Whether anything was carried."""
    uow = app.uow
    authority = target.authority_org_id
    chain = succession_facts.succession(app.projections, authority, cycle.year)
    carried = False
    for link in chain.predecessors:
        source_id = round_id(cycle.id, UUID(str(link["org_id"])))
        if not uow.exists(source_id):
            continue
        source = uow.read(RatingRound, source_id, "rating.round_not_found")
        links = next(
            (
                list(c.links)
                for c in carriers_for(app, source.authority_org_id)
                if c.org_id == str(authority)
            ),
            [],
        )
        for key, entry in list(source.entries.items()):
            body = (entry.proposal or {}).get("body")
            carried |= target.carry_steps(
                subject_key=key,
                source=source,
                succession=[dict(link) for link in links],
                body_active=body is not None and _active(app, str(body)),
                cycle=cycle,
                carried_by=carried_by,
            )
        ended = uow.read(Organisation, source.authority_org_id, "org.not_found")
        if ended.peer_groups_follow and source.groups:
            carried |= target.carry_peer_groups(
                source=source,
                how="merge" if ended.ended_how == "merged" else "split",
                succession=[dict(link) for link in links],
                cycle=cycle,
                carried_by=carried_by,
            )
    return carried


def _active(app: Services, org: str) -> bool:
    try:
        return not app.uow.read(Organisation, UUID(org), "org.not_found").dissolved
    except NotFoundError:
        return False
