"""Proof bundles: a subject's signed events, checkable offline (issue 5).

A bundle is one JSON document, ``kiemdiem-proof-bundle/v1``::

    {"format": "kiemdiem-proof-bundle/v1",
     "origin": "<log origin>",
     "subject": "<uuid>",                 # what the bundle is about
     "created_at": "<UTC ISO 8601>",       # the server's claim, informational
     "checkpoint": {"size": n, "root": "<b64>", "note": "<C2SP signed note>"},
     "streams": ["<uuid>", ...],           # streams included whole (chain checked)
     "events": [ENTRY, ...],               # the subject's file, in log order
     "keys": [ENTRY, ...]}                 # key events that judge the signers

    ENTRY = {"index": i,                   # dense leaf index in the log
             "notification_id": id,        # the row's id (informational)
             "envelope": "<b64 of the stored envelope>",
             "proof": ["<b64 hash>", ...]} # RFC 9162 inclusion proof, leaf i, size n

Everything a reader needs is in the envelopes and the proofs; the other fields are
conveniences the verifier never trusts. :func:`verify_bundle` checks, with no
database and only the trust root handed over out of band:

1. the checkpoint note carries a valid signature of a trust-root log key and its
   body is (origin, size, root);
2. each envelope's leaf hash ``SHA-256(0x00 ‖ envelope)`` is leaf ``index`` of that
   tree (RFC 9162 §2.1.3.2; any RFC 9162 verifier can redo this step);
3. each content is canonical, names the trust-root origin, and its signature
   verifies under a key valid at that position, replaying the included key events
   in log order from the trust-root admin keys (ledger.md §4.3; position = leaf
   index + 1, which orders events exactly as notification ids do);
4. each stream listed in ``streams`` is complete from version 1 with an unbroken
   ``prev`` chain, up to its last included version;
5. auditor-held checkpoints of the same size carry the same root (equivocation).

What a bundle cannot show: events that are *not* in it (a later revocation of a
key, a later event of the subject); inclusion proves presence, never absence. The
full answer is ``kiemdiem verify`` against the store and the checkpoints you hold.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature

from ledger import canonical, envelope, merkle, note, trustroot
from ledger.errors import ConfigurationError
from ledger.keyring import (
    KEY_TOPICS,
    KeyValidityError,
    ingest_key_event,
    registry_from_trust_root,
)

FORMAT = "kiemdiem-proof-bundle/v1"


class BundleInputError(ValueError):
    """The file is not a readable proof bundle (exit status 2)."""


@dataclass(frozen=True)
class BundleEntry:
    index: int
    notification_id: int
    envelope: bytes
    proof: Sequence[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "notification_id": self.notification_id,
            "envelope": _b64(self.envelope),
            "proof": [_b64(h) for h in self.proof],
        }


def build_bundle(
    *,
    origin: str,
    subject: UUID,
    created_at: str,
    checkpoint_note: bytes,
    size: int,
    root: bytes,
    streams: Sequence[UUID],
    events: Sequence[BundleEntry],
    keys: Sequence[BundleEntry],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "origin": origin,
        "subject": str(subject),
        "created_at": created_at,
        "checkpoint": {
            "size": size,
            "root": _b64(root),
            "note": checkpoint_note.decode("utf-8"),
        },
        "streams": [str(s) for s in streams],
        "events": [e.to_json() for e in sorted(events, key=lambda e: e.index)],
        "keys": [k.to_json() for k in sorted(keys, key=lambda k: k.index)],
    }


def entry_for(
    leaf_hashes: Sequence[bytes], index: int, notification_id: int, state: bytes
) -> BundleEntry:
    """A bundle entry with its inclusion proof in the tree of ``len(leaf_hashes)``."""
    size = len(leaf_hashes)
    return BundleEntry(
        index, notification_id, state, merkle.inclusion_proof(leaf_hashes, index, size)
    )


# -- offline verification ------------------------------------------------------------


@dataclass(frozen=True)
class BundleFailure:
    kind: str
    detail: str
    index: int | None = None
    stream: str | None = None
    version: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "detail": self.detail,
            "index": self.index,
            "stream": self.stream,
            "version": self.version,
        }


@dataclass(frozen=True)
class CheckedEvent:
    index: int
    stream: str
    version: int
    topic: str
    ts: str
    actor: str
    key_id: str
    ok: bool


@dataclass
class BundleReport:
    origin: str
    subject: str
    size: int = 0
    root: str = ""
    checkpoint_note: str = ""
    events: list[CheckedEvent] = field(default_factory=list)
    keys: int = 0
    failures: list[BundleFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "origin": self.origin,
            "subject": self.subject,
            "checkpoint": {"size": self.size, "root": self.root},
            "events": [
                {
                    "index": e.index,
                    "stream": e.stream,
                    "version": e.version,
                    "topic": e.topic,
                    "ts": e.ts,
                    "actor": e.actor,
                    "key_id": e.key_id,
                    "ok": e.ok,
                }
                for e in self.events
            ],
            "keys": self.keys,
            "failures": [f.to_json() for f in self.failures],
        }


def load_bundle(raw: bytes) -> dict[str, Any]:
    """Parse a bundle file; ``BundleInputError`` in plain words if it is not one."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (
            f" (dòng {exc.lineno}, cột {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else " (không phải văn bản UTF-8)"
        )
        msg = f"tệp không phải gói bằng chứng: không phải JSON hợp lệ{where}"
        raise BundleInputError(msg) from exc
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise BundleInputError(f"tệp không phải gói bằng chứng ({FORMAT})")
    for name in ("origin", "subject"):
        if not isinstance(obj.get(name), str):
            raise BundleInputError(f"gói bằng chứng thiếu «{name}»")
    cp = obj.get("checkpoint")
    if not isinstance(cp, dict) or not isinstance(cp.get("note"), str):
        raise BundleInputError("gói bằng chứng thiếu điểm chốt (checkpoint.note)")
    for name in ("events", "keys", "streams"):
        if not isinstance(obj.get(name), list):
            raise BundleInputError(f"gói bằng chứng thiếu danh sách «{name}»")
    return obj


