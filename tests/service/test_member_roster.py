"""Opening a cycle reads the members from the ``roster`` view, not one member
aggregate at a time (issue 14 §3): what it reads must be exactly what the
aggregates say, for every fact the subject derivation uses."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.members import PartyMember
from domain.subjects import MemberNode
from services import commands as c
from services import rating_commands as rc

PASSWORD = "mat-khau-thu-ky-01"


def _from_aggregates(services, tree, root, reference):
    """The members of ``root``'s subtree as read from their aggregates."""
    from domain.subjects import in_subtree

    nodes = []
    for row in services.members():
        if not in_subtree(tree, root, row.cell_id):
            continue
        m = services.uow.read(PartyMember, row.member_id, "member.not_found")
        nodes.append(
            MemberNode(
                member_id=m.id,
                name=m.full_name,
                cell_id=m.cell_id,
                admission_date=m.admission_date,
                posts={k: v["role"] for k, v in m.posts.items()},
                exemption=m.exemption_on(reference),
                outside_political_system=m.outside_political_system,
                temporary_cell_id=m.temporary_cell_id,
            )
        )
    return sorted(nodes, key=lambda n: n.member_id)


def test_the_roster_says_what_the_member_aggregates_say(services, admin):
    def run(command):
        return services.handle(command, admin.signer)

    def found(code, name, kind, parent=None):
        return run(c.FoundOrganisation(admin.actor, code, name, kind, parent))

    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    district = found("huyen", "Huyện ủy", "district_committee", province)
    commune = found("xa", "Đảng ủy xã", "grassroots_committee", district)
    cell_a = found("thon-a", "Chi bộ thôn A", "cell", commune)
    cell_b = found("thon-b", "Chi bộ thôn B", "cell", commune)
    other = found("xa-2", "Đảng ủy xã khác", "grassroots_committee", district)
    cell_c = found("thon-c", "Chi bộ thôn C", "cell", other)
    board = found("btv", "Ban Thường vụ", "leadership_collective", district)

    def enrol(i, cell):
        return run(
            c.EnrolMember(
                admin.actor,
                f"Đảng viên {i}",
                f"DV{i:04d}",
                date(1980, 1, 1),
                date(2010, 1, 1),
                "full",
                cell,
            )
        )

    m = [enrol(i, cell) for i, cell in enumerate([cell_a] * 4 + [cell_b, cell_c])]
    run(rc.AssignPost(admin.actor, m[0], cell_a, "head", date(2020, 1, 1)))
    run(rc.AssignPost(admin.actor, m[0], board, "member", date(2020, 1, 1)))
    run(rc.AssignPost(admin.actor, m[1], board, "head", date(2020, 1, 1)))
    run(rc.EndPost(admin.actor, m[1], board, date(2024, 6, 30)))
    run(
        rc.RecordExemption(
            admin.actor, m[2], "exempt_party_activity", date(2024, 1, 1), "QĐ 1"
        )
    )
    run(
        rc.RecordExemption(
            admin.actor,
            m[3],
            "party_activity_suspended",
            date(2023, 1, 1),
            "QĐ 2",
            date(2023, 6, 1),
        )
    )
    run(rc.AttachTemporaryCell(admin.actor, m[4], cell_c, date(2025, 2, 1)))
    run(rc.AttachTemporaryCell(admin.actor, m[3], cell_b, date(2025, 2, 1)))
    run(rc.DetachTemporaryCell(admin.actor, m[3], date(2025, 5, 1)))
    run(rc.SetWorkSituation(admin.actor, m[5], True))
    run(c.TransferMember(admin.actor, m[2], cell_b))
    tree = services.ratings.tree()
    reference = date(2025, 12, 1)
    for root in (district, commune, other, cell_b):
        found_nodes = services.ratings.member_nodes(tree, root, reference)
        assert sorted(found_nodes, key=lambda n: n.member_id) == _from_aggregates(
            services, tree, root, reference
        )
    everyone = services.ratings.member_nodes(tree, district, reference)
    assert len(everyone) == 6
    # In the member list's order: chi bộ name, then full name.
    assert [n.cell_id for n in everyone] == sorted(
        (n.cell_id for n in everyone), key=lambda cell: tree[cell].name
    )
    exempt = {n.member_id: n.exemption for n in everyone}
    assert exempt[m[2]] == "exempt_party_activity"
    assert exempt[m[3]] is None
    assert {n.member_id: n.temporary_cell_id for n in everyone}[m[4]] == UUID(
        str(cell_c)
    )
