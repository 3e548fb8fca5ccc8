"""The province bench's store: its environment, its build and its statistics.

``build`` runs ``kiemdiem init`` and ``kiemdiem demo --province`` into a store
directory (and its own PostgreSQL schema), unless the directory already holds
that province, then ``analyse``s it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN_PASSWORD = "bench-admin-password"  # noqa: S105 - a throwaway local store
BIN = Path(sys.executable).parent


def environment(store: Path, backend: str, members: int, seed: int) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("KIEMDIEM_PROJECTIONS", None)
    env.update(
        KIEMDIEM_INSTANCE_DIR=str(store),
        KIEMDIEM_ADMIN_PASSWORD=ADMIN_PASSWORD,
        KIEMDIEM_SECRET_KEY=secrets.token_urlsafe(32),
        # Many signed-in sessions from one address: no sign-in pause.
        KIEMDIEM_LOGIN_ADDRESS_FAILURE_LIMIT="100000",
    )
    if backend == "postgres":
        # One schema per store directory: two stores never share (or drop) one.
        tag = hashlib.sha256(str(store).encode()).hexdigest()[:8]
        schema = f"bench_province_{members}_{seed}_{tag}"
        env["KIEMDIEM_DATABASE_URL"] = f"{PG_SERVER}?schema={schema}"
    else:
        env["KIEMDIEM_DATABASE_URL"] = f"sqlite:///{store}/kiemdiem.db"
    return env


def build(store: Path, env: dict[str, str], members: int, seed: int) -> None:
    """``kiemdiem init`` and ``kiemdiem demo --province``, unless DIR already
    holds this province."""
    marker = store / "bench-province.json"
    wanted = {"members": members, "seed": seed, "url": env["KIEMDIEM_DATABASE_URL"]}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        print(f"reusing the province in {store}", flush=True)
        return
    if env["KIEMDIEM_DATABASE_URL"].startswith("postgresql"):
        drop_schema(env["KIEMDIEM_DATABASE_URL"].split("schema=", 1)[1])
    for child in store.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    kiemdiem = str(BIN / "kiemdiem")
    # A bench store: the log key's passphrase from the environment, as outside the
    # demo it must (never a file beside the key).
    env.setdefault("KIEMDIEM_LOG_KEY_PASSPHRASE", "bench-province-log-key")
    subprocess.run([kiemdiem, "init"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    start = time.perf_counter()
    command = [kiemdiem, "demo", "--province", "--members", str(members)]
    subprocess.run(  # noqa: S603
        [*command, "--seed", str(seed)],
        env=env,
        check=True,
    )
    print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
    analyse(env["KIEMDIEM_DATABASE_URL"])
    marker.write_text(json.dumps(wanted))


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres") as db:
        db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def analyse(url: str) -> None:
    """``VACUUM (ANALYZE)`` every table of the store's PostgreSQL schema.

    Production runs autovacuum; this machine's server has it off
    (``autovacuum = off``), so a freshly built province had no planner
    statistics and its views' tables carried the build's dead rows: PostgreSQL
    guessed 1,507 rows for 249,237 and scanned 400,000 dead ones (the round page
    took 240 ms for 2 ms of work). A SQLite store needs nothing here.
    """
    if not url.startswith("postgresql"):
        return
    import psycopg

    schema = url.split("schema=", 1)[1]
    conninfo = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(conninfo, autocommit=True) as db:
        tables = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            db.execute(f'VACUUM (ANALYZE) "{schema}"."{table}"')
