"""The inspection committee's pages (issue 5): every route × every role, the
history with signature status, as-of, proofs, cosigning, a rollback warned
loudly, the verification job, reads recorded, refusals in Vietnamese."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from ledger import bundle, history, note
from ledger.trustroot import log_verifiers
from services import commands as c
from tests.conftest import ROLES
from tests.web.test_auth import _sid
from web.identity import sessions

INSPECTOR = frozenset({"inspector"})


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {member}, {cell}, {province}, {nid}
    ok: int = 200


ROUTES = [
    Route("GET", "/audit/"),
    Route("GET", "/audit/subjects/{member}"),
    Route("GET", "/audit/subjects/{cell}?kind=Founded"),
    Route("GET", "/audit/subjects/{member}/as-of"),
    Route("GET", "/audit/subjects/{member}/as-of?at=2030-01-01"),
    Route("GET", "/audit/subjects/{member}/diff?a=1&b=1"),
    Route("GET", "/audit/subjects/{member}/bundle.json"),
    Route("GET", "/audit/events/{nid}/proof.json"),
    Route("GET", "/audit/checkpoints"),
    Route("GET", "/audit/checkpoints/latest.checkpoint"),
    Route("POST", "/audit/checkpoints/cosign", 400),
    Route("POST", "/audit/checkpoints/compare", 400),
    Route("GET", "/audit/verify"),
]


def _url(path: str, world, kiemdiem) -> str:
    rows = history.stream_rows(kiemdiem.ledger.sql, world.member_id)
    return path.format(
        member=world.member_id,
        cell=world.orgs["cell_a"],
        province=world.orgs["province"],
        nid=rows[0].notification_id,
    )


def _request(client, auth, route, url):
    if route.method == "GET":
        return client.get(url)
    return auth.post(url, {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_for_role(client, auth, world, kiemdiem, route, role):
    auth.login(role)
    response = _request(client, auth, route, _url(route.path, world, kiemdiem))
    expected = route.ok if role in INSPECTOR else 403
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if expected == 403:
        assert "Bạn không có quyền" in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_for_anonymous(client, auth, world, kiemdiem, route):
    response = _request(client, auth, route, _url(route.path, world, kiemdiem))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_verify_job_route_for_each_role(client, auth, kiemdiem):
    for role in ROLES:
        auth.login(role)
        response = auth.post("/audit/verify", {})
        if role in INSPECTOR:
            assert response.status_code == 302
            job_id = response.headers["Location"].rsplit("/", 1)[1]
            kiemdiem.audit.wait(job_id)
            assert client.get(f"/audit/verify/{job_id}").status_code == 200
            status = client.get(f"/audit/verify/{job_id}/status.json")
            assert status.status_code == 200
        else:
            assert response.status_code == 403
        auth.logout()


def test_out_of_scope_subject_is_refused(client, auth, world):
    auth.login("inspector")  # attached to the district, not the province
    response = client.get(f"/audit/subjects/{world.orgs['province']}")
    assert response.status_code == 403
    assert "ngoài phạm vi kiểm tra" in response.get_data(as_text=True)


def test_history_shows_who_decided_with_which_key(client, auth, world, kiemdiem):
    auth.login("inspector")
    page = client.get(f"/audit/subjects/{world.member_id}").get_data(as_text=True)
    assert "Enrolled" in page
    assert "Quản trị hệ thống" in page
    assert "✓ Hợp lệ" in page
    admin_key = kiemdiem.account_row(world.accounts["admin"]).key_id
    assert admin_key in page


def test_edited_row_is_a_failed_signature_at_its_place(client, auth, world, kiemdiem):
    rows = history.stream_rows(kiemdiem.ledger.sql, world.member_id)
    first = rows[0]
    edited = first.state.replace(b"1980-05-17", b"1980-05-18")
    assert edited != first.state
    lite = sqlite3.connect(str(kiemdiem.settings.sqlite_path))
    with lite:
        lite.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (edited, first.notification_id),
        )
    lite.close()
    auth.login("inspector")
    page = client.get(f"/audit/subjects/{world.member_id}").get_data(as_text=True)
    row = page.split(f'id="su-kien-{first.notification_id}"', 1)[1].split("</tr>")[0]
    assert "Chữ ký không khớp nội dung" in row
    assert "không qua kiểm tra chữ ký" in page


def test_history_rows_link_to_their_event_page_and_pages_go_on(
    client, auth, world, kiemdiem
):
    auth.login("inspector")
    page = client.get(f"/audit/subjects/{world.member_id}").get_data(as_text=True)
    assert "Nội dung đã ký</summary>" not in page  # no body on the history page
    first = history.stream_rows(kiemdiem.ledger.sql, world.member_id)[0]
    link = f"/audit/events/{first.notification_id}"
    assert link in page
    event = client.get(link)
    assert event.status_code == 200
    assert "1980-05-17" in event.get_data(as_text=True)  # the signed body
    assert client.get(f"/audit/subjects/{world.member_id}?after=²").status_code == 200
    later = client.get(
        f"/audit/subjects/{world.member_id}?after={first.notification_id}"
    ).get_data(as_text=True)
    assert f'id="su-kien-{first.notification_id}"' not in later
    assert "Trang đầu" in later


def test_bundle_download_verifies_offline_and_the_read_is_recorded(
    client, auth, world, kiemdiem
):
    auth.login("inspector")
    response = client.get(f"/audit/subjects/{world.member_id}/bundle.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    report = bundle.verify_bundle(json.loads(response.data), kiemdiem.trust_root)
    assert report.ok, report.failures
    reads = kiemdiem.audit.history(
        kiemdiem.audit.app.account(world.accounts["inspector"]).actor,
        world.member_id,
        kind="FileAccessed",
    ).items
    assert [i.entry.body["view"] for i in reads] == ["bundle"]
    assert all(i.entry.ok for i in reads)


def test_as_of_and_diff_pages(client, auth, world, kiemdiem):
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    middle = datetime.now(UTC)
    time.sleep(0.01)
    kiemdiem.handle(
        c.TransferMember(admin.actor, world.member_id, world.orgs["cell_b"]),
        admin.signer,
    )
    auth.login("inspector")
    local = (middle + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S.%f")
    page = client.get(f"/audit/subjects/{world.member_id}/as-of?at={local}").get_data(
        as_text=True
    )
    assert str(world.orgs["cell_a"]) in page
    assert str(world.orgs["cell_b"]) not in page
    diff = client.get(f"/audit/subjects/{world.member_id}/diff?a=1&b=2")
    text = diff.get_data(as_text=True)
    assert diff.status_code == 200
    assert "cell_id" in text
    assert 'Chi bộ <small class="muted"><code>cell_id</code>' in text
    assert str(world.orgs["cell_b"]) in text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/audit/subjects/{member}/as-of?at=hom-qua", "không hợp lệ"),
        ("/audit/subjects/{member}/diff?a=x&b=1", "Phiên bản không hợp lệ"),
        ("/audit/subjects/{member}/diff?a=1&b=7", "Phiên bản không hợp lệ"),
        ("/audit/?subject=abc", "không hợp lệ"),
        ("/audit/subjects/00000000-0000-0000-0000-000000000001", "Không tìm thấy"),
        ("/audit/events/999999/proof.json", "Không tìm thấy"),
    ],
)
def test_bad_input_gets_a_vietnamese_message(
    client, auth, world, kiemdiem, path, message
):
    auth.login("inspector")
    before = kiemdiem.ledger.max_notification_id()
    response = client.get(_url(path, world, kiemdiem))
    assert response.status_code in (404, 422)
    assert message in response.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before


def _cosign_line(kiemdiem, world, size: int) -> str:
    account = kiemdiem.account(world.accounts["inspector"])
    signer = kiemdiem.vault.unlock(
        str(account.id), account.actor, world.password("inspector")
    )
    stored = kiemdiem.integrator.checkpoint(size)
    body = note.open_note(stored.note, log_verifiers(kiemdiem.trust_root)).text
    name = kiemdiem.audit.cosigner_name(account.actor)
    return note.cosign(body, name, signer.private_key, int(time.time()))


def test_cosign_then_rollback_is_warned_loudly_with_evidence(
    client, auth, world, kiemdiem
):
    stored = kiemdiem.issue_checkpoint()
    auth.login("inspector")
    page = client.get("/audit/checkpoints").get_data(as_text=True)
    assert f"kích thước <strong>{stored.size}</strong>" in page
    before = kiemdiem.ledger.max_notification_id()
    refused = auth.post(
        "/audit/checkpoints/cosign",
        {"cosign-size": stored.size, "cosign-line": "— không phải chữ ký"},
    )
    assert refused.status_code == 422
    assert "Dòng đồng ký không hợp lệ" in refused.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    line = _cosign_line(kiemdiem, world, stored.size)
    done = auth.post(
        "/audit/checkpoints/cosign", {"cosign-size": stored.size, "cosign-line": line}
    )
    assert done.status_code == 302
    cosigned = client.get(f"/audit/checkpoints/{stored.size}/cosigned.checkpoint")
    assert cosigned.data.endswith(line.encode())
    assert "CẢNH BÁO" not in client.get("/audit/checkpoints").get_data(as_text=True)
    # the DBA deletes the last event
    lite = sqlite3.connect(str(kiemdiem.settings.sqlite_path))
    with lite:
        lite.execute(
            "DELETE FROM stored_events "
            "WHERE rowid = (SELECT MAX(rowid) FROM stored_events)"
        )
    lite.close()
    page = client.get("/audit/checkpoints").get_data(as_text=True)
    assert "CẢNH BÁO" in page
    assert "Sổ cái bị cắt ngắn (rollback)" in page
    assert "đã bị xóa khỏi cuối sổ" in page  # what it means, in Vietnamese
    held = page.split('id="dang-giu"', 1)[1]
    assert "<td>Phạm Minh Kiểm</td>" in held  # the holder, by name
    assert stored.note.decode().splitlines()[2] in page  # the held note, as evidence
    # every page now carries the banner for the committee
    assert "CẢNH BÁO" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("secretary")
    assert "CẢNH BÁO" not in client.get("/").get_data(as_text=True)


def test_issue_a_checkpoint_on_demand(client, auth, kiemdiem):
    before = kiemdiem.integrator.latest_checkpoint()
    auth.login("inspector")
    client.get(f"/members/{kiemdiem.members()[0].member_id}")  # the log grows
    response = auth.post("/audit/checkpoints/issue", {})
    assert response.status_code == 302
    after = kiemdiem.integrator.latest_checkpoint()
    assert after.size > before.size
    assert after.size == kiemdiem.integrator.size
    auth.logout()
    auth.login("secretary")
    assert auth.post("/audit/checkpoints/issue", {}).status_code == 403


def test_compare_an_uploaded_checkpoint(client, auth, kiemdiem):
    stored = kiemdiem.issue_checkpoint()
    auth.login("inspector")
    ok = auth.post("/audit/checkpoints/compare", {"compare-note": stored.note.decode()})
    assert ok.status_code == 200
    assert "Nhất quán" in ok.get_data(as_text=True)
    bad = auth.post("/audit/checkpoints/compare", {"compare-note": "rác"})
    assert bad.status_code == 422
    assert "Checkpoint không hợp lệ" in bad.get_data(as_text=True)


@pytest.mark.slow
def test_verification_job_shows_the_cli_report(client, auth, kiemdiem):
    auth.login("inspector")
    response = auth.post("/audit/verify", {})
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    kiemdiem.audit.wait(job_id)
    status = client.get(f"/audit/verify/{job_id}/status.json").get_json()
    assert status["finished"] is True
    assert status["done"] == status["total"] > 0
    assert status["report"]["ok"] is True
    assert "KẾT QUẢ: HỢP LỆ" in status["html"]
    assert "Sổ cái chung (cây Merkle)" in status["html"]
    assert ">global_log<" not in status["html"]
    assert "<td>Đạt</td>" in status["html"]
    page = client.get(f"/audit/verify/{job_id}").get_data(as_text=True)
    assert "audit-verify.js" in page
    assert "KẾT QUẢ: HỢP LỆ" in page


def test_member_page_records_the_read_and_never_fails(
    app, client, auth, world, kiemdiem
):
    auth.login("secretary")
    assert client.get(f"/members/{world.member_id}").status_code == 200
    # the key is unlocked nowhere (not in this process, none sealed with the
    # session): the page still opens, the read kept pending
    kiemdiem.unlocked.drop_actor(kiemdiem.account(world.accounts["secretary"]).actor)
    sid = _sid(client)
    assert sid is not None
    with app.app_context():
        sessions().store.forget_key(sid)
    before = kiemdiem.ledger.max_notification_id()
    assert client.get(f"/members/{world.member_id}").status_code == 200
    assert kiemdiem.ledger.max_notification_id() == before
    assert len(kiemdiem.audit.pending_reads(world.member_id)) == 1
    auth.login("inspector")
    page = client.get(f"/audit/subjects/{world.member_id}?kind=FileAccessed")
    text = page.get_data(as_text=True)
    assert "Trần Thị Thư" in text  # the secretary's signed read
    assert "Lượt xem chưa ký" in text


API_HEADERS = {"X-Requested-With": "XMLHttpRequest"}
API_ROUTES = [
    Route("GET", "/api/v1/audit/subjects/{member}/history"),
    Route("GET", "/api/v1/audit/subjects/{cell}/as-of?at=2030-01-01"),
    Route("GET", "/api/v1/audit/subjects/{member}/bundle"),
    Route("GET", "/api/v1/audit/events/{nid}/proof"),
    Route("GET", "/api/v1/audit/checkpoints"),
    Route("POST", "/api/v1/audit/checkpoints/cosign", 400),
]


def _api(client, route, url):
    if route.method == "GET":
        return client.get(url, headers=API_HEADERS)
    return client.post(url, json={}, headers=API_HEADERS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "route", API_ROUTES, ids=[f"{r.method} {r.path}" for r in API_ROUTES]
)
def test_api_route_for_role(client, auth, world, kiemdiem, route, role):
    auth.login(role)
    response = _api(client, route, _url(route.path, world, kiemdiem))
    expected = route.ok if role in INSPECTOR else 403
    assert response.status_code == expected
    if expected == 403:
        assert response.get_json()["code"] == "auth.forbidden"


@pytest.mark.parametrize(
    "route", API_ROUTES, ids=[f"{r.method} {r.path}" for r in API_ROUTES]
)
def test_api_route_for_anonymous(client, world, kiemdiem, route):
    response = _api(client, route, _url(route.path, world, kiemdiem))
    assert response.status_code == 401
    assert response.get_json()["code"] == "auth.login_required"


def test_api_history_bundle_and_cosign(client, auth, world, kiemdiem):
    auth.login("inspector")
    found = client.get(
        f"/api/v1/audit/subjects/{world.member_id}/history", headers=API_HEADERS
    ).get_json()
    assert found["subject"]["kind"] == "PartyMember"
    enrolled = next(e for e in found["events"] if e["kind"] == "Enrolled")
    assert enrolled["ok"] is True
    assert enrolled["actor_name"] == "Quản trị hệ thống"
    made = client.get(
        f"/api/v1/audit/subjects/{world.member_id}/bundle", headers=API_HEADERS
    ).get_json()
    assert bundle.verify_bundle(made, kiemdiem.trust_root).ok
    stored = kiemdiem.issue_checkpoint()
    bad = client.post(
        "/api/v1/audit/checkpoints/cosign",
        json={"size": stored.size, "line": "x"},
        headers=API_HEADERS,
    )
    assert bad.status_code == 422
    assert bad.get_json()["code"] == "audit.cosignature_invalid"
    line = _cosign_line(kiemdiem, world, stored.size)
    done = client.post(
        "/api/v1/audit/checkpoints/cosign",
        json={"size": stored.size, "line": line},
        headers=API_HEADERS,
    )
    assert done.status_code == 200
    again = client.post(
        "/api/v1/audit/checkpoints/cosign",
        json={"size": stored.size, "line": line},
        headers=API_HEADERS,
    )
    assert again.get_json()["code"] == "audit.already_cosigned"
    status = client.get("/api/v1/audit/checkpoints", headers=API_HEADERS).get_json()
    assert [h["size"] for h in status["held"]] == [stored.size]
    assert status["incidents"] == []


def test_api_verification_job(client, auth, kiemdiem):
    auth.login("inspector")
    started = client.post("/api/v1/audit/verifications", json={}, headers=API_HEADERS)
    assert started.status_code == 202
    job_id = started.get_json()["job_id"]
    kiemdiem.audit.wait(job_id)
    job = client.get(started.headers["Location"], headers=API_HEADERS).get_json()
    assert job["finished"] is True
    assert job["report"]["ok"] is True
    missing = client.get("/api/v1/audit/verifications/nope", headers=API_HEADERS)
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "audit.job_not_found"


def test_api_member_read_is_recorded(client, auth, world, kiemdiem):
    auth.login("member")
    response = client.get(f"/api/v1/members/{world.member_id}", headers=API_HEADERS)
    assert response.status_code == 200
    inspector = kiemdiem.account(world.accounts["inspector"]).actor
    reads = kiemdiem.audit.history(inspector, world.member_id, kind="FileAccessed")
    assert [(i.entry.actor, i.entry.body["view"]) for i in reads.items] == [
        (kiemdiem.account(world.accounts["member"]).actor, "api")
    ]


def test_as_of_warns_when_the_rows_it_replays_fail(client, auth, world, kiemdiem):
    rows = history.stream_rows(kiemdiem.ledger.sql, world.member_id)
    lite = sqlite3.connect(str(kiemdiem.settings.sqlite_path))
    with lite:
        lite.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (
                rows[0].state.replace(b"1980-05-17", b"1981-05-17"),
                rows[0].notification_id,
            ),
        )
    lite.close()
    auth.login("inspector")
    page = client.get(f"/audit/subjects/{world.member_id}/as-of?at=2099-01-01")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "không qua kiểm tra chữ ký" in text
    assert f"#{rows[0].notification_id} (v1, Chữ ký không khớp nội dung)" in text


def test_the_inspector_finds_a_member_and_reads_their_review_in_their_file(
    client, auth, world, kiemdiem
):
    """Issue 13 (one file per person): found by name without diacritics, the
    member's file holds their review — the self-review and the meeting's minutes
    as readable forms, names for ids, dates dd/mm/yyyy, the raw signed JSON in the
    technical fold — and its bundle holds the review and verifies offline."""
    from services import rating_commands as rc

    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    district, cell = world.orgs["district"], world.orgs["cell_a"]
    cycle = kiemdiem.handle(
        rc.OpenCycle(sec.actor, district, 2025, reference_date=date(2025, 12, 1)),
        sec.signer,
    )
    collective = kiemdiem.handle(
        rc.OpenReview(sec.actor, cycle, f"o:{cell}", cell), sec.signer
    )
    for command in (
        rc.CirculateReport(sec.actor, collective, "Mẫu 01", date(2025, 12, 1)),
        rc.HoldMeeting(sec.actor, collective, date(2025, 12, 4), 9, "BB", "KL"),
    ):
        kiemdiem.handle(command, sec.signer)
    review = kiemdiem.handle(
        rc.OpenReview(sec.actor, cycle, f"m:{world.member_id}", cell), sec.signer
    )
    sections = {
        "strengths": "Gương mẫu trong công tác",
        "shortcomings": "Còn chậm nộp báo cáo",
        "measures": "Nộp báo cáo trước ngày 25",
    }
    kiemdiem.handle(rc.SubmitSelfReview(sec.actor, review, "2B", sections), sec.signer)
    kiemdiem.handle(
        rc.HoldMeeting(sec.actor, review, date(2025, 12, 5), 9, "Biên bản họp", "Đạt"),
        sec.signer,
    )

    auth.login("inspector")
    found = client.get(
        "/tim-kiem/", query_string={"q": "nguyen van an", "noi": "kiem-tra"}
    )
    assert f"/audit/subjects/{world.member_id}" in found.get_data(as_text=True)
    page = client.get(f"/audit/subjects/{world.member_id}").get_data(as_text=True)
    page = page.split("<tbody>", 1)[1]  # the rows, not the filter's options
    submitted = page.split("Nộp bản tự kiểm điểm", 1)[1].split("</tr>", 1)[0]
    form, technical = submitted.split("Chi tiết kỹ thuật", 1)
    assert "I. Ưu điểm, kết quả đạt được" in form
    assert "Gương mẫu trong công tác" in form
    assert "Mẫu 2B" in form
    assert "strengths" not in form
    assert "strengths" in technical
    meeting = page.split("Hội nghị kiểm điểm", 1)[1].split("</tr>", 1)[0]
    assert "05/12/2025" in meeting.split("Chi tiết kỹ thuật", 1)[0]
    assert "2025-12-05" in meeting.split("Chi tiết kỹ thuật", 1)[1]
    opened = page.split("Mở hồ sơ kiểm điểm", 1)[1].split("</tr>", 1)[0]
    opened_form = opened.split("Chi tiết kỹ thuật", 1)[0]
    assert "Nguyễn Văn An" in opened_form
    assert "Chi bộ xóm A" in opened_form
    assert str(world.member_id) not in opened_form
    assert "Cá nhân" in opened_form

    response = client.get(f"/audit/subjects/{world.member_id}/bundle.json")
    made = json.loads(response.data)
    report = bundle.verify_bundle(made, kiemdiem.trust_root)
    assert report.ok, report.failures
    held = {(e.stream, e.topic.rpartition(".")[2]) for e in report.events}
    assert {(str(review), "SelfReviewSubmitted"), (str(review), "MeetingHeld")} <= held


def test_a_signed_body_reads_as_a_form_with_names_dates_and_codes():
    """The presenter alone: tagged dates dd/mm/yyyy, ids by the page's names (an
    unknown one says so, never the id), a score as a number, coded levels by
    name, a self-review's sections in the form's order, technical fields left
    to the fold."""
    from web.audit.present import readable

    member, cycle = (
        "3cbd1008-23d1-5ab2-a83b-53f082bba1c5",
        "e9734064-65a4-5bad-bd3d-6a647544934c",
    )
    names = {member: "Nguyễn Hữu Chi", "u:" + cycle: "Thư ký"}
    decided = readable(
        "domain.ratings:RatingRound.RatingDecided",
        {
            "subject_key": f"m:{member}",
            "level": "HTTNV",
            "decided_on": {"_data_": "2025-12-18", "_type_": "date_iso"},
            "class_version": 2,
        },
        names,
    )
    assert [(f.label, f.text) for f in decided] == [
        ("Đối tượng", "Nguyễn Hữu Chi"),
        ("Mức", "Hoàn thành tốt nhiệm vụ"),
        ("Ngày quyết định", "18/12/2025"),
    ]
    opened = readable(
        "domain.reviews:Review.Opened",
        {"cycle_id": {"_data_": cycle.replace("-", ""), "_type_": "uuid_hex"}},
        names,
    )
    assert [(f.label, f.text) for f in opened] == [("Đợt kiểm điểm", "(không rõ tên)")]
    rated = readable(
        "domain.ratings:RatingRound.SelfRated",
        {"score": {"_data_": "165/2", "_type_": "fraction"}},
        names,
    )
    assert [f.text for f in rated] == ["82,5"]
    (sections,) = readable(
        "domain.reviews:Review.SelfReviewSubmitted",
        {"sections": {"measures": "C", "strengths": "A", "shortcomings": "B"}},
        names,
    )
    assert [text for _, text in sections.lines] == ["A", "B", "C"]
    assert sections.lines[0][0].startswith("I. ")


def test_every_verification_stage_and_failure_has_a_vietnamese_name():
    from ledger.verify import CHECKS, KINDS
    from web.catalogue.audit import CHECK_LABELS, VERIFY_CHECK_LABELS

    assert set(CHECKS) - set(VERIFY_CHECK_LABELS) == set()
    assert set(KINDS) - set(CHECK_LABELS) == set()


def test_reading_an_event_page_of_a_members_file_is_signed_not_left_pending(
    client, auth, world, kiemdiem
):
    """The event page's read is one the access log knows (a view of the history):
    a read it refused would stay pending and hold back the reader's later reads."""
    first = history.stream_rows(kiemdiem.ledger.sql, world.member_id)[0]
    auth.login("inspector")
    assert client.get(f"/audit/events/{first.notification_id}").status_code == 200
    assert client.get(f"/audit/subjects/{world.member_id}").status_code == 200
    assert kiemdiem.audit.pending_reads(world.member_id) == []


