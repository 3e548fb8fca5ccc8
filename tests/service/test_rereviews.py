"""Re-review orders (domain.md §5.4) through the service, on SQLite and
PostgreSQL: the higher committee orders a review and/or a rating redone; the
earlier ones stay in the history linked to the order; the redone ones supersede
them; statistics, open items and the timeline follow; refusals store nothing."""

from datetime import date, timedelta

import pytest

from domain.errors import DomainError
from domain.ratings import RatingRound
from domain.reviews import Review
from services import commands as c
from services import rating_commands as rc
from services.rating_ids import rereview_order_id, round_id

PASSWORDS = {
    "thuky": "mat-khau-thu-ky",
    "captuy": "mat-khau-cap-uy",
    "captuy-xa": "mat-khau-cap-uy-xa",
    "captuy-cb": "mat-khau-cap-uy-cb",
}
POINTS = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
TODAY = date(2025, 12, 22)


@pytest.fixture
def world(services, admin):
    services.today = lambda: TODAY

    def found(code, name, kind, parent=None):
        return services.handle(
            c.FoundOrganisation(admin.actor, code, name, kind, parent), admin.signer
        )

    w = {"admin": admin}
    w["province"] = found("tinh", "Tỉnh ủy", "provincial_committee")
    w["district"] = found("huyen", "Huyện ủy Đông", "district_committee", w["province"])
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
    for username, role, org in (
        ("thuky", "secretary", w["province"]),
        ("captuy", "decision_maker", w["district"]),
        ("captuy-xa", "decision_maker", w["commune"]),
        ("captuy-cb", "decision_maker", w["cell"]),
    ):
        services.handle(
            c.OpenAccount(
                admin.actor, username, username, (role,), PASSWORDS[username], org
            ),
            admin.signer,
        )
        w[username] = services.authenticate(username, PASSWORDS[username])
    sec, dm = w["thuky"], w["captuy-xa"]
    run = services.handle
    w["cycle"] = cycle = run(
        rc.OpenCycle(sec.actor, w["district"], 2025, reference_date=date(2025, 12, 1)),
        sec.signer,
    )
    w["round"] = rid = run(rc.OpenRound(dm.actor, cycle, w["commune"]), dm.signer)
    cell_key = f"o:{w['cell']}"
    cell_review = run(rc.OpenReview(sec.actor, cycle, cell_key, w["cell"]), sec.signer)
    run(
        rc.CirculateReport(sec.actor, cell_review, "Mẫu 01", date(2025, 12, 1)),
        sec.signer,
    )
    run(
        rc.HoldMeeting(sec.actor, cell_review, date(2025, 12, 5), 9, "BB", "KL"),
        sec.signer,
    )
    w["key"] = key = f"m:{w['member']}"
    w["review"] = review = run(
        rc.OpenReview(sec.actor, cycle, key, w["cell"]), sec.signer
    )
    _review_and_rate(services, w, date(2025, 12, 8), "15-QĐ/ĐU", "HTTNV")
    assert review
    assert rid == round_id(cycle, w["commune"])
    return w


def _review_and_rate(services, w, held_on, decision_no, level, review_only=False):
    sec = w["thuky"]
    run = services.handle
    run(
        rc.SubmitSelfReview(
            sec.actor,
            w["review"],
            "2B",
            {"strengths": "Tốt", "shortcomings": "Chậm", "measures": "Sửa"},
        ),
        sec.signer,
    )
    run(rc.HoldMeeting(sec.actor, w["review"], held_on, 9, "BB", "KL"), sec.signer)
    if review_only:
        return
    _rate(services, w, decision_no, level)


def _rate(services, w, decision_no, level):
    sec, dm = w["thuky"], w["captuy-xa"]
    run = services.handle
    key, rid = w["key"], w["round"]
    run(rc.SelfRate(sec.actor, rid, key, level, 10, 10, points=POINTS), sec.signer)
    run(rc.ProposeRating(sec.actor, rid, key, level), sec.signer)
    run(
        rc.DecideRating(dm.actor, rid, key, level, decision_no, date(2025, 12, 18)),
        dm.signer,
    )


def order(services, w, scope="both", deadline=date(2025, 12, 28), who="captuy", **kw):
    session = w[who]
    return services.handle(
        rc.OrderReReview(
            session.actor,
            w["cycle"],
            w["key"],
            scope,
            kw.pop("reason", "Hội nghị kiểm điểm còn hình thức, nể nang, né tránh"),
            deadline,
            **kw,
        ),
        session.signer,
    )


