"""The subject page's remediation reads (its carried items, their summary and
the year's shortcomings) read the subject's shortcomings once a request, on
SQLite and PostgreSQL, and answer what reading each afresh answers."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections import remediation as view
from services import remediation_commands as mc
from services.read_gateway import ReadGateway
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
