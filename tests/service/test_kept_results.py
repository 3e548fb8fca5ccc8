"""Kept page figures (issue 14: ``services.kept_results``), through the bus
and the read gate on SQLite and PostgreSQL: a kept report, statistics and
cycle tallies are served while nothing they read has changed, and never once
a view they read has; an event no view they read takes (an access record)
leaves them kept, in inline mode and after the worker's round; the scope
check runs first, every time; a computation that reads a view some other
way is not kept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import DomainError
from domain.permissions import OUT_OF_SCOPE
from projections import read_record
from projections.view_state import prepare
from projections.view_storage import CHANGED
from services import reorganisation_commands as ro
from services import reports as reports_module
from services.kept_results import KeptResults, UncoveredRead
from services.read_gateway import ReadGateway
from services.reports import POPULATIONS
from tests.service.reorganisation_world import MEMBER, kept_world, rate

DAY = date(2025, 12, 10)


@pytest.fixture
def world(services: Any, admin: Any) -> dict[str, Any]:
    """The small province, its 2025 cycle and the commune's round open."""
    return kept_world(services, admin, ("xa_keeper", "xa-thuky", "xa-a"), DAY)


def gate(services: Any, session: Any) -> ReadGateway:
    return ReadGateway.for_account(services, session.account_id)


def counting(monkeypatch: Any) -> list[str]:
    """The heavy computations run: each call of the report's counter sums
    and of the statistics' totals."""
    calls: list[str] = []
    for name in ("counted_sums", "counted_totals"):
        real = getattr(reports_module, name)

        def counted(*args: Any, _real: Any = real, _name: str = name) -> Any:
            calls.append(_name)
            return _real(*args)

        monkeypatch.setattr(reports_module, name, counted)
    return calls


def report_of(services: Any, w: dict[str, Any]) -> Any:
    return gate(services, w["secretary"]).report_page(w["tinh"], 2025, POPULATIONS)


def test_kept_until_a_view_it_read_changes(services, world, monkeypatch):
    w = world
    calls = counting(monkeypatch)
    first = report_of(services, w)
    assert calls == ["counted_sums"]
    # Nothing changed: served, no counter read again, the same figures.
    assert report_of(services, w) == first
    assert calls == ["counted_sums"]
    assert services.kept.served["report_page"] >= 1
    # An access record (an event no view the report read takes), then the
    # worker's round (every view's position moves to the tip): still kept.
    before = services.projections.positions()
    assert services.audit.record_access(
        w["secretary"].signer, w["secretary"].actor, w["dv-a"], "history"
    )
    services.projections.catch_up()
    after = services.projections.positions()
    assert after["ratings"] > before["ratings"]  # the position moved …
    assert report_of(services, w) == first  # … the mark did not
    assert calls == ["counted_sums"]
    # A rating decided: the next page shows it.
    rate(w, w["round"], f"m:{w['dv-a']}", "HTTNV", "1-QĐ", DAY, points=MEMBER)
    rated = report_of(services, w)
    assert calls == ["counted_sums"] * 2
    members = rated[0]["populations"]["members"]
    assert members != first[0]["populations"]["members"]
    assert members["rated"] == first[0]["populations"]["members"]["rated"] + 1
    # A reorganisation (a commune renamed): the next page shows its name.
    run, dm = w["run"], w["decision_maker"]
    before_names = {c["name"] for c in rated[0]["children"]}
    run(ro.RenameByDecision(dm.actor, "5-QĐ", DAY, w["huyen"], "Huyện ủy mới"), dm)
    renamed = report_of(services, w)
    assert calls == ["counted_sums"] * 3
    assert (
        {c["name"] for c in renamed[0]["children"]}
        == {"Huyện ủy mới"}
        != (before_names)
    )
    # The day changes: computed again for the new day.
    services.today = lambda: date(2025, 12, 11)
    later = report_of(services, w)
    assert calls == ["counted_sums"] * 4
    assert later[0]["today"] == "2025-12-11"


