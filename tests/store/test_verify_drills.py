"""Tamper drills for `kiemdiem verify` (ledger.md §11 items 2–8 and 14).

Each drill plays the DBA adversary with plain SQL on the real backend, and first
asserts that verify passes on the untampered store, so that every test can fail.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from ledger import envelope
from ledger.errors import KeyNotValidError
from ledger.signing import signing_as
from ledger.verify import KINDS, Failure, Report

if TYPE_CHECKING:
    from tests.store.conftest import Store, World


def everything(report: Report) -> list[Failure]:
    return [item for f in report.failures for item in f.walk()]


def located(report: Report) -> set[tuple[str, int | None]]:
    return {(f.kind, f.notification_id) for f in everything(report)}


def assert_clean(report: Report) -> None:
    assert report.ok, [f.to_json() for f in report.failures]
    assert report.exit_code == 0
    assert report.failures == []
    assert all(c.status == "OK" for c in report.checks), report.checks


def content_of(state: bytes) -> envelope.Content:
    return envelope.parse_content(envelope.unpack(state).content)


def test_untampered_store_verifies(world: World, backend: Store) -> None:
    note = backend.checkpoint()
    report = backend.verify(checkpoints=[note])
    assert_clean(report)
    assert report.counts == {
        "events": 10,
        "streams": 5,  # three key streams and two review files
        "keys": 3,
        "checkpoints": 2,  # the stored one and the auditor's copy
        "cosignatures": 0,
    }
    assert report.latest_verified_checkpoint == note.decode()
    assert {c.name for c in report.checks} >= {"rows", "signatures", "global_log"}


def test_parallel_signature_checks_find_the_same_failure(
    world: World, backend: Store
) -> None:
    assert_clean(backend.verify(jobs=2))
    nid, state = backend.row(world.r2.id, 2)
    backend.set_state(nid, state.replace("Cần".encode(), "Cấn".encode()))
    inline, pooled = backend.verify(jobs=1), backend.verify(jobs=2)
    assert [f.to_json() for f in pooled.failures] == [
        f.to_json() for f in inline.failures
    ]
    assert pooled.first_failure is not None
    assert pooled.first_failure.kind == "bad_signature"


# -- item 2: edit one row --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("Ý kiến thứ hai", "Ý kiến thứ ba", id="comment-character"),
        pytest.param('"rating":2', '"rating":5', id="rating"),
    ],
)
def test_item2_edit_one_row(world: World, backend: Store, old: str, new: str) -> None:
    auditor = backend.checkpoint()
    assert_clean(backend.verify(checkpoints=[auditor]))
    nid, state = backend.row(world.r1.id, 3)
    assert old.encode() in state
    backend.set_state(nid, state.replace(old.encode(), new.encode(), 1))

    report = backend.verify(checkpoints=[auditor])

    assert report.exit_code == 1
    first = report.first_failure
    assert first is not None
    assert (first.kind, first.notification_id, first.stream, first.version) == (
        "bad_signature",
        nid,
        str(world.r1.id),
        3,
    )
    # Everything else is a consequence, listed beneath the edited row.
    assert [f.kind for f in report.failures] == ["bad_signature"]
    next_nid = backend.row(world.r1.id, 4)[0]
    beneath = {(c.kind, c.notification_id, c.version) for c in first.consequences}
    assert ("leaf_mismatch", nid, 3) in beneath
    assert ("chain_break", next_nid, 4) in beneath
    assert ("checkpoint_root_mismatch", None, None) in beneath
    statuses = {c.name: c.status for c in report.checks}
    assert statuses["signatures"] == statuses["streams"] == "FAIL"
    assert statuses["global_log"] == statuses["auditor_checkpoints"] == "FAIL"
    assert statuses["rows"] == statuses["keys"] == "OK"


# -- item 3: edit and re-sign with an unregistered key ---------------------------------


def test_item3_resigned_with_unregistered_key(world: World, backend: Store) -> None:
    assert_clean(backend.verify())
    nid, state = backend.row(world.r1.id, 3)
    original = content_of(state)
    mallory = backend.new_signer(world.alice.actor)  # claims to be alice, own key
    body = dict(original.body, text="Không hoàn thành nhiệm vụ")
    forged = backend.forge(
        world.alice,
        world.r1.id,
        3,
        original.topic,
        body,
        key=mallory.private_key,
        ts=datetime.strptime(original.ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
    )
    backend.set_state(nid, forged)

    report = backend.verify()

    assert report.exit_code == 1
    first = report.first_failure
    assert first is not None
    assert (first.kind, first.notification_id, first.version) == ("unknown_key", nid, 3)
    assert mallory.key_id.hex() in first.detail
    assert [f.kind for f in report.failures] == ["unknown_key"]
    assert {c.kind for c in first.consequences} == {"leaf_mismatch", "chain_break"}


# -- item 4: delete the last event -----------------------------------------------------


def test_item4_delete_last_event(world: World, backend: Store) -> None:
    auditor = backend.checkpoint()  # the committee keeps this note
    size = len(backend.rows())
    assert_clean(backend.verify(checkpoints=[auditor]))
    last = backend.rows()[-1][0]
    # The DBA removes the event, its leaf and the stored checkpoints covering it,
    # so the store is consistent with itself again.
    backend.tamper(f"DELETE FROM {backend.events} WHERE {backend.nid} = ?", (last,))
    leaves, checkpoints = (
        backend.table("ledger_leaves"),
        backend.table("ledger_checkpoints"),
    )
    backend.tamper(f"DELETE FROM {leaves} WHERE notification_id = ?", (last,))
    backend.tamper(f"DELETE FROM {checkpoints} WHERE size >= ?", (size,))

    with_checkpoint = backend.verify(checkpoints=[auditor])
    assert with_checkpoint.exit_code == 1
    assert [f.kind for f in with_checkpoint.failures] == ["log_shorter_than_checkpoint"]
    first = with_checkpoint.first_failure
    assert first is not None
    assert first.index == size
    assert f"{size - 1} events, fewer than the {size}" in first.detail
    assert first.evidence == [auditor.decode()]

    # The documented limit (ledger.md §1): without a checkpoint held outside the
    # operator's control, truncation of the tail is not detectable.
    assert_clean(backend.verify())


# -- item 5: delete a middle event -----------------------------------------------------


def test_item5_delete_middle_event(world: World, backend: Store) -> None:
    early = backend.checkpoint()
    backend.comment(world.bob, world.r2, "Thêm một ý kiến")
    backend.integrate()
    late = backend.checkpoint()
    assert_clean(backend.verify(checkpoints=[early, late]))
    nid, _ = backend.row(world.r1.id, 2)
    index = [r[0] for r in backend.rows()].index(nid)
    backend.tamper(f"DELETE FROM {backend.events} WHERE {backend.nid} = ?", (nid,))

    report = backend.verify(checkpoints=[early])

    assert report.exit_code == 1
    assert report.first_failure is not None
    first = report.first_failure
    assert (first.kind, first.index, first.notification_id) == (
        "leaf_extra",
        index,
        nid,
    )
    gap = [f for f in everything(report) if f.kind == "version_gap"]
    assert [(f.stream, f.version) for f in gap] == [(str(world.r1.id), 3)]
    assert "version 2 missing" in gap[0].detail
    # The root no longer matches any checkpoint covering the deleted event.
    beneath = {(c.kind, c.index) for c in first.consequences}
    early_size = int(early.decode().split("\n")[1])
    late_size = int(late.decode().split("\n")[1])
    assert ("checkpoint_root_mismatch", early_size) in beneath
    assert ("log_shorter_than_checkpoint", late_size) in beneath


# -- item 6: reorder -------------------------------------------------------------------


def test_item6_swap_payloads(world: World, backend: Store) -> None:
    auditor = backend.checkpoint()
    assert_clean(backend.verify(checkpoints=[auditor]))
    a, state_a = backend.row(world.r1.id, 2)
    b, state_b = backend.row(world.r1.id, 3)
    backend.set_state(a, state_b)
    backend.set_state(b, state_a)

    report = backend.verify(checkpoints=[auditor])

    assert report.exit_code == 1
    first = report.first_failure
    assert first is not None
    assert (first.kind, first.notification_id) == ("position_mismatch", a)
    assert "originator_version column is 2" in first.detail
    found = located(report)
    assert {("position_mismatch", a), ("position_mismatch", b)} <= found
    assert {("leaf_mismatch", a), ("leaf_mismatch", b)} <= found
    assert "chain_break" in {f.kind for f in everything(report)}
    assert "checkpoint_root_mismatch" in {f.kind for f in everything(report)}


def test_item6_swap_notification_ids(world: World, backend: Store) -> None:
    auditor = backend.checkpoint()
    assert_clean(backend.verify(checkpoints=[auditor]))
    a, _ = backend.row(world.r1.id, 2)
    b, _ = backend.row(world.r1.id, 3)
    index = [r[0] for r in backend.rows()].index(a)
    events, nid = backend.events, backend.nid
    backend.tamper(f"UPDATE {events} SET {nid} = ? WHERE {nid} = ?", (-7, a))
    backend.tamper(f"UPDATE {events} SET {nid} = ? WHERE {nid} = ?", (a, b))
    backend.tamper(f"UPDATE {events} SET {nid} = ? WHERE {nid} = ?", (b, -7))
    assert backend.row(world.r1.id, 3)[0] == a

    report = backend.verify(checkpoints=[auditor])

    assert report.exit_code == 1
    first = report.first_failure
    assert first is not None
    assert (first.index, first.notification_id) == (index, a)  # first bad position
    found = located(report)
    assert ("version_gap", a) in found  # version 3 arrives before version 2
    assert ("chain_break", b) in found  # version 2 arrives after version 3
    assert {("leaf_mismatch", a), ("leaf_mismatch", b)} <= found
    assert ("checkpoint_root_mismatch", None) in found


def test_item6_swap_ids_across_streams(world: World, backend: Store) -> None:
    auditor = backend.checkpoint()
    assert_clean(backend.verify(checkpoints=[auditor]))
    a, _ = backend.row(world.r1.id, 4)
    b, _ = backend.row(world.r2.id, 1)
    events, nid = backend.events, backend.nid
    backend.tamper(f"UPDATE {events} SET {nid} = ? WHERE {nid} = ?", (-7, a))
    backend.tamper(f"UPDATE {events} SET {nid} = ? WHERE {nid} = ?", (a, b))
    backend.tamper(f"UPDATE {events} SET {nid} = ? WHERE {nid} = ?", (b, -7))

    report = backend.verify(checkpoints=[auditor])

    assert report.exit_code == 1
    assert report.first_failure is not None
    assert report.first_failure.notification_id == a
    found = located(report)
    assert {("leaf_mismatch", a), ("leaf_mismatch", b)} <= found
    assert ("checkpoint_root_mismatch", None) in found


# -- item 7: wholesale rewrite with the real log key -----------------------------------


def _rewrite(backend: Store, comments: list[str]) -> None:
    """Wipe every evidence table and write another history with the real keys."""
    for name in ("ledger_leaves", "ledger_checkpoints", "ledger_alerts"):
        backend.tamper(f"DELETE FROM {backend.table(name)}")
    backend.tamper(f"DELETE FROM {backend.events}")
    backend.reopen()
    backend.register(backend.admin, role="admin")
    alice = backend.new_signer()
    backend.register(alice)
    review = backend.new_review("Nguyễn Văn An")
    for text in comments:
        review.add_comment(text, 5)
    with signing_as(alice):
        backend.app.save(review)
    backend.integrate()


def test_item7_rewrite_contradicts_checkpoint(world: World, backend: Store) -> None:
    a = backend.checkpoint()
    assert_clean(backend.verify(checkpoints=[a]))
    _rewrite(backend, ["Xuất sắc"] * 12)
    b = backend.checkpoint()
    assert_clean(backend.verify(checkpoints=[b]))  # consistent with itself

    report = backend.verify(checkpoints=[a, b])

    assert report.exit_code == 1
    causes = [f.kind for f in report.failures]
    assert causes == ["checkpoint_inconsistent"]
    failure = report.failures[0]
    assert failure.evidence == [a.decode(), b.decode()]
    assert [c.kind for c in failure.consequences] == ["checkpoint_root_mismatch"]
    assert report.latest_verified_checkpoint == b.decode()


def test_item7_equivocation(world: World, backend: Store) -> None:
    a = backend.checkpoint()
    size = len(backend.rows())
    assert_clean(backend.verify(checkpoints=[a]))
    _rewrite(backend, ["Xuất sắc"] * (size - 3))  # genesis, alice's key, Opened
    assert len(backend.rows()) == size
    b = backend.checkpoint()
    assert a != b

    report = backend.verify(checkpoints=[a])

    assert report.exit_code == 1
    equivocation = [f for f in everything(report) if f.kind == "equivocation"]
    assert len(equivocation) == 1
    assert equivocation[0].index == size
    assert sorted(equivocation[0].evidence) == sorted([a.decode(), b.decode()])
    statuses = {c.name: c.status for c in report.checks}
    assert statuses["auditor_checkpoints"] == "FAIL"


# -- item 8: revoked key ---------------------------------------------------------------


@pytest.mark.parametrize(
    "ts",
    [
        pytest.param(None, id="now"),
        pytest.param(datetime(2001, 1, 1, tzinfo=UTC), id="back-dated"),
    ],
)
def test_item8_revoked_key(world: World, backend: Store, ts: datetime | None) -> None:
    carol = backend.new_signer()
    backend.register(carol)
    review = backend.open_review(carol, "Lê Văn Cường", ["Trước khi thu hồi"])
    backend.revoke(carol)
    revoked_at = backend.rows()[-1][0]
    assert backend.rows()[-1][3].endswith("KeyRevoked")
    before = [backend.row(review.id, v)[0] for v in (1, 2)]
    backend.integrate()
    assert_clean(backend.verify())

    topic = backend.rows()[-2][3]
    state = backend.forge(
        carol, review.id, 3, topic, {"text": "Sau", "rating": 1}, ts=ts
    )
    nid = backend.insert_event(review.id, 3, topic, state)
    backend.integrate()

    report = backend.verify()

    assert report.exit_code == 1
    assert [(f.kind, f.notification_id) for f in report.failures] == [
        ("key_revoked", nid)
    ]
    assert f"revoked at {revoked_at}" in report.failures[0].detail
    # Events signed before the revocation still verify.
    assert not {f.notification_id for f in everything(report)} & set(before)


# -- item 14: revoked key at append time and forced in by SQL --------------------------


def test_item14_revoked_key_at_append_time(world: World, backend: Store) -> None:
    backend.revoke(world.bob)
    backend.integrate()
    assert_clean(backend.verify())
    rows = backend.rows()

    with pytest.raises(KeyNotValidError):
        backend.comment(world.bob, world.r2, "Ký bằng khóa đã thu hồi")
    assert backend.rows() == rows  # nothing stored

    topic = _topic(backend, world)
    body = {"text": "Ép vào bằng SQL", "rating": 1}
    state = backend.forge(world.bob, world.r2.id, 3, topic, body)
    nid = backend.insert_event(world.r2.id, 3, topic, state)
    backend.integrate()

    alerts = [(a.kind, a.notification_id) for a in backend.integrator.alerts()]
    assert ("key_revoked", nid) in alerts
    report = backend.verify()
    assert report.exit_code == 1
    assert [(f.kind, f.notification_id, f.version) for f in report.failures] == [
        ("key_revoked", nid, 3)
    ]


def _topic(backend: Store, world: World) -> str:
    return [r[3] for r in backend.rows() if r[1] == world.r2.id][-1]


def test_kinds_are_the_stable_identifiers() -> None:
    assert len(KINDS) == len(set(KINDS)) == 25
    assert {"bad_signature", "prefix_rewritten", "equivocation"} <= set(KINDS)


# -- the evidence tables themselves ---------------------------------------------------


def test_edited_leaves_and_checkpoints(world: World, backend: Store) -> None:
    stored = backend.checkpoint()
    assert_clean(backend.verify())
    leaves = backend.table("ledger_leaves")
    checkpoints = backend.table("ledger_checkpoints")
    nid, _ = backend.row(world.r2.id, 1)
    backend.tamper(f"UPDATE {leaves} SET leaf_hash = ? WHERE idx = 2", (b"\1" * 32,))
    backend.tamper(f"DELETE FROM {leaves} WHERE notification_id = ?", (nid,))
    backend.tamper(f"UPDATE {leaves} SET idx = 20 WHERE idx = 9")
    text = stored.decode().replace("\n10\n", "\n11\n")
    backend.tamper(f"UPDATE {checkpoints} SET note = ?", (text,))

    report = backend.verify()

    assert report.exit_code == 1
    found = {(f.kind, f.index) for f in everything(report)}
    rows = [r[0] for r in backend.rows()]
    assert ("leaf_mismatch", 2) in found
    assert ("leaf_missing", rows.index(nid)) in found
    assert ("index_not_dense", 9) in found
    assert ("checkpoint_bad_signature", 10) in found
    assert report.latest_verified_checkpoint is None
    # Events themselves are intact.
    statuses = {c.name: c.status for c in report.checks}
    assert statuses["rows"] == statuses["signatures"] == statuses["streams"] == "OK"


def test_event_replayed_from_another_deployment(world: World, backend: Store) -> None:
    backend.integrate()
    assert_clean(backend.verify())
    topic = [r[3] for r in backend.rows() if r[1] == world.r2.id][-1]
    body = {"text": "Từ một đảng bộ khác", "rating": 4}
    state = backend.forge(
        world.bob, world.r2.id, 3, topic, body, log="kiemdiem.test/noi-khac"
    )
    nid = backend.insert_event(world.r2.id, 3, topic, state)
    backend.integrate()

    report = backend.verify()

    assert [(f.kind, f.notification_id) for f in report.failures] == [
        ("wrong_origin", nid)
    ]


def test_genesis_must_register_the_trust_root_admin_keys(
    world: World, backend: Store
) -> None:
    assert_clean(backend.verify())
    first = backend.rows()[0][0]
    backend.tamper(f"DELETE FROM {backend.events} WHERE {backend.nid} = ?", (first,))
    leaves = backend.table("ledger_leaves")
    backend.tamper(f"DELETE FROM {leaves}")

    report = backend.verify()

    assert report.exit_code == 1
    genesis = [f for f in everything(report) if f.check == "genesis"]
    assert [f.kind for f in genesis] == ["unauthorised_key_event"]
    assert "genesis" in genesis[0].detail
