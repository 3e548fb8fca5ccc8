"""Comments (góp ý) on a review through the service, on SQLite and PostgreSQL:
the author must take part in the meeting at the review's venue
(``domain.reviews.review_participants``): a fellow member of the chi bộ, or a
holder of a post at the committee where a leader is reviewed. Anyone else is
refused with ``review.author_not_participant`` and nothing is stored."""

from datetime import date

import pytest

from services import commands as c
from services import rating_commands as rc

PASSWORD = "mat-khau-thu-ky"


@pytest.fixture
def world(services, admin):
    def run(command):
        return services.handle(command, admin.signer)

    def found(code, name, kind, parent=None):
        return run(c.FoundOrganisation(admin.actor, code, name, kind, parent))

    def enrol(name, card, cell):
        return run(
            c.EnrolMember(
                admin.actor,
                name,
                card,
                date(1980, 1, 1),
                date(2010, 1, 1),
                "full",
                cell,
            )
        )

    w = {}
    province = found("tinh", "Tỉnh ủy", "provincial_committee")
    w["district"] = found("huyen", "Huyện ủy Đông", "district_committee", province)
    w["cell"] = found("thon-1", "Chi bộ thôn 1", "cell", w["district"])
    w["other_cell"] = found("thon-2", "Chi bộ thôn 2", "cell", w["district"])
    w["btv"] = found(
        "btv", "Ban Thường vụ Huyện ủy Đông", "leadership_collective", w["district"]
    )
    w["an"] = enrol("Nguyễn Văn An", "DV0001", w["cell"])
    w["binh"] = enrol("Lê Thị Bình", "DV0002", w["cell"])
    w["cuong"] = enrol("Đỗ Văn Cường", "DV0003", w["other_cell"])
    w["dung"] = enrol("Trần Văn Dũng", "DV0004", w["other_cell"])
    w["em"] = enrol("Phạm Thị Em", "DV0005", w["cell"])
    for member, role in ((w["dung"], "head"), (w["em"], "member")):
        run(rc.AssignPost(admin.actor, member, w["btv"], role, date(2020, 10, 1)))
    run(
        c.OpenAccount(
            admin.actor, "thuky", "Thư ký", ("secretary",), PASSWORD, w["district"]
        )
    )
    sec = services.authenticate("thuky", PASSWORD)
    w["sec"] = sec
    w["cycle"] = cycle = services.handle(
        rc.OpenCycle(sec.actor, w["district"], 2025, reference_date=date(2025, 12, 1)),
        sec.signer,
    )
    w["at_cell"] = services.handle(
        rc.OpenReview(sec.actor, cycle, f"m:{w['an']}", w["cell"]), sec.signer
    )
    w["at_btv"] = services.handle(
        rc.OpenReview(sec.actor, cycle, f"m:{w['dung']}", w["btv"]), sec.signer
    )
    return w


def comment(services, w, review, author, text="Cần gương mẫu hơn."):
    sec = w["sec"]
    return services.handle(rc.AddComment(sec.actor, review, author, text), sec.signer)


def test_a_fellow_member_of_the_chi_bo_comments(services, world, new_events):
    topics = new_events(
        lambda: comment(services, world, world["at_cell"], world["binh"])
    )
    assert topics == ["Review.CommentAdded"]
    # the subject takes part in their own review too
    topics = new_events(lambda: comment(services, world, world["at_cell"], world["an"]))
    assert topics == ["Review.CommentAdded"]


def test_someone_from_another_chi_bo_is_refused_and_nothing_is_stored(
    services, world, refused
):
    refused(
        "review.author_not_participant",
        lambda: comment(services, world, world["at_cell"], world["cuong"]),
    )
    # a committee member whose chi bộ is elsewhere is no participant at a chi bộ
    refused(
        "review.author_not_participant",
        lambda: comment(services, world, world["at_cell"], world["dung"]),
    )


def test_at_the_committee_its_post_holders_only(services, world, refused, new_events):
    topics = new_events(lambda: comment(services, world, world["at_btv"], world["em"]))
    assert topics == ["Review.CommentAdded"]
    # a fellow member of the leader's chi bộ does not sit on the committee
    refused(
        "review.author_not_participant",
        lambda: comment(services, world, world["at_btv"], world["cuong"]),
    )


def test_an_unknown_author_is_not_found(services, world, refused):
    refused(
        "member.not_found",
        lambda: comment(services, world, world["at_cell"], world["btv"]),
    )
