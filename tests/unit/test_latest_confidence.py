"""A member's latest confidence result of a year (``projections.vote_results.
latest_confidence(s)``, read by the rating rules): the tally published last,
and between results published together (one vote listing the member for two
posts) always the same one, whatever order the rows were written in."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

import pytest

from projections.vote_results import (
    VoteResults,
    latest_confidence,
    latest_confidences,
)

MEMBER = UUID("00000000-0000-4000-8000-00000000000a")
OTHER = UUID("00000000-0000-4000-8000-00000000000b")
VOTE_1 = "00000000-0000-4000-8000-000000000001"
VOTE_2 = "00000000-0000-4000-8000-000000000002"


class Views:
    """The one query the functions make, against the view's real table and
    index in an in-memory SQLite database."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.row_factory = sqlite3.Row
        self.db.execute(f"CREATE TABLE results ({VoteResults.tables['results']})")
        table, columns = VoteResults.indexes["results_member"]
        self.db.execute(f"CREATE INDEX results_member ON {table} ({columns})")

    def query(self, view: str, sql: str, params: Sequence[Any]) -> list[Any]:
        assert view == "vote_results"
        return self.db.execute(sql.replace("{results}", "results"), params).fetchall()

    def write(self, rows: Sequence[tuple[str, int, UUID, int, int, int]]) -> None:
        for vote_id, index, member, returned, low, published in rows:
            self.db.execute(
                "INSERT INTO results (vote_id, leader_index, member_id, name, post, "
                "vote_year, returned, low, flagged, published_at) "
                "VALUES (?, ?, ?, 'Đảng viên', 'Bí thư', 2025, ?, ?, 0, ?)",
                (vote_id, index, str(member), returned, low, published),
            )


@pytest.fixture
def views() -> Iterator[Views]:
    made = Views()
    yield made
    made.db.close()


# (vote, leader index, member, returned, low, published at)
TIED = [
    (VOTE_2, 1, MEMBER, 30, 20, 700),  # the same tally, the member's second post
    (VOTE_2, 0, MEMBER, 30, 4, 700),  # … and their first
    (VOTE_1, 0, MEMBER, 25, 1, 500),  # an earlier tally
    (VOTE_2, 2, OTHER, 30, 0, 700),
]


@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_results_published_together_are_taken_in_a_fixed_order(views, order):
    views.write(TIED if order == "as listed" else TIED[::-1])
    assert latest_confidence(views, MEMBER, 2025) == {"returned": 30, "low": 4}
    assert latest_confidences(views, [MEMBER, OTHER], 2025) == {
        str(MEMBER): {"returned": 30, "low": 4},
        str(OTHER): {"returned": 30, "low": 0},
    }


def test_the_tally_published_last_wins_and_other_years_do_not_count(views):
    views.write(
        [
            (VOTE_1, 0, MEMBER, 25, 1, 900),  # published after the other
            (VOTE_2, 0, MEMBER, 30, 4, 700),
        ]
    )
    assert latest_confidence(views, MEMBER, 2025) == {"returned": 25, "low": 1}
    assert latest_confidence(views, MEMBER, 2024) is None
    assert latest_confidences(views, [], 2025) == {}
