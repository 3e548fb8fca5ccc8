"""The chi bộ field of enrolment and transfer at province scale: the chi bộ of
the user's reach suggested (not every chi bộ of the tree), a name or a code
typed without JavaScript read by the server, and a Vietnamese error beside the
field when the typed text names no chi bộ, or several."""

from __future__ import annotations

import re
from typing import Any

import pytest

from domain.text import fold
from services import commands as c
from tests.conftest import ACCOUNTS


def _found(kiemdiem: Any, code: str, name: str, kind: str, parent: Any) -> Any:
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    command = c.FoundOrganisation(admin.actor, code, name, kind, parent)
    return kiemdiem.handle(command, admin.signer)


@pytest.fixture
def west(kiemdiem, world) -> Any:
    """A district outside the secretary's (Huyện ủy Đông Hà) with its chi bộ."""
    district = _found(
        kiemdiem,
        "huyen-uy-tay",
        "Huyện ủy Tây",
        "district_committee",
        world.orgs["province"],
    )
    return _found(kiemdiem, "chi-bo-tay", "Chi bộ xóm Tây", "cell", district)


def _enrol(auth, cell: str, card: str = "DV00000077"):
    return auth.post(
        "/members/new",
        {
            "full_name": "Đỗ Văn Cường",
            "party_card_no": card,
            "birth_date": "1990-03-04",
            "admission_date": "2015-06-07",
            "status": "full",
            "cell_id": cell,
        },
    )


def _cell_errors(body: str) -> str:
    match = re.search(r'<ul class="errors" id="cell_id-loi">(.*?)</ul>', body, re.S)
    assert match, "no error shown beside the chi bộ field"
    return match.group(1)


def _suggested(page: str) -> list[str]:
    datalist = page[page.index('<datalist id="chi-bo-trong-pham-vi"') :]
    datalist = datalist[: datalist.index("</datalist>")]
    return re.findall(r'<option value="([^"]*)">', datalist)


def test_only_the_chi_bo_of_the_users_reach_are_suggested(client, auth, kiemdiem, west):
    auth.login("secretary")
    page = client.get("/members/new").get_data(as_text=True)
    assert '<select id="cell_id"' not in page
    assert 'list="chi-bo-trong-pham-vi"' in page
    assert 'src="/static/cell-search.js"' in page
    assert _suggested(page) == [
        "Chi bộ xóm A (chi-bo-xom-a)",
        "Chi bộ xóm B (chi-bo-xom-b)",
    ]
    assert "2 chi bộ trong phạm vi của bạn" in page
    auth.logout()
    auth.login("admin")
    everywhere = client.get("/members/new").get_data(as_text=True)
    assert "Chi bộ xóm Tây (chi-bo-tay)" in _suggested(everywhere)
    # words that begin the name of one chi bộ only (Huyện ủy Tây is no chi bộ)
    assert _enrol(auth, "tay").status_code == 302
    (enrolled,) = kiemdiem.members(cell_id=west)
    assert enrolled.full_name == "Đỗ Văn Cường"


def test_many_chi_bo_the_first_by_name_are_listed_and_typing_finds_more(
    client, auth, monkeypatch
):
    monkeypatch.setattr("web.members.routes.CELL_CHOICES", 1)
    auth.login("secretary")
    page = client.get("/members/new").get_data(as_text=True)
    assert _suggested(page) == ["Chi bộ xóm A (chi-bo-xom-a)"]
    assert "trong phạm vi của bạn có hơn 1 chi bộ" in page


