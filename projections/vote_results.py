"""``vote_results``: every confidence vote with its state and counts, and once the
tally is published, each leader's result (votes.md §9).

Fractions are exact text ``count/returned`` (unreduced, so the base stays visible;
``fractions.Fraction`` parses them) and the band is the 96-QĐ/TW band computed by the
vote itself. ``flagged`` marks the leaders whose ``ConsequenceFlagged`` fact was
recorded (more than half of the ballots returned were low confidence): the rating
rules read it by member and year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from ledger.envelope import key_id_for
from ledger.keys import SigningKey
from ledger.mapper import LedgerEvent
from projections.read_model import ReadModel, handles
from projections.sqlutil import Tx
from votes.aggregates import ConfidenceVote
from votes.ballot import tracking_code
from votes.results import display_percent
from votes.vote_events import (
    Abandoned,
    AttendanceRecorded,
    BallotCast,
    CredentialsPublished,
    CredentialsVoided,
    ElectionCreated,
    ElectionKeyPublished,
    EligibleAccountsPublished,
    KeyCeremonyAborted,
    PartialDecryptionRecorded,
    Phase,
    TallyPublished,
    VotingClosed,
    VotingOpened,
)

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


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


class VoteResults(ReadModel):
    name = "vote_results"
    # 3: trustees (the ban kiểm phiếu by account) and account_keys
    version = 3
    tables = {  # noqa: RUF012 - declarative table list read by the runtime
        "votes": (
            "vote_id TEXT PRIMARY KEY, org_id TEXT, code TEXT, "
            "organisation TEXT NOT NULL, title TEXT NOT NULL, "
            "vote_year BIGINT NOT NULL, conference_date TEXT NOT NULL, "
            "mode TEXT NOT NULL, state TEXT NOT NULL, leaders BIGINT NOT NULL, "
            "trustees BIGINT NOT NULL, threshold BIGINT NOT NULL, "
            "convened BIGINT NOT NULL, slip_count BIGINT, present BIGINT, "
            "issued BIGINT, ballots BIGINT NOT NULL, partials BIGINT NOT NULL, "
            "ceremony_runs BIGINT NOT NULL, short_fingerprint TEXT, "
            "abandon_reason TEXT, created_at BIGINT NOT NULL, "
            "updated_at BIGINT NOT NULL"
        ),
        "results": (
            "vote_id TEXT NOT NULL, leader_index BIGINT NOT NULL, member_id TEXT, "
            "name TEXT NOT NULL, post TEXT NOT NULL, vote_year BIGINT NOT NULL, "
            "issued BIGINT, returned BIGINT, valid BIGINT, invalid BIGINT, "
            "high BIGINT, normal BIGINT, low BIGINT, pct_high TEXT, "
            "pct_normal TEXT, pct_low TEXT, pct_low_display TEXT, band TEXT, "
            "flagged BIGINT NOT NULL, published_at BIGINT, "
            "PRIMARY KEY (vote_id, leader_index)"
        ),
        # The tracking codes in the record (§7.1 step 7: "check later that the
        # tracking code is in the record"); nothing here names a voter.
        "ballots": (
            "vote_id TEXT NOT NULL, position BIGINT NOT NULL, "
            "ballot_hash TEXT NOT NULL, tracking_code TEXT NOT NULL, "
            "PRIMARY KEY (vote_id, position)"
        ),
        # The ban kiểm phiếu by account: the owner of each key the manifest
        # names (``VoteElectionCreated``'s ``trustees[].account_pub``), as
        # ``VoteService.trustee_rows`` finds it in the key registry. The votes
        # list adds those a counting member counts outside their branch; the
        # primary key serves "the votes this account counts" and "does it
        # count this one".
        "trustees": (
            "account_id TEXT NOT NULL, vote_id TEXT NOT NULL, "
            "PRIMARY KEY (account_id, vote_id)"
        ),
        # Every account's signing keys (key id -> account), to read those owners.
        "account_keys": "key_id TEXT PRIMARY KEY, account_id TEXT NOT NULL",
    }
    indexes = {  # noqa: RUF012
        "results_member": ("results", "member_id, vote_year"),
        "ballots_tracking": ("ballots", "vote_id, tracking_code"),
    }

    def _set(self, e: LedgerEvent, tx: Tx, assignments: str, *values: object) -> None:
        tx.execute(
            "UPDATE {votes} SET "  # noqa: S608 - assignments come from code
            + assignments
            + ", updated_at = ? WHERE vote_id = ?",
            (*values, e.notification_id, str(e.stream)),
        )

    @handles(ElectionCreated)
    def created(self, e: LedgerEvent, tx: Tx) -> None:
        m = e.event.body["manifest"]
        tx.upsert(
            "votes",
            ["vote_id"],
            {
                "vote_id": str(e.stream),
                "org_id": None,
                "code": None,
                "organisation": m["organisation"],
                "title": m["title"],
                "vote_year": m["vote_year"],
                "conference_date": m["conference_date"],
                "mode": m["mode"],
                "state": Phase.CEREMONY.value,
                "leaders": len(m["leaders"]),
                "trustees": len(m["trustees"]),
                "threshold": m["threshold"],
                "convened": m["convened"],
                "slip_count": m.get("slip_count"),
                "present": None,
                "issued": None,
                "ballots": 0,
                "partials": 0,
                "ceremony_runs": 1,
                "short_fingerprint": None,
                "abandon_reason": None,
                "created_at": e.notification_id,
                "updated_at": e.notification_id,
            },
        )
        self._trustees(e, tx, m["trustees"])
        for leader in m["leaders"]:
            tx.upsert(
                "results",
                ["vote_id", "leader_index"],
                {
                    "vote_id": str(e.stream),
                    "leader_index": leader["index"],
                    "member_id": None,
                    "name": leader["name"],
                    "post": leader["post"],
                    "vote_year": m["vote_year"],
                    "flagged": 0,
                },
            )

    def _trustees(self, e: LedgerEvent, tx: Tx, entries: list[dict[str, Any]]) -> None:
        """The accounts whose keys the manifest names as trustees. A trustee's
        key is registered before the vote names it (``VoteService.trustee_key``
        takes a valid registered key), so its owner is already known here."""
        accounts = []
        for entry in entries:
            key_id = key_id_for(bytes.fromhex(entry["account_pub"])).hex()
            owner = tx.scalar(
                "SELECT account_id FROM {account_keys} WHERE key_id = ?", (key_id,)
            )
            if owner is not None:
                accounts.append((owner, str(e.stream)))
        tx.insert_ignoring("trustees", ["account_id", "vote_id"], accounts)

    @handles(SigningKey.KeyRegistered)  # type: ignore[attr-defined]
    def key_registered(self, e: LedgerEvent, tx: Tx) -> None:
        owner = e.event.owner
        if owner.startswith("u:"):  # an account's key (not a service's)
            tx.upsert(
                "account_keys",
                ["key_id"],
                {"key_id": e.event.key_id, "account_id": owner[2:]},
            )

    @handles(ConfidenceVote.Prepared)  # type: ignore[attr-defined]
    def prepared(self, e: LedgerEvent, tx: Tx) -> None:
        vote = str(e.event.vote_id)
        tx.execute(
            "UPDATE {votes} SET org_id = ?, code = ? WHERE vote_id = ?",
            (str(e.event.org_id), e.event.code, vote),
        )
        for leader in e.event.leaders:
            tx.execute(
                "UPDATE {results} SET member_id = ? "
                "WHERE vote_id = ? AND leader_index = ?",
                (leader["member_id"], vote, leader["index"]),
            )

    @handles(KeyCeremonyAborted)
    def aborted(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(e, tx, "ceremony_runs = ceremony_runs + 1")

    @handles(ElectionKeyPublished)
    def key_published(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(
            e,
            tx,
            "state = ?, short_fingerprint = ?",
            Phase.KEY_PUBLISHED.value,
            e.event.body["short_fingerprint"],
        )

    @handles(CredentialsPublished)
    def credentials(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(
            e,
            tx,
            "state = ?, issued = ?",
            Phase.CREDENTIALS_PUBLISHED.value,
            e.event.body["count"],
        )

    @handles(EligibleAccountsPublished)
    def eligible(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(
            e,
            tx,
            "state = ?, issued = ?",
            Phase.CREDENTIALS_PUBLISHED.value,
            len(e.event.body["entries"]),
        )

    @handles(AttendanceRecorded)
    def attendance(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(
            e,
            tx,
            "state = ?, present = ?",
            Phase.ATTENDANCE_RECORDED.value,
            e.event.body["present"],
        )

    @handles(CredentialsVoided)
    def voided(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(e, tx, "issued = issued - ?", len(e.event.body["credentials"]))

    @handles(VotingOpened)
    def opened(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(
            e, tx, "state = ?, issued = ?", Phase.OPEN.value, e.event.body["issued"]
        )

    @handles(BallotCast)
    def ballot(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(e, tx, "ballots = ballots + ?", 1)
        digest = e.event.body["ballot_hash"]
        tx.upsert(
            "ballots",
            ["vote_id", "position"],
            {
                "vote_id": str(e.stream),
                "position": e.event.originator_version,
                "ballot_hash": digest,
                "tracking_code": tracking_code(bytes.fromhex(digest)),
            },
        )

    @handles(VotingClosed)
    def closed(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(
            e,
            tx,
            "state = ?, ballots = ?",
            Phase.CLOSED.value,
            e.event.body["ballot_count"],
        )

    @handles(PartialDecryptionRecorded)
    def partial(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(e, tx, "partials = partials + ?", 1)

    @handles(TallyPublished)
    def tallied(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(e, tx, "state = ?", Phase.TALLIED.value)
        for r in e.event.body["results"]:
            returned = r["returned"]

            def frac(name: str, r: dict[str, object] = r) -> str:
                value = r[name]
                if not isinstance(value, dict):  # pragma: no cover - schema
                    raise TypeError(name)
                return f"{value['num']}/{value['den']}"

            tx.execute(
                "UPDATE {results} SET issued = ?, returned = ?, valid = ?, "
                "invalid = ?, high = ?, normal = ?, low = ?, pct_high = ?, "
                "pct_normal = ?, pct_low = ?, pct_low_display = ?, band = ?, "
                "published_at = ? WHERE vote_id = ? AND leader_index = ?",
                (
                    r["issued"],
                    returned,
                    r["valid"],
                    r["invalid"],
                    r["high"],
                    r["normal"],
                    r["low"],
                    frac("pct_high"),
                    frac("pct_normal"),
                    frac("pct_low"),
                    display_percent(r["low"], returned),
                    r["band"],
                    e.notification_id,
                    str(e.stream),
                    r["index"],
                ),
            )

    @handles(ConfidenceVote.ConsequenceFlagged)  # type: ignore[attr-defined]
    def flagged(self, e: LedgerEvent, tx: Tx) -> None:
        tx.execute(
            "UPDATE {results} SET flagged = 1 WHERE vote_id = ? AND leader_index = ?",
            (str(e.event.vote_id), e.event.leader_index),
        )

    @handles(Abandoned)
    def abandoned(self, e: LedgerEvent, tx: Tx) -> None:
        self._set(
            e,
            tx,
            "state = ?, abandon_reason = ?",
            Phase.ABANDONED.value,
            e.event.body["reason"],
        )


# -- reads ------------------------------------------------------------------------
def votes(views: ProjectionRuntime) -> list[VoteRow]:
    """Every vote, the latest conference first."""
    rows = views.query(
        "vote_results",
        "SELECT * FROM {votes} ORDER BY conference_date DESC, title, vote_id",
    )
    return [vote_row_of(row) for row in rows]


def vote(views: ProjectionRuntime, vote_id: UUID) -> VoteRow | None:
    """One vote's row, if the vote is known."""
    rows = views.query(
        "vote_results", "SELECT * FROM {votes} WHERE vote_id = ?", [str(vote_id)]
    )
    return vote_row_of(rows[0]) if rows else None


