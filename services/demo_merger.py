"""A 2025 merger in the demo province (sáp nhập đảng bộ xã; issue 12).

Two communes of Huyện ủy Yên Thành each have a đảng ủy xã with its chi bộ and
members. Their 2024 review is done through the services (one cycle per đảng ủy
xã, 124-QĐ/TW): every member and chi bộ is rated, and at one member's review a
shortcoming is pointed out whose remediation plan (due 30/6/2025) is still open.
On 1/7/2025, by decision 125-QĐ/TU, the two are merged
(``MergeOrganisations``) into a new Đảng bộ xã Yên Hòa directly under the tỉnh
ủy; their chi bộ and members follow to it. Its secretary (login ``thuky-xa``)
opens the 2025 cycle of the đảng bộ (366-QĐ/TW) and the merged members, the chi
bộ and the đảng bộ itself are rated, so the province's 2025 report shows the
merged organisation once, and the 2024 ratings stay readable from the successor.

Everything goes through the ordinary commands: the administrator founds and
enrols, the province's secretary and decision maker act for 2024, the tỉnh
ủy's decision maker signs the merger, the new secretary and the province's
decision maker act for 2025. Names are fictional.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.rulebooks import Level, rulebook_for_year
from domain.subjects import SubjectKey
from ledger.signing import Signer
from services import commands as c
from services import rating_commands as rc
from services import remediation_commands as mc
from services import reorganisation_commands as oc
from services.app import Kiemdiem
from services.demo_history import MET, TASKS, points
from services.demo_reports import report_command
from services.ids import organisation_id

DISTRICT = "huyen-uy-yen-thanh"
PROVINCE = "tinh-uy-song-hong"
COMMUNES = {
    "dang-uy-xa-yen-hoa": (
        "Đảng ủy xã Yên Hòa",
        [
            ("chi-bo-thon-hoa-binh", "Chi bộ thôn Hòa Bình"),
            ("chi-bo-thon-hoa-lac", "Chi bộ thôn Hòa Lạc"),
        ],
    ),
    "dang-uy-xa-yen-lac": (
        "Đảng ủy xã Yên Lạc",
        [("chi-bo-thon-lac-son", "Chi bộ thôn Lạc Sơn")],
    ),
}
SUCCESSOR = ("dang-bo-xa-yen-hoa-moi", "Đảng bộ xã Yên Hòa")
DECISION_NO = "125-QĐ/TU"
EFFECTIVE_ON = date(2025, 7, 1)
SECRETARY = ("thuky-xa", "Bí thư Đảng bộ xã Yên Hòa")
MEMBERS_PER_CELL = 4
NAMES = (
    "Cao Văn Bách", "Lương Thị Diệp", "Khổng Minh Đạt", "Kiều Thị Gấm",
    "Lâm Văn Hậu", "Mạc Thị Huệ", "Ninh Quốc Khang", "Quách Thị Loan",
    "Tạ Văn Lực", "Thái Thị Mơ", "Triệu Văn Nghĩa", "Văn Thị Oanh",
)  # fmt: skip
COMPLETED_SLOT = ("chi-bo-thon-lac-son", 3)  # rated HTNV in 2024, HTTNV in 2025
REMEDIATION_SLOT = ("chi-bo-thon-hoa-binh", 1)
SHORTCOMING = "Chưa tham gia đầy đủ sinh hoạt chi bộ định kỳ"


@dataclass
class DemoMerger:
    """What the merger step made: ids, the cycles, the shortcoming still open."""

    communes: dict[str, UUID]
    cells: dict[str, UUID]
    members: dict[tuple[str, int], UUID]
    successor: UUID = field(default=UUID(int=0))
    cycles_2024: dict[str, UUID] = field(default_factory=dict)
    cycle_2025: UUID = field(default=UUID(int=0))
    shortcoming: UUID = field(default=UUID(int=0))
    secretary_password: str = ""

    @property
    def organisations(self) -> int:
        """Founded here: the two đảng ủy xã, their chi bộ and the successor."""
        return len(self.communes) + len(self.cells) + 1


def load_demo_merger(
    services: Kiemdiem, admin: Signer, secretary: Signer, decision_maker: Signer
) -> DemoMerger:
    """Found, rate 2024, merge on 1/7/2025, open the successor's secretary and
    rate 2025. ``secretary`` and ``decision_maker`` are the province's."""
    merger = _found(services, admin)
    for code in COMMUNES:
        merger.cycles_2024[code] = _rate_year(
            services, secretary, decision_maker, organisation_id(code), 2024, merger
        )
    merger.successor = services.handle(
        oc.MergeOrganisations(
            decision_maker.actor,
            DECISION_NO,
            EFFECTIVE_ON,
            absorbed_ids=tuple(merger.communes.values()),
            new_successor=oc.NewSuccessor(
                SUCCESSOR[0],
                SUCCESSOR[1],
                "grassroots_committee",
                organisation_id(PROVINCE),
            ),
        ),
        decision_maker,
    )
    merger.secretary_password = secrets.token_urlsafe(9)
    username, full_name = SECRETARY
    services.handle(
        c.OpenAccount(
            admin.actor,
            username,
            full_name,
            ("secretary",),
            merger.secretary_password,
            org_id=merger.successor,
        ),
        admin,
    )
    session = services.authenticate(username, merger.secretary_password)
    if session is None:  # pragma: no cover - the account was just opened
        raise RuntimeError(f"demo account {username} cannot sign in")
    merger.cycle_2025 = _rate_year(
        services, session.signer, decision_maker, merger.successor, 2025, merger
    )
    return merger


