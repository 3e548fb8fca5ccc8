"""A five-year history (services.demo_history) generated once per backend and
session: the generator drives a few hundred signed commands, so the tests that
read it share one store (they may add awards, never change the ratings).

The store's settings come from an explicit environment (nothing leaks into the
process's); only the cheap Argon2 cost is set in the process while generating.
"""

import os
import uuid

import pytest

from ledger.config import settings_from_environ
from services.app import Kiemdiem
from services.demo_history import generate_history
from services.setup import initialise
from tests.service.conftest import PG_BASE, _drop_schema, postgres_available

ADMIN_PASSWORD = "mat-khau-quan-tri"


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def history_store(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("history")
    environ = {"KIEMDIEM_INSTANCE_DIR": str(tmp / "instance")}
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp}/kiemdiem.db"
    else:
        if not postgres_available():
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL on 127.0.0.1:5432 is required in CI")
            pytest.skip("PostgreSQL on 127.0.0.1:5432 is not running")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        environ["KIEMDIEM_PROJECTIONS"] = "inline"
        url = f"{PG_BASE}?schema={schema}"
    settings = settings_from_environ(environ, url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", "1024")
        initialise(
            settings,
            origin="kiemdiem.test/tinh-uy",
            admin_username="admin",
            admin_full_name="Quản trị hệ thống",
            admin_password=ADMIN_PASSWORD,
            demo=True,  # the generated log key passphrase beside the key
        )
        app = Kiemdiem(settings)
        admin = app.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        history = generate_history(app, admin.signer)
    yield app, history, admin
    app.close()
    if schema is not None:
        _drop_schema(schema)
