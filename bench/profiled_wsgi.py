"""The web app under cProfile, for ``python -m bench.province --profile DIR``.

Each gunicorn thread profiles the requests it serves (a profiler of its own,
enabled only while a request runs); when the worker exits, the threads'
profiles are merged into ``DIR/worker-<pid>.prof`` (``pstats``). Never used
outside the bench.
"""

from __future__ import annotations

import atexit
import cProfile
import os
import pstats
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from web.wsgi import app as served

OUT = Path(os.environ.get("KIEMDIEM_BENCH_PROFILE_DIR", "."))
_profiles: list[cProfile.Profile] = []
_mine = threading.local()
_guard = threading.Lock()


def _profile() -> cProfile.Profile:
    found: cProfile.Profile | None = getattr(_mine, "profile", None)
    if found is None:
        found = cProfile.Profile()
        _mine.profile = found
        with _guard:
            _profiles.append(found)
    return found


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
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
