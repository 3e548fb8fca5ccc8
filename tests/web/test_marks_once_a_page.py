"""A read-only page whose kept results are several (the cycle page, its
statistics, a round, the report, the dashboard) reads the views'
change marks once (``web.reads.marks_once``), not once per kept result."""

from __future__ import annotations

from typing import Any

import pytest

from projections.runtime import ProjectionRuntime
from tests.web.test_cycle_page_by_reach import province_cycle  # noqa: F401 - fixture


@pytest.fixture
def marks_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the views' change marks were read."""
    count = [0]
    real = ProjectionRuntime.change_marks

    def counted(self: ProjectionRuntime) -> Any:
        count[0] += 1
        return real(self)

    monkeypatch.setattr(ProjectionRuntime, "change_marks", counted)
    return count


def test_each_kept_page_reads_the_marks_once(
    client: Any,
    auth: Any,
    world: Any,
    province_cycle: dict[str, Any],  # noqa: F811 - the fixture
    marks_read: list[int],
) -> None:
    cycle, rid = province_cycle["cycle"], province_cycle["round"]
    province = world.orgs["province"]
    auth.login_as("tinh-thuky", "mat-khau-them-mot")
    paths = [
        "/",
        f"/ratings/cycles/{cycle}",
        f"/ratings/cycles/{cycle}/statistics",
        f"/reports/{province}/2025",
    ]
    for path in paths:
        client.get(path)  # warm: what is kept is made
        before = marks_read[0]
        response = client.get(path)
        assert response.status_code == 200, path
        assert marks_read[0] - before == 1, path
    auth.login_as(world.username("decision_maker"), world.password("decision_maker"))
    client.get(f"/ratings/rounds/{rid}")
    before = marks_read[0]
    assert client.get(f"/ratings/rounds/{rid}").status_code == 200
    assert marks_read[0] - before == 1
