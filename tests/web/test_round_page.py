"""The rating round's page at province scale (issue 14): its subjects a keyset
page of 50 at a time (page 2 follows page 1 with nothing lost or shown twice,
a page of a 120-subject round bounded in size), and the peer-group form choosing
members by search (the JSON suggestions the script asks for) or by typed names
and card numbers resolved on the server (the path without JavaScript), a name
that matches none or several said in Vietnamese."""

from __future__ import annotations

import re
from datetime import date

import pytest

from services import commands as c
from services import rating_commands as rc
from tests.conftest import ADMIN_PASSWORD

EXTRA = 120  # members enrolled in the chi bộ besides the seeded one
R = "/ratings"
SUBJECT_LINK = re.compile(r'href="/ratings/rounds/[0-9a-f-]+/subjects/([^"]+)"')
NEXT = re.compile(r'rel="next" href="([^"]+)"')
PREV = re.compile(r'rel="prev" href="([^"]+)"')
TWIN = "Trần Thị Trùng Tên"


@pytest.fixture
def big_round(kiemdiem, world):
    """A chi bộ of 123 members (two of them namesakes) and its round."""
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    cell = world.orgs["cell_a"]
    names = [f"Đảng Viên Số {n:03d}" for n in range(EXTRA)] + [TWIN, TWIN]
    for n, name in enumerate(names):
        kiemdiem.handle(
            c.EnrolMember(
                admin.actor,
                name,
                f"RP{n:06d}",
                date(1980, 5, 17),
                date(2005, 2, 3),
                "full",
                cell,
            ),
            admin.signer,
        )
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor, world.orgs["district"], 2025, reference_date=date(2025, 12, 1)
        ),
        sec.signer,
    )
    rnd = kiemdiem.handle(rc.OpenRound(dm.actor, cycle, cell), dm.signer)
    kiemdiem.projections.catch_up()
    decided = kiemdiem.projections.query(
        "ratings",
        "SELECT subject_key, name FROM {subjects} WHERE cycle_id = ? AND decides = ?",
        [str(cycle), str(cell)],
    )
    return {"round": rnd, "decided": decided}


def _keys(html: str) -> list[str]:
    return list(dict.fromkeys(SUBJECT_LINK.findall(html)))


def test_pages_follow_each_other_without_overlap_or_gap(client, auth, big_round):
    auth.login("secretary")
    path = f"{R}/rounds/{big_round['round']}"
    seen: list[list[str]] = []
    pages: list[str] = []
    while path and len(seen) < 10:
        answer = client.get(path)
        assert answer.status_code == 200
        html = answer.get_data(as_text=True)
        pages.append(html)
        seen.append(_keys(html))
        found = NEXT.search(html)
        path = found.group(1).replace("&amp;", "&") if found else ""
    assert [len(p) for p in seen] == [50, 50, len(big_round["decided"]) - 100]
    flat = [k for page in seen for k in page]
    assert len(flat) == len(set(flat))  # nothing twice
    assert set(flat) == {r["subject_key"] for r in big_round["decided"]}  # no gap
    by_key = {r["subject_key"]: r["name"] for r in big_round["decided"]}
    assert [by_key[k] for k in flat] == sorted(by_key[k] for k in flat)  # by name
    assert "Trang sau →" in pages[0]
    assert "← Trang trước" not in pages[0]
    assert 'aria-label="Đường dẫn tổ chức"' in pages[0]
    back = PREV.search(pages[2])
    assert back is not None
    again = client.get(back.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert _keys(again) == seen[1]  # the page before page 3 is page 2


def test_a_page_of_a_big_round_is_bounded(client, auth, big_round):
    auth.login("secretary")
    answer = client.get(f"{R}/rounds/{big_round['round']}")
    html = answer.get_data(as_text=True)
    assert len(_keys(html)) == 50
    assert len(answer.data) < 40_000, len(answer.data)
    assert "Đảng Viên Số 119" not in html  # neither listed nor offered as a choice
    assert 'type="checkbox"' not in html


def test_candidates_are_searched_as_one_types(client, auth, big_round):
    auth.login("secretary")
    path = f"{R}/rounds/{big_round['round']}/group-candidates"
    twins = client.get(path, query_string={"q": "trung ten"}).get_json()
    assert [r["name"] for r in twins["results"]] == [TWIN, TWIN]
    assert all(r["id"].startswith("m:") for r in twins["results"])
    by_card = client.get(path, query_string={"q": "RP000007"}).get_json()
    assert [r["name"] for r in by_card["results"]] == ["Đảng Viên Số 007"]
    assert client.get(path, query_string={"q": "khong ai ca"}).get_json() == {
        "query": "khong ai ca",
        "results": [],
    }


def test_the_group_form_resolves_typed_lines_without_javascript(
    client, auth, big_round
):
    auth.login("secretary")
    rnd = big_round["round"]
    page = client.get(f"{R}/rounds/{rnd}").get_data(as_text=True)
    assert "data-peer-search" in page
    assert "suggest.js" in page
    form = {"pg-code": "nhom-mot", "pg-name": "Nhóm một"}
    refused = auth.post(
        f"{R}/rounds/{rnd}/groups",
        {**form, "pg-typed": f"Đảng Viên Số 003\n{TWIN}\nKhông Ai Cả"},
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert f"Có 2 đối tượng của đợt xếp loại này khớp với “{TWIN}”" in html
    assert "khớp với “Không Ai Cả”" in html
    assert "Không có đối tượng nào của đợt xếp loại này" in html
    assert "Đảng Viên Số 003" in html  # what was typed is kept
    done = auth.post(
        f"{R}/rounds/{rnd}/groups",
        {**form, "pg-typed": "Đảng Viên Số 003\nRP000004"},
        follow_redirects=True,
    )
    assert "Đã lập nhóm so sánh." in done.get_data(as_text=True)
    groups = client.get(f"{R}/rounds/{rnd}").get_data(as_text=True)
    assert re.search(r"Nhóm một <code>nhom-mot</code></td><td>2</td>", groups)
    taken = client.get(
        f"{R}/rounds/{rnd}/group-candidates", query_string={"q": "RP000004"}
    ).get_json()
    assert taken["results"] == []  # in a group already: not offered again
