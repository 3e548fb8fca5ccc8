"""The browser booth in headless Chromium: a voter types a slip code, marks the
leaders (one left unmarked), encrypts and proves in the page with @noble, casts,
and gets a signed receipt.  The Python server accepts the ballot and the standalone
Python verifier accepts the whole record after the count (votes.md §13.13)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from services import commands as c
from services import vote_commands as vc
from services.ids import account_id, actor_of
from tests.conftest import ACCOUNTS
from tests.e2e.test_journey import _shot, live_server, page  # noqa: F401
from tests.service.test_votes import closed_partial, mode_b_ballot, small_vote
from votes import trustee as tool
from votes.verifier import verify_record

pytestmark = pytest.mark.browser


def test_a_ballot_made_in_the_browser_booth_verifies_in_python(page, kiemdiem):  # noqa: F811
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=3, leaders=3)
    small.organiser(vc.RecordAttendance, 3)
    small.organiser(vc.OpenVoting)
    vid = small.vote_id

    page.goto(f"/votes/{vid}/booth")
    fingerprint = small.votes.vote(vid).short_fingerprint
    page.locator("#short-fingerprint").filter(has_text=fingerprint).wait_for()
    page.get_by_text("khớp với mã ghi trong danh mục").wait_for()
    # No BarcodeDetector in this Chromium: no scan button, the code is typed.
    assert page.evaluate("'BarcodeDetector' in globalThis") is False
    assert page.locator("#qr-scan").is_hidden()
    page.get_by_label("Nhập mã in trên phiếu").fill("AAAA-" + small.slips[0].code[5:])
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_text("Mã phiếu không đúng").wait_for()
    page.get_by_label("Nhập mã in trên phiếu").fill(small.slips[0].code.lower())
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Lãnh đạo 0: Tín nhiệm thấp").check()
    page.get_by_label("Lãnh đạo 1: Tín nhiệm cao").check()
    page.get_by_role("button", name="Xem lại phiếu").click()
    page.get_by_text("phiếu sẽ không hợp lệ đối với: Lãnh đạo 2").wait_for()
    page.get_by_role("button", name="Mã hóa phiếu").click()
    shown = page.locator("#tracking-code").inner_text()
    page.get_by_role("button", name="Bỏ phiếu", exact=True).click()
    page.get_by_text(f"Đã bỏ phiếu. Mã theo dõi: {shown}").wait_for()
    encrypt_ms = int(page.locator("#booth").get_attribute("data-encrypt-ms") or "0")
    assert encrypt_ms < 1000
    _shot(page, "booth-cast")

    # The page's ballot is in the record under that tracking code.
    assert small.votes.find_tracking_code(vid, shown) is not None
    small.cast(small.slips[1], [1, 1, 1])
    small.organiser(vc.CloseVoting)
    for index in (1, 2):
        small.submit(small.trustees[index - 1], closed_partial(small, index))
    small.handle(vc.PublishTally(small.trustees[0].actor, vid), small.trustees[0])
    record = small.votes.export_record(vid)
    head = small.votes.closing_head(vid)
    report = verify_record(record, head=head, trust_root=kiemdiem.trust_root)
    assert report.ok, report.first_failure and report.first_failure.to_json()
    results = {r.leader_index: r for r in small.votes.results(vid)}
    assert (results[0].low, results[0].normal, results[0].valid) == (1, 1, 2)
    assert (results[1].high, results[1].normal) == (1, 1)
    assert (results[2].valid, results[2].invalid) == (1, 1)  # unmarked in the booth
    # The ballot bodies in the record name no voter (mode A).
    for line in record.splitlines()[:-1]:
        content = json.loads(line)["content"]
        if content["topic"] == "VoteBallotCast":
            assert set(content["body"]) == {"ballot", "ballot_hash", "sig"}
    assert tool.read_record(record).election_id == str(vid)


def test_mode_b_a_logged_in_member_unlocks_on_the_device_and_casts(
    page,  # noqa: F811
    kiemdiem,
    world,
):
    """Mode B (§6.2): the member logs in, the booth opens the member's own wrapped
    key in the page (Argon2id + AES-GCM) without sending the password again, signs
    the ballot there; the Python verifier accepts the exported record."""
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=3, leaders=2, mode="B")
    # A second member with an account, who casts with the Python client.
    other = kiemdiem.handle(
        c.EnrolMember(
            admin.actor,
            "Đảng viên Hai",
            "DV00000002",
            date(1981, 1, 1),
            date(2006, 1, 1),
            "full",
            world.orgs["cell_a"],
        ),
        admin.signer,
    )
    kiemdiem.handle(
        c.OpenAccount(
            admin.actor,
            "dangvien2",
            "Đảng viên Hai",
            ("member",),
            "mat-khau-hai",
            member_id=other,
        ),
        admin.signer,
    )
    second = account_id("dangvien2")
    second_key = kiemdiem.vault.unlock(str(second), actor_of(second), "mat-khau-hai")
    small.organiser(vc.PublishEligibleAccounts, (world.member_id, other))
    small.organiser(vc.RecordAttendance, 3)
    small.organiser(vc.OpenVoting)
    vid = small.vote_id
    username, _, password = ACCOUNTS["member"]

    page.goto(f"/votes/{vid}/booth")
    assert "/auth/login" in page.url
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/votes/{vid}/booth")
    sent: list[tuple[str, str]] = []
    page.on("request", lambda r: sent.append((r.url, r.post_data or "")))
    page.locator("#mode-b-note").get_by_text("bạn đã tham gia bỏ phiếu").wait_for()
    page.get_by_text("tên bạn trong danh sách được bỏ phiếu").wait_for()
    page.get_by_label("Mật khẩu").fill("khong-phai-mat-khau")
    page.get_by_role("button", name="Mở khóa").click()
    page.get_by_text("Mật khẩu không đúng hoặc bản ghi khóa bị hỏng.").wait_for()
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Mở khóa").click()
    page.get_by_label("Lãnh đạo 0: Tín nhiệm cao").check()
    page.get_by_label("Lãnh đạo 1: Tín nhiệm thấp").check()
    page.get_by_role("button", name="Xem lại phiếu").click()
    page.get_by_role("button", name="Mã hóa phiếu").click()
    shown = page.locator("#tracking-code").inner_text()
    page.get_by_role("button", name="Bỏ phiếu", exact=True).click()
    page.get_by_text(f"Đã bỏ phiếu. Mã theo dõi: {shown}").wait_for()
    _shot(page, "booth-mode-b-cast")
    assert not any(password in body for _, body in sent)
    # The ballot, and at most the slip check of the member's public key (sent
    # at the start, possibly before this listener).
    bodies = [(url.rsplit("/", 1)[-1], body) for url, body in sent if body]
    assert [url for url, _ in bodies if url == "ballots"] == ["ballots"]
    assert {url for url, _ in bodies} <= {"ballots", "slip-status"}

    # The ballot's credential is the member's account key; tally and verify.
    assert small.votes.find_tracking_code(vid, shown) is not None
    member_actor = f"u:{world.accounts['member']}"
    [key] = kiemdiem.ledger.key_registry().valid_keys_of(member_actor)
    record = small.votes.export_record(vid)
    cast = [
        json.loads(line)["content"]
        for line in record.splitlines()[:-1]
        if b'"topic":"VoteBallotCast"' in line
    ]
    assert [c["body"]["ballot"]["credential"] for c in cast] == [
        key.public_key_raw.hex()
    ]
    small.votes.cast_ballot(
        vc.CastBallot(vid, mode_b_ballot(small, second_key, [1, 2])), second_key.actor
    )
    small.organiser(vc.CloseVoting)
    for index in (1, 3):
        small.submit(small.trustees[index - 1], closed_partial(small, index))
    small.handle(vc.PublishTally(small.trustees[0].actor, vid), small.trustees[0])
    record = small.votes.export_record(vid)
    head = small.votes.closing_head(vid)
    report = verify_record(record, head=head, trust_root=kiemdiem.trust_root)
    assert report.ok, report.first_failure and report.first_failure.to_json()
    results = {r.leader_index: r for r in small.votes.results(vid)}
    assert (results[0].high, results[0].normal, results[0].issued) == (1, 1, 2)
    assert (results[1].low, results[1].band) == (2, "GTE_TWO_THIRDS")


# A browser with BarcodeDetector and a camera, played by a canvas stream and a
# detector that reads the payload the test put on the page's window.
FAKE_CAMERA = """
(() => {
  class BarcodeDetector {
    static async getSupportedFormats() { return ['qr_code', 'ean_13']; }
    constructor(options) { window.__qrFormats = options.formats; }
    async detect(source) {
      window.__qrFrames = (window.__qrFrames || 0) + 1;
      if (!(source instanceof HTMLVideoElement) || window.__qrFrames < 3) return [];
      return [{ rawValue: 'not a slip' }, { rawValue: window.__qrPayload }];
    }
  }
  window.BarcodeDetector = BarcodeDetector;
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    window.__qrConstraints = constraints;
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 48;
    canvas.getContext('2d').fillRect(0, 0, 64, 48);
    return canvas.captureStream(5);
  };
})();
"""


def test_the_booth_scans_a_slip_qr_code_by_camera(page, kiemdiem):  # noqa: F811
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=3, leaders=1)
    small.organiser(vc.RecordAttendance, 3)
    small.organiser(vc.OpenVoting)
    vid = small.vote_id
    page.add_init_script(FAKE_CAMERA)
    response = page.goto(f"/votes/{vid}/booth")
    assert response is not None
    assert "camera=(self)" in response.headers["permissions-policy"]
    page.get_by_text("khớp với mã ghi trong danh mục").wait_for()
    page.evaluate(
        "(payload) => { window.__qrPayload = payload; }", small.slips[1].qr_payload
    )
    page.get_by_role("button", name="Quét mã QR bằng camera").click()
    page.get_by_label("Lãnh đạo 0: Tín nhiệm cao").wait_for()
    assert page.evaluate("window.__qrFormats") == ["qr_code"]
    assert page.evaluate("window.__qrConstraints") == {
        "video": {"facingMode": "environment"}
    }
    assert page.locator("#qr-box").is_hidden()  # the camera is stopped
    page.get_by_label("Lãnh đạo 0: Tín nhiệm cao").check()
    page.get_by_role("button", name="Xem lại phiếu").click()
    page.get_by_role("button", name="Mã hóa phiếu").click()
    page.get_by_role("button", name="Bỏ phiếu", exact=True).click()
    page.get_by_text("Đã bỏ phiếu. Mã theo dõi:").wait_for()
    # The scanned slip is the one used: its credential has a ballot now.
    assert small.slips[1].credential_pub in small.votes.vote(vid).used
