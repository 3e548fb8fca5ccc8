"""The route matrix's world: the seeded province (tests/conftest.py) with a second
district beside the first, and in each district a chi bộ, a member, a review
cycle with a round and a review, a shortcoming with its plan and a confidence
vote. The accounts of the seed all work in the first district (Huyện ủy Đông Hà),
so its targets are IN scope and the second district's are OUT of scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from services import commands as c
from services import rating_commands as rc
from services import remediation_commands as mc
from services import vote_commands as vc
from services.ids import account_id
from tests.conftest import ACCOUNTS, World

OUT_PASSWORD = "mat-khau-huyen-tay"
OUT_MEMBER_NAME = "Võ Thị Ngoài Huyện"
OUT_CARD = "DV00000099"
OUT_CELL_NAME = "Chi bộ thôn Ngoài"


@dataclass
class Scope:
    """The ids one scope's URLs are filled with."""

    values: dict[str, str] = field(default_factory=dict)

    def fill(self, rule: str, overrides: dict[str, str]) -> str:
        """``rule`` with each ``<converter:name>`` replaced by this scope's id."""
        out, rest = [], rule
        while "<" in rest:
            head, _, tail = rest.partition("<")
            spec, _, rest = tail.partition(">")
            name = spec.split(":")[-1]
            out.append(head)
            out.append(overrides.get(name) or self.values[name])
        out.append(rest)
        return "".join(out)


COMMON = {
    "year": "2024",
    "kind": "post",
    "code": "nhom",
    "size": "1",
    "job_id": "khong-co-viec-nay",
    "step": "open",
    "fmt": "xlsx",
    "path": "booth-ui.js",
    "filename": "style.css",
}


def _vote(services: Any, admin: Any, org: UUID, code: str, leader: UUID, trustees):
    return services.handle(
        vc.CreateVote(
            admin.actor,
            org_id=org,
            code=code,
            title=f"Lấy phiếu tín nhiệm {code}",
            vote_year=2025,
            conference_date=date(2025, 12, 1),
            leaders=(vc.LeaderInput(leader, "Bí thư", date(2021, 5, 1)),),
            trustees=tuple(trustees),
            convened=4,
            mode="A",
        ),
        admin.signer,
    )


def build(services: Any, world: World) -> tuple[Scope, Scope]:
    """Add the second district and the targets of both scopes; return them."""
    assert world.member_id is not None
    admin = services.authenticate("admin", ACCOUNTS["admin"][2])
    handle = services.handle
    district2 = handle(
        c.FoundOrganisation(
            admin.actor,
            "huyen-uy-tay",
            "Huyện ủy Tây Ngoài",
            "district_committee",
            world.orgs["province"],
        ),
        admin.signer,
    )
    cell_c = handle(
        c.FoundOrganisation(
            admin.actor, "chi-bo-thon-c", OUT_CELL_NAME, "cell", district2
        ),
        admin.signer,
    )
    member_b = handle(
        c.EnrolMember(
            admin.actor,
            OUT_MEMBER_NAME,
            OUT_CARD,
            date(1971, 3, 9),
            date(1999, 9, 9),
            "full",
            cell_c,
        ),
        admin.signer,
    )
    accounts = {}
    for username, role in (
        ("thuky-tay", "secretary"),
        ("captuy-tay", "decision_maker"),
        ("kiemphieu-tay1", "counting"),
        ("kiemphieu-tay2", "counting"),
        ("kiemphieu-tay3", "counting"),
        ("kiemphieu-dong2", "counting"),
        ("kiemphieu-dong3", "counting"),
    ):
        org = (
            world.orgs["district"]
            if username.endswith(("2", "3")) and "dong" in username
            else district2
        )
        accounts[username] = handle(
            c.OpenAccount(
                admin.actor,
                username,
                f"Tài khoản {username}",
                (role,),
                OUT_PASSWORD,
                org_id=org,
            ),
            admin.signer,
        )
    sec = services.authenticate(ACCOUNTS["secretary"][0], ACCOUNTS["secretary"][2])
    dm = services.authenticate(
        ACCOUNTS["decision_maker"][0], ACCOUNTS["decision_maker"][2]
    )
    sec2 = services.authenticate("thuky-tay", OUT_PASSWORD)
    dm2 = services.authenticate("captuy-tay", OUT_PASSWORD)

    def targets(secretary, decider, district, cell, cell_code, member, year_code):
        cycle = services.handle(
            rc.OpenCycle(
                secretary.actor, district, 2024, reference_date=date(2024, 12, 1)
            ),
            secretary.signer,
        )
        notification = services.ledger.max_notification_id()
        key = f"m:{member}"
        rnd = services.handle(rc.OpenRound(decider.actor, cycle, cell), decider.signer)
        review = services.handle(
            rc.OpenReview(secretary.actor, cycle, key, cell), secretary.signer
        )
        item = services.handle(
            mc.RecordShortcoming(
                secretary.actor,
                cycle,
                key,
                "SUGGESTION",
                f"Chưa tích cực tham gia sinh hoạt ({year_code})",
                "SUBJECTIVE",
                recorded_on=date(2024, 12, 10),
            ),
            secretary.signer,
        )
        services.handle(
            mc.AdoptRemediationPlan(
                secretary.actor,
                (item,),
                ("Dự sinh hoạt đầy đủ",),
                member,
                date(2025, 6, 30),
                "INSPECTION_COMMITTEE",
                district,
                adopted_on=date(2024, 12, 20),
            ),
            secretary.signer,
        )
        return {
            "org_id": str(district),
            "cell_id": str(cell),
            "member_id": str(member),
            "subject_id": str(member),
            "cycle_id": str(cycle),
            "key": key,
            "subject_key": key,
            "rid": str(rnd),
            "round_id": str(rnd),
            "review": str(review),
            "review_id": str(review),
            "venue": str(cell),
            "cell_code": cell_code,
            "shortcoming_id": str(item),
            "notification_id": str(notification),
        }

    inside = targets(
        sec,
        dm,
        world.orgs["district"],
        world.orgs["cell_a"],
        "chi-bo-xom-a",
        world.member_id,
        "dong",
    )
    outside = targets(sec2, dm2, district2, cell_c, "chi-bo-thon-c", member_b, "tay")
    counting_in = (
        world.accounts["counting"],
        account_id("kiemphieu-dong2"),
        account_id("kiemphieu-dong3"),
    )
    counting_out = tuple(account_id(f"kiemphieu-tay{k}") for k in (1, 2, 3))
    inside["vote_id"] = str(
        _vote(
            services,
            admin,
            world.orgs["district"],
            "ltn-dong",
            world.member_id,
            counting_in,
        )
    )
    outside["vote_id"] = str(
        _vote(services, admin, district2, "ltn-tay", member_b, counting_out)
    )
    inside["account_id"] = str(world.accounts["secretary"])
    outside["account_id"] = str(accounts["thuky-tay"])
    # Accounts no test signs in with, for the commands that sign one out.
    inside["spare_account_id"] = str(account_id("kiemphieu-dong2"))
    outside["spare_account_id"] = str(accounts["kiemphieu-tay1"])
    return Scope({**COMMON, **inside}), Scope({**COMMON, **outside})
