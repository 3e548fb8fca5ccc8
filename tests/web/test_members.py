"""Members through the web: the list by chi bộ, detail, enrolment and transfer."""

from __future__ import annotations

import re

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _enrol(auth, world, **overrides):
    form = {
        "full_name": "Võ Thị Hạnh",
        "party_card_no": "DV00000099",
        "birth_date": "1990-03-04",
        "admission_date": "2015-06-07",
        "status": "probationary",
        "cell_id": str(world.orgs["cell_b"]),
    }
    form.update(overrides)
    return auth.post("/members/new", form)


def _field_errors(body: str, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-loi">(.*?)</ul>', body, re.S)
    assert match, f"no errors shown next to {field}"
    return match.group(1)


def test_list_shows_members_with_vietnamese_dates(client, auth):
    auth.login("secretary")
    page = client.get("/members/").get_data(as_text=True)
    assert "Nguyễn Văn An" in page
    assert "17/05/1980" in page
    assert "Chính thức" in page
    assert "Chi bộ xóm A" in page


def test_list_filtered_by_cell(client, auth, world):
    auth.login("secretary")
    in_a = client.get(f"/members/?cell={world.orgs['cell_a']}").get_data(as_text=True)
    in_b = client.get(f"/members/?cell={world.orgs['cell_b']}").get_data(as_text=True)
    assert "Nguyễn Văn An" in in_a
    assert "Nguyễn Văn An" not in in_b
    assert "Không có đảng viên nào." in in_b


def test_list_filtered_by_an_unknown_cell(client, auth):
    auth.login("secretary")
    for value in (UNKNOWN, "khong-phai-uuid"):
        response = client.get(f"/members/?cell={value}")
        assert response.status_code == 404
        assert "Không tìm thấy tổ chức đảng." in response.get_data(as_text=True)


def test_detail(client, auth, world):
    auth.login("inspector")
    page = client.get(f"/members/{world.member_id}").get_data(as_text=True)
    assert "DV00000001" in page
    assert "03/02/2005" in page
    assert "Chuyển sinh hoạt đảng" not in page


def test_unknown_member_is_404(client, auth):
    auth.login("admin")
    response = client.get(f"/members/{UNKNOWN}")
    assert response.status_code == 404
    assert "Không tìm thấy đảng viên." in response.get_data(as_text=True)


def test_enrol_form_offers_only_cells(client, auth, world):
    auth.login("secretary")
    page = client.get(f"/members/new?cell={world.orgs['cell_b']}").get_data(
        as_text=True
    )
    assert 'value="Chi bộ xóm B (chi-bo-xom-b)"' in page  # the linked chi bộ
    assert '<option value="Chi bộ xóm A (chi-bo-xom-a)">' in page
    assert "Huyện ủy Đông Hà (" not in page  # a committee is not suggested
    assert 'type="date"' in page


def test_enrol(client, auth, kiemdiem, world):
    auth.login("secretary")
    response = _enrol(auth, world)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi nhận đảng viên Võ Thị Hạnh." in page
    assert "Đảng viên dự bị" in page
    members = kiemdiem.members(cell_id=world.orgs["cell_b"])
    assert [m.full_name for m in members] == ["Võ Thị Hạnh"]


def test_malformed_dates(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = _enrol(auth, world, birth_date="04/03/1990", admission_date="")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Ngày không hợp lệ" in _field_errors(body, "birth_date")
    assert "Vui lòng điền trường này." in _field_errors(body, "admission_date")
    assert kiemdiem.ledger.max_notification_id() == before


def test_birth_after_admission_is_refused(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = _enrol(auth, world, birth_date="2016-01-01")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Ngày sinh phải trước ngày vào Đảng." in _field_errors(body, "birth_date")
    assert kiemdiem.ledger.max_notification_id() == before


def test_enrol_in_an_unknown_cell(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = _enrol(auth, world, cell_id=UNKNOWN)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Không tìm thấy tổ chức đảng." in _field_errors(body, "cell_id")
    assert kiemdiem.ledger.max_notification_id() == before


def test_enrol_in_a_committee_is_refused(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = _enrol(auth, world, cell_id=str(world.orgs["district"]))
    assert response.status_code == 422
    assert "không phải là chi bộ" in _field_errors(
        response.get_data(as_text=True), "cell_id"
    )
    assert kiemdiem.ledger.max_notification_id() == before


def test_enrol_with_a_taken_card(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = _enrol(auth, world, party_card_no="DV00000001")
    assert response.status_code == 422
    assert "Số thẻ đảng viên “DV00000001” đã có trong hệ thống." in _field_errors(
        response.get_data(as_text=True), "party_card_no"
    )
    assert kiemdiem.ledger.max_notification_id() == before


def test_transfer(client, auth, kiemdiem, world):
    auth.login("secretary")
    response = auth.post(
        f"/members/{world.member_id}/transfer", {"cell_id": str(world.orgs["cell_b"])}
    )
    assert response.status_code == 302
    assert kiemdiem.member(world.member_id).cell_id == world.orgs["cell_b"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã chuyển sinh hoạt đảng cho Nguyễn Văn An." in page


def test_transfer_to_the_same_cell(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post(
        f"/members/{world.member_id}/transfer", {"cell_id": str(world.orgs["cell_a"])}
    )
    assert response.status_code == 422
    assert "Đảng viên đang sinh hoạt tại chi bộ này." in response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_transfer_an_unknown_member(client, auth, world):
    auth.login("secretary")
    response = auth.post(
        f"/members/{UNKNOWN}/transfer", {"cell_id": str(world.orgs["cell_b"])}
    )
    assert response.status_code == 404
    assert "Không tìm thấy đảng viên." in response.get_data(as_text=True)
