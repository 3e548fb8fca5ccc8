"""Helpers shared by the vote tests (imported by name: tests has no packages)."""

from __future__ import annotations

from datetime import date

from votes.manifest import Leader
from votes.protocol import ElectionSetup

VOTES: list[list[int | None]] = [[0, 2], [2, 2], [None, 1], [1, 2], [2, None]]


def leaders(count: int) -> list[Leader]:
    return [
        Leader(f"Lãnh đạo {i}", f"Chức vụ {i}", date(2020, 1, 1)) for i in range(count)
    ]


def small_setup(leader_count: int = 2, **overrides: object) -> ElectionSetup:
    options: dict[str, object] = {
        "leaders": leaders(leader_count),
        "trustees": 3,
        "convened": 6,
        "present": 6,
        "slip_count": 7,
    }
    options.update(overrides)
    return ElectionSetup(**options)