def test_an_order_to_redo_both_supersedes_and_keeps_the_earlier_ones(services, world):
    w = world
    stats = services.ratings.statistics(w["cycle"], w["district"])
    assert stats["members"]["rated"] == 1
    ident = order(services, w, chair_responsibility=True)
    assert ident == rereview_order_id(w["cycle"], w["key"], 1)
    # the earlier meeting and decision are kept, linked to the order
    review = services.uow.get(Review, w["review"], "review.not_found")
    assert review.meeting is None
    assert review.earlier[-1]["order_id"] == ident
    assert review.earlier[-1]["meeting"]["held_on"] == date(2025, 12, 8)
    rnd = services.uow.get(RatingRound, w["round"], "rating.round_not_found")
    assert rnd.decision_of(w["key"]) is None
    assert rnd.entries[w["key"]].superseded[0]["decision"]["decision_no"] == (
        "15-QĐ/ĐU"
    )
    # projections: the subject is pending again, the statistics follow
    subject = services.ratings.subject_row(w["cycle"], w["key"])
    assert subject["status"] == "pending"
    assert subject["level"] is None
    stats = services.ratings.statistics(w["cycle"], w["district"])
    assert stats["members"]["rated"] == 0
    assert stats["members"]["pending"] == 1
    (row,) = services.ratings.rereview_orders(w["cycle"], w["key"])
    assert row["scope"] == "both"
    assert row["reviews_open"] == 1
    assert row["rating_open"] == 1
    assert not row["done"]
    assert row["superseded"]["decision"]["decision_no"] == "15-QĐ/ĐU"
    assert row["superseded"]["reviews"][0]["held_on"] == "2025-12-08"
    items = services.ratings.open_items(w["cycle"], TODAY)
    (item,) = [i for i in items if i["kind"].startswith("rereview")]
    assert item["kind"] == "rereview_at_risk"
    # the cycle page's count of the dated items: the order open counts
    dated = services.ratings.dated_items(w["cycle"], TODAY)
    assert item in dated
    assert services.ratings.dated_items_count(w["cycle"], TODAY) == len(dated)
    assert item["rule"] == "rereview_both"
    assert not [i for i in items if i["rule"] == "rated_without_review"]
    steps = [t["step"] for t in services.ratings.timeline(w["cycle"], w["key"])]
    assert steps[-4:] == [
        "rereview_ordered",
        "review_redo",
        "rating_redo",
        "chair_responsibility",
    ]
    # the redone review and rating: the order is done, the new rating current
    with pytest.raises(DomainError) as early:
        _review_and_rate(services, w, date(2025, 12, 6), "16-QĐ/ĐU", "HTNV")
    assert early.value.code == "rereview.meeting_before_earlier"
    services.handle(
        rc.HoldMeeting(
            w["thuky"].actor, w["review"], date(2025, 12, 21), 9, "BB2", "KL2"
        ),
        w["thuky"].signer,
    )
    (row,) = services.ratings.rereview_orders(w["cycle"], w["key"])
    assert (row["reviews_open"], row["rating_open"], row["done"]) == (0, 1, False)
    _rate(services, w, "16-QĐ/ĐU", "HTNV")
    (row,) = services.ratings.rereview_orders(w["cycle"], w["key"])
    assert row["done"]
    subject = services.ratings.subject_row(w["cycle"], w["key"])
    assert (subject["level"], subject["decision_no"]) == ("HTNV", "16-QĐ/ĐU")
    stats = services.ratings.statistics(w["cycle"], w["district"])
    assert stats["members"]["levels"]["HTNV"]["n"] == 1
    assert stats["members"]["levels"]["HTTNV"]["n"] == 0
    items = services.ratings.open_items(w["cycle"], TODAY)
    assert not [i for i in items if i["kind"].startswith("rereview")]
    # a done order no longer counts
    dated = services.ratings.dated_items(w["cycle"], TODAY)
    assert services.ratings.dated_items_count(w["cycle"], TODAY) == len(dated)
    # a second order numbers on
    assert order(services, w, scope="rating") == rereview_order_id(
        w["cycle"], w["key"], 2
    )


def test_an_order_to_redo_the_review_only_keeps_the_rating(services, world):
    w = world
    order(services, w, scope="review", deadline=date(2026, 1, 31))
    subject = services.ratings.subject_row(w["cycle"], w["key"])
    assert (subject["status"], subject["level"]) == ("decided", "HTTNV")
    items = services.ratings.open_items(w["cycle"], TODAY)
    (item,) = [i for i in items if i["kind"].startswith("rereview")]
    assert (item["kind"], item["rule"]) == ("rereview_open", "rereview_review")
    late = services.ratings.open_items(w["cycle"], date(2026, 2, 1))
    assert [i["kind"] for i in late if i["kind"].startswith("rereview")] == [
        "rereview_late"
    ]
    # a rating-only order on top, then nothing left to redo of the review
    with pytest.raises(DomainError) as again:
        order(services, w, scope="review")
    assert again.value.code == "rereview.review_not_held"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"scope": "all"}, "rereview.scope_unknown"),
        ({"reason": "  "}, "rereview.reason_required"),
        ({"deadline": TODAY - timedelta(days=1)}, "rereview.deadline_past"),
        ({"who": "captuy-cb"}, "rereview.not_higher"),
        ({"who": "thuky"}, "auth.forbidden"),
    ],
)
def test_refused_orders_store_nothing(services, world, change, code):
    before = services.ledger.max_notification_id()
    with pytest.raises(DomainError) as refused:
        order(services, world, **change)
    assert refused.value.code == code
    assert services.ledger.max_notification_id() == before
    assert services.ratings.rereview_orders(world["cycle"]) == []


def test_nothing_to_redo_is_refused(services, world):
    w = world
    order(services, w, scope="rating")
    before = services.ledger.max_notification_id()
    with pytest.raises(DomainError) as refused:
        order(services, w, scope="rating")
    assert refused.value.code == "rereview.rating_not_decided"
    assert services.ledger.max_notification_id() == before
