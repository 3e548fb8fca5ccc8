"""Handler of re-review orders (yêu cầu kiểm điểm lại, §5.4): the order, the
reviews it sends back and the decision it reopens, in one transaction."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.cycles import ReviewCycle
from domain.ratings import RatingRound
from domain.rereviews import ReReviewOrder, covers_rating, covers_review
from domain.reviews import Review
from ledger.signing import Signer
from services import rating_commands as rc
from services.handlers.base import Services
from services.handlers.registry import handler
from services.handlers.rounds import current_path
from services.rating_ids import rereview_order_id, review_id, round_id

ACTION = "review.order_redo"


@handler(rc.OrderReReview)
def order_rereview(app: Services, command: rc.OrderReReview, signer: Signer) -> UUID:
    uow = app.uow
    found: dict[str, UUID] = {}

    def work() -> list[Aggregate]:
        account = uow.authorise(signer.actor, ACTION)
        cycle = uow.get(ReviewCycle, command.cycle_id, "cycle.not_found")
        cycle.ensure_open()
        subject = cycle.subject(command.subject_key)
        uow.check_scope(account, ACTION, subject.own_org)
        reviews = []
        for venue in subject.venues:
            review = uow.find(
                Review, review_id(cycle.id, subject.key, venue), "review.not_found"
            )
            if review is not None:
                reviews.append(review)
        rating: RatingRound | None = None
        decision = None
        if subject.decides and subject.decides != "outside":
            rating = uow.find(
                RatingRound,
                round_id(cycle.id, subject.decides),
                "rating.round_not_found",
            )
            earlier = rating.decision_of(subject.key) if rating else None
            if rating is not None and earlier is not None:
                decision = {"round_id": str(rating.id), **earlier}
        number = 1
        while uow.exists(rereview_order_id(cycle.id, subject.key, number)):
            number += 1
        ident = rereview_order_id(cycle.id, subject.key, number)
        order = ReReviewOrder.order(
            order_id=ident,
            cycle_id=cycle.id,
            subject=subject,
            number=number,
            scope=command.scope,
            reason=command.reason,
            deadline=command.deadline,
            ordered_on=uow.today(),
            ordering_org_id=account.org_id,
            chair_responsibility=command.chair_responsibility,
            reviews=[
                {
                    "review_id": r.id,
                    "venue_id": r.venue_id,
                    "held_on": r.meeting["held_on"] if r.meeting else None,
                }
                for r in reviews
            ],
            decision=decision,
            ordered_by=signer.actor,
            place_path=current_path(app, subject),
        )
        changed: list[Aggregate] = [order]
        if covers_review(order.scope):
            for review in reviews:
                if review.meeting is not None:
                    review.redo(
                        order_id=ident, reason=order.reason, ordered_by=signer.actor
                    )
                    changed.append(review)
        if covers_rating(order.scope) and rating is not None:
            rating.order_redo(
                subject_key=subject.key,
                order_id=ident,
                reason=order.reason,
                chair_responsibility=order.chair_responsibility,
                cycle=cycle,
                ordered_by=signer.actor,
            )
            changed.append(rating)
        found["id"] = ident
        return changed

    uow.commit(signer, work)
    return found["id"]
