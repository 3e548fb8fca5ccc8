"""The party organisation tree (tổ chức đảng) and leadership collectives.

tỉnh ủy → huyện ủy / đảng ủy cơ sở → chi bộ; a leadership collective (tập thể lãnh
đạo, quản lý) hangs under the committee whose standing committee manages it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.org_kinds import ALLOWED_PARENTS as ALLOWED_PARENTS
from domain.org_kinds import (
    PARTY_KINDS,
    SOCIO_ECONOMIC_TARGETS,
    CaseKind,
    ConclusionKind,
    OrgDisciplineLevel,
    Sector,
    check_code,
    check_reference,
    clean_name,
)
from domain.org_kinds import OrganisationKind as OrganisationKind
from domain.org_kinds import ParentFacts as ParentFacts
from domain.org_reorganisation import OrgReorganisation
from domain.reorganisation import Decision, decision_fields
from domain.text import clean_paragraphs


class Organisation(OrgReorganisation, Aggregate):
    """A party organisation or leadership collective (tổ chức đảng / tập thể)."""

    @classmethod
    def found(
        cls,
        *,
        org_id: UUID,
        code: str,
        name: str,
        kind: str,
        parent: ParentFacts | None,
        founded_by: str,
    ) -> Organisation:
        try:
            org_kind = OrganisationKind(kind)
        except ValueError:
            raise DomainError("org.kind_unknown", kind=kind) from None
        parent_kind = parent.kind if parent is not None else None
        if parent_kind not in ALLOWED_PARENTS[org_kind]:
            raise DomainError(
                "org.parent_not_allowed", kind=org_kind.value, parent_kind=parent_kind
            )
        if parent is not None and parent.dissolved:
            raise DomainError("org.parent_dissolved")
        return cls._create(
            cls.Founded,  # type: ignore[attr-defined]
            id=org_id,
            code=check_code(code),
            name=clean_name(name),
            kind=org_kind.value,
            parent_id=parent.org_id if parent is not None else None,
            founded_by=founded_by,
        )

    @event("Founded")
    def __init__(
        self, code: str, name: str, kind: str, parent_id: UUID | None, founded_by: str
    ) -> None:
        self.code = code
        self.name = name
        self.kind = OrganisationKind(kind)
        self.parent_id = parent_id
        self.dissolved = False
        self.sector: str | None = (
            Sector.PARTY.value if self.kind in PARTY_KINDS else None
        )
        self.conclusions: list[dict[str, Any]] = []
        self.task_results: dict[int, dict[str, Any]] = {}
        self.cases: list[dict[str, Any]] = []
        self.disciplines: list[dict[str, Any]] = []

    # -- reorganisation (sắp xếp, tổ chức lại; docs/rules.md) ----------------------
    # Each change names its decision (None only for a correction of the record:
    # a name typed wrong, or a dissolution recorded before decisions were kept).
    successor_ids: tuple[str, ...] = ()
    predecessor_ids: tuple[str, ...] = ()
    ended_how: str | None = None
    last_effective_on: date | None = None
    # Whether its open rounds' peer groups follow to the successors (None: the
    # decision said nothing, as before this was asked: they do not).
    peer_groups_follow: bool | None = None

    def decide_peer_groups(
        self, *, follow: bool, how: str, decision: Decision, decided_by: str
    ) -> None:
        """What the merge or split decision says of this organisation's peer
        groups (nhóm tương đồng, §5.1) in its open rating rounds; the successor's
        round carries them when it rates the members (``RatingRound``)."""
        self._peer_groups_decided(
            follow=follow, how=how, decided_by=decided_by, **decision_fields(decision)
        )

    @event("PeerGroupsFollowDecided")
    def _peer_groups_decided(
        self,
        follow: bool,
        how: str,
        decision_no: str,
        effective_on: date,
        decided_by: str,
    ) -> None:
        self.peer_groups_follow = follow

    def rename(
        self, name: str, *, renamed_by: str, decision: Decision | None = None
    ) -> None:
        self._ensure_active()
        new_name = clean_name(name)
        if new_name == self.name:
            raise DomainError("org.name_unchanged")
        self._check_decision(decision)
        self._renamed(name=new_name, renamed_by=renamed_by, **decision_fields(decision))

    class Renamed(Aggregate.Event):
        """v2: the decision (number, effective date); v1 events had none."""

        class_version = 2
        name: str
        renamed_by: str
        decision_no: str | None
        effective_on: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["decision_no"] = None
            state["effective_on"] = None

    @event(Renamed)
    def _renamed(
        self,
        name: str,
        renamed_by: str,
        decision_no: str | None,
        effective_on: date | None,
    ) -> None:
        self.name = name
        self._took_effect(effective_on)

    def dissolve(
        self, *, reason: str, dissolved_by: str, decision: Decision | None = None
    ) -> None:
        self._ensure_active()
        text = clean_paragraphs(reason)
        if not text:
            raise DomainError("org.reason_required")
        self._check_decision(decision)
        self._dissolved(
            reason=text, dissolved_by=dissolved_by, **decision_fields(decision)
        )

    class Dissolved(Aggregate.Event):
        """v2: the decision (number, effective date); v1 events had none."""

        class_version = 2
        reason: str
        dissolved_by: str
        decision_no: str | None
        effective_on: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["decision_no"] = None
            state["effective_on"] = None

    @event(Dissolved)
    def _dissolved(
        self,
        reason: str,
        dissolved_by: str,
        decision_no: str | None,
        effective_on: date | None,
    ) -> None:
        self.dissolved = True
        self.ended_how = "dissolved"
        self._took_effect(effective_on)

    # The commands for a move, a change of kind, a merge, a split and whom a
    # successor carries on from: domain.org_reorganisation (OrgReorganisation).
    @event("MovedUnder")
    def _moved_under(
        self,
        parent_id: UUID,
        previous_parent_id: UUID | None,
        decision_no: str,
        effective_on: date,
        moved_by: str,
    ) -> None:
        self.parent_id = parent_id
        self._took_effect(effective_on)

    @event("KindChanged")
    def _kind_changed(
        self,
        kind: str,
        previous_kind: str,
        decision_no: str,
        effective_on: date,
        changed_by: str,
    ) -> None:
        self.kind = OrganisationKind(kind)
        self._took_effect(effective_on)

    @event("MergedInto")
    def _merged_into(
        self, successor_id: UUID, decision_no: str, effective_on: date, merged_by: str
    ) -> None:
        self.dissolved = True
        self.ended_how = "merged"
        self.successor_ids = (str(successor_id),)
        self._took_effect(effective_on)

    @event("Absorbed")
    def _absorbed(
        self,
        predecessor_ids: list[str],
        how: str,
        founded: bool,
        decision_no: str,
        effective_on: date,
        absorbed_by: str,
    ) -> None:
        self.predecessor_ids = (*self.predecessor_ids, *predecessor_ids)
        self._took_effect(effective_on)

    @event("SplitInto")
    def _split_into(
        self,
        successor_ids: list[str],
        decision_no: str,
        effective_on: date,
        split_by: str,
    ) -> None:
        self.dissolved = True
        self.ended_how = "split"
        self.successor_ids = tuple(successor_ids)
        self._took_effect(effective_on)

    def _took_effect(self, effective_on: date | None) -> None:
        if effective_on is not None:
            self.last_effective_on = effective_on

    # -- facts the rating rules read (366 Điều 11; 124) ---------------------------
    def set_sector(self, *, sector: str, set_by: str) -> None:
        """A leadership collective's sector; party organisations are always
        ``party``. Unset (existing data) means no sector order applies."""
        self._ensure_active()
        if self.kind in PARTY_KINDS:
            raise DomainError("org.sector_fixed")
        try:
            value = Sector(sector).value
        except ValueError:
            raise DomainError("org.sector_unknown", sector=sector) from None
        if value == self.sector:
            raise DomainError("org.sector_unchanged")
        self._sector_set(sector=value, set_by=set_by)

    @event("SectorSet")
    def _sector_set(self, sector: str, set_by: str) -> None:
        self.sector = sector

    def record_conclusion(
        self,
        *,
        conclusion_id: str,
        kind: str,
        concluded_on: date,
        reference: str,
        recorded_by: str,
    ) -> None:
        """A competent body concluded personnel wrongdoing, disunity,
        factionalism or buying posts in this collective."""
        try:
            value = ConclusionKind(kind).value
        except ValueError:
            raise DomainError("org.conclusion_kind_unknown", kind=kind) from None
        if any(c["conclusion_id"] == conclusion_id for c in self.conclusions):
            raise DomainError("org.fact_recorded_twice")
        self._conclusion_recorded(
            conclusion_id=conclusion_id,
            kind=value,
            concluded_on=concluded_on,
            reference=check_reference(reference),
            recorded_by=recorded_by,
        )

    @event("ConclusionRecorded")
    def _conclusion_recorded(
        self,
        conclusion_id: str,
        kind: str,
        concluded_on: date,
        reference: str,
        recorded_by: str,
    ) -> None:
        self.conclusions.append(
            {
                "conclusion_id": conclusion_id,
                "kind": kind,
                "concluded_on": concluded_on,
                "reference": reference,
            }
        )

    def record_task_results(
        self,
        *,
        year: int,
        tasks_planned: int,
        tasks_completed: int,
        targets_apply: bool,
        targets_failed: list[str],
        reference: str,
        recorded_by: str,
    ) -> None:
        """The unit's or locality's results of the year: planned tasks completed
        and, where they apply, the 5 basic socio-economic targets missed. A later
        record for the same year supersedes the earlier one (both stay signed)."""
        if not 2000 <= year <= 2100:
            raise DomainError("org.year_invalid", year=year)
        if tasks_planned < 1 or not 0 <= tasks_completed <= tasks_planned:
            raise DomainError("org.task_counts_invalid")
        failed = sorted(set(targets_failed))
        unknown = sorted(set(failed) - set(SOCIO_ECONOMIC_TARGETS))
        if unknown:
            raise DomainError("org.target_unknown", targets=", ".join(unknown))
        if failed and not targets_apply:
            raise DomainError("org.targets_do_not_apply")
        self._task_results_recorded(
            year=year,
            tasks_planned=tasks_planned,
            tasks_completed=tasks_completed,
            targets_apply=bool(targets_apply),
            targets_failed=failed,
            reference=check_reference(reference),
            recorded_by=recorded_by,
        )

    @event("TaskResultsRecorded")
    def _task_results_recorded(
        self,
        year: int,
        tasks_planned: int,
        tasks_completed: int,
        targets_apply: bool,
        targets_failed: list[str],
        reference: str,
        recorded_by: str,
    ) -> None:
        self.task_results[year] = {
            "org_id": self.id,
            "year": year,
            "tasks_planned": tasks_planned,
            "tasks_completed": tasks_completed,
            "targets_apply": targets_apply,
            "targets_failed": list(targets_failed),
            "reference": reference,
        }

    def record_case(
        self,
        *,
        case_id: str,
        kind: str,
        disciplined_on: date,
        member_id: UUID | None,
        reference: str,
        recorded_by: str,
    ) -> None:
        """Corruption, waste or negativity in this organisation (or by one of its
        people) that was disciplined."""
        try:
            value = CaseKind(kind).value
        except ValueError:
            raise DomainError("org.case_kind_unknown", kind=kind) from None
        if any(c["case_id"] == case_id for c in self.cases):
            raise DomainError("org.fact_recorded_twice")
        self._case_recorded(
            case_id=case_id,
            kind=value,
            disciplined_on=disciplined_on,
            member_id=member_id,
            reference=check_reference(reference),
            recorded_by=recorded_by,
        )

    @event("CaseRecorded")
    def _case_recorded(
        self,
        case_id: str,
        kind: str,
        disciplined_on: date,
        member_id: UUID | None,
        reference: str,
        recorded_by: str,
    ) -> None:
        self.cases.append(
            {
                "case_id": case_id,
                "org_id": self.id,
                "kind": kind,
                "disciplined_on": disciplined_on,
                "member_id": member_id,
                "reference": reference,
            }
        )

    def record_discipline(
        self,
        *,
        discipline_id: str,
        level: str,
        decided_on: date,
        reference: str,
        recorded_by: str,
    ) -> None:
        """Kỷ luật the organisation itself (khiển trách, cảnh cáo, giải tán)."""
        try:
            value = OrgDisciplineLevel(level).value
        except ValueError:
            raise DomainError("org.discipline_level_unknown", level=level) from None
        if any(d["discipline_id"] == discipline_id for d in self.disciplines):
            raise DomainError("org.fact_recorded_twice")
        self._discipline_recorded(
            discipline_id=discipline_id,
            level=value,
            decided_on=decided_on,
            reference=check_reference(reference),
            recorded_by=recorded_by,
        )

    @event("DisciplineRecorded")
    def _discipline_recorded(
        self,
        discipline_id: str,
        level: str,
        decided_on: date,
        reference: str,
        recorded_by: str,
    ) -> None:
        self.disciplines.append(
            {
                "discipline_id": discipline_id,
                "org_id": self.id,
                "level": level,
                "decided_on": decided_on,
                "reference": reference,
            }
        )

    def facts(self) -> ParentFacts:
        return ParentFacts(org_id=self.id, kind=self.kind, dissolved=self.dissolved)

    def _ensure_active(self) -> None:
        if self.dissolved:
            raise DomainError("org.dissolved")
