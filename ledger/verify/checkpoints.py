"""Checkpoints, stored and auditor-held, and cosignatures: read and opened
before the pass, checked against the recomputed tree after it."""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from ledger import merkle, note
from ledger.verify.base import _Base, _Cosigned
from ledger.verify.report import VerifyInputError
from ledger.verify.store import _as_bytes, _as_int
from ledger.verify.tree import _Tree

# -- checkpoints ----------------------------------------------------------------------


@dataclass
class _Checkpoint:
    size: int
    root: bytes
    note: str
    sources: set[str]  # "store" and/or "auditor"
    labels: list[str]

    @property
    def check(self) -> str:
        return (
            "auditor_checkpoints" if "auditor" in self.sources else "stored_checkpoints"
        )


def _open_checkpoint(
    raw: bytes, origin: str, verifiers: Sequence[note.NoteVerifier]
) -> tuple[note.Checkpoint, note.OpenedNote]:
    opened = note.open_note(raw, verifiers)
    checkpoint = note.parse_checkpoint(opened.text)
    if checkpoint.origin != origin:
        msg = f"the checkpoint is for {checkpoint.origin}, not {origin}"
        raise note.NoteError(msg, "another_log")
    return checkpoint, opened


class _Checkpoints(_Base):
    """Checkpoints read before the pass; checked, with the cosignatures, after it."""

    def _read_checkpoints(
        self, auditor: Sequence[tuple[str, bytes]]
    ) -> list[_Checkpoint]:
        by_key: dict[tuple[int, bytes], _Checkpoint] = {}

        def add(cp: note.Checkpoint, text: str, source: str, label: str) -> None:
            existing = by_key.get((cp.size, cp.root))
            if existing is None:
                by_key[(cp.size, cp.root)] = _Checkpoint(
                    cp.size, cp.root, text, {source}, [label]
                )
            else:
                existing.sources.add(source)
                existing.labels.append(label)

        self.counts["inputs"] = 1
        for label, raw in auditor:
            try:
                checkpoint, opened = _open_checkpoint(
                    raw, self.origin, self.log_verifiers
                )
            except note.NoteError as exc:
                msg = f"điểm chốt {label} không hợp lệ (chi tiết kỹ thuật: {exc})"
                raise VerifyInputError(msg) from exc
            self.counts["inputs"] += 1
            self.counts["auditor_checkpoints"] += 1
            add(checkpoint, raw.decode("utf-8"), "auditor", label)
            self._witness_lines(opened, checkpoint, label, "auditor_checkpoints")
        for size_column, root_column, note_column in self.store.checkpoints():
            self.counts["stored_checkpoints"] += 1
            label = f"ledger_checkpoints size {size_column}"
            raw = _as_bytes(note_column) or b""
            index = _as_int(size_column)
            try:
                checkpoint, opened = _open_checkpoint(
                    raw, self.origin, self.log_verifiers
                )
            except note.NoteError as exc:
                self.fail(
                    "checkpoint_bad_signature",
                    f"{label}: {exc}",
                    index=index,
                    check="stored_checkpoints",
                )
                continue
            if (
                size_column != checkpoint.size
                or _as_bytes(root_column) != checkpoint.root
            ):
                self.fail(
                    "checkpoint_root_mismatch",
                    f"{label}: the size or root column differs from the signed note "
                    f"(size {checkpoint.size})",
                    index=checkpoint.size,
                    check="stored_checkpoints",
                ).groupable = False  # the columns were edited: nothing explains it
            add(checkpoint, raw.decode("utf-8"), "store", label)
            self._witness_lines(opened, checkpoint, label, "stored_checkpoints")
        return sorted(by_key.values(), key=lambda c: (c.size, c.root))

    def _witness_lines(
        self,
        opened: note.OpenedNote,
        checkpoint: note.Checkpoint,
        label: str,
        check: str,
    ) -> None:
        """Check signature lines by trust-root witness keys; others are ignored."""
        for line in opened.unknown:
            name, _, encoded = line.removeprefix("— ").rstrip("\n").partition(" ")
            for witness in self.witnesses:
                if witness.name != name:
                    continue
                alg = note.ALG_COSIGNATURE_V1 if witness.cosigner else note.ALG_ED25519
                expected = note.key_hash(name, alg, witness.public_key)
                try:
                    raw = base64.b64decode(encoded, validate=True)
                except binascii.Error:
                    raw = b""
                if raw[:4] != expected:
                    continue  # another key of that name: not ours to judge
                try:
                    if witness.cosigner:
                        note.verify_cosignature(
                            line, opened.text, name, witness.public_key
                        )
                    else:
                        witness.public_key.verify(raw[4:], opened.text.encode("utf-8"))
                except (note.NoteError, InvalidSignature) as exc:
                    self.fail(
                        "cosignature_invalid",
                        f"{label}: witness {name}: {exc or 'invalid signature'}",
                        index=checkpoint.size,
                        check=check,
                    )
                    continue
                self.witness_cosignatures += 1
                self.counts["cosignatures"] += 1

    # -- after the pass -------------------------------------------------------------
    def checkpoints(self, checkpoints: list[_Checkpoint], tree: _Tree) -> str | None:
        size = tree.size
        by_size: dict[int, list[_Checkpoint]] = {}
        for cp in checkpoints:
            by_size.setdefault(cp.size, []).append(cp)
        for n, group in by_size.items():
            if len(group) > 1:
                self.fail(
                    "equivocation",
                    f"{len(group)} validly signed checkpoints of size {n} with "
                    "different roots: "
                    + "; ".join(
                        f"{_b64(c.root)} ({', '.join(c.labels)})" for c in group
                    ),
                    index=n,
                    check=_check_of(group),
                    evidence=[c.note for c in group],
                )
        latest: _Checkpoint | None = None
        for cp in checkpoints:
            if cp.size > size:
                self.fail(
                    "log_shorter_than_checkpoint",
                    f"the log has {size} events, fewer than the {cp.size} of the "
                    f"checkpoint ({', '.join(cp.labels)})",
                    index=cp.size,
                    check=cp.check,
                    evidence=[cp.note],
                )
            elif tree.roots[cp.size] != cp.root:
                self.fail(
                    "checkpoint_root_mismatch",
                    f"the checkpoint of size {cp.size} ({', '.join(cp.labels)}) has "
                    f"root {_b64(cp.root)}; the log gives {_b64(tree.roots[cp.size])}",
                    index=cp.size,
                    check=cp.check,
                    evidence=[cp.note],
                )
            elif latest is None or cp.size >= latest.size:
                latest = cp
        sizes = sorted(s for s in by_size if 0 < s <= size)
        for m, n in itertools.pairwise(sizes):
            proof = tree.proofs[(m, n)]
            for new in by_size[n]:
                if new.root != tree.roots[n]:
                    continue  # the log cannot speak for a checkpoint it contradicts
                for old in by_size[m]:
                    try:
                        merkle.verify_consistency(m, n, old.root, new.root, proof)
                    except merkle.ProofError as exc:
                        self.fail(
                            "checkpoint_inconsistent",
                            f"the checkpoint of size {m} ({', '.join(old.labels)}) and "
                            f"the checkpoint of size {n} ({', '.join(new.labels)}) "
                            f"cannot both be true: {exc}; consistency proof from the "
                            f"log: [{', '.join(_b64(h) for h in proof)}]",
                            index=m,
                            check=_check_of([old, new]),
                            evidence=[old.note, new.note],
                        )
        return None if latest is None else latest.note

    def cosignatures_check(self, tree: _Tree) -> None:
        missing = {
            c.body.get("size")
            for c in self.cosigned
            if type(c.body.get("size")) is int and c.body["size"] not in tree.roots
        }
        extra = self._roots_at({s for s in missing if isinstance(s, int)}, tree.size)
        for item in self.cosigned:
            self.counts["cosignatures"] += 1
            problem = self._cosignature_problem(item, tree.roots, extra)
            if problem is None:
                self.event_cosignatures += 1
            else:
                self.fail("cosignature_invalid", problem, item.ref)

    def _cosignature_problem(
        self,
        item: _Cosigned,
        roots: Mapping[int, bytes],
        extra: Mapping[int, bytes],
    ) -> str | None:
        body = item.body
        size, root_b64 = body.get("size"), body.get("root")
        name, line = body.get("cosigner_name"), body.get("line")
        if not (
            type(size) is int
            and isinstance(root_b64, str)
            and isinstance(name, str)
            and isinstance(line, str)
        ):
            return "the CheckpointCosigned body is malformed"
        if name != item.signer.cosigner_name:
            return f"cosigner {name} is not the name registered for the signing key"
        try:
            root = base64.b64decode(root_b64, validate=True)
            checkpoint = note.Checkpoint(self.origin, size, root)
            note.verify_cosignature(
                line, checkpoint.body(), name, item.signer.public_key
            )
        except (ValueError, binascii.Error) as exc:
            return f"the cosignature by {name} does not verify: {exc}"
        known = roots.get(size, extra.get(size))
        if known is None:
            return f"cosigns size {size}, beyond the log"
        if known != root:
            return (
                f"cosigns root {root_b64} at size {size}; the log now gives "
                f"{_b64(known)} (history rewritten after the member cosigned)"
            )
        return None

    def _roots_at(self, sizes: set[int], log_size: int) -> dict[int, bytes]:
        """Roots at sizes learnt only during the pass: a second, hash-only read."""
        wanted = sorted(s for s in sizes if 0 < s <= log_size)
        if not wanted:
            return {}
        compact = merkle.CompactRange()
        roots: dict[int, bytes] = {}
        for page in self.store.row_pages("state"):
            for _nid, state in page:
                compact.append(merkle.leaf_hash(_as_bytes(state) or b""))
                if compact.size in sizes:
                    roots[compact.size] = compact.root()
                if compact.size >= wanted[-1]:
                    return roots
        return roots


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _check_of(group: Iterable[_Checkpoint]) -> str:
    return (
        "auditor_checkpoints"
        if any("auditor" in c.sources for c in group)
        else "stored_checkpoints"
    )
