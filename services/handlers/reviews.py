"""Handlers of reviews (cuộc kiểm điểm) at one venue: open, report circulated,
self-review, comments, suggestions, opinions, meeting. In scope of the venue."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.cycles import ReviewCycle
from domain.errors import DomainError
from domain.members import PartyMember
from domain.organisations import Organisation
from domain.reviews import (
    Participant,
    Review,
    review_participants,
    review_prerequisites,
)
from ledger.signing import Signer
from services import rating_commands as rc
from services.handlers.base import Services
from services.handlers.registry import handler
from services.handlers.succession import ensure_active
from services.rating_ids import review_id

ACTION = "review.record"


@handler(rc.OpenReview)
def open_review(app: Services, command: rc.OpenReview, signer: Signer) -> UUID:
    uow = app.uow
    ident = review_id(command.cycle_id, command.subject_key, command.venue_id)

    def work() -> list[Aggregate]:
        # Only read (the review is saved, not the cycle): no copy of a cycle
        # that holds every subject of a province.
        cycle = uow.read(ReviewCycle, command.cycle_id, "cycle.not_found")
        cycle.ensure_open()
        uow.authorise(signer.actor, ACTION, command.venue_id)
        venue = uow.read(Organisation, command.venue_id, "org.not_found")
        ensure_active(app, venue, "review.venue_ended", "venue")
        if uow.exists(ident):
            raise DomainError("review.exists")
        return [
            Review.open(
                review_id=ident,
                cycle_id=cycle.id,
                subject=cycle.subject(command.subject_key),
                venue_id=str(command.venue_id),
                opened_by=signer.actor,
            )
        ]

    uow.commit(signer, work)
    return ident


def review_step(
    app: Services,
    signer: Signer,
    ident: UUID,
    step: Callable[[Review, ReviewCycle], None],
) -> UUID:
    """Get the review, read its (open) cycle, check scope on the venue (an
    organisation that has not ended), apply."""
    uow = app.uow

    def work() -> list[Aggregate]:
        review = uow.get(Review, ident, "review.not_found")
        cycle = uow.read(ReviewCycle, review.cycle_id, "cycle.not_found")
        cycle.ensure_open()
        uow.authorise(signer.actor, ACTION, review.venue_id)
        venue = uow.read(Organisation, UUID(review.venue_id), "org.not_found")
        ensure_active(app, venue, "review.venue_ended", "venue")
        step(review, cycle)
        return [review]

    uow.commit(signer, work)
    return ident


@handler(rc.CirculateReport)
def circulate_report(
    app: Services, command: rc.CirculateReport, signer: Signer
) -> UUID:
    return review_step(
        app,
        signer,
        command.review_id,
        lambda r, _c: r.circulate_report(
            sections={"results": command.summary, **command.sections},
            circulated_on=command.circulated_on,
            circulated_by=signer.actor,
        ),
    )


@handler(rc.SubmitSelfReview)
def submit_self_review(
    app: Services, command: rc.SubmitSelfReview, signer: Signer
) -> UUID:
    return review_step(
        app,
        signer,
        command.review_id,
        lambda r, c: r.submit_self_review(
            appendix=c.subject(r.subject_key).appendix,
            form=command.form,
            sections=command.sections,
            submitted_by=signer.actor,
        ),
    )


@handler(rc.AddComment)
def add_comment(app: Services, command: rc.AddComment, signer: Signer) -> UUID:
    def step(review: Review, _cycle: ReviewCycle) -> None:
        author = app.uow.read(PartyMember, command.author_member_id, "member.not_found")
        venue = app.uow.read(Organisation, UUID(review.venue_id), "org.not_found")
        review.add_comment(
            author=Participant(
                member_id=str(author.id),
                cell_id=str(author.cell_id),
                post_org_ids=frozenset(author.posts),
            ),
            participants=review_participants(review.venue_id, venue.kind.value),
            text=command.text,
            commented_by=signer.actor,
        )

    return review_step(app, signer, command.review_id, step)


@handler(rc.AddSuggestion)
def add_suggestion(app: Services, command: rc.AddSuggestion, signer: Signer) -> UUID:
    def step(review: Review, _cycle: ReviewCycle) -> None:
        issuer = app.uow.read(Organisation, command.issuer_org_id, "org.not_found")
        ensure_active(app, issuer, "review.issuer_ended", "issuer")
        review.add_suggestion(
            issuer_org_id=command.issuer_org_id,
            text=command.text,
            issued_by=signer.actor,
        )

    return review_step(app, signer, command.review_id, step)


@handler(rc.RecordOpinion)
def record_opinion(app: Services, command: rc.RecordOpinion, signer: Signer) -> UUID:
    return review_step(
        app,
        signer,
        command.review_id,
        lambda r, _c: r.record_opinion(
            evaluator_kind=command.evaluator_kind,
            evaluator=command.evaluator,
            proposed_level=command.proposed_level,
            text=command.text,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.RecordResidenceComment)
def record_residence_comment(
    app: Services, command: rc.RecordResidenceComment, signer: Signer
) -> UUID:
    return review_step(
        app,
        signer,
        command.review_id,
        lambda r, _c: r.record_residence_comment(
            text=command.text, recorded_by=signer.actor
        ),
    )


@handler(rc.RecordTemporaryCellComment)
def record_temporary_cell_comment(
    app: Services, command: rc.RecordTemporaryCellComment, signer: Signer
) -> UUID:
    return review_step(
        app,
        signer,
        command.review_id,
        lambda r, c: r.record_temporary_cell_comment(
            temporary_cell_id=c.subject(r.subject_key).temporary_cell_id,
            cell_id=command.cell_id,
            text=command.text,
            recorded_by=signer.actor,
        ),
    )


@handler(rc.HoldMeeting)
def hold_meeting(app: Services, command: rc.HoldMeeting, signer: Signer) -> UUID:
    def step(review: Review, cycle: ReviewCycle) -> None:
        subject = cycle.subject(review.subject_key)
        before = []
        for rule, key, venue in review_prerequisites(
            subject, review.venue_id, cycle.subjects, cycle.rulebook.order_rules
        ):
            other = app.uow.find(
                Review, review_id(cycle.id, key, venue), "review.not_found", read=True
            )
            held = other.meeting["held_on"] if other and other.meeting else None
            before.append((rule, cycle.subject(key).name, held))
        review.hold_meeting(
            held_on=command.held_on,
            attendees=command.attendees,
            minutes=command.minutes,
            conclusion=command.conclusion,
            prerequisites=before,
            circulation_days=cycle.rulebook.circulation_working_days,
            holidays=cycle.options.get("holidays", []),
            recorded_by=signer.actor,
        )

    return review_step(app, signer, command.review_id, step)
