"""Reports on either tree after a split (issue 12: "counts never double a
member who moved"): Chi bộ a of Xã a, split on 1/7/2025 into Chi bộ a1 (under
Xã a) and Chi bộ a2 (under Xã b), its two members placed one in each. The 2025
cycle opened before the split, so its subjects still name Chi bộ a: a report
rolled up by the tree at the report date, or by another day's tree after the
split, places each member by their own chi bộ that day (the directory's
``member_cells``), never both at the old chi bộ's first successor; before the
split, both stand under Xã a. Through the bus on SQLite and PostgreSQL."""

from datetime import date

import pytest

from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro
from tests.service.test_what_follows_a_reorganisation import JULY, world

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
