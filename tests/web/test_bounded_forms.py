"""The cycles and votes lists a page at a time, and the forms that used to list
every organisation or member (opening a cycle, creating a vote, a remediation
plan) with typed fields instead (issue 14, deliverable 2): pages follow without
overlap or gap by their links, suggestions are bounded and in scope, a typed
value that names nothing in scope is refused in Vietnamese and stores nothing."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from uuid import UUID

import pytest

from projections import search, search_lists
from services import commands as c
from services import rating_commands as rc
from services import remediation_commands as mc
from services.ids import account_id
from tests.conftest import ADMIN_PASSWORD, MEMBER_CARD


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def _walk(client, target: str | None, pattern: str) -> tuple[list[list[str]], str]:
    pages: list[list[str]] = []
    page = ""
    while target is not None:
        page = client.get(target).get_data(as_text=True)
        pages.append(re.findall(pattern, page))
        target = _link(page, "next")
        assert len(pages) < 10
    return pages, page


def _options(page: str, list_id: str) -> list[str]:
    found = re.search(rf'<datalist id="{list_id}"[^>]*>(.*?)</datalist>', page, re.S)
    assert found is not None, list_id
    return [unescape(v) for v in re.findall(r'<option value="([^"]*)"', found[1])]


@pytest.fixture
def cycles(kiemdiem, world, monkeypatch) -> list[str]:
    """Five cycles of the district's branch, in two pages of two and one of one."""
    monkeypatch.setattr("services.read_gateway_lists.PAGE", 2)
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    opened = []
    for org, year in (
        ("district", 2023),
        ("district", 2024),
        ("district", 2025),
        ("cell_a", 2025),
        ("cell_b", 2025),
    ):
        opened.append(
            str(
                kiemdiem.handle(
                    rc.OpenCycle(sec.actor, world.orgs[org], year), sec.signer
                )
            )
        )
    return opened


CYCLE_LINK = r'href="/ratings/cycles/([0-9a-f-]{36})"'


def test_the_cycles_list_pages_by_name_without_overlap_or_gap(client, auth, cycles):
    auth.login("secretary")
    pages, last = _walk(client, "/ratings/", CYCLE_LINK)
    assert [len(p) for p in pages] == [2, 2, 1]
    flat = [ident for p in pages for ident in p]
    assert sorted(flat) == sorted(cycles)
    assert flat[:2] == cycles[3:5]  # Chi bộ xóm A, Chi bộ xóm B, then the district
    back = _link(last, "prev")
    assert back is not None
    assert "truoc=" in back
    assert re.findall(CYCLE_LINK, client.get(back).get_data(as_text=True)) == pages[1]


def test_a_member_lists_the_cycles_of_their_line_only(client, auth, kiemdiem, cycles):
    auth.login("member")  # an account of the district, a member of chi bộ xóm A
    pages, _ = _walk(client, "/ratings/", CYCLE_LINK)
    seen = {ident for p in pages for ident in p}
    assert seen <= set(cycles)
    assert cycles[4] not in seen  # chi bộ xóm B's


def test_the_open_cycle_form_suggests_a_bounded_list_in_reach(
    client, auth, world, monkeypatch
):
    monkeypatch.setattr("web.ratings.cycles.ORG_CHOICES", 2)
    auth.login("secretary")
    page = client.get("/ratings/").get_data(as_text=True)
    shown = _options(page, "to-chuc-mo-ky")
    assert shown == ["Chi bộ xóm A (chi-bo-xom-a)", "Chi bộ xóm B (chi-bo-xom-b)"]
    assert "gợi ý sẵn 2 tổ chức đầu tiên" in page
    assert 'data-search-url="/api/v1/search?pham_vi=mo-ky"' in page
    monkeypatch.setattr("web.ratings.cycles.ORG_CHOICES", 200)
    everything = _options(
        client.get("/ratings/").get_data(as_text=True), "to-chuc-mo-ky"
    )
    # the district's branch: no province above it, no leadership collective
    assert everything == [
        "Chi bộ xóm A (chi-bo-xom-a)",
        "Chi bộ xóm B (chi-bo-xom-b)",
        "Huyện ủy Đông Hà (huyen-uy-dong)",
    ]
    found = client.get("/api/v1/search?pham_vi=mo-ky&loai=organisation&q=uy").get_json()
    assert [r["name"] for r in found["results"]] == ["Huyện ủy Đông Hà"]


