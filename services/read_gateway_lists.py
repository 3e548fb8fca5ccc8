"""The review cycles and the confidence votes a page at a time, through the
read gateway (danh sách kỳ kiểm điểm, cuộc lấy phiếu tín nhiệm): keyset pages
of ``PAGE`` by name then id (``projections.search_lists``), narrowed in SQL to
the viewer's anchors, then every row checked by the gateway's own rule for a
cycle (``ReadGateway.sees_cycle``) or a vote (``VoteReads.sees``), as the
single reads are. The cursors are the rows' ids. A member of the ban kiểm
phiếu also lists the votes they count outside their branch (or with no
organisation at all): the page is then the union of the two keyset reads
(``search_lists.page_sql``'s ``counted_by``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections import search as index
from projections import search_lists
from projections.ratings.subjects import decode_cycle
from projections.vote_results import vote_row_of
from services.rating_reads import RatingReads
from services.read_gateway_search import DirectoryReads
from services.read_pages import PAGE, Page, turn

if TYPE_CHECKING:
    from services.read_gateway import ReadGateway


class ListReads:
    """The cycles and votes lists of one viewer."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.runtime = gate.app.projections

    def _page(
        self,
        kind: str,
        key: str,
        after: UUID | None,
        before: UUID | None,
        counted_by: UUID | None = None,
    ) -> tuple[Page, list[dict[str, Any]]]:
        start = self._position(kind, after)
        end = self._position(kind, before) if start is None else None
        rows = search_lists.page(
            self.runtime,
            kind,
            narrowing=DirectoryReads(self.gate).narrowing(),
            after=start,
            before=end,
            limit=PAGE,
            counted_by=str(counted_by) if counted_by is not None else None,
        )
        page = turn(
            rows,
            backwards=end is not None,
            paged=start is not None,
            ident=lambda r: UUID(r[key]),
            size=PAGE,
        )
        self.gate.load_paths(r["org_id"] for r in page.rows)
        return page, page.rows

    def _position(self, kind: str, ident: UUID | None) -> index.Cursor:
        if ident is None:
            return None
        return index.entry_position(self.runtime, kind, str(ident))

    def cycles(self, *, after: UUID | None = None, before: UUID | None = None) -> Page:
        """A page of the cycles the viewer reads, by organisation name: each
        row as ``ReadGateway.cycles`` gives it (its rulebook's words too)."""
        page, rows = self._page(index.CYCLE, "cycle_id", after, before)
        cycles = [RatingReads.with_rulebook(decode_cycle(r)) for r in rows]
        kept = [r for r in cycles if self.gate.sees_cycle(r)]
        return Page(kept, page.after, page.before)

    def votes(self, *, after: UUID | None = None, before: UUID | None = None) -> Page:
        """A page of the votes the viewer reads, by title (``VoteRow``)."""
        # the administrator's scope is every vote already
        counter = None if self.gate.viewer.is_admin else self.gate.votes.counter()
        page, rows = self._page(index.VOTE, "vote_id", after, before, counter)
        votes = [vote_row_of(r) for r in rows]
        kept = [r for r in votes if self.gate.votes.sees(r)]
        return Page(kept, page.after, page.before)
