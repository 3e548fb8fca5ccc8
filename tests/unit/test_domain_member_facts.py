"""Facts about members that the rating rules read (no I/O)."""

from datetime import date
from uuid import uuid4

from domain.members import MemberFacts, MembershipStatus, PartyMember
from domain.organisations import OrganisationKind, ParentFacts
from tests.unit.refusals import refused

ACTOR = "u:00000000-0000-0000-0000-000000000001"
CELL = ParentFacts(uuid4(), OrganisationKind.CELL)
OTHER_CELL = ParentFacts(uuid4(), OrganisationKind.CELL)
BOARD = ParentFacts(uuid4(), OrganisationKind.LEADERSHIP_COLLECTIVE)


def enrolled():
    member = PartyMember.enrol(
        member_id=uuid4(),
        facts=MemberFacts(
            "Nguyễn Văn An",
            "DV1",
            date(1980, 1, 1),
            date(2010, 1, 1),
            MembershipStatus.FULL,
        ),
        cell=CELL,
        today=date(2025, 12, 1),
        enrolled_by=ACTOR,
    )
    member.collect_events()
    return member


def test_posts_are_held_at_several_organisations_at_once():
    m = enrolled()
    m.assign_post(org=BOARD, role="head", since=date(2020, 1, 1), assigned_by=ACTOR)
    m.assign_post(org=CELL, role="deputy", since=date(2020, 1, 1), assigned_by=ACTOR)
    assert {v["role"] for v in m.posts.values()} == {"head", "deputy"}
    with refused("member.post_unchanged"):
        m.assign_post(org=BOARD, role="head", since=date(2021, 1, 1), assigned_by=ACTOR)
    m.end_post(org_id=BOARD.org_id, until=date(2024, 1, 1), ended_by=ACTOR)
    assert str(BOARD.org_id) not in m.posts
    names = [type(e).__name__ for e in m.collect_events()]
    assert names == ["PostAssigned", "PostAssigned", "PostEnded"]


def test_unknown_post_role_is_refused():
    with refused("member.post_role_unknown"):
        enrolled().assign_post(
            org=BOARD, role="king", since=date(2020, 1, 1), assigned_by=ACTOR
        )


def test_temporary_cell_must_differ_from_the_official_one():
    m = enrolled()
    with refused("member.temporary_is_official"):
        m.attach_temporary_cell(cell=CELL, since=date(2025, 1, 1), attached_by=ACTOR)
    m.attach_temporary_cell(cell=OTHER_CELL, since=date(2025, 1, 1), attached_by=ACTOR)
    assert m.temporary_cell_id == OTHER_CELL.org_id
    m.detach_temporary_cell(until=date(2025, 6, 1), detached_by=ACTOR)
    assert m.temporary_cell_id is None


def test_exemption_is_active_within_its_period():
    m = enrolled()
    m.record_exemption(
        kind="party_activity_suspended",
        start=date(2025, 3, 1),
        end=date(2025, 9, 1),
        reference="QĐ 12",
        recorded_by=ACTOR,
    )
    assert m.exemption_on(date(2025, 5, 1)) == "party_activity_suspended"
    assert m.exemption_on(date(2025, 10, 1)) is None
    with refused("member.period_invalid"):
        m.record_exemption(
            kind="exempt_party_activity",
            start=date(2025, 3, 1),
            end=date(2025, 1, 1),
            reference="x",
            recorded_by=ACTOR,
        )
    with refused("member.reference_required"):
        m.record_exemption(
            kind="exempt_party_activity",
            start=date(2025, 3, 1),
            end=None,
            reference=" ",
            recorded_by=ACTOR,
        )


def test_discipline_is_recorded_once_with_its_facts():
    m = enrolled()
    m.record_discipline(
        discipline_id="kl-1",
        level="reprimand",
        duty_related=True,
        decided_on=date(2025, 6, 1),
        conduct_org_id=BOARD.org_id,
        reference="QĐ 5-QĐ/UBKT",
        recorded_by=ACTOR,
    )
    with refused("member.discipline_recorded"):
        m.record_discipline(
            discipline_id="kl-1",
            level="warning",
            duty_related=False,
            decided_on=date(2025, 6, 1),
            conduct_org_id=None,
            reference="x",
            recorded_by=ACTOR,
        )
    with refused("member.discipline_unknown"):
        m.record_discipline(
            discipline_id="kl-2",
            level="fine",
            duty_related=False,
            decided_on=date(2025, 6, 1),
            conduct_org_id=None,
            reference="x",
            recorded_by=ACTOR,
        )
    assert m.disciplines[0]["conduct_org_id"] == BOARD.org_id


def test_confidence_counts_are_checked():
    m = enrolled()
    with refused("member.confidence_counts_invalid"):
        m.record_confidence_result(
            held_on=date(2025, 11, 1),
            returned=40,
            low=41,
            reference="BB",
            recorded_by=ACTOR,
        )
    m.record_confidence_result(
        held_on=date(2025, 11, 1),
        returned=40,
        low=21,
        reference="BB",
        recorded_by=ACTOR,
    )
    assert m.confidence_results == [
        {"held_on": date(2025, 11, 1), "returned": 40, "low": 21}
    ]


def test_leave_and_work_situation():
    m = enrolled()
    m.record_leave(
        kind="maternity",
        start=date(2025, 1, 1),
        end=date(2025, 6, 30),
        recorded_by=ACTOR,
    )
    with refused("member.leave_unknown"):
        m.record_leave(
            kind="holiday",
            start=date(2025, 1, 1),
            end=date(2025, 1, 2),
            recorded_by=ACTOR,
        )
    m.set_work_situation(outside_political_system=True, recorded_by=ACTOR)
    with refused("member.situation_unchanged"):
        m.set_work_situation(outside_political_system=True, recorded_by=ACTOR)
    m.record_degradation(
        concluded_on=date(2025, 5, 1), reference="KL 3", recorded_by=ACTOR
    )
    assert m.degradations[0]["reference"] == "KL 3"
