"""A viewer's reach by place (domain/permissions.py ``read_reach``) and a list
narrowed by it once per branch (services/read_gateway_placed.py ``narrowed``,
the cycle page's collectives): never a row the per-row rule refuses, never one
fewer than it grants.

The per-row rule is written out here as it stood before the reach existed
(``rule_as_it_was``), so a reach that grants too much (an ancestor's branch, a
commune beside the viewer's, an inspection committee beyond its committee's
organisation, a member beyond their chi bộ) fails against it even though
``may_read`` itself now asks the reach."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts import Role
from domain.permissions import READ_RULES, Read, Viewer, may_read, read_reach
from services.read_gateway_placed import narrowed, placed_rows
from tests.unit.test_read_gate_decisions import (
    MEMBER,
    SOMEONE,
    UNKNOWN,
    Directory,
    Tree,
    org,
    owner_of,
    path_in,
    province,
    reorganised,
    rows_of,
    tree_of,
    viewers,
)


def rule_as_it_was(
    viewer: Viewer,
    kind: Read,
    path: tuple[UUID, ...],
    owner: UUID | None = None,
) -> bool:
    """``may_read`` before ``read_reach``: the oracle."""
    if viewer.is_admin:
        return True
    rule = READ_RULES[kind]
    if viewer.has(*rule.branch) and viewer.org_id is not None and viewer.org_id in path:
        return True
    if viewer.has(*rule.own) and owner is not None and owner == viewer.member_id:
        return True
    if viewer.has(*rule.cell) and viewer.cell_id is not None and viewer.cell_id in path:
        return True
    readers = rule.branch | rule.cell
    return bool(
        rule.above and path and viewer.has(*readers) and path[-1] in viewer.lineage
    )


def every_viewer(tree: Tree) -> list[Viewer]:
    """``viewers`` of the gate's tests, and an inspection committee and a
    secretary at a commune, a commune's member, a member with no chi bộ."""
    found = viewers(tree)
    for roles, at in (
        ({Role.INSPECTOR}, "d1c1"),
        ({Role.INSPECTOR}, "d2"),
        ({Role.SECRETARY}, "d2c1"),
        ({Role.DECISION_MAKER, Role.MEMBER}, "d1c2"),
    ):
        where = org(at)
        held = frozenset(r.value for r in roles)
        found.append(Viewer(held, where, MEMBER, org(f"{at}x"), frozenset(tree[where])))
    found.append(Viewer(frozenset({Role.MEMBER.value}), None, MEMBER))
    return found


@pytest.mark.parametrize("shape", ["province", "reorganised"])
def test_the_reach_covers_what_the_rule_grants_by_place(shape: str) -> None:
    tree = tree_of(province() if shape == "province" else reorganised())
    paths = [*tree.values(), (), (UNKNOWN,)]
    for viewer in every_viewer(tree):
        for kind in Read:
            reach = read_reach(viewer, kind)
            for path in paths:
                expected = rule_as_it_was(viewer, kind, path)
                assert reach.covers(path) == expected, (viewer, kind, path)
                for owner in (None, MEMBER, SOMEONE):
                    assert may_read(viewer, kind, path, owner=owner) == (
                        rule_as_it_was(viewer, kind, path, owner)
                    ), (viewer, kind, path, owner)


def narrowed_as_the_rule(
    viewer: Viewer, kind: Read, tree: Tree, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    return [
        r
        for r in rows
        if rule_as_it_was(viewer, kind, path_in(tree, r["place"]), owner_of(r))
    ]


@pytest.mark.parametrize("shape", ["province", "reorganised"])
def test_a_list_narrowed_by_reach_is_the_rules_per_row(shape: str) -> None:
    """Every viewer, every kind: a commune's secretary never gets another
    commune's rows, an inspection committee nothing beyond its committee's
    organisation, a member only their chi bộ's and their own."""
    tree = tree_of(province() if shape == "province" else reorganised())
    rows = rows_of(tree)
    placed = placed_rows(Directory(tree), rows, lambda r: r["place"])
    for viewer in every_viewer(tree):
        for kind in Read:
            got = narrowed(viewer, kind, placed, lambda r: r["owner"])
            assert got == narrowed_as_the_rule(viewer, kind, tree, rows), (viewer, kind)
            unowned = [r for r in rows if r["owner"] is None]
            alone = placed_rows(Directory(tree), unowned, lambda r: r["place"])
            assert narrowed(viewer, kind, alone) == narrowed_as_the_rule(
                viewer, kind, tree, unowned
            ), (viewer, kind)


PLACES = [*province(), "d1c1x_a", None]


@settings(max_examples=150, deadline=None)
@given(
    viewer_at=st.integers(min_value=0, max_value=80),
    reorganise=st.booleans(),
    picked=st.lists(
        st.tuples(st.sampled_from(PLACES), st.sampled_from([None, MEMBER, SOMEONE])),
        max_size=30,
    ),
    kind=st.sampled_from(list(Read)),
)
def test_any_list_narrowed_by_reach_is_the_rules_per_row(
    viewer_at: int,
    reorganise: bool,
    picked: list[tuple[str | None, UUID | None]],
    kind: Read,
) -> None:
    tree = tree_of(reorganised() if reorganise else province())
    every = every_viewer(tree)
    viewer = every[viewer_at % len(every)]
    rows = [
        {"place": str(org(name)) if name else None, "owner": owner}
        for name, owner in picked
    ]
    placed = placed_rows(Directory(tree), rows, lambda r: r["place"])
    got = narrowed(viewer, kind, placed, lambda r: r["owner"])
    assert got == narrowed_as_the_rule(viewer, kind, tree, rows)
