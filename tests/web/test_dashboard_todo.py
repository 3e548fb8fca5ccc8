"""Việc cần làm (issue 13): walking the demo as each role, the dashboard shows the
role's next task, and one click reaches it; the subject's page says who acts
next; the key id and the Merkle root are in a technical fold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.demo_app import demo_app, signed_in

LINK = re.compile(r'<a href="([^"]+)">')


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The demo province in its own store, and its logins."""
    with demo_app(tmp_path_factory, "demo-todo") as demo:
        yield demo


def todo_block(page: str) -> str:
    start = page.index('id="viec-can-lam-khoi"')
    return page[start : page.index('id="tai-khoan"', start)]


def first_link(block: str, after: str) -> str:
    """The first link of the group whose heading starts with ``after``."""
    at = block.index(after)
    found = LINK.search(block, at)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("username", "heading", "step", "lands_on"),
    [
        (
            "thuky",
            "Đối tượng đang kiểm điểm, chưa tự đánh giá",
            "Mở kiểm điểm",
            "Bước tiếp theo:",
        ),
        (
            "captuy",
            "Đề xuất chờ quyết định xếp loại: 1",
            "Bước 3. Quyết định xếp loại",
            "Quyết định",
        ),
        (
            "dangvien",
            "Việc kiểm điểm, xếp loại của bạn",
            "Nộp bản kiểm điểm cá nhân",
            "Bước tiếp theo:</strong> Nộp bản kiểm điểm cá nhân",
        ),
        (
            "ubkt",
            "Hồ sơ thay đổi sau điểm kiểm tra bạn đồng ký gần nhất",
            "Bạn chưa đồng ký điểm kiểm tra nào.",
            "Checkpoint và đồng ký",
        ),
        (
            "bankiemphieu",
            "Việc của Ban kiểm phiếu: 1",
            "Ký biên bản kiểm phiếu",
            "Ký biên bản kiểm phiếu",
        ),
        (
            "thuky-xa",
            "Nhắc việc: 1 hạn chế, khuyết điểm quá hạn khắc phục",
            "Chưa tham gia đầy đủ sinh hoạt chi bộ định kỳ",
            "Báo cáo tiến độ",
        ),
        (
            "admin",
            "Nhắc việc: 2 hạn chế, khuyết điểm quá hạn khắc phục",
            "Chưa tham gia đầy đủ sinh hoạt chi bộ định kỳ",
            "Khắc phục hạn chế, khuyết điểm: Lương Thị Diệp",
        ),
    ],
)
def test_each_role_sees_its_next_task_and_reaches_it_in_one_click(
    demo, username, heading, step, lands_on
):
    client = signed_in(demo, username)
    page = client.get("/").get_data(as_text=True)
    block = todo_block(page)
    assert heading in block
    assert step in block
    target = client.get(first_link(block, heading))
    assert target.status_code == 200
    assert lands_on in target.get_data(as_text=True)


def test_no_login_is_told_nothing_waits_while_a_reminder_does(demo):
    """The overdue remedies are a group of the to-do list: "nothing waits for
    you" is never said beside them; a member's own are their group, not twice."""
    for username in demo["logins"]:
        block = todo_block(signed_in(demo, username).get("/").get_data(as_text=True))
        assert "Hiện không có việc nào chờ bạn" not in block, username
    own = todo_block(signed_in(demo, "dangvien").get("/").get_data(as_text=True))
    assert "Hạn chế, khuyết điểm của bạn đang khắc phục: 1" in own
    assert "Nhắc việc" not in own


def test_the_decision_maker_lands_on_the_decision_of_the_proposal(demo):
    client = signed_in(demo, "captuy")
    block = todo_block(client.get("/").get_data(as_text=True))
    link = first_link(block, "Đề xuất chờ quyết định xếp loại")
    assert link.startswith("/ratings/rounds/")
    assert "Thư ký cấp ủy" not in block
    assert "người thực hiện: cấp ủy có thẩm quyền" in block


def test_the_secretarys_full_list_is_one_link_away(demo):
    client = signed_in(demo, "thuky")
    block = todo_block(client.get("/").get_data(as_text=True))
    more = re.search(r'href="(/ratings/cycles/[^"]+/subjects\?status=pending)"', block)
    assert more is not None
    assert client.get(more.group(1)).status_code == 200


