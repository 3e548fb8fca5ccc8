"""Who is on temporary party activity where (sinh hoạt đảng tạm thời, 43-HD mục
7.6), by organisation: the page linked from a chi bộ's or a committee's page
lists the members attached at its chi bộ and its own members attached
elsewhere, by name a page at a time; the gateway scopes it as the member list
(an outsider gets the usual refusal, never a 500)."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import pytest

from services import commands as c
from services import rating_commands as rc
from tests.conftest import ADMIN_PASSWORD

OTHER_SECRETARY = ("thuky-tay", "Đỗ Văn Tây", "mat-khau-thu-ky-tay")


def _page(org_id: UUID) -> str:
    return f"/organisations/{org_id}/sinh-hoat-tam-thoi"


@pytest.fixture
def attached(kiemdiem, world):
    """A second district (Huyện ủy Tây Hà, Chi bộ xóm C) with its secretary;
    Lê Thị Bình of Chi bộ xóm B and Võ Văn Cường of Chi bộ xóm C attached at
    Chi bộ xóm A; Nguyễn Văn An of Chi bộ xóm A attached at Chi bộ xóm C."""
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)

    def run(command):
        return kiemdiem.handle(command, admin.signer)

    ids = dict(world.orgs)
    ids["west"] = run(
        c.FoundOrganisation(
            admin.actor, "huyen-uy-tay", "Huyện ủy Tây Hà", "district_committee",
            world.orgs["province"],
        )
    )  # fmt: skip
    ids["cell_c"] = run(
        c.FoundOrganisation(
            admin.actor, "chi-bo-xom-c", "Chi bộ xóm C", "cell", ids["west"]
        )
    )  # fmt: skip
    username, full_name, password = OTHER_SECRETARY
    run(
        c.OpenAccount(
            admin.actor, username, full_name, ("secretary",), password,
            org_id=ids["west"],
        )
    )  # fmt: skip

    def enrol(name: str, card: str, cell: str) -> UUID:
        return run(
            c.EnrolMember(
                admin.actor, name, card, date(1985, 1, 1), date(2010, 1, 1), "full",
                ids[cell],
            )
        )  # fmt: skip

    ids["binh"] = enrol("Lê Thị Bình", "DV00000002", "cell_b")
    ids["cuong"] = enrol("Võ Văn Cường", "DV00000003", "cell_c")
    ids["an"] = world.member_id
    for member, cell in (("binh", "cell_a"), ("cuong", "cell_a"), ("an", "cell_c")):
        run(
            rc.AttachTemporaryCell(
                admin.actor, ids[member], ids[cell], date(2025, 3, 1)
            )
        )
    return ids


def _sections(body: str) -> list[str]:
    """The page's two lists, each its heading to the next."""
    parts = re.split(r"<h2>", body)
    assert len(parts) == 3, body
    return parts[1:]


def test_a_chi_bo_lists_who_is_attached_here_and_its_members_elsewhere(
    client, auth, attached
):
    auth.login("secretary")
    detail = client.get(f"/organisations/{attached['cell_a']}").get_data(as_text=True)
    assert f'href="{_page(attached["cell_a"])}"' in detail
    assert "Đảng viên sinh hoạt đảng tạm thời" in detail
    response = client.get(_page(attached["cell_a"]))
    assert response.status_code == 200
    here, away = _sections(response.get_data(as_text=True))
    assert here.startswith("Đảng viên đang sinh hoạt đảng tạm thời tại Chi bộ xóm A")
    assert here.index("Lê Thị Bình") < here.index("Võ Văn Cường")  # by name
    assert "Chi bộ xóm B" in here
    assert "Chi bộ xóm C" in here
    assert "01/03/2025" in here
    assert "Nguyễn Văn An" not in here
    assert away.startswith("Đảng viên của Chi bộ xóm A đang sinh hoạt đảng tạm thời")
    assert "Nguyễn Văn An" in away
    assert "Chi bộ xóm C" in away
    # the district's secretary opens the files of the district's members only
    assert f'href="/members/{attached["binh"]}"' in here
    assert f'href="/members/{attached["cuong"]}"' not in here
    assert f'href="/organisations/{attached["cell_c"]}"' not in here


def test_a_committee_lists_its_branch(client, auth, attached):
    """The district: both attached at Chi bộ xóm A are here (Bình's own chi bộ
    is in the district too, so she is not "elsewhere"); An, attached in another
    district, is the district's member elsewhere."""
    auth.login("decision_maker")
    here, away = _sections(
        client.get(_page(attached["district"])).get_data(as_text=True)
    )
    assert "Lê Thị Bình" in here
    assert "Võ Văn Cường" in here
    assert "Nguyễn Văn An" not in here
    assert "Nguyễn Văn An" in away
    assert "Lê Thị Bình" not in away
    assert here.startswith(
        "Đảng viên đang sinh hoạt đảng tạm thời tại các chi bộ thuộc Huyện ủy Đông Hà"
    )
    # Chi bộ xóm B: nobody attached there; Bình is its member elsewhere
    here_b, away_b = _sections(
        client.get(_page(attached["cell_b"])).get_data(as_text=True)
    )
    assert "Không có đảng viên nào đang sinh hoạt đảng tạm thời tại đây." in here_b
    assert "Lê Thị Bình" in away_b


