# ruff: noqa: E501 - the table lines are one route each
"""The route matrix's expectations (tests/web/test_route_matrix.py).

One line per route of the app: for each role (A admin, S secretary, D decision
maker, I inspector, M member, C counting) the status IN scope / OUT of scope.
Reading it: ``S200/403`` — the district's secretary opens the page for their own
district and is refused the other district's. A POST carries an empty body: an
allowed role gets the form's 400 (or 422), a refused one 403 before any form.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLE_LETTERS = {
    "admin": "A",
    "secretary": "S",
    "decision_maker": "D",
    "inspector": "I",
    "member": "M",
    "counting": "C",
}
SCOPED = (
    "org_id",
    "member_id",
    "account_id",
    "cycle_id",
    "key",
    "subject_key",
    "rid",
    "round_id",
    "review",
    "shortcoming_id",
    "vote_id",
    "subject_id",
    "notification_id",
)


@dataclass(frozen=True)
class Expect:
    cells: str
    rule: str = ""

    def of(self, letter: str) -> tuple[int, int]:
        for cell in self.cells.split():
            if cell[0] == letter:
                status_in, _, status_out = cell[1:].partition("/")
                return int(status_in), int(status_out)
        raise KeyError(letter)

    @property
    def scoped(self) -> bool:
        return any(
            f":{name}>" in self.rule or f"<{name}>" in self.rule for name in SCOPED
        )


# Routes anyone may open, signed in or not (the login, the public documents).
PUBLIC = frozenset(
    {
        "GET /auth/login",
        "POST /auth/login",
        "GET /api/v1/openapi.json",
        "GET /static/<path:filename>",
    }
)

# status IN/OUT per role                                method and rule
_TABLE = """
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /
A200/200 S403/403 D403/403 I403/403 M403/403 C403/403  GET /admin/accounts
A200/200 S403/403 D403/403 I403/403 M403/403 C403/403  GET /admin/accounts/<uuid:account_id>
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /admin/accounts/<uuid:account_id>/disable
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /admin/accounts/<uuid:account_id>/password
A422/422 S403/403 D403/403 I403/403 M403/403 C403/403  POST /admin/accounts/<uuid:account_id>/roles
A200/200 S403/403 D403/403 I403/403 M403/403 C403/403  GET /admin/accounts/new
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /admin/accounts/new
A200/200 S403/403 D403/403 I403/403 M403/403 C403/403  GET /api/v1/accounts
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /api/v1/accounts
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /api/v1/accounts/<uuid:account_id>/disable
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /api/v1/accounts/<uuid:account_id>/password
A422/422 S403/403 D403/403 I403/403 M403/403 C403/403  POST /api/v1/accounts/<uuid:account_id>/roles
A403/403 S403/403 D403/403 I200/200 M403/403 C403/403  GET /api/v1/audit/checkpoints
A403/403 S403/403 D403/403 I400/400 M403/403 C403/403  POST /api/v1/audit/checkpoints/cosign
A403/403 S403/403 D403/403 I200/403 M403/403 C403/403  GET /api/v1/audit/events/<notification_id>/proof
A403/403 S403/403 D403/403 I422/422 M403/403 C403/403  GET /api/v1/audit/subjects/<uuid:subject_id>/as-of
A403/403 S403/403 D403/403 I200/403 M403/403 C403/403  GET /api/v1/audit/subjects/<uuid:subject_id>/bundle
A403/403 S403/403 D403/403 I200/403 M403/403 C403/403  GET /api/v1/audit/subjects/<uuid:subject_id>/history
A403/403 S403/403 D403/403 I202/202 M403/403 C403/403  POST /api/v1/audit/verifications
A403/403 S403/403 D403/403 I404/404 M403/403 C403/403  GET /api/v1/audit/verifications/<job_id>
A200/200 S200/200 D200/200 I200/200 M403/403 C403/403  GET /api/v1/commendations
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/commendations
A400/400 S400/400 D400/400 I400/400 M403/403 C403/403  GET /api/v1/commendations/proposals
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /api/v1/criteria
A400/400 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/criteria
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /api/v1/cycles
A403/403 S400/400 D400/400 I403/403 M403/403 C403/403  POST /api/v1/cycles
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /api/v1/cycles/<uuid:cycle_id>
A403/403 S403/403 D200/403 I403/403 M403/403 C403/403  POST /api/v1/cycles/<uuid:cycle_id>/close
A403/403 S400/400 D400/400 I403/403 M403/403 C403/403  POST /api/v1/cycles/<uuid:cycle_id>/combined
A403/403 S400/400 D400/400 I403/403 M403/403 C403/403  POST /api/v1/cycles/<uuid:cycle_id>/deadlines
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /api/v1/cycles/<uuid:cycle_id>/issues
A403/403 S422/403 D422/403 I403/403 M403/403 C403/403  POST /api/v1/cycles/<uuid:cycle_id>/refresh
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /api/v1/cycles/<uuid:cycle_id>/rereview-orders
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/cycles/<uuid:cycle_id>/rereview-orders
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/cycles/<uuid:cycle_id>/reviews
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/cycles/<uuid:cycle_id>/rounds
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /api/v1/cycles/<uuid:cycle_id>/statistics
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /api/v1/cycles/<uuid:cycle_id>/subjects
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /api/v1/cycles/<uuid:cycle_id>/subjects/<subject_key>
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /api/v1/members
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /api/v1/members/<uuid:member_id>
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/confidence-results
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/degradations
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/disciplines
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/exemptions
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/leaves
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/oversight
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/oversight/end
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/posts
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/posts/end
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/temporary-cell
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/temporary-cell/end
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/transfer
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/<uuid:member_id>/work-situation
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/members/import
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /api/v1/organisations
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /api/v1/organisations
A200/200 S200/403 D200/403 I200/403 M200/403 C200/403  GET /api/v1/organisations/<uuid:org_id>
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/organisations/<uuid:org_id>/cases
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/organisations/<uuid:org_id>/conclusions
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/organisations/<uuid:org_id>/disciplines
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /api/v1/organisations/<uuid:org_id>/dissolve
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /api/v1/organisations/<uuid:org_id>/facts
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /api/v1/organisations/<uuid:org_id>/rename
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/organisations/<uuid:org_id>/sector
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/organisations/<uuid:org_id>/task-results
A400/400 S400/400 D400/400 I400/400 M400/400 C400/400  GET /api/v1/remediation/carried
A200/200 S200/200 D200/200 I200/200 M200/200 C403/403  GET /api/v1/remediation/items
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /api/v1/remediation/items/<uuid:shortcoming_id>
A403/403 S400/400 D403/403 I403/403 M400/400 C403/403  POST /api/v1/remediation/items/<uuid:shortcoming_id>/claim
A403/403 S400/400 D403/403 I403/403 M400/400 C403/403  POST /api/v1/remediation/items/<uuid:shortcoming_id>/progress
A403/403 S403/403 D400/400 I400/400 M403/403 C403/403  POST /api/v1/remediation/items/<uuid:shortcoming_id>/refuse
A400/400 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/reorganisations
A403/403 S403/403 D422/403 I422/403 M403/403 C403/403  POST /api/v1/remediation/items/<uuid:shortcoming_id>/verify
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/remediation/plans
A403/403 S400/400 D400/400 I403/403 M403/403 C403/403  POST /api/v1/remediation/shortcomings
A400/400 S200/200 D200/200 I200/200 M403/403 C403/403  GET /api/v1/remediation/status-counts
A403/403 S403/403 D200/200 I200/200 M403/403 C403/403  GET /api/v1/remediation/worklist
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /api/v1/reports/<uuid:org_id>/<year>
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/reviews/<uuid:review_id>/comments
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/reviews/<uuid:review_id>/meeting
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/reviews/<uuid:review_id>/opinions
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/reviews/<uuid:review_id>/report
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/reviews/<uuid:review_id>/residence-comment
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/reviews/<uuid:review_id>/self-review
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/reviews/<uuid:review_id>/suggestions
A403/403 S400/400 D403/403 I403/403 M403/403 C403/403  POST /api/v1/reviews/<uuid:review_id>/temporary-cell-comment
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /api/v1/rounds/<uuid:round_id>
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/rounds/<uuid:round_id>/decisions
A403/403 S403/403 D400/400 I400/400 M403/403 C403/403  POST /api/v1/rounds/<uuid:round_id>/holds
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/rounds/<uuid:round_id>/mitigations
A403/403 S400/400 D400/400 I403/403 M403/403 C403/403  POST /api/v1/rounds/<uuid:round_id>/peer-groups
A403/403 S400/400 D400/400 I403/403 M403/403 C403/403  POST /api/v1/rounds/<uuid:round_id>/proposals
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/rounds/<uuid:round_id>/quota-exceptions
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/rounds/<uuid:round_id>/re-ratings
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /api/v1/rounds/<uuid:round_id>/releases
A403/403 S400/400 D403/403 I403/403 M400/400 C403/403  POST /api/v1/rounds/<uuid:round_id>/self-ratings
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /api/v1/search
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /api/v1/votes
A200/200 S200/403 D200/403 I200/403 M200/403 C200/403  GET /api/v1/votes/<uuid:vote_id>
A200/200 S200/403 D200/403 I200/403 M200/403 C200/403  GET /api/v1/votes/<uuid:vote_id>/results
A403/403 S403/403 D403/403 I200/200 M403/403 C403/403  GET /audit/
A403/403 S403/403 D403/403 I200/200 M403/403 C403/403  GET /audit/checkpoints
A403/403 S403/403 D403/403 I404/404 M403/403 C403/403  GET /audit/checkpoints/<int:size>/cosigned.checkpoint
A403/403 S403/403 D403/403 I400/400 M403/403 C403/403  POST /audit/checkpoints/compare
A403/403 S403/403 D403/403 I400/400 M403/403 C403/403  POST /audit/checkpoints/cosign
A302/302 S403/403 D403/403 I302/302 M403/403 C403/403  POST /audit/checkpoints/issue
A403/403 S403/403 D403/403 I200/200 M403/403 C403/403  GET /audit/checkpoints/latest.checkpoint
A403/403 S403/403 D403/403 I200/403 M403/403 C403/403  GET /audit/events/<int:notification_id>
A403/403 S403/403 D403/403 I200/403 M403/403 C403/403  GET /audit/events/<int:notification_id>/proof.json
A403/403 S403/403 D403/403 I200/403 M403/403 C403/403  GET /audit/subjects/<uuid:subject_id>
A403/403 S403/403 D403/403 I200/403 M403/403 C403/403  GET /audit/subjects/<uuid:subject_id>/as-of
A403/403 S403/403 D403/403 I200/403 M403/403 C403/403  GET /audit/subjects/<uuid:subject_id>/bundle.json
A403/403 S403/403 D403/403 I422/403 M403/403 C403/403  GET /audit/subjects/<uuid:subject_id>/diff
A403/403 S403/403 D403/403 I200/200 M403/403 C403/403  GET /audit/verify
A403/403 S403/403 D403/403 I302/302 M403/403 C403/403  POST /audit/verify
A403/403 S403/403 D403/403 I404/404 M403/403 C403/403  GET /audit/verify/<job_id>
A403/403 S403/403 D403/403 I404/404 M403/403 C403/403  GET /audit/verify/<job_id>/status.json
A302/400 S302/400 D302/400 I302/400 M302/400 C302/400  POST /auth/logout
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /auth/unlock
A400/400 S400/400 D400/400 I400/400 M400/400 C400/400  POST /auth/unlock
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /members/
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /members/<uuid:member_id>
A200/200 S200/403 D403/403 I403/403 M403/403 C403/403  GET /members/<uuid:member_id>/transfer
A400/400 S400/403 D403/403 I403/403 M403/403 C403/403  POST /members/<uuid:member_id>/transfer
A200/200 S200/200 D403/403 I403/403 M403/403 C403/403  GET /members/new
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /members/new
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /organisations/
A200/200 S200/403 D200/403 I200/403 M200/403 C200/403  GET /organisations/<uuid:org_id>
A200/200 S403/403 D403/403 I403/403 M403/403 C403/403  GET /organisations/<uuid:org_id>/dissolve
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /organisations/<uuid:org_id>/dissolve
A200/200 S403/403 D403/403 I403/403 M403/403 C403/403  GET /organisations/<uuid:org_id>/rename
A200/200 S403/403 D200/403 I403/403 M403/403 C403/403  GET /organisations/<uuid:org_id>/reorganise
A400/400 S403/403 D400/403 I403/403 M403/403 C403/403  POST /organisations/<uuid:org_id>/reorganise
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /organisations/<uuid:org_id>/rename
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /organisations/<uuid:org_id>/sinh-hoat-tam-thoi
A200/200 S403/403 D403/403 I403/403 M403/403 C403/403  GET /organisations/new
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /organisations/new
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /ratings/
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /ratings/criteria
A400/400 S403/403 D400/400 I403/403 M403/403 C403/403  POST /ratings/criteria
A403/403 S400/400 D400/400 I403/403 M403/403 C403/403  POST /ratings/cycles
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /ratings/cycles/<uuid:cycle_id>
A403/403 S400/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/cycles/<uuid:cycle_id>/combined
A403/403 S400/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/cycles/<uuid:cycle_id>/deadlines
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /ratings/cycles/<uuid:cycle_id>/issues
A403/403 S403/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/cycles/<uuid:cycle_id>/rounds
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /ratings/cycles/<uuid:cycle_id>/statistics
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /ratings/cycles/<uuid:cycle_id>/subjects
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /ratings/cycles/<uuid:cycle_id>/subjects/<key>
A403/403 S403/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/cycles/<uuid:cycle_id>/subjects/<key>/rereview
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/cycles/<uuid:cycle_id>/subjects/<key>/reviews
A200/200 S200/200 D403/403 I403/403 M403/403 C403/403  GET /ratings/import
A400/400 S400/400 D403/403 I403/403 M403/403 C403/403  POST /ratings/import
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /ratings/members/<uuid:member_id>
A400/400 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/members/<uuid:member_id>/<kind>
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /ratings/organisations/<uuid:org_id>/facts
A400/400 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/organisations/<uuid:org_id>/facts/<kind>
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/reviews/<uuid:review>/comment
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/reviews/<uuid:review>/meeting
A403/403 S200/403 D403/403 I403/403 M403/403 C403/403  GET /ratings/reviews/<uuid:review>/nguoi-gop-y
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/reviews/<uuid:review>/opinion
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/reviews/<uuid:review>/report
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/reviews/<uuid:review>/residence
A403/403 S422/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/reviews/<uuid:review>/self-review
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/reviews/<uuid:review>/suggestion
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /ratings/reviews/<uuid:review>/temporary
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /ratings/rounds/<uuid:rid>
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /ratings/rounds/<uuid:rid>/group-candidates
A403/403 S400/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/rounds/<uuid:rid>/groups
A403/403 S403/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/rounds/<uuid:rid>/groups/<code>/exception
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /ratings/rounds/<uuid:rid>/subjects/<key>
A403/403 S403/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/rounds/<uuid:rid>/subjects/<key>/decision
A403/403 S403/403 D400/403 I400/403 M403/403 C403/403  POST /ratings/rounds/<uuid:rid>/subjects/<key>/hold
A403/403 S403/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/rounds/<uuid:rid>/subjects/<key>/mitigation
A403/403 S400/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/rounds/<uuid:rid>/subjects/<key>/proposal
A403/403 S403/403 D400/403 I403/403 M403/403 C403/403  POST /ratings/rounds/<uuid:rid>/subjects/<key>/rerate
A403/403 S400/403 D403/403 I403/403 M400/403 C403/403  POST /ratings/rounds/<uuid:rid>/subjects/<key>/self-rating
A200/200 S200/200 D200/200 I200/200 M302/302 C403/403  GET /remediation/
A403/403 S200/403 D200/403 I403/403 M403/403 C403/403  GET /remediation/cycles/<uuid:cycle_id>/subjects/<key>/record
A403/403 S400/403 D400/403 I403/403 M403/403 C403/403  POST /remediation/cycles/<uuid:cycle_id>/subjects/<key>/record
A403/403 S400/403 D403/403 I403/403 M400/403 C403/403  POST /remediation/items/<uuid:shortcoming_id>/claim
A403/403 S400/403 D403/403 I403/403 M400/403 C403/403  POST /remediation/items/<uuid:shortcoming_id>/progress
A403/403 S403/403 D422/403 I422/403 M403/403 C403/403  POST /remediation/items/<uuid:shortcoming_id>/refuse
A403/403 S403/403 D422/403 I422/403 M403/403 C403/403  POST /remediation/items/<uuid:shortcoming_id>/verify
A200/200 S200/403 D200/403 I200/403 M200/403 C403/403  GET /remediation/subjects/<key>
A403/403 S400/403 D403/403 I403/403 M403/403 C403/403  POST /remediation/subjects/<key>/plan
A403/403 S403/403 D200/200 I200/200 M403/403 C403/403  GET /remediation/worklist
A200/200 S200/200 D200/200 I200/200 M403/403 C403/403  GET /reports/
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /reports/<uuid:org_id>/<year>
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /reports/<uuid:org_id>/<year>/bao-cao.pdf
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /reports/<uuid:org_id>/<year>/bao-cao.xlsx
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /reports/<uuid:org_id>/<year>/chua-hoan-thanh/<level>
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /reports/cycles/<uuid:cycle_id>/subjects/<key>/ho-so
A200/200 S200/403 D200/403 I200/403 M403/403 C403/403  GET /reports/cycles/<uuid:cycle_id>/subjects/<key>/ho-so.pdf
A404/404 S404/403 D404/403 I404/403 M403/403 C403/403  GET /reports/cycles/<uuid:cycle_id>/subjects/<key>/xep-loai-lai.pdf
A200/200 S200/200 D200/200 I200/200 M403/403 C403/403  GET /reports/khen-thuong
A403/403 S403/403 D400/400 I403/403 M403/403 C403/403  POST /reports/khen-thuong
A403/403 S403/403 D403/403 I200/200 M403/403 C403/403  GET /viec-can-lam/ho-so-thay-doi
A403/403 S200/200 D200/200 I403/403 M403/403 C403/403  GET /viec-can-lam/lenh-kiem-diem-lai
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /tim-kiem/
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /votes/
A200/200 S200/403 D200/403 I200/403 M200/403 C200/403  GET /votes/<uuid:vote_id>
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /votes/<uuid:vote_id>/abandon
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /votes/<uuid:vote_id>/attendance
A422/422 S422/422 D422/422 I422/422 M422/422 C422/422  POST /votes/<uuid:vote_id>/ballots
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /votes/<uuid:vote_id>/booth
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /votes/<uuid:vote_id>/booth/election.json
A404/404 S404/404 D404/404 I404/404 M404/404 C404/404  GET /votes/<uuid:vote_id>/booth/my-key.json
A422/422 S403/403 D403/403 I403/403 M403/403 C403/403  POST /votes/<uuid:vote_id>/eligible
A403/403 S403/403 D403/403 I403/403 M403/403 C400/403  POST /votes/<uuid:vote_id>/message
A200/200 S200/403 D200/403 I200/403 M200/403 C200/403  GET /votes/<uuid:vote_id>/record.jsonl
A200/200 S200/403 D200/403 I200/403 M200/403 C200/403  GET /votes/<uuid:vote_id>/results
A404/404 S404/403 D404/403 I404/403 M404/403 C404/403  GET /votes/<uuid:vote_id>/results.<fmt>
A422/422 S403/403 D403/403 I403/403 M403/403 C403/403  POST /votes/<uuid:vote_id>/step/<step>
A200/200 S200/200 D200/200 I200/200 M200/200 C200/200  GET /votes/<uuid:vote_id>/track
A404/404 S404/404 D404/404 I404/404 M404/404 C404/404  GET /votes/booth/static/<path:path>
A200/200 S403/403 D403/403 I403/403 M403/403 C403/403  GET /votes/new
A400/400 S403/403 D403/403 I403/403 M403/403 C403/403  POST /votes/new
A400/400 S400/400 D400/400 I400/400 M400/400 C400/400  POST /auth/logout-everywhere
A422/422 S422/403 D422/403 I422/403 M422/403 C403/403  GET /ratings/cycles/<uuid:cycle_id>/subjects/<key>/venues/<venue>/ban-in.pdf
A400/400 S400/400 D400/400 I400/400 M400/400 C400/400  POST /votes/<uuid:vote_id>/booth/slip-status
"""

# The booth's public bulletin (votes.md §6.1): in mode A an issued slip is the
# authorisation, so these are the same for every vote whoever asks.
BOOTH = frozenset(
    {
        "GET /votes/<uuid:vote_id>/booth",
        "GET /votes/<uuid:vote_id>/booth/election.json",
        "POST /votes/<uuid:vote_id>/ballots",
        "GET /votes/<uuid:vote_id>/track",
        "GET /votes/booth/static/<path:path>",
        "POST /votes/<uuid:vote_id>/booth/slip-status",
    }
)

EXPECTED = {
    name: Expect(cells, name.split(" ", 1)[1])
    for cells, name in (
        (line[:53], line[53:].strip()) for line in _TABLE.strip().splitlines()
    )
}