def counts(views: ProjectionRuntime, vote_id: UUID, account_id: str) -> bool:
    """Whether the account is one of the vote's ban kiểm phiếu (by primary key)."""
    rows = views.query(
        "vote_results",
        "SELECT 1 AS one FROM {trustees} WHERE account_id = ? AND vote_id = ?",
        [account_id, str(vote_id)],
    )
    return bool(rows)


def counted_votes(views: ProjectionRuntime, account_id: str) -> list[VoteRow]:
    """The votes the account counts (its ``trustees`` rows), in ``votes``'s order."""
    rows = views.query(
        "vote_results",
        "SELECT v.* FROM {trustees} t JOIN {votes} v ON v.vote_id = t.vote_id "
        "WHERE t.account_id = ? ORDER BY v.conference_date DESC, v.title, v.vote_id",
        [account_id],
    )
    return [vote_row_of(row) for row in rows]


def ballot_position(
    views: ProjectionRuntime, vote_id: UUID, tracking: str
) -> int | None:
    """The ledger position of the vote's ballot with this (normalised) tracking
    code, if one was recorded."""
    rows = views.query(
        "vote_results",
        "SELECT position FROM {ballots} WHERE vote_id = ? AND tracking_code = ?",
        [str(vote_id), tracking],
    )
    return int(rows[0]["position"]) if rows else None


