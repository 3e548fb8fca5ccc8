"""A 2025 rating decision seen by the inspection committee (issue 5 on top of
the rating issue): who decided, why, under which rulebook, its proof bundle, and
the round's versions compared field by field. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from domain.errors import DomainError
from ledger import bundle
from services import commands as c
from services import rating_commands as rc

PASSWORDS = {"thuky": "mat-khau-thu-ky", "captuy": "mat-khau-cap-uy"}
INSPECTOR_PASSWORD = "mat-khau-kiem-tra"


def test_committee_reads_a_2025_decision(services, admin):
    def found(code, name, kind, parent=None):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    district = found("huyen", "Huyện ủy Đông", "district_committee", province)
    commune = found("xa", "Đảng ủy xã Tây", "grassroots_committee", district)
    cell = found("thon-1", "Chi bộ thôn 1", "cell", commune)
    member = services.handle(
        c.EnrolMember(
            admin.actor,
            "Nguyễn Văn An",
            "DV0001",
            date(1980, 1, 1),
            date(2010, 1, 1),
            "full",
            cell,
        ),
        admin.signer,
    )
    sessions = {}
    for username, role, org in (
        ("thuky", "secretary", province),
        ("captuy", "decision_maker", province),
        ("ubkt", "inspector", district),
    ):
        password = PASSWORDS.get(username, INSPECTOR_PASSWORD)
        services.handle(
            c.OpenAccount(
                admin.actor, username, f"Ông {username}", (role,), password, org_id=org
            ),
            admin.signer,
        )
        sessions[role] = services.authenticate(username, password)
    sec, dm, ubkt = (sessions[r] for r in ("secretary", "decision_maker", "inspector"))

    def run(session, command):
        return services.handle(command, session.signer)

    cycle = run(
        sec,
        rc.OpenCycle(
            sec.actor,
            district,
            2025,
            deadlines=(("member", "rating", date(2025, 12, 20)),),
            reference_date=date(2025, 12, 1),
        ),
    )
    rid = run(dm, rc.OpenRound(dm.actor, cycle, commune))
    cell_review = run(sec, rc.OpenReview(sec.actor, cycle, f"o:{cell}", cell))
    run(sec, rc.CirculateReport(sec.actor, cell_review, "Mẫu 01", date(2025, 12, 1)))
    run(sec, rc.HoldMeeting(sec.actor, cell_review, date(2025, 12, 5), 9, "BB", "KL"))
    key = f"m:{member}"
    review = run(sec, rc.OpenReview(sec.actor, cycle, key, cell))
    run(
        sec,
        rc.SubmitSelfReview(
            sec.actor,
            review,
            "2B",
            {"strengths": "Tốt", "shortcomings": "Chậm", "measures": "Sửa"},
        ),
    )
    run(sec, rc.HoldMeeting(sec.actor, review, date(2025, 12, 5), 9, "BB", "KL"))
    points = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
    run(sec, rc.SelfRate(sec.actor, rid, key, "HTTNV", 10, 10, points=points))
    run(sec, rc.ProposeRating(sec.actor, rid, key, "HTTNV"))
    run(
        dm,
        rc.DecideRating(dm.actor, rid, key, "HTTNV", "15-QĐ/ĐU", date(2025, 12, 18)),
    )

    # The member's file shows the decision: who, with which key, and why.
    found_history = services.audit.history(ubkt.actor, member, kind="RatingDecided")
    (decided,) = found_history.items
    assert decided.entry.ok
    assert decided.entry.actor == dm.actor
    assert decided.entry.key_id == dm.signer.key_id.hex()
    why = dict(decided.explanation)
    assert why["decision_no"] == "15-QĐ/ĐU"
    assert why["rulebook_id"] == "366-QD-TW/43-HD-BTCTW"
    assert "366-QĐ/TW" in why["explanation"]

    # Its proof bundle (the member's whole file) verifies offline.
    made = services.audit.proof_bundle(ubkt.actor, member)
    report = bundle.verify_bundle(made, services.trust_root)
    assert report.ok, report.failures
    assert any(e.topic.endswith("RatingDecided") for e in report.events)

    # One file per person (issue 13): the member's own review — opened, the
    # self-review, the meeting's minutes — is in the member's file and bundle,
    # though only its first event names the member.
    whole = services.audit.history(ubkt.actor, member)
    assert {"Opened", "SelfReviewSubmitted", "MeetingHeld", "SelfRated"} <= set(
        whole.kinds
    )
    minutes = services.audit.history(ubkt.actor, member, kind="MeetingHeld")
    assert [i.entry.row.stream for i in minutes.items] == [review]
    in_bundle = {(e.stream, e.topic.rpartition(".")[2]) for e in report.events}
    assert {(str(review), "SelfReviewSubmitted"), (str(review), "MeetingHeld")} <= (
        in_bundle
    )
    # The review is listed whole: its chain is checked from version 1.
    assert str(review) in made["streams"]
    (left_out,) = (
        e.index for e in report.events if e.stream == str(review) and e.version == 2
    )
    made["events"] = [e for e in made["events"] if e["index"] != left_out]
    gap = bundle.verify_bundle(made, services.trust_root)
    assert [f.kind for f in gap.failures] == ["version_gap"]
    # The chi bộ's collective review is not in the member's file.
    assert cell_review not in {i.entry.row.stream for i in whole.items}

    # The round itself is in the inspector's scope (its authority is below the
    # district) and its versions compare field by field.
    round_subject = services.audit.readable_subject(ubkt.actor, rid)
    assert round_subject.org_id == commune
    changes = services.audit.diff(
        ubkt.actor, rid, round_subject.version - 1, round_subject.version
    )
    assert any(
        ch.field.endswith(".decision.level") and ch.after == "HTTNV" for ch in changes
    )

    # The member's review belongs to its venue (the chi bộ): an inspector of the
    # commune reads it, and the commune as of the decision day lists it.
    services.handle(
        c.OpenAccount(
            admin.actor,
            "ubkt-xa",
            "Bà Xã",
            ("inspector",),
            INSPECTOR_PASSWORD,
            org_id=commune,
        ),
        admin.signer,
    )
    local = services.authenticate("ubkt-xa", INSPECTOR_PASSWORD)
    assert services.audit.readable_subject(local.actor, review).org_id == cell
    then = services.audit.as_of(local.actor, commune, datetime.now(UTC))
    assert {s.subject_id for s in then.related} >= {cell, member, review, rid}

    # An inspector of another district reads none of it.
    other = found("huyen-2", "Huyện ủy Tây", "district_committee", province)
    services.handle(
        c.OpenAccount(
            admin.actor,
            "ubkt-tay",
            "Bà Tây",
            ("inspector",),
            INSPECTOR_PASSWORD,
            org_id=other,
        ),
        admin.signer,
    )
    outsider = services.authenticate("ubkt-tay", INSPECTOR_PASSWORD)
    with pytest.raises(DomainError) as refused:
        services.audit.history(outsider.actor, rid)
    assert refused.value.code == "audit.out_of_scope"


def test_the_demo_has_a_2025_decision_the_committee_can_open(services, admin):
    """Issue 5, tried on the demo data: the committee opens a 2025 decision, sees
    who decided it and why, and the proof bundle verifies offline."""
    from services.demo import load_demo

    result = load_demo(services, admin.signer)
    password = {a.username: a.password for a in result.accounts}["ubkt"]
    ubkt = services.authenticate("ubkt", password)
    captuy = {a.account_id: a for a in services.accounts()}
    from services.demo_ratings import DECISION_CELL, DECISION_DISTRICT
    from services.ids import organisation_id
    from services.rating_ids import cycle_id, round_id

    cycle = cycle_id(organisation_id(DECISION_DISTRICT), 2025, "annual", None)
    phu_an = round_id(cycle, organisation_id(DECISION_CELL))
    # the Phú An decision (the 2025 merger's decisions are in other rounds)
    decided = [
        e
        for e in services.ledger.read_notifications(0, 100_000)
        if e.topic.endswith("RatingDecided") and e.originator_id == phu_an
    ]
    assert len(decided) == 1
    event = services.ledger.decode(decided[0])
    assert event.actor in {f"u:{a}" for a in captuy}
    assert event.event.explanation
    assert event.event.rulebook_id.startswith("366")
    member = UUID(event.event.subject_key.split(":", 1)[1])
    history = services.audit.history(ubkt.actor, member, kind="RatingDecided")
    (item,) = history.items
    assert item.entry.ok
    assert item.entry.actor == event.actor
