"""A demo province for trying kiemdiem (``kiemdiem demo``): one tỉnh ủy, two
huyện ủy, a dozen chi bộ, about sixty members and one account per role.

Everything goes through the ordinary commands, signed by the administrator, so
the demo store verifies like any other. Names are fictional.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ledger.signing import Signer
from services import commands as c
from services.app import Kiemdiem
from services.demo_merger import SECRETARY, DemoMerger, load_demo_merger
from services.demo_ratings import (
    DECISION_CELL,
    load_demo_decision,
    load_demo_rating_facts,
)
from services.demo_remediation import REMEDIATION_MEMBER, load_demo_remediation
from services.demo_vote import DemoVoteResult, load_demo_vote
from services.ids import organisation_id

PROVINCE = ("tinh-uy-song-hong", "Tỉnh ủy Sông Hồng")
DISTRICTS = [
    ("huyen-uy-yen-thanh", "Huyện ủy Yên Thành"),
    ("huyen-uy-phu-loc", "Huyện ủy Phú Lộc"),
]
PROVINCE_CELLS = [
    ("chi-bo-van-phong-tinh-uy", "Chi bộ Văn phòng Tỉnh ủy"),
    ("chi-bo-ban-to-chuc", "Chi bộ Ban Tổ chức Tỉnh ủy"),
]
DISTRICT_CELLS = {
    "huyen-uy-yen-thanh": [
        ("chi-bo-xom-dong", "Chi bộ xóm Đông"),
        ("chi-bo-xom-doai", "Chi bộ xóm Đoài"),
        ("chi-bo-truong-thpt-yen-thanh", "Chi bộ Trường THPT Yên Thành"),
        ("chi-bo-tram-y-te-yen-thanh", "Chi bộ Trạm Y tế xã Yên Thành"),
        ("chi-bo-uy-ban-xa-yen-thanh", "Chi bộ Ủy ban nhân dân xã Yên Thành"),
    ],
    "huyen-uy-phu-loc": [
        ("chi-bo-thon-phu-an", "Chi bộ thôn Phú An"),
        ("chi-bo-thon-loc-dien", "Chi bộ thôn Lộc Điền"),
        ("chi-bo-truong-thcs-phu-loc", "Chi bộ Trường THCS Phú Lộc"),
        ("chi-bo-cong-an-phu-loc", "Chi bộ Công an xã Phú Lộc"),
        ("chi-bo-hop-tac-xa-phu-loc", "Chi bộ Hợp tác xã nông nghiệp Phú Lộc"),
    ],
}
COLLECTIVES = [
    (PROVINCE[0], "btv-tinh-uy", "Ban Thường vụ Tỉnh ủy Sông Hồng"),
    (
        "huyen-uy-yen-thanh",
        "btv-huyen-uy-yen-thanh",
        "Ban Thường vụ Huyện ủy Yên Thành",
    ),
    ("huyen-uy-phu-loc", "btv-huyen-uy-phu-loc", "Ban Thường vụ Huyện ủy Phú Lộc"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Xuân"]
GIVEN = [
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa",
    "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc",
    "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn", "Việt", "Yến",
]  # fmt: skip
MEMBERS_PER_CELL = 5
DEMO_ACCOUNTS = [
    ("thuky", "Thư ký Văn phòng Tỉnh ủy", ("secretary",)),
    ("captuy", "Ủy viên Ban Thường vụ Tỉnh ủy", ("decision_maker",)),
    ("ubkt", "Ủy viên Ủy ban Kiểm tra Tỉnh ủy", ("inspector",)),
    ("dangvien", None, ("member",)),
    ("bankiemphieu", "Trưởng Ban kiểm phiếu", ("counting",)),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str


@dataclass(frozen=True)
class DemoResult:
    organisations: int
    members: int
    accounts: list[DemoAccount]
    vote: DemoVoteResult
    merger: DemoMerger


def load_demo(services: Kiemdiem, admin: Signer, seed: int = 2025) -> DemoResult:
    """Load the demo province; the administrator signs every event."""
    rng = random.Random(seed)  # noqa: S311 - fictional demo data, not security
    actor = admin.actor

    def found(code: str, name: str, kind: str, parent: UUID | None) -> UUID:
        command = c.FoundOrganisation(actor, code, name, kind, parent)
        result: UUID = services.handle(command, admin)
        return result

    province = found(*PROVINCE, "provincial_committee", None)
    cells = [found(code, name, "cell", province) for code, name in PROVINCE_CELLS]
    for code, name in DISTRICTS:
        district = found(code, name, "district_committee", province)
        cells += [found(cc, cn, "cell", district) for cc, cn in DISTRICT_CELLS[code]]
    for parent_code, code, name in COLLECTIVES:
        parent_id = organisation_id(parent_code)
        found(code, name, "leadership_collective", parent_id)
    members: list[tuple[UUID, str]] = []
    card = 100_000
    for cell in cells:
        for _ in range(MEMBERS_PER_CELL):
            card += rng.randint(1, 97)
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            birth = date(
                rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28)
            )
            admitted = date(
                birth.year + rng.randint(20, 28), rng.randint(1, 12), rng.randint(1, 28)
            )
            admitted = min(admitted, date(2024, 12, 1))
            status = "probationary" if admitted.year >= 2024 else "full"
            command = c.EnrolMember(
                actor, name, f"DV{card:08d}", birth, admitted, status, cell
            )
            members.append((services.handle(command, admin), name))
    load_demo_rating_facts(services, admin, members)
    # The member login is the Phú An member whose 2025 review waits for their
    # self-review and whose 2024 shortcoming is still being remedied, so their
    # dashboard has something to do (issue 13).
    own = services.members(organisation_id(DECISION_CELL))[REMEDIATION_MEMBER]
    accounts = open_demo_accounts(
        services, admin, province, (own.member_id, own.full_name)
    )
    logins = {a.username: a.password for a in accounts}
    load_demo_decision(
        services,
        demo_signer(services, "thuky", logins["thuky"]),
        demo_signer(services, "captuy", logins["captuy"]),
    )
    load_demo_remediation(services, demo_signer(services, "thuky", logins["thuky"]))
    vote = load_demo_vote(services, admin, opened=logins)
    accounts += [DemoAccount(a.username, a.role, a.password) for a in vote.accounts]
    # Issue 12: two đảng ủy xã merged on 1/7/2025 into a đảng bộ xã under the
    # tỉnh ủy, rated in 2024 before and in 2025 after (services/demo_merger.py).
    merger = load_demo_merger(
        services,
        admin,
        demo_signer(services, "thuky", logins["thuky"]),
        demo_signer(services, "captuy", logins["captuy"]),
    )
    accounts.append(DemoAccount(SECRETARY[0], "secretary", merger.secretary_password))
    organisations = 1 + len(DISTRICTS) + len(cells) + len(COLLECTIVES)
    organisations += merger.organisations
    return DemoResult(
        organisations, len(members) + len(merger.members), accounts, vote, merger
    )


def open_demo_accounts(
    services: Kiemdiem, admin: Signer, org_id: UUID, member: tuple[UUID, str]
) -> list[DemoAccount]:
    """One account per role of :data:`DEMO_ACCOUNTS` at ``org_id`` (the
    province), each with a fresh password; the member account is ``member``'s."""
    accounts: list[DemoAccount] = []
    for username, full_name, roles in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(9)
        member_id, member_name = (None, full_name)
        if "member" in roles:
            member_id, member_name = member
        services.handle(
            c.OpenAccount(
                admin.actor,
                username,
                member_name or username,
                roles,
                password,
                org_id=org_id,
                member_id=member_id,
            ),
            admin,
        )
        accounts.append(DemoAccount(username, roles[0], password))
    return accounts


def demo_signer(services: Kiemdiem, username: str, password: str) -> Signer:
    """The demo account's own key: the secretary and the committee sign their
    own steps, as they would."""
    session = services.authenticate(username, password)
    if session is None:
        raise RuntimeError(f"demo account {username} cannot sign in")
    return session.signer
