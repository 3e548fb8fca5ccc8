"""The confidence vote as signed ledger events (votes.md §5–§11, §13), on SQLite and
PostgreSQL: the demo vote end to end, its exported record verified by the standalone
verifier, tampering, privacy of mode A ballots, quorum, double ballots, the
threshold and the 96-QĐ/TW boundaries."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.errors import DomainError
from ledger import envelope
from ledger import verify as ledger_verify
from ledger.signing import Signer
from services import commands as c
from services import vote_commands as vc
from services.app import Kiemdiem
from services.demo import load_demo
from services.ids import account_id, actor_of, organisation_id
from services.vote_booth import RECEIPT_PREFIX
from services.votes import VoteService
from votes import trustee as tool
from votes.aggregates import ConfidenceVote, ballot_box_actor, confidence_vote_id
from votes.ballot import encrypt_ballot, make_submission
from votes.canon import canonical
from votes.credentials import Slip, new_slip
from votes.elgamal import Ciphertext
from votes.group import Point
from votes.tally import aggregate, partial_decrypt
from votes.verifier import verify_record


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def stored(services) -> list:
    """Every stored notification of the ledger, in order."""
    return list(services.ledger.recorder.select_notifications(start=1, limit=10**6))


def tip(services) -> int:
    return services.ledger.max_notification_id()


def refused(code: str, call, services) -> None:
    """``call`` raises DomainError ``code`` and the store is unchanged."""
    before = tip(services)
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value
    assert tip(services) == before


@dataclass
class SmallVote:
    services: Kiemdiem
    votes: VoteService
    admin: Signer
    vote_id: UUID
    trustees: list[Signer]
    states: list[tool.TrusteeState]
    slips: list[Slip] = field(default_factory=list)
    passwords: list[str] = field(default_factory=list)

    def handle(self, command, signer: Signer):
        """Through the application's one command bus."""
        return self.services.handle(command, signer)

    def view(self) -> tool.RecordView:
        return tool.read_record(self.votes.export_record(self.vote_id))

    def submit(self, signer: Signer, message: dict) -> None:
        command = self.votes.command_from_message(signer.actor, message)
        self.handle(command, signer)

    def organiser(self, command_cls, *args) -> None:
        self.handle(command_cls(self.admin.actor, self.vote_id, *args), self.admin)

    def ballot(self, slip: Slip, choices: list[int | None]) -> bytes:
        vote = self.votes.vote(self.vote_id)
        opening = encrypt_ballot(
            vote.fingerprint, vote.election_key, slip.credential_pub, choices
        )
        return make_submission(slip.private_key, opening)

    def cast(self, slip: Slip, choices: list[int | None]):
        return self.votes.cast_ballot(
            vc.CastBallot(self.vote_id, self.ballot(slip, choices))
        )


def small_vote(
    services,
    admin,
    *,
    convened: int = 6,
    leaders: int = 2,
    mode: str = "A",
    ceremony: bool = True,
    org: UUID | None = None,
) -> SmallVote:
    """A vote of a chi bộ: 3 trustees, t = 2; with ``ceremony`` the key is
    published and (mode A) the slips are issued. ``org``: the organisation the
    vote belongs to (a new đảng bộ by default)."""
    actor = admin.actor
    if org is None:
        org = services.handle(
            c.FoundOrganisation(
                actor, "dang-bo-thu", "Đảng bộ thử", "provincial_committee", None
            ),
            admin.signer,
        )
    cell = services.handle(
        c.FoundOrganisation(actor, "chi-bo-thu", "Chi bộ thử", "cell", org),
        admin.signer,
    )
    members = [
        services.handle(
            c.EnrolMember(
                actor,
                f"Lãnh đạo {k}",
                f"TV{k:06d}",
                date(1975, 1, 1),
                date(2000, 1, 1),
                "full",
                cell,
            ),
            admin.signer,
        )
        for k in range(leaders)
    ]
    trustees, passwords = [], []
    for k in range(3):
        username, password = f"kiemphieu{k}", secrets.token_urlsafe(12)
        passwords.append(password)
        services.handle(
            c.OpenAccount(actor, username, f"Kiểm phiếu {k}", ("counting",), password),
            admin.signer,
        )
        user = account_id(username)
        trustees.append(services.vault.unlock(str(user), actor_of(user), password))
    votes = services.votes
    votes.allow_remote_mode = mode == "B"
    vote_id = services.handle(
        vc.CreateVote(
            actor,
            org_id=org,
            code="ltn-2025",
            title="Lấy phiếu tín nhiệm thử",
            vote_year=2025,
            conference_date=date(2025, 12, 1),
            leaders=tuple(
                vc.LeaderInput(m, f"Chức vụ {k}", date(2021, 5, 1))
                for k, m in enumerate(members)
            ),
            trustees=tuple(account_id(f"kiemphieu{k}") for k in range(3)),
            convened=convened,
            mode=mode,
        ),
        admin.signer,
    )
    small = SmallVote(services, votes, admin.signer, vote_id, trustees, [])
    small.passwords = passwords
    if not ceremony:
        return small
    current = small.view()
    for index, signer in enumerate(trustees, start=1):
        state, message = tool.start(current, index)
        small.states.append(state)
        small.submit(signer, message)
    for step in (tool.commit, tool.send_shares, tool.check_shares):
        current = small.view()
        for state, signer in zip(small.states, trustees, strict=True):
            small.submit(signer, step(state, current))
    small.organiser(vc.PublishElectionKey)
    if mode == "A":
        slips, message = tool.make_slips(small.view(), 1)
        small.submit(trustees[0], message)
        small.slips = slips
    return small


