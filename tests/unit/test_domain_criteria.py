"""Criteria refined by a province or unit (366 Điều 10), no I/O: the 30/70 frame
per appendix, codes, groups and points checked line by line."""

from __future__ import annotations

import pytest

from domain.criteria import CriteriaRefinement, check_items
from domain.errors import DomainError
from tests.unit.ratings_world import ACTOR, PROVINCE, oid

GOOD = [
    {"code": "1.1", "group": "general", "max_points": 10, "title": "Chính trị"},
    {"code": "1.2", "group": "general", "max_points": 10, "title": "Đạo đức"},
    {"code": "1.3", "group": "general", "max_points": 10, "title": "Tự phê bình"},
    {"code": "2.1", "group": "task", "max_points": 40, "title": "Nhiệm vụ chính"},
    {"code": "2.2", "group": "task", "max_points": 30, "title": "Nhiệm vụ khác"},
]


def test_a_refined_set_in_the_frame_is_recorded():
    refinement = CriteriaRefinement.define(
        refinement_id=oid("criteria/1"),
        org_id=PROVINCE.org_id,
        org_name=PROVINCE.name,
        appendix="PL4",
        from_year=2026,
        items=GOOD,
        defined_by=ACTOR,
    )
    assert [i["code"] for i in refinement.items] == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    (event,) = refinement.collect_events()
    assert type(event).__name__ == "CriteriaRefined"


def _with(line: int, **change):
    items = [dict(i) for i in GOOD]
    items[line - 1].update(change)
    return items


@pytest.mark.parametrize(
    ("appendix", "year", "items", "code", "details"),
    [
        ("PL4", 2023, GOOD, "criteria.not_scored", {"year": 2023}),
        ("PL4", 1990, GOOD, "criteria.year_invalid", {"year": 1990}),
        ("PL9", 2026, GOOD, "criteria.appendix_unknown", {}),
        ("PL4", 2026, [], "criteria.empty", {}),
        ("PL4", 2026, _with(2, code="Mục 2"), "criteria.code_invalid", {"line": 2}),
        ("PL4", 2026, _with(3, code="1.1"), "criteria.code_twice", {"line": 3}),
        ("PL4", 2026, _with(4, title=" "), "criteria.title_invalid", {"line": 4}),
        ("PL4", 2026, _with(5, group="khác"), "criteria.group_invalid", {"line": 5}),
        ("PL4", 2026, _with(1, max_points=0), "criteria.points_invalid", {"line": 1}),
        ("PL4", 2026, _with(1, max_points=1.5), "criteria.points_invalid", {}),
        (
            "PL4",
            2026,
            _with(5, max_points=20),
            "criteria.frame",
            {"general": 30, "task": 60, "task_max": 70},
        ),
    ],
)
def test_refusals_name_the_line(appendix, year, items, code, details):
    with pytest.raises(DomainError) as info:
        check_items(appendix, year, items)
    assert info.value.code == code
    for key, value in details.items():
        assert info.value.details[key] == value
