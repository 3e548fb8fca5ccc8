"""Reviews and ratings across a reorganisation (issue 12), through the bus on
SQLite and PostgreSQL."""

from datetime import date

import pytest

from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro
from services.ids import organisation_id
from services.rating_ids import round_id
from tests.service.reorganisation_world import JULY, LOW, MEMBER, build, merge, rate

POINTS = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
UNIT = {"c1": "10", "c2": "10", "c3": "10", "t1": "45", "t2": "20"}  # 95: HTXSNV


@pytest.fixture
def world(services, admin):
    """Tỉnh ủy > Huyện ủy > Xã a, Xã b (a chi bộ and a member each) on
    1/12/2024; the province's secretary and decision maker."""
    return build(services, admin, today=date(2024, 12, 1))


def rate_2024(services, world):
    """2024 (124-QĐ/TW): Đảng viên a, Chi bộ a and Xã a are rated KHTNV."""
    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    y24 = run(rc.OpenCycle(sec.actor, world["tinh"], 2024), sec)
    day = date(2024, 12, 20)
    xa = run(rc.OpenRound(dm.actor, y24, world["xa-a"]), dm)
    rate(world, xa, f"m:{world['dv-a']}", "KHTNV", "1-QĐ", day)
    rate(world, xa, f"o:{world['cb-a']}", "KHTNV", "2-QĐ", day)
    huyen = run(rc.OpenRound(dm.actor, y24, world["huyen"]), dm)
    rate(world, huyen, f"o:{world['xa-a']}", "KHTNV", "3-QĐ", day)
    return y24


def subjects_of(services, cycle):
    return {s["subject_key"]: s for s in services.ratings.subjects(cycle)}


def test_a_cycle_opened_before_a_merger_continues_on_the_successor(
    services, world, refused
):
    """Issue 12; 366-QĐ/TW Điều 12 (who rates whom) on the tree after the
    decision: the merged communes' members and chi bộ are rated by the đảng bộ
    xã that carries them on; the ended communes rate no more."""
    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    services.today = lambda: date(2025, 6, 10)
    y25 = run(rc.OpenCycle(sec.actor, world["tinh"], 2025), sec)
    old_round = run(rc.OpenRound(dm.actor, y25, world["xa-a"]), dm)
    key_a = f"m:{world['dv-a']}"
    services.today = lambda: date(2025, 7, 10)
    new = merge(world)
    assert new == organisation_id("xa-ab")
    # The ended commune's round takes no step, and no round opens for it.
    refused(
        "rating.authority_ended",
        lambda: run(
            rc.SelfRate(sec.actor, old_round, key_a, "HTTNV", 10, 10, points=MEMBER),
            sec,
        ),
    )
    refused(
        "rating.authority_ended",
        lambda: run(rc.OpenRound(dm.actor, y25, world["xa-b"]), dm),
    )
    # Refreshing the cycle's subjects follows the succession links.
    run(rc.RefreshSubjects(sec.actor, y25), sec)
    subjects = subjects_of(services, y25)
    assert f"o:{world['xa-a']}" not in subjects
    assert f"o:{new}" in subjects
    for x in ("a", "b"):
        assert subjects[f"m:{world[f'dv-{x}']}"]["decides"] == str(new)
        assert subjects[f"o:{world[f'cb-{x}']}"]["decides"] == str(new)
    rid = run(rc.OpenRound(dm.actor, y25, new), dm)
    assert rid == round_id(y25, new)
    day = date(2025, 12, 20)
    for x in ("a", "b"):
        rate(
            world, rid, f"m:{world[f'dv-{x}']}", "HTTNV", f"1{x}-QĐ", day, points=MEMBER
        )
        rate(world, rid, f"o:{world[f'cb-{x}']}", "HTTNV", f"2{x}-QĐ", day, points=UNIT)
    assert subjects_of(services, y25)[key_a]["level"] == "HTTNV"


def test_the_members_previous_decision_is_found_across_the_change_of_chi_bo(
    services, world
):
    """domain.md §5.6 (two consecutive KHTNV: a flag, never a consequence): the
    member is the same person whose chi bộ changed with the merger; the 2024
    KHTNV decided by the old commune is the previous decision of 2025."""
    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    rate_2024(services, world)
    services.today = lambda: date(2025, 7, 10)
    merge(world)
    new = organisation_id("xa-ab")
    y25 = run(rc.OpenCycle(sec.actor, world["tinh"], 2025), sec)
    rid = run(rc.OpenRound(dm.actor, y25, new), dm)
    key_a = f"m:{world['dv-a']}"
    rate(world, rid, key_a, "KHTNV", "9-QĐ", date(2025, 12, 20), points=LOW)
    assert "consecutive_khtnv" in services.ratings.subject_flags(y25, key_a)


