"""A cycle the first release opened (one ``Opened`` holding every subject) is
refreshed by this release with ``SubjectsChanged`` events only, replays, and its
views equal a rebuild (tests/fixtures/store_2026_12; issue 14 §3)."""

from datetime import date
from typing import Any
from uuid import UUID

from ledger.config import settings_from_environ
from projections.ratings.subjects import annual_cycles
from services import commands as c
from services import rating_commands as rc
from services.app import Kiemdiem
from tests.old_store import DEMO_LOGINS, copy_old_store


def test_a_first_release_cycle_is_refreshed_with_only_its_changes(
    tmp_path, monkeypatch
):
    instance = tmp_path / "instance"
    url = copy_old_store(instance, monkeypatch)
    app = Kiemdiem(settings_from_environ({"KIEMDIEM_INSTANCE_DIR": str(instance)}, url))
    try:
        admin = app.authenticate("admin", DEMO_LOGINS["admin"])
        sec = app.authenticate("thuky", DEMO_LOGINS["thuky"])
        assert admin is not None
        assert sec is not None
        app.projections.rebuild()
        latest = max(annual_cycles(app.projections), key=lambda r: r["year"])
        cycle = UUID(latest["cycle_id"])
        before = app.ratings.cycle(cycle)
        cell = next(
            s.cell_id for s in before.subjects.values() if s.is_individual and s.cell_id
        )
        arrived = app.handle(
            c.EnrolMember(
                admin.actor,
                "Đảng viên mới chuyển đến",
                "DV-MOI-0001",
                date(1985, 5, 5),
                date(2012, 3, 3),
                "full",
                UUID(cell),
            ),
            admin.signer,
        )
        first = app.ledger.max_notification_id()
        app.handle(rc.RefreshSubjects(sec.actor, cycle), sec.signer)
        topics = {
            n.topic
            for n in app.ledger.recorder.select_notifications(
                start=first + 1, limit=100
            )
        }
        assert topics == {"domain.cycles:ReviewCycle.SubjectsChanged"}
        changes: list[Any] = list(app.ledger.events.get(cycle, gt=before.version))
        changed = {r["key"] for e in changes for r in e.changed}
        assert changed == {f"m:{arrived}"}, len(changed)
        assert [k for e in changes for k in e.removed] == []
        replayed: Any = app.ledger.repository.get(
            cycle
        )  # the Opened of 2026 and the change
        assert replayed.subjects[f"m:{arrived}"].cell_id == cell
        assert set(replayed.subjects) == set(before.subjects) | {f"m:{arrived}"}
        rows = {r["subject_key"] for r in app.ratings.subjects(cycle)}
        assert rows == set(replayed.subjects)
        incremental = app.projections.digest()
        app.projections.rebuild()
        assert app.projections.digest() == incremental
    finally:
        app.close()