def _found(services: Kiemdiem, admin: Signer) -> DemoMerger:
    actor = admin.actor
    district = organisation_id(DISTRICT)
    merger = DemoMerger(communes={}, cells={}, members={})
    names = iter(NAMES)
    card = 300_000
    for code, (name, cells) in COMMUNES.items():
        commune: UUID = services.handle(
            c.FoundOrganisation(actor, code, name, "grassroots_committee", district),
            admin,
        )
        merger.communes[code] = commune
        for cell_code, cell_name in cells:
            cell: UUID = services.handle(
                c.FoundOrganisation(actor, cell_code, cell_name, "cell", commune),
                admin,
            )
            merger.cells[cell_code] = cell
            for slot in range(MEMBERS_PER_CELL):
                card += 37
                merger.members[(cell_code, slot)] = services.handle(
                    c.EnrolMember(
                        actor,
                        next(names),
                        f"DV{card:08d}",
                        date(1970 + 3 * slot, 2 + slot, 10 + slot),
                        date(2000 + 3 * slot, 5, 19),
                        "full",
                        cell,
                    ),
                    admin,
                )
    return merger


def _level(year: int, slot: tuple[str, int]) -> Level:
    if slot == COMPLETED_SLOT and year == 2024:
        return Level.COMPLETED
    return Level.GOOD


def _rate_year(
    services: Kiemdiem,
    sec: Signer,
    dm: Signer,
    org_id: UUID,
    year: int,
    merger: DemoMerger,
) -> UUID:
    """One annual cycle of ``org_id``: members, then their chi bộ, then the
    organisation itself (lower before higher), each self-rated, proposed and
    decided; in 2024 the shortcoming and its plan."""

    def run(signer: Signer, command: Any) -> UUID:
        result: UUID = services.handle(command, signer)
        return result

    cycle = run(
        sec,
        rc.OpenCycle(
            sec.actor,
            org_id,
            year,
            reference_date=date(year, 12, 1),
            deadlines=(("member", "rating", date(year, 12, 20)),),
        ),
    )
    subjects = dict(services.ratings.cycle(cycle).subjects)
    rounds: dict[str, UUID] = {}
    number = iter(range(1, 100))

    def round_of(key: str) -> UUID:
        authority = str(subjects[key].decides)  # every subject of a cycle has one
        if authority not in rounds:
            rounds[authority] = run(dm, rc.OpenRound(dm.actor, cycle, UUID(authority)))
        return rounds[authority]

    def rate(key: str, level: Level, decided_on: date) -> None:
        rid = round_of(key)
        total, on_time, exceeded, late, not_done = TASKS[level]
        scored = rulebook_for_year(year).scored
        run(
            sec,
            rc.SelfRate(
                sec.actor,
                rid,
                key,
                level.value,
                total,
                on_time,
                tasks_exceeded=exceeded,
                tasks_late=late,
                tasks_not_done=not_done,
                points=points(year, subjects[key].appendix, level),
                met=() if scored else MET[level],
            ),
        )
        run(sec, rc.ProposeRating(sec.actor, rid, key, level.value))
        run(
            dm,
            rc.DecideRating(
                dm.actor,
                rid,
                key,
                level.value,
                f"{next(number)}-QĐ/{year}",
                decided_on,
                justification="Theo kết quả thẩm định.",
            ),
        )

    if year == 2024:
        merger.shortcoming = _shortcoming(services, sec, cycle, merger, org_id)
    for cell_code, cell_id in merger.cells.items():
        if str(SubjectKey.of_org(cell_id)) not in subjects:
            continue
        for slot in range(MEMBERS_PER_CELL):
            key = str(SubjectKey.of_member(merger.members[(cell_code, slot)]))
            if key in subjects:
                rate(key, _level(year, (cell_code, slot)), date(year, 12, 18))
        rate(str(SubjectKey.of_org(cell_id)), Level.GOOD, date(year, 12, 22))
    rate(str(SubjectKey.of_org(org_id)), Level.GOOD, date(year, 12, 28))
    return cycle


