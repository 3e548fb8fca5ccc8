"""The rules of ``domain.succession`` (issue 12, docs/rules.md "Reviews and
ratings across a change"), on plain facts."""

from typing import Any

import pytest

from domain.errors import DomainError
from domain.rating_state import RoundEntry
from domain.succession import (
    Carrier,
    appraising_body,
    carried_steps,
    carriers,
    ensure_not_ended,
    revising_candidates,
    succession_record,
)
from web.catalogue import message_for

LINKS = {
    "a": [{"predecessor_id": "a", "successor_id": "ab", "how": "merge",
           "decision_no": "1-QĐ", "effective_on": "2025-07-01"}],
    "ab": [{"predecessor_id": "ab", "successor_id": "abc", "how": "merge",
            "decision_no": "2-QĐ", "effective_on": "2025-10-01"}],
    "s": [{"predecessor_id": "s", "successor_id": s, "how": "split",
           "decision_no": "3-QĐ", "effective_on": "2025-07-01"} for s in ("s1", "s2")],
}  # fmt: skip
ACTIVE = {"abc", "s1", "s2"}


def walk(org: str) -> list[Carrier]:
    return carriers(org, lambda o: LINKS.get(o, []), ACTIVE.__contains__, str.upper)


def test_an_organisation_merged_twice_is_carried_on_by_the_last_successor():
    (found,) = walk("a")
    assert (found.org_id, found.name) == ("abc", "ABC")
    assert [link["decision_no"] for link in found.links] == ["1-QĐ", "2-QĐ"]
    record = succession_record("a", "Xã a", found)
    assert record["successor_name"] == "ABC"
    assert [link["successor_id"] for link in record["links"]] == ["ab", "abc"]


def test_a_split_has_several_successors_and_the_one_holding_the_subject_revises():
    found = walk("s")
    assert [c.org_id for c in found] == ["s1", "s2"]
    assert [c.org_id for c in revising_candidates(found, ["tinh", "s2", "cb"])] == [
        "s2"
    ]
    # The subject moved elsewhere: any successor may.
    assert len(revising_candidates(found, ["tinh", "other"])) == 2
    assert walk("dissolved") == []


def test_an_ended_organisation_is_refused_naming_its_successors():
    ensure_not_ended(
        ended=False, code="review.venue_ended", role="venue", name="X", successors=[]
    )
    with pytest.raises(DomainError) as caught:
        ensure_not_ended(
            ended=True,
            code="review.venue_ended",
            role="venue",
            name="Xã a",
            successors=walk("s"),
        )
    assert caught.value.details == {"venue": "Xã a", "successors": ["S1", "S2"]}
    text = message_for(caught.value.code, caught.value.details)
    assert "“Xã a”" in text
    assert "Tổ chức kế tục: “S1”, “S2”." in text
    none = message_for("rating.authority_ended", {"authority": "X", "successors": []})
    assert "không có tổ chức kế tục" in none


def step(**fields: Any) -> dict[str, Any]:
    return {**fields, "origin": {"round_id": "r", "version": 2}}


RATED = step(assessment={"level": "HTTNV"}, score=None, ceiling="HTTNV")


def test_the_self_rating_carries_and_the_proposal_only_from_the_same_living_body():
    proposal = step(level="HTTNV", note="", body="cb-a")
    entry = RoundEntry(self_rating=RATED, proposal=proposal)
    kept = carried_steps(entry, body_now="cb-a", body_active=True)
    assert kept is not None
    assert kept["proposal"] == proposal
    assert kept["proposal_dropped"] is None
    for body_now, active in (("cb-a", False), ("xa-ab", True)):
        dropped = carried_steps(entry, body_now=body_now, body_active=active)
        assert dropped is not None
        assert dropped["self_rating"] == RATED
        assert (dropped["proposal"], dropped["proposal_dropped"]) == (
            None,
            "proposer_changed",
        )
    # A proposal stored before it named its body does not carry.
    old = RoundEntry(self_rating=RATED, proposal={"level": "HTTNV", "note": ""})
    assert carried_steps(old, body_now="cb-a", body_active=True)["proposal"] is None  # type: ignore[index]


def test_nothing_carries_from_a_decided_or_untouched_entry_and_a_hold_does():
    assert carried_steps(RoundEntry(), body_now="x", body_active=True) is None
    decided = RoundEntry(self_rating=RATED, decision={"level": "HTTNV"})
    assert carried_steps(decided, body_now="x", body_active=True) is None
    held = RoundEntry(hold=step(reason="complaint", note="Đơn thư"))
    found = carried_steps(held, body_now="x", body_active=True)
    assert found is not None
    assert found["hold"]["reason"] == "complaint"
    mitigated = RoundEntry(self_rating=RATED, mitigations={"t": True})
    assert "mitigations" not in (
        carried_steps(mitigated, body_now="x", body_active=True) or {}
    )


def test_the_appraising_body_is_the_proposing_body_else_the_authority():
    assert appraising_body("cb-a", "xa") == "cb-a"
    assert appraising_body(None, "xa") == "xa"
    assert appraising_body("outside", "xa") == "xa"
