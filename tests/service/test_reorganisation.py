"""Reorganisation through the bus (sắp xếp, tổ chức lại; issue 12), on SQLite and
PostgreSQL: given a province with two districts → a reorganising command → the
events it stored, the tree the directory shows (today and as it was), or the
refusal with the store unchanged; a rebuild equals the incremental views."""

from datetime import date
from typing import Any

import pytest

from projections import directory as views
from projections import directory_history
from projections import search as search_view
from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro
from services.ids import organisation_id

PASSWORD = "mat-khau-sap-xep"
JULY = date(2025, 7, 1)


@pytest.fixture
def world(services, admin):
    services.today = lambda: date(2025, 7, 15)

    def run(command):
        return services.handle(command, admin.signer)

    def org(code, kind, parent, name=None):
        return run(c.FoundOrganisation(admin.actor, code, name or code, kind, parent))

    w: dict[str, Any] = {"run": run}
    w["tinh"] = org("tinh", "provincial_committee", None, "Tỉnh ủy")
    w["huyen"] = org("huyen", "district_committee", w["tinh"], "Huyện ủy")
    w["huyen2"] = org("huyen2", "district_committee", w["tinh"], "Huyện ủy 2")
    for x in ("a", "b"):
        w[f"xa-{x}"] = org(f"xa-{x}", "grassroots_committee", w["huyen"])
        w[f"cb-{x}"] = org(f"cb-{x}", "cell", w[f"xa-{x}"], f"Chi bộ {x}")
        w[f"dv-{x}"] = run(
            c.EnrolMember(
                admin.actor, f"Đảng viên {x}", f"DV000{x}", date(1980, 1, 1),
                date(2010, 1, 1), "full", w[f"cb-{x}"],
            )
        )  # fmt: skip
        run(
            rc.AssignPost(
                admin.actor, w[f"dv-{x}"], w[f"xa-{x}"], "head", date(2020, 1, 1)
            )
        )
    w["xa-c"] = org("xa-c", "grassroots_committee", w["huyen2"])
    for name, org_id, roles in (
        ("capuy-huyen", w["huyen"], ("decision_maker",)),
        ("capuy-huyen2", w["huyen2"], ("decision_maker",)),
        ("capuy-xa-a", w["xa-a"], ("decision_maker",)),
    ):
        run(c.OpenAccount(admin.actor, name, name, roles, PASSWORD, org_id=org_id))
        w[name] = services.authenticate(name, PASSWORD)
    return w


def merge_communes(world, who):
    return ro.MergeOrganisations(
        who.actor,
        "1234-QĐ/TU",
        JULY,
        absorbed_ids=(world["xa-a"], world["xa-b"]),
        new_successor=ro.NewSuccessor(
            "xa-ab", "Đảng ủy xã AB", "grassroots_committee", world["tinh"]
        ),
    )


def test_two_communes_merge_into_one_directly_under_the_province(
    services, admin, world, new_events
):
    topics = new_events(
        lambda: services.handle(merge_communes(world, admin), admin.signer)
    )
    assert topics.count("Organisation.MergedInto") == 2
    assert topics.count("Organisation.MovedUnder") == 2  # the two chi bộ
    assert topics.count("PartyMember.PostEnded") == 2
    assert topics.count("PartyMember.PostAssigned") == 2
    assert topics[:2] == ["Organisation.Founded", "Organisation.Absorbed"]
    new = organisation_id("xa-ab")
    rt = services.projections
    assert views.ancestor_path(rt, world["cb-a"]) == (world["tinh"], new, world["cb-a"])
    links = directory_history.successions(rt, new)
    assert {(r["predecessor_id"], r["how"], r["decision_no"]) for r in links} == {
        (str(world["xa-a"]), "merge", "1234-QĐ/TU"),
        (str(world["xa-b"]), "merge", "1234-QĐ/TU"),
    }
    assert set(views.post_holder_ids(rt, new)) == {world["dv-a"], world["dv-b"]}
    # Today's tree and the tree as it was in June.
    today = directory_history.tree_as_of(rt, date(2025, 7, 1))
    june = directory_history.tree_as_of(rt, date(2025, 6, 30))
    assert today[world["cb-a"]]["parent_id"] == new
    assert world["xa-a"] not in today
    assert new not in june
    assert june[world["cb-a"]]["parent_id"] == world["xa-a"]
    assert june[world["xa-a"]]["parent_id"] == world["huyen"]
    incremental = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == incremental


