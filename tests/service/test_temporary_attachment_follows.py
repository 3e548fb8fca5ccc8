"""A temporary attachment (sinh hoạt đảng tạm thời, 43-HD mục 7.6) follows the
reorganisation decision that ends its chi bộ (issue 12: "members, posts, open
remediation plans… follow to the successor as the decision says; nothing is
rewritten"), through the bus on SQLite and PostgreSQL. The rules are in
docs/rules.md, "What follows the decision"."""

from datetime import date
from uuid import UUID

from projections.directory_temporary import temporary_cell_row
from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro
from tests.service.reorganisation_world import JULY
from tests.service.test_what_follows_a_reorganisation import world

__all__ = ["world"]  # the fixture, shared with the plans' scenarios


def attach(world, member_key, cell_key, since=date(2025, 3, 1)):
    """Đảng viên ``member_key`` on temporary party activity at ``cell_key``."""
    admin = world["admin"]
    world["run"](
        rc.AttachTemporaryCell(admin.actor, world[member_key], world[cell_key], since)
    )


def temporary(services, member_id):
    row = temporary_cell_row(services.projections, member_id)
    return UUID(row["cell_id"]) if row and row["cell_id"] else None


def roster_temporary(services, member_id):
    rows = services.projections.query(
        "ratings",
        "SELECT temporary_cell_id FROM {roster} WHERE member_id = ?",
        [str(member_id)],
    )
    value = rows[0]["temporary_cell_id"]
    return UUID(value) if value else None


def followed(services, member_id):
    return [
        f
        for f in services.ratings.member_facts(member_id)
        if f["kind"] == "TemporaryCellFollowed"
    ]


def test_a_merger_takes_the_attachment_to_the_successor(services, world):
    """Chi bộ a merged into Chi bộ b on 1/7/2025: Đảng viên b, officially at
    Chi bộ b, was on temporary activity at Chi bộ a — now they live officially
    where they were attached, so the attachment ends; a third member attached
    at Chi bộ a, officially elsewhere, follows to Chi bộ b by a signed event
    naming the decision, and the views show the attachment there."""
    run, admin, dm = world["run"], world["admin"], world["decision_maker"]
    services.today = lambda: date(2025, 3, 1)
    cb_c = run(
        c.FoundOrganisation(admin.actor, "cb-c", "Chi bộ c", "cell", world["xa-b"])
    )
    world["dv-c"] = run(
        c.EnrolMember(
            admin.actor, "Đảng viên c", "DV000c", date(1980, 1, 1), date(2010, 1, 1),
            "full", cb_c,
        )
    )  # fmt: skip
    attach(world, "dv-c", "cb-a")
    attach(world, "dv-b", "cb-a")
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.MergeOrganisations(
            dm.actor, "5-QĐ/HU", JULY, absorbed_ids=(world["cb-a"],),
            successor_id=world["cb-b"],
        ),
        dm,
    )  # fmt: skip
    assert temporary(services, world["dv-c"]) == world["cb-b"]
    assert roster_temporary(services, world["dv-c"]) == world["cb-b"]
    [fact] = followed(services, world["dv-c"])
    assert fact["detail"]["decision_no"] == "5-QĐ/HU"
    assert fact["detail"]["from_cell_id"] == str(world["cb-a"])
    # Đảng viên b now lives officially at Chi bộ b: the attachment ends
    assert temporary(services, world["dv-b"]) is None
    assert roster_temporary(services, world["dv-b"]) is None
    assert followed(services, world["dv-b"])[0]["detail"]["cell_id"] is None
    # nothing is rewritten: the attachment at Chi bộ a stays in the facts
    kinds = [f["kind"] for f in services.ratings.member_facts(world["dv-c"])]
    assert kinds == ["TemporaryCellAttached", "TemporaryCellFollowed"]


def test_a_split_places_the_attachment_where_the_decision_says(
    services, world, refused
):
    """A split places every member of the chi bộ, those on temporary activity
    there too (``member_moves``): unplaced, the split is refused with the store
    unchanged; placed, the attachment follows to that successor."""
    run, admin, dm = world["run"], world["admin"], world["decision_maker"]
    services.today = lambda: date(2025, 3, 1)
    attach(world, "dv-b", "cb-a")
    one, two = (
        run(c.FoundOrganisation(admin.actor, code, code, "cell", world["xa-a"]))
        for code in ("cb-a1", "cb-a2")
    )
    services.today = lambda: date(2025, 7, 10)
    members = ((world["dv-a"], one),)
    split = ro.SplitOrganisation(
        dm.actor, "9-QĐ/ĐU", JULY, world["cb-a"], (one, two), member_moves=members
    )
    refused("org.split_unplaced", lambda: run(split, dm))
    run(
        ro.SplitOrganisation(
            dm.actor, "9-QĐ/ĐU", JULY, world["cb-a"], (one, two),
            member_moves=(*members, (world["dv-b"], two)),
        ),
        dm,
    )  # fmt: skip
    assert temporary(services, world["dv-b"]) == two
    assert roster_temporary(services, world["dv-b"]) == two
    assert followed(services, world["dv-b"])[0]["detail"]["how"] == "split"


def test_a_dissolution_ends_the_attachment(services, world, refused):
    """A dissolved chi bộ has no successor: the attachment ends by the decision
    (the member's official chi bộ arranges another); its members must have been
    moved first, as before."""
    run, admin, dm = world["run"], world["admin"], world["decision_maker"]
    services.today = lambda: date(2025, 3, 1)
    empty = run(
        c.FoundOrganisation(admin.actor, "cb-e", "Chi bộ e", "cell", world["xa-a"])
    )
    world["cb-e"] = empty
    attach(world, "dv-b", "cb-e")
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.DissolveByDecision(dm.actor, "11-QĐ/ĐU", JULY, empty, "Không còn hoạt động"),
        dm,
    )
    assert temporary(services, world["dv-b"]) is None
    assert roster_temporary(services, world["dv-b"]) is None
    [fact] = followed(services, world["dv-b"])
    assert fact["detail"]["how"] == "dissolve"
    assert fact["detail"]["cell_id"] is None
    # a chi bộ of the province can take them on again
    attach(world, "dv-b", "cb-a", since=date(2025, 7, 11))
    assert temporary(services, world["dv-b"]) == world["cb-a"]


def test_a_chi_bo_with_members_on_temporary_activity_keeps_its_kind(
    services, world, refused
):
    """A chi bộ with no members of its own but one on temporary activity does not
    become a committee (members sit only in a chi bộ): the attachment is ended
    or moved first."""
    run, admin, dm = world["run"], world["admin"], world["decision_maker"]
    services.today = lambda: date(2025, 3, 1)
    empty = run(
        c.FoundOrganisation(admin.actor, "cb-e", "Chi bộ e", "cell", world["xa-a"])
    )
    world["cb-e"] = empty
    attach(world, "dv-b", "cb-e")
    services.today = lambda: date(2025, 7, 10)
    change = ro.ChangeOrganisationKind(
        dm.actor, "12-QĐ/TU", JULY, empty, "partial_committee"
    )
    refused("org.not_empty", lambda: run(change, dm))
    run(rc.DetachTemporaryCell(admin.actor, world["dv-b"], date(2025, 7, 9)))
    run(change, dm)
