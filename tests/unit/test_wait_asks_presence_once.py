"""The read-your-writes wait after a command in worker mode
(``projections.worker.wait_for_worker``) asks whether a worker runs at its first
poll and then at most every ``PRESENCE_EVERY`` seconds, not at each poll (on
PostgreSQL each ask scanned ``pg_locks``); a worker that stops during the wait
is still noticed, and the views caught up here."""

from __future__ import annotations

from typing import Any

import pytest

from projections import worker


class Progress:
    """The worker reaches ``notification_id`` at poll ``reach``; it runs until
    ``stops_at`` seconds (fake clock)."""

    def __init__(self, reach: int, stops_at: float = 1e9) -> None:
        self.reach = reach
        self.stops_at = stops_at
        self.polls: list[bool] = []
        self.clock = 0.0

    def __call__(self, views: Any, app: Any, *, presence: bool = True) -> Any:
        self.polls.append(presence)
        position = 10 if len(self.polls) >= self.reach else 5
        running = self.clock < self.stops_at
        return position, (running if presence else None)


@pytest.fixture
def progress(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(found: Progress) -> Progress:
        monkeypatch.setattr(worker, "worker_progress", found)
        monkeypatch.setattr("projections.worker.time.monotonic", lambda: found.clock)

        def sleep(seconds: float) -> None:
            found.clock += seconds

        monkeypatch.setattr("projections.worker.time.sleep", sleep)
        return found

    return install


def test_presence_is_asked_once_in_a_short_wait(progress):
    found = progress(Progress(reach=5))
    caught: list[int] = []
    assert worker.wait_for_worker(None, None, 10, 1.0, caught.append)  # type: ignore[arg-type]
    assert found.polls == [True, False, False, False, False]
    assert caught == []


def test_a_long_wait_asks_again_every_tenth_of_a_second(progress):
    found = progress(Progress(reach=40))
    assert worker.wait_for_worker(None, None, 10, 5.0, lambda _: None)  # type: ignore[arg-type]
    asked = sum(found.polls)
    # 40 polls, 2 + 4 + 8 + 16 ms then 20 ms each: about 0.72 s of waiting.
    assert 6 <= asked <= 9, found.polls


def test_a_worker_that_stops_during_the_wait_is_noticed(progress):
    found = progress(Progress(reach=10**6, stops_at=0.05))
    caught: list[int] = []
    assert worker.wait_for_worker(None, None, 10, 5.0, caught.append)  # type: ignore[arg-type]
    assert caught == [10]  # caught up here, well before the bound
    assert found.clock < 0.2