def closed_partial(small: SmallVote, index: int) -> dict:
    head = small.votes.closing_head(small.vote_id)
    closed = tool.verify_closed(small.votes.export_record(small.vote_id), head)
    return tool.decrypt(small.states[index - 1], closed)


# ---------------------------------------------------------------------------
# The demo vote, end to end
# ---------------------------------------------------------------------------
def flip_hex(data: bytes, anchor: bytes, *, after: int = 0) -> bytes:
    """Change one hex digit of the value that follows ``anchor`` (one byte)."""
    at = data.index(anchor, after) + len(anchor)
    digit = data[at : at + 1]
    assert digit in b"0123456789abcdef"
    other = b"1" if digit != b"1" else b"2"
    return data[:at] + other + data[at + 1 :]


def test_demo_vote_end_to_end(services, admin, settings):
    result = load_demo(services, admin.signer).vote  # the demo includes the vote
    votes = services.votes

    [row] = votes.votes()
    assert (row.vote_id, row.state, row.mode) == (result.vote_id, "tallied", "A")
    assert (row.leaders, row.trustees, row.threshold) == (15, 5, 3)
    assert (row.convened, row.present, row.issued, row.ballots) == (45, 42, 42, 40)
    assert row.partials == 3
    assert row.short_fingerprint == result.short_fingerprint

    # The exported record verifies, with the head of the minutes and the trust root.
    record = votes.export_record(result.vote_id)
    head = bytes.fromhex(result.head)
    report = verify_record(record, head=head, trust_root=services.trust_root)
    assert report.ok, report.first_failure and report.first_failure.to_json()
    lines = record.split(b"\n")[:-2]
    topics = [json.loads(line)["content"]["topic"] for line in lines]
    assert topics.count("VoteBallotCast") == 40
    assert topics[0] == "VoteElectionCreated"
    assert topics[-1] == "VoteTallyPublished"
    # ... and the whole ledger still verifies (ballot-box key valid by position).
    audit = ledger_verify.verify(settings.database_url, services.trust_root, jobs=1)
    assert audit.ok, audit.first_failure and audit.first_failure.to_json()

    # One changed byte anywhere in a ballot, a proof or a decryption share fails.
    ballot_at = record.index(b'"topic":"VoteBallotCast"')
    partial_at = record.index(b'"topic":"VotePartialDecryption"')
    tampered = [
        flip_hex(record, b'"a":"', after=ballot_at),
        flip_hex(record, b'"b":"', after=ballot_at),
        flip_hex(record, b'"proof":["', after=ballot_at),
        flip_hex(record, b'"sum_proof":["', after=ballot_at),
        flip_hex(record, b'"sig":"', after=ballot_at),
        flip_hex(record, b'"d":"', after=partial_at),
        flip_hex(record, b'"proof":["', after=partial_at),
    ]
    for mutant in tampered:
        assert mutant != record
        assert len(mutant) == len(record)
        assert not verify_record(mutant, head=head).ok

    # Results: exact fractions over ballots returned and the 96-QĐ/TW bands.
    results = {r.leader_index: r for r in votes.results(result.vote_id)}
    assert len(results) == 15
    boundaries = {0: ("20/40", "NONE"), 1: ("21/40", "GT_HALF")}
    boundaries[2] = ("27/40", "GTE_TWO_THIRDS")
    for index, (pct_low, band) in boundaries.items():
        assert (results[index].pct_low, results[index].band) == (pct_low, band)
        assert results[index].returned == 40
        assert results[index].issued == 42
    for r in results.values():
        assert r.valid + r.invalid == r.returned == 40
        assert r.high + r.normal + r.low == r.valid

    # The "> 1/2 low" fact for the rating rules: flagged per member, by year.
    facts = votes.confidence_vote(result.vote_id)
    assert isinstance(facts, ConfidenceVote)
    flagged = services.projections.query(
        "vote_results",
        "SELECT leader_index, member_id, band FROM {results} "
        "WHERE flagged = 1 AND vote_year = 2025 ORDER BY leader_index",
    )
    expected = [i for i, r in results.items() if r.band != "NONE"]
    assert [f["leader_index"] for f in flagged] == expected
    assert {0, 3} & set(expected) == set()
    assert flagged[0]["member_id"] == facts.leaders[1]["member_id"]
    stream = services.ledger.recorder.select_events(confidence_vote_id(result.vote_id))
    event_topics = [s.topic for s in stream]
    assert event_topics.count("votes.aggregates:ConfidenceVote.Held") == 15
    assert event_topics.count(
        "votes.aggregates:ConfidenceVote.ConsequenceFlagged"
    ) == len(expected)

    assert_mode_a_ballots_unlinked(services, result.vote_id)


