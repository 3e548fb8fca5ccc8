"""The organisation tree through the web: pages, founding, renaming, dissolving;
refusals in Vietnamese that leave the store exactly as it was."""

from __future__ import annotations

import re
import unicodedata

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _found(auth, world, **overrides):
    form = {
        "code": "chi-bo-xom-moi",
        "name": "Chi bộ xóm Mới",
        "kind": "cell",
        "parent_id": str(world.orgs["district"]),
    }
    form.update(overrides)
    return auth.post("/organisations/new", form)


def _field_errors(body: str, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-loi">(.*?)</ul>', body, re.S)
    assert match, f"no errors shown next to {field}"
    return match.group(1)


def test_tree_opens_level_by_level_with_counts(client, auth, world):
    auth.login("secretary")  # the district's secretary: the branch and above it
    top = client.get("/organisations/").get_data(as_text=True)
    assert "Tỉnh ủy Thử Nghiệm" in top
    assert "Huyện ủy Đông Hà" not in top  # one level at a time
    province = client.get(f"/organisations/{world.orgs['province']}").get_data(
        as_text=True
    )
    assert "Huyện ủy Đông Hà" in province
    district = client.get(f"/organisations/{world.orgs['district']}").get_data(
        as_text=True
    )
    names = ["Ban Thường vụ Huyện ủy Đông Hà", "Chi bộ xóm A", "Chi bộ xóm B"]
    positions = [district.index(name) for name in names]
    assert positions == sorted(positions)  # by name, without diacritics
    assert "Tập thể lãnh đạo" in district
    # the members rolled up: the district counts its chi bộ's member
    assert "<dt>Số đảng viên (kể cả các tổ chức trực thuộc)</dt><dd>1</dd>" in district
    assert '<td class="num">1</td>' in district  # Chi bộ xóm A's count
    # the breadcrumb names the province above the district
    assert 'aria-label="Đường dẫn tổ chức"' in district
    assert district.index("Tỉnh ủy Thử Nghiệm") < district.index("<h1>")


def test_a_member_sees_their_chi_bo_and_the_tree_above_it(client, auth, world):
    auth.login("member")
    top = client.get("/organisations/").get_data(as_text=True)
    assert "Tỉnh ủy Thử Nghiệm" in top
    district = client.get(f"/organisations/{world.orgs['district']}").get_data(
        as_text=True
    )
    assert "Chi bộ xóm A" in district
    assert "Chi bộ xóm B" not in district
    assert "Ban Thường vụ Huyện ủy Đông Hà" not in district


def test_tree_hides_the_found_button_from_others(client, auth):
    auth.login("secretary")
    page = client.get("/organisations/").get_data(as_text=True)
    assert "Thành lập tổ chức" not in page


def test_detail_page(client, auth, world):
    auth.login("inspector")
    page = client.get(f"/organisations/{world.orgs['cell_a']}").get_data(as_text=True)
    assert "Chi bộ xóm A" in page
    assert "Huyện ủy Đông Hà" in page  # the parent
    assert "Nguyễn Văn An" in page  # its member
    assert "Đổi tên" not in page


def test_unknown_organisation_is_404_in_vietnamese(client, auth):
    auth.login("admin")
    response = client.get(f"/organisations/{UNKNOWN}")
    assert response.status_code == 404
    assert "Không tìm thấy tổ chức đảng." in response.get_data(as_text=True)


def test_malformed_organisation_id_is_404(client, auth):
    auth.login("admin")
    assert client.get("/organisations/khong-phai-uuid").status_code == 404


def test_found_a_cell(client, auth, kiemdiem, world):
    auth.login("admin")
    response = _found(auth, world)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã thành lập “Chi bộ xóm Mới”." in page
    rows = {r.code: r for r in kiemdiem.organisations()}
    assert rows["chi-bo-xom-moi"].parent_id == world.orgs["district"]
    assert rows["chi-bo-xom-moi"].depth == 2


def test_found_normalises_text_to_nfc(client, auth, kiemdiem, world):
    auth.login("admin")
    decomposed = unicodedata.normalize("NFD", "  Chi bộ Thôn Đoài  ")
    assert _found(auth, world, name=decomposed).status_code == 302
    names = [r.name for r in kiemdiem.organisations()]
    assert "Chi bộ Thôn Đoài" in names


def test_found_form_preselects_the_parent(client, auth, world):
    auth.login("admin")
    page = client.get(f"/organisations/new?parent={world.orgs['district']}")
    html = page.get_data(as_text=True)
    assert f'<option selected value="{world.orgs["district"]}">' in html


def test_malformed_found_form(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post("/organisations/new", {"code": "", "name": "", "kind": ""})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Vui lòng điền trường này." in _field_errors(body, "code")
    assert "Vui lòng điền trường này." in _field_errors(body, "name")
    assert kiemdiem.ledger.max_notification_id() == before


def test_found_with_a_malformed_parent_id(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = _found(auth, world, parent_id="khong-phai-uuid")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Lựa chọn không hợp lệ." in _field_errors(body, "parent_id")
    assert kiemdiem.ledger.max_notification_id() == before


def test_found_under_an_unknown_parent(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = _found(auth, world, parent_id=UNKNOWN)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Không tìm thấy tổ chức cấp trên đã chọn." in _field_errors(
        body, "parent_id"
    )
    assert kiemdiem.ledger.max_notification_id() == before


def test_found_refused_by_the_tree_rule(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = _found(auth, world, kind="cell", parent_id=str(world.orgs["cell_a"]))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Chi bộ không thể trực thuộc chi bộ." in _field_errors(body, "parent_id")
    assert kiemdiem.ledger.max_notification_id() == before


def test_found_a_cell_without_a_parent(client, auth, world):
    auth.login("admin")
    response = _found(auth, world, parent_id="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Chi bộ phải trực thuộc một tổ chức cấp trên." in body


def test_found_with_a_taken_code(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = _found(auth, world, code="chi-bo-xom-a")
    assert response.status_code == 422
    assert "Mã tổ chức “chi-bo-xom-a” đã được dùng." in _field_errors(
        response.get_data(as_text=True), "code"
    )
    assert kiemdiem.ledger.max_notification_id() == before


def test_found_with_an_invalid_code(client, auth, world):
    auth.login("admin")
    response = _found(auth, world, code="Chi Bộ Mới")
    assert response.status_code == 422
    assert "Mã tổ chức chỉ gồm chữ thường không dấu" in _field_errors(
        response.get_data(as_text=True), "code"
    )


def test_rename(client, auth, kiemdiem, world):
    auth.login("admin")
    cell = world.orgs["cell_b"]
    page = client.get(f"/organisations/{cell}/rename").get_data(as_text=True)
    assert 'value="Chi bộ xóm B"' in page
    response = auth.post(f"/organisations/{cell}/rename", {"name": "Chi bộ xóm Bắc"})
    assert response.status_code == 302
    assert kiemdiem.organisation(cell).name == "Chi bộ xóm Bắc"


def test_rename_to_the_same_name(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    cell = world.orgs["cell_b"]
    response = auth.post(f"/organisations/{cell}/rename", {"name": "Chi bộ xóm B"})
    assert response.status_code == 422
    assert "Tên mới trùng với tên hiện tại." in response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_rename_unknown_organisation(client, auth):
    auth.login("admin")
    response = auth.post(f"/organisations/{UNKNOWN}/rename", {"name": "Tên"})
    assert response.status_code == 404
    assert "Không tìm thấy tổ chức đảng." in response.get_data(as_text=True)


def test_dissolve(client, auth, kiemdiem, world):
    auth.login("admin")
    cell = world.orgs["cell_b"]
    response = auth.post(
        f"/organisations/{cell}/dissolve", {"reason": "Sáp nhập vào chi bộ xóm A"}
    )
    assert response.status_code == 302
    assert kiemdiem.organisation(cell).dissolved
    page = client.get(f"/organisations/{cell}").get_data(as_text=True)
    assert "Đã giải thể" in page
    again = auth.post(f"/organisations/{cell}/dissolve", {"reason": "Lần nữa"})
    assert again.status_code == 422
    assert "Tổ chức đã giải thể, không thể thay đổi." in again.get_data(as_text=True)


def test_dissolve_needs_a_reason(client, auth, kiemdiem, world):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    response = auth.post(
        f"/organisations/{world.orgs['cell_b']}/dissolve", {"reason": "   "}
    )
    assert response.status_code == 400
    assert "Vui lòng điền trường này." in response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_forbidden_post_writes_nothing(client, auth, kiemdiem, world):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = _found(auth, world)
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in response.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before


def test_conflict_is_409(client, auth, kiemdiem, world, monkeypatch):
    from services.errors import ConflictError

    def conflict(command, signer):
        raise ConflictError("store.conflict")

    auth.login("admin")
    monkeypatch.setattr(kiemdiem, "handle", conflict)
    response = _found(auth, world)
    assert response.status_code == 409
    assert "Dữ liệu vừa được người khác thay đổi cùng lúc." in response.get_data(
        as_text=True
    )


def test_database_lock_timeout_is_503(client, auth, kiemdiem, world, monkeypatch):
    from eventsourcing.persistence import OperationalError

    def locked(command, signer):
        raise OperationalError("database is locked")

    auth.login("admin")
    monkeypatch.setattr(kiemdiem, "handle", locked)
    response = _found(auth, world)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "thử lại" in response.get_data(as_text=True)
