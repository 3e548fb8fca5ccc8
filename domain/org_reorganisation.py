"""What a reorganisation (sắp xếp, tổ chức lại; docs/rules.md) does to an
organisation: the commands that move it under another parent, change its kind,
merge it into a successor, record whom a successor carries on from, and split
it, with the checks they share (the rules themselves: ``domain.reorganisation``).

A mixin of :class:`domain.organisations.Organisation`: the events these commands
record (``MovedUnder``, ``KindChanged``, ``MergedInto``, ``Absorbed``,
``SplitInto``) stay declared on the aggregate, so their topics stay
``domain.organisations:Organisation.<Name>``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from domain.errors import DomainError
from domain.org_kinds import (
    ALLOWED_PARENTS,
    PARTY_KINDS,
    OrganisationKind,
    ParentFacts,
    mergeable,
)
from domain.reorganisation import (
    Decision,
    check_not_below,
    check_order,
    decision_fields,
    distinct,
)


class OrgReorganisation:
    """The reorganisation commands of an organisation."""

    if TYPE_CHECKING:

        @property
        def id(self) -> UUID: ...

        kind: OrganisationKind
        parent_id: UUID | None
        last_effective_on: date | None
        _ensure_active: Callable[[], None]
        _moved_under: Callable[..., None]
        _kind_changed: Callable[..., None]
        _merged_into: Callable[..., None]
        _absorbed: Callable[..., None]
        _split_into: Callable[..., None]

    def move_under(
        self,
        parent: ParentFacts,
        *,
        parent_path: Sequence[UUID],
        decision: Decision,
        moved_by: str,
    ) -> None:
        """Chuyển trực thuộc: ``parent_path`` is the new parent's ancestor path
        (root first; it may end with the parent itself)."""
        self._ensure_active()
        if parent.org_id == self.parent_id:
            raise DomainError("org.parent_unchanged")
        self._check_parent(self.kind, parent, parent_path)
        self._check_decision(decision)
        self._moved_under(
            parent_id=parent.org_id,
            previous_parent_id=self.parent_id,
            moved_by=moved_by,
            **decision_fields(decision),
        )

    def change_kind(
        self,
        kind: str,
        *,
        parent: ParentFacts | None,
        parent_path: Sequence[UUID],
        child_kinds: Collection[str],
        decision: Decision,
        changed_by: str,
    ) -> None:
        """Đổi loại hình tổ chức, under ``parent`` (the present one, or a new one:
        then moved under it by the same decision, e.g. a đảng ủy bộ phận made a
        đảng ủy cơ sở directly under the tỉnh ủy). ``child_kinds``: the kinds of
        its organisations, which must still be allowed under the new kind."""
        self._ensure_active()
        try:
            new_kind = OrganisationKind(kind)
        except ValueError:
            raise DomainError("org.kind_unknown", kind=kind) from None
        if new_kind is self.kind:
            raise DomainError("org.kind_unchanged")
        if (new_kind in PARTY_KINDS) != (self.kind in PARTY_KINDS):
            raise DomainError("org.kind_change_not_allowed")
        for child in sorted(set(child_kinds)):
            if new_kind not in ALLOWED_PARENTS[OrganisationKind(child)]:
                raise DomainError("org.child_kind_not_allowed", kind=child)
        if parent is None:
            if None not in ALLOWED_PARENTS[new_kind] or self.parent_id is not None:
                raise DomainError("org.parent_not_allowed", kind=new_kind.value)
        else:
            self._check_parent(new_kind, parent, parent_path)
        self._check_decision(decision)
        decided = decision_fields(decision)
        self._kind_changed(
            kind=new_kind.value,
            previous_kind=self.kind.value,
            changed_by=changed_by,
            **decided,
        )
        if parent is not None and parent.org_id != self.parent_id:
            self._moved_under(
                parent_id=parent.org_id,
                previous_parent_id=self.parent_id,
                moved_by=changed_by,
                **decided,
            )

    def merge_into(
        self,
        successor: ParentFacts,
        *,
        successor_path: Sequence[UUID],
        decision: Decision,
        merged_by: str,
    ) -> None:
        """Hợp nhất, sáp nhập: this organisation ends, ``successor`` carries on
        (it records ``Absorbed``). Its members, posts and organisations follow as
        the decision says (the service layer moves them)."""
        self._ensure_active()
        if successor.org_id == self.id:
            raise DomainError("org.merge_into_self")
        check_not_below(self.id, successor_path, "org.merge_into_descendant")
        if successor.dissolved:
            raise DomainError("org.successor_dissolved")
        if not mergeable(self.kind, successor.kind):
            raise DomainError(
                "org.merge_kind_mismatch",
                kind=self.kind.value,
                successor_kind=successor.kind.value,
            )
        self._check_decision(decision)
        self._merged_into(
            successor_id=successor.org_id,
            merged_by=merged_by,
            **decision_fields(decision),
        )

    def absorb(
        self,
        predecessors: Sequence[ParentFacts],
        *,
        how: str,
        decision: Decision,
        absorbed_by: str,
        founded: bool = False,
    ) -> None:
        """A successor records whom it carries on from: ``how`` is ``merge`` (the
        predecessors record ``MergedInto``) or ``split`` (one predecessor records
        ``SplitInto``); ``founded``: the same decision founded it (it exists from
        the effective date on)."""
        self._ensure_active()
        if how not in ("merge", "split"):
            raise DomainError("org.succession_unknown", how=how)
        ids = distinct(
            [p.org_id for p in predecessors], "org.merge_needs_one", at_least=1
        )
        if self.id in ids:
            raise DomainError("org.merge_into_self")
        if any(p.dissolved for p in predecessors):
            raise DomainError("org.predecessor_dissolved")
        self._check_decision(decision)
        self._absorbed(
            predecessor_ids=[str(i) for i in ids],
            how=how,
            founded=founded,
            absorbed_by=absorbed_by,
            **decision_fields(decision),
        )

    def split_into(
        self,
        successors: Sequence[ParentFacts],
        *,
        successor_paths: Sequence[Sequence[UUID]],
        decision: Decision,
        split_by: str,
    ) -> None:
        """Chia tách: this organisation ends, two or more successors carry on
        (each records ``Absorbed`` with ``how="split"``)."""
        self._ensure_active()
        ids = distinct(
            [s.org_id for s in successors], "org.split_needs_two", at_least=2
        )
        for successor, path in zip(successors, successor_paths, strict=True):
            if successor.org_id == self.id:
                raise DomainError("org.merge_into_self")
            check_not_below(self.id, path, "org.merge_into_descendant")
            if successor.dissolved:
                raise DomainError("org.successor_dissolved")
        self._check_decision(decision)
        self._split_into(
            successor_ids=[str(i) for i in ids],
            split_by=split_by,
            **decision_fields(decision),
        )

    def _check_parent(
        self, kind: OrganisationKind, parent: ParentFacts, parent_path: Sequence[UUID]
    ) -> None:
        check_not_below(self.id, (*parent_path, parent.org_id), "org.move_cycle")
        if parent.kind not in ALLOWED_PARENTS[kind]:
            raise DomainError(
                "org.parent_not_allowed", kind=kind.value, parent_kind=parent.kind
            )
        if parent.dissolved:
            raise DomainError("org.parent_dissolved")

    def _check_decision(self, decision: Decision | None) -> None:
        if decision is not None:
            check_order(decision, self.last_effective_on)
