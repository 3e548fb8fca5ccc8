"""No page stays stale after a failure (issue 13): when a committed command's
post-commit work fails, the views are behind the log; the next request, whoever
makes it, catches them up before reading (embedded mode)."""

from __future__ import annotations

from typing import Any

from services import commands as c
from tests.conftest import ADMIN_PASSWORD


def _failing_catch_up(*_args: Any, **_kwargs: Any) -> bool:
    raise RuntimeError("the view store was busy")


def test_a_page_after_a_failed_catch_up_shows_the_committed_write(
    client, auth, kiemdiem, world, monkeypatch
):
    auth.login("secretary")  # signing in is a write: before the failure
    admin = kiemdiem.authenticate("admin", ADMIN_PASSWORD)
    with monkeypatch.context() as broken:
        broken.setattr(kiemdiem.projections, "read_your_writes", _failing_catch_up)
        new = kiemdiem.handle(
            c.FoundOrganisation(
                admin.actor,
                "chi-bo-xom-moi",
                "Chi bộ xóm Mới",
                "cell",
                world.orgs["district"],
            ),
            admin.signer,
        )
    tip = kiemdiem.projections.app.max_notification_id()
    assert kiemdiem.projections.lagging(tip)  # the write is stored, the views lag
    page = client.get(f"/organisations/{new}")
    assert page.status_code == 200
    assert "Chi bộ xóm Mới" in page.get_data(as_text=True)
    assert not kiemdiem.projections.lagging(tip)


def test_a_request_when_nothing_lags_reads_only_the_tip(
    client, auth, kiemdiem, monkeypatch
):
    auth.login("member")
    tip = kiemdiem.projections.app.max_notification_id()
    assert not kiemdiem.projections.lagging(tip)
    calls: list[int] = []
    real = kiemdiem.projections.catch_up_written

    def counted(until: int) -> None:
        calls.append(until)
        real(until)

    monkeypatch.setattr(kiemdiem.projections, "catch_up_written", counted)
    assert client.get("/").status_code == 200
    assert calls == []
