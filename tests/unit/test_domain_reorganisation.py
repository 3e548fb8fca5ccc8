"""Given / when / then on the reorganisation of the tree (sắp xếp, tổ chức lại):
each change names its decision, the tree stays a tree, ended organisations do
not act (no I/O)."""

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.organisations import Organisation
from domain.reorganisation import MAX_DAYS_AHEAD, Decision, tree_is_a_tree
from tests.unit.refusals import refused

ACTOR = "u:00000000-0000-0000-0000-000000000001"
TODAY = date(2025, 7, 1)
DECISION = Decision.checked("1234-QĐ/TU", TODAY, today=TODAY)


def org(kind, parent=None, name="Tổ chức"):
    facts = parent.facts() if parent is not None else None
    return Organisation.found(
        org_id=uuid4(), code="x", name=name, kind=kind, parent=facts, founded_by=ACTOR
    )


def path(o, orgs):
    """Root first, ``o`` last, by the aggregates' parents."""
    chain = []
    current = o
    while current is not None:
        chain.append(current.id)
        current = orgs.get(current.parent_id)
    return tuple(reversed(chain))


@pytest.fixture
def tree():
    province = org("provincial_committee", name="Tỉnh ủy")
    district = org("district_committee", province, "Huyện ủy")
    commune_a = org("grassroots_committee", district, "Đảng ủy xã A")
    commune_b = org("grassroots_committee", district, "Đảng ủy xã B")
    cell = org("cell", commune_a, "Chi bộ thôn 1")
    orgs = {o.id: o for o in (province, district, commune_a, commune_b, cell)}
    return orgs, province, district, commune_a, commune_b, cell


# -- the decision --------------------------------------------------------------------
@pytest.mark.parametrize("number", ["", "   "])
def test_a_change_needs_a_decision_number(number):
    with refused("org.decision_required"):
        Decision.checked(number, TODAY, today=TODAY)


def test_an_effective_date_far_ahead_is_refused():
    Decision.checked("1-QĐ", TODAY + timedelta(days=MAX_DAYS_AHEAD), today=TODAY)
    with refused("org.effective_too_far"):
        too_far = TODAY + timedelta(days=MAX_DAYS_AHEAD + 1)
        Decision.checked("1-QĐ", too_far, today=TODAY)


def test_the_decision_number_is_normalised():
    d = Decision.checked("  12 -QĐ/TU ", TODAY, today=TODAY)
    assert d.number == "12 -QĐ/TU"


# -- rename, move, kind ----------------------------------------------------------------
def test_rename_by_decision_records_it(tree):
    _, _, _, commune_a, _, _ = tree
    commune_a.collect_events()
    commune_a.rename("Đảng ủy xã Mới", renamed_by=ACTOR, decision=DECISION)
    (event,) = commune_a.collect_events()
    assert (event.decision_no, event.effective_on) == ("1234-QĐ/TU", TODAY)
    assert commune_a.name == "Đảng ủy xã Mới"


def test_a_correction_of_the_name_needs_no_decision(tree):
    _, _, _, commune_a, _, _ = tree
    commune_a.collect_events()
    commune_a.rename("Đảng ủy xã A'", renamed_by=ACTOR)
    (event,) = commune_a.collect_events()
    assert event.decision_no is None


def test_the_old_renamed_event_is_upcast():
    state = {"name": "X", "renamed_by": ACTOR}
    Organisation.Renamed.upcast_v1_v2(state)
    assert state["decision_no"] is None
    assert state["effective_on"] is None
    assert Organisation.Renamed.class_version == 2
    assert Organisation.Dissolved.class_version == 2


def test_a_commune_moves_directly_under_the_province(tree):
    orgs, province, district, commune_a, _, _ = tree
    commune_a.collect_events()
    commune_a.move_under(
        province.facts(),
        parent_path=path(province, orgs),
        decision=DECISION,
        moved_by=ACTOR,
    )
    (event,) = commune_a.collect_events()
    assert type(event).__name__ == "MovedUnder"
    assert (event.parent_id, event.previous_parent_id) == (province.id, district.id)
    assert commune_a.parent_id == province.id


def test_moving_under_its_own_descendant_is_refused(tree):
    orgs, _, district, _, _, cell = tree
    # A district under a chi bộ is refused for its kind; the cycle check comes first.
    with refused("org.move_cycle"):
        district.move_under(
            cell.facts(),
            parent_path=path(cell, orgs),
            decision=DECISION,
            moved_by=ACTOR,
        )


