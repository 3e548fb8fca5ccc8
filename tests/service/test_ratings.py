"""Review and rating through the service layer, on SQLite and PostgreSQL."""

from datetime import date

import pytest

from domain.errors import DomainError
from services import commands as c
from services import rating_commands as rc
from services.rating_ids import round_id

PASSWORDS = {"thuky": "mat-khau-thu-ky", "captuy": "mat-khau-cap-uy"}


@pytest.fixture
def world(services, admin):
    def found(code, name, kind, parent=None):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    w = {"admin": admin}
    w["province"] = found("tinh", "Tỉnh ủy", "provincial_committee")
    w["district"] = found("huyen", "Huyện ủy Đông", "district_committee", w["province"])
    w["commune"] = found("xa", "Đảng ủy xã Tây", "grassroots_committee", w["district"])
    w["cell"] = found("thon-1", "Chi bộ thôn 1", "cell", w["commune"])
    w["members"] = [
        services.handle(
            c.EnrolMember(
                admin.actor,
                name,
                f"DV{i:04d}",
                date(1980, 1, 1),
                date(2010, 1, 1),
                "full",
                w["cell"],
            ),
            admin.signer,
        )
        for i, name in enumerate(["Nguyễn Văn An", "Trần Thị Bình"])
    ]
    for username, role in (("thuky", "secretary"), ("captuy", "decision_maker")):
        services.handle(
            c.OpenAccount(
                admin.actor,
                username,
                username,
                (role,),
                PASSWORDS[username],
                org_id=w["province"],
            ),
            admin.signer,
        )
        w[role] = services.authenticate(username, PASSWORDS[username])
    return w


def run(services, session, command):
    return services.handle(command, session.signer)


def test_a_2025_cycle_from_opening_to_statistics(services, world):
    sec, dm = world["secretary"], world["decision_maker"]
    cycle = run(
        services,
        sec,
        rc.OpenCycle(
            sec.actor,
            world["district"],
            2025,
            deadlines=(("member", "rating", date(2025, 12, 20)),),
            reference_date=date(2025, 12, 1),
        ),
    )
    row = services.ratings.cycle_row(cycle)
    assert row["rulebook_id"] == "366-QD-TW/43-HD-BTCTW"
    keys = [f"m:{m}" for m in world["members"]]
    rid = run(services, dm, rc.OpenRound(dm.actor, cycle, world["commune"]))
    assert rid == round_id(cycle, world["commune"])
    points = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
    cell_key = f"o:{world['cell']}"
    cell_review = run(
        services, sec, rc.OpenReview(sec.actor, cycle, cell_key, world["cell"])
    )
    run(
        services,
        sec,
        rc.CirculateReport(sec.actor, cell_review, "Mẫu 01", date(2025, 12, 1)),
    )
    run(
        services,
        sec,
        rc.HoldMeeting(sec.actor, cell_review, date(2025, 12, 5), 9, "BB", "KL"),
    )
    for key in keys:
        review = run(services, sec, rc.OpenReview(sec.actor, cycle, key, world["cell"]))
        run(
            services,
            sec,
            rc.SubmitSelfReview(
                sec.actor,
                review,
                "2B",
                {"strengths": "Tốt", "shortcomings": "Chậm", "measures": "Sửa"},
            ),
        )
        run(
            services,
            sec,
            rc.HoldMeeting(sec.actor, review, date(2025, 12, 5), 9, "BB", "KL"),
        )
        run(
            services,
            sec,
            rc.SelfRate(sec.actor, rid, key, "HTTNV", 10, 10, points=points),
        )
        run(services, sec, rc.ProposeRating(sec.actor, rid, key, "HTTNV"))
        run(
            services,
            dm,
            rc.DecideRating(
                dm.actor, rid, key, "HTTNV", "15-QĐ/ĐU", date(2025, 12, 18)
            ),
        )
    stats = services.ratings.statistics(cycle, world["district"])
    members = stats["members"]
    assert members["rated"] == 2
    assert members["levels"]["HTTNV"] == {
        "n": 2,
        "fraction": "2/2",
        "percent": "100,00%",
    }
    (subject,) = [
        s for s in services.ratings.subjects(cycle) if s["subject_key"] == keys[0]
    ]
    assert subject["level"] == "HTTNV"
    assert "366-QĐ/TW" in subject["explanation"]
    steps = [t["step"] for t in services.ratings.timeline(cycle, keys[0])]
    assert steps == [
        "review_opened",
        "self_review",
        "meeting",
        "self_rated",
        "proposed",
        "decided",
    ]
    items = services.ratings.open_items(cycle, today=date(2025, 12, 15))
    waiting = {(i["subject"], i["other"]) for i in items if i["kind"] == "prerequisite"}
    assert waiting == {
        ("Huyện ủy Đông", "Đảng ủy xã Tây"),
        ("Đảng ủy xã Tây", "Chi bộ thôn 1"),
    }


