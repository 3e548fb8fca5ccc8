"""The cycle page with its lists kept and narrowed by reach
(services/read_gateway_placed.py) is the page the per-row rule gave, byte for
byte apart from the CSRF tokens, for a viewer at every level: the province's
and a chi bộ's secretary, and each role of the district."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest

from domain.permissions import Read
from services import commands as c
from services import rating_commands as rc
from services.read_gateway import ReadGateway
from services.read_gateway_reports import place_of
from tests.conftest import ROLES

PASSWORD = "mat-khau-them-mot"
CSRF = re.compile(r"<input[^>]*csrf_token[^>]*>")


@pytest.fixture
def province_cycle(kiemdiem: Any, world: Any) -> dict[str, Any]:
    """The province's 2025 cycle (a standing committee at the province and
    at the district), the district's round, and a secretary at the province
    and at chi bộ B."""
    admin = kiemdiem.authenticate("admin", world.password("admin"))

    def run(command: Any, who: Any = admin) -> Any:
        return kiemdiem.handle(command, who.signer)

    run(
        c.FoundOrganisation(
            admin.actor, "btv-tinh", "Ban Thường vụ Tỉnh ủy Thử Nghiệm",
            "leadership_collective", world.orgs["province"],
        )
    )  # fmt: skip
    for username, org in (("tinh-thuky", "province"), ("chibo-b", "cell_b")):
        run(
            c.OpenAccount(
                admin.actor, username, username, ("secretary",), PASSWORD,
                org_id=world.orgs[org],
            )
        )  # fmt: skip
    province = kiemdiem.authenticate("tinh-thuky", PASSWORD)
    cycle = run(rc.OpenCycle(province.actor, world.orgs["province"], 2025), province)
    captuy = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    rid = run(rc.OpenRound(captuy.actor, cycle, world.orgs["district"]), captuy)
    return {"cycle": cycle, "round": rid}


def per_row_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate's lists as they were: every row asked the rule on its path."""

    def collectives(self: ReadGateway, cycle_id: UUID) -> list[dict[str, Any]]:
        self._cycle(cycle_id)
        rows = self.app.ratings.collectives(cycle_id)
        return self.keep(Read.SUBJECT, rows, place_of, lambda s: s.get("member_id"))

    def rounds(self: ReadGateway, cycle_id: UUID) -> list[dict[str, Any]]:
        self._cycle(cycle_id)
        rows = self.app.ratings.rounds(cycle_id)
        if self._own_subject(cycle_id) is not None:
            return rows
        return self.keep(Read.CYCLE, rows, lambda r: r["authority_org_id"])

    names = ReadGateway.organisation_names

    def organisation_names(self: ReadGateway, ids: Any, kept: Any = None) -> Any:
        return names(self, ids)

    monkeypatch.setattr(ReadGateway, "collectives", collectives)
    monkeypatch.setattr(ReadGateway, "rounds", rounds)
    monkeypatch.setattr(ReadGateway, "organisation_names", organisation_names)


def pages(client: Any, auth: Any, world: Any, cycle: UUID) -> dict[str, str]:
    found = {}
    logins = [(world.username(r), world.password(r)) for r in ROLES]
    for username, password in [
        *logins,
        ("tinh-thuky", PASSWORD),
        ("chibo-b", PASSWORD),
    ]:
        auth.login_as(username, password)
        response = client.get(f"/ratings/cycles/{cycle}")
        html = CSRF.sub("", response.get_data(as_text=True))
        # a refusal's page names its request: its status is compared
        found[username] = html if response.status_code == 200 else "refused"
        auth.logout()
    return found


def test_the_cycle_page_is_the_per_row_rules_for_every_viewer(
    client, auth, world, province_cycle, monkeypatch
):
    cycle = province_cycle["cycle"]
    by_reach = pages(client, auth, world, cycle)
    per_row_gate(monkeypatch)
    assert pages(client, auth, world, cycle) == by_reach
    province, district = "Ban Thường vụ Tỉnh ủy", "Ban Thường vụ Huyện ủy Đông Hà"
    assert province in by_reach["tinh-thuky"]
    assert district in by_reach["tinh-thuky"]
    assert district in by_reach["thuky"]
    assert province not in by_reach["thuky"]
    assert by_reach["kiemphieu"] == "refused"
    # the round's link, as url_for writes it
    link = f'<li><a href="/ratings/rounds/{province_cycle["round"]}">'
    assert link in by_reach["thuky"]
    assert by_reach["chibo-b"] != "refused"
    assert district not in by_reach["chibo-b"]
