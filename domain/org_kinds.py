"""The kinds of party organisation, the tree's one structural rule (which kind
sits under which), and the values the organisation aggregate checks
(``domain.organisations`` re-exports them)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

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
COMMITTEE_KINDS = frozenset(
    {
        OrganisationKind.DISTRICT_COMMITTEE,
        OrganisationKind.GRASSROOTS_COMMITTEE,
        OrganisationKind.PARTIAL_COMMITTEE,
    }
)
"""Committees below the province: one may be merged into another of these kinds."""


def mergeable(kind: OrganisationKind, successor: OrganisationKind) -> bool:
    """Like into like: chi bộ into chi bộ, a committee into a committee."""
    return kind is successor or (
        kind in COMMITTEE_KINDS and successor in COMMITTEE_KINDS
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


def check_reference(text: str) -> str:
    """A document reference (số, ký hiệu văn bản): required, short."""
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