def test_a_district_decision_maker_may_not_merge_into_the_province(
    services, world, refused
):
    who = world["capuy-huyen"]
    refused(
        "auth.out_of_scope",
        lambda: services.handle(merge_communes(world, who), who.signer),
        action="organisation.reorganise",
    )


def test_the_commune_merges_its_own_chi_bo_and_members_follow(
    services, admin, world, new_events, refused
):
    run = world["run"]
    cb_a2 = run(
        c.FoundOrganisation(admin.actor, "cb-a2", "Chi bộ a2", "cell", world["xa-a"])
    )
    members = [
        run(
            c.EnrolMember(
                admin.actor,
                f"Người {k}",
                f"DV10{k}",
                date(1980, 1, 1),
                date(2010, 1, 1),
                "full",
                cb_a2,
            )
        )
        for k in range(3)
    ]
    who = world["capuy-xa-a"]
    # A commune's cấp ủy may not merge itself into another commune.
    outside = ro.MergeOrganisations(
        who.actor,
        "9-QĐ",
        JULY,
        absorbed_ids=(world["xa-a"],),
        successor_id=world["xa-b"],
    )
    refused("auth.out_of_scope", lambda: services.handle(outside, who.signer))
    merge = ro.MergeOrganisations(
        who.actor, "7-QĐ/ĐU", JULY, absorbed_ids=(cb_a2,), successor_id=world["cb-a"]
    )
    topics = new_events(lambda: services.handle(merge, who.signer))
    assert topics == [
        "Organisation.Absorbed",
        "Organisation.PeerGroupsFollowDecided",
        "Organisation.MergedInto",
        *["PartyMember.Transferred"] * 3,
    ]
    assert set(views.cell_member_ids(services.projections, world["cb-a"])) == {
        world["dv-a"], *members
    }  # fmt: skip
    # The old chi bộ's history stays readable: its period and successor link.
    (first, last) = directory_history.periods(services.projections, cb_a2)
    assert (first["ended"], last["ended"], last["decision_no"]) == (0, 1, "7-QĐ/ĐU")


def test_a_chi_bo_split_places_every_member(
    services, admin, world, new_events, refused
):
    run = world["run"]
    one = run(
        c.FoundOrganisation(admin.actor, "cb-1", "Chi bộ 1", "cell", world["xa-a"])
    )
    two = run(
        c.FoundOrganisation(admin.actor, "cb-2", "Chi bộ 2", "cell", world["xa-a"])
    )
    who = world["capuy-xa-a"]
    unplaced = ro.SplitOrganisation(who.actor, "8-QĐ", JULY, world["cb-a"], (one, two))
    refused("org.split_unplaced", lambda: services.handle(unplaced, who.signer))
    split = ro.SplitOrganisation(
        who.actor, "8-QĐ", JULY, world["cb-a"], (one, two),
        member_moves=((world["dv-a"], two),),
    )  # fmt: skip
    topics = new_events(lambda: services.handle(split, who.signer))
    assert topics == [
        "Organisation.Absorbed",
        "Organisation.Absorbed",
        "Organisation.PeerGroupsFollowDecided",
        "Organisation.SplitInto",
        "PartyMember.Transferred",
    ]
    assert views.cell_member_ids(services.projections, two) == [world["dv-a"]]


