# ruff: noqa: E501 - the table lines are one route each
"""Valid bodies for the rating area's POST routes (tests/web/test_route_matrix.py).

The sweep posts empty bodies, so an allowed role meets the form's 400 before any
scope check; here each route gets a body its command accepts, filled from one
scope's ids (``Scope.values``), so the refusal OUT of scope is the real one.
Keyed like ``EXPECTED``: ``"POST <rule>"``.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

Body = Callable[[dict[str, str]], dict[str, Any]]

TEXT = "Nội dung kiểm thử"
ON = "2025-01-10"


def _criteria(v: dict[str, str]) -> dict[str, Any]:
    return {
        "org_id": v["org_id"],
        "appendix": "PL4",
        "from_year": 2025,
        "items": [
            {"code": "1.1", "group": "general", "max_points": 30, "title": TEXT},
            {"code": "2.1", "group": "task", "max_points": 70, "title": TEXT},
        ],
    }


def _sheet(v: dict[str, str], card: str) -> bytes:
    """A member list of one new member in the scope's chi bộ (Mẫu nhập)."""
    return (
        "full_name,party_card_no,birth_date,admission_date,status,cell_code\n"
        f"Nguyễn Văn Nhập,{card},1980-01-01,2005-05-05,full,{v['cell_code']}\n"
    ).encode()


API = "POST /api/v1"
CYCLE = f"{API}/cycles/<uuid:cycle_id>"
MEMBER = f"{API}/members/<uuid:member_id>"
ORG = f"{API}/organisations/<uuid:org_id>"
REVIEW = f"{API}/reviews/<uuid:review_id>"
ROUND = f"{API}/rounds/<uuid:round_id>"

