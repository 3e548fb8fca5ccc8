"""What follows a reorganisation decision besides the tree (issue 12: "members,
posts, open remediation plans, peer groups and deadlines follow to the successor
as the decision says; nothing is rewritten"), through the bus and the read
gateway on SQLite and PostgreSQL. The rules are in docs/rules.md, "What follows
the decision"."""

from datetime import date
from uuid import UUID

import pytest

from services import commands as c
from services import rating_commands as rc
from services import remediation_commands as mc
from services import reorganisation_commands as ro
from services.read_gateway import ReadGateway
from tests.service.reorganisation_world import JULY, build, merge

DEADLINE = date(2025, 6, 30)


@pytest.fixture
def world(services, admin):
    """Tỉnh ủy > Huyện ủy > Xã a, Xã b (a chi bộ and a member each) on
    1/12/2024; the province's secretary and decision maker, and each commune's
    secretary and inspection committee."""
    w = build(services, admin, today=date(2024, 12, 1))
    for x in ("a", "b"):
        w[f"thuky-{x}"] = w["account"](f"thuky-{x}", "secretary", w[f"xa-{x}"])
        w[f"ubkt-{x}"] = w["account"](f"ubkt-{x}", "inspector", w[f"xa-{x}"])
    return w


def shortcoming_2024(world, x="a", subject=None):
    """At the 2024 review a shortcoming of Đảng viên ``x`` (or ``subject``) is
    pointed out; Xã ``x`` adopts a plan due 30/6/2025 supervised by its
    inspection committee. Returns (cycle, shortcoming)."""
    run, sec = world["run"], world[f"thuky-{x}"]
    cycle = world.get("y24") or run(
        rc.OpenCycle(world["secretary"].actor, world["tinh"], 2024),
        world["secretary"],
    )
    world["y24"] = cycle
    key = subject or f"m:{world[f'dv-{x}']}"
    item = run(
        mc.RecordShortcoming(
            sec.actor, cycle, key, "MEMBER_COMMENT", "Chưa dự đủ sinh hoạt chi bộ",
            "SUBJECTIVE", recorded_on=date(2024, 12, 6),
        ),
        sec,
    )  # fmt: skip
    run(
        mc.AdoptRemediationPlan(
            sec.actor, (item,), ("Dự đủ các buổi sinh hoạt",), world[f"dv-{x}"],
            DEADLINE, "INSPECTION_COMMITTEE", world[f"xa-{x}"],
            adopted_on=date(2024, 12, 16),
        ),
        sec,
    )  # fmt: skip
    return cycle, item


def split_a(world, refused=None):
    """Xã a split on 1/7/2025 into Xã 1 (taking Chi bộ a) and Xã 2 (taking Xã
    a's own plans; without saying where they go, the split is refused first
    when ``refused`` is given). Returns (Xã 1, Xã 2)."""
    run, dm, admin = world["run"], world["decision_maker"], world["admin"]
    one, two = (
        run(c.FoundOrganisation(admin.actor, code, code, "grassroots_committee", p))
        for code, p in (("xa-1", world["huyen"]), ("xa-2", world["huyen"]))
    )
    moves = ((world["cb-a"], one),)
    split = ro.SplitOrganisation(
        dm.actor, "9-QĐ/HU", JULY, world["xa-a"], (one, two), child_moves=moves
    )
    if refused is not None:
        refused("org.split_plans_unplaced", lambda: run(split, dm))
    run(
        ro.SplitOrganisation(
            dm.actor, "9-QĐ/HU", JULY, world["xa-a"], (one, two),
            child_moves=moves, plans_to=two,
        ),
        dm,
    )  # fmt: skip
    return one, two


def gate(services, world, username):
    return ReadGateway.for_account(services, world[f"id:{username}"])


def listed(services, org):
    """The organisation's list (its history included), one page."""
    return services.remediation.tracking_page(org, limit=500)[0]


def ids(rows):
    return {UUID(r["shortcoming_id"]) for r in rows}


