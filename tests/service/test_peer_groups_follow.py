"""Peer groups follow a reorganisation as the decision says (issue 12: "members,
posts, open remediation plans, peer groups and deadlines follow to the successor
as the decision says"; docs/rules.md, "What follows the decision"), through the
bus on SQLite and PostgreSQL. The quota of a carried group (366-QĐ/TW Điều 11,
§5.1: HTXSNV within 20% of the group's HTTNV, up to 25% by exception) counts the
decisions the ended authority had taken for its members, exactly."""

from datetime import date
from typing import Any

import pytest

from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro
from services.ids import organisation_id
from services.rating_ids import round_id

PASSWORD = "mat-khau-thu-nghiem"
JULY = date(2025, 7, 1)
GOOD = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
EXCELLENT = {"c1": "10", "c2": "10", "c3": "10", "t1": "40", "t2": "30"}


@pytest.fixture
def world(services, admin):
    """Tỉnh ủy > Huyện ủy > Xã a (Chi bộ a, five members), Xã b (Chi bộ b); the cycle of
    2025 and Xã a's round with the peer group "dv" of the five; two of them
    decided HTTNV by Xã a, one self-rated and proposed HTXSNV, two HTTNV."""
    services.today = lambda: date(2025, 6, 1)

    def run(command, who=admin):
        return services.handle(command, who.signer)

    def org(code, kind, parent, name):
        return run(c.FoundOrganisation(admin.actor, code, name, kind, parent))

    def account(username, role, org_id):
        roles = (role,)
        run(c.OpenAccount(admin.actor, username, username, roles, PASSWORD, org_id=org_id))  # fmt: skip  # noqa: E501
        return services.authenticate(username, PASSWORD)

    w: dict[str, Any] = {"run": run, "account": account, "admin": admin}
    w["tinh"] = org("tinh", "provincial_committee", None, "Tỉnh ủy")
    w["huyen"] = org("huyen", "district_committee", w["tinh"], "Huyện ủy")
    w["xa-a"] = org("xa-a", "grassroots_committee", w["huyen"], "Xã a")
    w["xa-b"] = org("xa-b", "grassroots_committee", w["huyen"], "Xã b")
    cell = org("cb-a", "cell", w["xa-a"], "Chi bộ a")
    org("cb-b", "cell", w["xa-b"], "Chi bộ b")
    w["keys"] = [
        "m:" + str(run(c.EnrolMember(
            admin.actor, f"Đảng viên {i}", f"DV000{i}", date(1980, 1, 1),
            date(2010, 1, 1), "full", cell,
        )))
        for i in range(5)
    ]  # fmt: skip
    sec = w["sec"] = account("thuky", "secretary", w["tinh"])
    dm = w["dm"] = account("captuy", "decision_maker", w["tinh"])
    w["cycle"] = run(rc.OpenCycle(sec.actor, w["tinh"], 2025), sec)
    old = w["old"] = run(rc.OpenRound(dm.actor, w["cycle"], w["xa-a"]), dm)
    run(rc.DefinePeerGroup(sec.actor, old, "dv", "Đảng viên", tuple(w["keys"])), sec)
    for i, key in enumerate(w["keys"]):
        level, points = ("HTXSNV", EXCELLENT) if i == 4 else ("HTTNV", GOOD)
        exceeded = 5 if i == 4 else 0
        rated = rc.SelfRate(sec.actor, old, key, level, 10, 10, exceeded, points=points)
        run(rated, sec)
        run(rc.ProposeRating(sec.actor, old, key, level), sec)
        if i < 2:
            on = date(2025, 6, 20)
            run(rc.DecideRating(dm.actor, old, key, "HTTNV", "1-QĐ/ĐU", on, ""), dm)
    return w


def merge(services, w, **option):
    """Xã a and Xã b merged on 1/7/2025 into a new đảng ủy xã (recorded 10/7)."""
    services.today = lambda: date(2025, 7, 10)
    dm = w["dm"]
    new = w["run"](
        ro.MergeOrganisations(
            dm.actor, "1234-QĐ/TU", JULY, absorbed_ids=(w["xa-a"], w["xa-b"]),
            new_successor=ro.NewSuccessor(
                "xa-ab", "Đảng ủy xã AB", "grassroots_committee", w["tinh"]
            ),
            **option,
        ),
        dm,
    )  # fmt: skip
    assert new == organisation_id("xa-ab")
    return new


