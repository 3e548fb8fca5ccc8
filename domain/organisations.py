"""The party organisation tree (tổ chức đảng) and leadership collectives.

tỉnh ủy → huyện ủy / đảng ủy cơ sở → chi bộ; a leadership collective (tập thể lãnh
đạo, quản lý) hangs under the committee whose standing committee manages it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
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
    OrganisationKind.CELL: frozenset(
        {
            OrganisationKind.PROVINCIAL_COMMITTEE,
            OrganisationKind.DISTRICT_COMMITTEE,
            OrganisationKind.GRASSROOTS_COMMITTEE,
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

    def facts(self) -> ParentFacts:
        return ParentFacts(org_id=self.id, kind=self.kind, dissolved=self.dissolved)

    def _ensure_active(self) -> None:
        if self.dissolved:
            raise DomainError("org.dissolved")
