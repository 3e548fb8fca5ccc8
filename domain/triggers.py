"""The automatic KHTNV triggers of a regime (Điều 11 §4; 132 Điều 12.4; 124):
discipline in the year, degradation, low confidence, tasks not done, and the
triggers that read facts about units. Each may be set aside by the authority
where the regime allows it (``mitigable``), never automatically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.rating_facts import Assessment, DisciplineFact, SubjectFacts, charged_here
from domain.rulebooks import (
    DISCIPLINE_RANK,
    Appendix,
    DisciplineLevel,
    Level,
    Rulebook,
    confidence_band,
)
from domain.subjects import Subject

LEADER_APPENDICES = frozenset({Appendix.LEADER.value, Appendix.LEADER_CENTRAL.value})


@dataclass(frozen=True)
class Trigger:
    """An automatic KHTNV trigger (Điều 11 §4), possibly set aside by the authority."""

    code: str
    mitigable: bool
    mitigated: bool = False
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def applies(self) -> bool:
        return not self.mitigated


def pct_at_least(part: int, whole: int, pct: int) -> bool:
    return part * 100 >= pct * whole


def _counting(
    rulebook: Rulebook,
    records: tuple[DisciplineFact, ...],
    year: int,
    counted: frozenset[str],
    collective: bool,
    org_id: UUID | None,
    merged_from: frozenset[UUID] = frozenset(),
) -> list[DisciplineFact]:
    trigger = (
        rulebook.collective_discipline if collective else rulebook.individual_discipline
    )
    minimum = DISCIPLINE_RANK[trigger.min_level]
    found = []
    for record in records:
        if record.decided_on.year != year or record.discipline_id in counted:
            continue  # disciplined in the year; one violation counts once
        if DISCIPLINE_RANK[DisciplineLevel(record.level)] < minimum:
            continue
        if trigger.duty_related_only and not record.duty_related:
            continue
        if collective and not charged_here(record, org_id, merged_from):
            continue  # conduct at another unit counts there (Điều 11, timing cases)
        found.append(record)
    return found


def triggers_for(
    rulebook: Rulebook,
    subject: Subject,
    assessment: Assessment,
    facts: SubjectFacts,
    year: int,
    mitigations: Mapping[str, bool],
) -> tuple[Trigger, ...]:
    collective = subject.is_collective
    org_id = UUID(subject.org_id) if subject.org_id else None
    mitigable = rulebook.mitigation_allowed
    found: list[Trigger] = []

    def add(code: str, can_mitigate: bool, **details: Any) -> None:
        found.append(
            Trigger(
                code,
                can_mitigate,
                can_mitigate and mitigations.get(code, False),
                details,
            )
        )

    records = facts.member_disciplines if collective else facts.disciplines
    hits = _counting(
        rulebook,
        records,
        year,
        facts.counted_disciplines,
        collective,
        org_id,
        facts.merged_from,
    )
    if hits:
        add(
            "member_discipline" if collective else "discipline",
            mitigable,
            ids=sorted(h.discipline_id for h in hits),
        )
    if facts.degradation:
        add("degradation", False)
    if (
        rulebook.confidence_trigger
        and not collective
        and subject.appendix in LEADER_APPENDICES
        and facts.confidence is not None
    ):
        returned, low = facts.confidence
        band = confidence_band(returned, low)
        if band is not None:
            add("confidence", False, returned=returned, low=low, band=band)
    total = assessment.tasks_total
    if collective:
        done = total - assessment.tasks_not_done
        if rulebook.collective_tasks_min_pct is not None and not pct_at_least(
            done, total, rulebook.collective_tasks_min_pct
        ):
            add("tasks_below_minimum", mitigable, pct=rulebook.collective_tasks_min_pct)
    elif assessment.tasks_not_done * 100 > rulebook.tasks_not_done_max_pct * total:
        add("tasks_not_done", mitigable, pct=rulebook.tasks_not_done_max_pct)
    for code, can_mitigate, details in unit_triggers(rulebook, subject, facts, year):
        add(code, can_mitigate and mitigable, **details)
    return tuple(found)


def _in_year(day: Any, year: int) -> bool:
    return isinstance(day, date) and day.year == year


def _more_than(part: int, whole: int, pct: int) -> bool:
    return whole > 0 and part * 100 > pct * whole


def unit_triggers(
    rulebook: Rulebook, subject: Subject, facts: SubjectFacts, year: int
) -> list[tuple[str, bool, dict[str, Any]]]:
    """The KHTNV triggers that read facts about units: the areas and units a
    leader oversees or leads, their task results and socio-economic targets,
    disciplined cases under direct management, conclusions about a collective,
    its members' degradation, and the party organisation's shares (366 Điều 11;
    132 Điều 12.4; 124). (code, mitigable, details) in a fixed order."""
    found: list[tuple[str, bool, dict[str, Any]]] = []
    collective = subject.is_collective
    leader = subject.klass == "leader"
    if not (collective or leader):
        return found
    pct = rulebook.overseen_khtnv_max_pct
    if leader and pct is not None and facts.overseen:
        khtnv = sorted(k for k, lv in facts.overseen if lv == Level.NOT_COMPLETED)
        if _more_than(len(khtnv), len(facts.overseen), pct):
            found.append(
                (
                    "overseen_units_khtnv",
                    True,
                    {"khtnv": len(khtnv), "total": len(facts.overseen), "pct": pct},
                )
            )
    if leader and rulebook.led_unit_khtnv:
        led = sorted(k for k, lv in facts.led if lv == Level.NOT_COMPLETED)
        if led:
            found.append(("led_unit_khtnv", True, {"units": len(led)}))
    kinds = rulebook.collective_case_kinds if collective else rulebook.leader_case_kinds
    cases = sorted(
        str(c["case_id"])
        for c in facts.cases
        if c["kind"] in kinds and _in_year(c["disciplined_on"], year)
    )
    if cases:
        code = "subordinate_case" if collective else "management_case"
        found.append((code, True, {"cases": len(cases)}))
    minimum = rulebook.unit_tasks_min_pct
    results = [r for r in facts.unit_results if r["year"] == year]
    if minimum is not None:
        low = [
            r
            for r in results
            if r["tasks_completed"] * 100 < minimum * r["tasks_planned"]
        ]
        if low:
            found.append(("unit_tasks_below_minimum", True, {"pct": minimum}))
    if rulebook.socio_economic_targets:
        failed = sorted(
            {t for r in results if r["targets_apply"] for t in r["targets_failed"]}
        )
        if failed:
            found.append(
                ("socio_economic_targets", True, {"targets": ", ".join(failed)})
            )
    if not collective:
        return found
    concluded = sorted(
        {
            str(c["kind"])
            for c in facts.conclusions
            if c["kind"] in rulebook.conclusion_kinds
            and _in_year(c["concluded_on"], year)
        }
    )
    if concluded:
        found.append(("collective_conclusion", True, {"kinds": concluded}))
    if rulebook.collective_member_degradation and any(
        _in_year(d["concluded_on"], year) for d in facts.member_degradations
    ):
        found.append(("member_degradation", False, {}))
    if rulebook.collective_disciplined and any(
        _in_year(d["decided_on"], year) for d in facts.org_disciplines
    ):
        found.append(("collective_disciplined", True, {}))
    share = rulebook.subordinate_disciplined_max_pct
    if share is not None and facts.subordinates:
        hit = sum(
            1
            for u in facts.subordinates
            if any(_in_year(d, year) for d in u["disciplined"])
        )
        if _more_than(hit, len(facts.subordinates), share):
            found.append(
                (
                    "subordinate_units_disciplined",
                    True,
                    {"hit": hit, "total": len(facts.subordinates), "pct": share},
                )
            )
    share = rulebook.members_khtnv_max_pct
    if share is not None and facts.member_levels:
        khtnv_members = sum(
            1 for _k, lv in facts.member_levels if lv == Level.NOT_COMPLETED
        )
        if _more_than(khtnv_members, len(facts.member_levels), share):
            found.append(
                (
                    "members_khtnv",
                    True,
                    {
                        "hit": khtnv_members,
                        "total": len(facts.member_levels),
                        "pct": share,
                    },
                )
            )
    return found
