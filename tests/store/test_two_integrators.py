"""Several integrators on one store (issue 11, deliverable 4): each takes in the
leaves another appended instead of colliding on ``ledger_leaves.idx``, and
checkpoints signed by either stay consistent; on both backends."""

from __future__ import annotations

import threading

from ledger.app import LedgerApplication
from ledger.integrator import Integrator
from tests.store.conftest import Store, World


def _second_process(backend: Store) -> tuple[LedgerApplication, Integrator]:
    """Another process's application and integrator on the same database."""
    app = LedgerApplication(backend.settings, backend.trust_root)
    return app, Integrator(app)


def test_integrators_take_in_each_others_leaves(world: World, backend: Store) -> None:
    first = backend.integrator
    other_app, second = _second_process(backend)
    try:
        assert first.size == second.size > 0
        backend.comment(world.alice, world.r1, "một")
        assert second.catch_up() == 1
        backend.comment(world.bob, world.r2, "hai")
        backend.comment(world.alice, world.r1, "ba")
        # The first integrator is two leaves behind the stored log: before, this
        # raised "UNIQUE constraint failed: ledger_leaves.idx".
        assert first.catch_up() == 2
        assert second.catch_up() == 0
        assert first.size == second.size
        assert first._range.root() == second._range.root()
        one = first.issue_checkpoint([backend.log_signer])
        backend.comment(world.bob, world.r2, "bốn")
        two = second.issue_checkpoint([backend.log_signer])
        assert two.size == one.size + 1
        # The first sees the other's leaf and checkpoint, and signs nothing twice.
        assert first.issue_checkpoint([backend.log_signer]) == two
    finally:
        other_app.close()
    report = backend.verify()
    assert report.ok, report.first_failure


def test_integrators_in_threads_race_without_error(
    world: World, backend: Store
) -> None:
    apps = [_second_process(backend) for _ in range(3)]
    errors: list[BaseException] = []

    def integrate(integrator: Integrator) -> None:
        try:
            for _ in range(5):
                integrator.catch_up()
        except BaseException as exc:
            errors.append(exc)

    try:
        for i in range(6):
            backend.comment(world.alice, world.r1, f"ý kiến {i}")
        threads = [threading.Thread(target=integrate, args=(i,)) for _, i in apps]
        for thread in threads:
            thread.start()
        for i in range(6):
            backend.comment(world.bob, world.r2, f"góp ý {i}")
        for thread in threads:
            thread.join(120)
        assert errors == []
        backend.integrate()
        for _, integrator in apps:
            integrator.catch_up()
        sizes = {integrator.size for _, integrator in apps}
        assert sizes == {backend.integrator.size}
    finally:
        for app, _ in apps:
            app.close()
    report = backend.verify()
    assert report.ok, report.first_failure