def test_an_open_plan_follows_the_merger_to_the_successor(services, world, refused):
    """Issue 12 ("open remediation plans follow to the successor as the decision
    says; nothing is rewritten"); domain.md §6 (the supervising body verifies).
    The plan of Xã a's member, still open at the merger, is held by the đảng ủy
    xã that carries Xã a on: its path and supervising organisation follow by a
    signed event naming the decision, the successor's secretary tracks it and
    its inspection committee verifies it; Xã a's history still lists it, and
    Xã a's inspection committee, whose office ended, verifies nothing."""
    run = world["run"]
    _, item = shortcoming_2024(world)
    services.today = lambda: date(2025, 7, 10)
    new = merge(world)
    row = services.remediation.item(item)
    assert row["path"] == [str(world["cb-a"]), str(new), str(world["tinh"])]
    assert row["supervisor_org_id"] == str(new)
    steps = services.remediation.history(item)
    assert steps[-1]["step"] == "followed"
    assert steps[-1]["detail"]["decision_no"] == "1234-QĐ/TU"
    assert steps[-1]["on_date"] == JULY.isoformat()
    secretary = world["account"]("thuky-ab", "secretary", new)
    inspector = world["account"]("ubkt-ab", "inspector", new)
    successor = gate(services, world, "thuky-ab")
    assert item in ids(successor.remediation.tracking_page(new).rows)
    work = gate(services, world, "ubkt-ab").remediation.worklist()
    assert item in ids(work["overdue"])
    assert work["overdue_count"] == len(work["overdue"])  # counted where held
    reminded = successor.remediation.reminders()  # the dashboard's
    assert item in ids(reminded["items"])
    assert reminded["count"] == len(reminded["items"])
    # nothing is rewritten: Xã a's history lists it, its worklist no longer
    assert item in ids(listed(services, world["xa-a"]))
    left = services.remediation.worklist(world["xa-a"])
    assert item not in ids(left["overdue"])
    assert left["overdue_count"] == len(left["overdue"])
    before = gate(services, world, "thuky-a").remediation.reminders()
    assert item not in ids(before["items"])
    assert before["count"] == len(before["items"])
    # the successor's keepers act on it; the ended office does not
    run(mc.ClaimRemediation(secretary.actor, item, "Đã dự đủ quý III."), secretary)
    verify = mc.VerifyRemediation(world["ubkt-a"].actor, item, "Đạt")
    refused("auth.office_ended", lambda: run(verify, world["ubkt-a"]))
    run(mc.VerifyRemediation(inspector.actor, item, "Đạt"), inspector)
    assert services.remediation.item(item)["status"] == "VERIFIED"


def test_a_settled_plan_stays_where_it_was(services, world):
    """Nothing is rewritten: a plan whose shortcomings are all verified before
    the merger is history of Xã b only."""
    run = world["run"]
    _, item = shortcoming_2024(world, "b")
    services.today = lambda: date(2025, 3, 1)
    sec, ubkt = world["thuky-b"], world["ubkt-b"]
    run(mc.ClaimRemediation(sec.actor, item, "Đã khắc phục."), sec)
    run(mc.VerifyRemediation(ubkt.actor, item, "Đạt"), ubkt)
    services.today = lambda: date(2025, 7, 10)
    new = merge(world)
    assert item not in ids(listed(services, new))
    assert services.remediation.item(item)["supervisor_org_id"] == str(world["xa-b"])


def test_a_split_places_each_open_plan_by_the_decision(services, world, refused):
    """Issue 12: a split organisation's plans go where the decision puts what
    they belong to (the chi bộ of a member, the member of a chi bộ); the split
    organisation's own open plan goes to the successor the decision names for
    it, and without one the split is refused with the store unchanged."""
    _, member_item = shortcoming_2024(world)
    _, own_item = shortcoming_2024(world, subject=f"o:{world['xa-a']}")
    services.today = lambda: date(2025, 7, 10)
    one, two = split_a(world, refused)
    member_row = services.remediation.item(member_item)
    assert member_row["path"][:2] == [str(world["cb-a"]), str(one)]
    assert member_row["supervisor_org_id"] == str(one)
    own = services.remediation.item(own_item)
    assert own["place_id"] == str(two)
    assert own["subject_key"] == f"o:{world['xa-a']}"  # the subject is the same


def test_an_open_plan_follows_a_move_under_another_parent(services, world):
    """Issue 12 (chuyển trực thuộc): Xã b put directly under the tỉnh ủy takes
    its open plan along: the tỉnh ủy's branch holds it, the huyện ủy keeps it as
    history and no longer has it on its worklist."""
    run, dm = world["run"], world["decision_maker"]
    _, item = shortcoming_2024(world, "b")
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.MoveOrganisation(dm.actor, "7-QĐ/TU", JULY, world["xa-b"], world["tinh"]), dm
    )
    row = services.remediation.item(item)
    assert row["path"] == [str(world[k]) for k in ("cb-b", "xa-b", "tinh")]
    assert row["supervisor_org_id"] == str(world["xa-b"])  # it did not end
    assert item in ids(listed(services, world["huyen"]))
    assert item not in ids(services.remediation.worklist(world["huyen"])["overdue"])
    assert item in ids(services.remediation.worklist(world["tinh"])["overdue"])


