"""The read gateway reads a row once per request (services/read_gateway_memo.py),
and a command sent from the page makes it read afresh (web/dispatch.py): the
reads after a command show its effect."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from flask import g

from domain.errors import DomainError
from services import rating_commands as rc
from services.read_gateway import ReadGateway
from services.read_gateway_memo import ReadMemo, as_uuid
from web import dispatch
from web.forms import BaseForm
from web.reads import reads


def test_an_id_text_is_parsed_once_and_stays_the_same_value():
    text = str(uuid4())
    first = as_uuid(text)
    assert first == UUID(text)
    assert as_uuid(text) is first  # the cached value, not parsed again
    assert as_uuid(first) is first
    with pytest.raises(ValueError, match="hexadecimal"):
        as_uuid("khong-phai-uuid")


def test_a_row_is_read_once_until_forgotten_and_handed_out_as_a_copy():
    reads_made: list[int] = []

    def read() -> dict[str, int]:
        reads_made.append(1)
        return {"n": len(reads_made)}

    memo = ReadMemo()
    row = memo.once("k", read)
    row["n"] = 99  # a caller's change stays in its copy
    assert memo.once("k", read) == {"n": 1}
    assert len(reads_made) == 1
    memo.forget()
    assert memo.once("k", read) == {"n": 2}


def test_the_gateway_reads_a_cycle_once_per_request(kiemdiem, world, monkeypatch):
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    asked: list[UUID] = []
    real = kiemdiem.ratings.cycle_row

    def counted(cycle_id: UUID):
        asked.append(cycle_id)
        return real(cycle_id)

    monkeypatch.setattr(kiemdiem.ratings, "cycle_row", counted)
    gate = ReadGateway.for_account(kiemdiem, world.accounts["secretary"])
    assert gate.cycle_row(cycle) == gate.cycle_row(cycle)
    assert asked == [cycle]
    # The scope check still runs on every call, memo or not.
    outsider = ReadGateway.for_account(kiemdiem, uuid4())
    outsider.memo = gate.memo
    with pytest.raises(DomainError, match="auth"):
        outsider.cycle_row(cycle)


def test_the_reads_after_a_command_sent_from_a_page_show_its_effect(
    app, kiemdiem, world, monkeypatch
):
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    monkeypatch.setattr(dispatch, "signer", lambda: sec.signer)
    command = rc.SetDeadline(sec.actor, cycle, "member", "rating", date(2025, 12, 20))
    with app.test_request_context("/", method="POST"):
        g.read_gateway = ReadGateway.for_account(kiemdiem, world.accounts["secretary"])
        before = reads().cycle_row(cycle)
        assert before is not None
        assert "2025-12-20" not in str(before["deadlines"])
        form = BaseForm(meta={"csrf": False})
        dispatch.submit(command, form)
        assert not form.errors
        after = reads().cycle_row(cycle)
        assert after is not None
        assert "2025-12-20" in str(after["deadlines"])
