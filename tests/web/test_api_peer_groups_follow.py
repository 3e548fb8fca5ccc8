"""``POST /api/v1/reorganisations``: the merge decision says whether the ended
organisation's open rounds' peer groups follow (``peer_groups_follow``, a
boolean; not given: they follow, issue 12 "peer groups … follow to the
successor as the decision says"; docs/rules.md, "What follows the decision").
Acceptance through the API: the successor's round, once opened, shows the
group with its quota gauge, or none when the decision said no."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services import commands as c
from services import rating_commands as rc
from services.rating_ids import round_id

XHR = {"X-Requested-With": "XMLHttpRequest"}


@pytest.fixture
def communes(kiemdiem, world):
    """Under the district: Xã A (Chi bộ A, three members) and Xã B (Chi bộ B);
    the cycle of this year and Xã A's round with the peer group "dv"."""

    def session(role):
        return kiemdiem.authenticate(world.username(role), world.password(role))

    admin, sec, dm = session("admin"), session("secretary"), session("decision_maker")

    def run(command, who):
        return kiemdiem.handle(command, who.signer)

    def org(code, name, kind, parent):
        return run(c.FoundOrganisation(admin.actor, code, name, kind, parent), admin)

    xa_a = org("xa-a", "Đảng ủy xã A", "grassroots_committee", world.orgs["district"])
    xa_b = org("xa-b", "Đảng ủy xã B", "grassroots_committee", world.orgs["district"])
    cell = org("cb-a", "Chi bộ A", "cell", xa_a)
    org("cb-b", "Chi bộ B", "cell", xa_b)
    keys = [
        "m:" + str(run(c.EnrolMember(
            admin.actor, f"Đảng viên {i}", f"DV-PG-{i}", date(1980, 1, 1),
            date(2010, 1, 1), "full", cell,
        ), admin))
        for i in range(3)
    ]  # fmt: skip
    year = datetime.now(UTC).date().year
    cycle = run(rc.OpenCycle(sec.actor, world.orgs["district"], year), sec)
    old = run(rc.OpenRound(dm.actor, cycle, xa_a), dm)
    run(rc.DefinePeerGroup(sec.actor, old, "dv", "Đảng viên", tuple(keys)), sec)
    return {
        "xa_a": xa_a, "xa_b": xa_b, "keys": keys, "cycle": cycle,
        "run": run, "sec": sec, "dm": dm,
    }  # fmt: skip


def _merge(communes, **option):
    return {
        "operation": "merge",
        "decision_no": "20-QĐ/HU",
        "effective_on": datetime.now(UTC).date().isoformat(),
        "absorbed_ids": [str(communes["xa_a"])],
        "successor_id": str(communes["xa_b"]),
        **option,
    }


def _successor_groups(client, communes):
    run, sec, dm = communes["run"], communes["sec"], communes["dm"]
    run(rc.RefreshSubjects(sec.actor, communes["cycle"]), sec)
    rid = round_id(communes["cycle"], communes["xa_b"])
    run(rc.OpenRound(dm.actor, communes["cycle"], communes["xa_b"]), dm)
    response = client.get(f"/api/v1/rounds/{rid}", headers=XHR)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["groups"]


def test_by_default_the_peer_groups_follow_the_merger(client, auth, communes):
    auth.login("decision_maker")
    response = client.post(
        "/api/v1/reorganisations", json=_merge(communes), headers=XHR
    )
    assert response.status_code == 200, response.get_json()
    (group,) = _successor_groups(client, communes)
    assert (group["code"], group["name"]) == ("dv", "Đảng viên")
    assert sorted(group["members"]) == sorted(communes["keys"])
    assert (group["excellent"], group["good"], group["cap"]) == (0, 0, 0)


def test_the_decision_may_keep_the_peer_groups_back(client, auth, communes):
    auth.login("decision_maker")
    body = _merge(communes, peer_groups_follow=False)
    response = client.post("/api/v1/reorganisations", json=body, headers=XHR)
    assert response.status_code == 200, response.get_json()
    assert _successor_groups(client, communes) == []


def test_a_peer_groups_option_that_is_no_boolean_is_refused(
    client, auth, communes, kiemdiem
):
    auth.login("decision_maker")
    before = kiemdiem.ledger.max_notification_id()
    body = _merge(communes, peer_groups_follow="có")
    response = client.post("/api/v1/reorganisations", json=body, headers=XHR)
    assert response.status_code == 400, response.get_json()
    assert "peer_groups_follow" in str(response.get_json())
    assert kiemdiem.ledger.max_notification_id() == before
