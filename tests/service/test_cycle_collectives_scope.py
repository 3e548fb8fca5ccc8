"""The cycle page's leadership collectives and committees (``ReadGateway.
collectives``), kept with their places and narrowed by the viewer's reach
(services/read_gateway_placed.py), on SQLite and PostgreSQL: for every viewer
the very rows the per-row rule keeps (``ReadGateway.keep``, ``may_read`` on
each row's path), and after a commune moves to another district each viewer's
rows follow the tree as it now is. The same for the cycle's rounds and the
names of the organisations the page names (kept alike)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.permissions import Read
from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro
from services.read_gateway import ReadGateway
from services.read_gateway_reports import place_of
from tests.service.reorganisation_world import JULY, PASSWORD, build


@pytest.fixture
def world(services: Any, admin: Any) -> dict[str, Any]:
    """The small province with a second district, a standing committee
    (leadership collective) at each district and commune, its 2025 cycle,
    and a viewer at every level (the member's own account too)."""
    w = build(services, admin, today=date(2025, 6, 10), communes=("a", "b", "c"))
    run, account = w["run"], w["account"]
    w["huyen2"] = run(
        c.FoundOrganisation(
            admin.actor, "huyen2", "Huyện ủy 2", "district_committee", w["tinh"]
        )
    )
    moved = date(2025, 6, 1)
    run(ro.MoveOrganisation(admin.actor, "1-QĐ/TU", moved, w["xa-c"], w["huyen2"]))
    for at in ("huyen", "huyen2", "xa-a", "xa-b", "xa-c"):
        run(
            c.FoundOrganisation(
                admin.actor, f"btv-{at}", f"Ban Thường vụ {at}",
                "leadership_collective", w[at],
            )
        )  # fmt: skip
    sec, dm = w["secretary"], w["decision_maker"]
    w["cycle"] = run(rc.OpenCycle(sec.actor, w["tinh"], 2025), sec)
    for at in ("huyen", "xa-a", "xa-b", "xa-c"):
        run(rc.OpenRound(dm.actor, w["cycle"], w[at]), dm)
    run(
        c.OpenAccount(
            admin.actor, "dangvien", "dangvien", ("member",), PASSWORD,
            org_id=w["cb-a"], member_id=w["dv-a"],
        )
    )  # fmt: skip
    w["viewers"] = {
        "province secretary": sec,
        "district keeper": account("huyen-thuky", "secretary", w["huyen"]),
        "commune a keeper": account("xa-a-thuky", "decision_maker", w["xa-a"]),
        "commune b inspection": account("xa-b-ubkt", "inspector", w["xa-b"]),
        "member of commune a": services.authenticate("dangvien", PASSWORD),
        "administrator": admin,
    }
    return w


def shown(services: Any, session: Any, cycle: UUID) -> list[dict[str, Any]]:
    return ReadGateway.for_account(services, session.account_id).collectives(cycle)


def per_row(services: Any, session: Any, cycle: UUID) -> list[dict[str, Any]]:
    """The rows the per-row rule keeps (a fresh gate, nothing kept)."""
    gate = ReadGateway.for_account(services, session.account_id)
    rows = services.ratings.collectives(cycle)
    return gate.keep(Read.SUBJECT, rows, place_of, lambda s: s.get("member_id"))


def rounds_per_row(
    services: Any, session: Any, cycle: UUID, subject: bool
) -> list[dict[str, Any]]:
    gate = ReadGateway.for_account(services, session.account_id)
    rows = services.ratings.rounds(cycle)
    if subject:
        return rows  # a subject of the cycle sees every round
    return gate.keep(Read.CYCLE, rows, lambda r: r["authority_org_id"])


def names_per_row(services: Any, session: Any, ids: list[UUID]) -> dict[str, str]:
    return ReadGateway.for_account(services, session.account_id).organisation_names(ids)


def same_as_per_row(services: Any, world: dict[str, Any]) -> None:
    """Collectives, rounds and the authorities' names: the per-row rule's."""
    cycle = world["cycle"]
    ids = [world[at] for at in ("tinh", "huyen", "huyen2", "xa-a", "xa-b", "xa-c")]
    for who, session in world["viewers"].items():
        gate = ReadGateway.for_account(services, session.account_id)
        assert gate.collectives(cycle) == per_row(services, session, cycle), who
        subject = who == "member of commune a"
        rounds = rounds_per_row(services, session, cycle, subject)
        assert gate.rounds(cycle) == rounds, who
        kept = gate.organisation_names(ids, kept=("cycle page", cycle))
        assert kept == names_per_row(services, session, ids), who


def names(rows: list[dict[str, Any]]) -> set[str]:
    return {r["name"] for r in rows}


def test_every_viewer_sees_the_rows_the_per_row_rule_keeps(services, world):
    cycle = world["cycle"]
    whole = services.ratings.collectives(cycle)
    assert {"Ban Thường vụ xa-a", "Xã b", "Huyện ủy 2"} <= names(whole)
    same_as_per_row(services, world)
    district = shown(services, world["viewers"]["district keeper"], cycle)
    assert "Ban Thường vụ xa-c" not in names(district)  # moved to huyen2
    commune = shown(services, world["viewers"]["commune a keeper"], cycle)
    assert names(commune) == {"Xã a", "Ban Thường vụ xa-a"}
    inspection = shown(services, world["viewers"]["commune b inspection"], cycle)
    assert names(inspection) == {"Xã b", "Ban Thường vụ xa-b"}
    assert shown(services, world["viewers"]["member of commune a"], cycle) == []
    assert services.kept.computed["collectives_placed"] == 1
    assert services.kept.computed["rounds_placed"] == 1
    assert services.kept.computed["names_placed"] == 1


def test_after_a_commune_moves_each_viewer_sees_the_tree_as_it_now_is(services, world):
    cycle, district = world["cycle"], world["viewers"]["district keeper"]
    assert "Ban Thường vụ xa-b" in names(shown(services, district, cycle))
    admin = world["admin"]
    move = ro.MoveOrganisation(
        admin.actor, "2-QĐ/TU", JULY, world["xa-b"], world["huyen2"]
    )
    world["run"](move)
    assert "Ban Thường vụ xa-b" not in names(shown(services, district, cycle))
    same_as_per_row(services, world)
