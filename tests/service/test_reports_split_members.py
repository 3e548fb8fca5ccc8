"""Reports on either tree after a split (issue 12: "counts never double a
member who moved"): Chi bộ a of Xã a, split on 1/7/2025 into Chi bộ a1 (under
Xã a) and Chi bộ a2 (under Xã b), its two members placed one in each. The 2025
cycle opened before the split, so its subjects still name Chi bộ a: a report
rolled up by the tree at the report date, or by another day's tree after the
split, places each member by their own chi bộ that day (the directory's
``member_cells``), never both at the old chi bộ's first successor; before the
split, both stand under Xã a. Through the bus on SQLite and PostgreSQL."""

import re
from datetime import date

import pytest

from projections import split_subjects
from projections.ratings import tallies
from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro
from tests.service.plans import explained
from tests.service.reorganisation_world import JULY
from tests.service.test_what_follows_a_reorganisation import world

__all__ = ["world"]  # the fixture

TODAY = date(2025, 12, 31)


def members(report):
    pop = report["populations"]["members"]
    return pop["rated"] + pop["pending"] + sum(pop["exempt"].values())


@pytest.fixture
def split(services, world):
    run, admin, dm, sec = (
        world[k] for k in ("run", "admin", "decision_maker", "secretary")
    )
    services.today = lambda: date(2025, 6, 10)
    world["dv-a2"] = run(
        c.EnrolMember(
            admin.actor, "Đảng viên a2", "DV000A2", date(1981, 1, 1),
            date(2011, 1, 1), "full", world["cb-a"],
        )
    )  # fmt: skip
    world["y25"] = run(rc.OpenCycle(sec.actor, world["tinh"], 2025), sec)
    one = run(
        c.FoundOrganisation(admin.actor, "cb-a1", "Chi bộ a1", "cell", world["xa-a"])
    )
    two = run(
        c.FoundOrganisation(admin.actor, "cb-a2", "Chi bộ a2", "cell", world["xa-b"])
    )
    services.today = lambda: date(2025, 7, 10)
    run(
        ro.SplitOrganisation(
            dm.actor, "9-QĐ/HU", JULY, world["cb-a"], (one, two),
            member_moves=((world["dv-a"], one), (world["dv-a2"], two)),
        ),
        dm,
    )  # fmt: skip
    services.today = lambda: TODAY
    world["cb-a1"], world["cb-a2"] = one, two
    return world


@pytest.mark.parametrize("tree_on", [None, JULY, date(2025, 9, 1)])
def test_each_member_of_a_split_chi_bo_counts_where_the_decision_put_them(
    services, split, tree_on
):
    """The report date's tree (default) and another day's after the split: Xã a
    counts Đảng viên a, Xã b counts Đảng viên b and Đảng viên a2; the province
    counts the three once. The rows (a year with more than one cycle) and the
    cycle's statistics agree with the counters."""
    w, reports = split, services.reports

    def report(code):
        return reports.report(w[code], 2025, today=TODAY, tree_on=tree_on)

    assert members(report("xa-a")) == 1
    assert members(report("xa-b")) == 2
    assert members(report("tinh")) == 3
    children = {c["org_id"]: c["members"] for c in report("huyen")["children"]}
    assert children[str(w["xa-b"])]["pending"] == 2
    day = tree_on or TODAY
    names = {r["name"] for r in reports.subjects(w["xa-b"], 2025, day)}
    assert {"Đảng viên a2", "Đảng viên b"} <= names
    assert "Đảng viên a" not in names
    stats = reports.cycle_statistics(w["y25"], w["xa-b"], tree_on)
    assert stats["members"]["pending"] == 2


def test_before_the_split_both_stand_under_the_old_chi_bo(services, split):
    w, reports = split, services.reports
    june = date(2025, 6, 30)
    assert members(reports.report(w["xa-a"], 2025, today=TODAY, tree_on=june)) == 2
    assert members(reports.report(w["xa-b"], 2025, today=TODAY, tree_on=june)) == 1
    assert members(reports.report(w["tinh"], 2025, today=TODAY, tree_on=june)) == 3