def _open(auth, typed: str, year: str = "2025"):
    return auth.post("/ratings/cycles", {"org_id": typed, "year": year})


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        (
            "Tỉnh ủy Thử Nghiệm",
            "Không tìm thấy tổ chức “Tỉnh ủy Thử Nghiệm” trong phạm vi",
        ),
        ("Ban Thường vụ Huyện ủy Đông Hà", "Không tìm thấy tổ chức “Ban Thường vụ"),
        ("Không có tổ chức này", "Không tìm thấy tổ chức “Không có tổ chức này”"),
        ("chi bo xom", "Có nhiều tổ chức cùng tên “chi bo xom”"),
    ],
)
def test_a_typed_organisation_out_of_reach_is_refused(
    client, auth, kiemdiem, typed, words
):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    answer = _open(auth, typed)
    assert answer.status_code in (400, 404, 422)
    assert words in answer.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_a_cycle_opened_by_typing_its_organisation(client, auth, kiemdiem, world):
    auth.login("secretary")
    for typed in ("huyen uy dong", "Chi bộ xóm A (chi-bo-xom-a)", "chi-bo-xom-b"):
        answer = _open(auth, typed)
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    orgs = {r["org_id"] for r in kiemdiem.ratings.cycles()}
    assert orgs == {str(world.orgs[k]) for k in ("district", "cell_a", "cell_b")}


# -- votes -------------------------------------------------------------------------
@pytest.fixture
def trustees(kiemdiem) -> list[str]:
    """Three accounts of the ban kiểm phiếu: the seeded one and two more."""
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    for name in ("kiemphieu-b", "kiemphieu-c"):
        kiemdiem.handle(
            c.OpenAccount(
                admin.actor,
                name,
                f"Kiểm phiếu {name[-1]}",
                ("counting",),
                "mat-khau-kp",
            ),
            admin.signer,
        )
    return [str(account_id(u)) for u in ("kiemphieu", "kiemphieu-b", "kiemphieu-c")]


def _vote(trustees, code: str, **change) -> dict:
    data = {
        "org_id": "Ban Thường vụ Huyện ủy Đông Hà",
        "code": code,
        "title": f"Lấy phiếu tín nhiệm {code}",
        "vote_year": "2026",
        "conference_date": "2026-12-10",
        "convened": "9",
        "mode": "A",
        "leaders-0-member_id": MEMBER_CARD,
        "leaders-0-post": "Bí thư Huyện ủy",
        "leaders-0-appointed_or_elected_on": "2021-03-01",
        "trustees": trustees,
        "chair_id": trustees[0],
        "min_ballots": "2",
        "submit": "Tạo cuộc bỏ phiếu",
    }
    data.update(change)
    return data


VOTE_LINK = r'href="/votes/([0-9a-f-]{36})"'


def test_votes_made_by_typing_and_listed_a_page_at_a_time(
    client, auth, kiemdiem, world, trustees, monkeypatch
):
    auth.login("admin")
    made = []
    for typed_org, person, code in (
        ("btv-huyen-uy-dong", "Nguyễn Văn An", "ltn-a"),
        (
            "Ban Thường vụ Huyện ủy Đông Hà (btv-huyen-uy-dong)",
            f"Nguyễn Văn An ({MEMBER_CARD})",
            "ltn-b",
        ),
        ("huyen-uy-dong", str(world.member_id), "ltn-c"),
    ):
        answer = auth.post(
            "/votes/new",
            _vote(trustees, code, org_id=typed_org, **{"leaders-0-member_id": person}),
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
        made.append(answer.headers["Location"].rsplit("/", 1)[-1])
    rows = {str(r.vote_id): r for r in kiemdiem.votes.votes()}
    assert {str(rows[v].org_id) for v in made[:2]} == {str(world.orgs["collective"])}
    assert str(rows[made[2]].org_id) == str(world.orgs["district"])
    monkeypatch.setattr("services.read_gateway_lists.PAGE", 2)
    pages, last = _walk(client, "/votes/", VOTE_LINK)
    assert [len(p) for p in pages] == [2, 1]
    assert [v for p in pages for v in p] == made  # by title
    back = _link(last, "prev")
    assert back is not None
    assert re.findall(VOTE_LINK, client.get(back).get_data(as_text=True)) == pages[0]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"leaders-0-member_id": "Không Có Ai"},
            "Không tìm thấy đảng viên “Không Có Ai”",
        ),
        (
            {"org_id": "Không có tổ chức này"},
            "Không tìm thấy tổ chức “Không có tổ chức này”",
        ),
    ],
)
def test_a_vote_with_a_typed_value_naming_nothing_is_refused(
    client, auth, kiemdiem, trustees, change, words
):
    auth.login("admin")
    before = kiemdiem.ledger.max_notification_id()
    answer = auth.post("/votes/new", _vote(trustees, "ltn-x", **change))
    assert answer.status_code in (400, 404, 422)
    assert words in answer.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_the_vote_form_lists_no_member_and_a_bounded_few_trustees(
    client, auth, trustees, monkeypatch
):
    monkeypatch.setattr("services.read_gateway_typed.ACCOUNTS", 2)
    auth.login("admin")
    page = client.get("/votes/new").get_data(as_text=True)
    assert _options(page, "dang-vien-lay-phieu") == []  # typing finds members
    assert 'data-kind="member"' in page
    assert "Nguyễn Văn An" not in page
    assert page.count('name="trustees"') == 2
    assert "2 tài khoản Ban kiểm phiếu đầu tiên" in page


