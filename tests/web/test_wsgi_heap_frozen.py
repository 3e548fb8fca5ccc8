"""The WSGI entry point (``web.wsgi``) leaves what it loaded (modules, the app,
its compiled templates) out of the garbage collector's sight
(``gc.freeze``), so a full collection during a request walks only what requests
made."""

from __future__ import annotations

import gc
import runpy

from web import shutdown


def test_the_loaded_heap_is_frozen(store_dir, monkeypatch):
    monkeypatch.setenv("KIEMDIEM_SECRET_KEY", "x" * 40)
    gc.unfreeze()
    try:
        loaded = runpy.run_module("web.wsgi")
        try:
            frozen = gc.get_freeze_count()
            assert frozen > 10_000
            assert len(gc.get_objects(generation=2)) < frozen
        finally:
            shutdown(loaded["app"])
    finally:
        gc.unfreeze()
