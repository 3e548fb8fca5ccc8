"""Handlers of the reorganisation of the tree (sắp xếp, tổ chức lại; issue 12).

get → authorise → call → commit, like every handler, with two additions: the
scope is checked on the parent of every organisation touched, present and new
(``domain.permissions.reorganisation_scope``), and what follows the decision
(the organisations under a predecessor, a chi bộ's members, the posts held at a
predecessor, the open remediation plans held there) is listed from the views by
indexed queries on that one organisation, each checked on its own aggregate
before it is moved: the work is O(what the predecessors hold), never a scan of
the province. Whether the ended organisations' open rounds' peer groups follow
is recorded on each (``PeerGroupsFollowDecided``); the successor's round carries
them when it rates the members (``services.handlers.succession.carry_into``).
Everything is saved in one signed transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import permissions
from domain.errors import DomainError
from domain.members import PartyMember
from domain.organisations import Organisation, OrganisationKind
from domain.remediation import RemediationPlan
from domain.reorganisation import Decision, rebased
from domain.subjects import SubjectKey
from ledger.signing import Signer
from projections import directory as views
from projections import directory_temporary as temporary_views
from projections import remediation as remediation_views
from services import ids
from services import reorganisation_commands as rc
from services.handlers.base import Services
from services.handlers.registry import handler

ACTION = "organisation.reorganise"


class _Work:
    """One command's loaded aggregates (each once: a second ``get`` would be a
    second copy of the same stream) and its checks."""

    def __init__(self, app: Services, signer: Signer, command: rc.ReorganisingCommand):
        self.app = app
        self.uow = app.uow
        self.actor = signer.actor
        self.orgs: dict[UUID, Organisation] = {}
        self.members: dict[UUID, PartyMember] = {}
        self.plans: dict[UUID, RemediationPlan] = {}
        self.decision = Decision.checked(
            command.decision_no, command.effective_on, today=self.uow.today()
        )

    @property
    def changed(self) -> list[Aggregate]:
        return [*self.orgs.values(), *self.members.values(), *self.plans.values()]

    def org(self, org_id: UUID) -> Organisation:
        found = self.orgs.get(org_id)
        if found is None:
            found = self.uow.get(Organisation, org_id, "org.not_found")
            self.orgs[org_id] = found
        return found

    def peek(self, org_id: UUID) -> Organisation:
        """An organisation to look at only (this command's copy if it has one)."""
        found = self.orgs.get(org_id)
        if found is not None:
            return found
        return self.uow.read(Organisation, org_id, "org.not_found")

    def live_children(self, of: UUID) -> list[UUID]:
        """The organisations directly under ``of`` that have not ended."""
        return [
            c
            for c in views.child_ids(self.app.projections, of)
            if self.peek(c).parent_id == of and not self.peek(c).dissolved
        ]

    def member(self, member_id: UUID) -> PartyMember:
        found = self.members.get(member_id)
        if found is None:
            found = self.uow.get(PartyMember, member_id, "member.not_found")
            self.members[member_id] = found
        return found

    def path(self, org_id: UUID) -> tuple[UUID, ...]:
        """Root first, ``org_id`` last (a successor founded by this command is
        placed under its stored parent)."""
        org = self.orgs.get(org_id)
        if org is not None and not self.uow.exists(org_id):
            parent = org.parent_id
            return (*(self.uow.path(parent) if parent else ()), org_id)
        return self.uow.path(org_id)

    def authorise(self, parents: Iterable[UUID | None]) -> None:
        account = self.uow.authorise(self.actor, ACTION)
        scope = permissions.reorganisation_scope(parents)
        if scope is None:
            if not self.uow.viewer(account).is_admin:
                raise DomainError(permissions.OUT_OF_SCOPE, action=ACTION)
            return
        for parent in scope:
            self.uow.check_scope(account, ACTION, parent)

    def move_children(self, of: UUID, to: Organisation) -> None:
        """Every organisation directly under ``of`` moves under ``to``."""
        for child_id in self.live_children(of):
            self.move(self.org(child_id), to)

    def move(self, child: Organisation, to: Organisation) -> None:
        child.move_under(
            to.facts(),
            parent_path=self.path(to.id)[:-1],
            decision=self.decision,
            moved_by=self.actor,
        )

    def end_posts(self, at: UUID) -> dict[UUID, str]:
        """End every post held at ``at`` the day before the decision takes
        effect; the holders and their roles."""
        until = self.decision.effective_on - timedelta(days=1)
        held: dict[UUID, str] = {}
        for member_id in views.post_holder_ids(self.app.projections, at):
            member = self.member(member_id)
            post = member.posts.get(str(at))
            if post is None:
                continue
            since: date = post["since"]
            member.end_post(org_id=at, until=max(until, since), ended_by=self.actor)
            held[member_id] = post["role"]
        return held

    def assign_posts(self, at: Organisation, posts: Iterable[rc.PostMove]) -> None:
        for move in posts:
            member = self.member(move.member_id)
            current = member.posts.get(str(at.id))
            if current is not None and current["role"] == move.role:
                continue
            member.assign_post(
                org=at.facts(),
                role=move.role,
                since=self.decision.effective_on,
                assigned_by=self.actor,
            )

    def transfer(
        self, member_id: UUID, cell: Organisation, from_cell: UUID, how: str
    ) -> None:
        member = self.member(member_id)
        if member.cell_id != from_cell:
            raise DomainError("org.member_not_in_cell")
        if cell.kind is not OrganisationKind.CELL:
            raise DomainError("org.successor_not_a_cell")
        member.transfer(cell=cell.facts(), transferred_by=self.actor)
        if member.temporary_cell_id == cell.id:  # now their official chi bộ
            self.follow_temporary(member, how, cell)

    def temporary_members(self, cell_id: UUID) -> list[UUID]:
        """The members on temporary party activity at the chi bộ (those the
        view lists and the aggregate confirms)."""
        listed = temporary_views.temporary_member_ids(self.app.projections, cell_id)
        return [m for m in listed if self.member(m).temporary_cell_id == cell_id]

    def follow_temporary(
        self, member: PartyMember, how: str, to: Organisation | None
    ) -> None:
        """The member's temporary attachment follows the decision to ``to``
        (a successor chi bộ), or ends (none, or it is their official one)."""
        if to is not None and to.kind is not OrganisationKind.CELL:
            raise DomainError("org.successor_not_a_cell")
        member.follow_temporary_cell(
            how=how,
            decision_no=self.decision.number,
            effective_on=self.decision.effective_on,
            cell=to.facts() if to is not None else None,
            moved_by=self.actor,
        )

    def open_plans(self, at: UUID) -> list[RemediationPlan]:
        """The open remediation plans held at ``at`` or below (those the view
        lists and the aggregate confirms)."""
        found = []
        for plan_id in remediation_views.open_plan_ids_held_under(
            self.app.projections, at
        ):
            plan = self.plans.get(plan_id)
            if plan is None:
                plan = self.uow.get(
                    RemediationPlan, plan_id, "remediation.plan_not_found"
                )
            if plan.is_open and str(at) in plan.path:
                self.plans[plan_id] = plan
                found.append(plan)
        return found

    def follow(
        self, plan: RemediationPlan, how: str, at: UUID, onto: UUID, *, keep: bool
    ) -> None:
        """The open plan follows the decision: ``at`` (on its path) gives way to
        ``onto`` (a successor), or, with ``keep`` (a move), goes under ``onto``;
        a supervising organisation that ended passes to the successor."""
        above = [str(o) for o in reversed(self.path(onto))]
        path = rebased(plan.path, str(at), above, keep=keep)
        plan.follow(
            how=how,
            decision_no=self.decision.number,
            effective_on=self.decision.effective_on,
            place_id=UUID(path[0]),
            path=[UUID(o) for o in path],
            supervisors={} if keep else {at: onto},
            moved_by=self.actor,
        )

    def cell_members(self, cell_id: UUID) -> list[UUID]:
        """The chi bộ's members (those the view lists and the aggregate confirms)."""
        listed = views.cell_member_ids(self.app.projections, cell_id)
        return [m for m in listed if self.member(m).cell_id == cell_id]


def views_at_the_ledger(app: Services) -> None:
    """What follows a decision is listed from the views (directory, remediation):
    before listing it, they must show every event the ledger holds now, or a
    member enrolled or a plan recorded a moment before (not yet in a view, the
    separate worker being behind) would be left at the ended organisation.
    Embedded mode: the views are brought to the ledger's tip here. Worker mode:
    a bounded wait for the running worker (or the catch-up here when none
    runs); still behind after it, the decision is refused (``store.busy``: try
    again) with nothing stored, rather than recorded with something left
    behind."""
    runtime = app.projections
    tip = app.ledger.max_notification_id()
    if not runtime.read_your_writes(tip):
        raise DomainError("store.busy")


def _run(
    app: Services,
    signer: Signer,
    command: rc.ReorganisingCommand,
    body: Callable[[_Work], UUID],
    *,
    follows: bool = True,
) -> UUID:
    """Run ``body(work)`` inside the unit of work (re-run whole on a conflict);
    when something follows the decision, the views are first brought to the
    ledger (:func:`views_at_the_ledger`)."""
    if follows:
        views_at_the_ledger(app)
    result: list[UUID] = []

    def work() -> list[Aggregate]:
        w = _Work(app, signer, command)
        result[:] = [body(w)]
        return w.changed

    app.uow.commit(signer, work)
    return result[0]


@handler(rc.RenameByDecision)
def rename_by_decision(
    app: Services, command: rc.RenameByDecision, signer: Signer
) -> UUID:
    def body(w: _Work) -> UUID:
        org = w.org(command.org_id)
        w.authorise([org.parent_id])
        org.rename(command.name, renamed_by=w.actor, decision=w.decision)
        return org.id

    return _run(app, signer, command, body, follows=False)


@handler(rc.MoveOrganisation)
def move_organisation(
    app: Services, command: rc.MoveOrganisation, signer: Signer
) -> UUID:
    def body(w: _Work) -> UUID:
        org = w.org(command.org_id)
        parent = w.org(command.parent_id)
        w.authorise([org.parent_id, parent.id])
        plans = w.open_plans(org.id)
        w.move(org, parent)
        for plan in plans:
            w.follow(plan, "move", org.id, parent.id, keep=True)
        return org.id

    return _run(app, signer, command, body)


@handler(rc.ChangeOrganisationKind)
def change_organisation_kind(
    app: Services, command: rc.ChangeOrganisationKind, signer: Signer
) -> UUID:
    def body(w: _Work) -> UUID:
        org = w.org(command.org_id)
        target = command.parent_id or org.parent_id
        parent = w.org(target) if target is not None else None
        w.authorise([org.parent_id, target])
        kinds = views.child_kinds(app.projections, org.id)
        if org.kind is OrganisationKind.CELL and (
            w.cell_members(org.id) or w.temporary_members(org.id)
        ):
            raise DomainError("org.not_empty")  # members sit only in a chi bộ
        moved_to = parent.id if parent is not None else None
        if moved_to == org.parent_id:
            moved_to = None
        plans = w.open_plans(org.id) if moved_to is not None else []
        org.change_kind(
            command.kind,
            parent=parent.facts() if parent is not None else None,
            parent_path=w.path(parent.id)[:-1] if parent is not None else (),
            child_kinds=kinds,
            decision=w.decision,
            changed_by=w.actor,
        )
        if moved_to is not None:
            for plan in plans:
                w.follow(plan, "move", org.id, moved_to, keep=True)
        return org.id

    return _run(app, signer, command, body)


def _successor(w: _Work, command: rc.MergeOrganisations) -> Organisation:
    new = command.new_successor
    if command.successor_id is not None and new is None:
        return w.org(command.successor_id)
    if new is None or command.successor_id is not None:
        raise DomainError("org.successor_required")
    org_id = ids.organisation_id(new.code)
    if w.uow.exists(org_id):
        raise DomainError("org.code_taken", value=new.code)
    org = Organisation.found(
        org_id=org_id,
        code=new.code,
        name=new.name,
        kind=new.kind,
        parent=w.org(new.parent_id).facts(),
        founded_by=w.actor,
    )
    w.orgs[org_id] = org
    return org


@handler(rc.MergeOrganisations)
def merge_organisations(
    app: Services, command: rc.MergeOrganisations, signer: Signer
) -> UUID:
    def body(w: _Work) -> UUID:
        successor = _successor(w, command)  # saved first: the others point to it
        absorbed = [w.org(i) for i in command.absorbed_ids]
        w.authorise([*(a.parent_id for a in absorbed), successor.parent_id])
        successor.absorb(
            [a.facts() for a in absorbed],
            how="merge",
            decision=w.decision,
            absorbed_by=w.actor,
            founded=command.new_successor is not None,
        )
        successor_path = w.path(successor.id)
        held: dict[UUID, str] = {}
        for old in absorbed:
            plans = w.open_plans(old.id)
            old.decide_peer_groups(
                follow=command.peer_groups_follow,
                how="merge",
                decision=w.decision,
                decided_by=w.actor,
            )
            old.merge_into(
                successor.facts(),
                successor_path=successor_path,
                decision=w.decision,
                merged_by=w.actor,
            )
            w.move_children(old.id, successor)
            if old.kind is OrganisationKind.CELL:
                attached = w.temporary_members(old.id)
                for member_id in w.cell_members(old.id):
                    w.transfer(member_id, successor, old.id, "merge")
                for member_id in attached:
                    w.follow_temporary(w.member(member_id), "merge", successor)
            held.update(w.end_posts(old.id))
            for plan in plans:
                w.follow(plan, "merge", old.id, successor.id, keep=False)
        posts = command.posts
        if posts is None:
            posts = tuple(rc.PostMove(m, role) for m, role in held.items())
        w.assign_posts(successor, posts)
        return successor.id

    return _run(app, signer, command, body)


def _placed(
    moves: Sequence[tuple[UUID, UUID]], present: Iterable[UUID], successors: set[UUID]
) -> dict[UUID, UUID]:
    """Each present member or organisation once, each to a listed successor."""
    placed = dict(moves)
    if len(placed) != len(moves) or set(placed) != set(present):
        raise DomainError("org.split_unplaced")
    if not set(placed.values()) <= successors:
        raise DomainError("org.successor_not_listed")
    return placed


@handler(rc.SplitOrganisation)
def split_organisation(
    app: Services, command: rc.SplitOrganisation, signer: Signer
) -> UUID:
    def body(w: _Work) -> UUID:
        successors = [w.org(i) for i in command.successor_ids]
        org = w.org(command.org_id)
        w.authorise([org.parent_id, *(s.parent_id for s in successors)])
        listed = set(command.successor_ids)
        children = w.live_children(org.id)
        child_to = _placed(command.child_moves, children, listed)
        cell = org.kind is OrganisationKind.CELL
        members = w.cell_members(org.id) if cell else []
        attached = w.temporary_members(org.id) if cell else []
        member_to = _placed(command.member_moves, [*members, *attached], listed)
        if command.plans_to is not None and command.plans_to not in listed:
            raise DomainError("org.successor_not_listed")
        plans = [
            (plan, _plan_goes_to(plan, org.id, child_to, member_to, command.plans_to))
            for plan in w.open_plans(org.id)
        ]
        for successor in successors:
            successor.absorb(
                [org.facts()], how="split", decision=w.decision, absorbed_by=w.actor
            )
        org.decide_peer_groups(
            follow=command.peer_groups_follow,
            how="split",
            decision=w.decision,
            decided_by=w.actor,
        )
        org.split_into(
            [s.facts() for s in successors],
            successor_paths=[w.path(s.id) for s in successors],
            decision=w.decision,
            split_by=w.actor,
        )
        for child_id, to in child_to.items():
            w.move(w.org(child_id), w.org(to))
        for member_id in members:
            w.transfer(member_id, w.org(member_to[member_id]), org.id, "split")
        for member_id in attached:
            w.follow_temporary(
                w.member(member_id), "split", w.org(member_to[member_id])
            )
        w.end_posts(org.id)
        for plan, to in plans:
            w.follow(plan, "split", org.id, to, keep=False)
        return org.id

    return _run(app, signer, command, body)


def _plan_goes_to(
    plan: RemediationPlan,
    org_id: UUID,
    child_to: dict[UUID, UUID],
    member_to: dict[UUID, UUID],
    plans_to: UUID | None,
) -> UUID:
    """The successor of a split that holds an open plan: the one its
    organisation below the split one goes to, the one its member goes to, else
    the one the decision names for the split organisation's own plans."""
    below = plan.path[: plan.path.index(str(org_id))]
    if below:
        to = child_to.get(UUID(below[-1]))
    else:
        member = SubjectKey.parse(plan.subject_key).member_id
        to = member_to.get(member) if member is not None else None
    to = to or plans_to
    if to is None:
        raise DomainError("org.split_plans_unplaced")
    return to


@handler(rc.DissolveByDecision)
def dissolve_by_decision(
    app: Services, command: rc.DissolveByDecision, signer: Signer
) -> UUID:
    def body(w: _Work) -> UUID:
        org = w.org(command.org_id)
        w.authorise([org.parent_id])
        if w.live_children(org.id) or w.cell_members(org.id):
            raise DomainError("org.not_empty")
        for member_id in w.temporary_members(org.id):
            w.follow_temporary(w.member(member_id), "dissolve", None)
        w.end_posts(org.id)
        org.dissolve(reason=command.reason, dissolved_by=w.actor, decision=w.decision)
        return org.id

    return _run(app, signer, command, body)
