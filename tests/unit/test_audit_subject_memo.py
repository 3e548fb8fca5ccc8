"""The inspection committee's reads of one request replay a subject's stream
once (issue 14: the history page replayed a member's file twice, for the page
and for its pending reads), and check the viewer's scope at every call: a
refusal is never kept, nor skipped for a subject already read."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest

from domain.errors import DomainError
from services.read_gateway_memo import ReadMemo
from services.read_gateway_more import AuditReads


@dataclass
class FakeAudit:
    refuse: bool = False
    loads: list[Any] = field(default_factory=list)
    checks: list[Any] = field(default_factory=list)

    def subject(self, subject_id):
        self.loads.append(subject_id)
        return SimpleNamespace(subject_id=subject_id, org_id=None, version=3)

    def authorise_read(self, actor, subject):
        self.checks.append((actor, subject.subject_id))
        if self.refuse:
            raise DomainError("audit.out_of_scope")

    def history(self, actor, subject_id, **filters):
        subject = self.subject(subject_id)
        self.authorise_read(actor, subject)
        return SimpleNamespace(subject=subject)

    def pending_reads(self, subject_id):
        return []


def _reads(audit: FakeAudit) -> AuditReads:
    gate = SimpleNamespace(app=SimpleNamespace(audit=audit), memo=ReadMemo())
    gate.actor = "u:reader"
    return AuditReads(gate)


def test_one_replay_a_request_and_the_scope_checked_at_every_call():
    audit = FakeAudit()
    reads, subject = _reads(audit), uuid4()
    reads.history(subject)
    reads.pending_reads(subject)
    reads.readable_subject(subject)
    assert audit.loads == [subject]
    assert audit.checks == [("u:reader", subject)] * 3


def test_a_refusal_is_raised_at_every_call_even_for_a_subject_read():
    audit = FakeAudit()
    reads, subject = _reads(audit), uuid4()
    reads.readable_subject(subject)
    audit.refuse = True
    for _ in range(2):
        with pytest.raises(DomainError):
            reads.pending_reads(subject)
    assert len(audit.checks) == 3


def test_after_a_command_the_subject_is_replayed_again():
    audit = FakeAudit()
    reads, subject = _reads(audit), uuid4()
    reads.readable_subject(subject)
    reads.gate.memo.forget()
    reads.readable_subject(subject)
    assert audit.loads == [subject, subject]
