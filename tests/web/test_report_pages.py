"""Report and commendation pages and their JSON twins: every route × every role;
the exports open; an award granted through the form on a five-year history."""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from services import commands as c
from services import rating_commands as rc
from services.demo_history import DISTRICT, PROVINCE, STREAK, generate_history
from tests.conftest import ROLES
from web.ratings.cycles import _org_ids

READERS = frozenset({"admin", "secretary", "decision_maker", "inspector"})
DECIDER = frozenset({"decision_maker"})
API = {"X-Requested-With": "XMLHttpRequest"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]
    ok: int = 200

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


REP = "/reports/{district}/2025"
SUBJ = "/reports/cycles/{cycle}/subjects/{member}"
ROUTES = [
    Route("GET", "/reports/", READERS),
    Route("GET", "/reports/?org={district}&year=2025", READERS, 302),
    Route("GET", REP, READERS),
    Route("GET", f"{REP}/bao-cao.xlsx", READERS),
    Route("GET", f"{REP}/bao-cao.pdf", READERS),
    Route("GET", f"{SUBJ}/ho-so", READERS),
    Route("GET", f"{SUBJ}/ho-so.pdf", READERS),
    Route("GET", f"{SUBJ}/xep-loai-lai.pdf", READERS),
    Route("GET", "/reports/khen-thuong", READERS),
    Route("GET", "/reports/khen-thuong?org={district}&year=2025", READERS),
    Route("POST", "/reports/khen-thuong", DECIDER, 400),
    Route("GET", "/api/v1/reports/{district}/2025", READERS),
    Route(
        "GET", "/api/v1/commendations/proposals?org_id={district}&year=2025", READERS
    ),
    Route("GET", "/api/v1/commendations", READERS),
    Route("POST", "/api/v1/commendations", DECIDER, 400),
]


@pytest.fixture
def report_world(kiemdiem, world):
    """A 2025 cycle of the district: one member decided HTTNV, then re-rated."""
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    dm = kiemdiem.authenticate("captuy", world.password("decision_maker"))
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor,
            world.orgs["district"],
            2025,
            reference_date=date(2025, 12, 1),
            deadlines=(("member", "rating", date(2025, 12, 20)),),
        ),
        sec.signer,
    )
    cell = world.orgs["cell_a"]
    rnd = kiemdiem.handle(rc.OpenRound(dm.actor, cycle, cell), dm.signer)
    member = f"m:{world.member_id}"
    points = {"c1": "9", "c2": "9", "c3": "9", "t1": "35", "t2": "20"}
    kiemdiem.handle(
        rc.SelfRate(sec.actor, rnd, member, "HTTNV", 10, 10, points=points),
        sec.signer,
    )
    kiemdiem.handle(rc.ProposeRating(sec.actor, rnd, member, "HTTNV"), sec.signer)
    kiemdiem.handle(
        rc.DecideRating(dm.actor, rnd, member, "HTTNV", "15-QĐ/CB", date(2025, 12, 18)),
        dm.signer,
    )
    kiemdiem.handle(
        rc.ReRate(
            dm.actor,
            rnd,
            member,
            "HTNV",
            "03-QĐ/CB",
            date(2025, 12, 28),
            "Phát hiện báo cáo chưa trung thực",
        ),
        dm.signer,
    )
    return {"cycle": cycle, "member": member, "district": world.orgs["district"]}


def url(path: str, ids: dict) -> str:
    return path.format(**{k: str(v) for k, v in ids.items()})


def _request(client, auth, route, ids):
    target = url(route.path, ids)
    if route.method == "GET":
        return client.get(target)
    if route.is_api:
        return client.post(target, json={}, headers=API)
    return auth.post(target, {})


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_route_for_every_role(client, auth, report_world, route):
    for role in ROLES:
        auth.login(role)
        response = _request(client, auth, route, report_world)
        expected = route.ok if role in route.allowed else 403
        assert response.status_code == expected, (
            role,
            response.get_data(as_text=True)[:400],
        )
        if expected == 403 and route.is_api:
            assert response.get_json()["code"] == "auth.forbidden"
        elif expected == 403:
            assert "Bạn không có quyền" in response.get_data(as_text=True)
        auth.logout()


def test_anonymous_is_sent_to_login(client, report_world):
    assert client.get(url(REP, report_world)).status_code in (302, 401)