def published_results(views: ProjectionRuntime, vote_id: UUID) -> list[LeaderResultRow]:
    """The vote's published results (kết quả), by leader."""
    return [_result_row(row) for row in result_rows(views, vote_id)]


def result_rows(views: ProjectionRuntime, vote_id: UUID | str) -> list[dict[str, Any]]:
    """The vote's published results as plain rows, by leader."""
    return views.query(
        "vote_results",
        "SELECT * FROM {results} WHERE vote_id = ? AND returned IS NOT NULL "
        "ORDER BY leader_index",
        [str(vote_id)],
    )


def votes_of_year(views: ProjectionRuntime, year: int) -> list[dict[str, Any]]:
    """The votes of ``year`` as plain rows, by conference date and id."""
    return views.query(
        "vote_results",
        "SELECT * FROM {votes} WHERE vote_year = ? ORDER BY conference_date, vote_id",
        [year],
    )


class ConfidenceCount(TypedDict):
    """A member's confidence result of a year: ballots returned, and those of
    low confidence (tín nhiệm thấp)."""

    returned: int
    low: int


def latest_confidence(
    views: ProjectionRuntime, member_id: UUID, year: int
) -> ConfidenceCount | None:
    """The member's latest published result in a vote of ``year``, if any."""
    return latest_confidences(views, [member_id], year).get(str(member_id))