def assert_mode_a_ballots_unlinked(services, vote_id: UUID) -> None:
    """No stored field of a mode A ballot names or keys a member (§13 test 7)."""
    people: set[str] = set()
    account_keys: set[bytes] = set()
    for account in services.accounts():
        people |= {str(account.account_id), f"u:{account.account_id}", account.username}
        if account.member_id:
            people.add(str(account.member_id))
    for member in services.members():
        people |= {str(member.member_id), member.full_name, member.party_card_no}
    registry = services.ledger.key_registry()
    for record in registry.keys.values():
        if record.owner.startswith("u:"):
            account_keys.add(record.public_key_raw)
    box = ballot_box_actor(vote_id)
    credentials: set[str] = set()
    ballots = 0
    notifications = stored(services)
    for note in notifications:
        content = envelope.parse_content(envelope.unpack(note.state).content)
        if content.topic != "VoteBallotCast":
            continue
        ballots += 1
        raw = envelope.unpack(note.state).content.decode()
        assert content.actor == box
        assert registry.get(content.key_id).owner == box
        assert content.ts.endswith("T00:00:00.000000Z")
        assert set(content.body) == {"ballot", "ballot_hash", "sig"}
        assert not any(person in raw for person in people)
        credential = bytes.fromhex(content.body["ballot"]["credential"])
        assert credential not in account_keys
        credentials.add(credential.hex())
    assert ballots == 40
    # A ballot's credential appears elsewhere only in the name-less slip lists
    # (signed by the chair, whose own actor is the only person named).
    for note in notifications:
        raw = envelope.unpack(note.state).content.decode()
        topic = note.topic
        if topic == "VoteBallotCast":
            continue
        if any(cred in raw for cred in credentials):
            assert topic in ("VoteCredentialsPublished", "VoteCredentialsVoided")
            body = json.loads(raw)["body"]
            assert set(body) <= {"count", "credentials"}
            assert not any(person in json.dumps(body) for person in people)
    # Nor does a read model keep them.
    views = services.projections.digest_details()
    assert "vote_results" in views
    for table in ("votes", "results"):
        rows = services.projections.query("vote_results", f"SELECT * FROM {{{table}}}")
        text = json.dumps(rows, default=str)
        assert not any(cred in text for cred in credentials)


# ---------------------------------------------------------------------------
# Quorum, ballots, threshold
# ---------------------------------------------------------------------------
def test_quorum_refusal_leaves_the_store_unchanged(services, admin):
    small = small_vote(services, admin, convened=6)
    small.organiser(vc.RecordAttendance, 3)  # 3·3 = 9 < 6·2 = 12
    refused(
        "vote.quorum_not_met",
        lambda: small.organiser(vc.OpenVoting),
        services,
    )
    # Below quorum the record may only end in VoteAbandoned(QUORUM_NOT_MET).
    refused(
        "vote.abandon_reason_quorum",
        lambda: small.organiser(vc.AbandonVote, "OTHER"),
        services,
    )
    small.organiser(vc.AbandonVote, "QUORUM_NOT_MET")
    assert small.votes.vote_row(small.vote_id).state == "abandoned"
    assert verify_record(small.votes.export_record(small.vote_id)).ok


