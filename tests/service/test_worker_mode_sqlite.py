"""Worker mode on SQLite, after a command (``Kiemdiem.after_write``): with no
worker running the writing process brings the views to its write without first
reading every view's position (a transaction per view file); with a worker
running it waits for the worker as before."""

import threading
import time
from dataclasses import replace

import pytest

from ledger.config import settings_from_environ
from projections import worker
from services import commands as c
from services.app import Kiemdiem
from services.setup import initialise
from tests.service.conftest import ADMIN_PASSWORD


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("KIEMDIEM_INSTANCE_DIR", str(tmp_path / "instance"))
    for key in ("KIEMDIEM_TRUST_ROOT", "KIEMDIEM_LOG_KEY_FILE", "KIEMDIEM_PROJECTIONS"):
        monkeypatch.delenv(key, raising=False)
    found = settings_from_environ(database_url=f"sqlite:///{tmp_path}/k.db")
    initialise(
        found,
        origin="kiemdiem.test/tinh-uy",
        admin_username="admin",
        admin_full_name="Quản trị hệ thống",
        admin_password=ADMIN_PASSWORD,
        demo=True,
    )
    return replace(found, projections_mode="worker")


def _found_province(admin) -> c.FoundOrganisation:
    return c.FoundOrganisation(
        admin.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
    )


def _codes(app: Kiemdiem) -> set[str]:
    return {row.code for row in app.organisations()}


def test_no_worker_the_write_is_shown_without_reading_the_views_positions(
    settings, monkeypatch
):
    def positions_read(*args, **kwargs):
        raise AssertionError("the views' positions were read")

    monkeypatch.setattr(worker, "worker_progress", positions_read)
    app = Kiemdiem(settings)
    try:
        admin = app.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        app.handle(_found_province(admin), admin.signer)
        assert "tinh" in _codes(app)  # read your own write, here
    finally:
        app.close()


def test_with_a_worker_running_the_command_waits_for_it(settings, monkeypatch):
    waited: list[int] = []

    def wait(views, ledger, notification_id, limit, catch_up_written, notices=None):
        waited.append(notification_id)
        return True  # as if the worker had got there

    monkeypatch.setattr(worker, "wait_for_worker", wait)
    app, running = Kiemdiem(settings), Kiemdiem(settings)
    try:
        admin = app.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        with running.projections.worker_presence():
            app.handle(_found_province(admin), admin.signer)
        assert waited == [app.ledger.max_notification_id()]
        assert "tinh" not in _codes(app)  # left to the worker
    finally:
        running.close()
        app.close()


def test_a_waiting_worker_wakes_when_a_command_commits(settings):
    """The worker's idle wait ends at another process's commit, not at its poll
    (1 s): sleeping the whole poll held every command's read-your-writes wait
    for up to that second."""
    app, running = Kiemdiem(settings), Kiemdiem(settings)
    try:
        admin = app.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        with running.projections.worker_presence() as present:
            present.wait(0.05)  # nothing committed: back at the timeout
            command = _found_province(admin)
            writer = threading.Timer(0.2, app.handle, (command, admin.signer))
            writer.start()
            began = time.monotonic()
            present.wait(60)
            woke_after = time.monotonic() - began
            writer.join()
        assert woke_after < 30, woke_after  # woken by the commit, not the timeout
        assert app.ledger.max_notification_id() > 0
    finally:
        running.close()
        app.close()


def test_a_waiting_worker_stops_when_told(settings):
    running = Kiemdiem(settings)
    try:
        stop = threading.Event()
        with running.projections.worker_presence() as present:
            threading.Timer(0.1, stop.set).start()
            began = time.monotonic()
            present.wait(60, stop)
            assert time.monotonic() - began < 30
    finally:
        running.close()


def test_the_worker_loop_shows_a_command_to_the_acting_user(settings):
    """``kiemdiem worker``'s loop (``Kiemdiem.run_worker``) in a thread: the
    command's answer waits for it, then the views show the write; the loop
    integrates it into the log and stops when told."""
    app, running = Kiemdiem(settings), Kiemdiem(settings)
    stop, started = threading.Event(), threading.Event()
    loop = threading.Thread(target=running.run_worker, args=(1.0, stop, started.set))
    loop.start()
    try:
        assert started.wait(30)
        admin = app.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        app.handle(_found_province(admin), admin.signer)
        assert "tinh" in _codes(app)  # shown by the worker before the answer
        tip = app.ledger.max_notification_id()
        deadline = time.monotonic() + 30
        while running.integrator.size < tip and time.monotonic() < deadline:
            time.sleep(0.01)
        assert running.integrator.size == tip
    finally:
        stop.set()
        loop.join(30)
        running.close()
        app.close()
    assert not loop.is_alive()