@dataclass
class _Item:
    index: int
    state: bytes
    proof: list[bytes]
    is_event: bool


def _items(obj: Mapping[str, Any], report: BundleReport) -> list[_Item]:
    items: list[_Item] = []
    for group, is_event in (("events", True), ("keys", False)):
        for position, raw in enumerate(obj[group]):
            try:
                index = raw["index"]
                if type(index) is not int or index < 0:
                    raise TypeError("index is not a non-negative integer")
                state = base64.b64decode(raw["envelope"], validate=True)
                proof = [base64.b64decode(h, validate=True) for h in raw["proof"]]
            except (KeyError, TypeError, ValueError, binascii.Error) as exc:
                report.failures.append(
                    BundleFailure(
                        "malformed_entry", f"{group}[{position}] is unreadable: {exc}"
                    )
                )
                continue
            items.append(_Item(index, state, proof, is_event))
    items.sort(key=lambda item: (item.index, not item.is_event))
    unique: list[_Item] = []
    for item in items:
        if unique and unique[-1].index == item.index:
            if unique[-1].state != item.state:
                report.failures.append(
                    BundleFailure(
                        "conflicting_entries",
                        "two different envelopes claim the same leaf",
                        index=item.index,
                    )
                )
            continue  # listed twice (an event that is also a key event): once
        unique.append(item)
    return unique


def verify_bundle(
    obj: Mapping[str, Any],
    trust_root: Mapping[str, Any],
    held_checkpoints: Sequence[bytes] = (),
) -> BundleReport:
    """Check a parsed bundle offline against the trust root (see the module doc)."""
    try:
        trustroot.validate(dict(trust_root))
    except ConfigurationError as exc:
        raise BundleInputError(str(exc)) from exc
    origin = trust_root["origin"]
    report = BundleReport(origin=origin, subject=str(obj.get("subject")))
    if obj.get("origin") != origin:
        report.failures.append(
            BundleFailure(
                "wrong_origin",
                f"the bundle is for the log {obj.get('origin')!r}, "
                f"the trust root for {origin!r}",
            )
        )
        return report
    verifiers = trustroot.log_verifiers(trust_root)
    note_text = obj["checkpoint"]["note"]
    try:
        opened = note.open_note(note_text.encode("utf-8"), verifiers)
        checkpoint = note.parse_checkpoint(opened.text)
    except note.NoteError as exc:
        report.failures.append(BundleFailure("checkpoint_bad_signature", str(exc)))
        return report
    if checkpoint.origin != origin:
        report.failures.append(
            BundleFailure("wrong_origin", "the checkpoint names another log")
        )
        return report
    report.size, report.root = checkpoint.size, _b64(checkpoint.root)
    report.checkpoint_note = note_text
    _check_held(checkpoint, held_checkpoints, verifiers, report)
    registry = registry_from_trust_root(trust_root)
    complete = {str(s) for s in obj["streams"]}
    seen_streams: dict[str, list[tuple[int, bytes, str | None]]] = {}
    for item in _items(obj, report):
        _check_item(item, checkpoint, registry, origin, report, seen_streams)
    for stream, versions in sorted(seen_streams.items()):
        if stream in complete:
            _check_chain(stream, versions, report)
    return report


