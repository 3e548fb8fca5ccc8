"""The accounts list at province scale (issues 13, 14): a keyset page by
username, searched by username or name without diacritics, the search kept in
the pager's links, the organisations named for the page's rows only."""

from __future__ import annotations

import re
from html import unescape

import pytest

from services import commands as c
from tests.conftest import ADMIN_PASSWORD

L = "/admin/accounts"


@pytest.fixture
def accounts(kiemdiem, world, monkeypatch) -> list[str]:
    """Two pages of three and one of two: the six seeded and two more."""
    monkeypatch.setattr("services.read_gateway_search.PAGE", 3)
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    for username, name in (("binh", "Nguyễn Văn Bình"), ("cuong", "Đỗ Mạnh Cường")):
        kiemdiem.handle(
            c.OpenAccount(
                admin.actor,
                username,
                name,
                ("secretary",),
                "mat-khau-rat-dai-123",
                org_id=world.orgs["cell_a"],
            ),
            admin.signer,
        )
    return sorted(
        ["admin", "thuky", "captuy", "ubkt", "dangvien", "kiemphieu", "binh", "cuong"]
    )


def _names(page: str) -> list[str]:
    return re.findall(r'href="/admin/accounts/[0-9a-f-]{36}">([^<]+)</a>', page)


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def _walk(client, target: str | None) -> tuple[list[list[str]], str]:
    pages: list[list[str]] = []
    page = ""
    while target is not None:
        page = client.get(target).get_data(as_text=True)
        pages.append(_names(page))
        target = _link(page, "next")
        assert len(pages) < 10
    return pages, page


def test_pages_by_username_without_overlap_or_gap(client, auth, accounts):
    auth.login("admin")
    pages, last = _walk(client, L)
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [n for p in pages for n in p] == accounts
    back = _link(last, "prev")
    assert back is not None
    assert _names(client.get(back).get_data(as_text=True)) == pages[1]


def test_the_search_folds_accents_and_survives_paging(client, auth, accounts):
    auth.login("admin")
    page = client.get(f"{L}?q=nguyen+van").get_data(as_text=True)
    # "Nguyễn Văn An" (dangvien) and "Nguyễn Văn Bình" (binh)
    assert _names(page) == ["binh", "dangvien"]
    assert _link(page, "next") is None
    by_user = client.get(f"{L}?q=kiem").get_data(as_text=True)
    assert _names(by_user) == ["kiemphieu", "ubkt"]  # a username, a name (Kiểm)
    # the search kept across pages: the accounts with a word starting "t"
    wide, _ = _walk(client, f"{L}?q=t")  # Thư, Thống (Quản trị hệ thống), Thu
    flat = [n for p in wide for n in p]
    assert flat == sorted(flat)
    assert set(flat) == {"admin", "kiemphieu", "thuky"}
    none = client.get(f"{L}?q=khong+ai").get_data(as_text=True)
    assert "Không có tài khoản nào" in none


def test_the_page_names_its_rows_organisations(client, auth, accounts):
    auth.login("admin")
    page = client.get(f"{L}?q=binh").get_data(as_text=True)
    assert _names(page) == ["binh"]
    assert "Chi bộ xóm A" in page
    assert "Huyện ủy Đông Hà" not in page  # no other row's organisation


@pytest.mark.parametrize("role", ["secretary", "member", "inspector"])
def test_only_the_administrator_lists_accounts(client, auth, accounts, role):
    auth.login(role)
    assert client.get(f"{L}?q=nguyen").status_code == 403


@pytest.mark.parametrize(
    ("path", "kind", "label"),
    [
        ("/ratings/", "cycle", "Tìm kỳ kiểm điểm"),
        ("/votes/", "vote", "Tìm cuộc bỏ phiếu"),
    ],
)
def test_the_cycles_and_votes_lists_have_a_search_box(client, auth, path, kind, label):
    auth.login("secretary")
    page = client.get(path).get_data(as_text=True)
    assert f'<input type="hidden" name="loai" value="{kind}">' in page
    assert label in page
    assert 'action="/tim-kiem/"' in page
