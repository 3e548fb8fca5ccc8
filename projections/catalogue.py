"""The read models a deployment runs, in one place."""

from __future__ import annotations

from projections.commendations import CommendationHistory
from projections.directory import Directory
from projections.org_facts import OrgFactsView
from projections.ratings import RatingsView
from projections.read_model import ReadModel
from projections.remediation import RemediationView
from projections.search import SearchIndex
from projections.subject_events import SubjectEvents
from projections.vote_results import VoteResults


def default_read_models() -> list[ReadModel]:
    return [
        Directory(),
        VoteResults(),
        RatingsView(),
        RemediationView(),
        OrgFactsView(),
        CommendationHistory(),
        SubjectEvents(),
        SearchIndex(),
    ]