def test_ballots_one_per_credential_and_decryption_needs_the_threshold(services, admin):
    small = small_vote(services, admin, convened=6)
    votes, vote_id = small.votes, small.vote_id
    # Only the organiser (the manifest signer) records attendance.
    refused(
        "vote.not_organiser",
        lambda: services.handle(
            vc.RecordAttendance(small.trustees[1].actor, vote_id, 4), small.trustees[1]
        ),
        services,
    )
    small.organiser(vc.RecordAttendance, 4)  # 4·3 = 12 ≥ 12: exactly two thirds
    handed, unissued = small.slips[:4], small.slips[4:]
    # Issued (6 slips) > present (4): void the two slips not handed out first.
    refused(
        "vote.issued_exceeds_present", lambda: small.organiser(vc.OpenVoting), services
    )
    refused(
        "vote.not_chair",
        lambda: small.submit(
            small.trustees[1],
            tool.void_message(small.view(), 1, [s.code for s in unissued]),
        ),
        services,
    )
    small.submit(
        small.trustees[0],
        tool.void_message(small.view(), 1, [s.code for s in unissued]),
    )
    refused(
        "vote.not_open",
        lambda: small.cast(handed[0], [0, 2]),
        services,
    )
    small.organiser(vc.OpenVoting)

    receipt = small.cast(handed[0], [0, 2])
    box = Ed25519PublicKey.from_public_bytes(
        bytes.fromhex(votes.vote(vote_id).manifest["service_pub"])
    )
    box.verify(bytes.fromhex(receipt.sig), RECEIPT_PREFIX + canonical(receipt.body))
    # A second ballot on one credential, fresh or replayed, is refused.
    refused("vote.double_ballot", lambda: small.cast(handed[0], [1, 1]), services)
    replay = small.ballot(handed[1], [1, 0])
    votes.cast_ballot(vc.CastBallot(vote_id, replay))
    refused(
        "vote.double_ballot",
        lambda: votes.cast_ballot(vc.CastBallot(vote_id, replay)),
        services,
    )
    # Unlisted and voided credentials cannot cast.
    for slip in (new_slip(str(vote_id)), unissued[0]):
        with pytest.raises(DomainError) as caught:
            small.cast(slip, [0, 0])
        assert caught.value.details == {"reason": "credential"}
    small.cast(handed[2], [None, 2])

    # Decryption only after closing, and only of the full aggregate.
    refused(
        "vote.wrong_phase",
        lambda: small.submit(
            small.trustees[0],
            {
                "body": {"j": 1, "shares": [], "verified_head": "00" * 32},
                "format": tool.MESSAGE_FORMAT,
                "i": 1,
                "step": "decrypt",
                "vote": str(vote_id),
            },
        ),
        services,
    )
    small.organiser(vc.CloseVoting)
    refused("vote.not_open", lambda: small.cast(handed[3], [0, 0]), services)

    # Helios #170: a decryption of a subset of the ballots is refused by the server.
    vote = votes.vote(vote_id)
    head = votes.closing_head(vote_id)
    accepted = [
        json.loads(line)["content"]["body"]["ballot"]
        for line in votes.export_record(vote_id).split(b"\n")[:-2]
        if b'"topic":"VoteBallotCast"' in line
    ]
    assert len(accepted) == 3
    first_only = aggregate(
        [
            [
                [
                    Ciphertext(
                        Point(bytes.fromhex(ch["a"])), Point(bytes.fromhex(ch["b"]))
                    )
                    for ch in ans["choices"]
                ]
                for ans in accepted[0]["answers"]
            ]
        ],
        vote.leader_count,
    )
    sneaky = partial_decrypt(vote.fingerprint, 1, small.states[0].key_share, first_only)
    message = {
        "body": {
            "j": 1,
            "shares": [
                [{"d": s.d.hex(), "proof": s.proof.to_hex()} for s in row]
                for row in sneaky
            ],
            "verified_head": head.hex(),
        },
        "format": tool.MESSAGE_FORMAT,
        "i": 1,
        "step": "decrypt",
        "vote": str(vote_id),
    }
    refused(
        "vote.partial_invalid",
        lambda: small.submit(small.trustees[0], message),
        services,
    )
    # The trustee tool refuses a head that is not the one in the minutes.
    with pytest.raises(tool.TrusteeToolError):
        tool.verify_closed(votes.export_record(vote_id), bytes(32))

    first, again = closed_partial(small, 1), closed_partial(small, 1)
    small.submit(small.trustees[0], first)
    refused(
        "vote.partial_duplicate",
        lambda: small.submit(small.trustees[0], again),
        services,
    )
    with pytest.raises(tool.TrusteeToolError, match="đã công bố phần giải mã"):
        closed_partial(small, 1)
    # t = 2: one partial decryption gives no result.
    chair = small.trustees[0]
    refused(
        "vote.below_threshold",
        lambda: services.handle(vc.PublishTally(chair.actor, vote_id), chair),
        services,
    )
    small.submit(small.trustees[2], closed_partial(small, 3))
    refused(
        "vote.not_chair",
        lambda: services.handle(
            vc.PublishTally(small.trustees[2].actor, vote_id), small.trustees[2]
        ),
        services,
    )
    services.handle(vc.PublishTally(chair.actor, vote_id), chair)
    results = votes.results(vote_id)
    # Ballots: [0, 2], [1, 0], [None, 2]; per-person validity (§13 test 16).
    assert [(r.high, r.normal, r.low, r.invalid) for r in results] == [
        (1, 1, 0, 1),
        (1, 0, 2, 0),
    ]
    assert [r.band for r in results] == ["NONE", "GTE_TWO_THIRDS"]
    assert [r.pct_low for r in results] == ["0/3", "2/3"]
    # Each member of the ban kiểm phiếu may sign the minutes, once.
    for signer in small.trustees[:2]:
        services.handle(vc.SignMinutes(signer.actor, vote_id), signer)
    refused(
        "vote.minutes_already_signed",
        lambda: services.handle(vc.SignMinutes(chair.actor, vote_id), chair),
        services,
    )
    record = votes.export_record(vote_id)
    assert verify_record(record, head=head, trust_root=services.trust_root).ok


