"""Key pages of a built province, one page at a time, for two checkouts in turn:
``python -m bench.page_pair --store DIR --baseline OTHER_CHECKOUT [--page NAME]``.

The mixed workload of ``bench.province`` moves by ±10 % between runs of the same
code on a shared machine, more than a change to a few of its 15 pages makes. Here
each code serves the store in turn (one gunicorn worker, as production runs it
otherwise), and one signed-in session reads one page for ``--seconds``, hundreds of
requests, then the next page; the two codes alternate ``--rounds`` times. Printed
per page and code: wall ms, and the server's and PostgreSQL's CPU ms a request
(``bench.province.Server``). Bounded: 127.0.0.1, one session, a time per page.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.province import ROOT, Page, Server, key_pages, serving
from bench.province_client import Client, sign_in
from bench.province_store import environment

WARM_UP = 30  # requests before a page is timed


def timed(server: Server, client: Client, page: Page, seconds: float) -> str:
    """One page read over and over for ``seconds``: its figures a request."""
    for _ in range(WARM_UP):
        client.get(page.path)
    cpu, postgres = server.cpu(), server.postgres_cpu()
    began = time.perf_counter()
    count = 0
    while time.perf_counter() - began < seconds:
        client.get(page.path)
        count += 1
    wall = 1000 * (time.perf_counter() - began) / count
    server_ms = 1000 * (server.cpu() - cpu) / count
    after = server.postgres_cpu()
    pg = (
        "–"
        if postgres is None or after is None
        else f"{1000 * (after - postgres) / count:.2f}"
    )
    return f"{count} | {wall:.2f} | {server_ms:.2f} | {pg}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_pair")
    parser.add_argument("--store", type=Path, required=True, help="a built province")
    parser.add_argument("--baseline", type=Path, required=True, help="other checkout")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--backend", default="postgres")
    parser.add_argument("--page", action="append", help="a key page's name (repeat)")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    store = args.store.resolve()
    pages = {p.name: p for p in key_pages(args.members, args.seed)}
    wanted = args.page or list(pages)
    unknown = [name for name in wanted if name not in pages]
    if unknown:
        parser.error(
            f"no key page named {', '.join(unknown)}; one of {', '.join(pages)}"
        )
    env = environment(store, args.backend, args.members, args.seed)
    print(
        "| round | code | page | requests | wall ms "
        "| server CPU ms | PostgreSQL CPU ms |"
    )
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: |")
    for n in range(args.rounds):
        for code in (args.baseline.resolve(), ROOT):
            with serving(dict(env, PYTHONPATH=str(code)), 1, None, code=code) as server:
                sessions = sign_in(server.port, store)
                for name in wanted:
                    client = Client(server.port, sessions[pages[name].role])
                    try:
                        figures = timed(server, client, pages[name], args.seconds)
                    finally:
                        client.close()
                    print(f"| {n + 1} | {code} | {name} | {figures} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
