"""Scope along the organisation tree (domain/permissions.py): who reads and acts
where. Pure: a target is named by its ancestor path."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import Role
from domain.errors import DomainError
from domain.permissions import (
    COMMAND_REACH,
    KEEPERS,
    PERMISSIONS,
    READ_RULES,
    Read,
    Viewer,
    branch_root,
    may_act,
    may_read,
    require_act,
    require_read,
)

PROVINCE, DISTRICT, CELL_A, CELL_B, OTHER, OTHER_CELL = (uuid4() for _ in range(6))
PATHS = {
    "province": (PROVINCE,),
    "district": (PROVINCE, DISTRICT),
    "cell_a": (PROVINCE, DISTRICT, CELL_A),
    "cell_b": (PROVINCE, DISTRICT, CELL_B),
    "other": (PROVINCE, OTHER),
    "other_cell": (PROVINCE, OTHER, OTHER_CELL),
}
MEMBER, OTHER_MEMBER = uuid4(), uuid4()


def viewer(*roles: Role, org: UUID | None = DISTRICT, **kw) -> Viewer:
    lineage = frozenset(PATHS["district"]) if org == DISTRICT else frozenset()
    return Viewer(frozenset(r.value for r in roles), org, lineage=lineage, **kw)


def code(call) -> str | None:
    try:
        call()
    except DomainError as exc:
        return exc.code
    return None


def test_every_action_and_every_read_has_a_reach():
    assert set(COMMAND_REACH) == set(PERMISSIONS)
    assert set(READ_RULES) == set(Read)


@pytest.mark.parametrize("role", sorted(KEEPERS))
@pytest.mark.parametrize(
    "kind", [Read.MEMBER_FILE, Read.STATISTICS, Read.SUBJECT, Read.REPORT]
)
def test_keepers_read_their_branch_and_nothing_beside_it(role, kind):
    me = viewer(role)
    for place in ("district", "cell_a", "cell_b"):
        assert may_read(me, kind, PATHS[place])
    for place in ("province", "other", "other_cell"):
        assert not may_read(me, kind, PATHS[place])
        assert code(lambda p=place: require_read(me, kind, PATHS[p])) == (
            "auth.out_of_scope"
        )


def test_a_cell_secretary_reads_only_their_cell():
    me = viewer(Role.SECRETARY, org=CELL_A)
    assert may_read(me, Read.SUBJECT, PATHS["cell_a"])
    assert not may_read(me, Read.SUBJECT, PATHS["cell_b"])
    assert not may_read(me, Read.SUBJECT, PATHS["district"])


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_no_organisation_no_scoped_right(role):
    me = viewer(role, org=None)
    for kind in (Read.MEMBER_LIST, Read.CYCLE, Read.SUBJECT, Read.REPORT):
        for path in PATHS.values():
            assert not may_read(me, kind, path)
    for action in ("member.enrol", "review.record", "rating.decide", "cycle.open"):
        assert not may_act(me, action, PATHS["cell_a"])


def test_the_administrator_reads_everything_even_without_organisation():
    me = viewer(Role.ADMIN, org=None)
    assert all(may_read(me, kind, PATHS["other_cell"]) for kind in Read)


def test_a_member_reads_their_own_file_and_their_cells_public_lists():
    me = viewer(Role.MEMBER, member_id=MEMBER, cell_id=CELL_A)
    path = PATHS["cell_a"]
    assert may_read(me, Read.MEMBER_FILE, path, owner=MEMBER)
    assert may_read(me, Read.MEMBER_PERSONAL, path, owner=MEMBER)
    assert may_read(me, Read.SUBJECT, path, owner=MEMBER)
    assert not may_read(me, Read.MEMBER_FILE, path, owner=OTHER_MEMBER)
    assert not may_read(me, Read.MEMBER_PERSONAL, path, owner=OTHER_MEMBER)
    assert not may_read(me, Read.SUBJECT, path, owner=OTHER_MEMBER)
    assert may_read(me, Read.MEMBER_LIST, path)
    assert not may_read(me, Read.MEMBER_LIST, PATHS["cell_b"])
    # the account's organisation gives a member no branch
    assert not may_read(me, Read.CYCLE, PATHS["district"])
    assert not may_read(me, Read.REPORT, PATHS["cell_a"])
    assert code(lambda: require_read(me, Read.REPORT, path)) == "auth.forbidden"


def test_the_tree_above_the_branch_is_named_but_not_beside_it():
    me = viewer(Role.SECRETARY)
    assert may_read(me, Read.ORGANISATION, PATHS["province"])
    assert may_read(me, Read.ORGANISATION, PATHS["cell_b"])
    assert not may_read(me, Read.ORGANISATION, PATHS["other"])
    # a cycle of the province covers the district; its statistics do not
    assert may_read(me, Read.CYCLE, PATHS["province"])
    assert not may_read(me, Read.CYCLE, PATHS["other"])
    assert not may_read(me, Read.STATISTICS, PATHS["province"])
    assert may_read(me, Read.STATISTICS, PATHS["cell_a"])


def test_the_counting_committee_reads_the_votes_it_counts():
    me = viewer(Role.COUNTING, org=None)
    assert may_read(me, Read.VOTE, PATHS["other"], counted=True)
    assert not may_read(me, Read.VOTE, PATHS["other"])
    assert may_act(me, "vote.count", PATHS["other"], counted=True)
    assert not may_act(me, "vote.count", PATHS["other"])


def test_commands_check_role_then_reach():
    secretary = viewer(Role.SECRETARY)
    assert may_act(secretary, "member.enrol", PATHS["cell_a"])
    assert code(
        lambda: require_act(secretary, "member.enrol", PATHS["other_cell"])
    ) == ("auth.out_of_scope")
    assert code(lambda: require_act(secretary, "rating.decide", PATHS["cell_a"])) == (
        "auth.forbidden"
    )
    member = viewer(Role.MEMBER, member_id=MEMBER)
    assert may_act(member, "rating.self_rate", PATHS["other_cell"], owner=MEMBER)
    assert not may_act(member, "rating.self_rate", PATHS["cell_a"], owner=OTHER_MEMBER)
    admin = viewer(Role.ADMIN, org=None)
    assert may_act(admin, "organisation.found")


def test_a_leadership_collective_works_for_its_committee():
    assert branch_root(CELL_A, "leadership_collective", DISTRICT) == DISTRICT
    assert branch_root(CELL_A, "cell", DISTRICT) == CELL_A


# -- the path membership equals the tree walk, for any tree --------------------------
@st.composite
def trees(draw):
    """A random forest: node i's parent is one of the nodes before it, or none."""
    size = draw(st.integers(1, 25))
    parents: list[int | None] = []
    for i in range(size):
        parents.append(draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None)
    return parents


