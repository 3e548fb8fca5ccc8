"""The party organisation tree (tổ chức đảng) and leadership collectives.

tỉnh ủy → huyện ủy / đảng ủy cơ sở → chi bộ; a leadership collective (tập thể lãnh
đạo, quản lý) hangs under the committee whose standing committee manages it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError


class OrganisationKind(StrEnum):
    """Kinds of organisation in the tree."""

    PROVINCIAL_COMMITTEE = "provincial_committee"
    """Tỉnh ủy / thành ủy."""
    DISTRICT_COMMITTEE = "district_committee"
    """Huyện ủy / quận ủy / đảng ủy cấp trên cơ sở."""
    GRASSROOTS_COMMITTEE = "grassroots_committee"
    """Đảng ủy cơ sở (đảng bộ cơ sở)."""
    PARTIAL_COMMITTEE = "partial_committee"
    """Đảng ủy bộ phận (đảng bộ bộ phận), under a đảng ủy cơ sở."""
    CELL = "cell"
    """Chi bộ (cơ sở or trực thuộc)."""
    LEADERSHIP_COLLECTIVE = "leadership_collective"
    """Tập thể lãnh đạo, quản lý (ban thường vụ, tập thể lãnh đạo cơ quan…)."""


# Which kinds may sit directly under which: the tree's only structural rule.
ALLOWED_PARENTS: dict[OrganisationKind, frozenset[OrganisationKind | None]] = {
    OrganisationKind.PROVINCIAL_COMMITTEE: frozenset({None}),
    OrganisationKind.DISTRICT_COMMITTEE: frozenset(
        {OrganisationKind.PROVINCIAL_COMMITTEE}
    ),
    OrganisationKind.GRASSROOTS_COMMITTEE: frozenset(
        {OrganisationKind.PROVINCIAL_COMMITTEE, OrganisationKind.DISTRICT_COMMITTEE}
    ),
    OrganisationKind.PARTIAL_COMMITTEE: frozenset(
        {OrganisationKind.GRASSROOTS_COMMITTEE}
    ),
    OrganisationKind.CELL: frozenset(
        {
            OrganisationKind.PROVINCIAL_COMMITTEE,
            OrganisationKind.DISTRICT_COMMITTEE,
            OrganisationKind.GRASSROOTS_COMMITTEE,
            OrganisationKind.PARTIAL_COMMITTEE,
        }
    ),
    OrganisationKind.LEADERSHIP_COLLECTIVE: frozenset(
        {
            OrganisationKind.PROVINCIAL_COMMITTEE,
            OrganisationKind.DISTRICT_COMMITTEE,
            OrganisationKind.GRASSROOTS_COMMITTEE,
        }
    ),
}
PARTY_KINDS = frozenset(
    k for k in OrganisationKind if k is not OrganisationKind.LEADERSHIP_COLLECTIVE
)


class Sector(StrEnum):
    """Whose leadership a collective is (366 Điều 7.3, Điều 12.2 (4)): the order
    "chính quyền, chuyên môn, đoàn thể trước, cấp ủy sau" needs it."""

    PARTY = "party"
    """Cấp ủy, ban thường vụ: the party's own leadership."""
    GOVERNMENT = "government"
    """Chính quyền (HĐND, UBND…)."""
    PROFESSIONAL = "professional"
    """Chuyên môn (cơ quan, đơn vị sự nghiệp…)."""
    MASS_ORG = "mass_org"
    """Đoàn thể (MTTQ, đoàn thể chính trị - xã hội)."""


class ConclusionKind(StrEnum):
    """Kết luận về tập thể (366 Điều 11, KHTNV of a leadership collective)."""

    PERSONNEL_WRONGDOING = "personnel_wrongdoing"
    """Sai phạm trong công tác cán bộ."""
    DISUNITY = "disunity"
    """Mất đoàn kết nội bộ."""
    FACTIONALISM = "factionalism"
    """Cục bộ, bè phái."""
    BUYING_POSTS = "buying_posts"
    """Chạy chức, chạy quyền."""


class CaseKind(StrEnum):
    """Vụ việc tham nhũng, lãng phí, tiêu cực that was disciplined."""

    CORRUPTION = "corruption"
    WASTE = "waste"
    NEGATIVITY = "negativity"


class OrgDisciplineLevel(StrEnum):
    """Kỷ luật tổ chức đảng: khiển trách, cảnh cáo, giải tán."""

    REPRIMAND = "reprimand"
    WARNING = "warning"
    DISSOLUTION = "dissolution"


# The five basic socio-economic targets where they apply to the post (366 Điều 11).
SOCIO_ECONOMIC_TARGETS = (
    "growth",
    "budget_revenue",
    "public_investment",
    "income_per_capita",
    "poverty_reduction",
)
MAX_REFERENCE_LENGTH = 200
MAX_NAME_LENGTH = 200
CODE_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class ParentFacts:
    """What the rule needs to know of the parent, loaded by the service layer."""

    org_id: UUID
    kind: OrganisationKind
    dissolved: bool = False


def clean_name(name: str) -> str:
    """NFC, trimmed, single spaces; refuse empty or overlong names."""
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if not text:
        raise DomainError("org.name_required")
    if len(text) > MAX_NAME_LENGTH:
        raise DomainError("org.name_too_long", limit=MAX_NAME_LENGTH)
    return text


def _reference(text: str) -> str:
    value = " ".join(unicodedata.normalize("NFC", text).split())
    if not value:
        raise DomainError("org.reference_required")
    if len(value) > MAX_REFERENCE_LENGTH:
        raise DomainError("org.reference_too_long", limit=MAX_REFERENCE_LENGTH)
    return value


def check_code(code: str) -> str:
    if not code or len(code) > 64 or not set(code) <= CODE_ALPHABET:
        raise DomainError("org.code_invalid", value=code)
    return code


class Organisation(Aggregate):
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

    def rename(self, name: str, *, renamed_by: str) -> None:
        self._ensure_active()
        new_name = clean_name(name)
        if new_name == self.name:
            raise DomainError("org.name_unchanged")
        self._renamed(name=new_name, renamed_by=renamed_by)

    @event("Renamed")
    def _renamed(self, name: str, renamed_by: str) -> None:
        self.name = name

    def dissolve(self, *, reason: str, dissolved_by: str) -> None:
        self._ensure_active()
        text = " ".join(unicodedata.normalize("NFC", reason).split())
        if not text:
            raise DomainError("org.reason_required")
        self._dissolved(reason=text, dissolved_by=dissolved_by)

    @event("Dissolved")
    def _dissolved(self, reason: str, dissolved_by: str) -> None:
        self.dissolved = True

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
            reference=_reference(reference),
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
            reference=_reference(reference),
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
            reference=_reference(reference),
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
            reference=_reference(reference),
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
