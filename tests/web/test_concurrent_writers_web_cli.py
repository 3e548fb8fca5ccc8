"""A committed write is never reported as failed (issue 11, deliverable 4).

On SQLite the web app (the test client, in threads) and CLI writers (real
``kiemdiem import members`` processes) write to the same store at once, with a
checkpoint due every few events so both also sign checkpoints. Every web answer
is a success or a clean 409, never a 500; every CLI run succeeds without a
traceback; every event is integrated once into a dense log; ``kiemdiem verify``
passes afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ACCOUNTS, SECRET_KEY, AuthActions, World

WEB_THREADS = 3
CLI_WRITERS = 2
CLI_RUNS = 2
MAX_WEB_WRITES = 150
WRITES_AFTER_CLI = 4
KIEMDIEM = str(Path(sys.executable).with_name("kiemdiem"))
HEADER = "Họ và tên,Số thẻ đảng viên,Ngày sinh,Ngày vào Đảng,Tình trạng,Mã chi bộ\n"


def _sheet(folder: Path, writer: int, run: int) -> Path:
    path = folder / f"ds-{writer}-{run}.csv"
    rows = [
        f"Người Nhập {writer}{run}{k},DV8{writer}{run}{k:05d},1990-01-01,"
        "2015-05-05,chính thức,chi-bo-xom-b\n"
        for k in range(3)
    ]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _cli_writer(writer: int, folder: Path, env: dict[str, str], out: list[Any]) -> None:
    for run in range(CLI_RUNS):
        sheet = _sheet(folder, writer, run)
        done = subprocess.run(
            [KIEMDIEM, "import", "members", str(sheet), "--user", "admin"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        out.append((done.returncode, done.stdout, done.stderr))


def _web_writer(
    app: Any, world: World, thread: int, stop: threading.Event, out: list[Any]
) -> None:
    # TESTING propagates a server error as an exception: record it as a 500.
    try:
        _web_writes(app, world, thread, stop, out)
    except Exception as exc:  # asserted by the test
        out.append((500, repr(exc)))


def _web_writes(
    app: Any, world: World, thread: int, stop: threading.Event, out: list[Any]
) -> None:
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login("admin").status_code == 302
    headers = {"X-Requested-With": "test"}
    shared = world.orgs["cell_a"]
    after_cli = 0
    for i in range(MAX_WEB_WRITES):
        # Write all the time the CLI writers run, and a few times after they
        # have integrated their own events.
        if stop.is_set():
            after_cli += 1
            if after_cli > WRITES_AFTER_CLI:
                break
        if i % 2 == 0:
            # Everyone renames the same chi bộ: conflicts end in success or 409.
            response = client.post(
                f"/api/v1/organisations/{shared}/rename",
                json={"name": f"Chi bộ xóm A ({thread}.{i})"},
                headers=headers,
            )
        else:
            response = client.post(
                "/api/v1/members",
                json={
                    "full_name": f"Người Mới {thread} {i}",
                    "party_card_no": f"DV9{thread}{i:06d}",
                    "birth_date": "1991-02-03",
                    "admission_date": "2016-04-05",
                    "status": "full",
                    "cell_id": str(world.orgs["cell_a"]),
                },
                headers=headers,
            )
        out.append((response.status_code, response.get_data(as_text=True)))


def test_web_and_cli_writers_at_once_never_get_a_500(
    store_dir: Path, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from web import create_app, shutdown

    monkeypatch.setenv("KIEMDIEM_CHECKPOINT_EVERY", "5")
    env = {**os.environ, "KIEMDIEM_PASSWORD": ACCOUNTS["admin"][2]}
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY})
    web_results: list[Any] = []
    cli_results: list[Any] = []
    stop = threading.Event()
    try:
        cli_threads = [
            threading.Thread(target=_cli_writer, args=(w, tmp_path, env, cli_results))
            for w in range(CLI_WRITERS)
        ]
        web_threads = [
            threading.Thread(
                target=_web_writer, args=(app, world, t, stop, web_results)
            )
            for t in range(WEB_THREADS)
        ]
        for thread in cli_threads + web_threads:
            thread.start()
        deadline = time.monotonic() + 240
        for thread in cli_threads:
            thread.join(max(deadline - time.monotonic(), 1))
        stop.set()
        for thread in web_threads:
            thread.join(max(deadline - time.monotonic(), 1))
        assert not any(t.is_alive() for t in cli_threads + web_threads)
    finally:
        shutdown(app)

    statuses = [status for status, _ in web_results]
    assert len(statuses) >= WEB_THREADS * 4
    unexpected = [
        (s, body[:300]) for s, body in web_results if s not in (200, 201, 409)
    ]
    assert unexpected == []
    assert statuses.count(201) >= WEB_THREADS  # the member writes went through
    assert len(cli_results) == CLI_WRITERS * CLI_RUNS
    for code, stdout, stderr in cli_results:
        assert code == 0, stderr
        assert "Đã nhập 3 đảng viên." in stdout
        assert "Traceback" not in stderr

    # Every event is in the log exactly once, and the store verifies.
    from ledger.config import settings_from_environ
    from services.app import Kiemdiem

    services = Kiemdiem(settings_from_environ())
    try:
        services.integrator.catch_up()
        tip = services.ledger.max_notification_id()
        leaves = services.ledger.sql.table("ledger_leaves")
        with services.ledger.sql.tx() as cur:
            row = cur.execute(
                f"SELECT COUNT(*), MAX(idx), MAX(notification_id) FROM {leaves}"
            ).fetchone()
        assert row is not None
        count, last_index, last_id = row
        assert last_index == count - 1
        assert last_id == tip
        assert services.integrator.latest_checkpoint() is not None
    finally:
        services.close()
    verified = subprocess.run(
        [KIEMDIEM, "verify", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