def latest_confidences(
    views: ProjectionRuntime, member_ids: Sequence[UUID], year: int
) -> dict[str, ConfidenceCount]:
    """:func:`latest_confidence` of several members (by id as text) in one
    indexed query; a member with no result of the year is left out.

    "Latest" is the tally published last (its log position). Two results
    published together (one vote listing the member for two posts) are taken
    in a fixed order, the vote's id and then the post's place in its list, so
    the same store always gives the same answer on either backend."""
    if not member_ids:
        return {}
    marks = ", ".join("?" for _ in member_ids)
    rows = views.query(
        "vote_results",
        "SELECT member_id, returned, low, published_at FROM {results} "  # noqa: S608
        f"WHERE member_id IN ({marks}) "
        "AND vote_year = ? AND returned IS NOT NULL "
        "ORDER BY published_at DESC, vote_id, leader_index",
        [*map(str, member_ids), year],
    )
    found: dict[str, ConfidenceCount] = {}
    for r in rows:
        found.setdefault(
            r["member_id"],
            ConfidenceCount(returned=int(r["returned"]), low=int(r["low"])),
        )
    return found


def _uuid(value: Any) -> UUID | None:
    return UUID(value) if value else None


def vote_row_of(row: dict[str, Any]) -> VoteRow:
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