def _no_tree(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("the whole organisation tree was read")


def test_the_suggestions_never_read_the_whole_tree(
    client, auth, kiemdiem, world, west, monkeypatch
):
    """At province scale the suggestions are one bounded, indexed read
    (``projections.search.cells_page_sql``): the tree reads fail here."""
    for name in ("organisations_with_counts", "organisation_rows"):
        monkeypatch.setattr(f"projections.directory_reads.{name}", _no_tree)
    monkeypatch.setattr("services.app.Kiemdiem.organisations", _no_tree)
    auth.login("secretary")
    page = client.get("/members/new").get_data(as_text=True)
    assert _suggested(page) == [
        "Chi bộ xóm A (chi-bo-xom-a)",
        "Chi bộ xóm B (chi-bo-xom-b)",
    ]
    moving = client.get(f"/members/{world.member_id}/transfer")
    assert moving.status_code == 200
    assert "Chi bộ xóm B (chi-bo-xom-b)" in _suggested(moving.get_data(as_text=True))
    assert _enrol(auth, "chi bo xom b").status_code == 302
    auth.logout()
    auth.login("admin")
    everywhere = _suggested(client.get("/members/new").get_data(as_text=True))
    assert "Chi bộ xóm Tây (chi-bo-tay)" in everywhere
    assert everywhere == sorted(everywhere, key=fold)


def test_the_suggestions_are_bounded_and_scoped(kiemdiem, world, west):
    """The gateway's read: at most ``limit`` chi bộ, whether more are in reach,
    only where the viewer may act; none for a role that may not enrol."""
    from services.read_gateway import ReadGateway
    from services.read_gateway_search import DirectoryReads

    def reach(username: str, limit: int) -> tuple[list[str], bool]:
        login, _name, password = ACCOUNTS[username]
        account = kiemdiem.authenticate(login, password)
        gate = ReadGateway.for_account(kiemdiem, account.account_id)
        found = DirectoryReads(gate).cells_in_reach("member.enrol", limit)
        return [r.code for r in found.rows], found.more

    assert reach("secretary", 200) == (["chi-bo-xom-a", "chi-bo-xom-b"], False)
    assert reach("secretary", 1) == (["chi-bo-xom-a"], True)
    codes, more = reach("admin", 200)
    assert {"chi-bo-xom-a", "chi-bo-xom-b", "chi-bo-tay"} <= set(codes)
    assert not more
    assert reach("inspector", 200) == ([], False)


@pytest.mark.parametrize(
    "typed",
    ["chi bo xom b", "Chi bộ xóm B", "chi-bo-xom-b", "Chi bộ xóm B (chi-bo-xom-b)"],
)
def test_a_typed_name_or_code_enrols_without_javascript(
    client, auth, kiemdiem, world, typed
):
    auth.login("secretary")
    response = _enrol(auth, typed)
    assert response.status_code == 302, typed
    (enrolled,) = kiemdiem.members(cell_id=world.orgs["cell_b"])
    assert enrolled.full_name == "Đỗ Văn Cường"


def test_a_chi_bo_outside_the_reach_or_unknown_is_refused_in_vietnamese(
    client, auth, kiemdiem, west
):
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    for typed in ("Chi bộ xóm Tây", "chi bo khong co"):
        response = _enrol(auth, typed)
        assert response.status_code == 422, typed
        errors = _cell_errors(response.get_data(as_text=True))
        assert f"Không tìm thấy chi bộ “{typed}” trong phạm vi của bạn" in errors
    assert kiemdiem.ledger.max_notification_id() == before


def test_a_shared_name_asks_for_the_code(client, auth, kiemdiem, world):
    for code in ("cb-song-1", "cb-song-2"):
        _found(kiemdiem, code, "Chi bộ Sông", "cell", world.orgs["district"])
    auth.login("secretary")
    before = kiemdiem.ledger.max_notification_id()
    response = _enrol(auth, "chi bo song")
    assert response.status_code == 422
    errors = _cell_errors(response.get_data(as_text=True))
    assert "Có nhiều chi bộ cùng tên “chi bo song”" in errors
    assert _enrol(auth, "xom", card="DV00000078").status_code == 422  # A and B
    assert kiemdiem.ledger.max_notification_id() == before
    assert _enrol(auth, "Chi bộ Sông (cb-song-2)").status_code == 302


def test_transfer_by_typed_name(client, auth, kiemdiem, world):
    auth.login("secretary")
    page = client.get(f"/members/{world.member_id}/transfer").get_data(as_text=True)
    assert "Chi bộ xóm B (chi-bo-xom-b)" in _suggested(page)
    response = auth.post(
        f"/members/{world.member_id}/transfer", {"cell_id": "Chi bộ xóm B"}
    )
    assert response.status_code == 302
    assert kiemdiem.member(world.member_id).cell_id == world.orgs["cell_b"]
