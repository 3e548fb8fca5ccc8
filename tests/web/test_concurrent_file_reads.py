"""Every view of a member's file has its own access record, under concurrent
views too (issue 5's guarantee; issue 14's load test).

On SQLite (the test store), threads each with their own signed-in session view
one member's file at once: the inspector's audit history (four sessions of one
reader, so their reads are written together, services.audit_access) and the
secretary's member page. Every answer is a 200, and each reader has exactly one
``FileAccessed`` event, or one pending read, per view.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import AuthActions, World

VIEWS = 6
READERS = (("inspector", "/audit/subjects/{member}"),) * 4 + (
    ("secretary", "/members/{member}"),
) * 2


def _reader(app: Any, role: str, path: str, out: list[Any]) -> None:
    client = app.test_client()
    try:
        assert AuthActions(client).login(role).status_code == 302
        for _ in range(VIEWS):
            out.append((role, client.get(path).status_code))
    except Exception as exc:  # TESTING propagates a server error: counted as 500
        out.append((role, 500, repr(exc)))


def _records(kiemdiem: Any, world: World, role: str, days: set[Any]) -> int:
    actor = kiemdiem.account(world.accounts[role]).actor
    signed = sum(
        kiemdiem.audit.access_log(world.member_id, actor, day).reads for day in days
    )
    pending = [
        r for r in kiemdiem.audit.pending_reads(world.member_id) if r[0] == actor
    ]
    return signed + len(pending)


def test_concurrent_views_of_a_file_each_leave_a_record(
    app: Any, kiemdiem: Any, world: World
) -> None:
    began = datetime.now(UTC)
    results: list[Any] = []
    threads = [
        threading.Thread(
            target=_reader,
            args=(app, role, path.format(member=world.member_id), results),
        )
        for role, path in READERS
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted({r[1] for r in results}) == [200], results
    days = {began.date(), (datetime.now(UTC) + timedelta(seconds=1)).date()}
    assert _records(kiemdiem, world, "inspector", days) == 4 * VIEWS
    assert _records(kiemdiem, world, "secretary", days) == 2 * VIEWS
