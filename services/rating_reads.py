"""The read queries of the review (projection ``ratings``, and ``org_facts`` for
the facts about organisations): cycles, subjects, timelines, reviews, rounds,
statistics, flags, refined criteria, re-review orders.

The read gateway (``services.read_gateway``) is their only caller from a page;
it applies the scope rule. The SQL lives next to each read model's schema
(``projections/ratings/*``, ``projections/org_facts.py``); this module names
the reads for the gateway and turns rows into answers (the rulebook of a cycle,
``statistics``, ``flags``, the refined criteria in force).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.rating_open_items import step_flags
from domain.rulebooks import Appendix, Level, rulebook
from domain.statistics import good_or_better
from domain.subjects import OrgNode, ancestry
from projections import directory_reads
from projections import org_facts as org_view
from projections.ratings import criteria as criteria_view
from projections.ratings import members as member_view
from projections.ratings import orders as order_view
from projections.ratings import reviews as review_view
from projections.ratings import rounds as round_view
from projections.ratings import statistics as stats_view
from projections.ratings import subject_lists
from projections.ratings import subjects as subject_view
from projections.ratings import tallies as tally_view
from projections.ratings import timeline as timeline_view
from projections.split_subjects import split_in_branch
from services.context import AppContext
from services.read_gateway_placed import PlacedRows, kept_placed
from services.split_tallies import add as add_counts
from services.split_tallies import placed_tallies
from votes.results import display_percent

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime

BRANCH_LIMIT = 10**6  # organisations in one branch: a province has thousands
POPULATIONS = ("party_orgs", "members", "leadership_collectives", "leaders")


class RatingReads:
    """What the ``ratings`` view answers (đọc), on one application."""

    def __init__(self, kiemdiem: AppContext) -> None:
        self.app = kiemdiem

    @property
    def _views(self) -> ProjectionRuntime:
        return self.app.projections

    def cycles(self) -> list[dict[str, Any]]:
        return [self.with_rulebook(r) for r in subject_view.cycles(self._views)]

    def cycle_row(self, ident: UUID) -> dict[str, Any] | None:
        row = subject_view.cycle(self._views, ident)
        return self.with_rulebook(row) if row is not None else None

    @staticmethod
    def with_rulebook(row: Mapping[str, Any]) -> dict[str, Any]:
        """The cycle's row with its rulebook's regulation, guidance and scoring."""
        book = rulebook(row["rulebook_id"])
        return {
            **row,
            "regulation": book.regulation,
            "guidance": book.guidance,
            "scored": book.scored,
        }

    def subjects(
        self,
        ident: UUID,
        decides: str | None = None,
        kind: str | None = None,
        cells: bool = True,
    ) -> list[dict[str, Any]]:
        """A cycle's subjects; with ``decides`` a round's, with ``kind`` only the
        collectives or the individuals; without ``cells`` not the chi bộ."""
        return subject_view.cycle_subjects(self._views, ident, decides, kind, cells)

    def collectives(self, ident: UUID) -> list[dict[str, Any]]:
        """The cycle's leadership collectives and committees (never its chi
        bộ), by name: their key, name, kind of organisation and organisation
        (kept by the process while the view stands: ``services.kept_results``;
        the caller filters, never changes, them)."""
        return self.app.kept.get(
            "collectives",
            ident,
            lambda: subject_lists.cycle_collectives(self._views, str(ident)),
        )

    def collectives_placed(self, ident: UUID) -> PlacedRows:
        """:meth:`collectives` with their places (``read_gateway_placed``), for
        the read gate to narrow per viewer; kept alike."""
        return kept_placed(
            self.app,
            "collectives_placed",
            ident,
            lambda: self.collectives(ident),
            lambda s: s.get("org_id") or s.get("cell_id"),
        )

    def rounds_placed(self, ident: UUID) -> PlacedRows:
        """:meth:`rounds` with their authorities' places, kept alike."""
        return kept_placed(
            self.app,
            "rounds_placed",
            ident,
            lambda: self.rounds(ident),
            lambda r: r["authority_org_id"],
        )

    def cycle_tallies(
        self, ident: UUID, places: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """How many of the cycle's subjects placed at ``places`` (the whole
        cycle when None) stand at each status, and how many each authority
        decides: counters the projection keeps by place (the whole cycle's
        kept by the process while the view stands: ``services.kept_results``)."""
        names = {"statuses": tally_view.STATUS, "authorities": tally_view.DECIDES}
        if places is None:

            def whole() -> dict[str, Any]:
                return {
                    name: tally_view.tallies_at(self._views, ident, None, facet)
                    for name, facet in names.items()
                }

            return _copied(self.app.kept.get("cycle_tallies", (ident, None), whole))
        by_facet = tally_view.tallies_by_facet(
            self._views, ident, places, list(names.values())
        )
        return {name: by_facet[facet] for name, facet in names.items()}

    def branch_tallies(self, ident: UUID, branch: str) -> dict[str, Any]:
        """:meth:`cycle_tallies` of the places in ``branch`` today (the
        directory's ``org_ancestors``), summed in SQL without listing them. A
        chi bộ split into several successors is in each successor's branch:
        its subjects are counted one by one where the split placed each
        (``services.split_tallies``), then with the branch's places listed.
        Kept by the process, by cycle and branch, while the views it read
        stand (``services.kept_results``); a copy each time (the gate adds a
        member's own subject to it)."""

        def counted() -> dict[str, Any]:
            names = {"statuses": tally_view.STATUS, "authorities": tally_view.DECIDES}
            divided = split_in_branch(self._views, branch)
            by_facet = tally_view.branch_tallies(
                self._views, ident, branch, list(names.values()), sorted(divided)
            )
            found = {name: by_facet[facet] for name, facet in names.items()}
            if divided:
                places = directory_reads.branch_org_ids(
                    self._views, UUID(branch), BRANCH_LIMIT
                )
                add_counts(found, placed_tallies(self._views, ident, divided, places))
            return found

        key = (ident, branch)
        return _copied(self.app.kept.get("cycle_tallies", key, counted))

    def post_holders(self, ident: UUID, org_id: str) -> list[dict[str, Any]]:
        """The cycle's individuals holding a post at ``org_id`` (by index)."""
        return subject_lists.post_holders(self._views, str(ident), org_id)

    def subject_row(self, ident: UUID, key: str) -> dict[str, Any] | None:
        return subject_view.cycle_subject(self._views, ident, key)

    def timeline(self, ident: UUID, key: str) -> list[dict[str, Any]]:
        return timeline_view.timeline_rows(self._views, ident, key)

    def reviews(self, ident: UUID, key: str | None = None) -> list[dict[str, Any]]:
        """A cycle's reviews; with ``key`` one subject's."""
        return review_view.cycle_reviews(self._views, ident, key)

    def member_facts(self, member: UUID) -> list[dict[str, Any]]:
        return member_view.member_facts(self._views, member)

    def review_row(self, ident: UUID) -> dict[str, Any] | None:
        return review_view.review(self._views, ident)

    def rounds(self, ident: UUID) -> list[dict[str, Any]]:
        return round_view.cycle_rounds(self._views, ident)

    def round_row(self, ident: UUID) -> dict[str, Any] | None:
        return round_view.rating_round(self._views, ident)

    def statistics(self, ident: UUID, org_id: UUID) -> dict[str, Any]:
        """Counts by level of everything in and under ``org_id``; percentages are
        exact fractions over those rated (exempt and pending apart), shown with two
        decimals rounded half up in integer arithmetic."""
        rows = stats_view.level_counts(self._views, ident, org_id)
        result: dict[str, Any] = {}
        for pop in POPULATIONS:
            mine = {r["bucket"]: int(r["n"]) for r in rows if r["population"] == pop}
            rated = sum(mine.get(level.value, 0) for level in Level)
            levels = {}
            for level in Level:
                n = mine.get(level.value, 0)
                levels[level.value] = {
                    "n": n,
                    "fraction": f"{n}/{rated}" if rated else None,
                    "percent": display_percent(n, rated) if rated else None,
                }
            result[pop] = {
                "rated": rated,
                "pending": mine.get("pending", 0),
                "levels": levels,
                # "Hoàn thành tốt nhiệm vụ trở lên", exact (domain/statistics.py).
                "good_or_better": good_or_better(mine).as_dict(),
                "exempt": {
                    b.split(":", 1)[1]: n
                    for b, n in mine.items()
                    if b.startswith("exempt:")
                },
            }
        return result

    def flags(self, ident: UUID, key: str | None = None) -> list[dict[str, Any]]:
        """Flags for human consideration, never consequences: an open question
        only the authority settles (``flag`` from the self-rating or proposal
        that found it; ``settled`` once the decision settled it, docs/rules.md),
        and KHTNV again after KHTNV in the previous cycle of the same period type
        (raised by the decision)."""
        rows = timeline_view.rating_steps(self._views, ident, key)
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:
            latest[row["subject_key"]] = row
        items: list[dict[str, Any]] = []
        for key, row in latest.items():
            found = step_flags(json.loads(row["detail"]), row["status"])
            items.extend(
                {"kind": kind, "rule": rule, "subject_key": key, "subject": row["name"]}
                for kind, rule in found
            )
        return items

    def subject_flags(self, ident: UUID, key: str) -> list[str]:
        return [f["rule"] for f in self.flags(ident, key)]

    # -- facts about organisations ----
    def org_facts(self, org_id: UUID) -> list[dict[str, Any]]:
        """Every fact recorded about an organisation, in order (projection)."""
        return org_view.org_facts(self._views, org_id)

    def org_sector(self, org_id: UUID) -> str | None:
        return org_view.sector(self._views, org_id)

    def oversight(self, member_id: UUID) -> list[org_view.Oversight]:
        return org_view.oversight(self._views, member_id)

    # -- criteria refined by a province or unit (366 Điều 10) ----
    def criteria_refinements(self) -> list[dict[str, Any]]:
        return criteria_view.refinements(self._views)

    def refined_criteria(
        self, tree: Mapping[UUID, OrgNode], org_id: UUID, year: int
    ) -> dict[str, list[dict[str, Any]]]:
        """Per appendix, the refined criteria a cycle of ``org_id`` in ``year``
        uses: the nearest organisation at or above it that refined that appendix,
        its latest set from a year not after ``year``."""
        chain = ancestry(tree, org_id)
        found: dict[str, list[dict[str, Any]]] = {}
        rows = [r for r in self.criteria_refinements() if r["from_year"] <= year]
        for appendix in Appendix:
            for org in chain:
                mine = [
                    r
                    for r in rows
                    if r["org_id"] == org and r["appendix"] == appendix.value
                ]
                if mine:
                    latest = max(mine, key=lambda r: int(r["from_year"]))
                    found[appendix.value] = latest["items"]
                    break
        return found

    # -- re-review orders (§5.4) ----
    def rereview_orders(
        self, ident: UUID, key: str | None = None
    ) -> list[dict[str, Any]]:
        """The cycle's re-review orders (one subject's when ``key``), oldest first."""
        return order_view.rereview_orders(self._views, ident, key)


def _copied(tallies: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """Kept tallies, the caller's to change."""
    return {facet: dict(counts) for facet, counts in tallies.items()}