def test_a_merged_communes_peer_group_bounds_the_successors_htxsnv(
    services, world, refused, new_events
):
    """Issue 12 and 366-QĐ/TW Điều 11: the merger decision says the peer groups
    follow (the default). Once the cycle is refreshed and the successor's round
    opened, that round has the group "dv" — the three members it now rates, and
    the two Xã a decided, who keep their HTTNV and count in the quota. After the
    successor decides two more HTTNV the group holds 4 HTTNV: 20% of 4 rounds
    down to 0, so the proposed HTXSNV is refused; at 25% (the exception) the cap
    is exactly 1, reached only because the two kept decisions count."""
    w, run = world, world["run"]
    sec, dm, keys = w["sec"], w["dm"], w["keys"]
    topics = new_events(lambda: merge(services, w))
    assert "Organisation.PeerGroupsFollowDecided" in topics
    run(rc.RefreshSubjects(sec.actor, w["cycle"]), sec)
    new = organisation_id("xa-ab")
    topics = new_events(lambda: run(rc.OpenRound(dm.actor, w["cycle"], new), dm))
    assert topics.count("RatingRound.PeerGroupCarried") == 1
    rid = round_id(w["cycle"], new)
    (carried,) = [
        e
        for e in services.ledger.events.get(rid)
        if type(e).__name__ == "PeerGroupCarried"
    ]
    assert (carried.code, carried.from_code) == ("dv", "dv")
    assert carried.members == sorted(keys[2:])
    assert carried.kept == {keys[0]: "HTTNV", keys[1]: "HTTNV"}
    assert carried.succession[0]["decision_no"] == "1234-QĐ/TU"
    on = date(2025, 8, 1)
    for key in keys[2:4]:
        run(rc.DecideRating(dm.actor, rid, key, "HTTNV", "2-QĐ/ĐU", on, ""), dm)
    (group,) = services.ratings.peer_groups(rid)
    assert (group["code"], group["good"], group["excellent"], group["cap"]) == (
        "dv", 4, 0, 0
    )  # fmt: skip
    assert sorted(group["members"]) == sorted(keys)
    excellent = rc.DecideRating(dm.actor, rid, keys[4], "HTXSNV", "3-QĐ/ĐU", on, "")
    refused("rating.quota_exceeded", lambda: run(excellent, dm))
    why = "Đơn vị có thành tích nổi bật, hoàn thành xuất sắc nhiệm vụ năm 2025."
    run(rc.GrantQuotaException(dm.actor, rid, "dv", 25, why), dm)
    run(excellent, dm)
    (group,) = services.ratings.peer_groups(rid)
    assert (group["good"], group["excellent"], group["cap"]) == (4, 1, 1)
    # A rebuild equals the incremental views.
    before = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == before


def test_a_merger_that_keeps_the_groups_back_carries_none(
    services, world, refused, new_events
):
    """The decision says the peer groups do not follow: the successor's round
    opens without a group, and an HTXSNV waits for the group it defines
    (366-QĐ/TW Điều 11: no HTXSNV outside a peer group)."""
    w, run = world, world["run"]
    sec, dm, keys = w["sec"], w["dm"], w["keys"]
    new = merge(services, w, peer_groups_follow=False)
    run(rc.RefreshSubjects(sec.actor, w["cycle"]), sec)
    topics = new_events(lambda: run(rc.OpenRound(dm.actor, w["cycle"], new), dm))
    assert "RatingRound.PeerGroupCarried" not in topics
    rid = round_id(w["cycle"], new)
    assert services.ratings.peer_groups(rid) == []
    on = date(2025, 8, 1)
    excellent = rc.DecideRating(dm.actor, rid, keys[4], "HTXSNV", "3-QĐ/ĐU", on, "")
    refused("rating.peer_group_required", lambda: run(excellent, dm))


def test_refreshing_carries_the_group_into_the_successors_open_round(
    services, world, new_events
):
    """Xã a merged into Xã b, whose round is already open: the refresh that
    brings Xã a's members to Xã b's round carries the group with them, in the
    same transaction; a later refresh carries nothing twice."""
    w, run = world, world["run"]
    sec, dm = w["sec"], w["dm"]
    rid = run(rc.OpenRound(dm.actor, w["cycle"], w["xa-b"]), dm)
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.MergeOrganisations(
            dm.actor, "5-QĐ/HU", JULY, absorbed_ids=(w["xa-a"],),
            successor_id=w["xa-b"],
        ),
        dm,
    )  # fmt: skip
    topics = new_events(lambda: run(rc.RefreshSubjects(sec.actor, w["cycle"]), sec))
    assert topics.count("RatingRound.PeerGroupCarried") == 1
    (group,) = services.ratings.peer_groups(rid)
    assert (group["code"], group["good"], len(group["members"])) == ("dv", 2, 5)
    run(c.FoundOrganisation(w["admin"].actor, "cb-x", "Chi bộ x", "cell", w["xa-b"]))
    topics = new_events(lambda: run(rc.RefreshSubjects(sec.actor, w["cycle"]), sec))
    assert "RatingRound.PeerGroupCarried" not in topics
