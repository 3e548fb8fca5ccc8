"""`kiemdiem verify` over a log many chunks long, as at province scale.

With ``--jobs N`` the rows go in chunks to N - 1 worker processes and the main
process checks chunks itself whenever the workers have enough (ledger/verify_rows.py,
``RowPool``); a chunk's order-dependent checks run with their common case inline
(ledger/verify/verifier.py, ``_fast_rows``). Whatever process checked which chunk, the
report must be the one-process report, and a tampered row deep inside the log
must be named first with its consequences beneath it. Chunks are made tiny here
so that a small store spans many of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from ledger import verify_rows
from ledger.verify import Failure, Report
from ledger.verify import verifier as verify_pass

if TYPE_CHECKING:
    from tests.store.conftest import Review, Store

CHUNK = 4
REVIEWS = 8
COMMENTS = 4


class _CountingPool(verify_rows.RowPool):
    """The pool, counting the chunks the main process checked itself."""

    made: ClassVar[list[_CountingPool]] = []

    def __init__(self, jobs: int, origin: str) -> None:
        super().__init__(jobs, origin)
        self.inline = self.pooled = 0
        self.made.append(self)

    def results(self, chunks: Iterable[verify_rows.Chunk]) -> Iterator[Any]:
        yield from super().results(chunks)
        self.pooled = self.submitted
        self.inline = self.checked_here


@pytest.fixture
def many_chunks(monkeypatch: pytest.MonkeyPatch) -> list[_CountingPool]:
    monkeypatch.setattr(verify_pass, "CHUNK_ROWS", CHUNK)
    monkeypatch.setattr(verify_rows, "RowPool", _CountingPool)
    _CountingPool.made = []
    return _CountingPool.made


def _long_log(backend: Store) -> list[Review]:
    alice, bob = backend.new_signer(), backend.new_signer()
    backend.register(alice)
    backend.register(bob)
    reviews = [
        backend.open_review(
            (alice, bob)[i % 2],
            f"Hồ sơ {i}",
            [f"Ý kiến {i}.{j}" for j in range(COMMENTS)],
        )
        for i in range(REVIEWS)
    ]
    backend.integrate()
    return reviews


def _json(report: Report) -> list[dict[str, Any]]:
    return [f.to_json() for f in report.failures]


def _everything(report: Report) -> list[Failure]:
    return [item for f in report.failures for item in f.walk()]


def test_a_long_log_verifies_with_the_main_process_checking_chunks(
    backend: Store, many_chunks: list[_CountingPool]
) -> None:
    _long_log(backend)
    for jobs in (1, 2, 3):
        report = backend.verify(jobs=jobs)
        assert report.ok, _json(report)
        assert report.counts["events"] == 3 + REVIEWS * (1 + COMMENTS)
    one, two, three = many_chunks
    assert one.inline > 10  # no pool at --jobs 1
    assert one.pooled == 0
    # Both kinds of chunk were seen, so both paths are exercised below.
    for pooled in (two, three):
        assert pooled.pooled >= 1
        assert pooled.inline >= 1


def test_an_edited_row_deep_in_the_log_is_named_first(
    backend: Store, many_chunks: list[_CountingPool]
) -> None:
    reviews = _long_log(backend)
    assert backend.verify(jobs=2).ok
    late = reviews[-2]
    nid, state = backend.row(late.id, 3)
    backend.set_state(nid, state.replace("Ý kiến".encode(), b"Y kien", 1))
    # A second edit further on, in another chunk: listed after the first.
    later_nid, later_state = backend.row(reviews[-1].id, 2)
    backend.set_state(
        later_nid, later_state.replace("Ý kiến".encode(), "Ý kiến!".encode(), 1)
    )

    inline = backend.verify(jobs=1)
    for jobs in (2, 3):
        pooled = backend.verify(jobs=jobs)
        assert _json(pooled) == _json(inline)
    first = inline.first_failure
    assert first is not None
    assert (first.kind, first.notification_id, first.stream, first.version) == (
        "bad_signature",
        nid,
        str(late.id),
        3,
    )
    assert [(f.kind, f.notification_id) for f in inline.failures] == [
        ("bad_signature", nid),
        ("bad_signature", later_nid),
    ]
    next_nid = backend.row(late.id, 4)[0]
    beneath = {(c.kind, c.notification_id, c.version) for c in first.consequences}
    assert beneath == {("leaf_mismatch", nid, 3), ("chain_break", next_nid, 4)}


def test_a_deleted_row_deep_in_the_log_is_named_with_its_gap(
    backend: Store, many_chunks: list[_CountingPool]
) -> None:
    reviews = _long_log(backend)
    target = reviews[REVIEWS // 2]
    nid, _state = backend.row(target.id, 3)
    backend.tamper(f"DELETE FROM {backend.events} WHERE {backend.nid} = ?", (nid,))

    inline = backend.verify(jobs=1)
    for jobs in (2, 3):
        assert _json(backend.verify(jobs=jobs)) == _json(inline)
    found = {(f.kind, f.notification_id, f.version) for f in _everything(inline)}
    after = backend.row(target.id, 4)[0]
    assert ("version_gap", after, 4) in found
    assert ("leaf_extra", nid, None) in found
    assert not inline.ok


def test_replayed_rows_break_the_chain_where_they_stand(
    backend: Store, many_chunks: list[_CountingPool]
) -> None:
    """Two rows of one stream swapped, signatures intact: their columns no longer
    match their content, so they take the full per-row path among fast rows,
    and the chain goes on from them as in the one-process report."""
    reviews = _long_log(backend)
    target = reviews[3]
    (nid2, state2), (nid3, state3) = (
        backend.row(target.id, 2),
        backend.row(target.id, 3),
    )
    backend.set_state(nid2, state3)
    backend.set_state(nid3, state2)

    inline = backend.verify(jobs=1)
    assert _json(backend.verify(jobs=3)) == _json(inline)
    found = {(f.kind, f.notification_id) for f in _everything(inline)}
    assert ("version_gap", nid2) in found or ("chain_break", nid2) in found
    assert ("chain_break", nid3) in found
