"""The integrator: appends every event to the global Merkle log and issues
checkpoints (ledger.md §6.2–§6.3, §7).

Its position is the last row of ``ledger_leaves`` itself, so leaves and position
always commit together (exactly-once without a separate tracking table). It checks
each event as it integrates it; a failure is recorded as an alert, and the leaf is
appended all the same, because the log records what is there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from eventsourcing.persistence import Notification

from ledger import canonical, envelope, merkle, note, trustroot
from ledger.app import LedgerApplication
from ledger.errors import ConfigurationError, LedgerError
from ledger.keyring import (
    KEY_TOPICS,
    KeyRegistry,
    KeyValidityError,
    ingest_key_event,
    registry_from_trust_root,
)
from ledger.private_files import write_private
from ledger.sql import Cursor
from ledger.verify_rows import ed25519_valid

log = logging.getLogger(__name__)
INTEGRATOR_LOCK = "kiemdiem-integrator-append"


class UntrustedLogKeyError(ConfigurationError):
    """The key offered to sign a checkpoint is not a log key of the trust root."""


class CheckpointRefusedError(LedgerError):
    """The stored leaves no longer match the last checkpoint: signing a new one
    would make the log sign two inconsistent checkpoints."""


@dataclass(frozen=True)
class Alert:
    notification_id: int
    kind: str
    detail: str


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: bytes
    issued_at: str


class FilePublisher:
    """Writes ``<size>.checkpoint`` into a folder and never overwrites a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def publish(self, note_bytes: bytes, size: int) -> str:
        target = self.folder / f"{size}.checkpoint"
        try:
            write_private(target, note_bytes, exclusive=True)
        except FileExistsError:
            if target.read_bytes() != note_bytes:
                log.error("checkpoint file %s exists with other content", target)
        return str(target)


