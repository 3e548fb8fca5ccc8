"""The round and subject pages' reads, on SQLite and PostgreSQL: a round's
peer groups and their quota gauges kept by the process
(``services.kept_results``, kind ``peer_groups``) while the views they were
read from stand still (served again while nothing changed, computed again
after a group is defined or a member rated, the read gate's scope check still
first on every request); the subject page's next step from what the page
read already."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from projections.ratings import reviews as review_view
from services import rating_commands as rc
from services import read_gateway_todo
from services.read_gateway import ReadGateway
from services.read_gateway_todo import TodoReads
from tests.service.reorganisation_world import MEMBER, kept_world, rate

DAY = date(2025, 12, 10)


@pytest.fixture
def world(services: Any, admin: Any) -> dict[str, Any]:
    return kept_world(services, admin, ("xa_b_keeper", "xa-b-thuky", "xa-b"), DAY)


def groups(services: Any, session: Any, rid: Any) -> list[dict[str, Any]]:
    return ReadGateway.for_account(services, session.account_id).peer_groups(rid)


def test_peer_groups_kept_until_a_view_they_read_changes(services, world):
    w = world
    run, sec = w["run"], w["secretary"]
    key = f"m:{w['dv-a']}"
    assert groups(services, sec, w["round"]) == []
    # A group defined: shown on the next request.
    run(rc.DefinePeerGroup(sec.actor, w["round"], "g1", "Đảng viên xã a", (key,)), sec)
    first = groups(services, sec, w["round"])
    assert [g["code"] for g in first] == ["g1"]
    assert groups(services, sec, w["round"]) == first
    assert services.kept.served["peer_groups"] == 1
    assert services.kept.computed["peer_groups"] == 2
    computed = services.kept.computed["peer_groups"]
    # A copy each time: changing one never changes the next request's.
    first[0]["members"] = []
    before = groups(services, sec, w["round"])
    assert before[0]["members"] == [key]
    # The member rated: the gauge counts it on the next request.
    rate(w, w["round"], key, "HTTNV", "1-QĐ", DAY, points=MEMBER)
    rated = groups(services, sec, w["round"])
    assert services.kept.computed["peer_groups"] == computed + 1
    assert rated != before
    services.kept.forget()
    assert groups(services, sec, w["round"]) == rated


def test_the_scope_check_runs_before_the_kept_groups(services, world):
    w = world
    run, sec = w["run"], w["secretary"]
    key = f"m:{w['dv-a']}"
    run(rc.DefinePeerGroup(sec.actor, w["round"], "g1", "Đảng viên xã a", (key,)), sec)
    assert groups(services, sec, w["round"])  # kept now
    assert groups(services, w["xa_b_keeper"], w["round"]) == []


def test_the_subject_pages_next_step_from_what_the_page_read(
    services, world, monkeypatch
):
    """The subject page's "who acts next" takes the subject's reviews and its
    round from what the page read already (the reviews handed in, the round
    from ``gate.memo``): no read of its own, the same answer as reading them
    afresh."""
    w = world
    run, sec = w["run"], w["secretary"]
    key = f"m:{w['dv-a']}"
    run(rc.OpenReview(sec.actor, w["cycle"], key, w["cb-a"]), sec)
    afresh = ReadGateway.for_account(services, sec.account_id)
    subject = afresh.subject_row(w["cycle"], key)
    cycle = afresh.cycle_row(w["cycle"])
    assert subject is not None
    assert cycle is not None
    expected = TodoReads(afresh).subject_item(cycle, subject)
    assert expected.step == "self_review"
    asked: list[str] = []
    for module, name in (
        (read_gateway_todo, "review_steps"),
        (read_gateway_todo, "round_exists"),
        (review_view, "cycle_reviews"),
    ):
        real = getattr(module, name)

        def counted(*args: Any, _real: Any = real, _name: str = name) -> Any:
            asked.append(_name)
            return _real(*args)

        monkeypatch.setattr(module, name, counted)
    gate = ReadGateway.for_account(services, sec.account_id)
    read = gate.reviews(w["cycle"], key)  # what the page reads first
    assert subject["decides"] == str(w["xa-a"])
    gate.round_row(w["round"])  # the subject's round, read by the page
    assert TodoReads(gate).subject_step(w["cycle"], key, read) == expected
    assert asked == ["cycle_reviews"]
