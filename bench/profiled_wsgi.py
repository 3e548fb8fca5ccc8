"""The web app under cProfile, for ``python -m bench.province --profile DIR``.

Each gunicorn thread profiles the requests it serves that carry the header
``X-Bench-Profile`` (the bench's mixed workload; not sign-ins or warm-ups), with
a profiler of its own, enabled only while such a request runs and timing the
thread's CPU, not the wall clock. When the worker exits, the threads' profiles
are merged into ``DIR/worker-<pid>.prof`` (``pstats``). Never used outside the
bench.
"""

from __future__ import annotations

import atexit
import cProfile
import os
import pstats
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from web.wsgi import app as served

HEADER = "HTTP_X_BENCH_PROFILE"  # the requests profiled carry X-Bench-Profile
OUT = Path(os.environ.get("KIEMDIEM_BENCH_PROFILE_DIR", "."))
_profiles: list[cProfile.Profile] = []
_mine = threading.local()
_guard = threading.Lock()


def _profile() -> cProfile.Profile:
    found: cProfile.Profile | None = getattr(_mine, "profile", None)
    if found is None:
        # CPU time of this thread: what a request costs, not what it waits for.
        found = cProfile.Profile(time.thread_time)
        _mine.profile = found
        with _guard:
            _profiles.append(found)
    return found


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if HEADER not in environ:  # sign-ins, warm-ups: not profiled
        return served(environ, start_response)
    profile = _profile()
    profile.enable()
    try:
        return list(served(environ, start_response))
    finally:
        profile.disable()


@atexit.register
def _dump() -> None:
    with _guard:
        profiles = list(_profiles)
    if not profiles:
        return
    stats = pstats.Stats(profiles[0])
    for other in profiles[1:]:
        stats.add(other)
    OUT.mkdir(parents=True, exist_ok=True)
    stats.dump_stats(str(OUT / f"worker-{os.getpid()}.prof"))