def _check_item(
    item: _Item,
    checkpoint: note.Checkpoint,
    registry: Any,
    origin: str,
    report: BundleReport,
    seen_streams: dict[str, list[tuple[int, bytes, str | None]]],
) -> None:
    where: dict[str, Any] = {"index": item.index}
    ok = True
    try:
        merkle.verify_inclusion(
            merkle.leaf_hash(item.state),
            item.index,
            checkpoint.size,
            item.proof,
            checkpoint.root,
        )
    except merkle.ProofError as exc:
        report.failures.append(BundleFailure("inclusion_failed", str(exc), **where))
        ok = False
    try:
        env = envelope.unpack(item.state)
        content = envelope.parse_content(env.content)
    except canonical.CanonicalEncodingError as exc:
        report.failures.append(
            BundleFailure("non_canonical_content", str(exc), **where)
        )
        return
    except (envelope.MalformedEnvelopeError, ValueError, TypeError) as exc:
        report.failures.append(BundleFailure("malformed_envelope", str(exc), **where))
        return
    where = {"index": item.index, "stream": str(content.stream), "version": content.ver}
    if content.log != origin:
        report.failures.append(
            BundleFailure("wrong_origin", f"signed for {content.log!r}", **where)
        )
        ok = False
    if content.key_id != env.key_id.hex():
        report.failures.append(
            BundleFailure(
                "position_mismatch", "envelope and content key ids differ", **where
            )
        )
        ok = False
    position = item.index + 1
    message = envelope.signed_message(env.content)
    try:
        if content.topic in KEY_TOPICS:
            ingest_key_event(
                registry,
                position=position,
                topic=content.topic,
                actor=content.actor,
                key_id_hex=content.key_id,
                signature=env.signature,
                message=message,
                body=content.body,
            )
        else:
            record = registry.check(content.key_id, content.actor, position)
            record.public_key.verify(env.signature, message)
    except KeyValidityError as exc:
        report.failures.append(BundleFailure(exc.kind, exc.detail, **where))
        ok = False
    except InvalidSignature:
        report.failures.append(
            BundleFailure("bad_signature", "the signature does not verify", **where)
        )
        ok = False
    seen_streams.setdefault(str(content.stream), []).append(
        (content.ver, envelope.event_hash(item.state), content.prev)
    )
    if item.is_event:
        report.events.append(
            CheckedEvent(
                item.index,
                str(content.stream),
                content.ver,
                content.topic,
                content.ts,
                content.actor,
                content.key_id,
                ok,
            )
        )
    else:
        report.keys += 1


def _check_chain(
    stream: str,
    versions: list[tuple[int, bytes, str | None]],
    report: BundleReport,
) -> None:
    previous: bytes | None = None
    for expected, (version, digest, prev) in enumerate(sorted(versions), start=1):
        if version != expected:
            report.failures.append(
                BundleFailure(
                    "version_gap",
                    f"version {expected} of the stream is missing from the bundle",
                    stream=stream,
                    version=version,
                )
            )
            return
        wanted = None if previous is None else previous.hex()
        if prev != wanted:
            report.failures.append(
                BundleFailure(
                    "chain_break",
                    "prev is not the hash of the previous version",
                    stream=stream,
                    version=version,
                )
            )
        previous = digest


def _check_held(
    checkpoint: note.Checkpoint,
    held: Sequence[bytes],
    verifiers: Sequence[note.NoteVerifier],
    report: BundleReport,
) -> None:
    for i, raw in enumerate(held, start=1):
        try:
            other = note.parse_checkpoint(note.open_note(raw, verifiers).text)
        except note.NoteError as exc:
            msg = f"điểm chốt thứ {i} không hợp lệ (chi tiết kỹ thuật: {exc})"
            raise BundleInputError(msg) from exc
        if (
            other.origin == checkpoint.origin
            and other.size == checkpoint.size
            and other.root != checkpoint.root
        ):
            report.failures.append(
                BundleFailure(
                    "equivocation",
                    f"held checkpoint #{i} has another root at size "
                    f"{checkpoint.size}: the log signed two histories",
                )
            )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