def test_moving_under_a_kind_that_may_not_hold_it_is_refused(tree):
    orgs, _, _, commune_a, commune_b, _ = tree
    with refused("org.parent_not_allowed"):
        commune_a.move_under(
            commune_b.facts(),
            parent_path=path(commune_b, orgs),
            decision=DECISION,
            moved_by=ACTOR,
        )


def test_moving_to_the_same_parent_is_refused(tree):
    orgs, _, district, commune_a, _, _ = tree
    with refused("org.parent_unchanged"):
        commune_a.move_under(
            district.facts(),
            parent_path=path(district, orgs),
            decision=DECISION,
            moved_by=ACTOR,
        )


def test_a_partial_committee_becomes_grassroots_under_the_province(tree):
    orgs, province, _, commune_a, _, _ = tree
    partial = org("partial_committee", commune_a, "Đảng ủy bộ phận")
    partial.collect_events()
    partial.change_kind(
        "grassroots_committee",
        parent=province.facts(),
        parent_path=path(province, orgs),
        child_kinds={"cell"},
        decision=DECISION,
        changed_by=ACTOR,
    )
    kinds = [type(e).__name__ for e in partial.collect_events()]
    assert kinds == ["KindChanged", "MovedUnder"]
    assert partial.kind.value == "grassroots_committee"
    assert partial.parent_id == province.id


def test_a_kind_that_cannot_hold_the_children_is_refused(tree):
    orgs, _, district, commune_a, _, _ = tree
    with refused("org.child_kind_not_allowed"):
        commune_a.change_kind(
            "cell",
            parent=district.facts(),
            parent_path=path(district, orgs),
            child_kinds={"cell"},
            decision=DECISION,
            changed_by=ACTOR,
        )


def test_changes_take_effect_in_order(tree):
    _, _, _, commune_a, _, _ = tree
    commune_a.rename("Tên 1", renamed_by=ACTOR, decision=DECISION)
    earlier = Decision.checked("2-QĐ", TODAY - timedelta(days=1), today=TODAY)
    with refused("org.effective_before_last_change"):
        commune_a.rename("Tên 2", renamed_by=ACTOR, decision=earlier)


# -- merge and split ----
def test_two_communes_merge_into_a_new_one(tree):
    orgs, province, _, commune_a, commune_b, _ = tree
    new = org("grassroots_committee", province, "Đảng ủy xã AB")
    new.absorb(
        [commune_a.facts(), commune_b.facts()],
        how="merge",
        decision=DECISION,
        absorbed_by=ACTOR,
    )
    for old in (commune_a, commune_b):
        old.merge_into(
            new.facts(),
            successor_path=path(new, orgs),
            decision=DECISION,
            merged_by=ACTOR,
        )
        assert old.dissolved
        assert old.ended_how == "merged"
        assert old.successor_ids == (str(new.id),)
    assert new.predecessor_ids == (str(commune_a.id), str(commune_b.id))


def test_a_merged_organisation_no_longer_acts(tree):
    orgs, _, _, commune_a, commune_b, _ = tree
    commune_a.merge_into(
        commune_b.facts(),
        successor_path=path(commune_b, orgs),
        decision=DECISION,
        merged_by=ACTOR,
    )
    with refused("org.dissolved"):
        commune_a.rename("Khác", renamed_by=ACTOR, decision=DECISION)
    with refused("org.predecessor_dissolved"):
        commune_b.absorb(
            [commune_a.facts()], how="merge", decision=DECISION, absorbed_by=ACTOR
        )


def test_merging_into_its_own_descendant_is_refused(tree):
    orgs, _, _, commune_a, _, _ = tree
    partial = org("partial_committee", commune_a, "Đảng ủy bộ phận")
    orgs[partial.id] = partial
    with refused("org.merge_into_descendant"):
        commune_a.merge_into(
            partial.facts(),
            successor_path=path(partial, orgs),
            decision=DECISION,
            merged_by=ACTOR,
        )


def test_merging_a_cell_into_a_committee_is_refused(tree):
    orgs, _, _, _, commune_b, cell = tree
    with refused("org.merge_kind_mismatch"):
        cell.merge_into(
            commune_b.facts(),
            successor_path=path(commune_b, orgs),
            decision=DECISION,
            merged_by=ACTOR,
        )


