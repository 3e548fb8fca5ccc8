"""Members and accounts aggregates (no I/O)."""

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.accounts import UserAccount, check_password_policy
from domain.errors import DomainError
from domain.members import MemberFacts, MembershipStatus, PartyMember
from domain.organisations import OrganisationKind, ParentFacts
from domain.permissions import PERMISSIONS, may, require
from tests.unit.refusals import refused

ACTOR = "u:00000000-0000-0000-0000-000000000001"


CELL = ParentFacts(uuid4(), OrganisationKind.CELL)
TODAY = date(2025, 12, 1)


def facts(**changes):
    values: dict[str, Any] = dict(
        full_name="Nguyễn Văn An",
        party_card_no="DV00100001",
        birth_date=date(1980, 5, 1),
        admission_date=date(2005, 3, 2),
        status=MembershipStatus.FULL,
    )
    values.update(changes)
    return MemberFacts(**values)


def enrol(member_facts=None, cell=CELL):
    return PartyMember.enrol(
        member_id=uuid4(),
        facts=member_facts or facts(),
        cell=cell,
        today=TODAY,
        enrolled_by=ACTOR,
    )


def test_enrolment_in_a_cell():
    member = enrol()
    assert member.cell_id == CELL.org_id
    assert [type(e).__name__ for e in member.collect_events()] == ["Enrolled"]


def test_members_belong_to_a_chi_bo_not_a_committee():
    committee = ParentFacts(uuid4(), OrganisationKind.DISTRICT_COMMITTEE)
    with refused("member.not_a_cell"):
        enrol(cell=committee)


def test_admission_cannot_be_in_the_future():
    with refused("member.admission_in_future"):
        enrol(facts(admission_date=date(2026, 1, 1)))


def test_birth_must_precede_admission():
    with refused("member.birth_after_admission"):
        enrol(facts(birth_date=date(2006, 1, 1)))


def test_transfer_to_the_same_cell_is_refused_and_to_another_recorded():
    member = enrol()
    with refused("member.same_cell"):
        member.transfer(cell=CELL, transferred_by=ACTOR)
    other = ParentFacts(uuid4(), OrganisationKind.CELL)
    member.transfer(cell=other, transferred_by=ACTOR)
    assert member.cell_id == other.org_id


def test_full_membership_once_and_not_before_admission():
    member = enrol(facts(status=MembershipStatus.PROBATIONARY))
    with refused("member.confirmation_before_admission"):
        member.confirm_full_membership(on=date(2004, 1, 1), confirmed_by=ACTOR)
    member.confirm_full_membership(on=date(2006, 3, 2), confirmed_by=ACTOR)
    with refused("member.already_full"):
        member.confirm_full_membership(on=date(2006, 3, 3), confirmed_by=ACTOR)


def open_account(**changes):
    values: dict[str, Any] = dict(
        account_id=uuid4(),
        username="thuky",
        full_name="Thư ký",
        roles=["secretary"],
        org_id=None,
        member_id=None,
        opened_by=ACTOR,
    )
    values.update(changes)
    return UserAccount.open(**values)


@pytest.mark.parametrize("username", ["ab", "Thuky", "thư ký", "1abc", "a" * 33])
def test_usernames_are_plain_lowercase(username):
    with refused("account.username_invalid"):
        open_account(username=username)


def test_roles_must_be_known_and_present():
    with refused("account.role_unknown"):
        open_account(roles=["superuser"])
    with refused("account.role_required"):
        open_account(roles=[])


def test_an_admin_cannot_lock_themselves_out():
    account = open_account(roles=["admin"])
    with refused("account.cannot_drop_own_admin"):
        account.change_roles(["secretary"], changed_by=account.actor)
    with refused("account.cannot_disable_self"):
        account.disable(reason="nghỉ hưu", disabled_by=account.actor)


def test_disable_needs_a_reason_and_happens_once():
    account = open_account()
    with refused("account.reason_required"):
        account.disable(reason="", disabled_by=ACTOR)
    account.disable(reason="Chuyển công tác", disabled_by=ACTOR)
    with refused("account.already_disabled"):
        account.disable(reason="again", disabled_by=ACTOR)


@pytest.mark.parametrize("password", ["short", " padded-password ", "          "])
def test_password_policy(password):
    with pytest.raises(DomainError):
        check_password_policy(password)


def test_permissions_table():
    assert may(["admin"], "organisation.found")
    assert not may(["secretary"], "organisation.found")
    assert may(["secretary"], "member.enrol")
    with refused("auth.forbidden"):
        require(["member"], "account.open")
    assert all(PERMISSIONS.values())
