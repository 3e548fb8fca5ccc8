"""The comment form's author on the subject page: the people who take part in
the meeting at the review's venue only (a list, or a text field with
suggestions where they are many), the no-JavaScript path reading a card number
or a name, and refusals in Vietnamese that store nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest

from services import commands as c
from services import rating_commands as rc
from services import read_gateway_authors

R = "/ratings"
SELECT = re.compile(r'<select id="cm-author_member_id-1"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')
SEARCH_FIELD = re.compile(r'<input id="cm-author_member_id-1"[^>]*data-author-search')


@pytest.fixture
def review_world(kiemdiem, world):
    admin = kiemdiem.authenticate("admin", "mat-khau-quan-tri")

    def enrol(name, card, cell):
        return kiemdiem.handle(
            c.EnrolMember(
                admin.actor,
                name,
                card,
                date(1980, 1, 1),
                date(2010, 1, 1),
                "full",
                world.orgs[cell],
            ),
            admin.signer,
        )

    people = {
        "binh": enrol("Lê Thị Bình", "DV00000002", "cell_a"),
        "binh2": enrol("Lê Thị Bình", "DV00000004", "cell_a"),
        "cuong": enrol("Đỗ Văn Cường", "DV00000003", "cell_b"),
    }
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    member = f"m:{world.member_id}"
    review = kiemdiem.handle(
        rc.OpenReview(sec.actor, cycle, member, world.orgs["cell_a"]), sec.signer
    )
    page = f"{R}/cycles/{cycle}/subjects/{member}"
    return {"page": page, "review": review, **people}


def _post(auth, w, author, text="Cần gương mẫu hơn"):
    return auth.post(
        f"{R}/reviews/{w['review']}/comment",
        {"cm-author_member_id": author, "cm-text": text},
        follow_redirects=True,
    )


def test_the_list_holds_the_venue_s_people_only(client, auth, world, review_world):
    w = review_world
    auth.login("secretary")
    html = client.get(w["page"]).get_data(as_text=True)
    select = SELECT.search(html)
    assert select is not None
    options = OPTION.findall(select.group(1))
    ids = {value for value, _ in options if value}
    # Chi bộ xóm A's three members; Chi bộ xóm B's member is not at the meeting
    assert ids == {str(world.member_id), str(w["binh"]), str(w["binh2"])}
    assert len(options) == 4  # and the empty choice: no option per cycle subject
    assert "Lê Thị Bình (DV00000002)" in html  # namesakes told apart by card
    assert "suggest.js" not in html  # a list: no script needed


def test_an_author_outside_the_venue_is_refused_in_vietnamese(
    client, auth, kiemdiem, review_world
):
    w = review_world
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    answer = _post(auth, w, str(w["cuong"]))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Không tìm thấy người dự hội nghị kiểm điểm tại nơi này" in html
    assert 'aria-invalid="true"' in html
    assert kiemdiem.ledger.max_notification_id() == before
    chosen = _post(auth, w, str(w["binh"]))
    assert "Đã ghi nhận góp ý." in chosen.get_data(as_text=True)


@pytest.fixture
def many(monkeypatch):
    """A venue "too large to list": every venue here, for the test's sake."""
    monkeypatch.setattr(read_gateway_authors, "LISTED", 1)


def test_a_large_venue_gets_a_search_field(client, auth, review_world, many):
    auth.login("secretary")
    html = client.get(review_world["page"]).get_data(as_text=True)
    assert SEARCH_FIELD.search(html)
    assert SELECT.search(html) is None
    assert "Nhập số thẻ đảng viên hoặc họ tên" in html
    assert "suggest.js" in html


def test_without_javascript_a_card_number_or_a_name_names_the_author(
    client, auth, kiemdiem, review_world, many
):
    w = review_world
    auth.login("secretary")
    by_card = _post(auth, w, "dv00000003")  # Chi bộ xóm B: not at this meeting
    assert by_card.status_code == 422
    assert "Không tìm thấy người dự hội nghị" in by_card.get_data(as_text=True)
    before = kiemdiem.ledger.max_notification_id()
    twins = _post(auth, w, "le thi binh")
    assert twins.status_code == 422
    assert "Có 2 người dự hội nghị khớp với “le thi binh”" in twins.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before
    done = _post(auth, w, " dv00000002 ", text="Góp ý theo số thẻ")
    assert "Đã ghi nhận góp ý." in done.get_data(as_text=True)
    named = _post(auth, w, "nguyen van an", text="Góp ý theo họ tên")
    assert "Đã ghi nhận góp ý." in named.get_data(as_text=True)
    page = client.get(w["page"]).get_data(as_text=True)
    assert "Góp ý theo số thẻ" in page
    assert "Góp ý theo họ tên" in page


def test_the_suggestions_are_the_venue_s_people(client, auth, world, review_world):
    w = review_world
    auth.login("secretary")
    url = f"{R}/reviews/{w['review']}/nguoi-gop-y"
    found = client.get(url, query_string={"q": "binh"}).get_json()
    assert {r["id"] for r in found["results"]} == {str(w["binh"]), str(w["binh2"])}
    assert client.get(url, query_string={"q": "cuong"}).get_json()["results"] == []
    auth.logout()
    auth.login("inspector")  # records no reviews
    assert client.get(url, query_string={"q": "binh"}).status_code == 403