def test_create_vote_refuses_excluded_leaders_and_mode_b_by_default(services, admin):
    small = small_vote(services, admin)
    org = organisation_id("dang-bo-thu")
    member = small.votes.confidence_vote(small.vote_id).leaders[0]["member_id"]

    def create(**changes):
        fields = {
            "org_id": org,
            "code": "ltn-khac",
            "title": "Lấy phiếu khác",
            "vote_year": 2025,
            "conference_date": date(2025, 12, 1),
            "leaders": (vc.LeaderInput(UUID(member), "Bí thư", date(2021, 1, 1)),),
            "trustees": tuple(account_id(f"kiemphieu{k}") for k in range(3)),
            "convened": 5,
        }
        fields.update(changes)
        return lambda: small.handle(vc.CreateVote(admin.actor, **fields), admin.signer)

    appointed = (vc.LeaderInput(UUID(member), "Bí thư", date(2025, 3, 1)),)
    retiring = (vc.LeaderInput(UUID(member), "Bí thư", date(2021, 1, 1), True),)
    refused("vote.leader_appointed_this_year", create(leaders=appointed), services)
    refused("vote.leader_pending_retirement", create(leaders=retiring), services)
    refused("vote.remote_mode_disabled", create(mode="B"), services)
    refused("vote.threshold_invalid", create(threshold=4), services)
    refused("vote.code_taken", create(code="ltn-2025"), services)
    trustee = small.trustees[1]
    refused(
        "auth.forbidden",
        lambda: small.handle(
            vc.CreateVote(
                trustee.actor,
                org,
                "ltn-x",
                "x",
                2025,
                date(2025, 12, 1),
                (),
                (),
                5,
            ),
            trustee,
        ),
        services,
    )


# ---------------------------------------------------------------------------
# Mode B and the command line
# ---------------------------------------------------------------------------
def mode_b_vote(services, admin, voters: int = 3):
    """A mode B vote with ``voters`` eligible members (each with an account), open."""
    small = small_vote(services, admin, mode="B")
    cell = organisation_id("chi-bo-thu")
    people = []
    for k in range(voters):
        member = services.handle(
            c.EnrolMember(
                admin.actor,
                f"Đảng viên {k}",
                f"DV{k:06d}",
                date(1980, 1, 1),
                date(2005, 1, 1),
                "full",
                cell,
            ),
            admin.signer,
        )
        password = secrets.token_urlsafe(12)
        services.handle(
            c.OpenAccount(
                admin.actor,
                f"dangvien{k}",
                f"Đảng viên {k}",
                ("member",),
                password,
                member_id=member,
            ),
            admin.signer,
        )
        user = account_id(f"dangvien{k}")
        people.append(
            (member, services.vault.unlock(str(user), actor_of(user), password))
        )
    return small, people


def mode_b_ballot(small: SmallVote, signer: Signer, choices, *, credential=None):
    """Built and signed on the member's own device with the account key."""
    vote = small.votes.vote(small.vote_id)
    opening = encrypt_ballot(
        vote.fingerprint,
        vote.election_key,
        credential or signer.public_key_raw,
        choices,
    )
    if credential is None:
        return make_submission(signer.private_key, opening)
    # A forgery: someone else's credential, signed with this signer's key.
    sig = signer.private_key.sign(
        b"kiemdiem/vote/v1/ballot-sig\n" + canonical(opening.ballot)
    )
    return canonical({"ballot": opening.ballot, "sig": sig.hex()})


