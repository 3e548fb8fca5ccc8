"""The remediation list at province scale (issues 13, 14): the organisation is
typed (suggestions in the viewer's remediation scope only; without JavaScript
the typed name is resolved, or refused in Vietnamese when it names none or
several), and the items come a keyset page at a time, filters kept in the
pager's links."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from services import commands as c
from services import rating_commands as rc
from services import remediation_commands as mc
from tests.conftest import ADMIN_PASSWORD

M = "/remediation/"
TEXT = "Khuyết điểm số {:02d}"


@pytest.fixture
def listed(kiemdiem, world, monkeypatch):
    """Seven shortcomings of the member (2024), two pages of three and one."""
    monkeypatch.setattr("services.read_gateway_more.PAGE", 3)
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2024, reference_date=date(2024, 12, 1)
        ),
        sec.signer,
    )
    for n in range(7):
        kiemdiem.handle(
            mc.RecordShortcoming(
                sec.actor,
                cycle,
                f"m:{world.member_id}",
                "SUGGESTION",
                TEXT.format(n),
                "SUBJECTIVE",
                recorded_on=date(2024, 12, 10),
            ),
            sec.signer,
        )
    return cycle


def _items(page: str) -> list[str]:
    return re.findall(r"Khuyết điểm số \d\d", page)


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def test_pages_follow_each_other_without_overlap_or_gap(client, auth, listed):
    auth.login("secretary")
    seen: list[list[str]] = []
    target: str | None = f"{M}?status=OPEN"
    while target is not None:
        page = client.get(target).get_data(as_text=True)
        seen.append(_items(page))
        target = _link(page, "next")
        if target is not None:
            assert "status=OPEN" in target  # the filter survives paging
        assert len(seen) < 10
    assert [len(s) for s in seen] == [3, 3, 1]
    flat = [t for s in seen for t in s]
    assert flat == [TEXT.format(n) for n in range(7)]  # the order recorded
    # and back from the last page
    back = _link(page, "prev")
    assert back is not None
    assert "status=OPEN" in back
    assert _items(client.get(back).get_data(as_text=True)) == seen[1]


def test_a_filter_that_keeps_nothing_is_kept_across_pages(client, auth, listed):
    auth.login("secretary")
    page = client.get(f"{M}?status=VERIFIED").get_data(as_text=True)
    assert _items(page) == []
    assert "Không có hạn chế, khuyết điểm nào" in page
    later = client.get(f"{M}?year=2025").get_data(as_text=True)
    assert _items(later) == []


def test_the_typed_organisation_is_found_without_diacritics(client, auth, listed):
    auth.login("secretary")
    page = client.get(f"{M}?org_id=chi+bo+xom+a").get_data(as_text=True)
    assert "Chi bộ xóm A và các tổ chức trực thuộc" in page
    assert _items(page) == [TEXT.format(n) for n in range(3)]
    nxt = _link(page, "next")
    assert nxt is not None
    assert _items(client.get(nxt).get_data(as_text=True)) == [
        TEXT.format(n) for n in range(3, 6)
    ]
    other = client.get(f"{M}?org_id=chi+bo+xom+b").get_data(as_text=True)
    assert "Chi bộ xóm B và các tổ chức trực thuộc" in other
    assert _items(other) == []


def test_a_name_that_names_none_or_several_is_said_in_vietnamese(
    client, auth, kiemdiem, world, listed
):
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    for code in ("chi-bo-trung-1", "chi-bo-trung-2"):
        kiemdiem.handle(
            c.FoundOrganisation(
                admin.actor, code, "Chi bộ Trùng Tên", "cell", world.orgs["district"]
            ),
            admin.signer,
        )
    auth.login("secretary")
    none = client.get(f"{M}?org_id=khong+co+to+chuc+nay").get_data(as_text=True)
    assert "Không tìm thấy tổ chức “khong co to chuc nay” trong phạm vi" in none
    assert _items(none) == []
    several = client.get(f"{M}?org_id=chi+bo+trung+ten").get_data(as_text=True)
    assert "Có nhiều tổ chức cùng tên “chi bo trung ten”" in several
    # the code tells them apart
    one = client.get(f"{M}?org_id=Chi+bộ+Trùng+Tên+(chi-bo-trung-2)")
    assert one.status_code == 200
    assert "Chi bộ Trùng Tên và các tổ chức trực thuộc" in one.get_data(as_text=True)


def test_no_organisation_out_of_scope_is_suggested_or_listed(
    client, auth, world, listed
):
    auth.login("secretary")  # the district's secretary
    page = client.get(M).get_data(as_text=True)
    options = re.findall(r'<option value="([^"]+)"></option>', page)
    assert "Huyện ủy Đông Hà (huyen-uy-dong)" in options
    assert "Chi bộ xóm A (chi-bo-xom-a)" in options
    assert not any("Tỉnh ủy" in o for o in options)  # above the branch
    assert "pham_vi=khac-phuc" in page
    # typed, the province above is not taken
    above = client.get(f"{M}?org_id=tinh+uy+thu+nghiem").get_data(as_text=True)
    assert "Không tìm thấy tổ chức" in above
    assert _items(above) == []
    # by id, refused
    by_id = client.get(f"{M}?org_id={world.orgs['province']}")
    assert by_id.status_code == 403
    # the suggestions as one types: the tree names the province, the field not
    q = "/api/v1/search?loai=organisation&q=tinh+uy"
    named = client.get(q).get_json()["results"]
    assert [r["name"] for r in named] == ["Tỉnh ủy Thử Nghiệm"]
    assert client.get(q + "&pham_vi=khac-phuc").get_json()["results"] == []
    near = client.get("/api/v1/search?loai=organisation&q=xom&pham_vi=khac-phuc")
    assert {r["name"] for r in near.get_json()["results"]} == {
        "Chi bộ xóm A",
        "Chi bộ xóm B",
    }
