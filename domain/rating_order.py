"""The order of rating within a cycle (§3.2) and "the head not above the
collective" (366 Điều 7.3): pure rules over the cycle's subjects and the levels
already decided, used by the rating round for every decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from domain.cycles import ReviewCycle, SubjectIndex
from domain.errors import DomainError
from domain.explain import rule_label
from domain.rulebooks import LEVEL_RANK, Level
from domain.subjects import Subject, SubjectKey

PARTY_ORG_KINDS = frozenset(
    {
        "cell",
        "partial_committee",
        "grassroots_committee",
        "district_committee",
        "provincial_committee",
    }
)
# Leadership collectives of chính quyền, chuyên môn, đoàn thể (366 Điều 7.3).
UNIT_SECTORS = frozenset({"government", "professional", "mass_org"})

LevelOf = Callable[[str], "str | None"]
"""The decided level of a subject key, in this round or another one of the cycle."""


def rating_prerequisites(
    subject: Subject,
    subjects: Mapping[str, Subject],
    index: SubjectIndex | None = None,
) -> list[tuple[str, str]]:
    """(rule, subject key) of the ratings that must be decided first (§3.2).

    With the cycle's ``index`` only the subjects that can be prerequisites are
    read (the same answer, without a scan of every subject)."""
    needed: list[tuple[str, str]] = []
    if subject.is_individual:
        for org, role in sorted(subject.posts.items()):
            other = subjects.get(str(SubjectKey.of_org(org)))
            if other is None or other.exempt:
                continue
            if other.org_kind == "cell":
                continue  # a chi bộ is rated after its members, not before
            rule = (
                "collective_before_head"
                if role == "head"
                else "collective_before_members"
            )
            needed.append((rule, other.key))
        return needed
    if subject.org_kind not in PARTY_ORG_KINDS:
        if subject.sector == "party":
            # Cấp ủy (ban thường vụ…) after the government, professional and
            # mass-organisation leaderships beside it (366 Điều 7.3).
            siblings = (
                subjects.values()
                if index is None or subject.parent_id is None
                else [
                    subjects[k] for k in index.children.get(str(subject.parent_id), ())
                ]
            )
            for other in siblings:
                if (
                    not other.exempt
                    and other.is_collective
                    and other.parent_id == subject.parent_id
                    and other.sector in UNIT_SECTORS
                ):
                    needed.append(("government_before_party_committee", other.key))
        return sorted(needed, key=lambda n: (n[0], n[1]))
    org = str(subject.org_id)
    candidates = (
        subjects.values()
        if index is None
        else [
            subjects[k]
            for k in (*index.cell_members.get(org, ()), *index.children.get(org, ()))
        ]
    )
    for other in candidates:
        if other.exempt or other.key == subject.key:
            continue
        if other.is_individual and other.cell_id == org:
            needed.append(("members_before_party_org", other.key))
        elif other.is_collective and other.parent_id == org:
            # Organisations, agencies and units before the party organisation
            # (Điều 12.2 (4)); other collectives below it: lower before higher.
            rule = (
                "units_before_party_org"
                if other.sector in UNIT_SECTORS
                else "lower_before_higher"
            )
            needed.append((rule, other.key))
    return sorted(needed, key=lambda n: (n[0], n[1]))


def check_prerequisites(
    cycle: ReviewCycle, subject: Subject, level_of: LevelOf
) -> list[str]:
    """Refuse ``rating.prerequisite_missing`` while a rating the regime orders
    before this one is undecided; the names of those already decided."""
    rules = cycle.rulebook.order_rules
    done = []
    for rule, other in rating_prerequisites(subject, cycle.subjects, cycle.index):
        if rule not in rules:
            continue
        if level_of(other) is None:
            raise DomainError(
                "rating.prerequisite_missing",
                rule=rule,
                rule_label=rule_label(rule),
                subject=cycle.subjects[other].name,
            )
        done.append(cycle.subjects[other].name)
    return done


def check_head_rule(
    cycle: ReviewCycle, subject: Subject, level: Level, level_of: LevelOf
) -> bool:
    """Refuse ``rating.head_above_collective`` when the head would be rated
    above the collective they lead (or the collective below its head); whether a
    pair was compared."""
    checked = False
    if subject.is_individual:
        for org, role in subject.posts.items():
            key = str(SubjectKey.of_org(org))
            collective = level_of(key) if role == "head" else None
            if collective is not None:
                checked = True
                if LEVEL_RANK[level] > LEVEL_RANK[Level(collective)]:
                    raise DomainError(
                        "rating.head_above_collective",
                        head=level.value,
                        collective=collective,
                        collective_name=cycle.subjects[key].name,
                    )
        return checked
    org = str(subject.org_id)
    for key in cycle.index.holders.get(org, ()):
        other = cycle.subjects[key]
        if other.posts.get(org) != "head":
            continue
        head = level_of(other.key)
        if head is not None:
            checked = True
            if LEVEL_RANK[Level(head)] > LEVEL_RANK[level]:
                raise DomainError(
                    "rating.head_above_collective",
                    head=head,
                    collective=level.value,
                    collective_name=subject.name,
                )
    return checked