def test_mode_b_ballot_is_signed_by_the_members_own_key(services, admin):
    small, voters = mode_b_vote(services, admin, voters=3)
    votes, vote_id = small.votes, small.vote_id
    # Only members with an account (and a registered key) can be listed.
    leader = UUID(votes.confidence_vote(vote_id).leaders[0]["member_id"])
    refused(
        "vote.member_without_account",
        lambda: small.organiser(vc.PublishEligibleAccounts, (leader,)),
        services,
    )
    small.organiser(vc.PublishEligibleAccounts, tuple(m for m, _ in voters))
    with pytest.raises(tool.TrusteeToolError, match="mode A"):
        tool.make_slips(small.view(), 1)
    small.organiser(vc.RecordAttendance, 6)
    small.organiser(vc.OpenVoting)
    assert votes.vote_row(vote_id).issued == 3

    (_, first), (_, second), (_, third) = voters
    mine = mode_b_ballot(small, first, [0, 2])
    refused(
        "vote.login_required",
        lambda: votes.cast_ballot(vc.CastBallot(vote_id, mine)),
        services,
    )
    # §7.2 step 5: the session's member must own the credential.
    theirs = mode_b_ballot(small, second, [1, 1])
    before = tip(services)
    with pytest.raises(DomainError) as caught:
        votes.cast_ballot(vc.CastBallot(vote_id, theirs), first.actor)
    assert caught.value.details == {"reason": "credential"}
    # A ballot naming my key but signed with another's key is refused.
    forged = mode_b_ballot(small, second, [1, 1], credential=first.public_key_raw)
    with pytest.raises(DomainError) as caught:
        votes.cast_ballot(vc.CastBallot(vote_id, forged), first.actor)
    assert caught.value.details == {"reason": "signature"}
    # A signed-in account that is not on the list (the organiser) cannot cast.
    with pytest.raises(DomainError) as caught:
        votes.cast_ballot(
            vc.CastBallot(vote_id, mode_b_ballot(small, admin.signer, [0, 0])),
            admin.actor,
        )
    assert caught.value.details == {"reason": "credential"}
    assert tip(services) == before

    votes.cast_ballot(vc.CastBallot(vote_id, mine), first.actor)
    refused(
        "vote.double_ballot",
        lambda: votes.cast_ballot(
            vc.CastBallot(vote_id, mode_b_ballot(small, first, [1, 1])), first.actor
        ),
        services,
    )
    votes.cast_ballot(vc.CastBallot(vote_id, theirs), second.actor)
    votes.cast_ballot(
        vc.CastBallot(vote_id, mode_b_ballot(small, third, [None, 2])), third.actor
    )
    # The record shows who took part (the credential is the account key), never
    # how; the envelope is still the ballot box's.
    lines = votes.export_record(vote_id).split(b"\n")[:-2]
    cast = [json.loads(x) for x in lines if b'"topic":"VoteBallotCast"' in x]
    assert [x["content"]["actor"] for x in cast] == [ballot_box_actor(vote_id)] * 3
    assert cast[0]["content"]["body"]["ballot"]["credential"] == (
        first.public_key_raw.hex()
    )

    # Closing, each trustee verifying the record, threshold decryption, tally.
    small.organiser(vc.CloseVoting)
    head = votes.closing_head(vote_id)
    small.submit(small.trustees[0], closed_partial(small, 1))
    small.submit(small.trustees[1], closed_partial(small, 2))
    chair = small.trustees[0]
    services.handle(vc.PublishTally(chair.actor, vote_id), chair)
    results = votes.results(vote_id)
    assert [(r.high, r.normal, r.low, r.invalid) for r in results] == [
        (1, 1, 0, 1),
        (0, 1, 2, 0),
    ]
    assert [(r.issued, r.returned) for r in results] == [(3, 3), (3, 3)]
    record = votes.export_record(vote_id)
    report = verify_record(record, head=head, trust_root=services.trust_root)
    assert report.ok, report.first_failure and report.first_failure.to_json()
    trailer = json.loads(record.split(b"\n")[-2])
    assert sorted(m["member_id"] for m in trailer["members"]) == sorted(
        str(m) for m, _ in voters
    )
    # A trailer that gives another key for a member fails V7.
    swapped = json.loads(record.split(b"\n")[-2])
    swapped["members"][0]["public_key"] = swapped["members"][1]["public_key"]
    mutant = b"\n".join([*record.split(b"\n")[:-2], canonical(swapped), b""])
    failure = verify_record(mutant, head=head).first_failure
    assert failure is not None
    assert (failure.check, failure.kind) == ("V7", "registry_mismatch")


def forge_ballot(small: SmallVote, submission: bytes) -> None:
    """A dishonest server: append a ballot skipping every §7.2 check (signed by
    the ballot box, chained like any other); only the verifier can catch it."""
    from votes.aggregates import BallotCast
    from votes.ballot import ballot_hash

    votes = small.votes
    parsed = json.loads(submission)
    box = votes.boxes.signer(small.vote_id)

    def work():
        vote = votes.vote(small.vote_id)
        opened = vote.opened_on
        vote.trigger_event(
            BallotCast,
            timestamp=datetime(opened.year, opened.month, opened.day, tzinfo=UTC),
            ballot=parsed["ballot"],
            ballot_hash=ballot_hash(parsed["ballot"]).hex(),
            sig=parsed["sig"],
        )
        return [vote]

    votes.app.uow.commit(box, work)


