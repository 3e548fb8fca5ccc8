"""A page of a subject's history does work bounded by what it shows, whatever
the size of an event in it (a cycle's opening names every subject of a
province): the raw JSON of a body stored over twice the inline limit is not
dumped, and the ids a body names are looked for in a bounded number of values."""

from __future__ import annotations

from uuid import NAMESPACE_URL, uuid5

from services.audit_values import ids_named
from web.audit.present import RAW_LIMIT, raw_json


def test_a_small_body_is_shown_and_a_large_one_is_not_dumped():
    small = {"a": "b"}
    assert raw_json(small, stored_size=200) is not None

    class Unreadable(dict):
        def items(self):  # json.dumps would call this: it must not
            raise AssertionError("a large body was dumped")

    assert raw_json(Unreadable(x=1), stored_size=2 * RAW_LIMIT + 1) is None
    long_text = {"a": "x" * (RAW_LIMIT + 1)}
    assert raw_json(long_text, stored_size=RAW_LIMIT // 2) is None  # still checked


def test_the_ids_of_a_body_are_looked_for_within_a_budget():
    people = [str(uuid5(NAMESPACE_URL, f"m/{i}")) for i in range(5000)]
    body = {
        "actor_of": "u:" + people[0],
        "subjects": [{"member_id": p} for p in people],
    }
    everything: set[str] = set()
    ids_named(body, everything)
    assert len(everything) == 5001  # and the actor as "u:<id>"
    bounded: set[str] = set()
    budget = [100]
    ids_named(body, bounded, budget=budget)
    assert budget == [0]
    assert f"u:{people[0]}" in bounded
    assert 0 < len(bounded) < 100
