"""The read gateway decides a list by place once per request
(services/read_gateway_memo.py ``PlaceDecisions``, services/read_gateway.py
``sees``/``check``/``keep``) and every answer is still the domain's
``may_read``/``require_read`` on the organisation's own ancestor path: over a
generated tree and the same tree reorganised (a merger and a split), for every
role standing at every level, every kind of read, with and without an owner or
a count, in any order of calls within one request."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid5

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts import Role
from domain.errors import DomainError
from domain.permissions import Read, Viewer, may_read, require_read
from services.read_gateway import ReadGateway

Tree = dict[UUID, tuple[UUID, ...]]
BASE = UUID("7b0c1f4e-0000-4000-8000-000000000000")


def org(name: str) -> UUID:
    return uuid5(BASE, name)


def tree_of(parents: dict[str, str | None]) -> Tree:
    """Every organisation's ancestor path, root first, itself last."""

    def path(name: str) -> tuple[UUID, ...]:
        parent = parents[name]
        return (*(path(parent) if parent else ()), org(name))

    return {org(name): path(name) for name in parents}


def province() -> dict[str, str | None]:
    """A province, two districts, two communes each, two chi bộ each, a
    party group (tổ đảng) in each chi bộ."""
    parents: dict[str, str | None] = {"province": None}
    for d in ("d1", "d2"):
        parents[d] = "province"
        for c in ("c1", "c2"):
            parents[f"{d}{c}"] = d
            for cell in ("x", "y"):
                parents[f"{d}{c}{cell}"] = f"{d}{c}"
                parents[f"{d}{c}{cell}g"] = f"{d}{c}{cell}"
    return parents


def reorganised() -> dict[str, str | None]:
    """District d2 merged into d1 (its communes now under d1; d2 keeps its own
    path, ended), and chi bộ d1c1x split into two new ones beside it."""
    parents = province()
    for name in ("d2c1", "d2c2"):
        parents[name] = "d1"
    parents["d1c1x_a"] = "d1c1"
    parents["d1c1x_b"] = "d1c1"
    parents["d1c1xg"] = "d1c1x_a"  # its party group went to one of them
    return parents


class Directory:
    """The directory's ``org_ancestors`` as the gateway reads it, in SQLite
    (the gateway's own statements: one path, many paths, or many paths cut
    down to the viewer's anchors)."""

    def __init__(self, tree: Tree) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.row_factory = sqlite3.Row
        self.db.execute(
            "CREATE TABLE org_ancestors (org_id TEXT NOT NULL, "
            "ancestor_id TEXT NOT NULL, depth INTEGER NOT NULL, "
            "PRIMARY KEY (org_id, ancestor_id))"
        )
        self.statements = 0
        self.replace(tree)

    def replace(self, tree: Tree) -> None:
        """The tree as a reorganisation left it."""
        self.db.execute("DELETE FROM org_ancestors")
        self.db.executemany(
            "INSERT INTO org_ancestors VALUES (?, ?, ?)",
            [
                (str(o), str(a), len(path) - 1 - i)
                for o, path in tree.items()
                for i, a in enumerate(path)
            ],
        )

    def query(
        self, _view: str, sql: str, params: Sequence[str]
    ) -> list[dict[str, Any]]:
        self.statements += 1
        statement = sql.replace("{org_ancestors}", "org_ancestors")
        return [dict(r) for r in self.db.execute(statement, list(params))]


def gateway(viewer: Viewer, tree: Tree) -> tuple[ReadGateway, Directory]:
    directory = Directory(tree)
    app = SimpleNamespace(
        projections=directory, remediation=None, audit=None, votes=None
    )
    return ReadGateway(app, viewer), directory  # type: ignore[arg-type]


MEMBER = UUID("00000000-0000-4000-8000-00000000000a")
SOMEONE = UUID("00000000-0000-4000-8000-00000000000b")
UNKNOWN = org("never-existed")
LEVELS = ("province", "d1", "d2", "d1c1", "d2c2", "d1c1x", "d2c1y", None)


def viewers(tree: Tree) -> list[Viewer]:
    """Each role at each level (the member in a chi bộ of it or in none), and
    the administrator; an account with roles combined, and one with none."""
    found = [Viewer(frozenset({Role.ADMIN.value}))]
    roles = [
        frozenset({r.value})
        for r in (Role.SECRETARY, Role.DECISION_MAKER, Role.INSPECTOR, Role.COUNTING)
    ] + [frozenset({Role.SECRETARY.value, Role.MEMBER.value}), frozenset()]
    for level in LEVELS:
        at = org(level) if level else None
        for held in roles:
            lineage = frozenset(tree.get(at, ())) if at else frozenset()
            found.append(Viewer(held, at, MEMBER, None, lineage))
    for cell in ("d1c1x", "d2c2y", "d1c1x_a", None):
        at = org(cell) if cell else None
        lineage = frozenset(tree.get(at, ())) if at else frozenset()
        found.append(Viewer(frozenset({Role.MEMBER.value}), None, MEMBER, at, lineage))
    return found