@pytest.mark.parametrize(
    ("forgery", "failure"),
    [
        ("another_members_key", "V9.signature_invalid"),
        ("not_eligible", "V9.credential_unknown"),
        ("duplicate", "V9.credential_reused"),
    ],
)
def test_the_verifier_rejects_a_forged_mode_b_ballot(services, admin, forgery, failure):
    small, voters = mode_b_vote(services, admin, voters=2)
    votes, vote_id = small.votes, small.vote_id
    small.organiser(vc.PublishEligibleAccounts, tuple(m for m, _ in voters))
    small.organiser(vc.RecordAttendance, 6)
    small.organiser(vc.OpenVoting)
    (_, first), (_, second) = voters
    votes.cast_ballot(
        vc.CastBallot(vote_id, mode_b_ballot(small, first, [0, 1])), first.actor
    )
    honest = votes.export_record(vote_id)
    if forgery == "another_members_key":
        bad = mode_b_ballot(small, first, [2, 2], credential=second.public_key_raw)
    elif forgery == "not_eligible":
        bad = mode_b_ballot(small, admin.signer, [2, 2])
    else:
        bad = mode_b_ballot(small, first, [2, 2])
    forge_ballot(small, bad)
    small.organiser(vc.AbandonVote, "OTHER")
    report = verify_record(votes.export_record(vote_id))
    assert report.first_failure is not None
    assert report.first_failure.name == failure
    # Without the forgery the same vote, abandoned, verifies.
    assert b"VoteAbandoned" not in honest
    assert verify_record(honest).first_failure.name == "V4.incomplete"


