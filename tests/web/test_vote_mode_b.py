"""Mode B (remote) over HTTP (votes.md §6.2, §7.2 step 5): the booth fetches the
signed-in member's own wrapped key, opens it on the device and signs there; the
server accepts a ballot only on the session member's own eligible key.  Every role,
and anonymous, on the mode B routes; refusals leave the store unchanged."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import keywrap
from services import commands as c
from services import vote_commands as vc
from tests.conftest import ACCOUNTS, ROLES, csrf_token_from
from tests.service.test_votes import SmallVote, closed_partial, small_vote
from tests.web.test_vote_pages import csrf_token_from_booth
from votes.ballot import encrypt_ballot, make_submission
from votes.credentials import public_bytes
from votes.verifier import verify_record


@pytest.fixture
def remote(kiemdiem, world) -> SmallVote:
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(
        kiemdiem, admin, convened=4, mode="B", org=world.orgs["district"]
    )
    small.organiser(vc.PublishEligibleAccounts, (world.member_id,))
    small.organiser(vc.RecordAttendance, 3)
    small.organiser(vc.OpenVoting)
    return small


def _ballot(small: SmallVote, key: Ed25519PrivateKey, choices) -> bytes:
    vote = small.votes.vote(small.vote_id)
    assert vote.election_key is not None
    opening = encrypt_ballot(
        vote.fingerprint, vote.election_key, public_bytes(key), choices
    )
    return make_submission(key, opening)


def _post(client, small: SmallVote, body: bytes):
    page = client.get(f"/votes/{small.vote_id}/booth")
    token = csrf_token_from_booth(page.get_data(as_text=True))
    return client.post(
        f"/votes/{small.vote_id}/ballots",
        data=body,
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )


def _member_key(record: dict) -> Ed25519PrivateKey:
    """What the booth does in the browser: open the record with the password."""
    seed = keywrap.unwrap_seed(
        record["wrapped"], ACCOUNTS["member"][2], record["user_id"], record["key_id"]
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def test_anonymous_is_sent_to_the_login(client, remote):
    vid = remote.vote_id
    page = client.get(f"/votes/{vid}/booth")
    assert page.status_code == 302
    assert "/auth/login" in page.headers["Location"]
    assert client.get(f"/votes/{vid}/booth/election.json").status_code == 401
    assert client.get(f"/votes/{vid}/booth/my-key.json").status_code == 302
    before = remote.services.ledger.max_notification_id()
    answer = client.post(f"/votes/{vid}/ballots", data=b"{}")
    assert answer.status_code in (400, 401)  # CSRF first, or the login
    assert remote.services.ledger.max_notification_id() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_the_listed_member_gets_a_key_record_and_casts(client, auth, remote, role):
    auth.login(role)
    vid = remote.vote_id
    booth = client.get(f"/votes/{vid}/booth").get_data(as_text=True)
    assert "không cho biết bạn bỏ phiếu thế nào" in booth
    assert "mật khẩu không được gửi đi" in booth
    assert 'id="account-password"' in booth
    assert 'id="slip-code"' not in booth
    answer = client.get(f"/votes/{vid}/booth/my-key.json")
    before = remote.services.ledger.max_notification_id()
    if role != "member":
        assert answer.status_code == 403
        assert answer.get_json()["code"] == "vote.not_eligible"
        assert "không có trong danh sách" in answer.get_json()["message"]
        # Even a well-formed ballot on a key of its own is refused.
        refused = _post(
            client, remote, _ballot(remote, Ed25519PrivateKey.generate(), [0, 0])
        )
        assert refused.status_code == 422
        assert refused.get_json()["reason"] == "credential"
        assert remote.services.ledger.max_notification_id() == before
        return
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    record = answer.get_json()
    assert set(record) == {"account_pub", "key_id", "member_id", "user_id", "wrapped"}
    assert "password" not in answer.get_data(as_text=True)
    key = _member_key(record)
    assert public_bytes(key).hex() == record["account_pub"]
    # Another key naming itself is not the member's credential.
    other = _post(client, remote, _ballot(remote, Ed25519PrivateKey.generate(), [0, 0]))
    assert other.status_code == 422
    assert other.get_json()["reason"] == "credential"
    assert remote.services.ledger.max_notification_id() == before
    cast = _post(client, remote, _ballot(remote, key, [0, 2]))
    assert cast.status_code == 200, cast.get_data(as_text=True)
    again = _post(client, remote, _ballot(remote, key, [1, 1]))
    assert again.get_json()["code"] == "vote.double_ballot"


def test_a_mode_b_record_abandoned_below_min_ballots_verifies(client, auth, remote):
    auth.login("member")
    key = _member_key(
        client.get(f"/votes/{remote.vote_id}/booth/my-key.json").get_json()
    )
    assert _post(client, remote, _ballot(remote, key, [2, None])).status_code == 200
    auth.logout()
    # One ballot is below min_ballots (2): the committee cannot decrypt; abandon.
    remote.organiser(vc.CloseVoting)
    with pytest.raises(Exception, match="min_ballots"):
        closed_partial(remote, 1)
    remote.organiser(vc.AbandonVote, "TOO_FEW_BALLOTS")
    report = verify_record(remote.votes.export_record(remote.vote_id))
    assert report.ok, report.first_failure and report.first_failure.to_json()


def test_a_mode_a_vote_has_no_key_record(client, auth, kiemdiem):
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=4)
    auth.login("member")
    answer = client.get(f"/votes/{small.vote_id}/booth/my-key.json")
    assert answer.status_code == 404
    assert answer.get_json()["code"] == "vote.wrong_mode"


@pytest.mark.parametrize("role", ROLES)
def test_the_organiser_publishes_the_eligible_list_from_the_roster(
    client, auth, kiemdiem, role
):
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=4, mode="B")
    vid = small.vote_id
    auth.login(role)
    detail = client.get(f"/votes/{vid}").get_data(as_text=True)
    assert ("Công bố danh sách đảng viên được bỏ phiếu" in detail) == (role == "admin")
    token = csrf_token_from(detail)
    before = kiemdiem.ledger.max_notification_id()
    answer = client.post(f"/votes/{vid}/eligible", data={"action-csrf_token": token})
    if role != "admin":
        assert answer.status_code == 403
        assert kiemdiem.ledger.max_notification_id() == before
        return
    # The vote's chi bộ has only the leaders, none with an account yet.
    assert answer.status_code == 422
    assert "Danh sách đảng viên được bỏ phiếu đang trống." in answer.get_data(
        as_text=True
    )
    assert kiemdiem.ledger.max_notification_id() == before
    leader = UUID(small.votes.confidence_vote(vid).leaders[1]["member_id"])
    kiemdiem.handle(
        c.OpenAccount(
            admin.actor,
            "lanhdao1",
            "Lãnh đạo 1",
            ("member",),
            "mk-lanh-dao",
            member_id=leader,
        ),
        admin.signer,
    )
    answer = client.post(f"/votes/{vid}/eligible", data={"action-csrf_token": token})
    assert answer.status_code == 302
    assert list(small.votes.vote(vid).eligible.values()) == [str(leader)]
    row = small.votes.vote_row(vid)
    assert row is not None
    assert row.issued == 1


def test_a_mode_b_vote_is_tallied_with_results_page_and_export(
    client, auth, kiemdiem, world
):
    """Two members cast over HTTP with their own keys; the count, the results
    page and the tally sheet work as in mode A; the record verifies."""
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    # Two members: the seeded one and a new one with an account.
    small = small_vote(kiemdiem, admin, convened=3, mode="B")
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
    small.organiser(vc.PublishEligibleAccounts, (world.member_id, other))
    small.organiser(vc.RecordAttendance, 3)
    small.organiser(vc.OpenVoting)
    for username, password, choices in (
        ("dangvien", ACCOUNTS["member"][2], [2, 0]),
        ("dangvien2", "mat-khau-hai", [2, None]),
    ):
        auth.login_as(username, password)
        record = client.get(f"/votes/{small.vote_id}/booth/my-key.json").get_json()
        seed = keywrap.unwrap_seed(
            record["wrapped"], password, record["user_id"], record["key_id"]
        )
        key = Ed25519PrivateKey.from_private_bytes(seed)
        assert _post(client, small, _ballot(small, key, choices)).status_code == 200
        auth.logout()
    small.organiser(vc.CloseVoting)
    head = small.votes.closing_head(small.vote_id)
    for index in (1, 2):
        small.submit(small.trustees[index - 1], closed_partial(small, index))
    chair = small.trustees[0]
    small.handle(vc.PublishTally(chair.actor, small.vote_id), chair)
    report = verify_record(
        small.votes.export_record(small.vote_id),
        head=head,
        trust_root=kiemdiem.trust_root,
    )
    assert report.ok, report.first_failure and report.first_failure.to_json()
    auth.login("admin")
    page = client.get(f"/votes/{small.vote_id}/results").get_data(as_text=True)
    assert "Từ 2/3 trở lên tín nhiệm thấp" in page  # leader 0: 2 of 2 low
    sheet = client.get(f"/votes/{small.vote_id}/results.xlsx")
    assert sheet.status_code == 200
    assert sheet.data[:2] == b"PK"
    [first, second] = small.votes.results(small.vote_id)
    assert (first.low, first.band, first.issued) == (2, "GTE_TWO_THIRDS", 2)
    assert (second.high, second.invalid) == (1, 1)


def test_the_create_form_offers_mode_b_only_when_turned_on(client, auth, kiemdiem):
    auth.login("admin")
    assert "B — từ xa" not in client.get("/votes/new").get_data(as_text=True)
    kiemdiem.votes.allow_remote_mode = True
    assert "B — từ xa" in client.get("/votes/new").get_data(as_text=True)


def test_the_key_record_is_served_only_while_the_vote_is_open(
    client, auth, kiemdiem, world
):
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=3, mode="B")
    small.organiser(vc.PublishEligibleAccounts, (world.member_id,))
    auth.login("member")
    url = f"/votes/{small.vote_id}/booth/my-key.json"
    before = client.get(url)
    assert before.status_code == 403
    assert before.get_json()["code"] == "vote.not_open"
    small.organiser(vc.RecordAttendance, 3)
    small.organiser(vc.OpenVoting)
    assert client.get(url).status_code == 200
    small.organiser(vc.CloseVoting)
    assert client.get(url).get_json()["code"] == "vote.not_open"
