"""gunicorn settings: ``gunicorn --config=gunicorn.conf.py web.wsgi:app``.

One worker process per core, threads inside each: a page spends most of its time
waiting on PostgreSQL, and processes spread the Python work over the cores.
``WEB_CONCURRENCY`` (workers) and ``GUNICORN_THREADS`` override the defaults.

Each worker opens its own connection pools (the ledger's and one for every view)
and holds the signing keys unlocked by the sign-ins it served; no ``--preload``,
so no connection is shared across a fork.
"""

from __future__ import annotations

import os


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 1:
        msg = f"{name} must be a positive whole number, not {raw!r}"
        raise ValueError(msg)
    return value


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _positive("WEB_CONCURRENCY", _cores())
threads = _positive("GUNICORN_THREADS", 8)
worker_class = "gthread"
preload_app = False
# A command may wait up to KIEMDIEM's read-your-writes bound for the worker.
timeout = 60
graceful_timeout = 30
accesslog = "-"
