"""The stable ids of the review's aggregates (mã định danh): each derived from
what names it (a cycle from its organisation and period, a review from its cycle,
subject and venue, ...) so a command, a page and the demo name the same stream
without a lookup."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

CYCLE_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/review-cycle")
REVIEW_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/review")
ROUND_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/rating-round")
REREVIEW_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/rereview-order")
CRITERIA_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/criteria-refinement")


def cycle_id(org_id: UUID, year: int, period: str, period_no: int | None) -> UUID:
    return uuid5(CYCLE_NS, f"{org_id}/{year}/{period}/{period_no or 0}")


def review_id(cycle: UUID, subject_key: str, venue_id: UUID | str) -> UUID:
    return uuid5(REVIEW_NS, f"{cycle}/{subject_key}/{venue_id}")


def round_id(cycle: UUID, authority_org_id: UUID | str) -> UUID:
    return uuid5(ROUND_NS, f"{cycle}/{authority_org_id}")


def criteria_id(org_id: UUID, appendix: str, from_year: int) -> UUID:
    return uuid5(CRITERIA_NS, f"{org_id}/{appendix}/{from_year}")


def rereview_order_id(cycle: UUID, subject_key: str, number: int) -> UUID:
    return uuid5(REREVIEW_NS, f"{cycle}/{subject_key}/{number}")