def test_a_refused_decision_leaves_the_store_unchanged(services, world):
    sec, dm = world["secretary"], world["decision_maker"]
    cycle = run(
        services,
        sec,
        rc.OpenCycle(
            sec.actor, world["district"], 2025, reference_date=date(2025, 12, 1)
        ),
    )
    rid = run(services, dm, rc.OpenRound(dm.actor, cycle, world["commune"]))
    before = services.ledger.max_notification_id()
    with pytest.raises(DomainError) as info:
        run(
            services,
            dm,
            rc.DecideRating(
                dm.actor, rid, f"o:{world['cell']}", "HTTNV", "1", date(2025, 12, 18)
            ),
        )
    assert info.value.code == "rating.self_rating_missing"
    with pytest.raises(DomainError) as info:
        run(
            services,
            sec,
            rc.DecideRating(
                sec.actor,
                rid,
                f"m:{world['members'][0]}",
                "HTTNV",
                "1",
                date(2025, 12, 18),
            ),
        )
    assert info.value.code == "auth.forbidden"
    assert services.ledger.max_notification_id() == before


def test_discipline_fact_reaches_the_rule(services, world):
    sec, dm = world["secretary"], world["decision_maker"]
    member = world["members"][0]
    run(
        services,
        sec,
        rc.RecordDiscipline(
            sec.actor, member, "reprimand", True, date(2025, 5, 1), "QĐ 7-QĐ/UBKT"
        ),
    )
    with pytest.raises(DomainError) as info:
        run(
            services,
            sec,
            rc.RecordDiscipline(
                sec.actor, member, "reprimand", True, date(2025, 5, 1), "QĐ 7-QĐ/UBKT"
            ),
        )
    assert info.value.code == "member.discipline_recorded"
    cycle = run(
        services,
        sec,
        rc.OpenCycle(
            sec.actor, world["district"], 2025, reference_date=date(2025, 12, 1)
        ),
    )
    rid = run(services, dm, rc.OpenRound(dm.actor, cycle, world["commune"]))
    points = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
    with pytest.raises(DomainError) as info:
        run(
            services,
            sec,
            rc.SelfRate(sec.actor, rid, f"m:{member}", "HTTNV", 10, 10, points=points),
        )
    assert info.value.code == "rating.level_not_allowed"
    assert info.value.details["rule"] == "discipline"


@pytest.mark.slow
def test_the_demo_province_walks_a_2025_cycle(services, admin):
    from services.demo import load_demo
    from services.demo_ratings import FIRST_CELL_MEMBER, LEADER_AT
    from services.ids import organisation_id

    load_demo(services, admin.signer)
    for username, role in (("thuky2", "secretary"), ("captuy2", "decision_maker")):
        services.handle(
            c.OpenAccount(
                admin.actor,
                username,
                username,
                (role,),
                "mat-khau-demo-1",
                org_id=organisation_id("tinh-uy-song-hong"),
            ),
            admin.signer,
        )
    sec = services.authenticate("thuky2", "mat-khau-demo-1")
    district = organisation_id("huyen-uy-yen-thanh")
    cycle = run(
        services,
        sec,
        rc.OpenCycle(sec.actor, district, 2025, reference_date=date(2025, 12, 1)),
    )
    subjects = services.ratings.subjects(cycle)
    leaders = [s for s in subjects if s["klass"] == "leader"]
    assert len(leaders) == 1
    assert leaders[0]["venues"][1] == str(organisation_id(LEADER_AT))
    cell = organisation_id("chi-bo-xom-dong")
    members = [s for s in subjects if s["cell_id"] == str(cell)]
    assert len(members) == 5
    assert FIRST_CELL_MEMBER == 10