def test_the_cycle_page_counts_each_member_with_the_successor_it_went_to(
    services, split
):
    """The cycle page's counts by place (``ReadGateway.cycle_tallies``): Chi bộ
    a is in both successors' branches, yet Xã a's secretary counts Đảng viên a
    and not Đảng viên a2, Xã b's the other way round, and Chi bộ a's own
    collective goes to its first successor only; the province counts every
    subject once, as the administrator's whole cycle."""
    from services.read_gateway import ReadGateway

    w = split
    first = min(w["cb-a1"], w["cb-a2"])  # where the chi bộ's collective stands

    def total(username):
        gate = ReadGateway.for_account(services, w[f"id:{username}"])
        return sum(gate.cycle_tallies(w["y25"])["statuses"].values())

    def subjects(username):
        gate = ReadGateway.for_account(services, w[f"id:{username}"])
        return {s["name"] for s in gate.subjects(w["y25"])}

    # Xã a: itself and Đảng viên a; Xã b: itself, Chi bộ b, Đảng viên b and
    # a2; Chi bộ a's collective once, with its first successor by id (each
    # counted it, and both Đảng viên a and a2, before: 4 and 6).
    at_a = int(first == w["cb-a1"])
    assert total("thuky-a") == 2 + at_a
    assert total("thuky-b") == 4 + (1 - at_a)
    assert "Đảng viên a2" in subjects("thuky-a")  # the list reads the old chi bộ
    admin = ReadGateway.for_account(services, w["admin"].account_id)
    whole = sum(admin.cycle_tallies(w["y25"])["statuses"].values())
    assert total("thuky") == whole


def test_the_split_chi_bo_s_subjects_are_read_by_indexes(services, split):
    """What the cycle page adds for a split chi bộ: its successors, its
    subjects in the cycle and its members' chi bộ now, each by an index (the
    successions' and members' primary keys, ``subjects_cell`` and the
    subjects' key), never a scan."""
    w, cell = split, str(split["cb-a"])
    marks = "?, ?"
    for view, sql, args in (
        ("directory", split_subjects.SPLIT_SQL.format(marks=marks), [cell, cell]),
        (
            "ratings",
            split_subjects.COUNTED_AT_SQL,
            [str(w["y25"]), cell, str(w["y25"]), f"o:{cell}"],
        ),
        (
            "directory",
            split_subjects.CELLS_SQL.format(marks=marks),
            [str(w["dv-a"]), str(w["dv-a2"])],
        ),
    ):
        plan = explained(services, view, sql, args)
        if services.ledger.sql.postgres:
            assert "Seq Scan" not in plan, plan
        else:
            assert " SCAN " not in plan, plan
            assert "USING" in plan, plan
            assert view != "ratings" or "ratings_subjects_cell" in plan, plan
    # the branch's own (cyclepage): its split chi bộ, its tallies (both views)
    branch, cycle = str(w["xa-a"]), str(w["y25"])
    assert split_subjects.split_in_branch(services.projections, branch) == {
        cell: sorted([str(w["cb-a1"]), str(w["cb-a2"])])
    }
    joined = tallies.branch_tallies_sql(cycle, branch, ["status"], [cell])
    for views, sql, args in (
        (("directory",), split_subjects.SPLIT_IN_BRANCH_SQL, [branch]),
        (("ratings", "directory"), *joined),
    ):
        with services.projections.read(*views) as cursor:
            postgres = services.ledger.sql.postgres
            if postgres:
                cursor.execute("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = cursor.execute(explain + sql, args).fetchall()
        plan = "\n".join(" ".join(str(v) for v in r) for r in rows)
        if postgres:
            assert "Seq Scan" not in plan, plan
        else:  # the successions (few) may be scanned, never the ancestors
            assert not re.search(r"\bSCAN [at]\b", plan), plan  # nor the tallies
            assert "SEARCH a " in plan, plan