def test_a_merged_organisation_is_flagged_and_reads_its_predecessors(
    services, world, refused
):
    """Issue 12: the đảng bộ xã founded on 1/7/2025 existed only half of the
    review year; the texts do not say how it is rated, so it is flagged from the
    self-rating on and the authority's decision must say how it settled it. Its
    previous decision is its predecessors' (Xã a KHTNV in 2024): KHTNV again
    raises the consecutive-KHTNV flag."""
    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    rate_2024(services, world)
    services.today = lambda: date(2025, 7, 10)
    merge(world)
    new = organisation_id("xa-ab")
    y25 = run(rc.OpenCycle(sec.actor, world["tinh"], 2025), sec)
    rid = run(rc.OpenRound(dm.actor, y25, new), dm)
    day = date(2025, 12, 20)
    for x in ("a", "b"):
        rate(
            world, rid, f"m:{world[f'dv-{x}']}", "HTTNV", f"1{x}-QĐ", day, points=MEMBER
        )
        rate(world, rid, f"o:{world[f'cb-{x}']}", "HTTNV", f"2{x}-QĐ", day, points=UNIT)
    tinh = run(rc.OpenRound(dm.actor, y25, world["tinh"]), dm)
    key = f"o:{new}"
    run(rc.SelfRate(sec.actor, tinh, key, "KHTNV", 10, 10, points=LOW), sec)
    assert services.ratings.subject_flags(y25, key) == ["org_part_of_year"]
    issues = services.ratings.flags(y25)
    assert {(i["kind"], i["rule"], i["subject_key"]) for i in issues} == {
        ("flag", "org_part_of_year", key)
    }
    run(rc.ProposeRating(sec.actor, tinh, key, "KHTNV"), sec)
    decide = rc.DecideRating(dm.actor, tinh, key, "KHTNV", "30-QĐ/TU", day)
    refused(
        "rating.open_question_justification_required",
        lambda: run(decide, dm),
        question="org_part_of_year",
    )
    why = "Đánh giá cả năm 2025, gồm kết quả của hai xã trước ngày 01/7/2025."
    run(
        rc.DecideRating(dm.actor, tinh, key, "KHTNV", "30-QĐ/TU", day, why),
        dm,
    )
    flags = services.ratings.flags(y25, key)
    assert ("settled", "org_part_of_year") in {(f["kind"], f["rule"]) for f in flags}
    assert "consecutive_khtnv" in services.ratings.subject_flags(y25, key)


def test_a_violation_at_a_merged_commune_counts_against_the_successor(
    services, world, refused
):
    """366-QĐ/TW Điều 11.4 ("một số trường hợp cần lưu ý"): a violation counts
    against the unit where it was committed. The commune where the secretary's
    violation took place was merged into the đảng bộ xã that answers for its
    year, so the successor's leadership has a member disciplined: KHTNV
    (Điều 11, collective triggers). A violation at another unit does not."""
    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    services.today = lambda: date(2025, 7, 10)
    run(
        rc.AssignPost(
            world["admin"].actor, world["dv-a"], world["xa-a"], "head", date(2020, 1, 1)
        )
    )
    merge(world)
    new = organisation_id("xa-ab")
    y25 = run(rc.OpenCycle(sec.actor, world["tinh"], 2025), sec)
    tinh = run(rc.OpenRound(dm.actor, y25, world["tinh"]), dm)
    key = f"o:{new}"
    elsewhere = rc.RecordDiscipline(
        world["admin"].actor, world["dv-a"], "reprimand", True, date(2025, 9, 1),
        "5-QĐ/UBKT", conduct_org_id=world["cb-a"],
    )  # fmt: skip
    run(elsewhere)
    run(
        rc.SelfRate(
            sec.actor, tinh, key, "HTXSNV", 10, 10, tasks_exceeded=4, points=UNIT
        ),
        sec,
    )
    at_the_commune = rc.RecordDiscipline(
        world["admin"].actor, world["dv-a"], "reprimand", True, date(2025, 9, 2),
        "6-QĐ/UBKT", conduct_org_id=world["xa-a"],
    )  # fmt: skip
    run(at_the_commune)
    refused(
        "rating.level_not_allowed",
        lambda: run(
            rc.SelfRate(
                sec.actor, tinh, key, "HTXSNV", 10, 10, tasks_exceeded=4, points=UNIT
            ),
            sec,
        ),
        rule="member_discipline",
    )


