"""Given / when / then on the organisation tree aggregate (no I/O)."""

from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.organisations import (
    ALLOWED_PARENTS,
    Organisation,
    OrganisationKind,
    ParentFacts,
)
from tests.unit.refusals import refused

ACTOR = "u:00000000-0000-0000-0000-000000000001"


def found(kind="provincial_committee", parent=None, code="tinh", name="Tỉnh ủy A"):
    return Organisation.found(
        org_id=uuid4(), code=code, name=name, kind=kind, parent=parent, founded_by=ACTOR
    )


def test_founding_records_one_event_with_the_normalised_name():
    org = found(name="  Tỉnh   ủy\u0020A ")
    (event,) = org.collect_events()
    assert type(event).__name__ == "Founded"
    assert org.name == "Tỉnh ủy A"
    assert event.founded_by == ACTOR


def test_name_is_stored_in_nfc():
    decomposed = "Ti\u0309nh u\u0309y"  # "Tỉnh ủy" typed with combining marks
    assert found(name=decomposed).name == "Tỉnh ủy"


@given(
    kind=st.sampled_from(list(OrganisationKind)),
    parent_kind=st.sampled_from([None, *OrganisationKind]),
)
def test_parent_rule_matches_the_table(kind, parent_kind):
    parent = None if parent_kind is None else ParentFacts(uuid4(), parent_kind)
    if parent_kind in ALLOWED_PARENTS[kind]:
        assert found(kind=kind.value, parent=parent).kind is kind
    else:
        with pytest.raises(DomainError) as info:
            found(kind=kind.value, parent=parent)
        assert info.value.code == "org.parent_not_allowed"


def test_a_cell_cannot_hang_under_a_cell():
    cell = ParentFacts(uuid4(), OrganisationKind.CELL)
    with refused("org.parent_not_allowed"):
        found(kind="cell", parent=cell)


def test_unknown_kind_is_refused():
    with refused("org.kind_unknown"):
        found(kind="ban_chap_hanh_gia")


@pytest.mark.parametrize("code", ["", "Có dấu", "a b", "x" * 65])
def test_bad_codes_are_refused(code):
    with refused("org.code_invalid"):
        found(code=code)


def test_empty_name_is_refused():
    with refused("org.name_required"):
        found(name="   ")


def test_no_child_under_a_dissolved_parent():
    parent = ParentFacts(uuid4(), OrganisationKind.PROVINCIAL_COMMITTEE, dissolved=True)
    with refused("org.parent_dissolved"):
        found(kind="district_committee", parent=parent)


def test_rename_then_dissolve_then_nothing_more():
    org = found()
    org.rename("Tỉnh ủy B", renamed_by=ACTOR)
    org.dissolve(reason="Sáp nhập tỉnh", dissolved_by=ACTOR)
    assert [type(e).__name__ for e in org.collect_events()] == [
        "Founded",
        "Renamed",
        "Dissolved",
    ]
    with refused("org.dissolved"):
        org.rename("Tỉnh ủy C", renamed_by=ACTOR)


def test_rename_to_the_same_name_is_refused():
    with refused("org.name_unchanged"):
        found().rename("Tỉnh ủy A", renamed_by=ACTOR)


def test_dissolving_needs_a_reason():
    with refused("org.reason_required"):
        found().dissolve(reason=" ", dissolved_by=ACTOR)