def test_merging_into_itself_or_an_ended_one_is_refused(tree):
    orgs, _, _, commune_a, commune_b, _ = tree
    with refused("org.merge_into_self"):
        commune_a.merge_into(
            commune_a.facts(),
            successor_path=path(commune_a, orgs),
            decision=DECISION,
            merged_by=ACTOR,
        )
    commune_b.dissolve(reason="Giải thể", dissolved_by=ACTOR, decision=DECISION)
    with refused("org.successor_dissolved"):
        commune_a.merge_into(
            commune_b.facts(),
            successor_path=path(commune_b, orgs),
            decision=DECISION,
            merged_by=ACTOR,
        )


def test_a_split_needs_two_distinct_successors(tree):
    _, _, _, commune_a, _, cell = tree
    one = org("cell", commune_a, "Chi bộ 1")
    with refused("org.split_needs_two"):
        cell.split_into(
            [one.facts(), one.facts()],
            successor_paths=[(), ()],
            decision=DECISION,
            split_by=ACTOR,
        )
    two = org("cell", commune_a, "Chi bộ 2")
    cell.split_into(
        [one.facts(), two.facts()],
        successor_paths=[(), ()],
        decision=DECISION,
        split_by=ACTOR,
    )
    assert cell.ended_how == "split"
    assert cell.successor_ids == (str(one.id), str(two.id))


# -- the tree stays a tree ----
@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=12),
    moves=st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=20
    ),
)
def test_moves_keep_the_tree_a_tree(shape, moves):
    """Random committees under one province and random moves: an accepted move
    never makes a cycle, and a refused one changes nothing."""
    province = org("provincial_committee")
    orgs: dict[UUID, Organisation] = {province.id: province}
    nodes = [province]
    for pick in shape:
        parent = nodes[pick % len(nodes)]
        kind = "district_committee" if parent is province else "grassroots_committee"
        if parent.kind.value == "grassroots_committee":
            kind = "partial_committee"
        if parent.kind.value == "partial_committee":
            continue
        node = org(kind, parent)
        orgs[node.id] = node
        nodes.append(node)
    for who, where in moves:
        mover, target = nodes[who % len(nodes)], nodes[where % len(nodes)]
        before = {o.id: o.parent_id for o in nodes}
        try:
            mover.move_under(
                target.facts(),
                parent_path=path(target, orgs),
                decision=DECISION,
                moved_by=ACTOR,
            )
        except DomainError:
            assert {o.id: o.parent_id for o in nodes} == before
        else:
            assert mover.parent_id == target.id
        assert tree_is_a_tree({o.id: o.parent_id for o in nodes})


def _path(parents, node):
    chain = []
    while node is not None:
        chain.append(node)
        node = parents[node]
    return tuple(reversed(chain))


@settings(max_examples=100, deadline=None)
@given(
    size=st.integers(min_value=2, max_value=15),
    moves=st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=30),
)
def test_the_cycle_guard_alone_keeps_any_tree_a_tree(size, moves):
    """The kind rules already order the kinds; the cycle guard must hold without
    them (any parent map): a move the guard lets through never makes a cycle."""
    from domain.reorganisation import check_not_below

    ids = [uuid4() for _ in range(size)]
    parents: dict[UUID, UUID | None] = {ids[0]: None}
    for i, node in enumerate(ids[1:], start=1):
        parents[node] = ids[(i * 7919) % i]
    for who, where in moves:
        mover, target = ids[who % size], ids[where % size]
        try:
            check_not_below(mover, _path(parents, target), "org.move_cycle")
        except DomainError:
            assert mover in _path(parents, target)
            continue
        parents[mover] = target
        assert tree_is_a_tree(parents)


def test_a_members_chi_bo_on_a_day():
    """``cell_on``: the last stretch in effect by the day (issue 12, reports on
    a day's tree place a split chi bộ's member by it); none before enrolment."""
    from datetime import date
    from uuid import uuid4

    from domain.reorganisation import cell_on

    a, b = uuid4(), uuid4()
    cells = [(str(a), ""), (str(b), "2025-07-01")]
    assert cell_on(cells, date(2025, 6, 30)) == a
    assert cell_on(cells, date(2025, 7, 1)) == b
    assert cell_on([(str(a), "2025-03-01")], date(2025, 1, 1)) is None