# The JSON API: each body names the other scope's targets only through the URL
# or, for the routes whose target is in the body, through ``org_id`` & co.
API_BODIES: dict[str, Body] = {
    f"{API}/cycles": lambda v: {"org_id": v["org_id"], "year": 2025},
    f"{API}/criteria": _criteria,
    f"{CYCLE}/combined": lambda v: {"collective_id": v["cell_id"]},
    f"{CYCLE}/deadlines": lambda v: {
        "level": "member",
        "milestone": "review",
        "due": ON,
    },
    f"{CYCLE}/rereview-orders": lambda v: {
        "subject_key": v["key"],
        "scope": "review",
        "reason": TEXT,
        "deadline": "2030-03-01",
    },
    f"{CYCLE}/reviews": lambda v: {"subject_key": v["key"], "venue_id": v["venue"]},
    f"{CYCLE}/rounds": lambda v: {"authority_org_id": v["org_id"]},
    f"{MEMBER}/posts": lambda v: {
        "org_id": v["cell_id"],
        "role": "head",
        "since": "2024-01-01",
    },
    f"{MEMBER}/posts/end": lambda v: {"org_id": v["cell_id"], "until": ON},
    f"{MEMBER}/temporary-cell": lambda v: {
        "cell_id": v["cell_id"],
        "since": "2024-01-01",
    },
    f"{MEMBER}/temporary-cell/end": lambda v: {"until": ON},
    f"{MEMBER}/exemptions": lambda v: {
        "kind": "exempt_party_activity",
        "start": "2024-01-01",
        "reference": "01/QĐ",
    },
    f"{MEMBER}/leaves": lambda v: {
        "kind": "sick",
        "start": "2024-02-01",
        "end": "2024-03-01",
    },
    f"{MEMBER}/disciplines": lambda v: {
        "level": "reprimand",
        "duty_related": False,
        "decided_on": "2024-05-01",
        "reference": "02/QĐ",
    },
    f"{MEMBER}/degradations": lambda v: {
        "concluded_on": "2024-05-01",
        "reference": "03/KL",
    },
    f"{MEMBER}/confidence-results": lambda v: {
        "held_on": "2024-06-01",
        "returned": 10,
        "low": 1,
        "reference": "04/BB",
    },
    f"{MEMBER}/work-situation": lambda v: {"outside_political_system": True},
    f"{MEMBER}/oversight": lambda v: {"org_id": v["cell_id"], "since": "2024-01-01"},
    f"{MEMBER}/oversight/end": lambda v: {"org_id": v["cell_id"], "until": ON},
    f"{ORG}/sector": lambda v: {"sector": "party"},
    f"{ORG}/conclusions": lambda v: {
        "kind": "disunity",
        "concluded_on": "2024-05-01",
        "reference": "05/KL",
    },
    f"{ORG}/task-results": lambda v: {
        "year": 2024,
        "tasks_planned": 10,
        "tasks_completed": 9,
        "reference": "06/BC",
    },
    f"{ORG}/cases": lambda v: {
        "kind": "corruption",
        "disciplined_on": "2024-05-01",
        "reference": "07/QĐ",
    },
    f"{ORG}/disciplines": lambda v: {
        "level": "reprimand",
        "decided_on": "2024-05-01",
        "reference": "08/QĐ",
    },
    f"{REVIEW}/report": lambda v: {
        "sections": {"results": TEXT, "shortcomings": TEXT, "measures": TEXT},
        "circulated_on": ON,
    },
    f"{REVIEW}/self-review": lambda v: {
        "form": "2B",
        "sections": {"strengths": TEXT, "shortcomings": TEXT, "measures": TEXT},
    },
    f"{REVIEW}/comments": lambda v: {"author_member_id": v["member_id"], "text": TEXT},
    f"{REVIEW}/suggestions": lambda v: {"issuer_org_id": v["org_id"], "text": TEXT},
    f"{REVIEW}/opinions": lambda v: {
        "evaluator_kind": "peer",
        "evaluator": "Đồng chí A",
        "text": TEXT,
    },
    f"{REVIEW}/residence-comment": lambda v: {"text": TEXT},
    f"{REVIEW}/temporary-cell-comment": lambda v: {
        "cell_id": v["cell_id"],
        "text": TEXT,
    },
    f"{REVIEW}/meeting": lambda v: {
        "held_on": ON,
        "attendees": 5,
        "minutes": TEXT,
        "conclusion": TEXT,
    },
    f"{API}/members/import": lambda v: {
        "filename": "dang-vien.csv",
        "content_base64": base64.b64encode(_sheet(v, "DV00000555")).decode(),
        "dry_run": False,
    },
    f"{ROUND}/peer-groups": lambda v: {
        "code": "nhom",
        "name": "Nhóm kiểm thử",
        "members": [v["key"]],
    },
    f"{ROUND}/quota-exceptions": lambda v: {
        "code": "nhom",
        "ratio_pct": 25,
        "justification": TEXT,
    },
    f"{ROUND}/self-ratings": lambda v: {
        "subject_key": v["key"],
        "level": "KHTNV",
        "tasks_total": 10,
        "tasks_on_time": 10,
    },
    f"{ROUND}/proposals": lambda v: {"subject_key": v["key"], "level": "KHTNV"},
    f"{ROUND}/holds": lambda v: {
        "subject_key": v["key"],
        "reason": "complaint",
        "note": TEXT,
    },
    f"{ROUND}/releases": lambda v: {"subject_key": v["key"], "finding": TEXT},
    f"{ROUND}/mitigations": lambda v: {
        "subject_key": v["key"],
        "trigger": "discipline",
        "mitigated": True,
        "justification": TEXT,
    },
    f"{ROUND}/decisions": lambda v: {
        "subject_key": v["key"],
        "level": "KHTNV",
        "decision_no": "09/QĐ",
        "decided_on": ON,
    },
    f"{ROUND}/re-ratings": lambda v: {
        "subject_key": v["key"],
        "level": "HTNV",
        "decision_no": "10/QĐ",
        "decided_on": ON,
        "reason": TEXT,
    },
}