def rows_of(tree: Tree) -> list[dict[str, Any]]:
    """Rows at every organisation (twice, as a list names a place again), at
    an unknown one and at none, owned by the viewer, by someone, by no one."""
    places: list[str | None] = [*map(str, tree), str(UNKNOWN), None, ""]
    return [
        {"place": place, "owner": owner}
        for place in places + places[::3]
        for owner in (None, str(MEMBER), SOMEONE)
    ]


def refusal(call: Callable[..., None], *args: Any, **kwargs: Any) -> str | None:
    try:
        call(*args, **kwargs)
    except DomainError as exc:
        return exc.code
    return None


def path_in(tree: Tree, place: str | None) -> tuple[UUID, ...]:
    return tree.get(UUID(place), ()) if place else ()


def owner_of(row: dict[str, Any]) -> UUID | None:
    return UUID(str(row["owner"])) if row["owner"] else None


def assert_same_decisions(gate: ReadGateway, viewer: Viewer, tree: Tree) -> None:
    rows = rows_of(tree)
    for kind in Read:
        kept = gate.keep(kind, rows, lambda r: r["place"], lambda r: r["owner"])
        expected = [
            r
            for r in rows
            if may_read(viewer, kind, path_in(tree, r["place"]), owner=owner_of(r))
        ]
        assert kept == expected, (viewer, kind)
        for r in rows:
            path = path_in(tree, r["place"])
            for counted in (False, True):
                seen = gate.sees(kind, r["place"], owner=r["owner"], counted=counted)
                rule = may_read(viewer, kind, path, owner=owner_of(r), counted=counted)
                assert seen == rule, (viewer, kind, r, counted)
                got = refusal(
                    gate.check, kind, r["place"], owner=r["owner"], counted=counted
                )
                want = refusal(
                    require_read, viewer, kind, path, owner=owner_of(r), counted=counted
                )
                assert got == want, (viewer, kind, r, counted)


@pytest.mark.parametrize("shape", ["province", "reorganised"])
def test_every_decision_is_the_rules_own_for_every_viewer(shape: str) -> None:
    tree = tree_of(province() if shape == "province" else reorganised())
    for viewer in viewers(tree):
        assert_same_decisions(gateway(viewer, tree)[0], viewer, tree)


def test_after_a_reorganisation_the_same_gateway_decides_on_the_new_tree() -> None:
    """A command sent from the page (``forget``) makes the next reads decide on
    the tree as it now is, not on the answers decided before."""
    before, after = tree_of(province()), tree_of(reorganised())
    for viewer in viewers(after):
        gate, directory = gateway(viewer, before)
        assert_same_decisions(gate, viewer, before)
        directory.replace(after)
        gate.forget()
        assert_same_decisions(gate, viewer, after)


def test_a_list_costs_one_statement_of_paths() -> None:
    tree = tree_of(province())
    viewer = Viewer(frozenset({Role.SECRETARY.value}), org("d1"))
    gate, directory = gateway(viewer, tree)
    rows = rows_of(tree)
    for kind in Read:
        gate.keep(kind, rows, lambda r: r["place"], lambda r: r["owner"])
    assert directory.statements == 1


CALLS = st.tuples(
    st.sampled_from(list(Read)),
    st.sampled_from([*province(), "d1c1x_a", None]),
    st.sampled_from([None, MEMBER, SOMEONE]),
    st.booleans(),
)


@settings(max_examples=100, deadline=None)
@given(
    viewer_at=st.integers(min_value=0, max_value=60),
    reorganise=st.booleans(),
    calls=st.lists(CALLS, min_size=1, max_size=25),
)
def test_any_order_of_reads_in_a_request_gives_the_rules_answers(
    viewer_at: int,
    reorganise: bool,
    calls: list[tuple[Read, str | None, UUID | None, bool]],
) -> None:
    tree = tree_of(reorganised() if reorganise else province())
    every = viewers(tree)
    viewer = every[viewer_at % len(every)]
    gate = gateway(viewer, tree)[0]
    for kind, name, owner, counted in calls:
        place = org(name) if name else None
        path = tree.get(place, ()) if place else ()
        expected = may_read(viewer, kind, path, owner=owner, counted=counted)
        assert gate.sees(kind, place, owner=owner, counted=counted) == expected
