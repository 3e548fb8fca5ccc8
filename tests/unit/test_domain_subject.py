"""The typed subject of a cycle (đối tượng kiểm điểm): read from the rows the
cycle's events store, and written back to exactly those rows."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.rulebooks import rulebook_for_year
from domain.subjects import Subject, SubjectKey, derive_subjects
from tests.unit.ratings_world import BTV, CELL, DISTRICT, TREE, cycle, member


def test_every_derived_row_reads_and_writes_back_unchanged():
    leader = member("Lãnh đạo", posts={str(BTV.org_id): "head"})
    rows = derive_subjects(
        rulebook_for_year(2025),
        DISTRICT.org_id,
        TREE,
        [leader, member("A")],
        date(2025, 12, 1),
    )
    assert {r["kind"] for r in rows} == {"collective", "individual"}
    for row in rows:
        subject = Subject.from_payload(row)
        assert subject.as_payload() == row
        assert list(subject.as_payload()) == list(row)  # the stored order
        assert subject.subject_key == SubjectKey.parse(row["key"])


def test_a_row_of_an_earlier_release_without_newer_fields_reads_as_empty():
    row = {
        "key": f"o:{CELL.org_id}",
        "kind": "collective",
        "name": CELL.name,
        "klass": "subordinate_cell",
        "appendix": "collective",
        "org_id": str(CELL.org_id),
        "venues": [str(CELL.org_id)],
    }
    subject = Subject.from_payload(row)
    assert subject.is_collective
    assert not subject.is_individual
    assert subject.temporary_cell_id is None
    assert subject.sector is None
    assert subject.posts == {}
    assert subject.path == ()
    assert subject.venues == (str(CELL.org_id),)
    assert subject.own_org == str(CELL.org_id)


def test_a_cycle_gives_typed_frozen_subjects():
    a = member("A")
    c = cycle(2025, [a])
    subject = c.subject(str(SubjectKey.of_member(a.member_id)))
    assert isinstance(subject, Subject)
    assert subject.is_individual
    assert subject.cell_id == str(CELL.org_id)
    assert subject.own_org == str(CELL.org_id)
    with pytest.raises(dataclasses.FrozenInstanceError):
        subject.name = "B"  # type: ignore[misc]
    assert all(isinstance(s, Subject) for s in c.subjects.values())


def test_the_statistics_population_of_each_kind_of_subject():
    leader = member("Lãnh đạo", posts={str(BTV.org_id): "head"})
    c = cycle(2025, [leader, member("A")])
    populations = {s.name: s.population for s in c.subjects.values()}
    assert populations["Lãnh đạo"] == "leaders"
    assert populations["A"] == "members"
    assert populations[BTV.name] == "leadership_collectives"
    assert populations[CELL.name] == "party_orgs"
