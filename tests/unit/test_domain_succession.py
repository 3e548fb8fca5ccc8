"""Rules of a rating across a reorganisation (issue 12; docs/rules.md, "Reviews
and ratings across a change"): pure functions, no store."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.evaluation import (
    OPEN_PART_OF_YEAR,
    DisciplineFact,
    SubjectFacts,
    charged_here,
    evaluate,
)
from domain.rating_facts import part_of_year
from domain.rating_rules import (
    previous_through_predecessors,
    settle_open_questions,
)
from domain.rulebooks import Level, rulebook_for_year
from tests.unit.ratings_world import as_subject, scored

BOOK_366 = rulebook_for_year(2025)
NEW = UUID(int=1)
OLD = UUID(int=2)
ELSEWHERE = UUID(int=3)
COLLECTIVE = as_subject({"kind": "collective", "appendix": "PL1", "org_id": str(NEW)})
MERGED = ({"org_id": str(OLD), "how": "merge", "effective_on": date(2025, 7, 1)},)


@pytest.mark.parametrize(
    ("began", "ended", "expected"),
    [
        (None, None, None),
        (date(2025, 1, 1), None, None),  # the whole year
        (date(2024, 7, 1), None, None),  # founded the year before
        (date(2025, 7, 1), None, {"from": date(2025, 7, 1), "until": None}),
        (None, date(2025, 6, 30), {"from": None, "until": date(2025, 6, 30)}),
        (None, date(2025, 12, 31), None),
        (None, date(2026, 3, 1), None),
    ],
)
def test_an_organisation_exists_part_of_the_year(began, ended, expected):
    assert part_of_year(2025, began, ended) == expected


def test_a_collective_that_existed_part_of_the_year_is_an_open_question():
    """No level is refused; the question stays open even under a KHTNV
    trigger (it is the period rated, not the level) and only a written
    justification settles it."""
    existed = {"from": date(2025, 7, 1), "until": None}
    good = scored("95", Level.EXCELLENT, exceeded=4, collective=True)
    result = evaluate(BOOK_366, COLLECTIVE, good, SubjectFacts(existed=existed), 2025)
    assert result.ceiling is Level.EXCELLENT
    assert result.open_questions == (OPEN_PART_OF_YEAR,)
    low = scored("95", Level.NOT_COMPLETED, not_done=4, on_time=6, collective=True)
    result = evaluate(BOOK_366, COLLECTIVE, low, SubjectFacts(existed=existed), 2025)
    assert result.ceiling is Level.NOT_COMPLETED
    assert result.open_questions == (OPEN_PART_OF_YEAR,)
    (settled,) = settle_open_questions(
        result, Level.NOT_COMPLETED, "Cả năm, gồm hai xã cũ.", "366-QĐ/TW"
    )
    assert settled["question"] == OPEN_PART_OF_YEAR
    unchanged = evaluate(BOOK_366, COLLECTIVE, good, SubjectFacts(), 2025)
    assert unchanged.open_questions == ()


def test_conduct_at_a_merged_unit_counts_at_its_successor_only():
    """366-QĐ/TW Điều 11.4: the conduct counts where it occurred; a unit merged
    into the successor is carried on by it."""
    at_old = DisciplineFact("kl-1", "reprimand", True, date(2025, 9, 1), OLD)
    at_other = DisciplineFact("kl-2", "reprimand", True, date(2025, 9, 1), ELSEWHERE)
    merged = SubjectFacts(predecessors=MERGED).merged_from
    assert merged == frozenset({OLD})
    assert charged_here(at_old, NEW, merged)
    assert not charged_here(at_old, NEW)
    assert not charged_here(at_other, NEW, merged)
    split = ({**MERGED[0], "how": "split"},)
    assert SubjectFacts(predecessors=split).merged_from == frozenset()
    good = scored("95", Level.EXCELLENT, exceeded=4, collective=True)
    facts = SubjectFacts(member_disciplines=(at_old,), predecessors=MERGED)
    result = evaluate(BOOK_366, COLLECTIVE, good, facts, 2025)
    assert result.ceiling is Level.NOT_COMPLETED
    assert [t.code for t in result.triggers] == ["member_discipline"]


def test_the_previous_decision_is_read_through_the_predecessors():
    """domain.md §5.6: a KHTNV among them is chosen, so the consecutive-KHTNV
    flag is never missed; one taken from a predecessor names it."""
    good = {"cycle_id": "c1", "year": 2024, "level": "HTTNV"}
    bad = {"cycle_id": "c2", "year": 2024, "level": "KHTNV"}
    assert previous_through_predecessors(None, []) is None
    assert previous_through_predecessors(good, [("o:a", None)]) == good
    assert previous_through_predecessors(good, [("o:a", bad)]) == {
        **bad,
        "predecessor": "o:a",
    }
    assert previous_through_predecessors(None, [("o:a", None), ("o:b", good)]) == {
        **good,
        "predecessor": "o:b",
    }
    assert previous_through_predecessors(bad, [("o:a", good)]) == bad
