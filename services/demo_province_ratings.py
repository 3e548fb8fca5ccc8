"""The province demo's ratings (``kiemdiem demo --province``): each đảng ủy
xã's round and the tỉnh ủy's, in the order the rules prescribe (366-QĐ/TW Điều
12.2) — each chi bộ's members in their peer group (HTXSNV last, within the
quota), the Ban Thường vụ, its leaders (the head not above it), the chi bộ,
then the đảng ủy xã. A mixin of the builder in :mod:`services.demo_province`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.rulebooks import LEVEL_RANK, Level
from domain.subjects import Subject
from ledger.signing import Signer
from services import rating_commands as rc
from services.demo_history import TASKS
from services.demo_history import points as points_for
from services.demo_province_plan import CellPlan, LevelPlan, ProvincePlan
from services.rating_ids import round_id

YEAR = 2025
DECIDED_ON = {
    "btv": date(2025, 12, 12),
    "member": date(2025, 12, 15),
    "leader": date(2025, 12, 16),
    "cell": date(2025, 12, 20),
    "commune": date(2025, 12, 28),
}


class ProvinceRatings:
    """The ratings phase of one province being built."""

    if TYPE_CHECKING:
        plan: ProvincePlan
        rng: random.Random
        sec: Signer
        dm: Signer
        cycle: UUID
        subjects: dict[str, Subject]
        numbers: dict[UUID, int]
        decisions: int
        send: Callable[..., Any]
        step: Callable[..., None]
        level_done: Callable[[], None]

    def rate_level(self, level: LevelPlan) -> None:
        """A đảng ủy xã's round: each chi bộ's members in their peer group, the
        Ban Thường vụ, its leaders (not above it), then the chi bộ."""
        for cell in level.cells:
            self.rate_cell_members(cell)
        btv = self.collective_level()
        self.rate(level.btv_key, btv, DECIDED_ON["btv"])
        self.rate_leaders(level, btv)
        for cell in level.cells:
            self.rate(cell.key, self.collective_level(), DECIDED_ON["cell"])
        self.level_done()

    def rate_province(self) -> None:
        """The tỉnh ủy's own chi bộ (each its own round), then the tỉnh ủy's round:
        its Ban Thường vụ and leaders, its chi bộ, every đảng ủy xã."""
        province = self.plan.province
        for cell in province.cells:
            self.rate_cell_members(cell)
        btv = self.collective_level()
        self.rate(province.btv_key, btv, DECIDED_ON["btv"])
        self.rate_leaders(province, btv)
        for cell in province.cells:
            self.rate(cell.key, self.collective_level(), DECIDED_ON["cell"])
        for commune in self.plan.communes:
            self.rate(commune.key, self.collective_level(), DECIDED_ON["commune"])

    def rate_cell_members(self, cell: CellPlan) -> None:
        plain = [
            m
            for m in cell.members
            if not m.leader_role and not self.subjects[m.key].exempt
        ]
        if not plain:
            return
        keys = [m.key for m in plain]
        self.send(
            rc.DefinePeerGroup(
                self.dm.actor,
                self.round_of(keys[0]),
                f"dv-{cell.code}",
                f"Đảng viên {cell.name}",
                tuple(keys),
            ),
            self.dm,
        )
        levels = self.group_levels(len(plain))
        # HTXSNV last: its cap counts the HTTNV decided before it (§5.1).
        order = sorted(
            zip(plain, levels, strict=True), key=lambda p: p[1] is Level.EXCELLENT
        )
        for member, level in order:
            self.rate(member.key, level, DECIDED_ON["member"])

    def rate_leaders(self, level: LevelPlan, btv: Level) -> None:
        for leader in level.leaders:
            chosen = self.collective_level()
            if leader.leader_role == "head" and LEVEL_RANK[chosen] > LEVEL_RANK[btv]:
                chosen = btv  # the head not above the collective (366)
            self.rate(leader.key, chosen, DECIDED_ON["leader"])

    def group_levels(self, size: int) -> list[Level]:
        """One chi bộ's levels: a few HTHTNV, sometimes one KHTNV, HTXSNV within
        20% of the HTTNV (rounded down)."""
        rng = self.rng
        low = min(size - 1, rng.randint(0, 2)) if size > 1 else 0
        failed = 1 if size - low > 1 and rng.random() < 0.3 else 0
        excellent = rng.randint(0, 4)
        while excellent and excellent * 100 > (size - low - failed - excellent) * 20:
            excellent -= 1
        good = size - low - failed - excellent
        levels = (
            [Level.NOT_COMPLETED] * failed
            + [Level.COMPLETED] * low
            + [Level.GOOD] * good
            + [Level.EXCELLENT] * excellent
        )
        rng.shuffle(levels)
        return levels

    def collective_level(self) -> Level:
        return self.rng.choices([Level.GOOD, Level.COMPLETED], [4, 1])[0]

    def round_of(self, key: str) -> UUID:
        return round_id(self.cycle, str(self.subjects[key].decides))

    def rate(self, key: str, level: Level, decided_on: date) -> None:
        """The three steps: self-rating, proposal (thẩm định), decision."""
        subject = self.subjects[key]
        if subject.exempt or subject.decides in (None, "outside"):
            return
        rid = self.round_of(key)
        total, on_time, exceeded, late, not_done = TASKS[level]
        sec, dm = self.sec.actor, self.dm.actor
        self.send(
            rc.SelfRate(
                sec,
                rid,
                key,
                level.value,
                total,
                on_time,
                tasks_exceeded=exceeded,
                tasks_late=late,
                tasks_not_done=not_done,
                points=points_for(YEAR, subject.appendix, level),
            ),
            self.sec,
        )
        self.send(rc.ProposeRating(sec, rid, key, level.value), self.sec)
        self.numbers[rid] += 1
        self.send(
            rc.DecideRating(
                dm,
                rid,
                key,
                level.value,
                f"{self.numbers[rid]}-QĐ/ĐU",
                decided_on,
                justification="Theo kết quả thẩm định.",
            ),
            self.dm,
        )
        self.decisions += 1
        self.step()
