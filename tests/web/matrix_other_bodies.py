# ruff: noqa: E501 - the table lines are one route each
"""Valid bodies for the POST routes beyond the rating area
(tests/web/test_route_matrix.py), API and pages: the directory, the accounts,
remediation, the reorganisation of the tree, commendations and the cosigning
of checkpoints. Like ``tests/web/matrix_bodies.py``: filled from one scope's
ids, keyed like ``EXPECTED``, with what each role gets IN scope in
``VALID_IN``.

Not here: the POSTs whose empty body is already a valid one (closing and
refreshing a cycle, starting a verification), which the sweep itself sends;
signing in and out; the confidence vote's pages and booth; the inspection
committee's pages (comparing and cosigning checkpoints: the whole store's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Body = Callable[[dict[str, str]], dict[str, Any]]

TEXT = "Nội dung kiểm thử"
ON = "2025-01-10"
API = "POST /api/v1"
ACCOUNT = f"{API}/accounts/<uuid:account_id>"
ORG = f"{API}/organisations/<uuid:org_id>"
ITEM = f"{API}/remediation/items/<uuid:shortcoming_id>"

API_BODIES: dict[str, Body] = {
    f"{API}/organisations": lambda v: {
        "code": "chi-bo-kiem-thu",
        "name": "Chi bộ kiểm thử",
        "kind": "cell",
        "parent_id": v["org_id"],
    },
    f"{ORG}/rename": lambda v: {"name": "Huyện ủy đổi tên kiểm thử"},
    f"{API}/members": lambda v: {
        "full_name": "Nguyễn Văn Kiểm Thử",
        "party_card_no": "DV00000777",
        "birth_date": "1980-01-01",
        "admission_date": "2005-05-05",
        "status": "full",
        "cell_id": v["cell_id"],
    },
    f"{API}/members/<uuid:member_id>/transfer": lambda v: {"cell_id": v["cell_id"]},
    f"{API}/accounts": lambda v: {
        "username": "tai-khoan-kiem-thu",
        "full_name": "Tài khoản kiểm thử",
        "roles": ["member"],
        "password": "mat-khau-kiem-thu-01",
        "org_id": v["org_id"],
    },
    f"{ACCOUNT}/roles": lambda v: {"roles": ["secretary"]},
    f"{API}/remediation/shortcomings": lambda v: {
        "cycle_id": v["cycle_id"],
        "subject_key": v["key"],
        "source": "SELF",
        "description": TEXT,
        "cause": "OBJECTIVE",
    },
    f"{API}/remediation/plans": lambda v: {
        "shortcoming_ids": [v["shortcoming_id"]],
        "measures": [TEXT],
        "responsible_member_id": v["member_id"],
        "deadline": "2025-06-30",
        "supervisor": "INSPECTION_COMMITTEE",
        "supervisor_org_id": v["org_id"],
    },
    f"{ITEM}/progress": lambda v: {"text": TEXT, "reported_on": ON},
    f"{ITEM}/claim": lambda v: {"summary": TEXT, "claimed_on": ON},
    f"{ITEM}/refuse": lambda v: {"reason": TEXT, "refused_on": ON},
    f"{ITEM}/verify": lambda v: {"note": TEXT, "verified_on": ON},
    f"{API}/reorganisations": lambda v: {
        "operation": "rename",
        "decision_no": "14/QĐ-TC",
        "effective_on": ON,
        "org_id": v["cell_id"],
        "name": "Chi bộ sau sắp xếp",
    },
    f"{API}/commendations": lambda v: {
        "subject_key": v["key"],
        "kind": "year_certificate",
        "year": 2024,
        "awarding_org_id": v["cell_id"],
        "decision_no": "15/QĐ-KT",
        "decided_on": ON,
    },
    f"{API}/audit/checkpoints/cosign": lambda v: {
        "size": 1,
        "line": "— không phải chữ ký",
    },
    # Sent last IN scope (``SENT_LAST``): they change the accounts and the tree
    # the routes before them are asked with.
    f"{ORG}/dissolve": lambda v: {"reason": TEXT},
    f"{ACCOUNT}/password": lambda v: {"new_password": "mat-khau-moi-kiem-thu-02"},
    f"{ACCOUNT}/disable": lambda v: {"reason": TEXT},
}
PAGE_ACCOUNT = "POST /admin/accounts/<uuid:account_id>"
PAGE_ITEM = "POST /remediation/items/<uuid:shortcoming_id>"
PAGE_BODIES: dict[str, Body] = {
    "POST /organisations/new": lambda v: {
        "code": "chi-bo-trang-kiem-thu",
        "name": "Chi bộ trang kiểm thử",
        "kind": "cell",
        "parent_id": v["org_id"],
    },
    "POST /organisations/<uuid:org_id>/rename": lambda v: {
        "name": "Huyện ủy đổi tên trên trang"
    },
    "POST /organisations/<uuid:org_id>/reorganise": lambda v: {
        "operation": "rename",
        "rename-decision_no": "16/QĐ-TC",
        "rename-effective_on": ON,
        "rename-target": v["cell_id"],
        "rename-name": "Chi bộ đổi tên trên trang",
    },
    "POST /members/new": lambda v: {
        "full_name": "Trần Thị Kiểm Thử",
        "party_card_no": "DV00000778",
        "birth_date": "1981-01-01",
        "admission_date": "2006-06-06",
        "status": "full",
        "cell_id": v["cell_id"],
    },
    "POST /members/<uuid:member_id>/transfer": lambda v: {"cell_id": v["cell_id"]},
    "POST /admin/accounts/new": lambda v: {
        "username": "tai-khoan-trang",
        "full_name": "Tài khoản trang kiểm thử",
        "roles": "member",
        "password": "mat-khau-trang-kiem-thu",
        "confirm": "mat-khau-trang-kiem-thu",
        "org_id": v["org_id"],
    },
    f"{PAGE_ACCOUNT}/roles": lambda v: {"roles-roles": "secretary"},
    "POST /remediation/cycles/<uuid:cycle_id>/subjects/<key>/record": lambda v: {
        "sc-source": "SELF",
        "sc-description": TEXT,
        "sc-cause": "OBJECTIVE",
    },
    "POST /remediation/subjects/<key>/plan": lambda v: {
        "pl-shortcoming_ids": v["shortcoming_id"],
        "pl-measures": TEXT,
        "pl-responsible_member_id": v["member_id"],
        "pl-deadline": "2025-06-30",
        "pl-supervisor": "INSPECTION_COMMITTEE",
        "pl-supervisor_org_id": v["org_id"],
    },
    f"{PAGE_ITEM}/progress": lambda v: {"pg-text": TEXT},
    f"{PAGE_ITEM}/claim": lambda v: {"cl-summary": TEXT},
    f"{PAGE_ITEM}/refuse": lambda v: {"rf-reason": TEXT},
    f"{PAGE_ITEM}/verify": lambda v: {"vf-note": TEXT},
    "POST /reports/khen-thuong": lambda v: {
        "kt-subject_key": v["key"],
        "kt-kind": "year_certificate",
        "kt-year": "2024",
        "kt-awarding_org_id": v["cell_id"],
        "kt-decision_no": "17/QĐ-KT",
        "kt-decided_on": ON,
    },
    # Sent last, like the API's.
    "POST /organisations/<uuid:org_id>/dissolve": lambda v: {"reason": TEXT},
    f"{PAGE_ACCOUNT}/password": lambda v: {
        "password-new_password": "mat-khau-trang-moi-03",
        "password-confirm": "mat-khau-trang-moi-03",
    },
    f"{PAGE_ACCOUNT}/disable": lambda v: {"disable-reason": TEXT},
}
# A new password or disabling signs the account out: those routes aim at a spare
# account of the scope (a counting committee member's), not at the secretary's
# the other routes use, whose session the sweep goes on with.
SIGNING_OUT = (
    f"{ACCOUNT}/password",
    f"{PAGE_ACCOUNT}/password",
    f"{ACCOUNT}/disable",
    f"{PAGE_ACCOUNT}/disable",
)
URL_NAMES = {name: {"account_id": "spare_account_id"} for name in SIGNING_OUT}
SENT_LAST = (
    f"{ORG}/dissolve",
    "POST /organisations/<uuid:org_id>/dissolve",
    f"{ACCOUNT}/password",
    f"{PAGE_ACCOUNT}/password",
    f"{ACCOUNT}/disable",
    f"{PAGE_ACCOUNT}/disable",
)

# Refusals OUT of scope other than a 403. Checkpoints are the whole store's, not
# one district's: the inspector's cosign line is judged wherever it is aimed (no
# checkpoint of that size). A remediation step checks who may take it (the
# plan's supervising body, the subject themself) before the scope: the other
# district's decision maker and inspector are not its supervisor, a member not
# its subject; refused all the same, nothing stored.
REFUSED_OTHERWISE: dict[tuple[str, str], str] = {
    ("inspector", f"{API}/audit/checkpoints/cosign"): "404 audit.checkpoint_not_found",
}

# What each role gets IN scope, sent in the sweep's order (the rating area's
# first, ``SENT_LAST`` last), role by role in one store. Filled from an observed
# run and read: every allowed role reaches the command (no 400), and a later
# role meets what an earlier one stored.
VALID_IN: dict[str, str] = {
    "POST /api/v1/organisations": "A201 S403 auth.forbidden D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/organisations/<uuid:org_id>/rename": "A200 S403 auth.forbidden D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members": "A201 S422 member.card_taken D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/transfer": "A422 member.same_cell S422 member.same_cell D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/accounts": "A201 S403 auth.forbidden D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/accounts/<uuid:account_id>/roles": "A422 account.roles_unchanged S403 auth.forbidden D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/remediation/shortcomings": "A403 auth.forbidden S201 D201 I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/remediation/plans": "A403 auth.forbidden S422 remediation.status_not_allowed D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/remediation/items/<uuid:shortcoming_id>/progress": "A403 auth.forbidden S200 D403 auth.forbidden I403 auth.forbidden M200 C403 auth.forbidden",
    "POST /api/v1/remediation/items/<uuid:shortcoming_id>/claim": "A403 auth.forbidden S200 D403 auth.forbidden I403 auth.forbidden M422 remediation.status_not_allowed C403 auth.forbidden",
    "POST /api/v1/remediation/items/<uuid:shortcoming_id>/refuse": "A403 auth.forbidden S403 auth.forbidden D200 I422 remediation.status_not_allowed M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/remediation/items/<uuid:shortcoming_id>/verify": "A403 auth.forbidden S403 auth.forbidden D422 remediation.status_not_allowed I422 remediation.status_not_allowed M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reorganisations": "A200 S403 auth.forbidden D422 org.name_unchanged I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/commendations": "A403 auth.forbidden S403 auth.forbidden D422 commendation.basis_not_supported I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/audit/checkpoints/cosign": "A403 auth.forbidden S403 auth.forbidden D403 auth.forbidden I404 audit.checkpoint_not_found M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/organisations/<uuid:org_id>/dissolve": "A200 S403 auth.forbidden D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/accounts/<uuid:account_id>/password": "A200 S403 auth.forbidden D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/accounts/<uuid:account_id>/disable": "A200 S403 auth.forbidden D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /organisations/new": "A302 S403 D403 I403 M403 C403",
    "POST /organisations/<uuid:org_id>/rename": "A302 S403 D403 I403 M403 C403",
    "POST /organisations/<uuid:org_id>/reorganise": "A302 S403 D422 I403 M403 C403",
    "POST /members/new": "A302 S422 D403 I403 M403 C403",
    "POST /members/<uuid:member_id>/transfer": "A422 S422 D403 I403 M403 C403",
    "POST /admin/accounts/new": "A302 S403 D403 I403 M403 C403",
    "POST /admin/accounts/<uuid:account_id>/roles": "A422 S403 D403 I403 M403 C403",
    "POST /remediation/cycles/<uuid:cycle_id>/subjects/<key>/record": "A403 S302 D302 I403 M403 C403",
    "POST /remediation/subjects/<key>/plan": "A403 S422 D403 I403 M403 C403",
    "POST /remediation/items/<uuid:shortcoming_id>/progress": "A403 S302 D403 I403 M302 C403",
    "POST /remediation/items/<uuid:shortcoming_id>/claim": "A403 S302 D403 I403 M422 C403",
    "POST /remediation/items/<uuid:shortcoming_id>/refuse": "A403 S403 D302 I422 M403 C403",
    "POST /remediation/items/<uuid:shortcoming_id>/verify": "A403 S403 D422 I422 M403 C403",
    "POST /reports/khen-thuong": "A403 S403 D422 I403 M403 C403",
    "POST /organisations/<uuid:org_id>/dissolve": "A422 S403 D403 I403 M403 C403",
    "POST /admin/accounts/<uuid:account_id>/password": "A302 S403 D403 I403 M403 C403",
    "POST /admin/accounts/<uuid:account_id>/disable": "A422 S403 D403 I403 M403 C403",
}
