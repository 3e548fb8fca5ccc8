"""The votes as the ``vote_results`` view shows them (kết quả): typed rows and
the queries that read them.

Where this SQL should go (issue 10): next to the ``vote_results`` projection's
schema, reached through the read gateway (``services.read_gateway_more``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.context import AppContext


@dataclass(frozen=True)
class VoteRow:
    """One vote as ``kiemdiem votes list`` shows it (read model ``vote_results``)."""

    vote_id: UUID
    org_id: UUID | None
    code: str | None
    organisation: str
    title: str
    vote_year: int
    conference_date: str
    mode: str
    state: str
    leaders: int
    trustees: int
    threshold: int
    convened: int
    present: int | None
    issued: int | None
    ballots: int
    partials: int
    short_fingerprint: str | None
    abandon_reason: str | None


@dataclass(frozen=True)
class TrusteeRow:
    """One member of the ban kiểm phiếu as the vote page lists them."""

    index: int
    username: str | None
    full_name: str | None
    chair: bool


@dataclass(frozen=True)
class LeaderResultRow:
    """One leader's published result; fractions are exact ``count/returned``."""

    vote_id: UUID
    leader_index: int
    member_id: UUID | None
    name: str
    post: str
    issued: int
    returned: int
    valid: int
    invalid: int
    high: int
    normal: int
    low: int
    pct_high: str
    pct_normal: str
    pct_low: str
    band: str


class VoteResultReads:
    """The queries of the ``vote_results`` view (a base of ``VoteService``)."""

    app: AppContext

    def votes(self) -> list[VoteRow]:
        rows = self.app.projections.query(
            "vote_results",
            "SELECT * FROM {votes} ORDER BY conference_date DESC, title, vote_id",
        )
        return [_vote_row(row) for row in rows]

    def vote_row(self, vote: UUID) -> VoteRow | None:
        rows = self.app.projections.query(
            "vote_results", "SELECT * FROM {votes} WHERE vote_id = ?", [str(vote)]
        )
        return _vote_row(rows[0]) if rows else None

    def find_tracking_code(self, vote: UUID, code: str) -> int | None:
        """The ledger position of the ballot with this tracking code, if recorded."""
        text = code.strip().upper().replace(" ", "")
        if len(text) == 16 and "-" not in text:
            text = "-".join(text[i : i + 4] for i in range(0, 16, 4))
        rows = self.app.projections.query(
            "vote_results",
            "SELECT position FROM {ballots} WHERE vote_id = ? AND tracking_code = ?",
            [str(vote), text],
        )
        return int(rows[0]["position"]) if rows else None

    def results(self, vote: UUID) -> list[LeaderResultRow]:
        rows = self.app.projections.query(
            "vote_results",
            "SELECT * FROM {results} WHERE vote_id = ? AND returned IS NOT NULL "
            "ORDER BY leader_index",
            [str(vote)],
        )
        return [_result_row(row) for row in rows]


def _uuid(value: Any) -> UUID | None:
    return UUID(value) if value else None


def _vote_row(row: dict[str, Any]) -> VoteRow:
    return VoteRow(
        vote_id=UUID(row["vote_id"]),
        org_id=_uuid(row["org_id"]),
        code=row["code"],
        organisation=row["organisation"],
        title=row["title"],
        vote_year=int(row["vote_year"]),
        conference_date=row["conference_date"],
        mode=row["mode"],
        state=row["state"],
        leaders=int(row["leaders"]),
        trustees=int(row["trustees"]),
        threshold=int(row["threshold"]),
        convened=int(row["convened"]),
        present=row["present"],
        issued=row["issued"],
        ballots=int(row["ballots"]),
        partials=int(row["partials"]),
        short_fingerprint=row["short_fingerprint"],
        abandon_reason=row["abandon_reason"],
    )


def _result_row(row: dict[str, Any]) -> LeaderResultRow:
    return LeaderResultRow(
        vote_id=UUID(row["vote_id"]),
        leader_index=int(row["leader_index"]),
        member_id=_uuid(row["member_id"]),
        name=row["name"],
        post=row["post"],
        issued=int(row["issued"]),
        returned=int(row["returned"]),
        valid=int(row["valid"]),
        invalid=int(row["invalid"]),
        high=int(row["high"]),
        normal=int(row["normal"]),
        low=int(row["low"]),
        pct_high=row["pct_high"],
        pct_normal=row["pct_normal"],
        pct_low=row["pct_low"],
        band=row["band"],
    )
