"""What two parts of one page both ask is read once a request (the read
gateway's memo), on SQLite and PostgreSQL, and answers what reading each
afresh answers: the subject page's remediation reads (its carried items, their
summary and the year's shortcomings) the subject's shortcomings; the
inspection committee's dashboard (its to-do list, the checkpoint fold and
every page's incident banner) the log's incidents and latest checkpoint."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections import remediation as view
from services import remediation_commands as mc
from services.read_gateway import ReadGateway
from services.read_gateway_todo import TodoReads
from tests.service.test_remediation import act, open_cycle, record_2024, world

__all__ = ["world"]  # the fixture, imported for pytest


def test_the_subject_file_read_once_for_the_subject_page(services, world, monkeypatch):
    w = world
    sec = w["thuky"]
    record_2024(services, w)
    cycle = open_cycle(services, w, 2025)
    act(
        services,
        sec,
        mc.RecordShortcoming(
            sec.actor,
            cycle,
            w["key"],
            "MEMBER_COMMENT",
            "Chưa tham gia sinh hoạt đầy đủ",
            "SUBJECTIVE",
            recorded_on=date(2025, 12, 10),
        ),
    )
    reads: list[Any] = []
    real = view.shortcomings

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs)
        return real(*args, **kwargs)

    service = services.remediation
    expected = (
        service.carried(w["key"], 2025),
        service.carried_items(w["key"], 2025),
        service.items(subject_key=w["key"], year=2025),
        service.items(subject_key=w["key"], year=2024),
        service.items(subject_key=w["key"]),
    )
    assert [len(found) for found in expected[2:]] == [1, 1, 2]
    assert expected[1]
    monkeypatch.setattr(view, "shortcomings", counted)
    gate = ReadGateway.for_account(services, sec.account_id).remediation
    found = (
        gate.carried(w["key"], 2025),
        gate.carried_items(w["key"], 2025),
        gate.items(subject_key=w["key"], year=2025),
        gate.items(subject_key=w["key"], year=2024),
        gate.items(subject_key=w["key"]),
    )
    assert found == expected
    assert len(reads) == 1


def test_the_inspectors_dashboard_reads_incidents_and_checkpoint_once(
    services, world, monkeypatch
):
    w = world
    record_2024(services, w)
    services.issue_checkpoint()
    reads: list[str] = []
    for owner, name in (
        (services.audit, "incidents"),
        (services.integrator, "latest_checkpoint"),
    ):
        real = getattr(owner, name)

        def counted(*args: Any, _real: Any = real, _name: str = name) -> Any:
            reads.append(_name)
            return _real(*args)

        monkeypatch.setattr(owner, name, counted)
    gate = ReadGateway.for_account(services, w["ubkt"].account_id)
    groups = TodoReads(gate).groups()  # the to-do list
    assert "changed" in [g.code for g in groups]
    checkpoint = gate.latest_checkpoint()  # the technical fold
    incidents = gate.audit.incidents()  # the banner
    assert sorted(reads) == ["incidents", "latest_checkpoint"]
    assert checkpoint == services.integrator.latest_checkpoint() is not None
    assert incidents == services.audit.incidents()