def test_the_ended_office_writes_nothing_and_the_successor_reads_its_history(
    services, world, refused
):
    """Issue 12 ("the 2024 ratings reachable from the successor"): from the
    effective date of the merger, the offices of Xã a (secretary, inspection
    committee) have no authority: what they would record in its name is
    refused ``auth.office_ended``. The successor's secretary reads the merged
    members' 2024 ratings and Xã a's own, and its remediation."""
    run = world["run"]
    sec, dm = world["secretary"], world["decision_maker"]
    y24, item = shortcoming_2024(world)
    rid = run(rc.OpenRound(dm.actor, y24, world["xa-a"]), dm)
    key = f"m:{world['dv-a']}"
    run(rc.SelfRate(sec.actor, rid, key, "KHTNV", 10, 10), sec)
    run(rc.ProposeRating(sec.actor, rid, key, "KHTNV"), sec)
    run(
        rc.DecideRating(dm.actor, rid, key, "KHTNV", "1-QĐ", date(2024, 12, 20)),
        dm,
    )
    services.today = lambda: date(2025, 7, 10)
    new = merge(world)
    old = world["thuky-a"]
    record = mc.RecordShortcoming(
        old.actor, y24, f"o:{world['xa-a']}", "MEMBER_COMMENT", "Chậm báo cáo",
        "SUBJECTIVE",
    )  # fmt: skip
    refused("auth.office_ended", lambda: run(record, old))
    progress = mc.ReportRemediationProgress(old.actor, item, "Đã dự 3/3 buổi.")
    refused("auth.office_ended", lambda: run(progress, old))
    world["account"]("thuky-ab", "secretary", new)
    successor = gate(services, world, "thuky-ab")
    assert successor.subject_row(y24, key)["level"] == "KHTNV"
    assert successor.member(world["dv-a"]) is not None
    assert item in ids(successor.remediation.subject_file(key)[0])
    # Xã a's own history stays readable to the successor
    assert successor.org_facts(world["xa-a"]) is not None


def test_an_office_ends_on_the_decisions_effective_date():
    """The rule itself (domain.permissions.office_ended): ended, from the
    effective date on; a dissolution recorded without a decision, at once."""
    from domain.permissions import office_ended

    assert not office_ended(False, None, JULY)
    assert office_ended(True, None, JULY)
    assert office_ended(True, JULY, JULY)
    assert not office_ended(True, date(2025, 7, 2), JULY)


def test_a_members_chi_bo_over_time_follows_the_decision(services, world):
    """Issue 12 (a member's chi bộ over time, from the directory's periods):
    Chi bộ a merged into Chi bộ b on 1/7/2025 (recorded on 10/7) moves its
    member on the decision's effective date, named on the member's history."""
    run, dm = world["run"], world["decision_maker"]
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.MergeOrganisations(
            dm.actor, "5-QĐ/HU", JULY, absorbed_ids=(world["cb-a"],),
            successor_id=world["cb-b"],
        ),
        dm,
    )  # fmt: skip
    places = gate(services, world, "thuky").member_places(world["dv-a"])
    assert [(r["from"], r["until"], r["how"]) for r in places] == [
        (None, JULY.isoformat(), "enrolled"),
        (JULY.isoformat(), None, "reorganised"),
    ]
    assert [name for _id, name in places[0]["path"]][-2:] == ["Xã a", "Chi bộ a"]
    assert [name for _id, name in places[1]["path"]][-2:] == ["Xã b", "Chi bộ b"]
    assert places[1]["decision_no"] == "5-QĐ/HU"


