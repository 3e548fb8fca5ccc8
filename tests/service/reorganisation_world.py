"""The small province the reorganisation scenarios share (issue 12), built
through the bus: Tỉnh ủy > Huyện ủy > Xã a, Xã b (… and more), each commune
with a chi bộ and a member, and the province's secretary and decision maker;
the merger most of them make (Xã a and Xã b into Đảng ủy xã AB on 1/7/2025);
and the three steps of a rating. Used by test_ratings_across_reorganisation,
test_what_follows_a_reorganisation (and the files that take its fixture) and
test_decisions_across_a_change, each adding its own accounts."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from services import commands as c
from services import rating_commands as rc
from services import reorganisation_commands as ro

PASSWORD = "mat-khau-thu-nghiem"
JULY = date(2025, 7, 1)  # the merger's effective date
MEMBER = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}  # 82: HTTNV band
LOW = {"c1": "3", "c2": "3", "c3": "3", "t1": "10", "t2": "10"}  # 29: KHTNV band


def build(
    services: Any,
    admin: Any,
    *,
    today: date,
    communes: tuple[str, ...] = ("a", "b"),
) -> dict[str, Any]:
    """The province on ``today``: ``run(command, who=admin)`` sends a command,
    ``account(username, role, org_id)`` opens one (its id as ``id:<username>``)
    and signs in; ``tinh``, ``huyen``, ``xa-<x>``, ``cb-<x>`` and ``dv-<x>`` are
    the ids, ``secretary`` and ``decision_maker`` the province's sessions."""
    services.today = lambda: today

    def run(command: Any, who: Any = admin) -> Any:
        return services.handle(command, who.signer)

    def org(code: str, kind: str, parent: UUID | None, name: str) -> UUID:
        return run(c.FoundOrganisation(admin.actor, code, name, kind, parent))

    def account(username: str, role: str, org_id: UUID) -> Any:
        w[f"id:{username}"] = run(
            c.OpenAccount(
                admin.actor, username, username, (role,), PASSWORD, org_id=org_id
            )
        )
        return services.authenticate(username, PASSWORD)

    w: dict[str, Any] = {"run": run, "admin": admin, "account": account}
    w["tinh"] = org("tinh", "provincial_committee", None, "Tỉnh ủy")
    w["huyen"] = org("huyen", "district_committee", w["tinh"], "Huyện ủy")
    for x in communes:
        w[f"xa-{x}"] = org(f"xa-{x}", "grassroots_committee", w["huyen"], f"Xã {x}")
        w[f"cb-{x}"] = org(f"cb-{x}", "cell", w[f"xa-{x}"], f"Chi bộ {x}")
        w[f"dv-{x}"] = run(
            c.EnrolMember(
                admin.actor, f"Đảng viên {x}", f"DV000{x}", date(1980, 1, 1),
                date(2010, 1, 1), "full", w[f"cb-{x}"],
            )
        )  # fmt: skip
    w["secretary"] = account("thuky", "secretary", w["tinh"])
    w["decision_maker"] = account("captuy", "decision_maker", w["tinh"])
    return w


def merge(world: dict[str, Any], **option: Any) -> UUID:
    """Xã a and Xã b merged on 1/7/2025 into a new đảng ủy xã directly under the
    tỉnh ủy (the province's decision maker records it; ``option``: the
    command's further fields, e.g. ``peer_groups_follow``)."""
    dm = world["decision_maker"]
    new: UUID = world["run"](
        ro.MergeOrganisations(
            dm.actor, "1234-QĐ/TU", JULY, absorbed_ids=(world["xa-a"], world["xa-b"]),
            new_successor=ro.NewSuccessor(
                "xa-ab", "Đảng ủy xã AB", "grassroots_committee", world["tinh"]
            ),
            **option,
        ),
        dm,
    )  # fmt: skip
    return new


def rate(
    world: dict[str, Any],
    rid: UUID,
    key: str,
    level: str,
    decision_no: str,
    on: date,
    justification: str = "",
    **self_rating: Any,
) -> None:
    """The subject's self-rating, the proposal and the decision at ``level``
    (by the province's secretary and decision maker); ``self_rating``: the
    self-rating's further fields (``points``…)."""
    run, sec, dm = world["run"], world["secretary"], world["decision_maker"]
    run(rc.SelfRate(sec.actor, rid, key, level, 10, 10, **self_rating), sec)
    run(rc.ProposeRating(sec.actor, rid, key, level), sec)
    run(rc.DecideRating(dm.actor, rid, key, level, decision_no, on, justification), dm)


def kept_world(
    services: Any, admin: Any, keeper: tuple[str, str, str], today: date
) -> dict[str, Any]:
    """The small province, its 2025 cycle and the commune xa-a's round open, a
    secretary ``keeper`` = (key in the world, username, organisation key), the
    services' day set to ``today`` and kept results strict (a read the record
    cannot name fails the test)."""
    w = build(services, admin, today=date(2025, 6, 10))
    run, sec, dm = w["run"], w["secretary"], w["decision_maker"]
    w["cycle"] = run(rc.OpenCycle(sec.actor, w["tinh"], 2025), sec)
    w["round"] = run(rc.OpenRound(dm.actor, w["cycle"], w["xa-a"]), dm)
    key, username, org = keeper
    w[key] = w["account"](username, "secretary", w[org])
    services.today = lambda: today
    services.kept.strict = True
    return w