PAGE_CYCLE = "POST /ratings/cycles/<uuid:cycle_id>"
PAGE_SUBJECT = f"{PAGE_CYCLE}/subjects/<key>"
PAGE_REVIEW = "POST /ratings/reviews/<uuid:review>"
PAGE_ROUND = "POST /ratings/rounds/<uuid:rid>"
PAGE_RATING = f"{PAGE_ROUND}/subjects/<key>"

# The pages: first those whose target is in the form, not the URL.
PAGE_BODIES: dict[str, Body] = {
    "POST /ratings/cycles": lambda v: {"org_id": v["org_id"], "year": "2026"},
    "POST /ratings/criteria": lambda v: {
        "ct-org_id": v["org_id"],
        "ct-appendix": "PL3",
        "ct-from_year": "2025",
        "ct-items": f"1.1 | chung | 30 | {TEXT}\n2.1 | nhiệm vụ | 70 | {TEXT}",
    },
    # The pages whose target is in the URL: OUT of scope the read gate refuses
    # them before the form; IN scope the body makes the answer the command's.
    f"{PAGE_CYCLE}/deadlines": lambda v: {
        "dl-level": "cell",
        "dl-milestone": "rating",
        "dl-due": ON,
    },
    f"{PAGE_CYCLE}/rounds": lambda v: {"authority_org_id": v["org_id"]},
    f"{PAGE_CYCLE}/combined": lambda v: {"cb-collective_id": v["cell_id"]},
    f"{PAGE_SUBJECT}/reviews": lambda v: {"or-venue_id": v["org_id"]},
    f"{PAGE_SUBJECT}/rereview": lambda v: {
        "rv-scope": "rating",
        "rv-reason": TEXT,
        "rv-deadline": "2030-03-01",
    },
    f"{PAGE_REVIEW}/report": lambda v: {"rp-results": TEXT, "rp-circulated_on": ON},
    f"{PAGE_REVIEW}/self-review": lambda v: {
        "form_code": "2B",
        "sv-strengths": TEXT,
        "sv-shortcomings": TEXT,
        "sv-measures": TEXT,
    },
    f"{PAGE_REVIEW}/comment": lambda v: {
        "cm-author_member_id": v["member_id"],
        "cm-text": TEXT,
    },
    f"{PAGE_REVIEW}/suggestion": lambda v: {
        "sg-issuer_org_id": v["org_id"],
        "sg-text": TEXT,
    },
    f"{PAGE_REVIEW}/opinion": lambda v: {
        "op-evaluator_kind": "superior",
        "op-evaluator": "Đồng chí B",
        "op-proposed_level": "",
        "op-text": TEXT,
    },
    f"{PAGE_REVIEW}/residence": lambda v: {"rs-text": TEXT},
    f"{PAGE_REVIEW}/temporary": lambda v: {"tc-text": TEXT},
    f"{PAGE_REVIEW}/meeting": lambda v: {
        "mt-held_on": ON,
        "mt-attendees": "7",
        "mt-minutes": TEXT,
        "mt-conclusion": TEXT,
    },
    f"{PAGE_ROUND}/groups": lambda v: {
        "pg-code": "nhom2",
        "pg-name": "Nhóm hai",
        "pg-members": v["key"],
    },
    f"{PAGE_ROUND}/groups/<code>/exception": lambda v: {
        "qe-ratio_pct": "30",
        "qe-justification": TEXT,
    },
    f"{PAGE_RATING}/self-rating": lambda v: {
        "sr-level": "KHTNV",
        "sr-tasks_total": "10",
        "sr-tasks_on_time": "10",
        "sr-tasks_exceeded": "0",
        "sr-tasks_late": "0",
        "sr-tasks_not_done": "0",
    },
    f"{PAGE_RATING}/proposal": lambda v: {"pr-level": "KHTNV"},
    f"{PAGE_RATING}/hold": lambda v: {"hd-reason": "denunciation", "hd-note": TEXT},
    f"{PAGE_RATING}/mitigation": lambda v: {
        "mg-trigger": "discipline",
        "mg-justification": TEXT,
    },
    f"{PAGE_RATING}/decision": lambda v: {
        "dc-level": "KHTNV",
        "dc-decision_no": "11/QĐ",
        "dc-decided_on": ON,
    },
    f"{PAGE_RATING}/rerate": lambda v: {
        "rr-level": "HTNV",
        "rr-decision_no": "12/QĐ",
        "rr-decided_on": ON,
        "rr-reason": TEXT,
    },
    "POST /ratings/import": lambda v: {
        "file": (io.BytesIO(_sheet(v, "DV00000556")), "dang-vien.csv"),
    },
    "POST /ratings/organisations/<uuid:org_id>/facts/<kind>": lambda v: {
        "sector-sector": "party",
    },
    "POST /ratings/members/<uuid:member_id>/<kind>": lambda v: {
        "post-org_id": v["cell_id"],
        "post-role": "deputy",
        "post-since": "2024-02-01",
    },
}

