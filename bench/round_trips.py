"""Round trips to PostgreSQL per key page (issue 14), from libpq's protocol trace.

The app runs in this process (Flask's test client, no network) on a province
the province bench built (``python -m bench.province --store DIR``); every
connection any of the app's pools lends is traced while a page is served, and
the client's messages are counted: each ``Sync`` (extended protocol) or simple
``Query`` is one round trip; ``BEGIN``/``SET``/``ROLLBACK``/``COMMIT``/
``DEALLOCATE`` are the transaction-control ones among them.

    python -m bench.round_trips --store /tmp/pages10k/pg2k [--members 2000]
"""

from __future__ import annotations

import argparse
import html
import os
import secrets
import sys
from collections import Counter
from pathlib import Path

from bench.pg_trace import CONTROL, Trace, lending_traced
from bench.province import key_pages
from bench.province_client import CSRF
from bench.province_store import environment


def install(trace: Trace) -> None:
    """Trace every connection the PostgreSQL datastores lend while ``trace.on``."""
    from eventsourcing import postgres

    lend = postgres.PostgresDatastore.get_connection
    postgres.PostgresDatastore.get_connection = lending_traced(lend, trace)  # type: ignore[assignment,method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.round_trips")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--show", default=None, help="print what this page sends")
    args = parser.parse_args(argv)
    store = args.store.resolve()
    env = environment(store, "postgres", args.members, args.seed)
    env["KIEMDIEM_SECRET_KEY"] = secrets.token_urlsafe(32)
    os.environ.update(env)
    traced = Trace(on=False)
    install(traced)
    from web import create_app

    app = create_app()
    app.config["SERVER_NAME"] = "127.0.0.1"
    clients = {}
    for line in (store / "demo-accounts.txt").read_text().splitlines():
        username, _role, password = line.split("\t")
        client = app.test_client()
        form_page = client.get("/auth/login").get_data(as_text=True)
        found = CSRF.search(form_page)
        if found is None:
            raise RuntimeError("no login form")
        form = {
            "csrf_token": html.unescape(found.group(1)),
            "username": username,
            "password": password,
        }
        client.post("/auth/login", data=form)
        clients[username] = client
    print(
        "| page | status | round trips | BEGIN | SET | ROLLBACK | COMMIT | "
        "DEALLOCATE | prepared runs |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for page in key_pages(args.members, args.seed):
        client = clients[page.role]
        client.get(page.path)  # warm
        counts: Counter[str] = Counter()
        status = 0
        for _ in range(args.repeat):
            traced.lines, traced.on = [], True
            status = client.get(page.path).status_code
            traced.on = False
            counts = traced.counts()  # the last (warm) request
        if args.show == page.name:
            print("\n".join(line for line in traced.lines if line.startswith("F")))
        cells = [counts[k] for k in ("round trips", *CONTROL, "prepared runs")]
        print(f"| {page.name} | {status} | " + " | ".join(map(str, cells)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
