"""The votes as the ``vote_results`` view shows them (kết quả): the typed rows
(``VoteRow``, ``LeaderResultRow``, read next to the view's schema in
``projections.vote_results``) and the members of the ban kiểm phiếu."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from projections import vote_results as view
from projections.vote_results import LeaderResultRow, VoteRow
from services.context import AppContext

__all__ = ["LeaderResultRow", "TrusteeRow", "VoteResultReads", "VoteRow"]


@dataclass(frozen=True)
class TrusteeRow:
    """One member of the ban kiểm phiếu as the vote page lists them."""

    index: int
    username: str | None
    full_name: str | None
    chair: bool


class VoteResultReads:
    """The queries of the ``vote_results`` view (a base of ``VoteService``)."""

    app: AppContext

    def votes(self) -> list[VoteRow]:
        return view.votes(self.app.projections)

    def vote_row(self, vote: UUID) -> VoteRow | None:
        return view.vote(self.app.projections, vote)

    def counts(self, vote: UUID, account_id: UUID) -> bool:
        """Whether the account is one of the vote's ban kiểm phiếu: the owner
        of a key its manifest names (as ``trustee_rows`` finds them)."""
        return view.counts(self.app.projections, vote, str(account_id))

    def counted_votes(self, account_id: UUID) -> list[VoteRow]:
        """The votes the account counts, the latest conference first."""
        return view.counted_votes(self.app.projections, str(account_id))

    def find_tracking_code(self, vote: UUID, code: str) -> int | None:
        """The ledger position of the ballot with this tracking code, if recorded."""
        text = code.strip().upper().replace(" ", "")
        if len(text) == 16 and "-" not in text:
            text = "-".join(text[i : i + 4] for i in range(0, 16, 4))
        return view.ballot_position(self.app.projections, vote, text)

    def results(self, vote: UUID) -> list[LeaderResultRow]:
        return view.published_results(self.app.projections, vote)
