"""The dashboard's to-do lists (việc cần làm), one per role (issue 13): reads bound
to the read gateway's viewer and checked by the same scope rule as every other
read (``services.read_gateway``).

Who acts next is the domain's rule (``domain.next_step``); here the candidates
are found and counted. Each query is bounded so a dashboard hit stays cheap in a
province: the open cycles in reach (at most ``MAX_CYCLES``), per cycle one
count per step capped at ``COUNT_CAP`` and the first ``FIRST_N`` subjects, read
by the ``subjects`` primary key (cycle, subject) and the reviews and rounds by
their own keys; never every subject of a province.

The inspection committee's, a member's and the counting committee's lists are
in ``services.read_gateway_todo_roles``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain import permissions as p
from domain.accounts import Role
from domain.errors import DomainError
from domain.next_step import NextStep, Step, deadline_of, subject_next_step
from domain.permissions import Read
from projections.directory_reads import branch_org_ids, organisation_name
from projections.ratings.members import roster_member_ids
from projections.ratings.orders import open_orders
from projections.ratings.reviews import review_steps
from projections.ratings.rounds import round_exists
from projections.ratings.subject_lists import (
    at_status_by_keys,
    count_at_status,
    first_at_status,
)
from services.ratings import review_id, round_id
from services.read_gateway_todo_roles import RoleTodoReads
from services.todo_items import COUNT_CAP, FIRST_N, TodoGroup, TodoItem

if TYPE_CHECKING:
    from services.read_gateway import ReadGateway

Row = dict[str, Any]

MAX_CYCLES = 3
"""The newest open cycles in reach whose steps are listed."""
SMALL_BRANCH = 2000
"""A branch with at most this many organisations and members is read by the
subjects' keys; a larger one by status (it is then a large part of its cycle)."""
CHUNK = 500
"""Keys per ``IN (…)`` list."""

# The subject statuses each role's groups list, in order (a status, the roles
# whose dashboard shows it). The next step of each item says who acts.
STATUS_GROUPS: tuple[tuple[str, frozenset[Role]], ...] = (
    ("pending", frozenset({Role.SECRETARY})),
    ("self_rated", frozenset({Role.SECRETARY, Role.DECISION_MAKER})),
    ("proposed", frozenset({Role.DECISION_MAKER})),
    ("cancelled", frozenset({Role.DECISION_MAKER})),
)


