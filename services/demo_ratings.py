"""Facts the demo province needs for a 2025 review cycle to show its rules: a
head of a standing committee (reviewed at the chi bộ, then at the committee; rated
after the collective and not above it) and a member disciplined in 2025 for a
duty-related violation (KHTNV unless the authority records a mitigation)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.subjects import SubjectKey
from ledger.signing import Signer
from services import rating_commands as rc
from services.app import Kiemdiem
from services.commands import Command
from services.demo_reports import report_command
from services.ids import organisation_id

LEADER_AT = "btv-huyen-uy-yen-thanh"
FIRST_CELL_MEMBER = 10  # the first member of Chi bộ xóm Đông


def load_demo_rating_facts(
    services: Kiemdiem, admin: Signer, members: list[tuple[UUID, str]]
) -> None:
    leader, disciplined = (
        members[FIRST_CELL_MEMBER][0],
        members[FIRST_CELL_MEMBER + 1][0],
    )
    services.handle(
        rc.AssignPost(
            admin.actor, leader, organisation_id(LEADER_AT), "head", date(2020, 10, 1)
        ),
        admin,
    )
    services.handle(
        rc.RecordDiscipline(
            admin.actor,
            disciplined,
            "reprimand",
            True,
            date(2025, 6, 16),
            "QĐ 12-QĐ/UBKT",
        ),
        admin,
    )


DECISION_DISTRICT = "huyen-uy-phu-loc"
DECISION_CELL = "chi-bo-thon-phu-an"
PROPOSED_MEMBER = 3  # of the chi bộ: proposed, not yet decided (1 and 2: remediation)


def load_demo_decision(
    services: Kiemdiem, secretary: Signer, decision_maker: Signer
) -> UUID:
    """A decided 2025 rating (366-QĐ/TW) in the demo, so the inspection committee
    has a decision to open: the chi bộ's report and meeting, one member's
    self-review, meeting, self-rating (scored), proposal and the chi bộ's decision.
    Returns the rating round."""
    district = organisation_id(DECISION_DISTRICT)
    cell = organisation_id(DECISION_CELL)

    def run(signer: Signer, command: Command) -> UUID:
        result: UUID = services.handle(command, signer)
        return result

    sec, dm = secretary.actor, decision_maker.actor
    cycle = run(
        secretary,
        rc.OpenCycle(
            sec,
            district,
            2025,
            deadlines=(("member", "rating", date(2025, 12, 20)),),
            reference_date=date(2025, 12, 1),
        ),
    )
    round_id = run(decision_maker, rc.OpenRound(dm, cycle, cell))
    cell_review = run(
        secretary, rc.OpenReview(sec, cycle, str(SubjectKey.of_org(cell)), cell)
    )
    run(
        secretary,
        report_command(services, sec, cell_review, cell, date(2025, 12, 1)),
    )
    run(
        secretary,
        rc.HoldMeeting(
            sec, cell_review, date(2025, 12, 5), 5, "Biên bản hội nghị", "Thống nhất"
        ),
    )
    member = services.members(cell)[0]
    key = str(SubjectKey.of_member(member.member_id))
    review = run(secretary, rc.OpenReview(sec, cycle, key, cell))
    run(
        secretary,
        rc.SubmitSelfReview(
            sec,
            review,
            "2B",
            {
                "strengths": "Hoàn thành tốt nhiệm vụ được giao.",
                "shortcomings": "Có lúc chậm tiến độ báo cáo.",
                "measures": "Lập kế hoạch công việc theo tuần.",
            },
        ),
    )
    run(
        secretary,
        rc.HoldMeeting(sec, review, date(2025, 12, 5), 5, "Biên bản", "Nhất trí"),
    )
    points = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
    run(secretary, rc.SelfRate(sec, round_id, key, "HTTNV", 10, 10, points=points))
    run(secretary, rc.ProposeRating(sec, round_id, key, "HTTNV"))
    run(
        decision_maker,
        rc.DecideRating(dm, round_id, key, "HTTNV", "15-QĐ/CB", date(2025, 12, 18)),
    )
    # A second member reviewed, self-rated and proposed: the proposal waits on
    # the decision maker's dashboard (issue 13, each role has a next task).
    waiting = services.members(cell)[PROPOSED_MEMBER]
    key = f"m:{waiting.member_id}"
    review = run(secretary, rc.OpenReview(sec, cycle, key, cell))
    run(
        secretary,
        rc.SubmitSelfReview(
            sec,
            review,
            "2B",
            {
                "strengths": "Nhiệt tình, trách nhiệm trong công việc.",
                "shortcomings": "Chưa chủ động đề xuất cách làm mới.",
                "measures": "Tích cực học tập, trao đổi kinh nghiệm.",
            },
        ),
    )
    run(
        secretary,
        rc.HoldMeeting(sec, review, date(2025, 12, 5), 5, "Biên bản", "Nhất trí"),
    )
    run(secretary, rc.SelfRate(sec, round_id, key, "HTTNV", 10, 10, points=points))
    run(secretary, rc.ProposeRating(sec, round_id, key, "HTTNV"))
    return round_id