def test_moving_a_commune_to_another_district(services, world, refused, new_events):
    who = world["capuy-huyen"]
    move = ro.MoveOrganisation(
        who.actor, "5-QĐ/TU", JULY, world["xa-a"], world["huyen2"]
    )
    refused(
        "auth.out_of_scope",
        lambda: services.handle(move, who.signer),
        action="organisation.reorganise",
    )


def test_a_decision_is_required_and_nothing_is_stored(services, admin, world, refused):
    move = ro.MoveOrganisation(admin.actor, " ", JULY, world["xa-a"], world["huyen2"])
    refused("org.decision_required", lambda: services.handle(move, admin.signer))


def test_moving_a_subtree_rebuilds_its_ancestors(services, admin, world, new_events):
    move = ro.MoveOrganisation(
        admin.actor, "5-QĐ/TU", JULY, world["xa-a"], world["huyen2"]
    )
    assert new_events(lambda: services.handle(move, admin.signer)) == [
        "Organisation.MovedUnder"
    ]
    rt = services.projections
    assert views.ancestor_path(rt, world["cb-a"]) == (
        world["tinh"], world["huyen2"], world["xa-a"], world["cb-a"]
    )  # fmt: skip
    below = rt.query(
        "directory",
        "SELECT org_id FROM {org_ancestors} WHERE ancestor_id = ?",
        [str(world["huyen"])],
    )
    assert {r["org_id"] for r in below} == {
        str(world["huyen"]), str(world["xa-b"]), str(world["cb-b"])
    }  # fmt: skip
    # the search view's rolled-up member counts follow the move
    assert search_view.member_count(rt, str(world["huyen"])) == 1
    assert search_view.member_count(rt, str(world["huyen2"])) == 1
    assert search_view.member_count(rt, str(world["tinh"])) == 2
    incremental = rt.digest()
    rt.rebuild()
    assert rt.digest() == incremental


def test_a_chi_bo_with_members_does_not_become_a_committee(
    services, admin, world, refused
):
    change = ro.ChangeOrganisationKind(
        admin.actor, "11-QĐ", JULY, world["cb-a"], "partial_committee"
    )
    refused("org.not_empty", lambda: services.handle(change, admin.signer))


def test_dissolving_by_decision_needs_an_empty_organisation(
    services, admin, world, refused, new_events
):
    dissolve = ro.DissolveByDecision(admin.actor, "12-QĐ", JULY, world["xa-c"], "Hết")
    assert new_events(lambda: services.handle(dissolve, admin.signer)) == [
        "Organisation.Dissolved"
    ]
    full = ro.DissolveByDecision(admin.actor, "12-QĐ", JULY, world["cb-a"], "Hết")
    refused("org.not_empty", lambda: services.handle(full, admin.signer))


def test_the_successor_reads_the_history_of_what_it_absorbed(services, admin, world):
    from domain.errors import DomainError
    from domain.permissions import Read
    from services.read_gateway import ReadGateway

    services.handle(merge_communes(world, admin), admin.signer)
    new = organisation_id("xa-ab")
    account = services.handle(
        c.OpenAccount(
            admin.actor,
            "capuy-ab",
            "Cấp ủy AB",
            ("decision_maker",),
            PASSWORD,
            org_id=new,
        ),
        admin.signer,
    )
    successor = ReadGateway.for_account(services, account)
    other = ReadGateway.for_account(services, world["capuy-huyen2"].account_id)
    for old in (world["xa-a"], world["xa-b"]):
        successor.check(Read.REPORT, old)  # its 2024 report, ratings, history
        assert successor.reorganisation_history(old)["successions"]
        with pytest.raises(DomainError):
            other.check(Read.REPORT, old)
    # The old district keeps reading its own former commune.
    district = ReadGateway.for_account(services, world["capuy-huyen"].account_id)
    district.check(Read.REPORT, world["xa-a"])
    incremental = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == incremental