def test_cli_lists_exports_and_runs_the_trustee_tool(
    services, admin, settings, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from cli.votes_cmd import votes as votes_cli

    small = small_vote(services, admin, ceremony=False)
    monkeypatch.setenv("KIEMDIEM_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    listed = runner.invoke(votes_cli, ["list", "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert (row["vote_id"], row["state"]) == (str(small.vote_id), "ceremony")
    assert (row["leaders"], row["trustees"], row["ballots"]) == (2, 3, 0)

    record = tmp_path / "record.jsonl"
    exported = runner.invoke(votes_cli, ["export", str(small.vote_id), str(record)])
    assert exported.exit_code == 0, exported.output
    assert record.read_bytes() == small.votes.export_record(small.vote_id)
    assert runner.invoke(votes_cli, ["verify", str(record)]).exit_code == 1
    assert runner.invoke(votes_cli, ["export", "not-an-id", str(record)]).exit_code == 2
    missing = runner.invoke(votes_cli, ["export", str(UUID(int=1)), str(record)])
    assert missing.exit_code == 2
    assert "không có cuộc bỏ phiếu" in missing.output

    monkeypatch.setenv("KIEMDIEM_TRUSTEE_PASSPHRASE", "mat-khau-tep-trang-thai")
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    state, message = tmp_path / "state.json", tmp_path / "register.json"
    started = runner.invoke(
        votes_cli,
        ["trustee", "start", "--record", str(record), "--state", str(state),
         "--index", "2", "--out", str(message)],
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert tool.load_state(state, "mat-khau-tep-trang-thai").index == 2
    monkeypatch.setenv("KIEMDIEM_PASSWORD", small.passwords[1])
    submitted = runner.invoke(
        votes_cli, ["trustee", "submit", str(message), "--user", "kiemphieu1"]
    )
    assert submitted.exit_code == 0, submitted.output
    assert 2 in small.votes.vote(small.vote_id).registered
    # The same message again is refused (exit 1); a wrong state passphrase is bad
    # input (exit 2); so is a message file that is not one.
    again = runner.invoke(
        votes_cli, ["trustee", "submit", str(message), "--user", "kiemphieu1"]
    )
    assert again.exit_code == 1
    assert "vote.trustee_already_registered" in again.output
    monkeypatch.setenv("KIEMDIEM_TRUSTEE_PASSPHRASE", "sai-mat-khau")
    wrong = runner.invoke(
        votes_cli,
        ["trustee", "commit", "--record", str(record), "--state", str(state)],
    )
    assert wrong.exit_code == 2
    bogus = runner.invoke(
        votes_cli, ["trustee", "submit", str(record), "--user", "kiemphieu1"]
    )
    assert bogus.exit_code == 2


def test_a_complaint_aborts_the_ceremony_and_a_new_run_starts(services, admin):
    small = small_vote(services, admin, ceremony=False)
    trustees = small.trustees
    current = small.view()
    for index, signer in enumerate(trustees, start=1):
        state, message = tool.start(current, index)
        small.states.append(state)
        small.submit(signer, message)
    current = small.view()
    refused(
        "vote.not_trustee",
        lambda: small.submit(trustees[1], tool.commit(small.states[0], current)),
        services,
    )
    for state, signer in zip(small.states, trustees, strict=True):
        small.submit(signer, tool.commit(state, current))
    current = small.view()
    for k, (state, signer) in enumerate(zip(small.states, trustees, strict=True)):
        message = tool.send_shares(state, current)
        if k == 1:  # trustee 2 sends trustee 3 a share that does not open
            share = next(s for s in message["body"]["shares"] if s["to"] == 3)
            share["ciphertext"] = "00" + share["ciphertext"][2:]
        small.submit(signer, message)
    current = small.view()
    complaint = tool.check_shares(small.states[2], current)
    assert complaint["step"] == "complaint"
    assert complaint["body"] == {"against": 2, "j": 3, "reason": "share_unreadable"}
    small.submit(trustees[2], complaint)
    refused(
        "vote.ceremony_complaint_pending",
        lambda: small.submit(trustees[0], tool.check_shares(small.states[0], current)),
        services,
    )
    refused(
        "vote.ceremony_confirmations_incomplete",
        lambda: small.organiser(vc.PublishElectionKey),
        services,
    )
    small.organiser(vc.AbortKeyCeremony, "Ủy viên 2 gửi phần khóa hỏng")
    # Run 2: fresh transport keys and polynomials; the old state is refused.
    current = small.view()
    with pytest.raises(tool.TrusteeToolError, match="khởi động lại"):
        tool.commit(small.states[0], current)
    small.states = []
    for index, signer in enumerate(trustees, start=1):
        state, message = tool.start(current, index)
        small.states.append(state)
        small.submit(signer, message)
    for step in (tool.commit, tool.send_shares, tool.check_shares):
        current = small.view()
        for state, signer in zip(small.states, trustees, strict=True):
            small.submit(signer, step(state, current))
    small.organiser(vc.PublishElectionKey)
    short = tool.check_key(small.states[1], small.view())
    assert small.votes.vote_row(small.vote_id).short_fingerprint == short
    small.organiser(vc.AbandonVote, "OTHER")
    report = verify_record(small.votes.export_record(small.vote_id))
    assert report.ok, report.first_failure and report.first_failure.to_json()


def test_cli_trustee_decrypt_checks_the_ballots_on_several_processes(
    services, admin, settings, tmp_path, monkeypatch
):
    """``trustee decrypt --jobs 2`` takes the verifier's process pool (≥ 64 ballots)
    and gives the same decryption as one process; the store accepts it."""
    from click.testing import CliRunner

    import votes.verifier.ballots as ballot_checks
    from cli.votes_cmd import votes as votes_cli

    count = ballot_checks.MIN_PARALLEL
    small = small_vote(services, admin, convened=count, leaders=1)
    small.organiser(vc.RecordAttendance, count)
    small.organiser(vc.OpenVoting)
    for k, slip in enumerate(small.slips):
        small.cast(slip, [k % 3 if k % 5 else None])
    small.organiser(vc.CloseVoting)
    head = small.votes.closing_head(small.vote_id).hex()
    record, state = tmp_path / "record.jsonl", tmp_path / "state.json"
    record.write_bytes(small.votes.export_record(small.vote_id))
    tool.save_state(state, small.states[1], "mat-khau-tep", memory_kib=1024)
    monkeypatch.setenv("KIEMDIEM_TRUSTEE_PASSPHRASE", "mat-khau-tep")
    pools = []
    from concurrent.futures import ProcessPoolExecutor as real_pool

    def counting_pool(*args, **kwargs):
        pools.append(kwargs.get("max_workers"))
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(ballot_checks, "ProcessPoolExecutor", counting_pool)
    runner = CliRunner()
    messages = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"decrypt-{jobs}.json"
        done = runner.invoke(
            votes_cli,
            ["trustee", "decrypt", "--record", str(record), "--state", str(state),
             "--head", head, "--jobs", jobs, "--out", str(out)],
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        messages[jobs] = json.loads(out.read_text(encoding="utf-8"))
    assert pools == [2]  # one process only for --jobs 1; a pool of 2 for --jobs 2
    shares = {
        jobs: [[s["d"] for s in row] for row in message["body"]["shares"]]
        for jobs, message in messages.items()
    }
    assert shares["1"] == shares["2"]
    bad = runner.invoke(
        votes_cli,
        ["trustee", "decrypt", "--record", str(record), "--state", str(state),
         "--head", head, "--jobs", "0"],
    )  # fmt: skip
    assert bad.exit_code == 2
    wrong_head = runner.invoke(
        votes_cli,
        ["trustee", "decrypt", "--record", str(record), "--state", str(state),
         "--head", "00" * 32, "--jobs", "2"],
    )  # fmt: skip
    assert wrong_head.exit_code == 1
    small.submit(small.trustees[1], messages["2"])
    assert 2 in small.votes.vote(small.vote_id).partials
