"""The demo vote's results page (15 leaders, 40 ballots returned of 42 issued, 5
trustees, t = 3): the 96-QĐ/TW figures, and the boundaries of votes.md §13 test
15 — 20/40 low is not over half, 21/40 is over half, 27/40 is two thirds or more —
each with its exact fraction, displayed percentage, band and consequences."""

from __future__ import annotations

import re
from datetime import date

import pytest

from services import commands as c
from services.demo_vote import ORG_CODE, POSTS, VOTERS, demo_choices, load_demo_vote
from tests.conftest import ACCOUNTS

pytestmark = pytest.mark.slow  # 40 ballots encrypted, checked, counted: ~10 s

ROW = re.compile(r'<tr data-band="(?P<band>\w+)">(?P<cells>.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
EXACT = re.compile(r'data-exact="(\d+/\d+)"')
TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def demo(kiemdiem):
    """The demo vote on the test store: its province, 15 members, the vote."""
    admin = kiemdiem.authenticate("admin", ACCOUNTS["admin"][2])
    province = kiemdiem.handle(
        c.FoundOrganisation(
            admin.actor, ORG_CODE, "Tỉnh ủy Sông Hồng", "provincial_committee", None
        ),
        admin.signer,
    )
    cell = kiemdiem.handle(
        c.FoundOrganisation(admin.actor, "chi-bo-demo", "Chi bộ", "cell", province),
        admin.signer,
    )
    for k in range(len(POSTS) - 1):  # the seeded store already has one member
        kiemdiem.handle(
            c.EnrolMember(
                admin.actor,
                f"Lãnh đạo Demo {k}",
                f"DM{k:06d}",
                date(1970, 1, 1),
                date(1995, 1, 1),
                "full",
                cell,
            ),
            admin.signer,
        )
    return load_demo_vote(kiemdiem, admin.signer)


def _rows(html: str) -> list[dict]:
    rows = []
    for match in ROW.finditer(html):
        cells = CELL.findall(match.group("cells"))
        text = [" ".join(TAG.sub(" ", cell).split()) for cell in cells]
        rows.append(
            {
                "band": match.group("band"),
                "text": text,
                "exact": EXACT.findall(match.group("cells")),
            }
        )
    return rows


def test_demo_results_page_shows_the_boundaries(client, auth, demo):
    auth.login("admin")  # the demo vote's đảng bộ is outside the seeded district
    page = client.get(f"/votes/{demo.vote_id}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == len(POSTS)
    # The published counts are the plaintext counts of the 40 demo ballots.
    ballots = demo_choices(2025)
    for index, row in enumerate(rows):
        marks = [b[index] for b in ballots[:VOTERS]]
        counts = [marks.count(level) for level in (0, 1, 2)]
        valid = sum(counts)
        assert row["text"][0] == str(index + 1)
        assert row["text"][2:6] == ["42", "40", str(valid), str(40 - valid)]
        assert [cell.split(" ")[0] for cell in row["text"][6:9]] == [
            str(n) for n in counts
        ]
        assert row["exact"] == [f"{n}/40" for n in counts]

    expected = {
        0: (20, "50,00%", "NONE", "Không thuộc diện"),
        1: (21, "52,50%", "GT_HALF", "Trên 1/2 tín nhiệm thấp"),
        2: (27, "67,50%", "GTE_TWO_THIRDS", "Từ 2/3 trở lên tín nhiệm thấp"),
    }
    for index, (low, shown, band, label) in expected.items():
        row = rows[index]
        assert row["band"] == band
        assert row["text"][8] == f"{low} ({shown})"
        assert row["exact"][2] == f"{low}/40"
        assert row["text"][9].startswith(label)
    # Consequences on the rows: exactly half entails none; over half takes the
    # leader out of planning with KHTNV for the year; two thirds, dismissal.
    assert rows[0]["text"][9] == "Không thuộc diện"
    assert "không hoàn thành nhiệm vụ (366-QĐ/TW)" in rows[1]["text"][9]
    assert "xem xét cho thôi giữ chức vụ" in rows[1]["text"][9]
    assert "miễn nhiệm" not in rows[1]["text"][9]
    assert "không hoàn thành nhiệm vụ (366-QĐ/TW)" in rows[2]["text"][9]
    assert "miễn nhiệm mà không chờ hết nhiệm kỳ" in rows[2]["text"][9]
    assert "Tỉ lệ phần trăm tính trên tổng số phiếu thu về" in html
    assert demo.short_fingerprint in html
