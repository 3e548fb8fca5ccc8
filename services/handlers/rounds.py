"""Handlers of rating rounds (phiên xếp loại) of one authority in a cycle: open,
peer groups, quota exceptions, self-rating, proposals, holds, mitigation,
decisions and re-ratings."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import permissions
from domain.accounts import UserAccount
from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.evaluation import Assessment, SubjectFacts, parse_points
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.ratings import RatingRound
from domain.rulebooks import parse_level
from domain.subjects import Subject
from domain.succession import Carrier, revising_candidates, succession_record
from ledger.signing import Signer
from services import rating_commands as rc
from services.handlers.base import Services
from services.handlers.registry import handler
from services.handlers.succession import carriers_for, carry_into, ensure_active
from services.rating_ids import round_id

# Checked against the subject rated, not the round's authority.
SUBJECT_SCOPED = frozenset({"rating.self_rate", "rating.propose"})


@handler(rc.OpenRound)
def open_round(app: Services, command: rc.OpenRound, signer: Signer) -> UUID:
    uow = app.uow
    ident = round_id(command.cycle_id, command.authority_org_id)

    def work() -> list[Aggregate]:
        uow.authorise(signer.actor, "rating.decide", command.authority_org_id)
        cycle = uow.read(ReviewCycle, command.cycle_id, "cycle.not_found")
        org = uow.read(Organisation, command.authority_org_id, "org.not_found")
        ensure_authority_active(app, org)
        if uow.exists(ident):
            raise DomainError("rating.round_exists")
        opened = RatingRound.open(
            round_id=ident,
            cycle=cycle,
            authority_org_id=org.id,
            authority_name=org.name,
            opened_by=signer.actor,
        )
        # A successor's round takes over what its predecessors left undecided.
        carry_into(app, cycle, opened, signer.actor)
        return [opened]

    uow.commit(signer, work)
    return ident


def ensure_authority_active(app: Services, org: Organisation) -> None:
    """An organisation that ended (merged, split, dissolved) rates no more: its
    successor does, once the cycle's subjects are refreshed (docs/rules.md,
    "Reviews and ratings across a change"); the refusal names the successors."""
    ensure_active(app, org, "rating.authority_ended", "authority")


def round_step(
    app: Services,
    signer: Signer,
    ident: UUID,
    action: str,
    step: Callable[[RatingRound, ReviewCycle, UserAccount], None],
    decided: str | None = None,
) -> UUID:
    """Get the round, read its cycle, check scope on the authority, apply.
    ``decided``: the subject of a step that, on a decided subject, the
    successor of an authority that ended takes in its round (a verification
    of the decision: hold, release)."""
    uow = app.uow

    def work() -> list[Aggregate]:
        rating = uow.get(RatingRound, ident, "rating.round_not_found")
        cycle = uow.read(ReviewCycle, rating.cycle_id, "cycle.not_found")
        authority = uow.read(Organisation, rating.authority_org_id, "org.not_found")
        if (
            authority.dissolved
            and decided is not None
            and rating.decision_of(decided) is not None
        ):
            successor_acting(app, signer.actor, action, authority, cycle, decided)
            account = uow.authorise(signer.actor, action)
        else:
            scope = None if action in SUBJECT_SCOPED else rating.authority_org_id
            account = uow.authorise(signer.actor, action, scope)
            ensure_authority_active(app, authority)
        step(rating, cycle, account)
        return [rating]

    uow.commit(signer, work)
    return ident


def subject_in_scope(
    app: Services, account: UserAccount, cycle: ReviewCycle, key: str, action: str
) -> Subject:
    """The subject, if the account may act on it: a plain member on themself
    only, others on the subjects in their branch
    (``domain.permissions.require_own_or_branch``)."""
    subject = cycle.subject(key)
    place = subject.org_id or subject.cell_id
    member = subject.member_id
    permissions.require_own_or_branch(
        app.uow.viewer(account),
        action,
        app.uow.path(UUID(place)) if place else (),
        owner=UUID(member) if member else None,
        not_own="rating.self_rating_not_own",
    )
    return subject


def facts_if_rated(app: Services, cycle: ReviewCycle, subject: Subject) -> SubjectFacts:
    if subject.exempt:
        return SubjectFacts()  # the round refuses it with its reason
    return app.ratings.facts(cycle, subject)


@handler(rc.DefinePeerGroup)
def define_peer_group(
    app: Services, command: rc.DefinePeerGroup, signer: Signer
) -> UUID:
    return round_step(
        app,
        signer,
        command.round_id,
        "rating.peer_group",
        lambda r, c, _a: r.define_peer_group(
            code=command.code,
            name=command.name,
            members=list(command.members),
            cycle=c,
            defined_by=signer.actor,
        ),
    )


@handler(rc.GrantQuotaException)
def grant_quota_exception(
    app: Services, command: rc.GrantQuotaException, signer: Signer
) -> UUID:
    return round_step(
        app,
        signer,
        command.round_id,
        "rating.decide",
        lambda r, c, _a: r.grant_quota_exception(
            code=command.code,
            ratio_pct=command.ratio_pct,
            justification=command.justification,
            cycle=c,
            granted_by=signer.actor,
        ),
    )


@handler(rc.SelfRate)
def self_rate(app: Services, command: rc.SelfRate, signer: Signer) -> UUID:
    def step(rating: RatingRound, cycle: ReviewCycle, account: UserAccount) -> None:
        subject = subject_in_scope(
            app, account, cycle, command.subject_key, "rating.self_rate"
        )
        points: dict[str, Fraction] = {
            code: parse_points(value) for code, value in command.points.items()
        }
        facts = facts_if_rated(app, cycle, subject)
        # The counts are the remediation view's, never typed in (issue 6).
        carried = facts.remediation
        assessment = Assessment(
            level=parse_level(command.level),
            points=points,
            met=frozenset(command.met),
            tasks_total=command.tasks_total,
            tasks_on_time=command.tasks_on_time,
            tasks_exceeded=command.tasks_exceeded,
            tasks_late=command.tasks_late,
            tasks_not_done=command.tasks_not_done,
            shortcomings_total=len(carried.carried) if carried else 0,
            shortcomings_remedied=len(carried.verified) if carried else 0,
        )
        rating.self_rate(
            subject_key=command.subject_key,
            assessment=assessment,
            cycle=cycle,
            facts=facts,
            rated_by=signer.actor,
        )

    return round_step(app, signer, command.round_id, "rating.self_rate", step)


@handler(rc.ProposeRating)
def propose_rating(app: Services, command: rc.ProposeRating, signer: Signer) -> UUID:
    def step(rating: RatingRound, cycle: ReviewCycle, account: UserAccount) -> None:
        subject = subject_in_scope(
            app, account, cycle, command.subject_key, "rating.propose"
        )
        rating.propose(
            subject_key=command.subject_key,
            level=command.level,
            note=command.note,
            cycle=cycle,
            facts=facts_if_rated(app, cycle, subject),
            proposed_by=signer.actor,
            proposer_org_id=account.org_id,
        )

    return round_step(app, signer, command.round_id, "rating.propose", step)


@handler(rc.HoldRating)
def hold_rating(app: Services, command: rc.HoldRating, signer: Signer) -> UUID:
    return round_step(
        app,
        signer,
        command.round_id,
        "rating.hold",
        lambda r, c, _a: r.hold(
            subject_key=command.subject_key,
            reason=command.reason,
            note=command.note,
            cycle=c,
            held_by=signer.actor,
        ),
        decided=command.subject_key,
    )


@handler(rc.ReleaseRating)
def release_rating(app: Services, command: rc.ReleaseRating, signer: Signer) -> UUID:
    return round_step(
        app,
        signer,
        command.round_id,
        "rating.decide",
        lambda r, _c, _a: r.release(
            subject_key=command.subject_key,
            finding=command.finding,
            released_by=signer.actor,
        ),
        decided=command.subject_key,
    )


@handler(rc.DecideMitigation)
def decide_mitigation(
    app: Services, command: rc.DecideMitigation, signer: Signer
) -> UUID:
    return round_step(
        app,
        signer,
        command.round_id,
        "rating.decide",
        lambda r, c, _a: r.decide_mitigation(
            subject_key=command.subject_key,
            trigger=command.trigger,
            mitigated=command.mitigated,
            justification=command.justification,
            cycle=c,
            facts=facts_if_rated(app, c, c.subject(command.subject_key)),
            decided_by=signer.actor,
        ),
    )


@handler(rc.DecideRating)
def decide_rating(app: Services, command: rc.DecideRating, signer: Signer) -> UUID:
    return round_step(
        app,
        signer,
        command.round_id,
        "rating.decide",
        lambda r, c, _a: r.decide(
            subject_key=command.subject_key,
            level=command.level,
            decision_no=command.decision_no,
            decided_on=command.decided_on,
            justification=command.justification,
            cycle=c,
            facts=facts_if_rated(app, c, c.subject(command.subject_key)),
            external=app.ratings.decided_levels(c, r.id),
            decided_by=signer.actor,
        ),
    )


@handler(rc.ReRate)
def rerate(app: Services, command: rc.ReRate, signer: Signer) -> UUID:
    """Huỷ bỏ and xếp loại lại (366 Điều 15.3). A decision of an authority that
    has since ended is revised by the organisation that carries it on and holds
    the subject now, in the round that holds the decision; the revision records
    the succession it relied on (docs/rules.md)."""
    uow = app.uow

    def work() -> list[Aggregate]:
        rating = uow.get(RatingRound, command.round_id, "rating.round_not_found")
        cycle = uow.read(ReviewCycle, rating.cycle_id, "cycle.not_found")
        authority = uow.read(Organisation, rating.authority_org_id, "org.not_found")
        succession = None
        if authority.dissolved:
            successor = successor_acting(
                app,
                signer.actor,
                "rating.decide",
                authority,
                cycle,
                command.subject_key,
            )
            succession = succession_record(str(authority.id), authority.name, successor)
        else:
            uow.authorise(signer.actor, "rating.decide", rating.authority_org_id)
        rating.rerate(
            subject_key=command.subject_key,
            level=command.level,
            decision_no=command.decision_no,
            decided_on=command.decided_on,
            reason=command.reason,
            chair_responsibility=command.chair_responsibility,
            cycle=cycle,
            facts=facts_if_rated(app, cycle, cycle.subject(command.subject_key)),
            external=app.ratings.decided_levels(cycle, rating.id),
            decided_by=signer.actor,
            succession=succession,
        )
        return [rating]

    uow.commit(signer, work)
    return command.round_id


def current_path(app: Services, subject: Subject) -> list[str]:
    """The organisations above the subject's place in today's tree: a member's
    chi bộ now (it may have changed with the decision), a collective itself."""
    if subject.member_id:
        member = app.uow.read(PartyMember, UUID(subject.member_id), "member.not_found")
        place = member.cell_id
    else:
        place = UUID(str(subject.org_id))
    return [str(org) for org in app.uow.path(place)]


def successor_acting(
    app: Services,
    actor: str,
    action: str,
    authority: Organisation,
    cycle: ReviewCycle,
    key: str,
) -> Carrier:
    """The organisation that carries the ended ``authority`` on and holds the
    subject ``key`` now (``domain.succession.revising_candidates``), in whose
    branch ``actor`` may ``action``. Refused ``auth.out_of_scope`` (or
    ``auth.office_ended``) outside every such branch; ``rating.authority_ended``
    when the authority was dissolved without successor."""
    candidates = revising_candidates(
        carriers_for(app, authority.id), current_path(app, cycle.subject(key))
    )
    successor = authorise_successor(app, actor, action, candidates)
    if successor is None:  # dissolved without a successor
        app.uow.authorise(actor, action, authority.id)
        raise DomainError(
            "rating.authority_ended", authority=authority.name, successors=[]
        )
    return successor


def authorise_successor(
    app: Services, actor: str, action: str, candidates: list[Carrier]
) -> Carrier | None:
    """The first of ``candidates`` the actor may ``action`` for; None if there
    are none; ``auth.out_of_scope`` (or ``auth.office_ended``) if it may act
    for none of them."""
    refused: DomainError | None = None
    for candidate in candidates:
        try:
            app.uow.authorise(actor, action, UUID(candidate.org_id))
        except DomainError as error:
            if error.code not in (permissions.OUT_OF_SCOPE, permissions.OFFICE_ENDED):
                raise
            refused = refused or error
        else:
            return candidate
    if refused is not None:
        raise refused
    return None