def test_the_member_sees_the_shortcoming_they_are_remedying(demo):
    client = signed_in(demo, "dangvien")
    block = todo_block(client.get("/").get_data(as_text=True))
    assert "Hạn chế, khuyết điểm của bạn đang khắc phục: 1" in block
    link = first_link(block, "Hạn chế, khuyết điểm của bạn đang khắc phục")
    assert client.get(link).status_code == 200


def test_key_id_and_merkle_root_are_in_a_technical_fold(demo):
    client = signed_in(demo, "thuky")
    page = client.get("/").get_data(as_text=True)
    account = page[page.index('id="tai-khoan"') :]
    fold = account.index("<summary>Chi tiết kỹ thuật</summary>")
    key = account.index("Mã khóa ký số")
    assert fold < key
    if "Gốc Merkle" in page:
        assert page.index("Chi tiết kỹ thuật", page.index("diem-kiem-tra")) < (
            page.index("Gốc Merkle")
        )


def test_the_inspectors_full_list_of_changed_files(demo):
    client = signed_in(demo, "ubkt")
    block = todo_block(client.get("/").get_data(as_text=True))
    assert 'href="/viec-can-lam/ho-so-thay-doi"' in block
    page = client.get("/viec-can-lam/ho-so-thay-doi").get_data(as_text=True)
    shown = page.count('href="/ratings/cycles/')
    heading = re.search(r"gần nhất: (\d+)", page)
    assert heading is not None
    assert shown == int(heading.group(1)) > 5
    assert client.get("/viec-can-lam/lenh-kiem-diem-lai").status_code == 403


def test_the_secretarys_full_list_of_orders_is_theirs_to_open(demo):
    client = signed_in(demo, "thuky")
    page = client.get("/viec-can-lam/lenh-kiem-diem-lai")
    assert page.status_code == 200
    assert "Lệnh kiểm điểm, xếp loại lại" in page.get_data(as_text=True)
    assert client.get("/viec-can-lam/ho-so-thay-doi").status_code == 403


def test_the_walk_reaches_a_complete_form_01_of_the_chi_bo(demo):
    """The chi bộ's 2025 report (Mẫu 01) in the demo has every section of the
    template, on the subject's page and in its PDF; none is left empty."""
    import html
    import io
    import unicodedata

    from pypdf import PdfReader

    from services.demo_ratings import DECISION_CELL, DECISION_DISTRICT
    from services.demo_reports import collective_report
    from services.ids import organisation_id
    from services.printouts.reviews import COLLECTIVE_SECTIONS, EMPTY_SECTION
    from services.rating_ids import cycle_id

    cell = organisation_id(DECISION_CELL)
    cycle = cycle_id(organisation_id(DECISION_DISTRICT), 2025, "annual", None)
    client = signed_in(demo, "thuky")
    subject = f"/ratings/cycles/{cycle}/subjects/o:{cell}"
    page = client.get(subject).get_data(as_text=True)
    report = collective_report("cell", "Chi bộ thôn Phú An", 2025)
    shown = [page.index(html.escape(text, quote=False)) for text in report.values()]
    assert shown == sorted(shown)
    answer = client.get(f"{subject}/venues/{cell}/ban-in.pdf")
    assert answer.status_code == 200
    reader = PdfReader(io.BytesIO(answer.data))
    printed = " ".join(
        unicodedata.normalize(
            "NFC", " ".join(p.extract_text() for p in reader.pages)
        ).split()
    )
    headings = dict(COLLECTIVE_SECTIONS)
    for key, text in report.items():
        assert f"{headings[key]} {text[:60]}" in printed, key
    assert EMPTY_SECTION not in printed


def test_the_inspector_sees_the_incidents_of_the_log(
    client, auth, kiemdiem, monkeypatch
):
    from services.audit_results import Incident

    found = [
        Incident("rollback", "size 9 < 12", "evidence", "2026-12-01T03:00:00+00:00")
    ]
    monkeypatch.setattr(kiemdiem.audit, "incidents", lambda: found)
    auth.login("inspector")
    block = todo_block(client.get("/").get_data(as_text=True))
    assert "Sự cố sổ cái đã phát hiện: 1" in block
    assert "Sổ cái hiện ngắn hơn" in block
    assert "10:00 01/12/2026" in block
    assert "size 9 &lt; 12" not in block
    assert "size 9 < 12" not in block
    auth.logout()
    auth.login("secretary")
    assert "Sự cố sổ cái" not in client.get("/").get_data(as_text=True)
