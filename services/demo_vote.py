"""A completed demo confidence vote (``kiemdiem demo``): 15 leaders of the provincial
standing committee, 40 voters with slips (mode A), a ban kiểm phiếu of 5 with
threshold 3, every step recorded and the results published.

Everything a real vote splits between people runs here in one process, **as a
demo only**: the five trustees' tools (``votes.trustee``) run on their behalf with
in-memory state, the chair's slips are kept in memory to vote with, and the 40
ballots are encrypted here instead of in 40 booths.  The server side is the
ordinary one: every step is a command of :class:`services.votes.VoteService`, signed
by its own actor (organiser, trustee, chair, ballot box), so the exported record
verifies like any other.  Names are fictional.

Called at the end of :func:`services.demo.load_demo` (it needs the demo province and
at least 15 members)::

    from services.demo_vote import load_demo_vote
    vote = load_demo_vote(services, admin)
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.errors import DomainError
from ledger.signing import Signer
from services import commands as c
from services import vote_commands as vc
from services.app import Kiemdiem
from services.ids import account_id, actor_of, organisation_id
from votes import trustee as tool
from votes.ballot import encrypt_ballot, make_submission
from votes.credentials import Slip

ORG_CODE = "tinh-uy-song-hong"
VOTE_CODE = "ltn-2025-btv"
TITLE = "Lấy phiếu tín nhiệm năm 2025 đối với Ban Thường vụ Tỉnh ủy Sông Hồng"
VOTE_YEAR = 2025
CONFERENCE = date(2025, 12, 10)
POSTS = [
    "Bí thư Tỉnh ủy",
    "Phó Bí thư Thường trực Tỉnh ủy",
    "Phó Bí thư Tỉnh ủy, Chủ tịch Ủy ban nhân dân tỉnh",
    "Phó Bí thư Tỉnh ủy, Chủ tịch Hội đồng nhân dân tỉnh",
    "Trưởng Ban Tổ chức Tỉnh ủy",
    "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
    "Trưởng Ban Tuyên giáo Tỉnh ủy",
    "Trưởng Ban Nội chính Tỉnh ủy",
    "Trưởng Ban Dân vận Tỉnh ủy",
    "Chánh Văn phòng Tỉnh ủy",
    "Phó Chủ tịch Thường trực Ủy ban nhân dân tỉnh",
    "Giám đốc Công an tỉnh",
    "Chỉ huy trưởng Bộ Chỉ huy Quân sự tỉnh",
    "Bí thư Huyện ủy Yên Thành",
    "Bí thư Huyện ủy Phú Lộc",
]
# The chair is the province's ban kiểm phiếu login of the demo (services.demo),
# reused when it is already open: its dashboard then has the minutes to sign.
TRUSTEES = [
    ("bankiemphieu", "Trưởng Ban kiểm phiếu"),
    ("bkp-uyvien1", "Ủy viên Ban kiểm phiếu 1 (demo)"),
    ("bkp-uyvien2", "Ủy viên Ban kiểm phiếu 2 (demo)"),
    ("bkp-uyvien3", "Ủy viên Ban kiểm phiếu 3 (demo)"),
    ("bkp-uyvien4", "Ủy viên Ban kiểm phiếu 4 (demo)"),
]
THRESHOLD = 3
CONVENED = 45
PRESENT = 42
VOTERS = 40
# Low-confidence marks of the first three leaders: the boundaries of §13 test 15
# (20/40 is not over half, 21/40 is, 27/40 is two thirds or more).
LOW_COUNTS = {0: 20, 1: 21, 2: 27}


@dataclass(frozen=True)
class DemoVoteAccount:
    username: str
    role: str
    password: str


@dataclass(frozen=True)
class DemoVoteResult:
    vote_id: UUID
    short_fingerprint: str
    head: str
    """Chain head for the minutes: the hash of ``VoteVotingClosed``."""
    accounts: list[DemoVoteAccount]


def demo_choices(seed: int) -> list[list[int | None]]:
    """40 ballots × 15 leaders: level 0/1/2 or None (unmarked, invalid for that one)."""
    rng = random.Random(seed)  # noqa: S311 - fictional demo data, not security
    ballots: list[list[int | None]] = [[None] * len(POSTS) for _ in range(VOTERS)]
    for leader in range(len(POSTS)):
        low = LOW_COUNTS.get(leader, rng.randint(0, 6))
        order = list(range(VOTERS))
        rng.shuffle(order)
        for rank, voter in enumerate(order):
            if rank < low:
                ballots[voter][leader] = 2
            elif rank == VOTERS - 1 and leader % 4 == 3:
                ballots[voter][leader] = None  # one ballot left unmarked
            else:
                ballots[voter][leader] = 0 if rng.random() < 0.6 else 1
    return ballots


def load_demo_vote(
    kiemdiem: Kiemdiem,
    admin_signer: Signer,
    seed: int = 2025,
    opened: Mapping[str, str] | None = None,
) -> DemoVoteResult:
    """Run a whole mode A vote through the ordinary commands; see the module doc.
    ``opened``: trustees' accounts already open (username → password), used as
    they are; the others are opened here and returned."""
    votes = kiemdiem.votes
    admin = admin_signer.actor
    org = organisation_id(ORG_CODE)
    kiemdiem.projections.catch_up()  # the worker mode may not have caught up yet
    members = kiemdiem.members()
    if len(members) < len(POSTS):
        raise DomainError("vote.demo_needs_members", needed=len(POSTS))
    leaders = tuple(
        vc.LeaderInput(m.member_id, post, date(2020, 10, 15))
        for m, post in zip(members, POSTS, strict=False)
    )

    accounts: list[DemoVoteAccount] = []
    trustees: list[Signer] = []
    for username, full_name in TRUSTEES:
        password = (opened or {}).get(username)
        if password is None:
            password = secrets.token_urlsafe(9)
            kiemdiem.handle(
                c.OpenAccount(
                    admin, username, full_name, ("counting",), password, org_id=org
                ),
                admin_signer,
            )
            accounts.append(DemoVoteAccount(username, "counting", password))
        user = account_id(username)
        trustees.append(kiemdiem.vault.unlock(str(user), actor_of(user), password))

    vote = kiemdiem.handle(
        vc.CreateVote(
            admin,
            org_id=org,
            code=VOTE_CODE,
            title=TITLE,
            vote_year=VOTE_YEAR,
            conference_date=CONFERENCE,
            leaders=leaders,
            trustees=tuple(account_id(u) for u, _ in TRUSTEES),
            convened=CONVENED,
            threshold=THRESHOLD,
            slip_count=CONVENED,
        ),
        admin_signer,
    )

    def submit(signer: Signer, message: dict[str, object]) -> None:
        kiemdiem.handle(votes.command_from_message(signer.actor, dict(message)), signer)

    def view() -> tool.RecordView:
        return tool.read_record(votes.export_record(vote))

    # Key ceremony: each demo trustee's tool, on their behalf (§5).
    states: list[tool.TrusteeState] = []
    current = view()
    for index, signer in enumerate(trustees, start=1):
        state, message = tool.start(current, index)
        states.append(state)
        submit(signer, message)
    current = view()
    for state, signer in zip(states, trustees, strict=True):
        submit(signer, tool.commit(state, current))
    current = view()
    for state, signer in zip(states, trustees, strict=True):
        submit(signer, tool.send_shares(state, current))
    current = view()
    for state, signer in zip(states, trustees, strict=True):
        submit(signer, tool.check_shares(state, current))
    kiemdiem.handle(vc.PublishElectionKey(admin, vote), admin_signer)
    current = view()
    short = ""
    for state in states:
        short = tool.check_key(state, current)

    # Slips: the chair's tool prints them; here the demo keeps them to vote with.
    chair = trustees[0]
    slips, message = tool.make_slips(current, 1)
    submit(chair, message)
    kiemdiem.handle(vc.RecordAttendance(admin, vote, PRESENT), admin_signer)
    shuffled: list[Slip] = list(slips)
    random.Random(seed).shuffle(shuffled)  # noqa: S311 - demo hand-out order
    handed, unissued = shuffled[:PRESENT], shuffled[PRESENT:]
    submit(chair, tool.void_message(current, 1, [s.code for s in unissued]))
    kiemdiem.handle(vc.OpenVoting(admin, vote), admin_signer)

    aggregate = votes.vote(vote)
    if aggregate.election_key is None:  # pragma: no cover - published above
        raise DomainError("vote.demo_no_key")
    for slip, choices in zip(handed, demo_choices(seed), strict=False):
        opening = encrypt_ballot(
            aggregate.fingerprint, aggregate.election_key, slip.credential_pub, choices
        )
        submission = make_submission(slip.private_key, opening)
        votes.cast_ballot(vc.CastBallot(vote, submission))
    kiemdiem.handle(vc.CloseVoting(admin, vote), admin_signer)

    # Partial decryptions: each trustee's tool verifies the record (V1–V11) with the
    # head from the minutes; the demo verifies once for the three demo trustees.
    head = votes.closing_head(vote)
    verified = tool.verify_closed(votes.export_record(vote), head)
    for state, signer in list(zip(states, trustees, strict=True))[:THRESHOLD]:
        submit(signer, tool.decrypt(state, verified))
    kiemdiem.handle(vc.PublishTally(chair.actor, vote), chair)
    return DemoVoteResult(vote, short, head.hex(), accounts)