class Integrator:
    """Single instance per deployment: inline in the embedded mode, in the worker
    (under an advisory lock) with PostgreSQL."""

    def __init__(self, app: LedgerApplication, page_size: int = 1000) -> None:
        self.app = app
        self.sql = app.sql
        self.page_size = page_size
        self._lock = threading.Lock()
        self._loaded = False
        self._registry: KeyRegistry = registry_from_trust_root(app.trust_root)
        self._range = merkle.CompactRange()
        self._last_notification_id = 0
        # Stored leaves that reproduced the last checkpoint checked (§6.3).
        self._reproduced: merkle.CompactRange | None = None

    def _reset(self) -> None:
        self._loaded = False
        self._reproduced = None
        self._registry = registry_from_trust_root(self.app.trust_root)
        self._range = merkle.CompactRange()
        self._last_notification_id = 0

    # -- state ------------------------------------------------------------------
    @property
    def size(self) -> int:
        self._load()
        return self._range.size

    def _load(self) -> None:
        if self._loaded:
            return
        self._absorb()
        self._loaded = True

    def _absorb(self) -> None:
        """Take in the leaves stored beyond this process's tree: all of them at the
        first load, afterwards those another integrator appended meanwhile.

        The key events among them are replayed, so validity is still judged in
        log order (the other integrator raised the alerts for its own leaves).
        On failure everything is reloaded from the stored leaves at the next call.
        """
        try:
            self._absorb_stored()
        except Exception:
            self._reset()
            raise

    def _absorb_stored(self) -> None:
        leaves = self.sql.table("ledger_leaves")
        with self.sql.read() as cur:
            rows = cur.execute(
                f"SELECT idx, notification_id, leaf_hash FROM {leaves} "  # noqa: S608
                "WHERE idx >= ? ORDER BY idx",
                (self._range.size,),
            ).fetchall()
        after = self._last_notification_id
        for expected, (idx, notification_id, leaf) in enumerate(
            rows, start=self._range.size
        ):
            if idx != expected:
                msg = f"ledger_leaves is not dense at index {expected}"
                raise LedgerError(msg)
            self._range.append(bytes(leaf))
            self._last_notification_id = notification_id
        while after < self._last_notification_id:
            page = self.app.recorder.select_notifications(
                start=after,
                limit=self.page_size,
                stop=self._last_notification_id,
                topics=KEY_TOPICS,
                inclusive_of_start=False,
            )
            if not page:
                break
            for notification in page:
                self._check(notification)
            after = page[-1].id

    def _behind(self, cur: Cursor) -> bool:
        """Inside the integrator lock: has another integrator appended leaves
        this process has not taken in yet?"""
        leaves = self.sql.table("ledger_leaves")
        row = cur.execute(f"SELECT MAX(idx) FROM {leaves}").fetchone()  # noqa: S608
        stored = 0 if row is None or row[0] is None else int(row[0]) + 1
        if stored < self._range.size:
            msg = f"ledger_leaves holds {stored} leaves, fewer than {self._range.size}"
            raise LedgerError(msg)
        return stored > self._range.size

    # -- integration --------------------------------------------------------------
    def catch_up(self) -> int:
        """Integrate every event not yet in the log; returns how many.

        Several processes may integrate the same store (the web app and a CLI
        writer on SQLite, several web processes): each page is appended under
        the store's integrator lock, and only when the stored log still ends
        where this process's tree ends; otherwise this process first takes in
        the other integrator's leaves and reads the next events again.
        """
        done = 0
        with self._lock:
            self._load()
            while True:
                page = self.app.read_notifications(
                    self._last_notification_id, self.page_size
                )
                if not page:
                    return done
                if self._integrate(page):
                    done += len(page)
                    continue
                size = self._range.size
                self._absorb()
                if self._range.size == size:
                    msg = "ledger_leaves changed while integrating"
                    raise LedgerError(msg)

    def _integrate(self, notifications: Sequence[Notification]) -> bool:
        """Append one page; False (nothing written) when another integrator has
        appended leaves since this process last looked.

        What does not depend on the key registry (leaf hashes, envelopes, the
        canonical check) is computed before the lock: at province scale a page
        takes seconds of it (a cycle opening's parts are ~330 KB each), and
        PostgreSQL ends a ledger transaction left idle for 5 s (the library's
        ``idle_in_transaction_session_timeout``). Only the registry's judgement,
        which must follow the stored log, runs inside.
        """
        leaves_table = self.sql.table("ledger_leaves")
        alerts_table = self.sql.table("ledger_alerts")
        parsed = [_parse(n, self.app.origin) for n in notifications]
        hashes = [merkle.leaf_hash(n.state) for n in notifications]
        try:
            with self.sql.exclusive_tx(INTEGRATOR_LOCK) as cur:
                if self._behind(cur):
                    return False
                leaves: list[tuple[int, int, bytes]] = []
                alerts: list[Alert] = []
                new_range = merkle.CompactRange.from_json(self._range.to_json())
                for notification, leaf, event in zip(
                    notifications, hashes, parsed, strict=True
                ):
                    leaves.append((new_range.size, notification.id, leaf))
                    new_range.append(leaf)
                    problem = self._judge(event)
                    if problem is not None:
                        alerts.append(problem)
                now = datetime.now(UTC).isoformat()
                cur.executemany(
                    f"INSERT INTO {leaves_table} (idx, notification_id, leaf_hash) "  # noqa: S608
                    "VALUES (?, ?, ?)",
                    leaves,
                )
                if alerts:
                    cur.executemany(
                        f"INSERT INTO {alerts_table} "  # noqa: S608
                        "(notification_id, kind, detail, at) VALUES (?, ?, ?, ?)",
                        [(a.notification_id, a.kind, a.detail, now) for a in alerts],
                    )
        except Exception:
            # Nothing was committed but the registry may have seen this page:
            # reload everything from the stored leaves at the next call.
            self._reset()
            raise
        for alert in alerts:
            log.error(
                "ledger alert %s at notification %s: %s",
                alert.kind,
                alert.notification_id,
                alert.detail,
            )
        self._range = new_range
        self._last_notification_id = notifications[-1].id
        return True

    def _check(self, notification: Notification) -> Alert | None:
        """Check one event in log order; update the key registry on key events."""
        return self._judge(_parse(notification, self.app.origin))

    def _judge(self, event: _Parsed | Alert) -> Alert | None:
        """The registry's part of the check, in log order: the signer's key valid
        at this position and the signature good; key events update the registry."""
        if isinstance(event, Alert):
            return event
        position, content = event.position, event.content
        try:
            if content.topic in KEY_TOPICS:
                ingest_key_event(
                    self._registry,
                    position=position,
                    topic=content.topic,
                    actor=content.actor,
                    key_id_hex=content.key_id,
                    signature=event.signature,
                    message=event.message,
                    body=content.body,
                )
            else:
                record = self._registry.check(content.key_id, content.actor, position)
                if not ed25519_valid(
                    record.public_key,
                    record.public_key_raw,
                    event.signature,
                    event.message,
                ):
                    return Alert(position, "bad_signature", "signature does not verify")
        except KeyValidityError as exc:
            return Alert(position, exc.kind, exc.detail)
        except InvalidSignature:
            return Alert(position, "bad_signature", "signature does not verify")
        return None

    # -- alerts -----------------------------------------------------------------
    def alerts(self) -> list[Alert]:
        table = self.sql.table("ledger_alerts")
        with self.sql.read() as cur:
            rows = cur.execute(
                f"SELECT notification_id, kind, detail FROM {table} "  # noqa: S608
                "ORDER BY notification_id, kind"
            ).fetchall()
        return [Alert(r[0], r[1], r[2]) for r in rows]

    # -- checkpoints --------------------------------------------------------------
    def latest_checkpoint(self) -> StoredCheckpoint | None:
        table = self.sql.table("ledger_checkpoints")
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT size, root, note, issued_at FROM {table} "  # noqa: S608
                "ORDER BY size DESC LIMIT 1"
            ).fetchone()
        return None if row is None else _stored_checkpoint(row)

    def checkpoint(self, size: int) -> StoredCheckpoint | None:
        table = self.sql.table("ledger_checkpoints")
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT size, root, note, issued_at FROM {table} WHERE size = ?",  # noqa: S608
                (size,),
            ).fetchone()
        return None if row is None else _stored_checkpoint(row)

    def checkpoint_due(self, every: int, minutes: int) -> bool:
        """Issue policy: the tree grew and N leaves or T minutes have passed."""
        latest = self.latest_checkpoint()
        size = self.size
        if latest is None:
            return size > 0
        if size <= latest.size:
            return False
        if size - latest.size >= every:
            return True
        issued = datetime.fromisoformat(latest.issued_at)
        return (datetime.now(UTC) - issued).total_seconds() >= minutes * 60

    def issue_checkpoint(
        self, signers: list[note.NoteSigner], publisher: FilePublisher | None = None
    ) -> StoredCheckpoint:
        """Sign a checkpoint of the current tree (or return the one of that size).

        Refuses a signer whose key is not one of the trust root's log keys: the
        store would keep, for ever, a checkpoint no verifier accepts.
        """
        self.require_trusted(signers)
        self.catch_up()
        with self._lock:
            while True:
                stored = self._sign_and_store(signers)
                if stored is not None:
                    break
                self._absorb()
        if publisher is not None:
            publisher.publish(stored.note, stored.size)
        return stored

    def require_trusted(self, signers: Sequence[note.NoteSigner]) -> None:
        """Refuse a signer that is not one of the trust root's log keys."""
        trusted = {
            (verifier.name, _raw(verifier.public_key))
            for verifier in trustroot.log_verifiers(self.app.trust_root)
        }
        for signer in signers:
            public_key = signer.private_key.public_key()
            if (signer.name, _raw(public_key)) not in trusted:
                shown = note.verifier_key_string(signer.name, public_key)
                msg = (
                    f"the log key {shown} is not in the trust root; "
                    "no checkpoint was signed or stored"
                )
                raise UntrustedLogKeyError(msg)

    def _sign_and_store(
        self, signers: list[note.NoteSigner]
    ) -> StoredCheckpoint | None:
        """Sign and store a checkpoint of the stored tree; None when another
        integrator has appended leaves or signed a checkpoint meanwhile.

        The last checkpoint's root is recomputed from ``ledger_leaves`` first,
        outside the integrator lock (on SQLite that lock is the database's write
        lock, which every command waits for: at a province's 700,000 leaves the
        recomputation took seconds). Under the lock only what the recomputation
        assumed is checked again: the same last checkpoint, no leaf added."""
        table = self.sql.table("ledger_checkpoints")
        columns = "size, root, note, issued_at"
        reproduced, matches = self._reproduce_latest()
        with self.sql.exclusive_tx(INTEGRATOR_LOCK) as cur:
            if self._behind(cur):
                return None
            size = self._range.size
            row = cur.execute(
                f"SELECT {columns} FROM {table} WHERE size = ?",  # noqa: S608
                (size,),
            ).fetchone()
            if row is not None:
                return _stored_checkpoint(row)
            row = cur.execute(
                f"SELECT size FROM {table} ORDER BY size DESC LIMIT 1"  # noqa: S608
            ).fetchone()
            if (0 if row is None else int(row[0])) != reproduced:
                return None  # another checkpoint since: reproduce that one
            if matches:
                root = self._range.root()
                body = note.Checkpoint(self.app.origin, size, root).body()
                signed = note.sign_note(body, signers)
                stored = StoredCheckpoint(
                    size, root, signed, datetime.now(UTC).isoformat()
                )
                cur.execute(
                    f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?)",  # noqa: S608
                    (size, root, signed.decode("utf-8"), stored.issued_at),
                )
        if not matches:
            self._refuse(reproduced)
        return stored

    def _reproduce_latest(self) -> tuple[int, bool]:
        """The last checkpoint's size (0: none yet) and whether the stored
        leaves reproduce its root (§6.3: the log never signs two inconsistent
        checkpoints).

        Incremental: the range of stored leaves this process last reproduced a
        checkpoint from is kept, so each checkpoint reads only the leaves stored
        since (the first one in a process reads them all). Re-reading every leaf
        for each checkpoint made a province's build quadratic: 700 checkpoints
        over up to 700,000 leaves. A leaf altered after it was read here is
        what ``kiemdiem verify`` (and the next process's first checkpoint) finds.
        """
        table = self.sql.table("ledger_checkpoints")
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT size, root FROM {table} ORDER BY size DESC LIMIT 1"  # noqa: S608
            ).fetchone()
            if row is None:
                return 0, True
            size, root = int(row[0]), bytes(row[1])
            known = self._reproduced
            tree = merkle.CompactRange()
            if known is not None and known.size <= size:
                tree = known.copy()
            try:
                for leaf in self._stored_leaves(cur, tree.size, size):
                    tree.append(leaf)
            except LedgerError:
                self._reproduced = None
                return size, False
        if tree.root() != root:
            self._reproduced = None
            return size, False
        self._reproduced = tree
        return size, True

    def _stored_leaves(self, cur: Cursor, start: int, stop: int) -> list[bytes]:
        """The stored leaf hashes ``[start, stop)``, in order; a gap is an error."""
        table = self.sql.table("ledger_leaves")
        rows = cur.execute(
            f"SELECT leaf_hash FROM {table} WHERE idx >= ? AND idx < ? "  # noqa: S608
            "ORDER BY idx",
            (start, stop),
        ).fetchall()
        if len(rows) != stop - start:
            msg = f"the log has {start + len(rows)} leaves, fewer than {stop}"
            raise LedgerError(msg)
        return [bytes(r[0]) for r in rows]

    def _refuse(self, size: int) -> None:
        table = self.sql.table("ledger_alerts")
        detail = f"stored leaves do not reproduce the checkpoint of size {size}"
        with self.sql.tx(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {table} (notification_id, kind, detail, at) "  # noqa: S608
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (0, "checkpoint_root_mismatch", detail, datetime.now(UTC).isoformat()),
            )
        log.error("refusing to sign a checkpoint: %s", detail)
        raise CheckpointRefusedError(detail)

    # -- proofs -------------------------------------------------------------------
    def leaf_hashes(self, size: int) -> list[bytes]:
        with self.sql.read() as cur:
            return self._stored_leaves(cur, 0, size)

    def leaf_index(self, notification_id: int) -> int | None:
        table = self.sql.table("ledger_leaves")
        with self.sql.read() as cur:
            row = cur.execute(
                f"SELECT idx FROM {table} WHERE notification_id = ?",  # noqa: S608
                (notification_id,),
            ).fetchone()
        return None if row is None else int(row[0])

    def inclusion_proof(
        self, notification_id: int, size: int
    ) -> tuple[int, list[bytes]]:
        index = self.leaf_index(notification_id)
        if index is None or index >= size:
            msg = f"notification {notification_id} is not in a tree of size {size}"
            raise LedgerError(msg)
        return index, merkle.inclusion_proof(self.leaf_hashes(size), index, size)

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        return merkle.consistency_proof(self.leaf_hashes(size2), size1, size2)


