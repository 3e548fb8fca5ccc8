"""The read-your-writes wait (``projections.worker.wait_for_worker``) with the
worker's notices (``projections.views_notice``): once this process has heard a
notice, a wait polls once and then blocks until the worker announces the write
(no sleeps between polls, no poll after the notice), and when a wait of this
process found the worker running within 0.1 s, it does not poll at all; a
notice that does not come
still leaves a poll (and the presence asked) every ``FALLBACK_SECONDS``; before
any notice is heard the wait polls as before and starts the listener. The
worker announces once per new position, from its healthy views only."""

from __future__ import annotations

from typing import Any

import pytest

from projections import views_notice, worker

CLOCK = [0.0]  # the wait's clock (patched); a wait for a notice takes its time


class Notices:
    """A listener that hears ``position`` at its ``arrives_at`` wait call."""

    def __init__(self, heard: int, position: int, arrives_at: int = 1) -> None:
        self.heard = heard
        self.position = position
        self.arrives_at = arrives_at
        self.waits: list[float] = []
        self.started = False
        self.worker_seen_at = float("-inf")

    def start(self) -> None:
        self.started = True

    def wait_past(self, notification_id: int, timeout: float) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.arrives_at:
            self.heard = max(self.heard, self.position)
            return self.heard >= notification_id
        CLOCK[0] += timeout
        return False


@pytest.fixture
def polls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    asked: list[bool] = []
    CLOCK[0] = 0.0

    def progress(views: Any, app: Any, *, presence: bool = True) -> Any:
        asked.append(presence)
        return 5, (True if presence else None)  # behind the write (10)

    def sleep(seconds: float) -> None:
        CLOCK[0] += seconds

    monkeypatch.setattr(worker, "worker_progress", progress)
    monkeypatch.setattr("projections.worker.time.monotonic", lambda: CLOCK[0])
    monkeypatch.setattr("projections.worker.time.sleep", sleep)
    return asked


def test_a_heard_notice_ends_the_wait_after_one_poll(polls):
    notices = Notices(heard=3, position=10)
    assert worker.wait_for_worker(None, None, 10, 5.0, lambda _: None, notices)  # type: ignore[arg-type]
    assert polls == [True]  # the first poll (and the presence), then the notice
    assert notices.waits == [views_notice.FALLBACK_SECONDS]


def test_a_worker_seen_a_moment_ago_leaves_out_the_first_poll(polls):
    notices = Notices(heard=3, position=10)
    assert worker.wait_for_worker(None, None, 10, 5.0, lambda _: None, notices)  # type: ignore[arg-type]
    assert notices.worker_seen_at == 0.0  # the first wait's poll found it running
    notices.position = 12
    assert worker.wait_for_worker(None, None, 12, 5.0, lambda _: None, notices)  # type: ignore[arg-type]
    assert polls == [True]  # the second wait only blocked for the notice
    CLOCK[0] = 0.5  # seen too long ago: the poll (and the presence) again
    notices.position = 14
    assert worker.wait_for_worker(None, None, 14, 5.0, lambda _: None, notices)  # type: ignore[arg-type]
    assert polls == [True, True]


def test_without_the_notice_it_polls_every_fallback_period(polls):
    notices = Notices(heard=3, position=10, arrives_at=4)
    assert worker.wait_for_worker(None, None, 10, 5.0, lambda _: None, notices)  # type: ignore[arg-type]
    assert len(polls) == 4  # each wait for a notice ended by a poll till it came
    assert all(polls)  # every fallback poll asks whether a worker still runs


def test_before_any_notice_it_polls_as_before_and_starts_listening(polls):
    notices = Notices(heard=0, position=0)
    assert not worker.wait_for_worker(None, None, 10, 0.1, lambda _: None, notices)  # type: ignore[arg-type]
    assert notices.started
    assert notices.waits == []
    assert len(polls) >= 5  # 2, 4, 8, 16, 20 … ms


def test_the_notice_carries_the_lowest_healthy_position():
    positions = {"a": 40, "b": 35, "broken": 2}
    healthy = {"a": True, "b": True, "broken": False}
    assert views_notice.lowest(positions, healthy) == 35
    assert views_notice.lowest({"broken": 2}, {"broken": False}) is None


def test_the_worker_announces_once_per_new_position(monkeypatch):
    from projections.runtime import ProjectionRuntime

    sent: list[int] = []
    monkeypatch.setattr(
        views_notice, "announce", lambda _ds, _schema, position: sent.append(position)
    )
    state = type("S", (), {"healthy": True})()
    runtime: Any = ProjectionRuntime.__new__(ProjectionRuntime)
    shared = type("D", (), {"datastore": None})()
    runtime.views = type("V", (), {"shared": shared, "states": {"a": state}})()
    runtime.settings = type("T", (), {"pg_schema": "s"})()
    runtime._announced = 0
    for position in (7, 7, 9, 8):
        runtime.announce({"a": position})
    assert sent == [7, 9]