def test_report_page_shows_the_figures_and_the_charts(client, auth, report_world):
    auth.login("inspector")
    page = client.get(url(REP, report_world)).get_data(as_text=True)
    assert "Báo cáo kết quả kiểm điểm, đánh giá, xếp loại chất lượng năm 2025" in page
    assert "Huyện ủy Đông Hà" in page
    assert 'role="img"' in page
    assert "Đảng viên: xếp loại theo năm" in page
    assert "100,00%" in page  # the one member, HTNV after the re-rating
    assert "Mẫu 03 (PDF)" in page
    assert "366-QĐ/TW" in page
    assert "Khắc phục hạn chế, khuyết điểm" in page  # remediation status table


def test_unknown_year_and_organisation_are_404(client, auth, report_world):
    auth.login("secretary")
    assert client.get(url("/reports/{district}/nam", report_world)).status_code == 404
    missing = "/reports/00000000-0000-0000-0000-000000000000/2025"
    response = client.get(missing)
    assert response.status_code == 404
    api = client.get("/api/v1" + missing, headers=API)
    assert api.status_code == 404
    assert api.get_json()["code"] == "org.not_found"


def test_exports_open_with_their_vietnamese_text(client, auth, report_world):
    auth.login("secretary")
    xlsx = client.get(url(f"{REP}/bao-cao.xlsx", report_world))
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book["Thông tin"]["B2"].value == "Huyện ủy Đông Hà"
    for target, phrase in (
        (f"{REP}/bao-cao.pdf", "Huyện ủy Đông Hà"),
        (f"{SUBJ}/ho-so.pdf", "Biên bản hội nghị kiểm điểm"),
        (f"{SUBJ}/xep-loai-lai.pdf", "Hoàn thành nhiệm vụ"),
    ):
        response = client.get(url(target, report_world))
        assert response.mimetype == "application/pdf"
        text = unicodedata.normalize(
            "NFC", PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        )
        assert phrase in " ".join(text.split()), target


def test_api_report_is_json_with_exact_fractions(client, auth, report_world):
    auth.login("decision_maker")
    data = client.get(url("/api/v1/reports/{district}/2025", report_world)).get_json()
    members = data["report"]["populations"]["members"]
    assert members["levels"]["HTNV"] == {
        "n": 1,
        "fraction": "1/1",
        "percent": "100,00%",
    }
    assert data["report"]["rerated"]["total"] == 1
    bad = client.get(url("/api/v1/reports/{district}/1800", report_world))
    assert bad.status_code == 400
    assert bad.get_json()["code"] == "report.year_invalid"


@pytest.fixture
def five_years(kiemdiem):
    admin = kiemdiem.authenticate("admin", "mat-khau-quan-tri")
    history = generate_history(kiemdiem, admin.signer)
    kiemdiem.handle(
        c.OpenAccount(
            admin.actor,
            "khen-btv",
            "Ủy viên Ban Thường vụ Tỉnh ủy Lam Sơn",
            ("decision_maker",),
            "mat-khau-khen-btv",
            org_id=history.orgs[PROVINCE],
        ),
        admin.signer,
    )
    return history


def test_an_award_through_the_form(client, auth, kiemdiem, five_years):
    history = five_years
    province, district = history.orgs[PROVINCE], history.orgs[DISTRICT]
    auth.login_as("khen-btv", "mat-khau-khen-btv")
    page = client.get(f"/reports/khen-thuong?org={province}&year=2025")
    text = page.get_data(as_text=True)
    assert "Giấy khen — hoàn thành xuất sắc nhiệm vụ 5 năm liền" in text
    assert "2021, 2022, 2023, 2024, 2025" in text
    target = f"/reports/khen-thuong?org={province}&year=2025"
    form = {
        "kt-subject_key": history.key(STREAK),
        "kt-kind": "five_year_certificate",
        "kt-year": "2025",
        "kt-awarding_org_id": str(history.orgs[PROVINCE]),
        "kt-decision_no": "30-QĐ/TU",
        "kt-decided_on": "2026-02-03",
    }
    before = kiemdiem.ledger.max_notification_id()
    refused = auth.post(target, form)
    assert refused.status_code == 422
    assert "không đúng thẩm quyền khen thưởng" in refused.get_data(as_text=True)
    assert kiemdiem.ledger.max_notification_id() == before
    done = auth.post(target, {**form, "kt-awarding_org_id": str(district)})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi quyết định khen thưởng." in page
    assert "30-QĐ/TU, 03/02/2026" in page
    api = client.get(
        f"/api/v1/commendations?org_id={province}&year=2025", headers=API
    ).get_json()
    (award,) = api["awards"]
    assert award["kind"] == "five_year_certificate"
    assert [b["year"] for b in award["basis"]] == [2021, 2022, 2023, 2024, 2025]


