"""The remediation view's counters (issue 14): per organisation (everything
under it included, rolled up the stored path), held or history, year, status
and deadline, kept as the shortcomings change status and as open plans follow a
reorganisation; always the scope grouped, and the same after a rebuild, on
SQLite and PostgreSQL. The worklist and the dashboard's reminders read their
totals from them and only their first items."""

from datetime import date
from typing import Any

from projections.remediation_counters import URGENT
from services import remediation_commands as mc
from tests.service.reorganisation_world import merge
from tests.service.test_what_follows_a_reorganisation import (
    gate,
    ids,
    shortcoming_2024,
    split_a,
    world,
)

__all__ = ["world"]  # the fixture, imported for pytest

Counts = dict[tuple[str, int, int, str, str], int]


def kept(services: Any) -> Counts:
    rows = services.projections.query(
        "remediation", "SELECT org_id, held, year, status, deadline, n FROM {counts}"
    )
    return {
        (r["org_id"], int(r["held"]), int(r["year"]), r["status"], r["deadline"]): int(
            r["n"]
        )
        for r in rows
    }


def grouped(services: Any) -> Counts:
    """The counters as the scope's rows say they should be."""
    rows = services.projections.query(
        "remediation",
        "SELECT org_id, held, sort_year, status, deadline, due FROM {scope}",
    )
    found: Counts = {}
    for r in rows:
        due = r["deadline"] if r["status"] in URGENT else None
        assert r["due"] == due, r  # the overdue index's column, kept too
        key = (
            r["org_id"],
            int(r["held"]),
            -int(r["sort_year"]),
            r["status"],
            r["deadline"] or "",
        )
        found[key] = found.get(key, 0) + 1
    return found


def check(services: Any) -> Counts:
    """The counters equal the scope grouped, and a rebuild gives them again."""
    counts = kept(services)
    assert counts == grouped(services)
    assert all(n > 0 for n in counts.values())
    services.projections.rebuild(["remediation"])
    assert kept(services) == counts
    return counts


def test_counters_follow_status_changes_and_a_merger(services, world):
    run = world["run"]
    _, a = shortcoming_2024(world)
    _, b = shortcoming_2024(world, "b")
    _, settled = shortcoming_2024(world, "b", subject=f"o:{world['cb-b']}")
    services.today = lambda: date(2025, 3, 1)
    sec, ubkt = world["thuky-b"], world["ubkt-b"]
    run(mc.ReportRemediationProgress(sec.actor, b, "Đã dự quý I."), sec)
    run(mc.ClaimRemediation(sec.actor, b, "Đã khắc phục."), sec)
    run(mc.RefuseRemediation(ubkt.actor, b, "Chưa có minh chứng"), ubkt)
    run(mc.ClaimRemediation(sec.actor, settled, "Đã khắc phục."), sec)
    run(mc.VerifyRemediation(ubkt.actor, settled, "Đạt"), ubkt)
    counts = check(services)
    huyen = str(world["huyen"])
    assert counts[(huyen, 1, 2024, "IN_PROGRESS", "2025-06-30")] == 1
    assert counts[(huyen, 1, 2024, "NOT_DONE", "2025-06-30")] == 1
    assert counts[(huyen, 1, 2024, "VERIFIED", "2025-06-30")] == 1
    services.today = lambda: date(2025, 7, 10)
    new = merge(world)
    counts = check(services)
    # the open plans are held by the successor, history where they were
    assert counts[(str(new), 1, 2024, "IN_PROGRESS", "2025-06-30")] == 1
    assert counts[(str(new), 1, 2024, "NOT_DONE", "2025-06-30")] == 1
    assert counts[(str(world["xa-a"]), 0, 2024, "IN_PROGRESS", "2025-06-30")] == 1
    assert (str(world["xa-a"]), 1, 2024, "IN_PROGRESS", "2025-06-30") not in counts
    # the settled one stayed where it was
    assert counts[(str(world["xa-b"]), 1, 2024, "VERIFIED", "2025-06-30")] == 1
    totals = services.remediation.status_counts(world["xa-a"], 2024)
    assert (totals["total"], totals["IN_PROGRESS"], totals["overdue"]) == (1, 1, 1)
    work = services.remediation.worklist(new)
    assert ids(work["overdue"]) == ids(
        [{"shortcoming_id": str(a)}, {"shortcoming_id": str(b)}]
    )
    assert work["overdue_count"] == 2
    assert services.remediation.worklist(world["xa-a"])["overdue_count"] == 0


def test_counters_follow_a_split(services, world):
    shortcoming_2024(world)
    shortcoming_2024(world, subject=f"o:{world['xa-a']}")
    services.today = lambda: date(2025, 7, 10)
    one, two = split_a(world)
    counts = check(services)
    for org in (one, two):
        assert counts[(str(org), 1, 2024, "IN_PROGRESS", "2025-06-30")] == 1
    assert counts[(str(world["xa-a"]), 0, 2024, "IN_PROGRESS", "2025-06-30")] == 2
    # the huyện ủy holds both still (it is on both new paths)
    assert counts[(str(world["huyen"]), 1, 2024, "IN_PROGRESS", "2025-06-30")] == 2


def test_worklist_and_reminders_read_the_first_items_and_count_the_rest(
    services, world
):
    run = world["run"]
    items = [shortcoming_2024(world)[1] for _ in range(3)]
    _, claimed = shortcoming_2024(world)
    sec = world["thuky-a"]
    services.today = lambda: date(2025, 7, 10)
    run(mc.ClaimRemediation(sec.actor, claimed, "Đã khắc phục."), sec)
    work = services.remediation.worklist(world["huyen"], first=2)
    assert (work["overdue_count"], work["awaiting_count"]) == (3, 1)
    assert len(work["overdue"]) == 2
    assert ids(work["overdue"]) < {*items}
    assert ids(work["awaiting"]) == {claimed}
    full = services.remediation.worklist(world["huyen"])
    assert ids(full["overdue"]) == {*items}
    # the dashboard shows the worklist's first items, and how many there are
    reminded = gate(services, world, "thuky-a").remediation.reminders()
    assert reminded["count"] == 3
    assert [r["shortcoming_id"] for r in reminded["items"]] == [
        r["shortcoming_id"] for r in full["overdue"]
    ]
    account = services.account(world["id:thuky-a"])
    few = services.remediation.reminders(account, first=1)
    assert few["count"] == 3
    assert few["items"][0]["shortcoming_id"] == full["overdue"][0]["shortcoming_id"]
    # nothing overdue before the deadline; due soon counted, not overdue
    services.today = lambda: date(2025, 6, 20)
    assert services.remediation.worklist(world["huyen"])["overdue_count"] == 0
    counts = services.remediation.status_counts(world["huyen"])
    assert (counts["overdue"], counts["due_soon"], counts["total"]) == (0, 3, 4)
