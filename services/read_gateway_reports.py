"""The gateway's reports, dossiers and commendations: each read checked
against the viewer's scope (``Read.REPORT``) before it returns. A mixin of
:class:`services.read_gateway.ReadGateway` (``gateway.report(...)`` as before).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from domain import permissions as p
from domain.permissions import Read, Viewer
from services.errors import NotFoundError

if TYPE_CHECKING:
    from services.app import Kiemdiem

Row = dict[str, Any]
Shown = TypeVar("Shown")


class ReportGatewayReads:
    """Reports (rolled up by the tree), dossiers, re-ratings, commendations."""

    if TYPE_CHECKING:
        app: Kiemdiem
        viewer: Viewer
        check: Callable[..., None]
        keep: Callable[..., list[Any]]
        cycle_row: Callable[[UUID], Row | None]

    def annual_cycles(self) -> list[Row]:
        return self.keep(
            Read.REPORT, self.app.reports.annual_cycles(), lambda r: r["org_id"]
        )

    def report(self, org_id: UUID, year: int, tree_on: date | None = None) -> Row:
        """Rolled up by the tree at the report date, or with ``tree_on`` by the
        tree as it was on that day."""
        self.check(Read.REPORT, org_id)
        return self.app.reports.report(org_id, year, tree_on=tree_on)

    def report_still_open(
        self, org_id: UUID, year: int, level: str, after: tuple[str, str] | None
    ) -> Row:
        """The whole list behind a report's "still open" names, a page at a time."""
        self.check(Read.REPORT, org_id)
        return self.app.reports.still_open(org_id, year, level, after)

    def report_page(
        self,
        org_id: UUID,
        year: int,
        populations: Sequence[str],
        tree_on: date | None = None,
    ) -> tuple[Row, dict[str, list[Row]]]:
        """:meth:`report` and the charts across years of the report page,
        the day's tree read once for both (kept by the process while the views
        it read stand still: ``services.kept_results``; the check runs first,
        every time)."""
        self.check(Read.REPORT, org_id)
        return self.app.reports.report_page(org_id, year, populations, tree_on)

    def report_page_shown(
        self,
        org_id: UUID,
        year: int,
        populations: Sequence[str],
        tree_on: date | None,
        show: Callable[[Row, dict[str, list[Row]]], Shown],
        shown_with: Hashable = None,
    ) -> Shown:
        """``show(report, histories)`` of :meth:`report_page`'s figures (the
        page's rendered content), kept beside them while the views they were
        read from stand still (their marks are this result's too). Kept per
        viewer: the key holds the viewer, all that decides what they may read,
        so two viewers never share one; ``shown_with``: whatever else ``show``
        depends on (the caller's). The check runs first, every time."""
        self.check(Read.REPORT, org_id)
        figures = (org_id, year, tuple(populations), self.app.today(), tree_on)
        key = (*figures, self.viewer, shown_with)

        def shown() -> Shown:
            reports = self.app.reports
            return show(*reports.report_page(org_id, year, populations, tree_on))

        return self.app.kept.get("report_shown", key, shown)

    def statistics_committees(self, cycle_id: UUID) -> list[Row]:
        """The committees a cycle's statistics page offers (``org_id``,
        ``name``): of the cycle's collective subjects the viewer reads (as
        ``subjects(cycle_id, kind="collective", cells=False)`` filters them),
        those not a leadership collective, in that order."""
        if self.cycle_row(cycle_id) is None:
            raise NotFoundError("cycle.not_found", id=str(cycle_id))
        return self.keep(
            Read.SUBJECT,
            self.app.reports.committees(cycle_id),
            place_of,
            lambda s: s.get("member_id"),
        )

    def _report_subject(self, cycle_id: UUID, key: str) -> None:
        row = self.app.ratings.subject_row(cycle_id, key)
        if row is None:
            raise NotFoundError("rating.subject_not_found", subject=key)
        self.check(Read.REPORT, place_of(row))

    def dossier(self, cycle_id: UUID, key: str) -> Row:
        self._report_subject(cycle_id, key)
        return self.app.reports.dossier(cycle_id, key)

    def rerating(self, cycle_id: UUID, key: str) -> Row:
        self._report_subject(cycle_id, key)
        return self.app.reports.rerating(cycle_id, key)

    def proposals(self, org_id: UUID, year: int) -> list[Row]:
        self.check(Read.REPORT, org_id)
        return self.app.commendations.proposals(org_id, year)

    def awards(self, org_id: UUID | None = None, year: int | None = None) -> list[Row]:
        """Awards in and under ``org_id``; without one, the viewer's branch."""
        if org_id is None and not self.viewer.is_admin:
            if self.viewer.org_id is None:
                p.require_read(self.viewer, Read.REPORT, ())  # refused
            org_id = self.viewer.org_id
        if org_id is not None:
            self.check(Read.REPORT, org_id)
        return self.app.commendations.awards(org_id, year)

    @property
    def five_year_kind(self) -> str:
        return str(self.app.commendations.five_year.value)


def place_of(subject: Row) -> str | None:
    """The organisation a subject belongs to: a collective's own, a member's chi
    bộ."""
    return subject.get("org_id") or subject.get("cell_id")
