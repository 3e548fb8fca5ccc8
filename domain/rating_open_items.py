"""What still blocks or breaks the rules in a cycle (việc còn tồn đọng), as pure
rules over the rows of the ``ratings`` read models: which prerequisites are not
decided, which subject is on hold, which decision is a violation (rated without
its review meetings, or followed by a discipline of the year), and when a
deadline or a re-review order is at risk or missed.

The application (``services.rating_open_items``) gathers the rows and asks
these functions; it decides nothing itself.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.cycles import SubjectIndex
from domain.rating_order import rating_prerequisites
from domain.subjects import Subject, SubjectKey

AT_RISK_DAYS = 7
"""Days before a deadline from which an open item is at risk (sắp quá hạn)."""


@dataclass(frozen=True)
class DisciplineWindow:
    """Where a discipline makes a decision a violation: a discipline of
    ``member_id`` decided on or after ``decided_from`` (ISO date, the cycle's
    year) and recorded after position ``recorded_after`` (the decision)."""

    member_id: str
    recorded_after: int
    decided_from: str


def disciplines_counted_from(year: int) -> str:
    """The first day (ISO) on which a discipline decided can break a decision of
    the cycle of ``year``: its 1 January."""
    return f"{year}-01-01"


def discipline_window(subject: Mapping[str, Any], year: int) -> DisciplineWindow | None:
    """The window in which a recorded discipline breaks the subject's decision
    (kỷ luật sau khi xếp loại), or None when the subject is exempt, not decided
    or not a member."""
    if subject["exempt"] or subject["status"] != "decided" or not subject["member_id"]:
        return None
    return DisciplineWindow(
        member_id=str(subject["member_id"]),
        recorded_after=int(subject["decided_at"] or 0),
        decided_from=disciplines_counted_from(year),
    )


def subject_open_items(
    subject: Mapping[str, Any],
    subjects: Mapping[str, Mapping[str, Any]],
    met: Collection[tuple[str, str]],
    *,
    disciplined_after: bool,
    typed: Mapping[str, Subject] | None = None,
    index: SubjectIndex | None = None,
    prerequisites: Sequence[tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The open items of one subject of a cycle, in order: the prerequisites not
    yet decided (§3.2), the hold, and the violations of a decision.

    ``subjects`` are the cycle's subject rows by key (each with its ``key``);
    ``met`` the (subject key, venue id) of the review meetings held or being
    redone under an open order (the order is then the item, not a violation);
    ``disciplined_after``: a discipline was recorded in the subject's
    :func:`discipline_window`; ``typed`` the same subjects as :class:`Subject`
    and ``index`` their :class:`SubjectIndex`, both built once per cycle by the
    caller (the order rules read them; building them per subject would cost
    the cycle's size per subject), else here. ``prerequisites`` are the
    subject's (rule, other key) from :func:`rating_prerequisites` when the
    caller kept them (the ratings view stores them when a cycle's subjects are
    set, so a change of one subject re-asks this with the few rows it names:
    ``subjects`` then needs only the subject and those others)."""
    if subject["exempt"]:
        return []
    key = subject["key"]
    name = subject["name"]
    items: list[dict[str, Any]] = []
    if reads_prerequisites(subject):
        if prerequisites is None:
            if typed is None:
                typed = {k: Subject.from_payload(row) for k, row in subjects.items()}
            prerequisites = rating_prerequisites(typed[key], typed, index)
        for rule, other in prerequisites:
            if subjects[other]["status"] != "decided":
                items.append(
                    {
                        "kind": "prerequisite",
                        "rule": rule,
                        "subject_key": key,
                        "subject": name,
                        "other": subjects[other]["name"],
                    }
                )
    if subject["held_reason"]:
        items.append(
            {
                "kind": "held",
                "rule": subject["held_reason"],
                "subject_key": key,
                "subject": name,
            }
        )
    if subject["status"] == "decided":
        if any((key, venue) not in met for venue in subject["venues"]):
            items.append(_violation("rated_without_review", key, name))
        if disciplined_after:
            items.append(_violation("discipline_after_decision", key, name))
    return items


def reads_prerequisites(subject: Mapping[str, Any]) -> bool:
    """Whether :func:`subject_open_items` reads the subject's prerequisites
    (and their status and name): only while it is not exempt nor decided."""
    return not subject["exempt"] and subject["status"] != "decided"


