"""A small tree and helpers for the rating rules' unit tests (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.cycles import ReviewCycle
from domain.evaluation import Assessment, SubjectFacts
from domain.ratings import RatingRound
from domain.rulebooks import Level, rulebook_for_year
from domain.subjects import MemberNode, OrgNode, Subject, derive_subjects

ACTOR = "u:00000000-0000-0000-0000-000000000001"


def oid(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"test/{name}")


PROVINCE = OrgNode(oid("p"), "Tỉnh ủy", "provincial_committee", None)
DISTRICT = OrgNode(oid("d"), "Huyện ủy", "district_committee", PROVINCE.org_id)
GRASSROOTS = OrgNode(oid("g"), "Đảng ủy xã", "grassroots_committee", DISTRICT.org_id)
CELL = OrgNode(oid("c1"), "Chi bộ thôn 1", "cell", GRASSROOTS.org_id)
CELL2 = OrgNode(oid("c2"), "Chi bộ thôn 2", "cell", GRASSROOTS.org_id)
OFFICE_CELL = OrgNode(oid("c3"), "Chi bộ cơ quan", "cell", DISTRICT.org_id)
BTV = OrgNode(
    oid("btv"), "Ban Thường vụ Huyện ủy", "leadership_collective", DISTRICT.org_id
)
BOARD = OrgNode(
    oid("board"), "Ban Tổ chức Huyện ủy", "leadership_collective", DISTRICT.org_id
)
TREE = {
    o.org_id: o
    for o in (PROVINCE, DISTRICT, GRASSROOTS, CELL, CELL2, OFFICE_CELL, BTV, BOARD)
}


def as_subject(row: Mapping[str, Any]) -> Subject:
    """A hand-made test subject from the few fields a rule reads, the rest filled in."""
    base = {
        "key": f"m:{oid('someone')}",
        "name": "Đối tượng",
        "klass": "member_of_grassroots_cell",
        "appendix": "PL4",
    }
    return Subject.from_payload({**base, **row})


def member(
    name: str,
    cell: OrgNode = CELL,
    admitted: date = date(2010, 1, 1),
    **kw: Any,
) -> MemberNode:
    return MemberNode(
        member_id=oid(f"m/{name}"),
        name=name,
        cell_id=cell.org_id,
        admission_date=admitted,
        **kw,
    )


def cycle(
    year: int,
    members: list[MemberNode],
    root: OrgNode = DISTRICT,
    reference: date | None = None,
    options: dict[str, Any] | None = None,
) -> ReviewCycle:
    book = rulebook_for_year(year)
    ref = reference or date(year, 12, 1)
    combined = (options or {}).get("combined")
    subjects = derive_subjects(book, root.org_id, TREE, members, ref, combined=combined)
    return ReviewCycle.open(
        cycle_id=oid(f"cycle/{year}/{root.name}"),
        org_id=root.org_id,
        org_name=root.name,
        year=year,
        period="annual",
        period_no=None,
        reference_date=ref,
        deadlines=[],
        options=options or {},
        subjects=subjects,
        opened_by=ACTOR,
    )


def open_round(c: ReviewCycle, authority: OrgNode) -> RatingRound:
    return RatingRound.open(
        round_id=oid(f"round/{c.id}/{authority.org_id}"),
        cycle=c,
        authority_org_id=authority.org_id,
        authority_name=authority.name,
        opened_by=ACTOR,
    )


def scored(
    score: str,
    level: Level,
    *,
    total: int = 10,
    on_time: int | None = None,
    exceeded: int = 0,
    late: int = 0,
    not_done: int = 0,
    shortcomings: tuple[int, int] = (0, 0),
    collective: bool = False,
) -> Assessment:
    """An assessment whose points add up to ``score`` (PL4 or PL1 frame)."""
    from fractions import Fraction

    value = Fraction(score)
    general = min(value, Fraction(30))
    task = value - general
    if collective:
        points = {"c1": general / 3, "c2": general / 3, "c3": general / 3}
        points.update(
            {"t1": min(task, Fraction(50)), "t2": task - min(task, Fraction(50))}
        )
    else:
        points = {"c1": general / 3, "c2": general / 3, "c3": general / 3}
        points.update(
            {"t1": min(task, Fraction(40)), "t2": task - min(task, Fraction(40))}
        )
    return Assessment(
        level=level,
        points=points,
        tasks_total=total,
        tasks_on_time=total - late - not_done if on_time is None else on_time,
        tasks_exceeded=exceeded,
        tasks_late=late,
        tasks_not_done=not_done,
        shortcomings_total=shortcomings[0],
        shortcomings_remedied=shortcomings[1],
    )


def legacy(level: Level, met: set[str] | None = None) -> Assessment:
    codes = met if met is not None else {"x1", "x2", "x3", "g1", "g2", "h1", "h2"}
    return Assessment(
        level=level,
        met=frozenset(codes),
        tasks_total=10,
        tasks_on_time=10,
        tasks_exceeded=5,
    )


NO_FACTS = SubjectFacts()


def rate(
    r: RatingRound,
    c: ReviewCycle,
    key: str,
    level: Level,
    assessment: Assessment | None = None,
    facts: SubjectFacts = NO_FACTS,
    external: dict[str, str] | None = None,
    justification: str = "",
    decide: bool = True,
) -> None:
    """Self-rate, propose and (by default) decide one subject at ``level``."""
    book = c.rulebook
    if assessment is None:
        if book.scored:
            score = {
                Level.EXCELLENT: "95",
                Level.GOOD: "80",
                Level.COMPLETED: "60",
                Level.NOT_COMPLETED: "40",
            }[level]
            collective = key.startswith("o:")
            assessment = scored(
                score,
                level,
                exceeded=5 if level is Level.EXCELLENT else 0,
                collective=collective,
            )
        else:
            assessment = legacy(level)
    r.self_rate(
        subject_key=key, assessment=assessment, cycle=c, facts=facts, rated_by=ACTOR
    )
    r.propose(
        subject_key=key,
        level=level.value,
        note="",
        cycle=c,
        facts=facts,
        proposed_by=ACTOR,
    )
    if decide:
        r.decide(
            subject_key=key,
            level=level.value,
            decision_no="12-QĐ/ĐU",
            decided_on=date(c.year, 12, 20),
            justification=justification,
            cycle=c,
            facts=facts,
            external=external or {},
            decided_by=ACTOR,
        )


def mkey(node: MemberNode) -> str:
    return f"m:{node.member_id}"


def okey(node: OrgNode) -> str:
    return f"o:{node.org_id}"
