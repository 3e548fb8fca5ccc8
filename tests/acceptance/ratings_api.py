"""Helpers of the acceptance tests: a signed-in JSON client and a small
province walked through the API."""

from __future__ import annotations

import re
import uuid
from datetime import date
from fractions import Fraction
from typing import Any

from domain.evaluation import show
from services import commands as c
from services.app import Kiemdiem

ADMIN_PASSWORD = "mat-khau-quan-tri"
PASSWORDS = {
    "secretary": ("thuky", "mat-khau-thu-ky"),
    "decision_maker": ("captuy", "mat-khau-cap-uy"),
    "inspector": ("ubkt", "mat-khau-kiem-tra"),
}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TREE = [
    ("province", "tinh", "Tỉnh ủy Thử Nghiệm", "provincial_committee", None),
    ("district", "huyen", "Huyện ủy Đông Hà", "district_committee", "province"),
    ("commune", "xa", "Đảng ủy xã Tây", "grassroots_committee", "district"),
    ("cell", "thon-1", "Chi bộ thôn 1", "cell", "commune"),
    ("cell2", "thon-2", "Chi bộ thôn 2", "cell", "commune"),
    ("office", "co-quan", "Chi bộ cơ quan Huyện ủy", "cell", "district"),
    ("btv", "btv", "Ban Thường vụ Huyện ủy", "leadership_collective", "district"),
    (
        "board",
        "ban-to-chuc",
        "Ban Tổ chức Huyện ủy",
        "leadership_collective",
        "district",
    ),
]


class Api:
    """A signed-in JSON client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def login(self, username: str, password: str) -> None:
        page = self.client.get("/auth/login").get_data(as_text=True)
        token = CSRF.search(page)
        assert token is not None
        answer = self.client.post(
            "/auth/login",
            data={
                "username": username,
                "password": password,
                "csrf_token": token.group(1),
            },
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)

    def post(
        self, path: str, body: dict[str, Any], status: int = 200
    ) -> dict[str, Any]:
        answer = self.client.post(
            "/api/v1" + path, json=body, headers={"X-Requested-With": "XMLHttpRequest"}
        )
        data = answer.get_json()
        assert answer.status_code == status, data
        return data

    def refused(self, path: str, body: dict[str, Any], code: str, status: int = 422):
        data = self.post(path, body, status)
        assert data["code"] == code, data
        assert data["message"], data
        assert "mã lỗi" not in data["message"], data
        return data

    def get(self, path: str) -> dict[str, Any]:
        answer = self.client.get("/api/v1" + path)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()


class Province:
    """The tree, the accounts and helpers to walk a cycle through the API."""

    def __init__(self, services: Kiemdiem, app: Any) -> None:
        self.services = services
        self.app = app
        self.orgs: dict[str, uuid.UUID] = {}
        admin = services.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        self.admin = admin
        for key, code, name, kind, parent in TREE:
            self.orgs[key] = services.handle(
                c.FoundOrganisation(
                    admin.actor, code, name, kind, self.orgs[parent] if parent else None
                ),
                admin.signer,
            )
        for role, (username, password) in PASSWORDS.items():
            services.handle(
                c.OpenAccount(
                    admin.actor,
                    username,
                    username,
                    (role,),
                    password,
                    org_id=self.orgs["district"],
                ),
                admin.signer,
            )
        self.sec = Api(app.test_client())
        self.sec.login(*PASSWORDS["secretary"])
        self.dm = Api(app.test_client())
        self.dm.login(*PASSWORDS["decision_maker"])
        self.ubkt = Api(app.test_client())
        self.ubkt.login(*PASSWORDS["inspector"])
        self._cards = 0

    def store_position(self) -> int:
        return self.services.ledger.max_notification_id()

    def enrol(self, name: str, cell: str = "cell", admitted: str = "2010-01-01") -> str:
        self._cards += 1
        member = self.services.handle(
            c.EnrolMember(
                self.admin.actor,
                name,
                f"DV{self._cards:06d}",
                date(1980, 1, 1),
                date.fromisoformat(admitted),
                "full",
                self.orgs[cell],
            ),
            self.admin.signer,
        )
        return str(member)

    def fact(self, member: str, fact: str, body: dict[str, Any]) -> None:
        self.sec.post(f"/members/{member}/{fact}", body)

    def open_cycle(self, year: int, org: str = "district", **extra: Any) -> str:
        body = {
            "org_id": str(self.orgs[org]),
            "year": year,
            "reference_date": f"{year}-12-01",
            **extra,
        }
        return str(self.sec.post("/cycles", body, 201)["id"])

    def open_round(self, cycle: str, authority: str) -> str:
        body = {"authority_org_id": str(self.orgs[authority])}
        return str(self.dm.post(f"/cycles/{cycle}/rounds", body, 201)["id"])

    def subjects(self, cycle: str) -> dict[str, dict[str, Any]]:
        rows = self.sec.get(f"/cycles/{cycle}/subjects")["subjects"]
        return {r["subject_key"]: r for r in rows}


def points(score: str, appendix: str = "PL4") -> dict[str, str]:
    """Criterion points adding up to ``score`` (≥ 30) in the central frame."""
    task = Fraction(score) - 30
    first = {"PL4": 40, "PL5": 40}.get(appendix, 50)
    t1 = min(task, Fraction(first))
    t2 = task - t1

    text = show

    if appendix == "PL5":
        return {"c1": "15", "c2": "15", "t1": text(t1), "t2": text(t2)}
    return {"c1": "10", "c2": "10", "c3": "10", "t1": text(t1), "t2": text(t2)}
