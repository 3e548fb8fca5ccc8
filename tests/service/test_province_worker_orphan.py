"""The province build's worker process ends when the build's process is killed.

Killed (SIGKILL, or SIGTERM with no handler), the build never sets the worker's
stop event; the worker used to go on for ever, holding the views' advisory locks
so that the next build waited on them (seen at 100,000 members).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ledger.config import Settings

WAIT_SECONDS = 30

PARENT = """
import sys, time
from ledger.config import settings_from_environ
from services.demo_province_worker import worker_beside

settings = settings_from_environ(database_url=sys.argv[1])
with worker_beside(settings):
    print("started", flush=True)
    time.sleep(600)
"""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def test_the_worker_stops_when_the_build_is_killed(
    services: object, settings: Settings
) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    build = subprocess.Popen(
        [sys.executable, "-c", PARENT, settings.database_url],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    workers: list[int] = []
    try:
        assert build.stdout is not None
        assert build.stdout.readline().strip() == "started"
        deadline = time.monotonic() + WAIT_SECONDS
        while not workers and time.monotonic() < deadline:
            workers = [
                child
                for child in _children(build.pid)
                if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text()
            ]
            time.sleep(0.1)
        assert workers, "the build started no worker"
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(_alive, workers)), "the worker outlived the build"
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        if build.stdout is not None:
            build.stdout.close()
        for worker in filter(_alive, workers):
            os.kill(worker, signal.SIGKILL)
