"""The read gateway's viewer (services/read_gateway.py): where an account stands
in the tree, and what an account without an organisation reads."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DomainError
from services import commands as c
from services import rating_commands as rc
from services.read_gateway import ReadGateway
from services.read_viewer import viewer_for
from tests.conftest import ACCOUNTS

PASSWORD = "mat-khau-thu-nghiem"


def _open(kiemdiem, username: str, role: str, org=None):
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    return kiemdiem.handle(
        c.OpenAccount(admin.actor, username, username, (role,), PASSWORD, org_id=org),
        admin.signer,
    )


def test_a_seeded_secretary_stands_in_the_district(kiemdiem, world):
    viewer = viewer_for(kiemdiem, world.accounts["secretary"])
    assert viewer.org_id == world.orgs["district"]
    assert {world.orgs["province"], world.orgs["district"]} <= viewer.lineage
    member = viewer_for(kiemdiem, world.accounts["member"])
    assert member.member_id == world.member_id
    assert member.cell_id == world.orgs["cell_a"]


def test_a_leadership_collective_works_for_its_committee(kiemdiem, world):
    account = _open(kiemdiem, "btv-thu-ky", "secretary", world.orgs["collective"])
    assert viewer_for(kiemdiem, account).org_id == world.orgs["district"]


def test_no_organisation_reads_no_branch(kiemdiem, world):
    sec = kiemdiem.authenticate("thuky", ACCOUNTS["secretary"][2])
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2024, reference_date=date(2024, 12, 1)
        ),
        sec.signer,
    )
    loose = _open(kiemdiem, "thu-ky-lac", "secretary")
    gate = ReadGateway.for_account(kiemdiem, loose)
    assert gate.members() == []
    assert gate.cycles() == []
    with pytest.raises(DomainError) as refused:
        gate.cycle_row(cycle)
    assert refused.value.code == "auth.out_of_scope"
    with pytest.raises(DomainError):
        gate.report(world.orgs["district"], 2024)
    # the same role in the district reads it
    seated = ReadGateway.for_account(kiemdiem, world.accounts["secretary"])
    assert seated.cycle_row(cycle) is not None
    assert [m.member_id for m in seated.members()] == [world.member_id]


def test_a_disabled_or_unknown_account_sees_nothing(kiemdiem, world):
    import uuid

    gate = ReadGateway.for_account(kiemdiem, uuid.uuid4())
    assert gate.viewer.roles == frozenset()
    assert gate.organisations() == []