def test_statistics_and_tallies_kept_and_invalidated(services, world, monkeypatch):
    w = world
    calls = counting(monkeypatch)
    reads = gate(services, w["secretary"])
    stats = reads.statistics_on_tree(w["cycle"], w["tinh"])
    tallies = reads.cycle_tallies(w["cycle"])
    assert gate(services, w["secretary"]).statistics_on_tree(w["cycle"], w["tinh"]) == (
        stats
    )
    assert gate(services, w["secretary"]).cycle_tallies(w["cycle"]) == tallies
    assert calls == ["counted_totals"]
    assert services.kept.served["cycle_tallies"] >= 1
    count = reads.open_items_count(w["cycle"])
    collectives = reads.collectives(w["cycle"])
    assert gate(services, w["secretary"]).open_items_count(w["cycle"]) == count
    assert gate(services, w["secretary"]).collectives(w["cycle"]) == collectives
    assert services.kept.served["open_items_count"] == 1
    assert services.kept.served["collectives_placed"] == 1  # with their places
    computed = dict(services.kept.computed)
    rate(w, w["round"], f"m:{w['dv-a']}", "HTTNV", "1-QĐ", DAY, points=MEMBER)
    again = gate(services, w["secretary"])
    assert again.statistics_on_tree(w["cycle"], w["tinh"]) != stats
    assert again.cycle_tallies(w["cycle"]) != tallies
    assert calls == ["counted_totals"] * 2
    # Each read the ratings view again, and gave what nothing kept gives.
    kept_now = again.open_items_count(w["cycle"]), again.collectives(w["cycle"])
    for kind in ("open_items_count", "collectives_placed", "cycle_tallies"):
        assert services.kept.computed[kind] == computed[kind] + 1, kind
    services.kept.forget()
    fresh = gate(services, w["secretary"])
    assert kept_now == (
        fresh.open_items_count(w["cycle"]),
        fresh.collectives(w["cycle"]),
    )


def test_the_scope_check_runs_before_a_kept_result(services, world):
    """A commune's keeper is refused the province's report and statistics
    though the process keeps them; their cycle tallies are their branch's."""
    w = world
    report_of(services, w)
    province = gate(services, w["secretary"]).cycle_tallies(w["cycle"])
    commune = gate(services, w["xa_keeper"])
    with pytest.raises(DomainError) as refused:
        commune.report_page(w["tinh"], 2025, POPULATIONS)
    assert refused.value.code == OUT_OF_SCOPE
    with pytest.raises(DomainError) as refused:
        commune.statistics_on_tree(w["cycle"], w["tinh"])
    assert refused.value.code == OUT_OF_SCOPE
    own = commune.cycle_tallies(w["cycle"])
    assert sum(own["statuses"].values()) < sum(province["statuses"].values())
    assert gate(services, w["xa_keeper"]).cycle_tallies(w["cycle"]) == own
    assert gate(services, w["secretary"]).cycle_tallies(w["cycle"]) == province


def test_a_read_the_record_does_not_cover_is_never_kept(services, world):
    """The dependency guard: a computation that takes a view's cursor
    without going through ``projections.reading`` is an error under
    ``strict`` and never kept otherwise; one that reads through it records
    exactly the views it read."""
    kept = KeptResults(services.projections)
    state = services.projections.views.state("ratings")

    def raw() -> int:
        with state.view.statement() as c:
            c.execute("SELECT 1")
        return 1

    kept.strict = True
    with pytest.raises(UncoveredRead):
        kept.get("raw", 1, raw)
    kept.strict = False
    assert kept.get("raw", 1, raw) == 1
    assert kept.get("raw", 1, raw) == 1
    assert kept.computed["raw"] == 3  # strict's too
    assert kept.served["raw"] == 0
    with read_record.recording() as record:
        services.reports.report_page(world["tinh"], 2025, POPULATIONS)
    assert {"ratings", "directory"} <= record.names
    services.kept.forget()
    with read_record.recording() as record:
        services.reports.report_page(world["tinh"], 2025, POPULATIONS)
    again = services.kept.get(
        "report_page",
        (world["tinh"], 2025, tuple(POPULATIONS), DAY, None),
        lambda: pytest.fail("computed again"),
    )
    assert again is not None
    entry = services.kept._kept["report_page"][
        (world["tinh"], 2025, tuple(POPULATIONS), DAY, None)
    ]
    assert set(entry.marks) == record.names