class TodoReads:
    """The to-do lists of the gateway's viewer."""

    def __init__(self, gate: ReadGateway) -> None:
        self.gate = gate
        self.views = gate.app.projections
        self._rounds: dict[str, bool] = {}
        self._names: dict[str, str | None] = {}
        self._cycles: list[Row] | None = None
        self.first = FIRST_N
        self._keys: list[str] | None = None
        self._large = False
        self.roles = RoleTodoReads(self)

    # -- the whole list ----------------------------------------------------------
    def groups(self) -> list[TodoGroup]:
        """Every group for the viewer's roles, empty ones left out."""
        viewer = self.gate.viewer
        found: list[TodoGroup] = []
        keeper = p.keeps_office(viewer)
        # the subjects' and a member's lists are kept between requests: one
        # reading of the views' change marks serves them all
        with self.gate.app.kept.once():
            if keeper and viewer.has(Role.SECRETARY, Role.DECISION_MAKER):
                found += self.subject_groups()
                found += self.order_groups()
            if keeper and viewer.has(Role.INSPECTOR):
                found += self.roles.inspector_groups()
            if viewer.member_id is not None:
                found += self.roles.member_groups()
        if viewer.has(Role.COUNTING):
            found += self.roles.counting_groups()
        return [g for g in found if g.count or g.extra]

    # -- cycles and subjects -----------------------------------------------------
    def open_cycles(self) -> list[Row]:
        """The newest open cycles the viewer reads (the cycles table is small:
        one row per organisation and period)."""
        if self._cycles is None:
            # every cycle's row kept; the viewer's scope is applied here, on
            # every request, by the gate's rule
            rows = self.gate.app.kept.get("cycles", None, self.gate.app.ratings.cycles)
            if not self.gate.viewer.is_admin:
                self.gate.load_paths(r["org_id"] for r in rows)
                rows = [r for r in rows if self.gate.sees_cycle(r)]
            rows = [c for c in rows if not c["closed"]]
            rows.sort(key=lambda c: (int(c["year"]), int(c["opened_at"])), reverse=True)
            self._cycles = rows[:MAX_CYCLES]
        return self._cycles

    def _branch_filter(self, cycle: Row) -> UUID | None:
        """The organisation whose branch the subjects are kept in: none when the
        whole cycle is in the viewer's branch (the viewer stands at the cycle's
        organisation or above), else the viewer's organisation (named in the
        ancestor path stored with each subject)."""
        viewer = self.gate.viewer
        if viewer.is_admin or viewer.in_branch(self.gate.path(cycle["org_id"])):
            return None
        return viewer.org_id

    def _branch_keys(self) -> list[str] | None:
        """The subject keys of a small branch (its organisations and the members
        of its chi bộ, by the directory's and the roster's indexes), or None
        when the branch is larger than ``SMALL_BRANCH``: then the subjects are
        found by status instead."""
        root = self.gate.viewer.org_id
        if self._keys is not None or self._large or root is None:
            return self._keys  # no organisation: no branch to list by keys
        orgs = branch_org_ids(self.views, root, SMALL_BRANCH + 1)
        keys = [f"o:{org}" for org in orgs]
        for chunk in _chunks(orgs):
            members = roster_member_ids(self.views, chunk, SMALL_BRANCH + 1)
            keys += [f"m:{member}" for member in members]
            if len(keys) > SMALL_BRANCH:
                break
        if len(keys) > SMALL_BRANCH:
            self._large = True
            return None
        self._keys = sorted(keys)
        return self._keys

    def _status_rows(self, cycle: Row, status: str) -> tuple[list[Row], int]:
        """The first subjects of a status in the viewer's branch, and how many
        (capped): by key for a small branch inside a larger cycle, else by
        status (the whole cycle, or a large part of it)."""
        cycle_id = cycle["cycle_id"]
        under = self._branch_filter(cycle)
        keys = self._branch_keys() if under is not None else None
        if keys is not None:
            found: list[Row] = []
            for chunk in _chunks(keys):
                found += at_status_by_keys(self.views, cycle_id, status, chunk, under)
            found.sort(key=lambda r: str(r["subject_key"]))
            return found[: self.first], len(found)
        first = first_at_status(self.views, cycle_id, status, self.first, under)
        if len(first) < self.first:
            return first, len(first)
        count = count_at_status(self.views, cycle_id, status, COUNT_CAP + 1, under)
        return first, count

    def subject_groups(self) -> list[TodoGroup]:
        """Subjects waiting at each step, by status, in the open cycles."""
        if self.gate.viewer.org_id is None and not self.gate.viewer.is_admin:
            return []
        groups: list[TodoGroup] = []
        for cycle in self.open_cycles():
            for status, roles in STATUS_GROUPS:
                if not self.gate.viewer.has(*roles):
                    continue
                items, count = self._status_items(cycle, status)
                if not count:
                    continue
                groups.append(
                    TodoGroup(
                        code=f"status.{status}",
                        items=list(items),
                        count=min(count, COUNT_CAP),
                        capped=count > COUNT_CAP,
                        cycle_id=cycle["cycle_id"],
                        year=int(cycle["year"]),
                        status=status,
                        extra={"org_name": cycle["org_name"]},
                    )
                )
        return groups

    def _status_items(
        self, cycle: Row, status: str
    ) -> tuple[tuple[TodoItem, ...], int]:
        """The first subjects of a status in the viewer's branch as to-do
        items, and how many: kept while the views they were read from stand
        still. The branch (the scope) is decided here on every request and is
        in the key with everything else the items depend on."""
        under = self._branch_filter(cycle)
        # the cycle's row was read before the marks: what the items take of it
        # is in the key
        deadlines = json.dumps(cycle.get("deadlines"), sort_keys=True, default=str)
        key = (cycle["cycle_id"], cycle["year"], deadlines, status, under, self.first)

        def read() -> tuple[tuple[TodoItem, ...], int]:
            self.fresh()
            rows, count = self._status_rows(cycle, status)
            return tuple(self.subject_item(cycle, s) for s in rows), count

        return self.gate.app.kept.get("todo_status", key, read)

    def fresh(self) -> None:
        """Forget what this request read and kept for itself (the branch's
        keys, rounds, names): a kept computation reads anew all it depends on,
        so it records every view whose change must move it."""
        self._rounds, self._names = {}, {}
        self._keys, self._large = None, False

    def _round_open(self, cycle_id: str, authority: str | None) -> bool:
        if not authority or authority == "outside":
            return False
        rid = str(round_id(UUID(cycle_id), authority))
        if rid not in self._rounds:
            self._rounds[rid] = round_exists(self.views, rid)
        return self._rounds[rid]

    def _reviews(
        self, cycle_id: str, subject: Row, read: list[Row] | None = None
    ) -> dict[str, Row]:
        """The subject's reviews by venue, each read by its own key (or picked
        by that key from ``read``, the subject's reviews read already)."""
        venues = _venues(subject)
        if not venues:
            return {}
        ids = [
            str(review_id(UUID(cycle_id), subject["subject_key"], v)) for v in venues
        ]
        if read is not None:
            wanted = set(ids)
            return {r["venue_id"]: r for r in read if str(r["review_id"]) in wanted}
        return {r["venue_id"]: r for r in review_steps(self.views, ids)}

    def next_step(
        self, cycle_id: str, subject: Row, read: list[Row] | None = None
    ) -> NextStep | None:
        """Who acts next on one subject (the domain's rule, on the read rows)."""
        row = {**subject, "venues": _venues(subject)}
        return subject_next_step(
            row,
            self._reviews(cycle_id, row, read),
            round_open=self._round_open(cycle_id, subject.get("decides")),
        )

    def subject_item(
        self, cycle: Row, subject: Row, read: list[Row] | None = None
    ) -> TodoItem:
        step = self.next_step(cycle["cycle_id"], subject, read)
        deadlines = cycle.get("deadlines") or []
        if isinstance(deadlines, str):
            deadlines = json.loads(deadlines)
        return TodoItem(
            kind="subject",
            name=subject["name"],
            step=step.step.value if step else None,
            role=step.role.value if step else None,
            acting_org=self.org_name(step.org_id) if step else None,
            cycle_id=cycle["cycle_id"],
            subject_key=subject["subject_key"],
            deadline=deadline_of(step.step, subject.get("deadline_level"), deadlines)
            if step
            else None,
            round_id=self._round_of(cycle["cycle_id"], step, subject.get("decides")),
            year=int(cycle["year"]),
        )

    def _round_of(
        self, cycle_id: str, step: NextStep | None, decides: str | None
    ) -> str | None:
        """The competent authority's open round a rating step is taken in (the
        subject's decision page)."""
        if step is None or step.step not in (
            Step.SELF_RATING,
            Step.PROPOSAL,
            Step.DECISION,
            Step.VERIFICATION,
        ):
            return None
        if not decides or not self._round_open(cycle_id, decides):
            return None
        return str(round_id(UUID(cycle_id), decides))

    def org_name(self, org_id: str | None) -> str | None:
        """The name of an organisation (by its key, once per request)."""
        if org_id is None:
            return None
        if org_id not in self._names:
            self._names[org_id] = organisation_name(self.views, org_id)
        return self._names[org_id]

    def subject_step(
        self, cycle_id: UUID, key: str, reviews: list[Row] | None = None
    ) -> TodoItem | None:
        """The next step of one subject the viewer may read (its page says who
        acts next); None when nothing is left to do. ``reviews``: the subject's
        reviews (``gate.reviews``) when its page read them already."""
        cycle = self.gate.cycle_row(cycle_id)
        subject = self.gate.subject_row(cycle_id, key)
        if cycle is None or subject is None:
            return None
        # Its deciding authority's round: as its page read it (``gate.memo``).
        decides = subject.get("decides")
        if decides and decides != "outside":
            rid = round_id(cycle_id, decides)
            if str(rid) not in self._rounds:
                self._rounds[str(rid)] = self.gate.round_row(rid) is not None
        item = self.subject_item(cycle, subject, reviews)
        return item if item.step else None

    # -- re-review orders --------------------------------------------------------
    def order_groups(self) -> list[TodoGroup]:
        """Orders to redo a review or rating (§5.4) not yet carried out."""
        groups: list[TodoGroup] = []
        for cycle in self.open_cycles():
            rows = self._open_orders(cycle["cycle_id"])
            rows = self.gate.keep(
                Read.SUBJECT,
                rows,
                lambda r: r["org_id"] or r["cell_id"],
                lambda r: r["member_id"],
            )
            if not rows:
                continue
            items = [
                TodoItem(
                    kind="order",
                    name=r["subject_name"],
                    cycle_id=cycle["cycle_id"],
                    subject_key=r["subject_key"],
                    ref=str(r["number"]),
                    deadline=r["deadline"],
                    detail=r["scope"],
                )
                for r in rows[: self.first]
            ]
            groups.append(
                TodoGroup(
                    code="orders",
                    items=items,
                    count=min(len(rows), COUNT_CAP),
                    capped=len(rows) > COUNT_CAP,
                    cycle_id=cycle["cycle_id"],
                    year=int(cycle["year"]),
                    extra={"org_name": cycle["org_name"]},
                )
            )
        return groups

    def _open_orders(self, cycle_id: str) -> list[Row]:
        """A cycle's open orders (up to the cap), kept while the views they
        were read from stand still; the scope rule keeps the viewer's after."""
        return self.gate.app.kept.get(
            "todo_orders",
            cycle_id,
            lambda: open_orders(self.views, cycle_id, COUNT_CAP + 1),
        )

    def all_changed(self) -> TodoGroup | None:
        """Every file changed since the inspector's last cosignature."""
        return self.roles.all_changed()

    def all_orders(self) -> list[TodoGroup]:
        """Every open re-review order in the viewer's branch (up to
        ``COUNT_CAP`` per cycle): the full list behind the dashboard's group."""
        if not self.gate.viewer.has(Role.SECRETARY, Role.DECISION_MAKER):
            raise DomainError("auth.forbidden", action="read.todo")
        self.first = COUNT_CAP
        return self.order_groups()


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _venues(subject: Row) -> list[str]:
    venues = subject.get("venues") or []
    if isinstance(venues, str):
        venues = json.loads(venues)
    return [str(v) for v in venues]
