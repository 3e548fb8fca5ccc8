"""Vote pages: every route × role, the booth over HTTP (cast, receipt, tracking,
refusals that leave the store unchanged), the committee's steps through the pages
and the 96-QĐ/TW results with their XLSX and PDF exports."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from openpyxl import load_workbook

from services import booth
from services.vote_booth import RECEIPT_PREFIX
from tests.conftest import ACCOUNTS, ROLES, csrf_token_from
from tests.service.test_votes import SmallVote, closed_partial, small_vote
from votes import trustee as tool
from votes.canon import canonical
from votes.verifier import verify_record


@pytest.fixture
def small(kiemdiem, world) -> SmallVote:
    """A vote of the seeded district, where every seeded account works."""
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    return small_vote(kiemdiem, admin, convened=4, org=world.orgs["district"])


def _token(client, url: str) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _open(client, auth, small: SmallVote) -> None:
    """Attendance 3 of 4, the fourth slip voided, open: through the pages."""
    auth.login("admin")
    vid = small.vote_id
    detail = f"/votes/{vid}"
    token = _token(client, detail)
    page = client.post(
        f"{detail}/attendance",
        data={"attendance-present": "3", "attendance-csrf_token": token},
    )
    assert page.status_code == 302
    page = client.post(f"{detail}/step/open", data={"action-csrf_token": token})
    # 4 slips printed, 3 present: issued > present is refused, with the words.
    assert page.status_code == 422
    assert "nhiều hơn số người có mặt" in page.get_data(as_text=True)
    unissued = [s.code for s in small.slips[3:]]
    small.submit(small.trustees[0], tool.void_message(small.view(), 1, unissued))
    assert (
        client.post(
            f"{detail}/step/open", data={"action-csrf_token": token}
        ).status_code
        == 302
    )
    auth.logout()


def _cast(client, small: SmallVote, slip, choices):
    booth_page = client.get(f"/votes/{small.vote_id}/booth")
    token = csrf_token_from_booth(booth_page.get_data(as_text=True))
    return client.post(
        f"/votes/{small.vote_id}/ballots",
        data=small.ballot(slip, choices),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )


def csrf_token_from_booth(html: str) -> str:
    marker = 'data-csrf="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


@pytest.mark.parametrize("role", ROLES)
def test_vote_pages_for_every_role(client, auth, small, role):
    auth.login(role)
    vid = small.vote_id
    for url in ("/votes/", f"/votes/{vid}", f"/votes/{vid}/results"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Lấy phiếu tín nhiệm" in page.get_data(as_text=True)
    detail = client.get(f"/votes/{vid}").get_data(as_text=True)
    assert ("Ban tổ chức" in detail) == (role == "admin")
    assert ("Ký và gửi thông điệp" in detail) == (role == "counting")
    # Steps are refused to roles without the permission, before any command.
    before = small.services.ledger.max_notification_id()
    token = csrf_token_from(detail)
    answer = client.post(f"/votes/{vid}/step/close", data={"action-csrf_token": token})
    if role != "admin":
        assert answer.status_code == 403
    assert small.services.ledger.max_notification_id() == before or role == "admin"


def test_anonymous_reaches_only_the_booth(client, small):
    vid = small.vote_id
    assert client.get("/votes/").status_code == 302
    assert client.get(f"/votes/{vid}").status_code == 302
    assert client.get(f"/votes/{vid}/record.jsonl").status_code == 302
    page = client.get(f"/votes/{vid}/booth")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<script type="importmap">' in html
    assert "sha256-" in page.headers["Content-Security-Policy"]
    data = client.get(f"/votes/{vid}/booth/election.json").get_json()
    assert data["key"]["short_fingerprint"] == small.votes.vote(vid).short_fingerprint


def test_manifest_pins_the_served_booth(client, small):
    served = booth.bundle()
    manifest = small.votes.vote(small.vote_id).manifest
    assert manifest["booth_sha256"] == served.sha256.hex()
    path = "booth/kiemdiem-booth.js"
    answer = client.get(f"{booth.URL_BASE}{path}")
    assert answer.status_code == 200
    assert answer.data == served.files[path].read_bytes()
    assert (
        client.get(f"{booth.URL_BASE}lib/@noble/curves/ed25519.js").status_code == 200
    )
    for bad in ("../pyproject.toml", "lib/@noble/curves/package.json", "nope.js"):
        assert client.get(f"{booth.URL_BASE}{bad}").status_code == 404


def test_cast_over_http_gives_a_signed_receipt_and_a_tracking_code(client, auth, small):
    _open(client, auth, small)
    answer = _cast(client, small, small.slips[0], [0, None])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    receipt = answer.get_json()
    service_pub = small.votes.vote(small.vote_id).service_pub
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(service_pub)).verify(
        bytes.fromhex(receipt["sig"]), RECEIPT_PREFIX + canonical(receipt["body"])
    )
    code = receipt["body"]["tracking_code"]
    track = client.get(f"/votes/{small.vote_id}/track?code={code}")
    assert "có trong hồ sơ" in track.get_data(as_text=True)
    missing = client.get(f"/votes/{small.vote_id}/track?code=AAAA-AAAA-AAAA-AAAA")
    assert "Không tìm thấy mã theo dõi" in missing.get_data(as_text=True)

    # A second ballot on the same slip, a foreign slip: refused, nothing stored.
    before = small.services.ledger.max_notification_id()
    again = _cast(client, small, small.slips[0], [1, 1])
    assert again.status_code == 422
    assert again.get_json()["code"] == "vote.double_ballot"
    assert "chỉ được bỏ một lần" in again.get_json()["message"]
    voided = _cast(client, small, small.slips[3], [1, 1])
    assert voided.get_json()["code"] == "vote.ballot_rejected"
    assert small.services.ledger.max_notification_id() == before


def test_committee_pages_run_the_count_and_publish_results(client, auth, small):
    _open(client, auth, small)
    assert _cast(client, small, small.slips[0], [2, 0]).status_code == 200
    assert _cast(client, small, small.slips[1], [2, None]).status_code == 200
    vid = small.vote_id
    auth.login("admin")
    token = _token(client, f"/votes/{vid}")
    assert (
        client.post(
            f"/votes/{vid}/step/close", data={"action-csrf_token": token}
        ).status_code
        == 302
    )
    head = small.votes.closing_head(vid).hex()
    assert head in client.get(f"/votes/{vid}").get_data(as_text=True)
    auth.logout()

    for index in (1, 2):
        auth.login_as(f"kiemphieu{index - 1}", small.passwords[index - 1])
        token = _token(client, f"/votes/{vid}")
        message = json.dumps(closed_partial(small, index))
        page = client.post(
            f"/votes/{vid}/message",
            data={"message-message": message, "message-csrf_token": token},
        )
        assert page.status_code == 302, page.get_data(as_text=True)[:2000]
        auth.logout()

    # A message for another vote or garbage is refused with words, nothing stored.
    auth.login_as("kiemphieu2", small.passwords[2])
    token = _token(client, f"/votes/{vid}")
    before = small.services.ledger.max_notification_id()
    page = client.post(
        f"/votes/{vid}/message",
        data={"message-message": '{"vote": "x"}', "message-csrf_token": token},
    )
    assert page.status_code == 422
    assert "Tệp thông điệp không hợp lệ" in page.get_data(as_text=True)
    assert small.services.ledger.max_notification_id() == before
    auth.logout()

    auth.login_as("kiemphieu0", small.passwords[0])
    token = _token(client, f"/votes/{vid}")
    assert (
        client.post(
            f"/votes/{vid}/step/tally", data={"action-csrf_token": token}
        ).status_code
        == 302
    )
    results = client.get(f"/votes/{vid}/results").get_data(as_text=True)
    # Leader 1: 2 low of 2 returned (≥ 2/3); leader 2: one unmarked ballot.
    assert 'data-band="GTE_TWO_THIRDS"' in results
    assert "100,00%" in results
    xlsx = client.get(f"/votes/{vid}/results.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = [r for r in sheet.iter_rows() if r and r[0].value == 1]
    values = tuple(c.value for c in rows[0])
    assert values[3:8] == (3, 2, 2, 0, 0)  # issued, returned, valid, invalid, high
    # the share is a number shown as a percentage; the exact fraction stays text
    assert values[13:16] == (2, 1, "2/2")
    assert rows[0][14].number_format == "0.00%"
    day = next(r[1] for r in sheet.iter_rows() if r[0].value == "Ngày hội nghị")
    assert day.number_format == "DD/MM/YYYY"
    pdf = client.get(f"/votes/{vid}/results.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    record = client.get(f"/votes/{vid}/record.jsonl").data
    assert verify_record(record, head=bytes.fromhex(head)).ok
