"""A member of the ban kiểm phiếu lists the votes they count wherever those are
(outside their branch, or with no organisation at all), with the votes of their
own scope, in one keyset list by title: the pages follow without overlap or gap
and nothing beyond those two is listed (``vote_results.trustees``)."""

from __future__ import annotations

import re

import pytest

from domain.text import fold
from projections import search, search_lists
from services import commands as c
from services.ids import account_id
from tests.conftest import ADMIN_PASSWORD
from tests.web.test_bounded_forms import VOTE_LINK, _link, _vote, _walk

PASSWORD = "mat-khau-kp-2026"


@pytest.fixture
def counted(kiemdiem, world, client, auth) -> dict[str, str]:
    """Five votes by title a–e: a, b, d counted by the district's counting
    account, one of a western district and one with no organisation; c at the
    province (above the western district) and e at the district, counted by
    three of the district's. Returns the vote ids by letter."""
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    west = kiemdiem.handle(
        c.FoundOrganisation(
            admin.actor,
            "huyen-uy-tay",
            "Huyện ủy Tây Sơn",
            "district_committee",
            world.orgs["province"],
        ),
        admin.signer,
    )
    district = world.orgs["district"]
    for name, org in (
        ("kiemphieu-tay", west),
        ("kiemphieu-tu-do", None),
        ("kiemphieu-2", district),
        ("kiemphieu-3", district),
    ):
        kiemdiem.handle(
            c.OpenAccount(
                admin.actor, name, "Kiểm phiếu", ("counting",), PASSWORD, org_id=org
            ),
            admin.signer,
        )
    everyone = [
        str(account_id(u)) for u in ("kiemphieu", "kiemphieu-tay", "kiemphieu-tu-do")
    ]
    district_only = [
        str(account_id(u)) for u in ("kiemphieu", "kiemphieu-2", "kiemphieu-3")
    ]
    auth.login("admin")
    made: dict[str, str] = {}
    for letter, org, trustees in (
        ("d", "btv-huyen-uy-dong", everyone),
        ("c", "tinh-uy-thu", district_only),
        ("a", "btv-huyen-uy-dong", everyone),
        ("e", "huyen-uy-dong", district_only),
        ("b", "huyen-uy-dong", everyone),
    ):
        answer = auth.post("/votes/new", _vote(trustees, f"ltn-{letter}", org_id=org))
        assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
        made[letter] = answer.headers["Location"].rsplit("/", 1)[-1]
    auth.logout()
    return made


def _listed(client, auth, username: str, password: str) -> tuple[list[list[str]], str]:
    auth.logout()
    answer = auth.login_as(username, password)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    return _walk(client, "/votes/", VOTE_LINK)


@pytest.mark.parametrize("size", [2, 3])
def test_a_trustee_outside_the_branch_lists_the_votes_they_count(
    client, auth, counted, monkeypatch, size
):
    monkeypatch.setattr("services.read_gateway_lists.PAGE", size)
    pages, last = _listed(client, auth, "kiemphieu-tay", PASSWORD)
    # a, b, d counted; c the province's, above their district; never e
    wanted = [counted[k] for k in "abcd"]
    assert [v for p in pages for v in p] == wanted
    assert pages == [wanted[i : i + size] for i in range(0, 4, size)]
    back = _link(last, "prev")
    assert back is not None
    assert re.findall(VOTE_LINK, client.get(back).get_data(as_text=True)) == pages[-2]
    # each one opens by its link
    for vote in wanted:
        assert client.get(f"/votes/{vote}").status_code == 200


def test_an_account_with_no_organisation_lists_the_votes_it_counts(
    client, auth, counted, monkeypatch
):
    monkeypatch.setattr("services.read_gateway_lists.PAGE", 2)
    pages, last = _listed(client, auth, "kiemphieu-tu-do", PASSWORD)
    assert pages == [[counted["a"], counted["b"]], [counted["d"]]]
    back = _link(last, "prev")
    assert back is not None
    assert re.findall(VOTE_LINK, client.get(back).get_data(as_text=True)) == pages[0]


def test_the_district_trustee_lists_its_branch_and_what_it_counts(
    client, auth, counted, monkeypatch
):
    monkeypatch.setattr("services.read_gateway_lists.PAGE", 2)
    pages, _ = _listed(client, auth, "kiemphieu", "mat-khau-kiem-phieu")
    assert [v for p in pages for v in p] == [counted[k] for k in "abcde"]
    assert [len(p) for p in pages] == [2, 2, 1]


def test_the_dashboard_of_a_trustee_with_no_organisation_lists_their_ceremonies(
    client, auth, counted
):
    auth.logout()
    auth.login_as("kiemphieu-tu-do", PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "Việc của Ban kiểm phiếu" in page
    for letter in "abcde":
        assert (f"/votes/{counted[letter]}" in page) == (letter in "abd"), letter


def test_sqlite_reads_a_trustees_page_from_their_rows_not_every_vote(
    kiemdiem, counted, world
):
    """The counted half of a page: the account's ``trustees`` rows by primary
    key, each vote's entry by primary key (never a walk of every vote by
    name); the scope's half stays a range of ``entries_name``."""
    narrowing = search.Narrowing(
        roots=(str(world.orgs["district"]),), exact=(str(world.orgs["province"]),)
    )
    middle = (fold("Lấy phiếu tín nhiệm ltn-b"), counted["b"])
    for after, before in ((None, None), (middle, None), (None, middle)):
        sql, args = search_lists.page_sql(
            search.VOTE,
            narrowing=narrowing,
            after=after,
            before=before,
            limit=50,
            counted_by=str(account_id("kiemphieu-tay")),
        )
        with kiemdiem.projections.read("search", "directory", "vote_results") as cur:
            rows = cur.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()
        plan = [str(r[-1]) for r in rows]
        text = "\n".join(plan)
        trustees = [i for i, p in enumerate(plan) if p.startswith("SEARCH t ")]
        assert len(trustees) == 1, text
        assert "(account_id=?)" in plan[trustees[0]], text
        assert "search_entries_1 (kind=? AND entity_id=?)" in plan[trustees[0] + 1]
        assert "SEARCH e USING INDEX search_entries_name" in text, text
        assert "SCAN t" not in text, text
