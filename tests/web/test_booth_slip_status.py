"""The booth's slip check at code entry (votes.md §7.1 step 2; issue 13 item 6):
``POST /votes/<id>/booth/slip-status {"credential": <hex public key>}`` answers only
usable / used / voided / unknown, for an open vote, names no ballot, and unknown
keys are throttled per address like failed logins."""

from __future__ import annotations

import pytest

from services import vote_commands as vc
from tests.conftest import ACCOUNTS, csrf_token_from
from tests.service.test_votes import SmallVote, small_vote
from votes import trustee as tool
from votes.credentials import new_slip


@pytest.fixture
def small(kiemdiem) -> SmallVote:
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    vote = small_vote(kiemdiem, admin, convened=4)
    return vote


def _open(small: SmallVote) -> None:
    small.organiser(vc.RecordAttendance, 3)
    small.submit(
        small.trustees[0], tool.void_message(small.view(), 1, [small.slips[3].code])
    )
    small.organiser(vc.OpenVoting)


def _status(client, small: SmallVote, credential: object):
    # The session's token, as the booth page carries it (mode B: the login page).
    page = client.get("/auth/login").get_data(as_text=True)
    url = f"/votes/{small.vote_id}/booth/slip-status"
    headers = {"X-CSRFToken": csrf_token_from(page)}
    return client.post(url, json={"credential": credential}, headers=headers)


def test_each_slip_state_and_nothing_else(client, small):
    answer = _status(client, small, small.slips[0].credential_pub.hex())
    assert answer.status_code == 409  # not open yet
    assert answer.get_json()["code"] == "vote.not_open"
    _open(small)
    receipt = small.cast(small.slips[1], [0, 1])
    stranger = new_slip(str(small.vote_id)).credential_pub.hex()
    expected = {
        small.slips[0].credential_pub.hex(): "usable",
        small.slips[1].credential_pub.hex(): "used",
        small.slips[3].credential_pub.hex(): "voided",
        stranger: "unknown",
    }
    for credential, status in expected.items():
        answer = _status(client, small, credential)
        assert answer.status_code == 200
        assert answer.get_json() == {"status": status}
        assert answer.headers["Cache-Control"] == "no-store"
        # Nothing that could link the slip to its ballot.
        text = answer.get_data(as_text=True)
        for value in (receipt.body["ballot_hash"], receipt.body["tracking_code"]):
            assert value not in text
    upper = small.slips[0].credential_pub.hex().upper()
    for bad in ("", "zz" * 32, upper, "ab", None, 7, ["00" * 32]):
        answer = _status(client, small, bad)
        assert answer.status_code == 400
        assert answer.get_json()["code"] == "vote.slip_key_invalid"


def test_unknown_keys_are_throttled_per_address_like_failed_logins(app, client, small):
    _open(small)
    limit = app.config["LOGIN_ADDRESS_FAILURE_LIMIT"]
    usable = small.slips[0].credential_pub.hex()
    # Listed keys do not count: a room of voters behind one address is fine.
    for _ in range(limit + 1):
        assert _status(client, small, usable).get_json() == {"status": "usable"}
    for _ in range(limit):
        stranger = new_slip(str(small.vote_id)).credential_pub.hex()
        assert _status(client, small, stranger).get_json() == {"status": "unknown"}
    assert _status(client, small, usable).status_code == 429
    answer = _status(client, small, new_slip(str(small.vote_id)).credential_pub.hex())
    assert answer.status_code == 429
    assert "thử lại sau 15 phút" in answer.get_json()["message"]


def test_mode_b_needs_the_login(client, kiemdiem):
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    small = small_vote(kiemdiem, admin, convened=3, mode="B")
    answer = _status(client, small, "00" * 32)
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "vote.login_required"
