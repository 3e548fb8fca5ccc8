"""The shape of a generated province (``kiemdiem demo --province``), decided from
the seed before anything is stored: a tỉnh ủy with its own chi bộ (Văn phòng,
Ban Tổ chức) and Ban Thường vụ, đảng ủy xã/phường under it, each with its Ban
Thường vụ and about twenty chi bộ of about twenty-five members. Leaders (bí thư,
phó bí thư, ủy viên thường vụ) are members of the first chi bộ of their level.

Pure data: :mod:`services.demo_province` sends the commands. Names are
fictional; card numbers are unique within the province.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from domain.members import normalise_card
from domain.subjects import SubjectKey
from services import ids
from services.demo import FAMILY, GIVEN, MIDDLE

MEMBERS_PER_CELL = 25
CELLS_PER_COMMUNE = 20
MIN_MEMBERS = 20
LEADER_ROLES = ("head", "deputy", "member")
PROVINCE_CODE = "pv-tinh-uy"
PROVINCE_NAME = "Tỉnh ủy Hồng Lam"
PROVINCE_CELLS = ("Chi bộ Văn phòng Tỉnh ủy", "Chi bộ Ban Tổ chức Tỉnh ủy")
PLACES = (
    "An", "Bình", "Hòa", "Tân", "Phú", "Thạnh", "Long", "Phước", "Đông", "Tây",
    "Hưng", "Thuận", "Lộc", "Mỹ", "Quang", "Trung", "Vĩnh", "Xuân", "Yên", "Thanh",
    "Sơn", "Hải", "Hiệp", "Đức", "Thịnh", "Lạc", "Khánh", "Định", "Nghĩa", "Cát",
)  # fmt: skip
INSTITUTIONS = (
    "Công an {kind} {place}",
    "Quân sự {kind} {place}",
    "Trạm Y tế {kind} {place}",
    "Trường Tiểu học {place}",
    "Trường THCS {place}",
    "Trường Mầm non {place}",
)
HAMLETS = ("thôn", "thôn", "ấp", "khu phố", "tổ dân phố")
# More given names than the small demo's, so a province has fewer namesakes.
MORE_GIVEN = (
    "Bảo", "Cường", "Diệp", "Đạt", "Hằng", "Huệ", "Kiên", "Lâm", "Loan", "Minh",
    "Ngọc", "Nhung", "Oanh", "Phong", "Quyên", "Sang", "Thủy", "Toàn", "Uyên", "Vinh",
)  # fmt: skip
MORE_FAMILY = ("Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Mai", "Tô", "Đinh")


@dataclass
class MemberPlan:
    card: str
    name: str
    birth: date
    admitted: date
    status: str  # full | probationary
    leader_role: str | None = None  # post in the Ban Thường vụ of the level

    @property
    def member_id(self) -> UUID:
        return ids.member_id(normalise_card(self.card))

    @property
    def key(self) -> str:
        return str(SubjectKey.of_member(self.member_id))


@dataclass
class CellPlan:
    code: str
    name: str
    members: list[MemberPlan] = field(default_factory=list)

    @property
    def org_id(self) -> UUID:
        return ids.organisation_id(self.code)

    @property
    def key(self) -> str:
        return str(SubjectKey.of_org(self.org_id))


@dataclass
class LevelPlan:
    """The tỉnh ủy's own level, or one đảng ủy xã/phường: the party organisation,
    its Ban Thường vụ and its chi bộ (the first one holds the leaders)."""

    code: str
    name: str
    kind: str  # provincial_committee | grassroots_committee
    btv_code: str
    btv_name: str
    cells: list[CellPlan] = field(default_factory=list)

    @property
    def org_id(self) -> UUID:
        return ids.organisation_id(self.code)

    @property
    def btv_id(self) -> UUID:
        return ids.organisation_id(self.btv_code)

    @property
    def key(self) -> str:
        return str(SubjectKey.of_org(self.org_id))

    @property
    def btv_key(self) -> str:
        return str(SubjectKey.of_org(self.btv_id))

    @property
    def leaders(self) -> list[MemberPlan]:
        return [m for m in self.cells[0].members if m.leader_role]

    @property
    def members(self) -> int:
        return sum(len(c.members) for c in self.cells)


@dataclass
class ProvincePlan:
    seed: int
    province: LevelPlan
    communes: list[LevelPlan]

    @property
    def levels(self) -> list[LevelPlan]:
        return [self.province, *self.communes]

    @property
    def cells(self) -> list[CellPlan]:
        return [c for level in self.levels for c in level.cells]

    @property
    def members(self) -> list[MemberPlan]:
        return [m for c in self.cells for m in c.members]

    @property
    def organisations(self) -> int:
        return 2 * len(self.levels) + len(self.cells)


def plan_province(members: int, seed: int) -> ProvincePlan:
    """``members`` members in chi bộ of about 25, deterministic from ``seed``."""
    if members < MIN_MEMBERS:
        raise ValueError(f"a province needs at least {MIN_MEMBERS} members")
    rng = random.Random(seed)  # noqa: S311 - fictional demo data, not security
    n_cells = max(3, round(members / MEMBERS_PER_CELL))
    sizes = _cell_sizes(members, n_cells, rng)
    own = 2 if n_cells >= 10 else 1
    n_communes = math.ceil((n_cells - own) / CELLS_PER_COMMUNE)
    province = LevelPlan(
        PROVINCE_CODE,
        PROVINCE_NAME,
        "provincial_committee",
        "pv-btv-tinh-uy",
        "Ban Thường vụ Tỉnh ủy Hồng Lam",
        [CellPlan(f"pv-tinh-uy-cb-{i + 1:02d}", PROVINCE_CELLS[i]) for i in range(own)],
    )
    communes = []
    places = _place_names(n_communes, rng)
    left = n_cells - own
    for index, place in enumerate(places):
        count = math.ceil(left / (n_communes - index))
        left -= count
        kind = "phường" if rng.random() < 0.2 else "xã"
        code = f"pv-xa-{index + 1:04d}"
        commune = LevelPlan(
            code,
            f"Đảng ủy {kind} {place}",
            "grassroots_committee",
            f"{code}-btv",
            f"Ban Thường vụ Đảng ủy {kind} {place}",
        )
        for number, name in enumerate(_cell_names(kind, place, count, rng)):
            commune.cells.append(CellPlan(f"{code}-cb-{number + 1:03d}", name))
        communes.append(commune)
    plan = ProvincePlan(seed, province, communes)
    card = 30_000_000 + 1_000 * (seed % 1_000)
    for cell, size in zip(plan.cells, sizes, strict=True):
        for _ in range(size):
            card += rng.randint(1, 37)
            cell.members.append(_member(f"{card:08d}", rng))
    for level in plan.levels:
        for member, role in zip(level.cells[0].members, LEADER_ROLES, strict=False):
            member.leader_role = role
            member.birth = member.birth.replace(year=min(member.birth.year, 1978))
            member.admitted = date(member.birth.year + 25, 5, 19)
            member.status = "full"
    return plan


def _cell_sizes(members: int, n_cells: int, rng: random.Random) -> list[int]:
    """About equal sizes that add up to ``members``; pairs trade a few members."""
    base, extra = divmod(members, n_cells)
    sizes = [base + (1 if i < extra else 0) for i in range(n_cells)]
    for i in range(0, n_cells - 1, 2):
        shift = rng.randint(0, max(0, min(5, min(sizes[i], sizes[i + 1]) - 5)))
        sizes[i] += shift
        sizes[i + 1] -= shift
    return sizes


def _place_names(count: int, rng: random.Random) -> list[str]:
    pairs = [f"{a} {b}" for a in PLACES for b in PLACES if a != b]
    rng.shuffle(pairs)
    names = pairs[: min(count, len(pairs))]
    round_no = 2
    while len(names) < count:  # a very large province: numbered namesakes
        names += [f"{p} {round_no}" for p in pairs[: count - len(names)]]
        round_no += 1
    return names


def _cell_names(kind: str, place: str, count: int, rng: random.Random) -> list[str]:
    names = [f"Chi bộ Cơ quan Đảng ủy {kind} {place}"]
    for pattern in INSTITUTIONS:
        if len(names) < count:
            names.append("Chi bộ " + pattern.format(kind=kind, place=place))
    hamlet = rng.choice(HAMLETS)
    number = 1
    while len(names) < count:
        names.append(f"Chi bộ {hamlet} {number}")
        number += 1
    return names


def _member(card: str, rng: random.Random) -> MemberPlan:
    family = rng.choice(FAMILY + list(MORE_FAMILY))
    name = f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN + list(MORE_GIVEN))}"
    birth = date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
    if rng.random() < 0.01:
        # Admitted less than six months before the cycle's reference date:
        # exempt from the 2025 rating (366 Điều 3.3).
        admitted = date(2025, rng.randint(7, 11), rng.randint(1, 28))
    else:
        admitted = date(
            birth.year + rng.randint(20, 28), rng.randint(1, 12), rng.randint(1, 28)
        )
        admitted = min(admitted, date(2024, 12, 1))
    status = "probationary" if admitted >= date(2024, 1, 1) else "full"
    return MemberPlan(card, name, birth, admitted, status)