def test_an_award_through_the_api(client, auth, five_years):
    history = five_years
    auth.login_as("khen-btv", "mat-khau-khen-btv")
    body = {
        "subject_key": history.key(STREAK),
        "kind": "year_certificate",
        "year": 2025,
        "awarding_org_id": str(history.orgs["ls-dang-uy-xa"]),
        "decision_no": "5-QĐ/ĐU",
        "decided_on": "2026-01-10",
    }
    created = client.post("/api/v1/commendations", json=body, headers=API)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["award"]["basis"][0]["year"] == 2025
    again = client.post("/api/v1/commendations", json=body, headers=API)
    assert again.status_code == 422
    assert again.get_json()["code"] == "commendation.exists"
    assert "đã được khen thưởng" in again.get_json()["message"]


@pytest.fixture
def open_world(kiemdiem, world):
    """Five more members of chi bộ A, then a 2025 cycle of the district with a
    member deadline, nobody rated yet."""
    admin = kiemdiem.authenticate("admin", world.password("admin"))
    sec = kiemdiem.authenticate("thuky", world.password("secretary"))
    for n in range(5):
        kiemdiem.handle(
            c.EnrolMember(
                admin.actor,
                f"Trần Văn Thử {n}",
                f"DV1000000{n}",
                date(1985, 1, 1),
                date(2010, 1, 1),
                "full",
                world.orgs["cell_a"],
            ),
            admin.signer,
        )
    cycle = kiemdiem.handle(
        rc.OpenCycle(
            sec.actor,
            world.orgs["district"],
            2025,
            reference_date=date(2025, 12, 1),
            deadlines=(("member", "rating", date(2025, 12, 20)),),
        ),
        sec.signer,
    )
    return {"district": world.orgs["district"], "cycle": cycle}


def test_the_report_names_a_few_still_open_and_pages_the_rest(
    client, auth, kiemdiem, open_world, monkeypatch
):
    """Issue 14: the report counts the still-open subjects per place and names
    the first few; the whole list is a keyset-paged page of its own."""
    from services import reports, reports_counted

    for module in (reports, reports_counted):
        monkeypatch.setattr(module, "NAMES_SHOWN", 2)
    monkeypatch.setattr(reports_counted, "PAGE", 2)
    report = kiemdiem.reports.report(open_world["district"], 2025)
    (member,) = [d for d in report["deadlines"] if d["level"] == "member"]
    assert member["open_count"] == 6  # the world's member and the five
    assert len(member["open"]) == 2
    assert [(p["name"], p["n"]) for p in member["open_by_place"]] == [
        ("Chi bộ xóm A", 6)
    ]
    auth.login("inspector")
    page = client.get(url(REP, open_world)).get_data(as_text=True)
    assert "và 4 đối tượng khác" in page
    assert "Xem danh sách đầy đủ (6)" in page
    names, target = [], url(f"{REP}/chua-hoan-thanh/member", open_world)
    while target:
        response = client.get(target)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        names += re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', text)
        found = re.search(r'rel="next" href="([^"]+)"', text)
        target = html.unescape(found.group(1)) if found else ""
    expected = sorted(
        s["name"]
        for s in kiemdiem.reports.subjects(open_world["district"], 2025)
        if s["deadline_level"] == "member" and not s["decided_on"]
    )
    assert names == expected
    assert len(names) == 6
    # The cycle page names only its deciding authorities; a subject decided
    # above the cycle's tree counts under "outside", which names none.
    assert _org_ids(["outside", str(open_world["district"])]) == [
        open_world["district"]
    ]
    auth.login("secretary")
    cycle_page = client.get(f"/ratings/cycles/{open_world['cycle']}")
    assert cycle_page.status_code == 200
    assert "Huyện ủy Đông Hà" in cycle_page.get_data(as_text=True)
    unknown = client.get(url(f"{REP}/chua-hoan-thanh/khong-co", open_world))
    assert unknown.status_code == 422  # a clear refusal, never a 500
