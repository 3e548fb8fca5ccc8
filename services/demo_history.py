"""A seeded five-year rating history (2021–2025) for a small tree, driven through
the real services: it spans the 132 (2021–2022), 124 (2023–2024) and 366 (2025)
regimes, decides in the prescribed order (members before their chi bộ, the
collective before its head, lower before higher) and within the HTXSNV quota of
each peer group, re-rates one member (Mẫu 03) and exempts one member from 2024.

The generator returns its own list of decisions, so a test can recount the
rolled-up figures without reading any view. Names are fictional.

Tree (``ls-`` codes)::

    Tỉnh ủy Lam Sơn (P)
    └── Huyện ủy Đông Sơn (D)
        ├── Đảng ủy xã Đông Hòa (G) ── Chi bộ thôn Thượng (C1, trực thuộc)
        ├── Chi bộ Trường THCS Đông Sơn (C2, chi bộ cơ sở)
        └── Ban Thường vụ Huyện ủy Đông Sơn (L, tập thể lãnh đạo)

Member 0 of C1 is rated HTXSNV every year (a five-year streak); member 0 of C2
is HTXSNV every year but 2023 (a gap). Member 6 of C2 heads L (a leader).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.rulebooks import Appendix, Level, rulebook_for_year
from domain.subjects import Subject, SubjectKey
from ledger.signing import Signer
from services import commands as c
from services import rating_commands as rc
from services.app import Kiemdiem

YEARS = (2021, 2022, 2023, 2024, 2025)
PROVINCE = "ls-tinh-uy"
DISTRICT = "ls-huyen-uy"
COMMUNE = "ls-dang-uy-xa"
CELL_1 = "ls-chi-bo-thon-thuong"
CELL_2 = "ls-chi-bo-truong-thcs"
COLLECTIVE = "ls-btv-huyen-uy"
TREE = (
    (PROVINCE, "Tỉnh ủy Lam Sơn", "provincial_committee", None),
    (DISTRICT, "Huyện ủy Đông Sơn", "district_committee", PROVINCE),
    (COMMUNE, "Đảng ủy xã Đông Hòa", "grassroots_committee", DISTRICT),
    (CELL_1, "Chi bộ thôn Thượng", "cell", COMMUNE),
    (CELL_2, "Chi bộ Trường THCS Đông Sơn", "cell", DISTRICT),
    (COLLECTIVE, "Ban Thường vụ Huyện ủy Đông Sơn", "leadership_collective", DISTRICT),
)
MEMBERS_PER_CELL = 8
STREAK, GAP = (CELL_1, 0), (CELL_2, 0)
GAP_YEAR = 2023
LEADER = (CELL_2, 6)
EXEMPT = (CELL_2, 7)
EXEMPT_FROM = date(2024, 1, 1)
RERATED = (CELL_1, 5)
RERATE_YEAR = 2024
LATE_YEAR = 2025  # the district's decision comes after its deadline
NAMES = (
    "Lê Văn Bảo", "Nguyễn Thị Cúc", "Trần Đức Dương", "Phạm Thị Hằng",
    "Hoàng Văn Khải", "Vũ Thị Lệ", "Đặng Quốc Minh", "Bùi Thị Ngọc",
    "Đỗ Văn Phú", "Ngô Thị Quyên", "Dương Văn Sỹ", "Lý Thị Tuyết",
    "Trịnh Văn Ước", "Mai Thị Vân", "Tô Hữu Xuân", "Hồ Thị Yến",
)  # fmt: skip
TARGET = {Level.EXCELLENT: 95, Level.GOOD: 80, Level.COMPLETED: 60}
TASKS = {  # total, on time, exceeded, late, not done
    Level.EXCELLENT: (10, 10, 6, 0, 0),
    Level.GOOD: (10, 10, 0, 0, 0),
    Level.COMPLETED: (10, 9, 0, 1, 0),
    Level.NOT_COMPLETED: (10, 4, 0, 0, 6),
}
MET = {
    Level.EXCELLENT: ("g1", "g2", "h1", "h2", "x1", "x2", "x3"),
    Level.GOOD: ("g1", "g2", "h1", "h2"),
    Level.COMPLETED: ("h1", "h2"),
    Level.NOT_COMPLETED: (),
}


@dataclass(frozen=True)
class HistoryDecision:
    """One final rating of the history, as the generator decided it."""

    year: int
    subject_key: str
    name: str
    population: str  # party_orgs | members | leadership_collectives | leaders
    klass: str  # e.g. subordinate_cell, grassroots_cell, member_of_…
    path: tuple[str, ...]  # the subject's organisation and every one above it
    level: str
    decided_on: date
    decision_no: str
    previous_level: str | None = None  # set when re-rated (Mẫu 03)


@dataclass(frozen=True)
class HistoryExemption:
    year: int
    subject_key: str
    population: str
    path: tuple[str, ...]
    reason: str


@dataclass
class History:
    """What the generator did: ids, decisions, exemptions, and the deadlines."""

    orgs: dict[str, UUID]
    members: dict[tuple[str, int], UUID]
    cycles: dict[int, UUID]
    decisions: list[HistoryDecision] = field(default_factory=list)
    exemptions: list[HistoryExemption] = field(default_factory=list)
    pending: list[tuple[int, str]] = field(default_factory=list)
    deadlines: dict[int, list[tuple[str, str, date]]] = field(default_factory=dict)

    def key(self, slot: tuple[str, int]) -> str:
        return str(SubjectKey.of_member(self.members[slot]))


def points(year: int, appendix: str, level: Level) -> dict[str, str]:
    """Points that add up to the level's band (366 only)."""
    book = rulebook_for_year(year)
    if not book.scored:
        return {}
    items = book.criteria_for(Appendix(appendix)).criteria
    target = TARGET.get(level, 40)
    points = {i.code: i.max_points * target // 100 for i in items}
    rest = target - sum(points.values())
    largest = max(items, key=lambda i: (i.max_points, i.code))
    points[largest.code] += rest
    return {k: str(v) for k, v in points.items()}


def deadlines_of(year: int) -> list[tuple[str, str, date]]:
    nxt = year + 1
    return [
        ("leadership_collective", "rating", date(year, 12, 15)),
        ("member", "rating", date(year, 12, 20)),
        ("leader", "rating", date(year, 12, 20)),
        ("cell", "rating", date(year, 12, 25)),
        ("grassroots_committee", "rating", date(year, 12, 31)),
        ("district_committee", "rating", date(nxt, 1, 15)),
    ]


def generate_history(
    services: Kiemdiem,
    admin: Signer,
    seed: int = 2021,
    secretary: Signer | None = None,
    decision_maker: Signer | None = None,
) -> History:
    """Found the tree, enrol the members, and rate five years through the services.

    ``secretary`` and ``decision_maker`` sign their own steps; when not given, two
    accounts (``lichsu-thuky``, ``lichsu-captuy``) are opened for them.
    """
    rng = random.Random(seed)  # noqa: S311 - fictional demo data, not security
    actor = admin.actor
    orgs: dict[str, UUID] = {}
    for code, name, kind, parent in TREE:
        orgs[code] = services.handle(
            c.FoundOrganisation(
                actor, code, name, kind, orgs[parent] if parent else None
            ),
            admin,
        )
    members: dict[tuple[str, int], UUID] = {}
    names = iter(NAMES)
    for n, cell in enumerate((CELL_1, CELL_2)):
        for slot in range(MEMBERS_PER_CELL):
            card = f"LS{n * 100 + slot + 1:06d}"
            members[(cell, slot)] = services.handle(
                c.EnrolMember(
                    actor,
                    next(names),
                    card,
                    date(1975 + slot, 3, 1 + slot),
                    date(2005 + slot, 5, 19),
                    "full",
                    orgs[cell],
                ),
                admin,
            )
    services.handle(
        rc.AssignPost(
            actor, members[LEADER], orgs[COLLECTIVE], "head", date(2020, 10, 1)
        ),
        admin,
    )
    services.handle(
        rc.RecordExemption(
            actor,
            members[EXEMPT],
            "exempt_party_activity",
            EXEMPT_FROM,
            "QĐ 05-QĐ/ĐU miễn sinh hoạt",
        ),
        admin,
    )
    sec = secretary or _account(services, admin, "lichsu-thuky", "secretary", orgs)
    dm = decision_maker or _account(
        services, admin, "lichsu-captuy", "decision_maker", orgs
    )
    history = History(orgs=orgs, members=members, cycles={})
    for year in YEARS:
        _rate_year(services, sec, dm, history, year, rng)
    return history


def _account(
    services: Kiemdiem, admin: Signer, username: str, role: str, orgs: dict[str, UUID]
) -> Signer:
    password = secrets.token_urlsafe(12)
    services.handle(
        c.OpenAccount(
            admin.actor,
            username,
            username,
            (role,),
            password,
            org_id=orgs[PROVINCE],
        ),
        admin,
    )
    session = services.authenticate(username, password)
    if session is None:  # pragma: no cover - the account was just opened
        raise RuntimeError(f"history account {username} cannot sign in")
    return session.signer


def _member_levels(year: int, rng: random.Random) -> dict[tuple[str, int], Level]:
    """Planned levels: one HTXSNV and five HTTNV per chi bộ keep the quota
    (1 ≤ floor(20% × 5)); the others vary."""
    levels: dict[tuple[str, int], Level] = {}
    for cell in (CELL_1, CELL_2):
        for slot in range(MEMBERS_PER_CELL):
            levels[(cell, slot)] = Level.GOOD
        for slot in (6, 7):
            levels[(cell, slot)] = rng.choices(
                [Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED], [5, 3, 1]
            )[0]
    levels[STREAK] = Level.EXCELLENT
    levels[GAP] = Level.GOOD if year == GAP_YEAR else Level.EXCELLENT
    return levels


def _rate_year(
    services: Kiemdiem,
    sec: Signer,
    dm: Signer,
    history: History,
    year: int,
    rng: random.Random,
) -> None:
    orgs = history.orgs

    def run(signer: Signer, command: Any) -> UUID:
        result: UUID = services.handle(command, signer)
        return result

    deadlines = deadlines_of(year)
    history.deadlines[year] = deadlines
    cycle = run(
        sec,
        rc.OpenCycle(
            sec.actor,
            orgs[PROVINCE],
            year,
            reference_date=date(year, 12, 1),
            deadlines=tuple(deadlines),
        ),
    )
    history.cycles[year] = cycle
    subjects = dict(services.ratings.cycle(cycle).subjects)
    rounds: dict[str, UUID] = {}

    def round_of(key: str) -> UUID:
        authority = str(subjects[key].decides)
        if authority not in rounds:
            rounds[authority] = run(dm, rc.OpenRound(dm.actor, cycle, UUID(authority)))
        return rounds[authority]

    member_levels = _member_levels(year, rng)
    collective_levels = {
        code: rng.choices([Level.GOOD, Level.COMPLETED], [4, 1])[0]
        for code in (CELL_1, CELL_2, COLLECTIVE, COMMUNE, DISTRICT)
    }
    number = iter(range(1, 1000))

    def rate(key: str, level: Level, decided_on: date) -> None:
        subject = subjects[key]
        rid = round_of(key)
        total, on_time, exceeded, late, not_done = TASKS[level]
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
                points=points(year, subject.appendix, level),
                met=MET[level] if not rulebook_for_year(year).scored else (),
            ),
        )
        run(sec, rc.ProposeRating(sec.actor, rid, key, level.value))
        decision_no = f"{next(number)}-QĐ/{year}"
        run(
            dm,
            rc.DecideRating(
                dm.actor,
                rid,
                key,
                level.value,
                decision_no,
                decided_on,
                justification="Theo kết quả thẩm định.",
            ),
        )
        history.decisions.append(
            HistoryDecision(
                year=year,
                subject_key=key,
                name=subject.name,
                population=subject.population,
                klass=subject.klass,
                path=tuple(subject.path),
                level=level.value,
                decided_on=decided_on,
                decision_no=decision_no,
            )
        )

    def group(cell: str, keys: Sequence[str]) -> None:
        run(
            dm,
            rc.DefinePeerGroup(
                dm.actor,
                round_of(keys[0]),
                f"dv-{cell}",
                f"Đảng viên {subjects[f'o:{orgs[cell]}'].name}",
                tuple(keys),
            ),
        )

    def org_key(code: str) -> str:
        return str(SubjectKey.of_org(orgs[code]))

    def exempt(key: str) -> bool:
        subject = subjects[key]
        if subject.exempt:
            history.exemptions.append(
                HistoryExemption(
                    year,
                    key,
                    subject.population,
                    tuple(subject.path),
                    subject.exempt,
                )
            )
            return True
        return False

    plain: dict[str, list[tuple[str, int]]] = {CELL_1: [], CELL_2: []}
    for (cell, slot), _member in sorted(history.members.items()):
        key = history.key((cell, slot))
        if exempt(key) or (cell, slot) == LEADER:
            continue
        plain[cell].append((cell, slot))
    # 1. members of each chi bộ, in their peer group (quota of the round)
    for cell in (CELL_1, CELL_2):
        group(cell, [history.key(s) for s in plain[cell]])
        # HTXSNV last: the cap depends on the HTTNV decided before it (§5.1)
        for place in sorted(plain[cell], key=lambda s: _rank(member_levels[s]) == 3):
            rate(history.key(place), member_levels[place], date(year, 12, 18))
    rate(org_key(CELL_1), collective_levels[CELL_1], date(year, 12, 22))
    # 2. the collective before its head; the head not above the collective
    rate(org_key(COLLECTIVE), collective_levels[COLLECTIVE], date(year, 12, 12))
    head_level = min((member_levels[LEADER], collective_levels[COLLECTIVE]), key=_rank)
    rate(history.key(LEADER), head_level, date(year, 12, 19))
    # 3. lower before higher
    rate(org_key(CELL_2), collective_levels[CELL_2], date(year, 12, 23))
    rate(org_key(COMMUNE), collective_levels[COMMUNE], date(year, 12, 28))
    district_on = date(year + 1, 1, 20 if year == LATE_YEAR else 10)
    rate(org_key(DISTRICT), collective_levels[DISTRICT], district_on)
    history.pending.append((year, org_key(PROVINCE)))
    if year == RERATE_YEAR:
        _rerate(services, dm, history, year, subjects, round_of)


def _rerate(
    services: Kiemdiem,
    dm: Signer,
    history: History,
    year: int,
    subjects: dict[str, Subject],
    round_of: Callable[[str], UUID],
) -> None:
    key = history.key(RERATED)
    old = next(d for d in history.decisions if d.year == year and d.subject_key == key)
    decided_on = date(year + 1, 2, 10)
    decision_no = f"03-QĐ/{year}"
    services.handle(
        rc.ReRate(
            dm.actor,
            round_of(key),
            key,
            Level.COMPLETED.value,
            decision_no,
            decided_on,
            reason="Phát hiện kê khai chưa trung thực về tiến độ công việc.",
        ),
        dm,
    )
    history.decisions[history.decisions.index(old)] = HistoryDecision(
        year=year,
        subject_key=key,
        name=old.name,
        population=old.population,
        klass=old.klass,
        path=old.path,
        level=Level.COMPLETED.value,
        decided_on=decided_on,
        decision_no=decision_no,
        previous_level=old.level,
    )


def _rank(level: Level) -> int:
    return [Level.NOT_COMPLETED, Level.COMPLETED, Level.GOOD, Level.EXCELLENT].index(
        level
    )