def walk_path(parents: list[int | None], node: int) -> list[int]:
    chain: list[int] = []
    current: int | None = node
    while current is not None:
        chain.append(current)
        current = parents[current]
    return chain[::-1]


@given(trees(), st.data())
def test_branch_membership_matches_a_walk_up_the_tree(parents, data):
    ids = [uuid4() for _ in parents]
    me_at = data.draw(st.integers(0, len(parents) - 1))
    target = data.draw(st.integers(0, len(parents) - 1))
    path = [ids[i] for i in walk_path(parents, target)]
    me = Viewer(frozenset({"secretary"}), ids[me_at])
    below = me_at in walk_path(parents, target)
    assert may_read(me, Read.SUBJECT, path) == below
    assert may_act(me, "review.record", path) == below


def test_an_ended_office_is_offered_only_what_it_may_still_do():
    """``may_offer`` (issue 12): an account whose organisation ended is not
    offered a keeper's acts in its branch; reads, tree-wide acts and a member's
    own acts stay; an office that lasts is offered what its role may."""
    from uuid import uuid4

    from domain.permissions import Viewer, keeps_office, may_offer

    ended = Viewer(
        frozenset({"secretary", "member"}), org_id=uuid4(), office_ended=True
    )
    assert not may_offer(ended, "member.enrol")
    assert not may_offer(ended, "cycle.open")
    assert may_offer(ended, "report.read")
    assert may_offer(ended, "remediation.report")  # their own file's progress
    assert not keeps_office(ended)
    lasting = Viewer(frozenset({"secretary"}), org_id=uuid4())
    assert may_offer(lasting, "member.enrol")
    assert keeps_office(lasting)
    assert not may_offer(lasting, "account.open")  # the role never may