def test_trustees_beyond_the_listed_few_are_typed_by_username(
    client, auth, kiemdiem, trustees, monkeypatch
):
    monkeypatch.setattr("services.read_gateway_typed.ACCOUNTS", 2)
    auth.login("admin")
    assert "Thành viên Ban kiểm phiếu khác" in client.get("/votes/new").get_data(
        as_text=True
    )
    before = kiemdiem.ledger.max_notification_id()
    typed = {"other_trustees": "khong-co-ai"}
    refused = auth.post("/votes/new", _vote(trustees[:2], "ltn-t", **typed))
    assert refused.status_code in (400, 404, 422)
    assert "Không có tài khoản nào có tên đăng nhập “khong-co-ai”" in refused.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before
    typed["other_trustees"] = "\n kiemphieu-c \n"
    answer = auth.post("/votes/new", _vote(trustees[:2], "ltn-t", **typed))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    vote_id = answer.headers["Location"].rsplit("/", 1)[-1]
    manifest = kiemdiem.votes.vote(UUID(vote_id)).manifest
    assert len(manifest["trustees"]) == 3


# -- a remediation plan --------------------------------------------------------------
@pytest.fixture
def shortcoming(kiemdiem, world) -> str:
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2024, reference_date=date(2024, 12, 1)
        ),
        sec.signer,
    )
    return str(
        kiemdiem.handle(
            mc.RecordShortcoming(
                sec.actor,
                cycle,
                f"m:{world.member_id}",
                "SUGGESTION",
                "Chưa tích cực tham gia sinh hoạt",
                "SUBJECTIVE",
                recorded_on=date(2024, 12, 10),
            ),
            sec.signer,
        )
    )


def _plan(shortcoming: str, member: str, org: str) -> dict:
    return {
        "pl-shortcoming_ids": shortcoming,
        "pl-measures": "Dự sinh hoạt đầy đủ",
        "pl-responsible_member_id": member,
        "pl-deadline": "2030-06-30",
        "pl-supervisor": "INSPECTION_COMMITTEE",
        "pl-supervisor_org_id": org,
        "pl-adopted_on": "2024-12-20",
    }


def test_the_plan_form_suggests_the_users_line_and_no_member(
    client, auth, world, shortcoming
):
    auth.login("secretary")
    page = client.get(f"/remediation/subjects/m:{world.member_id}").get_data(
        as_text=True
    )
    assert _options(page, "to-chuc-giam-sat") == [
        "Tỉnh ủy Thử Nghiệm (tinh-uy-thu)",
        "Huyện ủy Đông Hà (huyen-uy-dong)",
    ]
    assert _options(page, "dang-vien-khac-phuc") == []
    assert '<select id="pl-responsible_member_id"' not in page
    assert '<select id="pl-supervisor_org_id"' not in page


@pytest.mark.parametrize(
    ("member", "org", "words"),
    [
        ("Không Có Ai", "huyen-uy-dong", "Không tìm thấy đảng viên “Không Có Ai”"),
        ("Nguyễn Văn An", "Không có tổ chức này", "Không tìm thấy tổ chức “Không có"),
    ],
)
def test_a_plan_naming_nothing_is_refused(
    client, auth, kiemdiem, world, shortcoming, member, org, words
):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    answer = auth.post(
        f"/remediation/subjects/m:{world.member_id}/plan",
        _plan(shortcoming, member, org),
    )
    assert answer.status_code in (400, 404, 422)
    assert words in answer.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def test_a_plan_adopted_by_typing(client, auth, kiemdiem, world, shortcoming):
    auth.login("secretary")
    answer = auth.post(
        f"/remediation/subjects/m:{world.member_id}/plan",
        _plan(shortcoming, "nguyen van an", "Huyện ủy Đông Hà (huyen-uy-dong)"),
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    (item,) = kiemdiem.remediation.items(subject_key=f"m:{world.member_id}")
    assert item["responsible_member_id"] == str(world.member_id)
    assert item["supervisor_org_id"] == str(world.orgs["district"])


def test_sqlite_reads_the_keyset_as_one_index_range(kiemdiem, cycles):
    """On SQLite (as ``tests/store/test_directory_explain.py`` on PostgreSQL):
    the page after and before a row of the cycles list and of the member list
    is a range of ``entries_name`` by the row value comparison, no scan."""
    views = kiemdiem.projections
    cursor_at = ("huyen uy dong ha", cycles[0])
    everywhere = search.EVERYWHERE
    statements = [
        (
            search_lists.page_sql(
                "cycle", after=cursor_at, narrowing=everywhere, limit=50
            ),
            "ratings",
        ),
        (
            search_lists.page_sql(
                "vote", after=None, before=cursor_at, narrowing=everywhere, limit=50
            ),
            "vote_results",
        ),
        (
            search.member_page_sql(
                cell_id=None, after=cursor_at, narrowing=everywhere, limit=50
            ),
            None,
        ),
    ]
    for (sql, args), view in statements:
        names = ("search", "directory", *([view] if view else []))
        with views.read(*names) as cursor:
            rows = cursor.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()
        plan = "\n".join(str(r[-1]) for r in rows)
        assert "entries_name" in plan, plan
        assert "(sort_key,entity_id)" in plan, plan
        assert "SCAN e " not in plan + " ", plan
