"""Commands of the reorganisation of the tree (sắp xếp, tổ chức lại; issue 12).

Each names its decision: ``decision_no`` (số quyết định) and ``effective_on``
(ngày hiệu lực). One handler each in ``services.handlers.reorganisation``; the
bus checks that ``actor_id`` is the signer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.commands import Command


@dataclass(frozen=True)
class NewSuccessor:
    """A successor founded by the same decision (tổ chức mới thành lập)."""

    code: str
    name: str
    kind: str
    parent_id: UUID


@dataclass(frozen=True)
class PostMove:
    """A post at the successor, as the decision names it (chức vụ)."""

    member_id: UUID
    role: str


@dataclass(frozen=True)
class ReorganisingCommand(Command):
    decision_no: str
    effective_on: date


@dataclass(frozen=True)
class RenameByDecision(ReorganisingCommand):
    """Đổi tên tổ chức theo quyết định."""

    org_id: UUID
    name: str


@dataclass(frozen=True)
class MoveOrganisation(ReorganisingCommand):
    """Chuyển trực thuộc: the organisation and its subtree under ``parent_id``."""

    org_id: UUID
    parent_id: UUID


@dataclass(frozen=True)
class ChangeOrganisationKind(ReorganisingCommand):
    """Đổi loại hình; with ``parent_id``, under that parent by the same decision."""

    org_id: UUID
    kind: str
    parent_id: UUID | None = None


@dataclass(frozen=True)
class MergeOrganisations(ReorganisingCommand):
    """Hợp nhất, sáp nhập ``absorbed_ids`` into ``successor_id`` (existing) or a
    ``new_successor`` founded by the decision. Their organisations move under the
    successor; a chi bộ's members transfer to it; ``posts`` None: every post at a
    predecessor follows with its role, else exactly these posts are held at the
    successor (the predecessors' posts end either way). ``peer_groups_follow``:
    the predecessors' open rounds' peer groups follow to the successor's round
    (``domain.peer_group_carry``)."""

    absorbed_ids: tuple[UUID, ...]
    successor_id: UUID | None = None
    new_successor: NewSuccessor | None = None
    posts: tuple[PostMove, ...] | None = None
    peer_groups_follow: bool = True


@dataclass(frozen=True)
class SplitOrganisation(ReorganisingCommand):
    """Chia tách ``org_id`` into ``successor_ids`` (existing, or founded first);
    ``member_moves`` (member, successor chi bộ) and ``child_moves``
    (organisation, successor) must place every member and organisation of it
    (its members on temporary activity too: their attachment follows);
    ``plans_to`` is the successor that takes on the split organisation's own
    open remediation plans (required when it has one); ``peer_groups_follow``:
    its open rounds' peer groups follow their members, one group at each
    successor that rates some of them (``domain.peer_group_carry``)."""

    org_id: UUID
    successor_ids: tuple[UUID, ...]
    member_moves: tuple[tuple[UUID, UUID], ...] = ()
    child_moves: tuple[tuple[UUID, UUID], ...] = ()
    plans_to: UUID | None = None
    peer_groups_follow: bool = True


@dataclass(frozen=True)
class DissolveByDecision(ReorganisingCommand):
    """Giải thể theo quyết định (an organisation with nobody left in it)."""

    org_id: UUID
    reason: str
