"""Stores and workloads shared by the benchmarks."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from ledger.app import LedgerApplication
from ledger.config import Settings, settings_from_environ
from ledger.envelope import key_id_for
from ledger.keyring import TrustedAdminKey
from ledger.keys import public_key_raw, register_key
from ledger.signing import Signer, signing_as
from ledger.trustroot import make_trust_root

PG = "host=127.0.0.1 port=5432 dbname=test user=postgres"
ORIGIN = "kiemdiem.bench/x"


class Note(Aggregate):
    """A toy aggregate whose events look like a review comment (~280 B body)."""

    @event("Written")
    def __init__(self, author: str, text: str) -> None:
        self.author = author
        self.text = text

    @event("Amended")
    def amend(self, text: str) -> None:
        self.text = text


TEXT = (
    "Đồng chí cần khắc phục hạn chế trong việc thực hiện nhiệm vụ được giao, "
    "nâng cao tinh thần tự phê bình và phê bình."
)


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG):
            return True
    except psycopg.OperationalError:
        return False


@dataclass
class Store:
    settings: Settings
    trust_root: dict[str, object]
    signer: Signer
    log_key: Ed25519PrivateKey
    schema: str | None = None


@contextmanager
def store(backend: str) -> Iterator[Store]:
    """A fresh empty store with an admin key registered, on a temp file or schema."""
    admin = Ed25519PrivateKey.generate()
    log_key = Ed25519PrivateKey.generate()
    actor = f"u:{uuid.uuid4()}"
    raw = public_key_raw(admin)
    root = make_trust_root(
        ORIGIN,
        [log_key.public_key()],
        [TrustedAdminKey(actor, key_id_for(raw).hex(), raw)],
    )
    with tempfile.TemporaryDirectory() as tmp:
        schema = None
        if backend == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        else:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            url = f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}"
        env = dict(os.environ, KIEMDIEM_INSTANCE_DIR=tmp, KIEMDIEM_PROJECTIONS="inline")
        settings = settings_from_environ(env, url)
        signer = Signer(actor, admin)
        app = LedgerApplication(settings, root)
        try:
            app.create_tables()
            with signing_as(signer):
                app.save(register_key(admin, actor, "admin"))
        finally:
            app.close()
        try:
            yield Store(settings, root, signer, log_key, schema)
        finally:
            if schema is not None:
                with psycopg.connect(PG, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def plain_application(
    backend: str, tmp: str
) -> tuple[Application[uuid.UUID], str | None]:
    """The library without signing, on the same backend, as the baseline."""
    if backend == "sqlite":
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(Path(tmp) / "plain.db"),
        }
        return Application(env=env), None
    schema = f"plain_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": "test",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": "5432",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": schema,
    }
    return Application(env=env), schema


def drop_schema(schema: str | None) -> None:
    if schema is not None:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