def reads_reviews(subject: Mapping[str, Any]) -> bool:
    """Whether the subject's items read its review meetings (the violations of
    a decision, the review milestone, :func:`still_open`): unless exempt."""
    return not subject["exempt"]


def waiting_items_change(before: str, after: str) -> bool:
    """Whether a subject's status moving from ``before`` to ``after`` can change
    the open items of the subjects waiting for it: they read only whether it
    is decided (and its name, which no status step changes)."""
    return (before == "decided") != (after == "decided")


@dataclass(frozen=True)
class Neighbours:
    """Subjects of a cycle named by where they stand: by ``keys``, the
    collectives whose parent is one of ``parents``, the individuals whose chi
    bộ is one of ``cells`` and those holding a post at one of ``posted_at``."""

    keys: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()
    posted_at: tuple[str, ...] = ()


def prerequisite_candidates(subject: Subject) -> Neighbours:
    """Every subject :func:`rating_prerequisites` may name for ``subject`` (the
    collectives of its posts; the collectives beside or below it; the members
    of its chi bộ): given only these and the subject, it answers as over the
    whole cycle, so a cycle whose subjects arrive in parts asks it per part."""
    if subject.is_individual:
        return Neighbours(keys=tuple(str(SubjectKey.of_org(o)) for o in subject.posts))
    below = (subject.org_id,) if subject.org_id else ()
    beside = (subject.parent_id,) if subject.parent_id else ()
    return Neighbours(parents=(*beside, *below), cells=below)


def waiting_candidates(subject: Subject) -> Neighbours:
    """Every subject whose prerequisites may name ``subject`` (the inverse of
    :func:`prerequisite_candidates`): the collective of a member's chi bộ; for
    a collective, the one above it, those beside it and its post holders."""
    if subject.is_individual:
        cell = (str(SubjectKey.of_org(subject.cell_id)),) if subject.cell_id else ()
        return Neighbours(keys=cell)
    above = (str(SubjectKey.of_org(subject.parent_id)),) if subject.parent_id else ()
    beside = (subject.parent_id,) if subject.parent_id else ()
    posts = (subject.org_id,) if subject.org_id else ()
    return Neighbours(keys=above, parents=beside, posted_at=posts)


def step_flags(detail: Mapping[str, Any], status: str) -> list[tuple[str, str]]:
    """The (kind, rule) flags a subject's latest rating step leaves for human
    consideration, never consequences: an open question only the authority
    settles (``flag`` from the self-rating or proposal that found it;
    ``settled`` once the decision settled it, docs/rules.md), and KHTNV again
    after KHTNV in the previous cycle of the same period type (raised by the
    decision, while the subject stands ``status`` decided). Only the ``flag``
    ones are open items."""
    found: list[tuple[str, str]] = [
        ("flag", question) for question in detail.get("open_questions", [])
    ]
    found += [("settled", s["question"]) for s in detail.get("settled", [])]
    if status == "decided" and "consecutive_khtnv" in detail.get("rules", []):
        found.append(("flag", "consecutive_khtnv"))
    return found


RATING_STEPS = frozenset(
    {
        "self_rated",
        "proposed",
        "carried",
        "decided",
        "revised",
        "cancelled",
        "rating_redo",
    }
)
"""The timeline steps that may raise or settle a flag (the latest one counts)."""


def _violation(rule: str, key: str, name: str) -> dict[str, Any]:
    return {"kind": "violation", "rule": rule, "subject_key": key, "subject": name}


def rereview_state(deadline: date, today: date) -> str:
    """An open re-review order is late after its deadline, at risk within
    ``AT_RISK_DAYS`` of it, open before that."""
    if deadline < today:
        return "rereview_late"
    if (deadline - today).days <= AT_RISK_DAYS:
        return "rereview_at_risk"
    return "rereview_open"


def deadline_state(due: date, today: date) -> str | None:
    """A deadline with subjects still open is missed once past, at risk within
    ``AT_RISK_DAYS`` of it; None when it is further away."""
    if (due - today).days > AT_RISK_DAYS:
        return None
    return "deadline_missed" if due < today else "deadline_at_risk"


def still_open(
    subject: Mapping[str, Any], milestone: str, held: Collection[str]
) -> bool:
    """Whether the subject has not reached a deadline's milestone: for the
    review, no meeting held (``held``: the keys of subjects with one); for the
    others, not decided. An exempt subject never is."""
    if subject["exempt"]:
        return False
    if milestone == "review":
        return subject["subject_key"] not in held
    return bool(subject["status"] != "decided")
