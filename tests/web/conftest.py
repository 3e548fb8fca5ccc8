"""Fixtures of the web tests beyond tests/conftest.py: the two-district world of
the route matrix (one store for the whole session)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SECRET_KEY, _environment
from tests.web.matrix_world import build


@contextlib.contextmanager
def _matrix_world(seeded_store, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """A copy of the seed with the second district and the targets, and its app."""
    from services.app import Kiemdiem
    from web import create_app, shutdown

    template, world = seeded_store
    root = tmp_path_factory.mktemp("matrix") / "store"
    shutil.copytree(template, root)
    # The environment names the store only while the app is made (it keeps its
    # settings), so other tests never see it.
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, root)
        from ledger.config import settings_from_environ

        builder = Kiemdiem(settings_from_environ())
        try:
            inside, outside = build(builder, world)
        finally:
            builder.close()
        app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY})
    try:
        yield {"app": app, "in": inside, "out": outside, "world": world}
    finally:
        shutdown(app)


@pytest.fixture(scope="session")
def matrix(seeded_store, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """One store for the whole matrix: the seed, the second district, targets."""
    with _matrix_world(seeded_store, tmp_path_factory) as found:
        yield found


@pytest.fixture
def writable_matrix(seeded_store, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The matrix's world in a store of its own, for a test that writes to it."""
    with _matrix_world(seeded_store, tmp_path_factory) as found:
        yield found
