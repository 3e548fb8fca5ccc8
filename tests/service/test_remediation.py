"""Remediation through the service layer, on SQLite and PostgreSQL: a
shortcoming recorded at the 2024 review is carried into 2025, blocks HTXSNV
until the inspection committee verifies it, shows overdue on its worklist, and
the views rebuild to the same rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import DomainError
from services import commands as c
from services import rating_commands as rc
from services import remediation_commands as mc
from services.remediation import plan_id

PASSWORDS = {
    "thuky": ("secretary", "mat-khau-thu-ky"),
    "captuy": ("decision_maker", "mat-khau-cap-uy"),
    "ubkt": ("inspector", "mat-khau-kiem-tra"),
    "dangvien": ("member", "mat-khau-dang-vien"),
    "ubkt2": ("inspector", "mat-khau-kiem-tra-2"),
}
POINTS = {"c1": "9", "c2": "9", "c3": "9", "t1": "40", "t2": "28"}


@pytest.fixture
def world(services, admin):
    def found(code, name, kind, parent=None):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    w: dict[str, Any] = {"admin": admin}
    w["province"] = found("tinh", "Tỉnh ủy", "provincial_committee")
    w["district"] = found("huyen", "Huyện ủy Đông", "district_committee", w["province"])
    w["other"] = found("huyen-2", "Huyện ủy Tây", "district_committee", w["province"])
    w["commune"] = found("xa", "Đảng ủy xã Tây", "grassroots_committee", w["district"])
    w["cell"] = found("thon-1", "Chi bộ thôn 1", "cell", w["commune"])
    w["member"] = services.handle(
        c.EnrolMember(
            admin.actor,
            "Nguyễn Văn An",
            "DV0001",
            date(1980, 1, 1),
            date(2010, 1, 1),
            "full",
            w["cell"],
        ),
        admin.signer,
    )
    for username, (role, password) in PASSWORDS.items():
        services.handle(
            c.OpenAccount(
                admin.actor,
                username,
                username,
                (role,),
                password,
                org_id=w["other"] if username == "ubkt2" else w["district"],
                member_id=w["member"] if role == "member" else None,
            ),
            admin.signer,
        )
        w[username] = services.authenticate(username, password)
    w["key"] = f"m:{w['member']}"
    return w


def rate(services, session, command):
    return services.handle(command, session.signer)


def act(services, session, command):
    return services.handle(command, session.signer)


def open_cycle(services, w, year):
    sec = w["thuky"]
    return rate(
        services,
        sec,
        rc.OpenCycle(sec.actor, w["district"], year, reference_date=date(year, 12, 1)),
    )


def record_2024(services, w) -> tuple[Any, Any]:
    sec = w["thuky"]
    cycle = open_cycle(services, w, 2024)
    ident = act(
        services,
        sec,
        mc.RecordShortcoming(
            sec.actor,
            cycle,
            w["key"],
            "MEMBER_COMMENT",
            "Chậm nộp báo cáo tháng",
            "SUBJECTIVE",
            recorded_on=date(2024, 12, 10),
        ),
    )
    act(
        services,
        sec,
        mc.AdoptRemediationPlan(
            sec.actor,
            (ident,),
            ("Nộp báo cáo trước ngày 25 hằng tháng",),
            w["member"],
            date(2025, 6, 30),
            "INSPECTION_COMMITTEE",
            w["district"],
            adopted_on=date(2024, 12, 20),
        ),
    )
    return cycle, ident


def test_carry_over_blocks_excellence_until_verified(services, world):
    w = world
    sec, dm, ubkt, me = w["thuky"], w["captuy"], w["ubkt"], w["dangvien"]
    _, ident = record_2024(services, w)
    item = services.remediation.item(ident)
    assert item["status"] == "IN_PROGRESS"
    assert item["year"] == 2024
    assert item["path"][0] == str(w["cell"])
    assert str(w["province"]) in item["path"]
    june = date(2025, 6, 20)  # ten days before the deadline
    assert (
        services.remediation.status_counts(w["district"], today=june)["due_soon"] == 1
    )
    assert (
        services.remediation.status_counts(w["district"], today=june, soon_days=5)[
            "due_soon"
        ]
        == 0
    )
    soon, _ = services.remediation.tracking_page(
        w["district"], urgency_filter="due_soon", today=june, limit=50
    )
    assert [r["shortcoming_id"] for r in soon] == [str(ident)]

    cycle = open_cycle(services, w, 2025)
    carried = services.remediation.carried(w["key"], 2025)
    assert carried.carried == (str(ident),)
    assert carried.verified == ()
    assert [
        r["shortcoming_id"] for r in services.remediation.carried_items(w["key"], 2025)
    ] == [str(ident)]
    rid = rate(services, dm, rc.OpenRound(dm.actor, cycle, w["commune"]))
    before = services.ledger.max_notification_id()
    with pytest.raises(DomainError) as refused:
        rate(
            services,
            sec,
            rc.SelfRate(sec.actor, rid, w["key"], "HTXSNV", 10, 10, 4, points=POINTS),
        )
    assert refused.value.code == "rating.level_not_allowed"
    assert refused.value.details["rule"] == "excellent_remediation"
    assert services.ledger.max_notification_id() == before

    rate(
        services,
        sec,
        rc.SelfRate(sec.actor, rid, w["key"], "HTTNV", 10, 10, 4, points=POINTS),
    )
    rate(services, sec, rc.ProposeRating(sec.actor, rid, w["key"], "HTTNV"))
    with pytest.raises(DomainError) as refused:
        rate(
            services,
            dm,
            rc.DecideRating(
                dm.actor, rid, w["key"], "HTXSNV", "1-QĐ", date(2025, 12, 18)
            ),
        )
    assert refused.value.details["rule"] == "excellent_remediation"

    # Overdue on the inspection committee's worklist (deadline 30/6/2025).
    work = services.remediation.worklist(w["district"], today=date(2025, 12, 4))
    assert [r["shortcoming_id"] for r in work["overdue"]] == [str(ident)]
    assert work["awaiting"] == []
    assert (work["overdue_count"], work["awaiting_count"]) == (1, 0)
    counts = services.remediation.status_counts(
        w["province"], 2024, today=date(2025, 12, 4)
    )
    assert counts["IN_PROGRESS"] == 1
    assert counts["overdue"] == 1
    assert counts["total"] == 1
    assert services.remediation.status_counts(w["other"], 2024)["total"] == 0

    # The member reports and claims; the committee verifies.
    act(
        services,
        me,
        mc.ReportRemediationProgress(
            me.actor,
            ident,
            "Đã nộp đủ báo cáo 6 tháng",
            document_reference="Sổ theo dõi của chi bộ",
            document_sha256="0f" * 32,
            reported_on=date(2025, 11, 1),
        ),
    )
    act(
        services,
        me,
        mc.ClaimRemediation(me.actor, ident, "Hoàn thành", date(2025, 11, 20)),
    )
    work = services.remediation.worklist(w["district"], today=date(2025, 12, 4))
    assert [r["shortcoming_id"] for r in work["awaiting"]] == [str(ident)]
    assert work["overdue"] == []  # claimed: now awaiting the committee
    assert (work["overdue_count"], work["awaiting_count"]) == (0, 1)
    with pytest.raises(DomainError) as refused:
        act(services, w["ubkt2"], mc.VerifyRemediation(w["ubkt2"].actor, ident))
    assert refused.value.code == "auth.out_of_scope"  # another district's committee
    act(
        services,
        ubkt,
        mc.VerifyRemediation(ubkt.actor, ident, "Đúng", date(2025, 12, 1)),
    )
    assert services.remediation.item(ident)["status"] == "VERIFIED"
    assert services.remediation.carried(w["key"], 2025).complete

    # Now the decision may be HTXSNV as far as remediation goes: the level that
    # is decided records the remediation facts it used.
    rate(
        services,
        dm,
        rc.DecideRating(dm.actor, rid, w["key"], "HTTNV", "1-QĐ", date(2025, 12, 18)),
    )
    stored = services.ledger.recorder.select_events(rid)
    decided = [s for s in stored if s.topic.endswith("RatingDecided")]
    assert decided
    assert str(ident).encode() in decided[-1].state
    steps = [h["step"] for h in services.remediation.history(ident)]
    assert steps == ["recorded", "plan_adopted", "progress", "claimed", "verified"]


def test_refusal_recurrence_and_who_may_act(services, world):
    w = world
    sec, dm, me = w["thuky"], w["captuy"], w["dangvien"]
    _, ident = record_2024(services, w)
    act(services, me, mc.ClaimRemediation(me.actor, ident, "Xong", date(2025, 3, 1)))
    before = services.ledger.max_notification_id()
    with pytest.raises(DomainError) as refused:
        act(services, dm, mc.RefuseRemediation(dm.actor, ident, " "))
    assert refused.value.code == "remediation.reason_required"
    with pytest.raises(DomainError) as refused:
        act(services, me, mc.VerifyRemediation(me.actor, ident))
    assert refused.value.code == "auth.forbidden"
    assert services.ledger.max_notification_id() == before
    # The district's committee is above the chi bộ: the higher level may refuse.
    act(
        services,
        dm,
        mc.RefuseRemediation(dm.actor, ident, "Chưa có minh chứng", date(2025, 3, 5)),
    )
    row = services.remediation.item(ident)
    assert row["status"] == "NOT_DONE"
    assert row["last_refusal"] == "Chưa có minh chứng"
    assert row["verifier"] == "HIGHER_COMMITTEE"

    cycle25 = open_cycle(services, w, 2025)
    again = act(
        services,
        sec,
        mc.RecordShortcoming(
            sec.actor,
            cycle25,
            w["key"],
            "SELF",
            "Vẫn chậm nộp báo cáo",
            "SUBJECTIVE",
            recurrence_of=ident,
            recorded_on=date(2025, 12, 5),
        ),
    )
    old = services.remediation.item(ident)
    assert old["status"] == "RECURRED"
    assert old["recurred_by"] == str(again)
    assert services.remediation.item(again)["recurrence_of"] == str(ident)
    assert services.remediation.carried(w["key"], 2025).carried == (str(ident),)
    assert services.remediation.carried(w["key"], 2026).carried == (str(again),)
    # The member cannot record, nor act on someone else's file.
    with pytest.raises(DomainError) as refused:
        act(
            services,
            me,
            mc.RecordShortcoming(
                me.actor, cycle25, w["key"], "SELF", "x", "SUBJECTIVE"
            ),
        )
    assert refused.value.code == "auth.forbidden"
    cell_key = f"o:{w['cell']}"
    other = act(
        services,
        sec,
        mc.RecordShortcoming(
            sec.actor,
            cycle25,
            cell_key,
            "HIGHER_CONCLUSION",
            "Sinh hoạt chưa đều",
            "OBJECTIVE",
            collective_responsibility="Chi ủy chưa đôn đốc",
        ),
    )
    assert plan_id(cycle25, cell_key) == plan_id(cycle25, cell_key)
    act(
        services,
        sec,
        mc.AdoptRemediationPlan(
            sec.actor,
            (other,),
            ("Họp đúng kỳ",),
            w["member"],
            date(2026, 3, 1),
            "HIGHER_COMMITTEE",
            w["commune"],
            adopted_on=date(2025, 12, 6),
        ),
    )
    with pytest.raises(DomainError) as refused:
        act(services, me, mc.ClaimRemediation(me.actor, other, "Xong"))
    assert refused.value.code == "remediation.not_own"
    # Rebuilt from the events, the view has the same rows (refusal, recurrence,
    # a collective's file).
    before = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == before
    assert services.remediation.item(ident)["status"] == "RECURRED"


def test_rebuild_gives_the_same_remediation_view(services, world):
    w = world
    _, ident = record_2024(services, w)
    me = w["dangvien"]
    act(services, me, mc.ClaimRemediation(me.actor, ident, "Xong", date(2025, 3, 1)))
    before = services.projections.digest()
    services.projections.rebuild()
    assert services.projections.digest() == before
    assert services.remediation.item(ident)["status"] == "DONE"


@pytest.mark.slow
def test_the_demo_carries_an_open_2024_shortcoming_into_2025(services, admin):
    """Issue 6, "Done when" 2: recorded at the 2024 review, still open in 2025,
    in the 2025 review, blocking HTXSNV, overdue on the committee's worklist."""
    from services.demo import load_demo
    from services.demo_ratings import DECISION_CELL
    from services.demo_remediation import DEMO_SHORTCOMING
    from services.ids import organisation_id
    from services.rating_ids import cycle_id, round_id

    load_demo(services, admin.signer)
    province = organisation_id("tinh-uy-song-hong")
    district = organisation_id("huyen-uy-phu-loc")
    for username, role in (("thuky2", "secretary"), ("ubkt2", "inspector")):
        services.handle(
            c.OpenAccount(
                admin.actor,
                username,
                username,
                (role,),
                "mat-khau-demo-1",
                org_id=province,
            ),
            admin.signer,
        )
    sec = services.authenticate("thuky2", "mat-khau-demo-1")
    ubkt = services.authenticate("ubkt2", "mat-khau-demo-1")
    # Phú An's shortcoming; the 2025 merger's (services/demo_merger.py) is the other
    (item,) = [
        i
        for i in services.remediation.tracking_page(province, year=2024, limit=500)[0]
        if i["description"] == DEMO_SHORTCOMING
    ]
    assert item["review_id"] is not None
    assert item["status"] == "IN_PROGRESS"
    key = item["subject_key"]
    carried = services.remediation.carried(key, 2025)
    assert carried.carried == (item["shortcoming_id"],)
    assert not carried.complete
    work = services.remediation.worklist(province, today=date(2025, 12, 4))
    overdue = [r["shortcoming_id"] for r in work["overdue"]]
    assert item["shortcoming_id"] in overdue
    assert len(overdue) == 2  # and the merged đảng bộ xã's, also still open
    cycle = cycle_id(district, 2025, "annual", None)
    rid = round_id(cycle, organisation_id(DECISION_CELL))
    excellent = rc.SelfRate(sec.actor, rid, key, "HTXSNV", 10, 10, 4, points=POINTS)
    with pytest.raises(DomainError) as refused:
        rate(services, sec, excellent)
    assert refused.value.details["rule"] == "excellent_remediation"
    ident = item["shortcoming_id"]
    act(services, sec, mc.ClaimRemediation(sec.actor, ident, "Đã nộp đủ"))
    act(services, ubkt, mc.VerifyRemediation(ubkt.actor, ident, "Đã kiểm tra"))
    rate(services, sec, excellent)
    assert services.ratings.subject_row(cycle, key)["self_level"] == "HTXSNV"
