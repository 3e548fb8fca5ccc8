"""The quota stays exact under concurrent decisions (issue 14 §3): two decision
makers decide HTXSNV at the same moment for the last place under the cap; the
round's stream is written with optimistic concurrency, so the loser's command
is re-run on the new state and refused, never saved over the quota."""

from __future__ import annotations

import threading
from datetime import date

from domain.errors import DomainError
from domain.ratings import RatingRound
from services import commands as c
from services import rating_commands as rc
from services.errors import ConflictError

PASSWORD = "mat-khau-thu-ky-01"
GOOD = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
EXCELLENT = {"c1": "10", "c2": "10", "c3": "10", "t1": "40", "t2": "30"}


def _world(services, admin, people):
    def found(code, name, kind, parent=None):
        command = c.FoundOrganisation(admin.actor, code, name, kind, parent)
        return services.handle(command, admin.signer)

    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    district = found("huyen", "Huyện ủy", "district_committee", province)
    commune = found("xa", "Đảng ủy xã", "grassroots_committee", district)
    cell = found("thon", "Chi bộ thôn", "cell", commune)
    members = [
        services.handle(
            c.EnrolMember(
                admin.actor,
                f"Đảng viên {i:02d}",
                f"DV{i:04d}",
                date(1980, 1, 1),
                date(2010, 1, 1),
                "full",
                cell,
            ),
            admin.signer,
        )
        for i in range(people)
    ]
    sessions = {}
    for username, role in (("thuky", "secretary"), ("captuy", "decision_maker")):
        services.handle(
            c.OpenAccount(
                admin.actor, username, username, (role,), PASSWORD, org_id=province
            ),
            admin.signer,
        )
        sessions[role] = services.authenticate(username, PASSWORD)
    return district, commune, [f"m:{m}" for m in members], sessions


def test_two_decisions_racing_for_the_last_place_under_the_quota(
    services, admin, monkeypatch
):
    district, commune, keys, who = _world(services, admin, 7)
    sec, dm = who["secretary"], who["decision_maker"]

    def run(session, command):
        return services.handle(command, session.signer)

    cycle = run(sec, rc.OpenCycle(sec.actor, district, 2025))
    rnd = run(dm, rc.OpenRound(dm.actor, cycle, commune))
    run(sec, rc.DefinePeerGroup(sec.actor, rnd, "dv", "Đảng viên", tuple(keys)))
    good, candidates = keys[:5], keys[5:]
    for key in good:  # 5 HTTNV: the cap is 20% of 5 = 1 HTXSNV
        run(sec, rc.SelfRate(sec.actor, rnd, key, "HTTNV", 10, 10, points=GOOD))
        run(sec, rc.ProposeRating(sec.actor, rnd, key, "HTTNV"))
        run(
            dm,
            rc.DecideRating(dm.actor, rnd, key, "HTTNV", "1-QĐ", date(2025, 12, 20)),
        )
    for key in candidates:
        run(
            sec,
            rc.SelfRate(sec.actor, rnd, key, "HTXSNV", 10, 10, 5, points=EXCELLENT),
        )
        run(sec, rc.ProposeRating(sec.actor, rnd, key, "HTXSNV"))

    # Both commands load the same version of the round before either saves.
    barrier = threading.Barrier(2, timeout=20)
    decide = RatingRound.decide
    first_attempts: set[int] = set()
    calls: list[str] = []

    def racing_decide(self, **kw):
        calls.append(kw["subject_key"])
        me = threading.get_ident()
        if me not in first_attempts:
            first_attempts.add(me)
            barrier.wait()
        return decide(self, **kw)

    monkeypatch.setattr(RatingRound, "decide", racing_decide)
    outcomes: dict[str, object] = {}

    def attempt(key):
        try:
            run(
                dm,
                rc.DecideRating(
                    dm.actor, rnd, key, "HTXSNV", "2-QĐ", date(2025, 12, 21)
                ),
            )
            outcomes[key] = "decided"
        except (DomainError, ConflictError) as refused:
            outcomes[key] = refused.code

    threads = [threading.Thread(target=attempt, args=(k,)) for k in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(map(str, outcomes.values())) in (
        ["decided", "rating.quota_exceeded"],
        ["decided", "store.conflict"],
    ), outcomes
    assert len(calls) >= 3  # the loser's command was re-run on the new state
    (groups,) = services.ratings.peer_groups(rnd)
    assert groups["excellent"] == 1
    assert groups["cap"] == 1
    levels = {s["subject_key"]: s["level"] for s in services.ratings.subjects(cycle)}
    assert sum(1 for k in candidates if levels[k] == "HTXSNV") == 1
