"""Search (/tim-kiem/, /api/v1/search): without diacritics, by card number or
code, and only within what the viewer may read."""

from __future__ import annotations

import pytest


def _names(client, query: str, **params: str) -> str:
    response = client.get("/tim-kiem/", query_string={"q": query, **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_name_without_diacritics_finds_the_member(client, auth, world):
    auth.login("inspector")
    page = _names(client, "nguyen van an")
    assert "Nguyễn Văn An" in page
    assert f"/members/{world.member_id}" in page
    assert "Nguyễn Văn An" in _names(client, "NGUYEN an")  # any order, any case
    assert "Nguyễn Văn An" not in _names(client, "nguyen van binh")


def test_the_audit_workspace_search_opens_the_history(client, auth, world):
    auth.login("inspector")
    page = _names(client, "nguyen", noi="kiem-tra")
    assert f"/audit/subjects/{world.member_id}" in page
    workspace = client.get("/audit/").get_data(as_text=True)
    assert 'name="noi" value="kiem-tra"' in workspace


def test_organisations_by_name_or_code(client, auth, world):
    auth.login("secretary")
    assert "Huyện ủy Đông Hà" in _names(client, "dong ha")
    page = _names(client, "huyen-uy-dong", loai="organisation")
    assert f"/organisations/{world.orgs['district']}" in page
    assert "Nguyễn Văn An" not in _names(client, "dong", loai="organisation")


def test_the_card_number_finds_only_for_those_who_read_it(client, auth):
    auth.login("secretary")
    assert "Nguyễn Văn An" in _names(client, "dv00000001")
    auth.logout()
    auth.login("counting")  # reads names of the tree, never card numbers
    assert "Nguyễn Văn An" not in _names(client, "dv00000001")


@pytest.mark.parametrize("role", ["admin", "secretary", "inspector", "member"])
def test_a_member_is_found_by_those_who_may_read_them(client, auth, role):
    auth.login(role)
    assert "Nguyễn Văn An" in _names(client, "nguyen van an")


def test_the_counting_committee_finds_no_member(client, auth):
    auth.login("counting")  # reads no member list
    page = _names(client, "nguyen van an")
    assert "Nguyễn Văn An" not in page
    assert "Không tìm thấy kết quả nào" in page


def test_a_one_letter_query_asks_for_more(client, auth):
    auth.login("admin")
    assert "Hãy gõ ít nhất 2 chữ cái" in _names(client, "n")


def test_the_api_gives_the_same_search(client, auth, world):
    auth.login("inspector")
    body = client.get("/api/v1/search", query_string={"q": "nguyen van"}).get_json()
    found = {(r["kind"], r["id"]) for r in body["results"]}
    assert ("member", str(world.member_id)) in found
    member = next(r for r in body["results"] if r["kind"] == "member")
    assert member["code"] == "DV00000001"
    auth.logout()
    auth.login("member")
    body = client.get("/api/v1/search", query_string={"q": "chi bo"}).get_json()
    names = {r["name"] for r in body["results"]}
    assert "Chi bộ xóm A" in names
    assert "Chi bộ xóm B" not in names  # not their chi bộ, not above it


def test_member_list_pages_by_name(client, auth, world, kiemdiem):
    from datetime import date

    from services import commands as c

    admin = kiemdiem.authenticate("admin", world.password("admin"))
    for i in range(55):
        kiemdiem.handle(
            c.EnrolMember(
                admin.actor,
                f"Lê Văn Thử {i:02d}",
                f"DV9{i:07d}",
                date(1990, 1, 1),
                date(2015, 1, 1),
                "full",
                world.orgs["cell_b"],
            ),
            admin.signer,
        )
    auth.login("secretary")
    first = client.get(f"/members/?cell={world.orgs['cell_b']}").get_data(as_text=True)
    assert "Lê Văn Thử 00" in first
    assert "Lê Văn Thử 49" in first
    assert "Lê Văn Thử 50" not in first
    assert "Trang sau" in first
    assert "Trang trước" not in first
    after = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(after).get_data(as_text=True)
    assert "Lê Văn Thử 50" in second
    assert "Lê Văn Thử 54" in second
    assert "Lê Văn Thử 49" not in second
    assert "Trang trước" in second
    back = second.split('rel="prev" href="')[1].split('"')[0].replace("&amp;", "&")
    again = client.get(back).get_data(as_text=True)
    assert "Lê Văn Thử 00" in again
    assert "Lê Văn Thử 49" in again
    assert "Lê Văn Thử 50" not in again
    # the chi bộ's page pages its members the same way
    cell = client.get(f"/organisations/{world.orgs['cell_b']}").get_data(as_text=True)
    assert "Lê Văn Thử 49" in cell
    assert "Lê Văn Thử 50" not in cell
    assert "dv_sau=" in cell


def test_rename_and_transfer_keep_search_and_counts_current(
    client, auth, world, kiemdiem
):
    from services import commands as c

    admin = kiemdiem.authenticate("admin", world.password("admin"))
    kiemdiem.handle(
        c.RenameOrganisation(admin.actor, world.orgs["cell_b"], "Chi bộ thôn Đồi Mới"),
        admin.signer,
    )
    kiemdiem.handle(
        c.TransferMember(admin.actor, world.member_id, world.orgs["cell_b"]),
        admin.signer,
    )
    auth.login("secretary")
    assert "Chi bộ thôn Đồi Mới" in _names(client, "doi moi")
    by_code = _names(client, "xom b")  # its code is kept: chi-bo-xom-b
    assert "Chi bộ thôn Đồi Mới" in by_code
    assert "Chi bộ xóm B" not in by_code
    district = client.get(f"/organisations/{world.orgs['district']}").get_data(
        as_text=True
    )
    assert "<dt>Số đảng viên (kể cả các tổ chức trực thuộc)</dt><dd>1</dd>" in district
    cell_a = client.get(f"/organisations/{world.orgs['cell_a']}").get_data(as_text=True)
    assert "<dt>Số đảng viên (kể cả các tổ chức trực thuộc)</dt><dd>0</dd>" in cell_a
    cell_b = client.get(f"/organisations/{world.orgs['cell_b']}").get_data(as_text=True)
    assert "Nguyễn Văn An" in cell_b
    assert "<dt>Số đảng viên (kể cả các tổ chức trực thuộc)</dt><dd>1</dd>" in cell_b