def test_an_outsider_gets_the_usual_refusal(client, auth, attached):
    """The other district's secretary, and a member above their own chi bộ,
    are refused in Vietnamese (403), not a 500; a member reads their chi bộ's."""
    username, _name, password = OTHER_SECRETARY
    auth.login_as(username, password)
    refused = client.get(_page(attached["district"]))
    assert refused.status_code == 403
    assert "không phụ trách tổ chức này" in refused.get_data(as_text=True)
    theirs = client.get(_page(attached["west"])).get_data(as_text=True)
    assert "Nguyễn Văn An" in theirs
    assert "Võ Văn Cường" in theirs
    auth.logout()
    auth.login("member")
    assert client.get(_page(attached["district"])).status_code == 403
    assert client.get(_page(attached["cell_a"])).status_code == 200
    unknown = client.get(_page(UUID("00000000-0000-4000-8000-000000000000")))
    assert unknown.status_code == 404


def test_the_lists_are_paged_by_name(client, auth, attached, kiemdiem, monkeypatch):
    """Two rows a page: five attached at Chi bộ xóm A are walked forwards and
    back, each once and in order, by the pager's own links."""
    import services.read_gateway_temporary as gateway

    monkeypatch.setattr(gateway, "PAGE", 2)
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    for n, name in enumerate(("Đặng Văn Dũng", "Phan Thị Hoa", "Bùi Văn Khải")):
        member = kiemdiem.handle(
            c.EnrolMember(
                admin.actor, name, f"DV0000010{n}", date(1985, 1, 1),
                date(2010, 1, 1), "full", attached["cell_b"],
            ),
            admin.signer,
        )  # fmt: skip
        kiemdiem.handle(
            rc.AttachTemporaryCell(
                admin.actor, member, attached["cell_a"], date(2025, 4, 1)
            ),
            admin.signer,
        )
    auth.login("secretary")
    url, seen, pages = _page(attached["cell_a"]), [], []
    while url:
        body = client.get(url).get_data(as_text=True)
        here = _sections(body)[0]
        names = re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?([^<]+)", here)
        assert 1 <= len(names) <= 2
        seen += names
        pages.append(url)
        found = re.search(r'rel="next" href="([^"]+)"', here)
        url = found.group(1).replace("&amp;", "&") if found else ""
    expected = ["Bùi Văn Khải", "Đặng Văn Dũng", "Lê Thị Bình", "Phan Thị Hoa"]
    assert seen == [*expected, "Võ Văn Cường"]
    assert len(pages) == 3
    # back from the last page
    body = client.get(pages[-1]).get_data(as_text=True)
    back = re.search(r'rel="prev" href="([^"]+)"', _sections(body)[0])
    assert back is not None
    before = _sections(
        client.get(back.group(1).replace("&amp;", "&")).get_data(as_text=True)
    )[0]
    assert re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?([^<]+)", before) == expected[2:]
    # an unreadable cursor reads as the first page
    first = client.get(_page(attached["cell_a"]) + "?sau=x").get_data(as_text=True)
    assert "Bùi Văn Khải" in _sections(first)[0]


def test_a_transfer_and_an_ended_attachment_change_the_lists(
    client, auth, attached, kiemdiem
):
    """Bình transferred to Chi bộ xóm C stays attached at Chi bộ xóm A, now
    listed as Chi bộ xóm C's member elsewhere; Cường's attachment ended, he
    leaves both lists."""
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    kiemdiem.handle(
        c.TransferMember(admin.actor, attached["binh"], attached["cell_c"]),
        admin.signer,
    )
    kiemdiem.handle(
        rc.DetachTemporaryCell(admin.actor, attached["cuong"], date(2025, 6, 1)),
        admin.signer,
    )
    auth.login("admin")
    _here, away_b = _sections(
        client.get(_page(attached["cell_b"])).get_data(as_text=True)
    )
    assert "Lê Thị Bình" not in away_b
    here_a, _away = _sections(
        client.get(_page(attached["cell_a"])).get_data(as_text=True)
    )
    assert "Lê Thị Bình" in here_a
    assert "Võ Văn Cường" not in here_a
    _here, away_west = _sections(
        client.get(_page(attached["west"])).get_data(as_text=True)
    )
    assert "Lê Thị Bình" in away_west
    assert "Võ Văn Cường" not in away_west