def _stored_checkpoint(row: tuple[object, ...]) -> StoredCheckpoint:
    size, root, text, issued_at = row
    return StoredCheckpoint(
        int(size),  # type: ignore[call-overload]
        bytes(root),  # type: ignore[call-overload]
        str(text).encode("utf-8"),
        str(issued_at),
    )


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class _Parsed:
    """An event's envelope read and checked against its columns: what the
    registry's judgement needs, computed without the registry."""

    position: int
    content: envelope.Content
    signature: bytes
    message: bytes


def _parse(notification: Notification, origin: str) -> _Parsed | Alert:
    position = notification.id
    try:
        env = envelope.unpack(notification.state)
        content = envelope.parse_content(env.content)
    except (
        envelope.MalformedEnvelopeError,
        canonical.CanonicalEncodingError,
    ) as exc:
        return Alert(position, "malformed_envelope", str(exc))
    if (
        content.stream != notification.originator_id
        or content.ver != notification.originator_version
        or content.topic != notification.topic
        or content.key_id != env.key_id.hex()
    ):
        return Alert(position, "position_mismatch", "columns differ from content")
    if content.log != origin:
        return Alert(position, "wrong_origin", content.log)
    return _Parsed(
        position, content, env.signature, envelope.signed_message(env.content)
    )