def test_the_cycles_deadlines_bind_the_successors_subjects(services, world):
    """Issue 12 (deadlines follow to the successor): a cycle's deadlines are
    set per level of the plan (domain.md §3: member, chi bộ, đảng ủy cơ sở…),
    not per organisation, so once the cycle is refreshed on the tree after the
    merger the members and chi bộ of the ended communes, and the đảng ủy xã
    that carries them on, are bound by them; the ended communes no more."""
    run, sec = world["run"], world["secretary"]
    services.today = lambda: date(2025, 6, 10)
    cycle = run(
        rc.OpenCycle(
            sec.actor, world["tinh"], 2025,
            deadlines=(
                ("member", "rating", date(2025, 12, 20)),
                ("grassroots_committee", "rating", date(2025, 12, 20)),
            ),
        ),
        sec,
    )  # fmt: skip
    services.today = lambda: date(2025, 7, 10)
    merge(world)
    run(rc.RefreshSubjects(sec.actor, cycle), sec)
    missed = services.ratings.deadlines_at_risk(cycle, date(2025, 12, 21))
    by_level = {i["level"]: i for i in missed}
    assert by_level["member"]["open"] == 2
    assert by_level["member"]["kind"] == "deadline_missed"
    assert by_level["grassroots_committee"]["subject"] == "Đảng ủy xã AB"


def test_peer_groups_kept_back_by_the_decision_do_not_carry(services, world, refused):
    """Issue 12 ("peer groups … follow to the successor as the decision says";
    docs/rules.md "What follows the decision"): a merger decision that says the
    peer groups do not follow (``peer_groups_follow=False``; by default they
    do, tests/service/test_peer_groups_follow.py). The ended commune's groups
    stay readable in its round; in the successor's round a decision of HTXSNV
    waits for a group the successor's authority defines (124 and 366: HTXSNV
    within a peer group)."""
    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    services.today = lambda: date(2025, 6, 10)
    cycle = run(rc.OpenCycle(sec.actor, world["tinh"], 2025), sec)
    old = run(rc.OpenRound(dm.actor, cycle, world["xa-a"]), dm)
    key = f"m:{world['dv-a']}"
    run(rc.DefinePeerGroup(sec.actor, old, "g1", "Đảng viên xã a", (key,)), sec)
    services.today = lambda: date(2025, 7, 10)
    new = merge(world, peer_groups_follow=False)
    run(rc.RefreshSubjects(sec.actor, cycle), sec)
    assert [g["code"] for g in services.ratings.peer_groups(old)] == ["g1"]
    rid = run(rc.OpenRound(dm.actor, cycle, new), dm)
    assert services.ratings.peer_groups(rid) == []
    excellent = rc.SelfRate(
        sec.actor, rid, key, "HTXSNV", 10, 10, tasks_exceeded=4,
        points={"c1": "10", "c2": "10", "c3": "10", "t1": "40", "t2": "20"},
    )  # fmt: skip
    run(excellent, sec)
    run(rc.ProposeRating(sec.actor, rid, key, "HTXSNV"), sec)
    decide = rc.DecideRating(dm.actor, rid, key, "HTXSNV", "3-QĐ", date(2025, 12, 20))
    refused("rating.peer_group_required", lambda: run(decide, dm))
    members = (key, f"m:{world['dv-b']}")
    run(rc.DefinePeerGroup(sec.actor, rid, "g1", "Đảng viên xã AB", members), sec)
    assert [g["code"] for g in services.ratings.peer_groups(rid)] == ["g1"]


def test_an_open_plan_follows_a_change_of_kind_under_a_new_parent(services, world):
    """Issue 12 (đổi loại hình): a đảng ủy bộ phận of Xã a made a đảng ủy cơ sở
    directly under the huyện ủy by the same decision takes its chi bộ's open
    plan along; its inspection committee, which did not end, still supervises."""
    run, admin, dm = world["run"], world["admin"], world["decision_maker"]
    part = run(
        c.FoundOrganisation(
            admin.actor, "bp", "Đảng ủy bộ phận", "partial_committee", world["xa-a"]
        )
    )
    cell = run(c.FoundOrganisation(admin.actor, "cb-p", "Chi bộ p", "cell", part))
    world["dv-a"] = run(
        c.EnrolMember(
            admin.actor, "Đảng viên p", "DV000p", date(1980, 1, 1), date(2010, 1, 1),
            "full", cell,
        )
    )  # fmt: skip
    _, item = shortcoming_2024(world)
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.ChangeOrganisationKind(
            dm.actor, "8-QĐ/TU", JULY, part, "grassroots_committee", world["huyen"]
        ),
        dm,
    )
    row = services.remediation.item(item)
    assert row["path"] == [str(o) for o in (cell, part, world["huyen"], world["tinh"])]
    assert services.remediation.history(item)[-1]["detail"]["how"] == "move"
    assert item not in ids(services.remediation.worklist(world["xa-a"])["overdue"])