def _shortcoming(
    services: Kiemdiem,
    sec: Signer,
    cycle: UUID,
    merger: DemoMerger,
    commune: UUID,
) -> UUID:
    """At the 2024 review of one member of Chi bộ thôn Hòa Bình a fellow member
    points out a shortcoming; the đảng ủy xã adopts a plan due 30/6/2025 and a
    progress report follows, but no completion: it is still open at the merger."""
    cell_code, slot = REMEDIATION_SLOT
    if merger.cells[cell_code] not in _cells_of(merger, commune):
        return merger.shortcoming
    cell = merger.cells[cell_code]
    member = merger.members[REMEDIATION_SLOT]
    commenter = merger.members[(cell_code, slot + 1)]
    key = str(SubjectKey.of_member(member))

    def act(command: Any) -> UUID:
        result: UUID = services.handle(command, sec)
        return result

    # kiểm điểm tập thể trước, cá nhân sau: the chi bộ's own review first
    cell_review = act(
        rc.OpenReview(sec.actor, cycle, str(SubjectKey.of_org(cell)), cell)
    )
    act(report_command(services, sec.actor, cell_review, cell, date(2024, 12, 2)))
    act(
        rc.HoldMeeting(
            sec.actor, cell_review, date(2024, 12, 6), 4, "Biên bản", "Thống nhất"
        )
    )
    review = act(rc.OpenReview(sec.actor, cycle, key, cell))
    act(
        rc.SubmitSelfReview(
            sec.actor,
            review,
            "2B",
            {
                "strengths": "Hoàn thành nhiệm vụ chuyên môn được giao.",
                "shortcomings": "Có buổi sinh hoạt chi bộ vắng mặt.",
                "measures": "Bố trí công việc để dự đủ các buổi sinh hoạt.",
            },
        )
    )
    act(
        rc.AddComment(
            sec.actor,
            review,
            commenter,
            "Đồng chí chưa tham gia đầy đủ sinh hoạt chi bộ định kỳ.",
        )
    )
    act(rc.HoldMeeting(sec.actor, review, date(2024, 12, 6), 4, "Biên bản", "Nhất trí"))
    shortcoming = act(
        mc.RecordShortcoming(
            sec.actor,
            cycle,
            key,
            "MEMBER_COMMENT",
            SHORTCOMING,
            "SUBJECTIVE",
            review_id=review,
            recorded_on=date(2024, 12, 6),
        )
    )
    act(
        mc.AdoptRemediationPlan(
            sec.actor,
            (shortcoming,),
            ("Dự đủ các buổi sinh hoạt chi bộ hằng tháng",),
            member,
            date(2025, 6, 30),
            "INSPECTION_COMMITTEE",
            commune,
            adopted_on=date(2024, 12, 16),
        )
    )
    act(
        mc.ReportRemediationProgress(
            sec.actor,
            shortcoming,
            "Quý I/2025 dự 2/3 buổi sinh hoạt.",
            document_reference="Sổ ghi biên bản sinh hoạt chi bộ",
            reported_on=date(2025, 4, 5),
        )
    )
    return shortcoming


def _cells_of(merger: DemoMerger, commune: UUID) -> set[UUID]:
    codes = next(
        cells
        for code, (_n, cells) in COMMUNES.items()
        if merger.communes[code] == commune
    )
    return {merger.cells[cc] for cc, _ in codes}
