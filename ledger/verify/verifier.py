"""The pass over the rows in notification order: each row's envelope, key,
signature (the pool's verdict or a batch), stream chain and leaf, the order-
dependent checks kept together in one loop (§8.4)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ledger import canonical, envelope, merkle, verify_rows
from ledger.keyring import (
    KEY_TOPICS,
    KeyRecord,
    KeyValidityError,
    ingest_key_event,
    key_stream_id,
)
from ledger.verify.base import _Cosigned, _Leaf
from ledger.verify.checkpoints import _Checkpoint, _Checkpoints
from ledger.verify.incremental import _load_state
from ledger.verify.signatures import _Signatures
from ledger.verify.store import (
    _as_bytes,
    _as_int,
    _as_text,
    _as_uuid,
    _column_ref,
    _Ref,
    _same_stream,
    _same_text,
)
from ledger.verify.tree import _Tree

CHUNK_ROWS = 500  # rows per task: the last few keep the main process waiting briefly
COSIGNED_EVENT = "CheckpointCosigned"


class _Verifier(_Checkpoints):
    # -- the pass ---------------------------------------------------------------------
    def run(
        self,
        auditor: Sequence[tuple[str, bytes]],
        since: Path | None,
        jobs: int,
    ) -> tuple[list[_Checkpoint], _Tree]:
        checkpoints = self._read_checkpoints(auditor)
        if since is not None:
            self.saved = _load_state(since, self.origin)
            self.prefix_size = self.saved.size
            self.registry.keys = dict(self.saved.keys)
            self.heads = dict(self.saved.heads)
            self.event_cosignatures = self.saved.cosignatures
        tree = _Tree(
            [c.size for c in checkpoints],
            [] if self.saved is None else [self.saved.size],
        )
        self.integrated_upto = self.store.integrator_position()
        self.leaves = self._leaves()
        self.next_leaf = next(self.leaves, None)
        total = self.store.count_rows() if self.progress is not None else 0
        # Rows the pool could not judge, and keys it was not given: checked here.
        signatures = _Signatures(1, self._bad_signature)
        pool = verify_rows.RowPool(jobs, self.origin)
        ordinal = 0
        try:
            for start, rows, publics, results in pool.results(self._chunks()):
                if results is None:
                    for offset, row in enumerate(rows):
                        self._row(start + offset, *row, tree, signatures)
                else:
                    self._fast_rows(start, rows, publics, results, tree, signatures)
                ordinal = start + len(rows)
                if self.progress is not None:
                    self.progress(ordinal, total)
            signatures.finish()
        finally:
            pool.close()
            signatures.close()
        self.counts["signatures"] += signatures.checked + self.pool_signatures
        self.rows = ordinal
        self.counts["global_log"] = ordinal
        self.counts["rows"] = self.counts["keys"] = max(0, ordinal - self.prefix_size)
        while self.next_leaf is not None:
            self._leaf_extra(self.next_leaf)
            self.next_leaf = next(self.leaves, None)
        self._finish_not_integrated()
        self._finish_genesis()
        self._finish_prefix(tree)
        return checkpoints, tree

    def _chunks(self) -> Iterator[verify_rows.Chunk]:
        """The rows in order, in chunks for the pool, each row with the public key
        its envelope's key id names among the keys registered so far (or in its
        page), so the pool can check its signature; prefix rows (``--since``) go
        without keys and are not sent to the pool."""
        candidates = {
            bytes.fromhex(r.key_id): r.public_key_raw
            for r in self.registry.keys.values()
        }
        ordinal = 0
        for page in self.store.row_pages(
            "originator_id, originator_version, topic, state"
        ):
            verify_rows.learn_keys(page, candidates)
            for start in range(0, len(page), CHUNK_ROWS):
                rows = page[start : start + CHUNK_ROWS]
                if ordinal + len(rows) <= self.prefix_size:
                    yield ordinal, rows, None
                else:
                    yield (
                        ordinal,
                        rows,
                        [verify_rows.public_for(row, candidates) for row in rows],
                    )
                ordinal += len(rows)

    def _fast_rows(
        self,
        start: int,
        rows: Sequence[verify_rows.Row],
        publics: Sequence[bytes | None],
        results: Sequence[verify_rows.FastRow | None],
        tree: _Tree,
        signatures: _Signatures,
    ) -> None:
        """A chunk in order. The rows the pool found fine in themselves get the
        order-dependent checks (leaf, key validity, signature verdict, chain),
        each with its common case inline and the general method, which names
        any failure, otherwise; genesis and prefix rows, and the rows the pool
        left, take the full per-row path."""
        first_fast = max(len(self.admins), self.prefix_size)
        append = tree.append
        check_key = self.registry.check
        heads = self.heads
        checked = 0
        for offset, fast in enumerate(results):
            ordinal = start + offset
            if fast is None or ordinal < first_fast:
                self._row(ordinal, *rows[offset], tree, signatures)
                continue
            leaf, digest, stream, ver, actor, key_id, prev, verdict = fast
            row = rows[offset]
            nid = row[0]
            append(leaf)
            current = self.next_leaf
            if (
                current is not None
                and current.notification_id == nid
                and current.leaf_hash == leaf
            ):
                self.next_leaf = next(self.leaves, None)
            else:
                self._merge_leaf(ordinal, nid, row[1], row[2], leaf)
            try:
                record: KeyRecord | None = check_key(key_id, actor, nid)
            except KeyValidityError as exc:
                self.fail(exc.kind, exc.detail, (ordinal, nid, stream, ver))
                record = self.registry.get(key_id)
            if record is not None:
                if verdict is not None and record.public_key_raw == publics[offset]:
                    checked += 1
                    if not verdict:
                        self._bad_signature((ordinal, nid, stream, ver))
                else:
                    message = envelope.signed_message(row[4][envelope.HEADER_BYTES :])
                    signatures.add(
                        record.public_key_raw,
                        row[4][20:84],
                        message,
                        (ordinal, nid, stream, ver),
                    )
            last = heads.get(stream)
            if (last is not None and ver == last[0] + 1 and prev == last[1].hex()) or (
                last is None and ver == 1
            ):
                heads[stream] = (ver, digest)
            else:
                self._chain(stream, ver, prev, digest, (ordinal, nid, stream, ver))
        self.pool_signatures += checked

    def _leaves(self) -> Iterator[_Leaf]:
        """Leaves in idx order, checked dense and increasing; bad rows reported."""
        expected = 0
        last_nid: int | None = None
        for page in self.store.leaf_pages():
            for idx, nid_value, leaf_value in page:
                nid = nid_value if type(nid_value) is int else None
                leaf = (
                    leaf_value if type(leaf_value) is bytes else _as_bytes(leaf_value)
                )
                if idx != expected:
                    self.fail(
                        "index_not_dense",
                        f"ledger_leaves goes from index {expected - 1} to {idx}",
                        index=expected,
                    )
                expected = idx + 1
                if nid is None or leaf is None or len(leaf) != merkle.HASH_SIZE:
                    self.fail("leaf_mismatch", f"leaf {idx} is malformed", index=idx)
                    continue
                if last_nid is not None and nid <= last_nid:
                    self.fail(
                        "leaf_mismatch",
                        f"leaf {idx} names notification {nid}, not after {last_nid}",
                        index=idx,
                    )
                    continue
                last_nid = nid
                yield _Leaf(idx, nid, leaf)

    def _leaf_extra(self, leaf: _Leaf) -> None:
        self.fail(
            "leaf_extra",
            f"leaf {leaf.idx} is for notification {leaf.notification_id}, which is "
            "not in the events table (deleted or moved)",
            (leaf.idx, leaf.notification_id, None, None),
        )

    def _row(
        self,
        ordinal: int,
        nid: int,
        oid: Any,
        ver_column: Any,
        topic_column: Any,
        state_column: Any,
        tree: _Tree,
        signatures: _Signatures,
    ) -> None:
        state = state_column if type(state_column) is bytes else _as_bytes(state_column)
        state = state or b""
        leaf = merkle.leaf_hash(state)
        tree.append(leaf)
        self._merge_leaf(ordinal, nid, oid, ver_column, leaf)
        if ordinal < self.prefix_size:
            return
        genesis = ordinal < len(self.admins)
        ref: _Ref
        try:
            env = envelope.unpack(state)
            content = envelope.parse_content(env.content)
        except canonical.CanonicalEncodingError as exc:
            ref = _column_ref(ordinal, nid, oid, ver_column)
            self.fail("non_canonical_content", str(exc), ref)
            self._genesis_row(ref, None, genesis)
            return
        except (envelope.MalformedEnvelopeError, ValueError, TypeError) as exc:
            ref = _column_ref(ordinal, nid, oid, ver_column)
            self.fail("malformed_envelope", str(exc), ref)
            self._genesis_row(ref, None, genesis)
            return
        stream = content.stream
        ref = (ordinal, nid, stream, content.ver)
        if (
            nid <= 0
            or env.key_id.hex() != content.key_id
            or (oid != stream and not _same_stream(oid, stream))
            or ver_column != content.ver
            or type(ver_column) is not int
            or (
                topic_column != content.topic
                and not _same_text(topic_column, content.topic)
            )
        ):
            self._position_mismatch(
                ref, nid, env, content, oid, ver_column, topic_column
            )
        if content.log != self.origin:
            self.fail("wrong_origin", f"signed for the log {content.log!r}", ref)
        message = envelope.signed_message(env.content)
        if content.topic in KEY_TOPICS:
            self._key_event(ref, content, env, message)
            self.counts["signatures"] += 1
        else:
            record: KeyRecord | None
            try:
                record = self.registry.check(content.key_id, content.actor, nid)
            except KeyValidityError as exc:
                self.fail(exc.kind, exc.detail, ref)
                record = self.registry.get(content.key_id)
            if record is not None:
                signatures.add(record.public_key_raw, env.signature, message, ref)
                if content.topic.rpartition(".")[2] == COSIGNED_EVENT:
                    self.cosigned.append(_Cosigned(ref, content.body, record))
        if genesis:
            self._genesis_row(ref, content, genesis)
        self._chain(
            str(stream), content.ver, content.prev, envelope.event_hash(state), ref
        )

    def _position_mismatch(
        self,
        ref: _Ref,
        nid: int,
        env: envelope.Envelope,
        content: envelope.Content,
        oid: Any,
        ver_column: Any,
        topic_column: Any,
    ) -> None:
        mismatches = []
        if nid <= 0:
            mismatches.append(f"notification id {nid} is not positive")
        if env.key_id.hex() != content.key_id:
            mismatches.append("the envelope key id differs from the content key_id")
        if _as_uuid(oid) != content.stream:
            mismatches.append(f"originator_id column is {_as_text(oid)}")
        if _as_int(ver_column) != content.ver:
            mismatches.append(f"originator_version column is {ver_column!r}")
        if _as_text(topic_column) != content.topic:
            mismatches.append(f"topic column is {_as_text(topic_column)!r}")
        self.fail("position_mismatch", "; ".join(mismatches), ref)

    def _key_event(
        self,
        ref: _Ref,
        content: envelope.Content,
        env: envelope.Envelope,
        message: bytes,
    ) -> None:
        try:
            key_id = content.body.get("key_id")
            if not isinstance(key_id, str) or content.stream != key_stream_id(key_id):
                raise KeyValidityError(
                    "unauthorised_key_event", "a key event outside its key's stream"
                )
            ingest_key_event(
                self.registry,
                position=ref[1],
                topic=content.topic,
                actor=content.actor,
                key_id_hex=content.key_id,
                signature=env.signature,
                message=message,
                body=content.body,
            )
        except KeyValidityError as exc:
            self.fail(exc.kind, exc.detail, ref)

    def _bad_signature(self, ref: _Ref) -> None:
        self.fail(
            "bad_signature", "the signature does not verify (content edited?)", ref
        )

    def _merge_leaf(
        self, ordinal: int, nid: int, oid: Any, ver_column: Any, leaf: bytes
    ) -> None:
        current = self.next_leaf
        while current is not None and current.notification_id < nid:
            self._leaf_extra(current)
            current = self.next_leaf = next(self.leaves, None)
        if current is not None and current.notification_id == nid:
            if current.leaf_hash != leaf:
                detail = f"leaf {current.idx} differs from the hash of this row"
                ref = _column_ref(ordinal, nid, oid, ver_column)
                self.fail("leaf_mismatch", detail, ref)
            self.next_leaf = next(self.leaves, None)
        elif self.integrated_upto is not None and nid < self.integrated_upto:
            ref = _column_ref(ordinal, nid, oid, ver_column)
            self.fail("leaf_missing", "no leaf for this row in ledger_leaves", ref)
        else:
            ref = _column_ref(ordinal, nid, oid, ver_column)
            self.not_integrated_count += 1
            if len(self.not_integrated) < 2:
                self.not_integrated.append(ref)
            else:
                self.not_integrated[1] = ref

    def _chain(
        self, stream: str, ver: int, prev: str | None, digest: bytes, ref: _Ref
    ) -> None:
        last_ver, last_hash = self.heads.get(stream, (0, b""))
        if ver == last_ver + 1:
            if ver > 1 and prev != last_hash.hex():
                self.fail(
                    "chain_break",
                    f"prev does not match the hash of version {ver - 1}",
                    ref,
                )
            self.heads[stream] = (ver, digest)
        elif ver > last_ver + 1:
            missing = (
                f"version {last_ver + 1}"
                if ver == last_ver + 2
                else f"versions {last_ver + 1}–{ver - 1}"
            )
            self.fail("version_gap", f"{missing} missing before this one", ref)
            self.heads[stream] = (ver, digest)
        else:
            self.fail(
                "chain_break",
                f"version {ver} comes after version {last_ver} (reordered or replayed)",
                ref,
            )
