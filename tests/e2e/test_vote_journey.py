"""The demo-sized confidence vote end to end in Chromium: 15 leaders, 40 voters
(45 convened, 42 present, 3 slips voided), a ban kiểm phiếu of 5 with t = 3.

Through the pages: the organiser creates the vote with the form; each trustee, in
their own browser session, downloads the record, runs their trustee tool step
(``votes.trustee``, as ``kiemdiem votes trustee …`` does on their machine) and
pastes its message; the organiser publishes the key, records attendance and opens;
the chair prints slips and voids the unissued ones; voters cast in the booth; the
organiser closes; three trustees verify the downloaded record and send their
partial decryptions; the chair publishes.  The results page shows the 96-QĐ/TW
boundaries and the downloaded record verifies.

All 40 ballots are made in the Chromium booth (@noble, in the page, each voter
loading the booth afresh from the slip code), as at the conference; the Python
client's ballots over the same endpoint are tested in tests/service/test_votes.py.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from services import commands as c
from services.demo_vote import demo_choices
from services.ids import account_id, actor_of
from tests.conftest import ACCOUNTS
from tests.e2e.test_journey import _shot, live_server, page  # noqa: F401
from votes import trustee as tool
from votes.verifier import verify_record

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LEADERS = 15
TRUSTEES = 5
CONVENED, PRESENT, VOTERS = 45, 42, 40
PASSWORD = "mat-khau-ban-kiem-phieu"


def _people(kiemdiem, world) -> tuple[list[str], list[str], list[str]]:
    """14 more members (15 leaders with the seeded one) and 4 more accounts of
    the ban kiểm phiếu (5 with the seeded one)."""
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    names = [ACCOUNTS["member"][1]]
    members = [str(world.member_id)]
    for k in range(1, LEADERS):
        name = f"Lãnh Đạo Số {k:02d}"
        member = kiemdiem.handle(
            c.EnrolMember(
                admin.actor,
                name,
                f"LD{k:06d}",
                date(1970, 1, 1),
                date(1995, 1, 1),
                "full",
                world.orgs["cell_a"],
            ),
            admin.signer,
        )
        names.append(name)
        members.append(str(member))
    trustees = [ACCOUNTS["counting"][0]]
    for k in range(1, TRUSTEES):
        username = f"bkp-{k}"
        kiemdiem.handle(
            c.OpenAccount(
                admin.actor,
                username,
                f"Ủy viên Ban kiểm phiếu {k}",
                ("counting",),
                PASSWORD,
            ),
            admin.signer,
        )
        trustees.append(username)
    return names, members, trustees


def _login(context, username: str, password: str):
    tab = context.new_page()
    tab.goto("/auth/login")
    tab.get_by_label("Tên đăng nhập").fill(username)
    tab.get_by_label("Mật khẩu").fill(password)
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.get_by_role("heading", name=re.compile("Xin chào")).wait_for()
    return tab


def _create(admin, members: list[str], trustees: list[str]) -> str:
    admin.goto("/votes/")
    admin.get_by_role("link", name="Tạo cuộc bỏ phiếu").click()
    admin.get_by_label("Tổ chức đảng tiến hành lấy phiếu").fill(
        "Huyện ủy Đông Hà (huyen-uy-dong)"
    )
    admin.get_by_label("Mã cuộc bỏ phiếu").fill("ltn-2025-btv")
    admin.get_by_label("Tên cuộc bỏ phiếu").fill(
        "Lấy phiếu tín nhiệm năm 2025 đối với Ban Thường vụ Huyện ủy"
    )
    admin.get_by_label("Năm lấy phiếu").fill("2025")
    admin.get_by_label("Ngày hội nghị").fill("2025-12-10")
    admin.get_by_label("Số người được triệu tập").fill(str(CONVENED))
    for _ in range(2):  # 5 rows, then 10, then 15
        admin.get_by_role("button", name="Thêm dòng").click()
    for k, member in enumerate(members, start=1):
        admin.get_by_label(f"Người được lấy phiếu {k}", exact=True).fill(member)
        admin.get_by_label(f"Chức vụ {k}", exact=True).fill(
            f"Ủy viên Ban Thường vụ {k}"
        )
        admin.get_by_label(f"Ngày được bầu, bổ nhiệm {k}", exact=True).fill(
            "2020-10-15"
        )
    for username in trustees:
        admin.get_by_label(re.compile(rf"\({re.escape(username)}\)$")).check()
    admin.get_by_label("Trưởng Ban kiểm phiếu").select_option(
        label=f"{ACCOUNTS['counting'][1]} ({trustees[0]})"
    )
    admin.get_by_label("Số thành viên cần để giải mã (t)").fill("")  # ⌊5/2⌋ + 1
    _shot(admin, "vote-journey-create")
    admin.get_by_role("button", name="Tạo cuộc bỏ phiếu").click()
    admin.get_by_text("Đã tạo cuộc bỏ phiếu").wait_for()
    return admin.url.rsplit("/", 1)[-1]


def _record(tab, vote_id: str) -> bytes:
    """The record as a trustee downloads it from the vote page."""
    answer = tab.request.get(f"/votes/{vote_id}/record.jsonl")
    assert answer.ok
    return answer.body()


def _paste(tab, vote_id: str, message: dict) -> None:
    tab.goto(f"/votes/{vote_id}")
    tab.get_by_label("Nội dung tệp thông điệp").fill(json.dumps(message))
    tab.get_by_role("button", name="Ký và gửi thông điệp").click()
    tab.get_by_text("Đã ký và ghi nhận thông điệp của Ban kiểm phiếu.").wait_for()


def _admin_step(admin, vote_id: str, button: str, done: str) -> None:
    admin.goto(f"/votes/{vote_id}")
    admin.get_by_role("button", name=button).click()
    admin.get_by_text(done).first.wait_for()


def _booth_ballot(
    voter, vote_id: str, code: str, names, choices, audits: list[bytes] | None = None
) -> str:
    voter.goto(f"/votes/{vote_id}/booth")
    voter.get_by_text("khớp với mã ghi trong danh mục").wait_for()
    voter.get_by_label("Nhập mã in trên phiếu").fill(code)
    voter.get_by_role("button", name="Tiếp tục").click()
    levels = ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]
    for name, choice in zip(names, choices, strict=True):
        if choice is not None:
            voter.get_by_label(f"{name}: {levels[choice]}", exact=True).check()
    voter.get_by_role("button", name="Xem lại phiếu").click()
    voter.get_by_role("button", name="Mã hóa phiếu").click()
    shown = voter.locator("#tracking-code").inner_text()
    if audits is not None:
        # Benaloh challenge: the opening is downloaded, never sent; a fresh
        # encryption replaces it.
        with voter.expect_download() as download:
            voter.get_by_role("button", name="Kiểm tra phiếu này (không bỏ)").click()
        audits.append(Path(download.value.path()).read_bytes())
        voter.wait_for_function(
            "(old) => document.getElementById('tracking-code').textContent !== old",
            arg=shown,
        )
        shown = voter.locator("#tracking-code").inner_text()
    voter.get_by_role("button", name="Bỏ phiếu", exact=True).click()
    voter.get_by_text(f"Đã bỏ phiếu. Mã theo dõi: {shown}").wait_for()
    return shown


def test_demo_sized_vote_runs_end_to_end_in_the_browser(
    page,  # noqa: F811
    live_server,  # noqa: F811
    kiemdiem,
    world,
):
    names, members, trustees = _people(kiemdiem, world)
    browser = page.context.browser

    def context():
        made = browser.new_context(base_url=live_server, locale="vi-VN")
        made.set_default_timeout(30_000)
        return made

    admin = _login(page.context, "admin", ACCOUNTS["admin"][2])
    vote_id = _create(admin, members, trustees)
    manifest = kiemdiem.votes.vote(UUID(vote_id)).manifest
    assert (manifest["threshold"], len(manifest["trustees"])) == (3, TRUSTEES)
    assert len(manifest["leaders"]) == LEADERS

    # Each trustee's index is their key's place in the manifest; the chair's is
    # the manifest's chair_index (the seeded `kiemphieu`, chosen as chair).
    registry = kiemdiem.ledger.key_registry()
    by_key = {t["account_pub"]: t["index"] for t in manifest["trustees"]}
    order = sorted(
        trustees,
        key=lambda u: by_key[
            registry.valid_keys_of(actor_of(account_id(u)))[0].public_key_raw.hex()
        ],
    )
    chair_index = order.index(trustees[0]) + 1
    assert manifest["chair_index"] == chair_index

    # The key ceremony: every step of every trustee's tool, pasted by that trustee.
    sessions = [
        _login(
            context(),
            user,
            PASSWORD if user.startswith("bkp-") else ACCOUNTS["counting"][2],
        )
        for user in order
    ]
    states = []
    view = tool.read_record(_record(sessions[0], vote_id))
    for index, tab in enumerate(sessions, start=1):
        state, message = tool.start(view, index)
        states.append(state)
        _paste(tab, vote_id, message)
    for step in (tool.commit, tool.send_shares, tool.check_shares):
        view = tool.read_record(_record(sessions[0], vote_id))
        for state, tab in zip(states, sessions, strict=True):
            _paste(tab, vote_id, step(state, view))
    _admin_step(admin, vote_id, "Công bố khóa bỏ phiếu", "Đã công bố khóa bỏ phiếu.")
    view = tool.read_record(_record(sessions[0], vote_id))
    shorts = {tool.check_key(state, view) for state in states}
    assert shorts == {admin.locator("#ma-xac-thuc").inner_text()}

    # Slips (the chair), attendance, the unissued slips voided, voting opened.
    chair = sessions[chair_index - 1]
    slips, message = tool.make_slips(view, chair_index)
    _paste(chair, vote_id, message)
    admin.goto(f"/votes/{vote_id}")
    admin.get_by_label("Số người có mặt").fill(str(PRESENT))
    admin.get_by_role("button", name="Ghi nhận số người có mặt").click()
    admin.get_by_text(f"Đã ghi nhận {PRESENT} người có mặt.").wait_for()
    _paste(
        chair,
        vote_id,
        tool.void_message(view, chair_index, [s.code for s in slips[PRESENT:]]),
    )
    _admin_step(admin, vote_id, "Mở bỏ phiếu", "Đã mở bỏ phiếu.")

    # Ballots: every voter in the booth.
    ballots = demo_choices(2025)[:VOTERS]
    voter = context().new_page()
    audits: list[bytes] = []
    codes = [
        _booth_ballot(
            voter, vote_id, slips[k].code, names, ballots[k], audits if k == 0 else None
        )
        for k in range(VOTERS)
    ]
    _shot(voter, "vote-journey-booth")
    assert len(set(codes)) == VOTERS
    for code in codes:
        voter.goto(f"/votes/{vote_id}/track?code={code}")
        voter.get_by_text("có trong hồ sơ").wait_for()

    # Closing, then three trustees verify the record and decrypt its aggregate.
    _admin_step(admin, vote_id, "Kết thúc bỏ phiếu", "Đã kết thúc bỏ phiếu.")
    head = admin.locator("#ma-chuoi").text_content() or ""  # in the technical fold
    closed = tool.verify_closed(
        _record(sessions[0], vote_id), bytes.fromhex(head), jobs=1
    )
    for state, tab in list(zip(states, sessions, strict=True))[:3]:
        _paste(tab, vote_id, tool.decrypt(state, closed))
    chair.goto(f"/votes/{vote_id}")
    chair.get_by_role("button", name="Tổng hợp và công bố kết quả (Trưởng Ban)").click()
    chair.get_by_text("Đã công bố kết quả.").wait_for()

    # The results page: the 96-QĐ/TW figures and the boundaries 20/21/27 of 40.
    chair.get_by_role("link", name="Kết quả").click()
    rows = chair.locator("#ket-qua tbody tr")
    assert rows.count() == LEADERS
    bands = [rows.nth(k).get_attribute("data-band") for k in range(3)]
    assert bands == ["NONE", "GT_HALF", "GTE_TWO_THIRDS"]
    for k, shown in enumerate(["20 (50,00%)", "21 (52,50%)", "27 (67,50%)"]):
        cells = rows.nth(k).locator("td")
        assert cells.nth(3).inner_text() == "40"  # returned
        assert cells.nth(2).inner_text() == str(PRESENT)  # issued
        assert cells.nth(8).inner_text() == shown
    _shot(chair, "vote-journey-results")
    record = _record(chair, vote_id)
    report = verify_record(
        record,
        head=bytes.fromhex(head),
        trust_root=kiemdiem.trust_root,
        audit_ballots=audits,
    )
    assert report.ok, report.first_failure and report.first_failure.to_json()
    assert report.booth_sha256 == manifest["booth_sha256"]
    # The ballot audited in the booth opens to what the voter marked (V17), and
    # it is not in the record (its tracking code was never cast).
    (audit,) = report.audits
    assert audit.ok, audit.detail
    levels = ["tín nhiệm cao", "tín nhiệm", "tín nhiệm thấp"]
    assert audit.choices == [
        f"{name}: {'không đánh dấu' if c is None else levels[c]}"
        for name, c in zip(names, ballots[0], strict=True)
    ]
    audited = json.loads(audits[0])["ballot"]["answers"][0]["choices"][0]["a"]
    assert audited.encode() not in record
