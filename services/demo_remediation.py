"""Remediation in the demo province (issue 6): at the 2024 review of a member of
Chi bộ thôn Phú An a comment points out a shortcoming; the chi bộ adopts a plan
due 30/6/2025, supervised by the inspection committee; a progress report follows
but no completion. So in 2025 the shortcoming is still open: it is carried into
the member's 2025 review (Mẫu 2B mục III), blocks HTXSNV until it is verified,
and is overdue on the inspection committee's worklist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.subjects import SubjectKey
from ledger.signing import Signer
from services import rating_commands as rc
from services import remediation_commands as mc
from services.app import Kiemdiem
from services.commands import Command
from services.demo_ratings import DECISION_CELL, DECISION_DISTRICT
from services.demo_reports import report_command
from services.ids import organisation_id
from services.rating_ids import cycle_id

REMEDIATION_MEMBER = 1  # of the chi bộ (its members in the directory's order)
DEMO_SHORTCOMING = "Chậm nộp báo cáo kết quả thực hiện nhiệm vụ hằng tháng"


@dataclass(frozen=True)
class DemoRemediation:
    member_id: UUID
    subject_key: str
    shortcoming_id: UUID
    cycle_2024: UUID
    cycle_2025: UUID
    review_2025: UUID


def load_demo_remediation(services: Kiemdiem, secretary: Signer) -> DemoRemediation:
    """Runs after the demo's 2025 cycle is opened (``load_demo_decision``)."""
    district = organisation_id(DECISION_DISTRICT)
    cell = organisation_id(DECISION_CELL)
    sec = secretary.actor

    def rate(command: Command) -> UUID:
        result: UUID = services.handle(command, secretary)
        return result

    def act(command: Command) -> UUID:
        result: UUID = services.handle(command, secretary)
        return result

    people = services.members(cell)
    member, commenter = people[REMEDIATION_MEMBER], people[REMEDIATION_MEMBER + 1]
    key = str(SubjectKey.of_member(member.member_id))
    cycle = rate(rc.OpenCycle(sec, district, 2024, reference_date=date(2024, 12, 1)))
    cell_review = rate(rc.OpenReview(sec, cycle, str(SubjectKey.of_org(cell)), cell))
    rate(report_command(services, sec, cell_review, cell, date(2024, 12, 2)))
    rate(
        rc.HoldMeeting(
            sec, cell_review, date(2024, 12, 6), 5, "Biên bản hội nghị", "Thống nhất"
        )
    )
    review = rate(rc.OpenReview(sec, cycle, key, cell))
    rate(
        rc.SubmitSelfReview(
            sec,
            review,
            "2B",
            {
                "strengths": "Chấp hành tốt chủ trương, nghị quyết.",
                "shortcomings": "Có lúc chưa đúng hạn báo cáo.",
                "measures": "Sắp xếp công việc hợp lý hơn.",
            },
        )
    )
    rate(
        rc.AddComment(
            sec,
            review,
            commenter.member_id,
            "Đồng chí còn chậm nộp báo cáo kết quả thực hiện nhiệm vụ hằng tháng.",
        )
    )
    rate(rc.HoldMeeting(sec, review, date(2024, 12, 6), 5, "Biên bản", "Nhất trí"))
    shortcoming = act(
        mc.RecordShortcoming(
            sec,
            cycle,
            key,
            "MEMBER_COMMENT",
            DEMO_SHORTCOMING,
            "SUBJECTIVE",
            review_id=review,
            recorded_on=date(2024, 12, 6),
        )
    )
    act(
        mc.AdoptRemediationPlan(
            sec,
            (shortcoming,),
            (
                "Lập lịch báo cáo, nộp trước ngày 25 hằng tháng",
                "Bí thư chi bộ nhắc việc hằng tháng",
            ),
            member.member_id,
            date(2025, 6, 30),
            "INSPECTION_COMMITTEE",
            district,
            adopted_on=date(2024, 12, 16),
        )
    )
    act(
        mc.ReportRemediationProgress(
            sec,
            shortcoming,
            "Quý I/2025 nộp đúng hạn 2/3 báo cáo.",
            document_reference="Sổ theo dõi báo cáo của chi bộ",
            reported_on=date(2025, 4, 5),
        )
    )
    cycle_2025 = cycle_id(district, 2025, "annual", None)
    review_2025 = rate(rc.OpenReview(sec, cycle_2025, key, cell))
    return DemoRemediation(
        member.member_id, key, shortcoming, cycle, cycle_2025, review_2025
    )
