"""domain.audit: the scope rule, the record of a read, and what an inspector may
write (issue 5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from domain import permissions
from domain.accounts import Role
from domain.audit import FileAccessLog, access_log_id, require_in_scope
from domain.errors import DomainError

# An inspector writes only cosignatures, verification requests (of the ledger, of
# a rating) and remediation verifications, and may ask for a checkpoint.
INSPECTOR_WRITES = {
    "audit.cosign",
    "audit.verify",
    "remediation.verify",
    "ledger.checkpoint",
    "rating.hold",
}


def test_inspector_writes_nothing_else():
    allowed = {
        action
        for action, roles in permissions.PERMISSIONS.items()
        if Role.INSPECTOR in roles
    }
    assert allowed - {
        "audit.read",
        "remediation.track",
        "member.read_personal",
        "report.read",
    } <= (INSPECTOR_WRITES)
    assert {"audit.read", "audit.cosign", "audit.verify"} <= allowed


def test_scope_is_the_organisation_and_below():
    province, district, cell = uuid4(), uuid4(), uuid4()
    chain = [cell, district, province]  # the subject's organisation, then up
    require_in_scope(district, chain, subject=uuid4())
    require_in_scope(cell, chain, subject=uuid4())
    with pytest.raises(DomainError) as refused:
        require_in_scope(uuid4(), chain, subject=uuid4())
    assert refused.value.code == "audit.out_of_scope"
    with pytest.raises(DomainError):
        require_in_scope(None, chain, subject=uuid4())


def test_a_read_is_recorded_with_its_own_moment():
    subject = uuid4()
    seen = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    log = FileAccessLog.start(subject_id=subject, reader="u:1", day=seen.date())
    log.record_read(reader="u:1", view="history", seen_at=seen, late=True)
    events = log.collect_events()
    assert log.id == access_log_id(subject, "u:1", seen.date())
    assert [type(e).__name__ for e in events] == ["Started", "FileAccessed"]
    accessed: Any = events[1]
    assert accessed.seen_at == seen.isoformat()
    assert accessed.late is True
    assert log.reads == 1


@pytest.mark.parametrize(
    ("view", "seen_at", "code"),
    [
        ("gossip", datetime(2026, 1, 1, tzinfo=UTC), "audit.view_unknown"),
        ("history", datetime(2026, 1, 1), "audit.naive_time"),  # noqa: DTZ001
        ("history", datetime(2026, 1, 2, tzinfo=UTC), "audit.wrong_log"),
    ],
)
def test_a_bad_read_record_is_refused(view, seen_at, code):
    day = datetime(2026, 1, 1, tzinfo=UTC).date()
    log = FileAccessLog.start(subject_id=uuid4(), reader="u:1", day=day)
    with pytest.raises(DomainError) as refused:
        log.record_read(reader="u:1", view=view, seen_at=seen_at, late=False)
    assert refused.value.code == code
    assert log.reads == 0