# What each role gets IN scope with these bodies, sent route by route in the
# order above and role by role (A S D I M C) in one store, so a later role
# meets what an earlier one stored. Filled from an observed run and read.
VALID_IN: dict[str, str] = {
    "POST /api/v1/cycles": "A403 auth.forbidden S201 D422 cycle.exists I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/criteria": "A201 S403 auth.forbidden D422 criteria.exists I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/cycles/<uuid:cycle_id>/combined": "A403 auth.forbidden S422 cycle.combined_invalid D422 cycle.combined_invalid I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/cycles/<uuid:cycle_id>/deadlines": "A403 auth.forbidden S200 D200 I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/cycles/<uuid:cycle_id>/rereview-orders": "A403 auth.forbidden S403 auth.forbidden D422 rereview.review_not_held I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/cycles/<uuid:cycle_id>/reviews": "A403 auth.forbidden S422 review.exists D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/cycles/<uuid:cycle_id>/rounds": "A403 auth.forbidden S403 auth.forbidden D201 I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/posts": "A200 S422 member.post_unchanged D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/posts/end": "A200 S422 member.post_not_held D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/temporary-cell": "A422 member.temporary_is_official S422 member.temporary_is_official D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/temporary-cell/end": "A422 member.no_temporary_cell S422 member.no_temporary_cell D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/exemptions": "A200 S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/leaves": "A200 S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/disciplines": "A200 S422 member.discipline_recorded D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/degradations": "A200 S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/confidence-results": "A200 S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/work-situation": "A200 S422 member.situation_unchanged D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/oversight": "A200 S422 member.oversight_unchanged D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/<uuid:member_id>/oversight/end": "A200 S422 member.oversight_not_held D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/organisations/<uuid:org_id>/sector": "A422 org.sector_fixed S422 org.sector_fixed D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/organisations/<uuid:org_id>/conclusions": "A200 S422 org.fact_recorded_twice D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/organisations/<uuid:org_id>/task-results": "A200 S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/organisations/<uuid:org_id>/cases": "A200 S422 org.fact_recorded_twice D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/organisations/<uuid:org_id>/disciplines": "A200 S422 org.fact_recorded_twice D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reviews/<uuid:review_id>/report": "A403 auth.forbidden S422 review.report_for_collectives D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reviews/<uuid:review_id>/self-review": "A403 auth.forbidden S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reviews/<uuid:review_id>/comments": "A403 auth.forbidden S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reviews/<uuid:review_id>/suggestions": "A403 auth.forbidden S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reviews/<uuid:review_id>/opinions": "A403 auth.forbidden S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reviews/<uuid:review_id>/residence-comment": "A403 auth.forbidden S200 D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reviews/<uuid:review_id>/temporary-cell-comment": "A403 auth.forbidden S422 review.no_temporary_cell D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/reviews/<uuid:review_id>/meeting": "A403 auth.forbidden S422 review.order_violation D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/members/import": "A200 S422 import.rows_invalid D403 auth.forbidden I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/peer-groups": "A403 auth.forbidden S200 D422 rating.group_exists I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/quota-exceptions": "A403 auth.forbidden S403 auth.forbidden D422 rating.quota_exception_not_allowed I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/self-ratings": "A403 auth.forbidden S200 D403 auth.forbidden I403 auth.forbidden M200 C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/proposals": "A403 auth.forbidden S200 D200 I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/holds": "A403 auth.forbidden S403 auth.forbidden D200 I422 rating.already_held M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/releases": "A403 auth.forbidden S403 auth.forbidden D200 I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/mitigations": "A403 auth.forbidden S403 auth.forbidden D200 I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/decisions": "A403 auth.forbidden S403 auth.forbidden D200 I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /api/v1/rounds/<uuid:round_id>/re-ratings": "A403 auth.forbidden S403 auth.forbidden D422 rating.level_not_allowed I403 auth.forbidden M403 auth.forbidden C403 auth.forbidden",
    "POST /ratings/cycles": "A403 S302 D422 I403 M403 C403",
    "POST /ratings/criteria": "A302 S403 D422 I403 M403 C403",
    "POST /ratings/cycles/<uuid:cycle_id>/deadlines": "A403 S302 D302 I403 M403 C403",
    "POST /ratings/cycles/<uuid:cycle_id>/rounds": "A403 S403 D422 I403 M403 C403",
    "POST /ratings/cycles/<uuid:cycle_id>/combined": "A403 S422 D422 I403 M403 C403",
    "POST /ratings/cycles/<uuid:cycle_id>/subjects/<key>/reviews": "A403 S422 D403 I403 M403 C403",
    "POST /ratings/cycles/<uuid:cycle_id>/subjects/<key>/rereview": "A403 S403 D302 I403 M403 C403",
    "POST /ratings/reviews/<uuid:review>/report": "A403 S422 D403 I403 M403 C403",
    "POST /ratings/reviews/<uuid:review>/self-review": "A403 S302 D403 I403 M403 C403",
    "POST /ratings/reviews/<uuid:review>/comment": "A403 S302 D403 I403 M403 C403",
    "POST /ratings/reviews/<uuid:review>/suggestion": "A403 S302 D403 I403 M403 C403",
    "POST /ratings/reviews/<uuid:review>/opinion": "A403 S302 D403 I403 M403 C403",
    "POST /ratings/reviews/<uuid:review>/residence": "A403 S302 D403 I403 M403 C403",
    "POST /ratings/reviews/<uuid:review>/temporary": "A403 S422 D403 I403 M403 C403",
    "POST /ratings/reviews/<uuid:review>/meeting": "A403 S422 D403 I403 M403 C403",
    "POST /ratings/rounds/<uuid:rid>/groups": "A403 S422 D422 I403 M403 C403",
    "POST /ratings/rounds/<uuid:rid>/groups/<code>/exception": "A403 S403 D422 I403 M403 C403",
    "POST /ratings/rounds/<uuid:rid>/subjects/<key>/self-rating": "A403 S302 D403 I403 M302 C403",
    "POST /ratings/rounds/<uuid:rid>/subjects/<key>/proposal": "A403 S302 D302 I403 M403 C403",
    "POST /ratings/rounds/<uuid:rid>/subjects/<key>/hold": "A403 S403 D302 I422 M403 C403",
    "POST /ratings/rounds/<uuid:rid>/subjects/<key>/mitigation": "A403 S403 D302 I403 M403 C403",
    "POST /ratings/rounds/<uuid:rid>/subjects/<key>/decision": "A403 S403 D422 I403 M403 C403",
    "POST /ratings/rounds/<uuid:rid>/subjects/<key>/rerate": "A403 S403 D422 I403 M403 C403",
    "POST /ratings/import": "A200 S422 D403 I403 M403 C403",
    "POST /ratings/organisations/<uuid:org_id>/facts/<kind>": "A422 S422 D403 I403 M403 C403",
    "POST /ratings/members/<uuid:member_id>/<kind>": "A302 S422 D403 I403 M403 C403",
}