def test_the_predecessors_open_shortcomings_follow_the_successor(
    services, world, refused
):
    """366-QĐ/TW Điều 11.1 (HTXSNV: 100% of the previous review's shortcomings
    remedied): the shortcoming found at Xã a's 2024 review is carried into the
    2025 rating of the đảng bộ xã that carries Xã a on, so HTXSNV waits for it."""
    from services import remediation_commands as mc

    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    y24 = rate_2024(services, world)
    run(
        mc.RecordShortcoming(
            sec.actor, y24, f"o:{world['xa-a']}", "MEMBER_COMMENT",
            "Chậm triển khai nghị quyết", "SUBJECTIVE", recorded_on=date(2024, 12, 10),
        ),
        sec,
    )  # fmt: skip
    services.today = lambda: date(2025, 7, 10)
    merge(world)
    new = organisation_id("xa-ab")
    y25 = run(rc.OpenCycle(sec.actor, world["tinh"], 2025), sec)
    tinh = run(rc.OpenRound(dm.actor, y25, world["tinh"]), dm)
    refused(
        "rating.level_not_allowed",
        lambda: run(
            rc.SelfRate(
                sec.actor,
                tinh,
                f"o:{new}",
                "HTXSNV",
                10,
                10,
                tasks_exceeded=4,
                points=UNIT,
            ),
            sec,
        ),
        rule="excellent_remediation",
    )


def test_a_cycle_of_a_merged_organisation_continues_on_its_successor(services, world):
    """Issue 12: a cycle opened by Xã a before the merger reviews, once
    refreshed, the subtree of the đảng bộ xã that carries it on."""
    run, sec = world["run"], world["secretary"]
    services.today = lambda: date(2025, 6, 10)
    cycle = run(rc.OpenCycle(sec.actor, world["xa-a"], 2025), sec)
    assert f"m:{world['dv-b']}" not in subjects_of(services, cycle)
    services.today = lambda: date(2025, 7, 10)
    merge(world)
    run(rc.RefreshSubjects(sec.actor, cycle), sec)
    subjects = subjects_of(services, cycle)
    assert set(subjects) == {
        f"o:{organisation_id('xa-ab')}",
        *(f"o:{world[f'cb-{x}']}" for x in "ab"),
        *(f"m:{world[f'dv-{x}']}" for x in "ab"),
    }


def test_a_chi_bo_split_in_the_year_is_flagged_for_the_authority(services, world):
    """Issue 12: Chi bộ 1, a successor of the chi bộ split on 1/7/2025, answers
    for that chi bộ only from the split on; the texts do not say how it is
    rated, so its self-rating raises the open question for the authority."""
    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    admin = world["admin"]
    services.today = lambda: date(2025, 6, 10)
    one, two = (
        run(c.FoundOrganisation(admin.actor, code, name, "cell", world["xa-a"]))
        for code, name in (("cb-1", "Chi bộ 1"), ("cb-2", "Chi bộ 2"))
    )
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.SplitOrganisation(
            dm.actor, "8-QĐ/ĐU", JULY, world["cb-a"], (one, two),
            member_moves=((world["dv-a"], one),),
        ),
        dm,
    )  # fmt: skip
    y25 = run(rc.OpenCycle(sec.actor, world["tinh"], 2025), sec)
    rid = run(rc.OpenRound(dm.actor, y25, world["xa-a"]), dm)
    run(rc.SelfRate(sec.actor, rid, f"o:{one}", "HTTNV", 10, 10, points=UNIT), sec)
    assert services.ratings.subject_flags(y25, f"o:{one}") == ["org_part_of_year"]
    other = run(rc.OpenRound(dm.actor, y25, world["xa-b"]), dm)
    run(
        rc.SelfRate(
            sec.actor, other, f"o:{world['cb-b']}", "HTTNV", 10, 10, points=UNIT
        ),
        sec,
    )
    assert services.ratings.subject_flags(y25, f"o:{world['cb-b']}") == []
