"""Commands of review and rating (issue 3). Each has one handler in
``services.handlers`` (member_facts, org_facts, cycles, reviews, rounds, criteria,
rereviews); the bus checks that ``actor_id`` is the signer. Dates are
``date``; points are decimal text ("8.5"), never floats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from services.commands import Command


# -- facts about members ----------------------------------------------------------
@dataclass(frozen=True)
class AssignPost(Command):
    member_id: UUID
    org_id: UUID
    role: str
    since: date


@dataclass(frozen=True)
class EndPost(Command):
    member_id: UUID
    org_id: UUID
    until: date


@dataclass(frozen=True)
class AttachTemporaryCell(Command):
    member_id: UUID
    cell_id: UUID
    since: date


@dataclass(frozen=True)
class DetachTemporaryCell(Command):
    member_id: UUID
    until: date


@dataclass(frozen=True)
class RecordExemption(Command):
    member_id: UUID
    kind: str
    start: date
    reference: str
    end: date | None = None


@dataclass(frozen=True)
class RecordLeave(Command):
    member_id: UUID
    kind: str
    start: date
    end: date


@dataclass(frozen=True)
class RecordDiscipline(Command):
    member_id: UUID
    level: str
    duty_related: bool
    decided_on: date
    reference: str
    conduct_org_id: UUID | None = None


@dataclass(frozen=True)
class RecordDegradation(Command):
    member_id: UUID
    concluded_on: date
    reference: str


@dataclass(frozen=True)
class RecordConfidenceResult(Command):
    member_id: UUID
    held_on: date
    returned: int
    low: int
    reference: str


@dataclass(frozen=True)
class SetWorkSituation(Command):
    member_id: UUID
    outside_political_system: bool


# -- cycles -----------------------------------------------------------------------
@dataclass(frozen=True)
class OpenCycle(Command):
    org_id: UUID
    year: int
    period: str = "annual"
    period_no: int | None = None
    reference_date: date | None = None
    deadlines: tuple[tuple[str, str, date], ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetDeadline(Command):
    cycle_id: UUID
    level: str
    milestone: str
    due: date


@dataclass(frozen=True)
class RefreshSubjects(Command):
    cycle_id: UUID


@dataclass(frozen=True)
class CloseCycle(Command):
    cycle_id: UUID


# -- reviews ------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenReview(Command):
    cycle_id: UUID
    subject_key: str
    venue_id: UUID


@dataclass(frozen=True)
class CirculateReport(Command):
    """Mẫu 01 sent to the participants: ``sections`` by the form's keys; a
    ``summary`` alone (the API's one text) is section I, the results."""

    review_id: UUID
    summary: str
    circulated_on: date
    sections: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmitSelfReview(Command):
    review_id: UUID
    form: str
    sections: dict[str, str]


@dataclass(frozen=True)
class AddComment(Command):
    review_id: UUID
    author_member_id: UUID
    text: str


@dataclass(frozen=True)
class AddSuggestion(Command):
    review_id: UUID
    issuer_org_id: UUID
    text: str


@dataclass(frozen=True)
class RecordOpinion(Command):
    review_id: UUID
    evaluator_kind: str
    evaluator: str
    text: str
    proposed_level: str | None = None


@dataclass(frozen=True)
class RecordResidenceComment(Command):
    review_id: UUID
    text: str


@dataclass(frozen=True)
class RecordTemporaryCellComment(Command):
    review_id: UUID
    cell_id: UUID
    text: str


@dataclass(frozen=True)
class HoldMeeting(Command):
    review_id: UUID
    held_on: date
    attendees: int
    minutes: str
    conclusion: str


# -- rating rounds ------------------------------------------------------------------
@dataclass(frozen=True)
class OpenRound(Command):
    cycle_id: UUID
    authority_org_id: UUID


@dataclass(frozen=True)
class DefinePeerGroup(Command):
    round_id: UUID
    code: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class GrantQuotaException(Command):
    round_id: UUID
    code: str
    ratio_pct: int
    justification: str


@dataclass(frozen=True)
class SelfRate(Command):
    """Bước 1. ``points`` (366): criterion code -> decimal text; ``met``
    (132/124): the codes of the level's conditions the subject meets. The
    shortcomings carried and remedied are not typed in: the service reads them
    from the remediation view and records them in the event (issue 6)."""

    round_id: UUID
    subject_key: str
    level: str
    tasks_total: int
    tasks_on_time: int
    tasks_exceeded: int = 0
    tasks_late: int = 0
    tasks_not_done: int = 0
    points: dict[str, str] = field(default_factory=dict)
    met: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProposeRating(Command):
    round_id: UUID
    subject_key: str
    level: str
    note: str = ""


@dataclass(frozen=True)
class HoldRating(Command):
    round_id: UUID
    subject_key: str
    reason: str
    note: str


@dataclass(frozen=True)
class ReleaseRating(Command):
    round_id: UUID
    subject_key: str
    finding: str


@dataclass(frozen=True)
class DecideMitigation(Command):
    round_id: UUID
    subject_key: str
    trigger: str
    mitigated: bool
    justification: str


@dataclass(frozen=True)
class DecideRating(Command):
    round_id: UUID
    subject_key: str
    level: str
    decision_no: str
    decided_on: date
    justification: str = ""


@dataclass(frozen=True)
class ReRate(Command):
    """Mẫu 03: cancel the published rating and decide it again."""

    round_id: UUID
    subject_key: str
    level: str
    decision_no: str
    decided_on: date
    reason: str
    chair_responsibility: bool = False


# -- facts about organisations and oversight (366 Điều 11, Điều 7.3) -----------------
@dataclass(frozen=True)
class AssignOversight(Command):
    member_id: UUID
    org_id: UUID
    since: date


@dataclass(frozen=True)
class EndOversight(Command):
    member_id: UUID
    org_id: UUID
    until: date


@dataclass(frozen=True)
class SetSector(Command):
    org_id: UUID
    sector: str


@dataclass(frozen=True)
class RecordConclusion(Command):
    org_id: UUID
    kind: str
    concluded_on: date
    reference: str


@dataclass(frozen=True)
class RecordTaskResults(Command):
    org_id: UUID
    year: int
    tasks_planned: int
    tasks_completed: int
    reference: str
    targets_apply: bool = False
    targets_failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordCase(Command):
    org_id: UUID
    kind: str
    disciplined_on: date
    reference: str
    member_id: UUID | None = None


@dataclass(frozen=True)
class RecordOrgDiscipline(Command):
    org_id: UUID
    level: str
    decided_on: date
    reference: str


# -- re-review orders (domain.md §5.4) ------------------------------------------------
@dataclass(frozen=True)
class OrderReReview(Command):
    """The higher committee orders a subject's review and/or rating redone."""

    cycle_id: UUID
    subject_key: str
    scope: str  # review | rating | both
    reason: str
    deadline: date
    chair_responsibility: bool = False


# -- combined conference (43-HD mục 2.4) ------------------------------------------
@dataclass(frozen=True)
class SetCombinedConference(Command):
    """The collective (and its members) reviewed at the committee's conference;
    ``committee_id`` None: at its own level again."""

    cycle_id: UUID
    collective_id: UUID
    committee_id: UUID | None = None


# -- criteria refined by a province or unit (366 Điều 10) --------------------------
@dataclass(frozen=True)
class DefineCriteria(Command):
    """Sub-criteria for one appendix, for the subtree of ``org_id`` from a year on.
    ``items``: (code, group, max_points, title) per criterion."""

    org_id: UUID
    appendix: str
    from_year: int
    items: tuple[tuple[str, str, int, str], ...]
