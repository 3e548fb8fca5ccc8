"""``ratings``: the review and rating of each cycle, as read models named after
the question each answers (issue 3, issue 10).

- :mod:`.subjects`: who is rated in which cycle, and where does each stand?
- :mod:`.reviews`: which reviews were held, and how far has each come?
- :mod:`.rounds`: who rated and decided what in each round, in which peer groups
  and under which quota?
- :mod:`.orders`: what must be redone, and by when? (re-review orders)
- :mod:`.statistics`: how many are rated at each level in each organisation,
  everything under it included?
- :mod:`.timeline`: what happened in a subject's review and rating, in order?
- :mod:`.criteria`: which criteria did a province or unit refine?
- :mod:`.members`: what do the rating rules know of a member?
- :mod:`.tallies`: how many subjects stand at each status, decided by whom?
- :mod:`.open_items`: what still blocks or breaks the rules, subject by subject?

They are stored as one view, :class:`RatingsView` (one tracking position, the
tables ``ratings_<table>``): one event changes several of them in one transaction
(a decision moves the subject, its statistics buckets, its timeline and the
re-review orders it closes), and a read model may depend only on its own rows
(ledger.md §9.1). Each module declares its tables, its handlers and its reads.

Handlers depend only on the event and the view's rows (ledger.md §9.1).
"""

from __future__ import annotations

from domain.cycles import ReviewCycle
from ledger.mapper import LedgerEvent
from projections.ratings.criteria import CriteriaRefinements
from projections.ratings.members import MemberRecords
from projections.ratings.open_items import (
    OPENING,
    CycleOpenItems,
    refresh_opened,
)
from projections.ratings.orders import ReReviewOrders
from projections.ratings.refills import refill_pending
from projections.ratings.reviews import ReviewMeetings
from projections.ratings.rounds import RatingRounds
from projections.ratings.statistics import RatingStatistics
from projections.ratings.subjects import CyclesAndSubjects
from projections.ratings.tallies import SubjectTallies
from projections.ratings.timeline import SubjectTimeline
from projections.sqlutil import Tx

__all__ = ["RatingsView"]


class RatingsView(
    CyclesAndSubjects,
    RatingRounds,
    ReviewMeetings,
    CriteriaRefinements,
    ReReviewOrders,
    SubjectTimeline,
    RatingStatistics,
    MemberRecords,
    SubjectTallies,
    CycleOpenItems,
):
    """The stored view of the ratings read models: their tables and handlers
    (the handlers are gathered from the bases by ``ReadModel``)."""

    name = "ratings"
    # 7: subjects_status index (to-do lists); 8: subjects_decides, reviews_subject;
    # 9: disciplines_decided (a cycle's open items in one query);
    # 10: tallies (counts by status and authority), prerequisites, open_items;
    # 11: a revision's succession, the steps carried to a successor's round;
    # 12: subjects_round (a round's page by name, a page at a time);
    # 13: an open-items tally brought to 0 is deleted (a subject's items are
    # refilled once per event, or per page in a rebuild)
    version = 13
    # Most of a province's rebuild (its open items are refilled per step).
    rebuild_weight = 8

    def apply(self, event: LedgerEvent, tx: Tx) -> None:
        """Apply one event, then refill the open items of the subjects it
        touched, each once (in a rebuild, deferred: at the page's end). A cycle
        opened in the page is refreshed whole before any event but a part of its
        subjects (``open_items.refresh_later``): the rows of one ``Opened``
        carrying them all, not derived part by part."""
        opened = tx.later.get(OPENING)
        if opened and not (
            isinstance(event.event, ReviewCycle.SubjectsAdded)  # type: ignore[attr-defined]
            and str(event.stream) in opened
        ):
            refresh_opened(tx)
        super().apply(event, tx)
        if not tx.deferred:
            refill_pending(tx)

    def finish(self, tx: Tx) -> None:
        refill_pending(tx)


# Every part's tables and indexes, in the order of the bases (as stored since v1).
RatingsView.tables = {
    table: columns
    for part in RatingsView.__bases__
    for table, columns in getattr(part, "tables", {}).items()
}
RatingsView.indexes = {
    index: where
    for part in RatingsView.__bases__
    for index, where in getattr(part, "indexes", {}).items()
}
