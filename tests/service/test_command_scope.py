"""Scope at the gate for writes (issue 10 §2, issue 11): a secretary acts on
their own organisation and below, never on another district's; enrolment checks
the target cell, a transfer both cells; an account with no organisation has no
scoped right; the administrator keeps everything.

Given a province with two districts (each with a commune and cells, a member in
each), a command → the events it stored, or the refusal with the store
unchanged."""

from datetime import date

import pytest

from services import commands as c
from services import rating_commands as rc

DISTRICTS = ("dong", "tay")
PASSWORD = "mat-khau-pham-vi"


@pytest.fixture
def world(services, admin):
    def run(command):
        return services.handle(command, admin.signer)

    w = {}
    province = run(
        c.FoundOrganisation(
            admin.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
        )
    )
    w["province"] = province
    for n, name in enumerate(DISTRICTS):
        district = run(
            c.FoundOrganisation(
                admin.actor,
                f"huyen-{name}",
                f"Huyện ủy {name}",
                "district_committee",
                province,
            )
        )
        commune = run(
            c.FoundOrganisation(
                admin.actor,
                f"xa-{name}",
                f"Đảng ủy xã {name}",
                "grassroots_committee",
                district,
            )
        )
        cells = [
            run(
                c.FoundOrganisation(
                    admin.actor, f"cb-{name}-{k}", f"Chi bộ {name} {k}", "cell", commune
                )
            )
            for k in (1, 2)
        ]
        member = run(
            c.EnrolMember(
                admin.actor,
                f"Đảng viên {name}",
                f"DV{n:04d}",
                date(1980, 1, 1),
                date(2010, 1, 1),
                "full",
                cells[0],
            )
        )
        run(
            c.OpenAccount(
                admin.actor,
                f"thuky-{name}",
                f"Thư ký {name}",
                ("secretary",),
                PASSWORD,
                org_id=district,
            )
        )
        w[name] = {
            "district": district,
            "commune": commune,
            "cells": cells,
            "member": member,
            "secretary": services.authenticate(f"thuky-{name}", PASSWORD),
        }
    run(c.OpenAccount(admin.actor, "thuky-khong", "Không", ("secretary",), PASSWORD))
    w["no_org"] = services.authenticate("thuky-khong", PASSWORD)
    return w


def sign(services, session, command_type, *args):
    return lambda: services.handle(command_type(session.actor, *args), session.signer)


def enrol(cell, card):
    return (
        "Người mới",
        card,
        date(1985, 2, 3),
        date(2015, 2, 3),
        "full",
        cell,
    )


@pytest.mark.parametrize(("mine", "theirs"), [DISTRICTS, DISTRICTS[::-1]])
def test_enrolment_is_in_scope_of_the_target_cell(
    services, world, refused, new_events, mine, theirs
):
    sec = world[mine]["secretary"]
    refused(
        "auth.out_of_scope",
        sign(services, sec, c.EnrolMember, *enrol(world[theirs]["cells"][0], "DV9001")),
        action="member.enrol",
    )
    assert new_events(
        sign(services, sec, c.EnrolMember, *enrol(world[mine]["cells"][1], "DV9001"))
    ) == ["PartyMember.Enrolled"]


@pytest.mark.parametrize(("mine", "theirs"), [DISTRICTS, DISTRICTS[::-1]])
def test_a_transfer_is_in_scope_of_both_cells(
    services, world, refused, new_events, mine, theirs
):
    sec = world[mine]["secretary"]
    own, other = world[mine], world[theirs]
    # Out: my member into their cell.
    refused(
        "auth.out_of_scope",
        sign(services, sec, c.TransferMember, own["member"], other["cells"][0]),
    )
    # In: their member into my cell.
    refused(
        "auth.out_of_scope",
        sign(services, sec, c.TransferMember, other["member"], own["cells"][1]),
    )
    assert new_events(
        sign(services, sec, c.TransferMember, own["member"], own["cells"][1])
    ) == ["PartyMember.Transferred"]


def test_no_organisation_means_no_scoped_right(services, admin, world, refused):
    lost = world["no_org"]
    cell = world["dong"]["cells"][0]
    refused(
        "auth.out_of_scope", sign(services, lost, c.EnrolMember, *enrol(cell, "DV9002"))
    )
    refused(
        "auth.out_of_scope",
        sign(
            services,
            lost,
            rc.RecordTaskResults,
            world["dong"]["commune"],
            2025,
            10,
            9,
            "BC",
        ),
    )
    refused(
        "auth.out_of_scope",
        sign(
            services,
            lost,
            rc.RecordDiscipline,
            world["dong"]["member"],
            "reprimand",
            True,
            date(2025, 5, 1),
            "QĐ 1",
        ),
    )


def test_the_administrator_keeps_everything(services, admin, world, new_events):
    assert new_events(
        sign(services, admin, c.EnrolMember, *enrol(world["tay"]["cells"][1], "DV9003"))
    ) == ["PartyMember.Enrolled"]
    assert new_events(
        sign(
            services,
            admin,
            c.TransferMember,
            world["dong"]["member"],
            world["tay"]["cells"][1],
        )
    ) == ["PartyMember.Transferred"]


@pytest.mark.parametrize(("mine", "theirs"), [DISTRICTS, DISTRICTS[::-1]])
def test_member_facts_are_in_scope_of_the_member_and_the_post(
    services, world, refused, new_events, mine, theirs
):
    sec = world[mine]["secretary"]
    own, other = world[mine], world[theirs]
    discipline = ("reprimand", True, date(2025, 5, 1), "QĐ 7-QĐ/UBKT")
    refused(
        "auth.out_of_scope",
        sign(services, sec, rc.RecordDiscipline, other["member"], *discipline),
        action="member.record_fact",
    )
    refused(
        "auth.out_of_scope",
        sign(
            services,
            sec,
            rc.AssignPost,
            own["member"],
            other["commune"],
            "member",
            date(2025, 1, 1),
        ),
    )
    assert new_events(
        sign(services, sec, rc.RecordDiscipline, own["member"], *discipline)
    ) == ["PartyMember.DisciplineRecorded"]
    assert new_events(
        sign(
            services,
            sec,
            rc.AssignPost,
            own["member"],
            own["commune"],
            "member",
            date(2025, 1, 1),
        )
    ) == ["PartyMember.PostAssigned"]


@pytest.mark.parametrize(("mine", "theirs"), [DISTRICTS, DISTRICTS[::-1]])
def test_org_facts_and_cycles_are_in_scope_of_the_organisation(
    services, world, refused, new_events, mine, theirs
):
    sec = world[mine]["secretary"]
    own, other = world[mine], world[theirs]
    refused(
        "auth.out_of_scope",
        sign(services, sec, rc.RecordTaskResults, other["commune"], 2025, 10, 9, "BC"),
        action="organisation.record_fact",
    )
    refused(
        "auth.out_of_scope",
        sign(services, sec, rc.OpenCycle, other["district"], 2025),
        action="cycle.open",
    )
    refused(
        "auth.out_of_scope",
        sign(services, sec, rc.OpenCycle, world["province"], 2025),
    )
    assert new_events(
        sign(services, sec, rc.RecordTaskResults, own["commune"], 2025, 10, 9, "BC")
    ) == ["Organisation.TaskResultsRecorded"]