def test_change_marks_move_only_with_the_views_rows(services, world):
    """Inline catch-up and the worker's round: an access record moves the
    mark of no view that ignores it; a rating moves the ratings view's."""
    w = world
    marks = services.projections.change_marks()
    services.audit.record_access(
        w["secretary"].signer, w["secretary"].actor, w["dv-a"], "history"
    )
    services.projections.catch_up()
    after = services.projections.change_marks()
    for name in ("ratings", "directory", "vote_results", "remediation"):
        assert after[name][0] == marks[name][0], name
    rate(w, w["round"], f"m:{w['dv-a']}", "HTTNV", "1-QĐ", DAY, points=MEMBER)
    rated = services.projections.change_marks()
    assert rated["ratings"][0] > after["ratings"][0]
    assert rated["directory"][0] == after["directory"][0]


def test_a_kept_result_served_inside_another_counts_as_its_read(services, world):
    """A computation served a kept result of another kind (the report's day
    tree) read what that one read: the outer result is keyed on it too."""
    kept = KeptResults(services.projections)
    kept.strict = True

    def inner() -> list[dict[str, Any]]:
        return services.projections.query("directory", "SELECT 1 AS one")

    kept.get("inner", 1, inner)
    with read_record.recording() as record:
        kept.get("outer", 1, lambda: kept.get("inner", 1, inner))
    assert kept.served["inner"] == 1
    assert record.names == {"directory"}
    assert set(kept._kept["outer"][1].marks) == {"directory"}


def test_a_view_opened_without_a_change_mark_gets_one(services, world):
    """A store made before change marks: a view opened without one gets one
    at its position (a kept result is then keyed on it, not on the position,
    which the worker's round moves on every event)."""
    state = services.projections.views.state("ratings")
    view = state.view
    table = view.qualify(getattr(view, "tracking_table_name", "tracking"))
    marker = "%s" if view.postgres else "?"
    with view.transaction(commit=True) as c:
        c.execute(
            f"DELETE FROM {table} WHERE application_name = {marker}",
            (CHANGED,),
        )
    assert services.projections.change_marks()["ratings"][0] is None
    assert not prepare(state)
    mark, position = services.projections.change_marks()["ratings"]
    assert mark == position > 0
    assert not prepare(state)  # opened again: left as it is
    assert services.projections.change_marks()["ratings"] == (mark, position)


def test_the_statistics_committees_kept_and_narrowed_per_viewer(services, world):
    w = world
    whole = gate(services, w["secretary"]).statistics_committees(w["cycle"])
    assert gate(services, w["secretary"]).statistics_committees(w["cycle"]) == whole
    assert services.kept.served["committees"] == 1
    # The commune's keeper is given its branch's part of the kept list only.
    theirs = gate(services, w["xa_keeper"]).statistics_committees(w["cycle"])
    assert services.kept.served["committees"] == 2
    assert {r["org_id"] for r in theirs} < {r["org_id"] for r in whole}
    computed = services.kept.computed["committees"]
    rate(w, w["round"], f"m:{w['dv-a']}", "HTTNV", "1-QĐ", DAY, points=MEMBER)
    again = gate(services, w["secretary"]).statistics_committees(w["cycle"])
    assert services.kept.computed["committees"] == computed + 1
    services.kept.forget()
    assert gate(services, w["secretary"]).statistics_committees(w["cycle"]) == again
