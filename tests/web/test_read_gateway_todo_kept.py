"""The dashboard's to-do lists kept between requests (issue 14: the subjects'
groups, the open orders and a member's own steps, ``services.kept_results``):
served again while the views they read stand still, recomputed once one has
changed, the branch decided on every request and in the key; one reading of
the change marks for the whole list; a member's reminders read nothing when
all they would show is their own, left out."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services import rating_commands as rc
from services.read_gateway import ReadGateway
from services.read_gateway_todo import TodoReads
from tests.web.test_read_gateway_todo import (  # noqa: F401 - the fixture
    EAST_MEMBER,
    PASSWORD,
    WEST_MEMBER,
    lists,
    names,
    two,
)


@pytest.fixture
def kept(kiemdiem: Any, two: Any) -> Any:  # noqa: F811 - the fixture
    kiemdiem.kept.strict = True  # a read without a change mark is an error
    kiemdiem.kept.forget()
    return kiemdiem.kept


def reads_of(kiemdiem: Any, monkeypatch: Any, username: str, two: Any) -> Any:  # noqa: F811
    """The groups of one request, and the view queries it sent."""
    queries: list[str] = []
    real = kiemdiem.projections.query

    def counting(name: str, statement: str, params: Any = ()) -> Any:
        queries.append(statement)
        return real(name, statement, params)

    gate = ReadGateway.for_account(kiemdiem, two["ids"][username])
    with monkeypatch.context() as m:
        m.setattr(kiemdiem.projections, "query", counting)
        groups = TodoReads(gate).groups()
    return groups, queries


def test_a_secretary_s_groups_are_kept_until_a_rating_moves_them(
    kiemdiem,
    two,  # noqa: F811
    kept,
    monkeypatch,
):
    first, read_first = reads_of(kiemdiem, monkeypatch, "thuky-tay", two)
    again, read_again = reads_of(kiemdiem, monkeypatch, "thuky-tay", two)
    assert again == first
    assert kept.served["todo_status"] >= 1
    assert len(read_again) < len(read_first)
    assert not [q for q in read_again if "status" in q and "subjects" in q]
    # the decision moves the subject on: the proposed group is gone at once
    dm = kiemdiem.authenticate("captuy-tay", PASSWORD)
    proposed = lists(kiemdiem, two, "captuy-tay").groups()
    assert WEST_MEMBER in names(proposed, "status.proposed")
    kiemdiem.handle(
        rc.DecideRating(
            dm.actor, two["round"], two["key"], "HTTNV", "12-QĐ", date(2025, 12, 15)
        ),
        dm.signer,
    )
    after = lists(kiemdiem, two, "captuy-tay").groups()
    assert WEST_MEMBER not in names(after, "status.proposed")
    kept.forget()
    assert lists(kiemdiem, two, "captuy-tay").groups() == after


def test_the_branch_is_decided_per_request_and_in_the_key(
    kiemdiem,
    two,  # noqa: F811
    kept,
):
    """The province's secretary reads the whole cycle; a district's secretary
    asking next is served their district's only, never the kept whole."""
    province = lists(kiemdiem, two, "thuky-tinh").groups()
    assert EAST_MEMBER in {i.name for g in province for i in g.items}
    west = lists(kiemdiem, two, "thuky-tay").groups()
    assert EAST_MEMBER not in {i.name for g in west for i in g.items}
    east = lists(kiemdiem, two, "thuky").groups()
    assert WEST_MEMBER not in {i.name for g in east for i in g.items}
    assert EAST_MEMBER in names(east, "status.pending")


def test_a_member_s_own_steps_are_kept_and_their_own(
    kiemdiem,
    two,  # noqa: F811
    kept,
    monkeypatch,
):
    first, read_first = reads_of(kiemdiem, monkeypatch, "dangvien", two)
    again, read_again = reads_of(kiemdiem, monkeypatch, "dangvien", two)
    assert names(again, "own") == names(first, "own") == {EAST_MEMBER}
    assert kept.served["todo_own"] == 1
    assert len(read_again) < len(read_first)


def test_one_reading_of_the_change_marks_per_list(
    kiemdiem,
    two,  # noqa: F811
    kept,
    monkeypatch,
):
    calls: list[int] = []
    real = kiemdiem.projections.change_marks

    def counted() -> Any:
        calls.append(1)
        return real()

    monkeypatch.setattr(kiemdiem.projections, "change_marks", counted)
    lists(kiemdiem, two, "thuky-tinh").groups()  # several kept kinds asked for
    assert kept.computed["todo_status"] >= 2
    assert len(calls) == 1


def test_a_member_s_reminders_read_nothing_when_only_their_own_would_show(
    kiemdiem,
    two,  # noqa: F811
    monkeypatch,
):
    gate = ReadGateway.for_account(kiemdiem, two["ids"]["dangvien"])
    queries: list[str] = []
    real = kiemdiem.projections.query

    def counting(name: str, statement: str, params: Any = ()) -> Any:
        queries.append(statement)
        return real(name, statement, params)

    monkeypatch.setattr(kiemdiem.projections, "query", counting)
    assert gate.remediation.reminders(skip_own=True) == {"items": [], "count": 0}
    assert not [q for q in queries if "shortcoming" in q]


def test_the_marks_are_read_at_the_first_kept_result_asked_for(kiemdiem, kept):
    calls: list[int] = []
    real = kiemdiem.projections.change_marks

    def counted() -> Any:
        calls.append(1)
        return real()

    kiemdiem.projections.change_marks = counted
    try:
        with kept.once():
            pass  # a dashboard asking for nothing kept reads no marks
        assert calls == []
        with kept.once():
            kept.get("cycles", None, kiemdiem.ratings.cycles)
            kept.get("cycles", None, kiemdiem.ratings.cycles)
        assert len(calls) == 1
    finally:
        del kiemdiem.projections.change_marks


def test_the_cycles_and_the_reminders_are_kept_per_organisation(
    kiemdiem,
    two,  # noqa: F811
    kept,
):
    for username in ("thuky-tay", "thuky", "thuky-tay"):
        gate = ReadGateway.for_account(kiemdiem, two["ids"][username])
        with kept.once():
            TodoReads(gate).groups()
            found = gate.remediation.reminders(skip_own=True)
        assert set(found) == {"items", "count"}
    assert kept.served["cycles"] >= 2
    assert kept.served["reminders"] == 1  # the district's, asked again
    assert kept.sizes_kept()["reminders"] == 2  # one per organisation


def test_each_kept_list_records_every_view_it_depends_on(
    kiemdiem,
    two,  # noqa: F811
    kept,
):
    """What one kept list read is not lent to the next from the request's own
    caches (the branch's subject keys, organisation names): each then records
    the views it depends on, and moves when they do."""
    for username in ("thuky-tay", "thuky-tinh"):
        todo = lists(kiemdiem, two, username)
        todo._branch_keys()  # the request's caches filled before the lists
        for cycle in todo.open_cycles():
            todo.org_name(cycle["org_id"])
        todo.groups()
    # read by the branch's subject keys (the district's): the directory's too
    by_keys = [e for k, e in kept._kept["todo_status"].items() if k[4] is not None]
    assert len(by_keys) >= 2
    for entry in by_keys:
        assert {"directory", "ratings"} <= set(entry.marks)
