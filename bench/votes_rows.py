"""Confidence-vote rows (issue 4 item 9): 500 voters × 15 leaders, 5 trustees, t = 3.

Ballot creation in Python and in Chromium (the booth's own module, served with its
import map); the server's checks at casting (§7.2, one ballot at a time); verify:
the standalone verifier's V1–V11 over the closed record, as every trustee runs it
before decrypting, on one process and on one per CPU (the ballot proofs in batches
on a process pool); tally: three partial decryptions with proofs, their checks and
the combination (the aggregate comes out of the verification).  Targets: verify +
tally ≤ 10 s (with the pool); one booth encryption ≤ 1 s.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from services import booth
from votes.ballot import encrypt_ballot, make_submission
from votes.group import base_mul
from votes.manifest import Leader
from votes.protocol import Election, ElectionSetup
from votes.tally import combine, partial_decrypt, verify_partial
from votes.trustee import verify_closed
from votes.verifier.ballots import default_jobs

ROOT = Path(__file__).resolve().parents[1]
LEADERS = 15
CHROMIUM = Path("/usr/bin/chromium")


def _election(voters: int) -> Election:
    leaders = [
        Leader(f"Lãnh đạo {i}", f"Chức vụ {i}", date(2020, 1, 1))
        for i in range(LEADERS)
    ]
    setup = ElectionSetup(
        leaders=leaders,
        trustees=5,
        threshold=3,
        convened=voters,
        present=voters,
        slip_count=voters,
    )
    election = Election(setup)
    election.run_ceremony()
    return election


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The benchmark table is the only output."""


def _chromium_ms(fingerprint: bytes, key: bytes, runs: int) -> float | None:
    """Milliseconds per 15-leader ballot encrypted by the booth module in Chromium."""
    if not CHROMIUM.exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    bundle = booth.bundle()
    import_map = json.loads(json.dumps(bundle.import_map))
    import_map["imports"] = {
        k: v.replace(booth.URL_BASE + "lib/", "/node_modules/")
        for k, v in import_map["imports"].items()
    }
    import_map.pop("integrity")
    page = (
        f'<script type="importmap">{json.dumps(import_map)}</script>'
        '<script type="module">import * as b from "/booth/kiemdiem-booth.js";'
        "window.booth = b; window.ready = true;</script>"
    )
    (ROOT / "booth" / ".bench.html").write_text(page, encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
            )
            tab = browser.new_page()
            tab.goto(f"http://127.0.0.1:{server.server_port}/booth/.bench.html")
            tab.wait_for_function("window.ready === true")
            elapsed: Any = tab.evaluate(
                """([fp, y, runs]) => {
                  const b = window.booth;
                  const Y = b.pointHex(y); const f = b.hexToBytes(fp);
                  const cred = new Uint8Array(32).fill(7);
                  const t0 = performance.now();
                  for (let i = 0; i < runs; i++)
                    b.encryptBallot(f, Y, cred, Array(15).fill(i % 3));
                  return (performance.now() - t0) / runs;
                }""",
                [fingerprint.hex(), key.hex(), runs],
            )
            browser.close()
            return float(elapsed)
    finally:
        server.shutdown()
        (ROOT / "booth" / ".bench.html").unlink(missing_ok=True)


def measure(scale: float, timed: Any, row: Any) -> list[Any]:
    voters = max(4, int(500 * scale))
    election = _election(voters)
    key = election.election_key
    assert key is not None
    fp = election.fingerprint
    slips = election.publish_credentials()
    election.record_attendance()
    election.void_unissued(voters)
    election.open_voting()
    submissions: list[bytes] = []

    def line(name: str, value: float, unit: str = "ms") -> Any:
        return row(name, value, unit, None, None)

    def create() -> int:
        for k, slip in enumerate(slips):
            opening = encrypt_ballot(fp, key, slip.credential_pub, [k % 3] * LEADERS)
            submissions.append(make_submission(slip.private_key, opening))
        return voters

    rows = [line(f"vote: Python ballots/s ({LEADERS} leaders)", timed(create), "/s")]
    # The server's checks at casting (§7.2), one ballot at a time as they arrive.
    start = time.perf_counter()
    for data in submissions:
        election.submit(data)
    cast_s = time.perf_counter() - start
    rows.append(
        line("vote: server check at casting, ms per ballot", cast_s * 1000 / voters)
    )
    election.close_voting()
    assert election.closing is not None
    record, head = election.export(), election.closing.event_hash
    # Verify: the standalone verifier's V1–V11 over the closed record, as each
    # trustee runs it before decrypting (the ballot proofs on a process pool).
    verify_s = {}
    for jobs in sorted({1, default_jobs()}):
        start = time.perf_counter()
        closed = verify_closed(record, head, jobs=jobs)
        verify_s[jobs] = time.perf_counter() - start
        rows.append(
            line(
                f"vote: verify record of {voters} ballots, {jobs} process(es), ms",
                verify_s[jobs] * 1000,
            )
        )
    # Tally: three partial decryptions with proofs, their checks, the combination.
    start = time.perf_counter()
    tally = closed.tally
    partials = {}
    for j in (1, 2, 3):
        partial = partial_decrypt(fp, j, election._key_share(j), tally)
        v_j = base_mul(election._key_share(j))  # what V_j is published as
        assert verify_partial(fp, j, v_j, tally, partial)
        partials[j] = partial
    counts = combine(tally, partials, [1, 2, 3], voters)
    tally_s = time.perf_counter() - start
    assert counts[0][0] == len(range(0, voters, 3))
    rows.append(line("vote: tally + decryption (t=3), ms", tally_s * 1000))
    best = verify_s[max(verify_s)]
    total = (best + tally_s) * 500 / voters
    rows.append(
        row(
            f"vote: verify ({max(verify_s)} proc.) + tally per 500 ballots, ms",
            total * 1000,
            "ms",
            None,
            10_000,
            True,
        )
    )
    ms = _chromium_ms(fp, key, runs=5)
    if ms is not None:
        rows.append(
            row(
                "vote: Chromium booth encryption of one ballot, ms",
                ms,
                "ms",
                None,
                1000,
                True,
            )
        )
    return rows
