"""The report page's rendered content kept beside its figures (issue 14:
``ReadGateway.report_page_shown``), through the bus and the read gate on
SQLite and PostgreSQL: kept per viewer (two viewers with different scopes
never get each other's), served while nothing it was made from has changed,
made anew at the next request once a view it read has; the scope check runs
first, every time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.errors import DomainError
from domain.permissions import OUT_OF_SCOPE
from services.read_gateway import ReadGateway
from services.reports import POPULATIONS
from tests.service.reorganisation_world import MEMBER, kept_world, rate

DAY = date(2025, 12, 10)


@pytest.fixture
def world(services: Any, admin: Any) -> dict[str, Any]:
    """The small province, its 2025 cycle and the commune's round open."""
    return kept_world(services, admin, ("xa_keeper", "xa-thuky", "xa-a"), DAY)


def shown_by(services: Any, session: Any, org_id: Any, made: list[str]) -> Any:
    """What this viewer is shown of ``org_id``'s report: their own name and
    the figures (``made`` names whom it was made for, each time it is)."""
    reads = ReadGateway.for_account(services, session.account_id)
    name = str(session.account_id)

    def show(report: dict[str, Any], histories: Any) -> tuple[str, Any]:
        made.append(name)
        return name, report["populations"]["members"]["rated"]

    return reads.report_page_shown(org_id, 2025, POPULATIONS, None, show, "/")


def test_kept_per_viewer_never_shared_across_scopes(services, world):
    """The province's secretary and the commune's both read the commune's
    report: each is shown what was made for them, never the other's."""
    w = world
    made: list[str] = []
    province, commune = w["secretary"], w["xa_keeper"]
    mine = shown_by(services, province, w["xa-a"], made)
    theirs = shown_by(services, commune, w["xa-a"], made)
    assert mine[0] == str(province.account_id)
    assert theirs[0] == str(commune.account_id)
    assert made == [mine[0], theirs[0]]
    # Each kept their own, served again while nothing changed.
    assert shown_by(services, province, w["xa-a"], made) == mine
    assert shown_by(services, commune, w["xa-a"], made) == theirs
    assert made == [mine[0], theirs[0]]
    assert services.kept.served["report_shown"] == 2


def test_a_view_changed_is_shown_at_the_next_request(services, world):
    w = world
    made: list[str] = []
    first = shown_by(services, w["secretary"], w["tinh"], made)
    assert shown_by(services, w["secretary"], w["tinh"], made) == first
    assert len(made) == 1
    rate(w, w["round"], f"m:{w['dv-a']}", "HTTNV", "1-QĐ", DAY, points=MEMBER)
    after = shown_by(services, w["secretary"], w["tinh"], made)
    assert len(made) == 2
    assert after[1] == first[1] + 1
    # The next day: made anew for that day.
    services.today = lambda: date(2025, 12, 11)
    shown_by(services, w["secretary"], w["tinh"], made)
    assert len(made) == 3


def test_the_scope_check_runs_before_a_kept_content(services, world):
    """A commune's keeper is refused the province's report though the process
    keeps its content; nothing is made for them."""
    w = world
    made: list[str] = []
    shown_by(services, w["secretary"], w["tinh"], made)
    with pytest.raises(DomainError) as refused:
        shown_by(services, w["xa_keeper"], w["tinh"], made)
    assert refused.value.code == OUT_OF_SCOPE
    assert len(made) == 1
