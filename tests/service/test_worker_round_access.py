"""The worker's round after a recorded read of a file (issue 14), on SQLite and
PostgreSQL, through the app's own eight views: only the views that take the
access record are locked, checked and written; the others are advanced in one
statement (:mod:`projections.idle_advance`), their change marks untouched, and
every view ends at the tip."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.service.reorganisation_world import build
from tests.store.test_worker_round_idle_views import locked_views


def test_the_round_after_an_access_record_locks_only_the_views_taking_it(
    services: Any, admin: Any, monkeypatch: Any
) -> None:
    w = build(services, admin, today=date(2025, 6, 10))
    runtime = services.projections
    runtime.catch_up()
    # As under a worker: the command leaves the views to the round.
    monkeypatch.setattr(runtime, "catch_up_written", lambda until: None)
    marks_before = runtime.change_marks()
    sec = w["secretary"]
    assert services.audit.record_access(sec.signer, sec.actor, w["dv-a"], "history")
    tip = services.ledger.max_notification_id()
    topics = {
        n.topic
        for n in services.ledger.recorder.select_notifications(
            tip, limit=1, inclusive_of_start=True
        )
    }
    taking = sorted(
        s.name for s in runtime.views.states.values() if s.topic_set & topics
    )
    assert taking
    assert len(taking) < len(runtime.views.states)
    locked = locked_views(monkeypatch)
    positions = runtime.catch_up()
    assert set(positions.values()) == {tip}
    assert sorted(locked) == taking
    marks_after = runtime.change_marks()
    for name, (mark, _position) in marks_after.items():
        if name not in taking:
            assert mark == marks_before[name][0], name