def test_a_collective_report_reads_with_the_headings_of_form_01():
    """Mẫu 01's sections under their own headings (V is the measures there,
    not VI as in a self-review), in the form's order; an old report's one text
    under its own label."""
    from web.audit.present import readable

    topic = "domain.reviews:Review.CollectiveReportCirculated"
    report = readable(
        topic,
        {"sections": {"measures": "Họp đúng kỳ", "results": "Hoàn thành"}},
        {},
    )
    assert [(f.label, f.lines) for f in report] == [
        (
            "Nội dung báo cáo kiểm điểm của tập thể (Mẫu 01)",
            (
                ("I. Ưu điểm, kết quả đạt được", "Hoàn thành"),
                (
                    "V. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm",
                    "Họp đúng kỳ",
                ),
            ),
        )
    ]
    old = readable(topic, {"summary": "Báo cáo năm 2024"}, {})
    assert [(f.label, f.text) for f in old] == [("Tóm tắt", "Báo cáo năm 2024")]


def test_a_read_through_another_worker_is_signed_not_left_pending(
    client, auth, world, kiemdiem
):
    """Signed in through one gunicorn worker, reading through another (its key
    not unlocked in that process): the read is signed with the key sealed with
    the session, as any command is, not kept pending."""
    auth.login("inspector")
    sid = _sid(client)
    assert sid is not None
    kiemdiem.unlocked.drop(sid)  # as if served by another process
    before = kiemdiem.ledger.max_notification_id() or 0
    assert client.get(f"/audit/subjects/{world.member_id}").status_code == 200
    assert (kiemdiem.ledger.max_notification_id() or 0) > before  # signed
    assert kiemdiem.audit.pending_reads(world.member_id) == []


def test_the_history_page_renders_before_the_views_reach_its_read_record(
    client, auth, world, kiemdiem, monkeypatch
):
    """The page read what it shows before recording the read; the record's
    catch-up (the wait for the worker, in worker mode) comes after the
    template, so the worker projects it while the page renders, and still
    before the answer; the next view lists the read."""
    import flask

    from services import post_commit
    from web.audit import routes

    order: list[str] = []
    render, catch_up = flask.render_template, post_commit.catch_up

    def rendered(*args, **kwargs):
        order.append("render")
        return render(*args, **kwargs)

    def caught_up(app, last):
        order.append(f"views to {last}")
        return catch_up(app, last)

    auth.login("inspector")
    monkeypatch.setattr(routes, "render_template", rendered)
    monkeypatch.setattr(post_commit, "catch_up", caught_up)
    assert client.get(f"/audit/subjects/{world.member_id}").status_code == 200
    tip = kiemdiem.ledger.max_notification_id()
    assert order == ["render", f"views to {tip}"]
    page = client.get(f"/audit/subjects/{world.member_id}?kind=FileAccessed")
    assert page.get_data(as_text=True).count(f'href="/audit/events/{tip}"') == 1
