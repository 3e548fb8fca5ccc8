"""A rating command's cost does not grow with the round (issue 14 §3): a
command's copy of the round shares its entries, the quota counts are kept by
the events, and the cycle's subject index answers what a scan answered."""

from __future__ import annotations

import copy
import random
from datetime import date
from uuid import uuid4

from domain.ratings import RatingRound, rating_prerequisites
from domain.rulebooks import Level
from tests.unit.ratings_world import (
    ACTOR,
    BOARD,
    BTV,
    CELL,
    CELL2,
    DISTRICT,
    GRASSROOTS,
    NO_FACTS,
    OFFICE_CELL,
    cycle,
    member,
    open_round,
    rate,
)

GROUP = "dang-vien-xa"


def mkey(node):
    return f"m:{node.member_id}"


def world(people=12):
    members = [
        member(f"Đảng viên {i:02d}", CELL if i % 2 else CELL2) for i in range(people)
    ]
    c = cycle(2025, members)
    r = open_round(c, GRASSROOTS)
    r.define_peer_group(
        code=GROUP,
        name="Đảng viên",
        members=[mkey(p) for p in members],
        cycle=c,
        defined_by=ACTOR,
    )
    return c, r, [mkey(p) for p in members]


def recount(r, keys):
    levels = [r.level_of(k) for k in keys]
    return (
        sum(1 for lv in levels if lv is Level.EXCELLENT),
        sum(1 for lv in levels if lv is Level.GOOD),
    )


def test_a_commands_copy_shares_entries_and_leaves_the_original_alone():
    c, r, keys = world()
    for key in keys[:6]:
        rate(r, c, key, Level.GOOD)
    mine = copy.deepcopy(r)
    assert mine.entries is not r.entries
    assert all(mine.entries[k] is r.entries[k] for k in keys[:6])  # shared
    before = copy.deepcopy(dict(r.entries))  # a real copy, to compare with
    rate(mine, c, keys[6], Level.EXCELLENT)
    mine.rerate(
        subject_key=keys[0],
        level="HTNV",
        decision_no="13-QĐ",
        decided_on=date(2025, 12, 22),
        reason="Xếp loại lại",
        chair_responsibility=False,
        cycle=c,
        facts=NO_FACTS,
        external={},
        decided_by=ACTOR,
    )
    assert dict(r.entries) == before
    assert r.level_of(keys[0]) is Level.GOOD
    assert keys[6] not in r.entries
    assert r.quota(GROUP, c)["excellent"] == 0
    assert r.quota(GROUP, c)["good"] == 6
    assert mine.quota(GROUP, c)["excellent"] == 1
    assert mine.quota(GROUP, c)["good"] == 5


def test_the_quota_counts_match_a_recount_and_a_replay():
    c, r, keys = world(20)
    chance = random.Random(14)
    for key in keys:
        rate(r, c, key, chance.choice([Level.GOOD, Level.GOOD, Level.COMPLETED]))
    decided_good = [k for k in keys if r.level_of(k) is Level.GOOD]
    for key in decided_good[:4]:
        r.rerate(
            subject_key=key,
            level="HTNV",
            decision_no="14-QĐ",
            decided_on=date(2025, 12, 23),
            reason="Xếp loại lại",
            chair_responsibility=False,
            cycle=c,
            facts=NO_FACTS,
            external={},
            decided_by=ACTOR,
        )
    redo = next(k for k in keys if r.level_of(k) is Level.COMPLETED)
    r.order_redo(
        subject_key=redo,
        order_id=uuid4(),
        reason="Làm lại",
        chair_responsibility=False,
        cycle=c,
        ordered_by=ACTOR,
    )
    gauge = r.quota(GROUP, c)
    assert (gauge["excellent"], gauge["good"]) == recount(r, keys)
    replayed = None
    for e in r.collect_events():
        replayed = e.mutate(replayed)
    assert isinstance(replayed, RatingRound)
    assert replayed.counts == r.counts
    assert replayed.group_index == r.group_index
    assert replayed.entries == r.entries


def test_a_group_defined_after_decisions_counts_them():
    c, _r, keys = world(8)
    rest = RatingRound.open(
        round_id=uuid4(),
        cycle=c,
        authority_org_id=GRASSROOTS.org_id,
        authority_name=GRASSROOTS.name,
        opened_by=ACTOR,
    )
    for key in keys[:5]:
        rate(rest, c, key, Level.GOOD)
    rest.define_peer_group(
        code="sau", name="Sau", members=keys, cycle=c, defined_by=ACTOR
    )
    assert rest.quota("sau", c)["good"] == 5
    assert rest.group_of(keys[7]) == "sau"


def test_the_subject_index_gives_the_scans_answers():
    people = [
        member("Bí thư", CELL, posts={str(CELL.org_id): "head"}),
        member("Ủy viên", OFFICE_CELL, posts={str(BTV.org_id): "member"}),
        member("Trưởng ban", OFFICE_CELL, posts={str(BOARD.org_id): "head"}),
        *[member(f"Đảng viên {i}", CELL2) for i in range(4)],
    ]
    c = cycle(2025, people)
    index = c.index
    assert index is c.index  # built once
    for key, subject in c.subjects.items():
        assert rating_prerequisites(subject, c.subjects, index) == (
            rating_prerequisites(subject, c.subjects)
        ), key
    assert list(index.authorities) == sorted(
        {s.decides for s in c.subjects.values() if s.decides}
    )
    district = str(DISTRICT.org_id)
    assert list(index.under[district]) == sorted(
        k
        for k, s in c.subjects.items()
        if s.kind == "individual" and district in s.path
    )
    copied = copy.deepcopy(c)
    assert copied.subjects is c.subjects
    assert copied.index is index
