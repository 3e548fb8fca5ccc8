"""The to-do lists of the inspection committee, of a member and of the counting
committee (issue 13), beside the subjects' and orders' lists of
``services.read_gateway_todo``, through the same gateway and scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from domain.accounts import Role
from domain.errors import DomainError
from domain.next_step import counting_step
from domain.permissions import Read
from projections.ratings.subject_lists import subjects_of_member
from projections.ratings.timeline import recent_steps
from services.todo_items import COUNT_CAP, TodoGroup, TodoItem

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime
    from services.read_gateway import ReadGateway

Row = dict[str, Any]

RECENT_EVENTS = 200
"""The newest events of a cycle an inspector's "changed since" looks at."""


class TodoLists(Protocol):
    """What these lists use of ``services.read_gateway_todo.TodoReads`` (a
    protocol, so the two modules import no circle)."""

    gate: ReadGateway
    first: int

    views: ProjectionRuntime

    def open_cycles(self) -> list[Row]: ...

    def subject_item(self, cycle: Row, subject: Row) -> TodoItem: ...

    def fresh(self) -> None: ...


class RoleTodoReads:
    """The lists of the roles that do not work through a subject's steps."""

    def __init__(self, lists: TodoLists) -> None:
        self.lists = lists

    @property
    def gate(self) -> ReadGateway:
        return self.lists.gate

    @property
    def first(self) -> int:
        return self.lists.first

    @first.setter
    def first(self, value: int) -> None:
        self.lists.first = value

    @property
    def views(self) -> ProjectionRuntime:
        return self.lists.views

    def open_cycles(self) -> list[Row]:
        return self.lists.open_cycles()

    def subject_item(self, cycle: Row, subject: Row) -> TodoItem:
        return self.lists.subject_item(cycle, subject)

    # -- the inspection committee ------------------------------------------------
    def inspector_groups(self) -> list[TodoGroup]:
        """Open incidents of the log, and the files changed since the
        committee member's last cosigned checkpoint (overdue remediation is
        the dashboard's reminder, read as before)."""
        groups: list[TodoGroup] = []
        incidents = self.gate.audit.incidents()
        if incidents:
            groups.append(
                TodoGroup(
                    code="incidents",
                    items=[
                        TodoItem(
                            kind="incident",
                            name=i.kind,
                            detail=i.detail,
                            deadline=None,
                            ref=i.detected_at,
                        )
                        for i in incidents[: self.first]
                    ],
                    count=len(incidents),
                )
            )
        changed = self.changed_since_cosigned()
        if changed is not None:
            groups.append(changed)
        return groups

    def all_changed(self) -> TodoGroup | None:
        """Every file changed since the viewer's last cosignature (of the
        newest events looked at): the full list behind the dashboard's group."""
        if not self.gate.viewer.has(Role.INSPECTOR):
            raise DomainError("auth.forbidden", action="audit.read")
        self.first = COUNT_CAP
        return self.changed_since_cosigned()

    def last_cosigned_size(self) -> int | None:
        """The size of the newest checkpoint this account cosigned (held by the
        committee at cosigning), or None."""
        sizes = [
            h.size
            for h in self.gate.app.audit.held_checkpoints()
            if h.holder == self.gate.actor
        ]
        return max(sizes) if sizes else None

    def changed_since_cosigned(self) -> TodoGroup | None:
        """Subjects of the open cycles in the viewer's branch with events the
        viewer's last cosigned checkpoint does not cover (the newest
        ``RECENT_EVENTS`` of each cycle are looked at), and whether a newer
        checkpoint waits for the viewer's cosignature; None when neither."""
        size = self.last_cosigned_size()
        latest = self.gate.latest_checkpoint()
        latest_size = latest.size if latest is not None else 0
        changed: dict[tuple[str, str], TodoItem] = {}
        capped = False
        for cycle in self.open_cycles():
            rows = recent_steps(self.views, cycle["cycle_id"], RECENT_EVENTS)
            rows = rows[: self._uncovered(rows, size)]
            capped = capped or len(rows) >= RECENT_EVENTS
            rows = self.gate.keep(
                Read.SUBJECT,
                rows,
                lambda r: r["org_id"] or r["cell_id"],
                lambda r: r["member_id"],
            )
            for r in rows:
                changed.setdefault(
                    (cycle["cycle_id"], r["subject_key"]),
                    TodoItem(
                        kind="changed",
                        name=r["name"],
                        cycle_id=cycle["cycle_id"],
                        subject_key=r["subject_key"],
                        year=int(cycle["year"]),
                    ),
                )
        items = list(changed.values())
        to_cosign = latest_size > (size or 0)
        if not items and not to_cosign:
            return None
        return TodoGroup(
            code="changed",
            items=items[: self.first],
            count=len(items),
            capped=capped and bool(items),
            extra={
                "cosigned_size": size,
                "latest_size": latest_size,
                "to_cosign": to_cosign,
            },
        )

    def _uncovered(self, rows: list[Row], size: int | None) -> int:
        """How many of ``rows`` (events, newest first) a checkpoint of ``size``
        does not cover: log positions grow with the events, so the boundary is
        found by bisection, a few look-ups of the log's leaf index."""
        if size is None:
            return len(rows)
        leaf_index = self.gate.app.integrator.leaf_index

        def covered(row: Row) -> bool:
            index = leaf_index(int(row["position"]))
            return index is not None and index < size

        low, high = 0, len(rows)
        while low < high:
            middle = (low + high) // 2
            if covered(rows[middle]):
                high = middle
            else:
                low = middle + 1
        return low

    # -- a member's own file -----------------------------------------------------
    def member_groups(self) -> list[TodoGroup]:
        """The member's own subjects in open cycles (their next step and who
        takes it), their shortcomings still being remedied, and open votes."""
        me = self.gate.viewer.member_id
        groups: list[TodoGroup] = []
        # one's own file: kept while the views it was read from stand still
        items = (
            list(self.gate.app.kept.get("todo_own", me, lambda: self._own_steps(me)))
            if me is not None
            else []
        )
        if items:
            groups.append(
                TodoGroup(code="own", items=items[: self.first], count=len(items))
            )
        key = f"m:{me}"
        remedies = [
            r
            for r in self.gate.remediation.items(subject_key=key)
            if r["status"] in ("OPEN", "IN_PROGRESS")
        ]
        if remedies:
            groups.append(
                TodoGroup(
                    code="own_remediation",
                    items=[
                        TodoItem(
                            kind="remediation",
                            name=r["description"],
                            subject_key=key,
                            deadline=r.get("deadline"),
                            detail=r["status"],
                        )
                        for r in remedies[: self.first]
                    ],
                    count=len(remedies),
                )
            )
        votes = [v for v in self.gate.votes.votes() if v.state == "open"]
        if votes:
            groups.append(
                TodoGroup(
                    code="open_votes",
                    items=[
                        TodoItem(kind="vote", name=v.title, ref=str(v.vote_id))
                        for v in votes[: self.first]
                    ],
                    count=len(votes),
                )
            )
        return groups

    def _own_steps(self, me: UUID) -> tuple[TodoItem, ...]:
        """The next steps of a member's own subjects in open cycles, newest
        cycle first."""
        self.lists.fresh()  # kept: read anew all it depends on
        own = subjects_of_member(self.views, me)
        every = self.gate.app.kept.get("cycles", None, self.gate.app.ratings.cycles)
        cycles = {c["cycle_id"]: c for c in every}
        own = [
            s
            for s in own
            if s["cycle_id"] in cycles and not cycles[s["cycle_id"]]["closed"]
        ]
        own.sort(
            key=lambda s: (
                -int(cycles[s["cycle_id"]]["year"]),
                -int(cycles[s["cycle_id"]]["opened_at"]),
            )
        )
        items = [self.subject_item(cycles[s["cycle_id"]], s) for s in own]
        return tuple(i for i in items if i.step)

    # -- the counting committee --------------------------------------------------
    def counting_groups(self) -> list[TodoGroup]:
        """The votes this account counts whose ceremony waits for it."""
        actor = self.gate.actor
        if not actor.startswith("u:"):
            return []
        account_id = UUID(actor[2:])
        account = self.gate.account_row(account_id)  # one's own: read once
        if account is None:
            return []
        votes = self.gate.app.votes
        items: list[TodoItem] = []
        for row in self.gate.votes.counted():
            trustees = [t for t in votes.trustee_rows(row.vote_id) if t.username]
            mine = [t for t in trustees if t.username == account.username]
            if not mine:
                continue
            signed = row.state == "tallied" and _signed_minutes(
                self.gate, row.vote_id, account_id
            )
            step = counting_step(row.state, chair=mine[0].chair, signed_minutes=signed)
            if step is not None:
                items.append(
                    TodoItem(
                        kind="vote",
                        name=row.title,
                        step=step.value,
                        role=Role.COUNTING.value,
                        ref=str(row.vote_id),
                    )
                )
        if not items:
            return []
        return [TodoGroup(code="ceremony", items=items[: self.first], count=len(items))]


def _signed_minutes(gate: ReadGateway, vote_id: UUID, account_id: UUID) -> bool:
    """Whether the account's key signed the vote's minutes."""
    votes = gate.app.votes
    try:
        key = votes.trustee_key(account_id)
    except DomainError:
        return False
    return key in votes.minutes_signers(vote_id, 0)
