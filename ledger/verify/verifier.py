"""`kiemdiem verify`: the standalone, read-only audit of a store (ledger.md §8).

Given a trust root handed over out of band, and optionally checkpoints the auditor
holds, this reads the events, ``ledger_leaves`` and ``ledger_checkpoints`` tables
with plain SQL in one consistent snapshot and checks everything §8.1 lists, in one
pass in notification order:

* rows: envelope, canonical content, columns bound to the signed content, origin;
* keys: the key registry replayed by position, key events authorised, ``pop``;
* signatures: every event signature (in a process pool, §8.4);
* streams: contiguous versions and ``prev`` links;
* the global log: leaf hashes recomputed from the rows against ``ledger_leaves``;
* checkpoints (stored and auditor-held): signatures, roots recomputed at their
  sizes from a compact range during the pass, consistency proofs between
  consecutive sizes, truncation and equivocation;
* cosignatures recorded as ``CheckpointCosigned`` events and witness lines.

It never imports ``domain/``, ``services/`` or ``web/`` and never builds the
library ``Application`` (whose table creation must not run against an audited
store). SQLite is opened with ``mode=ro``; PostgreSQL in one ``REPEATABLE READ
READ ONLY`` transaction.

Each failure is located (dense index, notification id, stream, version) and
carries a stable ``kind`` (:data:`KINDS`); failures that follow from another one
(a leaf mismatch and a broken chain after an edited row, a root mismatch after a
deleted row) are listed under their cause.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import itertools
import json
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger import canonical, envelope, merkle, note, trustroot, verify_rows
from ledger.config import Settings, settings_from_environ
from ledger.errors import ConfigurationError, json_words, os_words
from ledger.keyring import (
    KEY_REGISTERED_TOPIC,
    KEY_TOPICS,
    KeyRecord,
    KeyRegistry,
    KeyValidityError,
    TrustedAdminKey,
    ingest_key_event,
    key_stream_id,
)

PAGE_ROWS = 10_000
SIGNATURE_BATCH = 5_000
CHUNK_ROWS = 500  # rows per task: the last few keep the main process waiting briefly
STATE_FORMAT = "kiemdiem-verify-state/v1"
COSIGNED_EVENT = "CheckpointCosigned"
# Failures kept in memory; beyond this a wholly corrupted store is only counted.
MAX_KEPT_FAILURES = 200_000

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3

# The stable failure identifiers of §8.2, in check order (also the order in which
# several failures at one row pick their cause: the first is the cause).
KINDS = (
    "malformed_envelope",
    "non_canonical_content",
    "position_mismatch",
    "wrong_origin",
    "unknown_key",
    "key_not_yet_valid",
    "key_revoked",
    "key_actor_mismatch",
    "log_key_misuse",
    "unauthorised_key_event",
    "bad_signature",
    "version_gap",
    "chain_break",
    "leaf_mismatch",
    "leaf_missing",
    "leaf_extra",
    "index_not_dense",
    "not_integrated",
    "checkpoint_bad_signature",
    "checkpoint_root_mismatch",
    "log_shorter_than_checkpoint",
    "checkpoint_inconsistent",
    "equivocation",
    "cosignature_invalid",
    "prefix_rewritten",
)
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

CHECKS = (
    "inputs",
    "prefix",
    "genesis",
    "rows",
    "keys",
    "signatures",
    "streams",
    "global_log",
    "stored_checkpoints",
    "auditor_checkpoints",
    "cosignatures",
)
_KIND_CHECK = {
    "malformed_envelope": "rows",
    "non_canonical_content": "rows",
    "position_mismatch": "rows",
    "wrong_origin": "rows",
    "unknown_key": "keys",
    "key_not_yet_valid": "keys",
    "key_revoked": "keys",
    "key_actor_mismatch": "keys",
    "log_key_misuse": "keys",
    "unauthorised_key_event": "keys",
    "bad_signature": "signatures",
    "version_gap": "streams",
    "chain_break": "streams",
    "leaf_mismatch": "global_log",
    "leaf_missing": "global_log",
    "leaf_extra": "global_log",
    "index_not_dense": "global_log",
    "not_integrated": "global_log",
    "cosignature_invalid": "cosignatures",
    "prefix_rewritten": "prefix",
}
# Failures found at one row: the row's bytes are not what was signed or may not
# stand; later failures that follow from them are grouped under them.
_ROW_KINDS = frozenset(KINDS[:11]) | {"cosignature_invalid"}
_CHECKPOINT_FOLLOWERS = frozenset(
    {"checkpoint_root_mismatch", "log_shorter_than_checkpoint"}
)


class VerifyError(Exception):
    """Verification could not run; ``exit_code`` is 2 or 3 (§8.3)."""

    exit_code = EXIT_USAGE


class VerifyInputError(VerifyError):
    """Bad arguments or an unreadable trust root, checkpoint or state file."""

    exit_code = EXIT_USAGE


class StoreUnreadableError(VerifyError):
    """The store cannot be read: connection refused, file or tables missing."""

    exit_code = EXIT_UNREADABLE


# -- report ---------------------------------------------------------------------------


@dataclass
class Failure:
    """One located failure. ``index`` is the dense log index of the row (for a
    checkpoint: its size); ``evidence`` keeps signed notes (equivocation)."""

    kind: str
    detail: str
    index: int | None = None
    notification_id: int | None = None
    stream: str | None = None
    version: int | None = None
    check: str = ""
    evidence: list[str] = field(default_factory=list)
    consequences: list[Failure] = field(default_factory=list)
    # False for a finding that no earlier failure can explain (kept as a cause).
    groupable: bool = field(default=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in _KIND_ORDER:
            msg = f"unknown failure kind {self.kind!r}"
            raise ValueError(msg)
        if not self.check:
            self.check = _KIND_CHECK.get(self.kind, "stored_checkpoints")

    def sort_key(self) -> tuple[int, int, int]:
        index = self.index if self.index is not None else 2**63
        nid = self.notification_id if self.notification_id is not None else 2**63
        return (index, nid, _KIND_ORDER[self.kind])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "notification_id": self.notification_id,
            "stream": self.stream,
            "version": self.version,
            "kind": self.kind,
            "detail": self.detail,
            "consequences": [c.to_json() for c in self.consequences],
        }
        if self.evidence:
            out["evidence"] = list(self.evidence)
        return out

    def walk(self) -> Iterator[Failure]:
        yield self
        for consequence in self.consequences:
            yield from consequence.walk()


@dataclass
class CheckResult:
    name: str
    status: str  # "OK", "FAIL" or "WARN"
    count: int  # how many items the check covered

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "count": self.count}


@dataclass
class Report:
    """The outcome of one run; :meth:`to_json` is the §8.2 JSON object."""

    ok: bool
    origin: str
    counts: dict[str, int]
    checks: list[CheckResult]
    failures: list[Failure]  # causes, sorted by position, consequences nested
    latest_verified_checkpoint: str | None
    elapsed_s: float
    max_failures: int = 100
    warnings: list[Failure] = field(default_factory=list)
    failures_total: int = 0  # causes and consequences, including any not kept
    state_saved: Path | None = None

    @property
    def first_failure(self) -> Failure | None:
        return self.failures[0] if self.failures else None

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        first = self.first_failure
        return {
            "ok": self.ok,
            "origin": self.origin,
            "events": self.counts.get("events", 0),  # the scripting contract
            "counts": dict(self.counts),
            "checks": [c.to_json() for c in self.checks],
            "first_failure": None if first is None else first.to_json(),
            "failures": [f.to_json() for f in self.failures[: self.max_failures]],
            "latest_verified_checkpoint": self.latest_verified_checkpoint,
            "elapsed_s": self.elapsed_s,
        }


# -- inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Witness:
    name: str
    public_key: Ed25519PublicKey
    cosigner: bool  # True: tlog-cosignature (0x04); False: plain note signature


def _not_json(exc: UnicodeDecodeError | json.JSONDecodeError) -> str:
    """The end of "<the file> is not JSON", in Vietnamese."""
    if isinstance(exc, json.JSONDecodeError):
        return json_words(exc)
    return "không phải văn bản UTF-8"


def load_trust_root(path: Path) -> dict[str, Any]:
    """Read and check a trust-root file; raise :class:`VerifyInputError` if bad."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"không đọc được gốc tin cậy {path}: {os_words(exc)}"
        raise VerifyInputError(msg) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerifyInputError(f"gốc tin cậy {path} {_not_json(exc)}") from exc
    check_trust_root(obj)
    return dict(obj)


def check_trust_root(obj: Any) -> None:
    """Validate a parsed trust root (witness keys may be of type 0x01 or 0x04)."""
    if not isinstance(obj, Mapping):
        raise VerifyInputError("gốc tin cậy không phải một đối tượng JSON")
    _witnesses(obj)
    try:
        trustroot.validate({**obj, "witness_keys": []})
    except ConfigurationError as exc:
        raise VerifyInputError(f"gốc tin cậy không hợp lệ: {exc}") from exc


def _witnesses(trust_root: Mapping[str, Any]) -> list[_Witness]:
    out = []
    keys = trust_root.get("witness_keys", [])
    if not isinstance(keys, list):
        raise VerifyInputError("witness_keys của gốc tin cậy không phải một danh sách")
    for text in keys:
        if not isinstance(text, str):
            raise VerifyInputError(
                "một khóa nhân chứng của gốc tin cậy không phải chuỗi"
            )
        try:
            name, public_key = note.parse_cosigner_key(text)
            out.append(_Witness(name, public_key, cosigner=True))
        except note.NoteError:
            try:
                verifier = note.parse_verifier_key(text)
            except (note.NoteError, ValueError) as exc:
                msg = "gốc tin cậy có một khóa nhân chứng sai dạng"
                msg += f" (chi tiết kỹ thuật: {exc})"
                raise VerifyInputError(msg) from exc
            out.append(_Witness(verifier.name, verifier.public_key, cosigner=False))
    return out


def read_checkpoint_files(paths: Iterable[Path]) -> list[tuple[str, bytes]]:
    """Read auditor-held checkpoint notes as ``(label, bytes)`` pairs."""
    out = []
    for path in paths:
        try:
            out.append((str(path), path.read_bytes()))
        except OSError as exc:
            msg = f"không đọc được điểm chốt {path}: {os_words(exc)}"
            raise VerifyInputError(msg) from exc
    return out


def settings_for(database_url: str | None) -> Settings:
    """Parse the database URL with :mod:`ledger.config` (no library settings)."""
    environ = {k: v for k, v in os.environ.items() if k.startswith("KIEMDIEM_")}
    try:
        settings = settings_from_environ(environ, database_url)
    except ConfigurationError as exc:
        raise VerifyInputError(str(exc)) from exc
    if settings.memory:
        msg = "không kiểm tra được sqlite:///:memory: (bộ nhớ của tiến trình khác)"
        raise VerifyInputError(msg)
    return settings


# -- reading the store ----------------------------------------------------------------


class _Store:
    """Plain-SQL reads of one consistent snapshot, SQLite or PostgreSQL."""

    def __init__(self, settings: Settings) -> None:
        self.postgres = settings.backend == "postgres"
        self.schema = settings.pg_schema
        self.conn: Any = self._connect(settings)
        if self.postgres:
            self.events = self.table("ledger_events")
            self.nid = "notification_id"
        else:
            self.events = "stored_events"
            self.nid = "rowid"

    def _connect(self, settings: Settings) -> Any:
        if self.postgres:
            return self._connect_postgres(settings)
        path, _, query = (settings.sqlite_path or "").partition("?")
        options = ["mode=ro"]
        if "immutable=1" in query.split("&"):
            options.append("immutable=1")
        if not Path(path).is_file():
            raise StoreUnreadableError(f"không có kho SQLite ở {path}")
        uri = f"file:{quote(path)}?{'&'.join(options)}"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            conn.text_factory = bytes
            conn.execute("BEGIN")  # one read snapshot for every page
        except sqlite3.Error as exc:
            raise StoreUnreadableError(
                f"không mở được {path} (chi tiết kỹ thuật: {exc})"
            ) from exc
        return conn

    def _connect_postgres(self, settings: Settings) -> Any:
        import psycopg

        info = {k: v for k, v in settings.pg_conninfo.items() if v}
        conninfo = psycopg.conninfo.make_conninfo(**info, connect_timeout=10)
        try:
            conn = psycopg.connect(conninfo)
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
        except psycopg.Error as exc:
            msg = f"không kết nối được PostgreSQL (chi tiết kỹ thuật: {exc})"
            raise StoreUnreadableError(msg) from exc
        return conn

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"' if self.postgres else name

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        if self.postgres:
            statement = statement.replace("?", "%s")
        try:
            return list(self.conn.execute(statement, tuple(params)).fetchall())
        except sqlite3.Error as exc:
            raise StoreUnreadableError(
                f"không đọc được kho (chi tiết kỹ thuật: {exc})"
            ) from exc
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                msg = f"không đọc được kho (chi tiết kỹ thuật: {exc})"
                raise StoreUnreadableError(msg) from exc
            raise

    def close(self) -> None:
        with contextlib.suppress(Exception):  # ending a read-only snapshot
            self.conn.rollback() if self.postgres else self.conn.execute("ROLLBACK")
        self.conn.close()

    def count_rows(self) -> int:
        rows = self.query(f"SELECT count(*) FROM {self.events}")  # noqa: S608
        return int(rows[0][0])

    def row_pages(self, columns: str) -> Iterator[list[Any]]:
        after = -(2**63)
        statement = (
            f"SELECT {self.nid}, {columns} FROM {self.events} "  # noqa: S608
            f"WHERE {self.nid} > ? ORDER BY {self.nid} LIMIT ?"
        )
        while True:
            page = self.query(statement, (after, PAGE_ROWS))
            if not page:
                return
            yield page
            if len(page) < PAGE_ROWS:
                return
            after = page[-1][0]

    def leaf_pages(self) -> Iterator[list[Any]]:
        after = -(2**63)
        statement = (
            "SELECT idx, notification_id, leaf_hash FROM "  # noqa: S608
            f"{self.table('ledger_leaves')} WHERE idx > ? ORDER BY idx LIMIT ?"
        )
        while True:
            page = self.query(statement, (after, PAGE_ROWS))
            if not page:
                return
            yield page
            if len(page) < PAGE_ROWS:
                return
            after = page[-1][0]

    def integrator_position(self) -> int | None:
        """The notification id of the last leaf: where the integrator stands."""
        rows = self.query(
            f"SELECT notification_id FROM {self.table('ledger_leaves')} "  # noqa: S608
            "ORDER BY idx DESC LIMIT 1"
        )
        return None if not rows else _as_int(rows[0][0])

    def checkpoints(self) -> list[tuple[Any, Any, Any]]:
        return [
            (r[0], r[1], r[2])
            for r in self.query(
                f"SELECT size, root, note FROM {self.table('ledger_checkpoints')} "  # noqa: S608
                "ORDER BY size"
            )
        ]


def _as_int(value: Any) -> int | None:
    return value if type(value) is int else None


def _as_bytes(value: Any) -> bytes | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return None


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    raw = _as_bytes(value)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _same_stream(column: Any, stream: UUID) -> bool:
    """The originator_id column names ``stream`` (SQLite stores 32 hex digits)."""
    if column == stream.hex.encode("ascii"):
        return True
    return _as_uuid(column) == stream


def _same_text(column: Any, text: str) -> bool:
    return bool(column == text.encode("utf-8") or _as_text(column) == text)


def _as_uuid(value: Any) -> UUID | None:
    if isinstance(value, UUID):
        return value
    text = _as_text(value)
    if text is None:
        return None
    try:
        return UUID(text)
    except ValueError:
        return None


# -- signatures in a process pool -----------------------------------------------------


def check_signature_batch(batch: Sequence[tuple[bytes, bytes, bytes]]) -> list[int]:
    """Positions in ``batch`` of (public key raw, signature, message) that fail."""
    keys: dict[bytes, Ed25519PublicKey] = {}
    bad = []
    for i, (public_raw, signature, message) in enumerate(batch):
        key = keys.get(public_raw)
        if key is None:
            try:
                key = keys[public_raw] = Ed25519PublicKey.from_public_bytes(public_raw)
            except ValueError:
                bad.append(i)
                continue
        if not verify_rows.ed25519_valid(key, public_raw, signature, message):
            bad.append(i)
    return bad


# index, notification id, stream, version: where a failure is
_Ref = tuple[int, int, UUID | str | None, int | None]


def _column_ref(ordinal: int, nid: int, oid: Any, ver_column: Any) -> _Ref:
    """A location from the columns alone, when the content cannot say."""
    stream = _as_uuid(oid)
    return (
        ordinal,
        nid,
        stream if stream is not None else _as_text(oid),
        _as_int(ver_column),
    )


class _Signatures:
    """Batches of ~5,000 triples, checked inline (jobs=1) or in a process pool."""

    def __init__(self, jobs: int, on_bad: Callable[[_Ref], None]) -> None:
        self.on_bad = on_bad
        self.jobs = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        self.batch: list[tuple[bytes, bytes, bytes]] = []
        self.refs: list[_Ref] = []
        self.pending: deque[tuple[Future[list[int]], list[_Ref]]] = deque()
        self.checked = 0

    def add(
        self, public_raw: bytes, signature: bytes, message: bytes, ref: _Ref
    ) -> None:
        self.batch.append((public_raw, signature, message))
        self.refs.append(ref)
        if len(self.batch) >= SIGNATURE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, refs = self.batch, self.refs
        self.batch, self.refs = [], []
        self.checked += len(batch)
        if self.pool is None:
            self._report(check_signature_batch(batch), refs)
            return
        self.pending.append((self.pool.submit(check_signature_batch, batch), refs))
        while len(self.pending) > 2 * self.jobs:
            self._collect_one()
        while self.pending and self.pending[0][0].done():
            self._collect_one()

    def _collect_one(self) -> None:
        future, refs = self.pending.popleft()
        self._report(future.result(), refs)

    def _report(self, bad: list[int], refs: list[_Ref]) -> None:
        for i in bad:
            self.on_bad(refs[i])

    def finish(self) -> None:
        self.flush()
        while self.pending:
            self._collect_one()
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


# -- the Merkle tree over the recomputed leaves ----------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _subproof_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose tree hashes make up SUBPROOF(m, D[n], true), in proof
    order (RFC 9162 §2.1.4.1, as ``merkle.consistency_proof`` builds it)."""
    out: list[tuple[int, int]] = []
    lo, hi, complete = 0, n, True
    while m != hi - lo:
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        out.append((lo, hi))
    out.reverse()
    return out


def _decomposition(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees of a compact range of ``size`` leaves, largest first."""
    out = []
    start = 0
    for height in range(size.bit_length() - 1, -1, -1):
        if size >> height & 1:
            out.append((start, start + (1 << height)))
            start += 1 << height
    return out


class _Tree:
    """A compact range over the recomputed leaf hashes that records the root at
    each target size and the consistency proof between consecutive targets.

    Nodes of a proof left of the older size are that size's compact range; those
    right of it are hashed from fresh compact ranges fed during the pass, so no
    leaf list is ever held (§8.4).
    """

    def __init__(self, targets: Iterable[int], extra: Iterable[int] = ()) -> None:
        """Proofs link consecutive ``targets``; ``extra`` sizes get a root only."""
        self.range = merkle.CompactRange()
        self.targets = sorted({t for t in targets if t > 0})
        self._proof_sizes = frozenset(self.targets)
        self._stops = sorted(self._proof_sizes | {t for t in extra if t > 0})
        self.roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
        self.proofs: dict[tuple[int, int], list[bytes]] = {}
        self._stop = 0
        self._previous = 0
        self._left: dict[tuple[int, int], bytes] = {}
        self._right: list[tuple[int, int]] = []
        self._nodes: dict[tuple[int, int], bytes] = {}
        for m, n in itertools.pairwise(self.targets):
            self._right.extend(r for r in _subproof_ranges(m, n) if r[0] >= m)
        self._right.sort()
        self._r = 0
        self._active: merkle.CompactRange | None = None

    @property
    def size(self) -> int:
        return self.range.size

    def append(self, leaf: bytes) -> None:
        index = self.range.size
        if self._r < len(self._right):
            start, end = self._right[self._r]
            if index >= start:
                if self._active is None:
                    self._active = merkle.CompactRange()
                self._active.append(leaf)
                if index + 1 == end:
                    self._nodes[(start, end)] = self._active.root()
                    self._active = None
                    self._r += 1
        self.range.append(leaf)
        if self._stop < len(self._stops) and index + 1 == self._stops[self._stop]:
            self._stop += 1
            self._reached(index + 1)

    def _reached(self, size: int) -> None:
        self.roots[size] = self.range.root()
        if size not in self._proof_sizes:
            return
        if self._previous:
            proof = []
            for part in _subproof_ranges(self._previous, size):
                node = self._left.get(part) or self._nodes.pop(part, None)
                if node is None:  # pragma: no cover - guarded by a unit test
                    msg = f"internal: no hash for leaves {part} of a proof"
                    raise AssertionError(msg)
                proof.append(node)
            self.proofs[(self._previous, size)] = proof
        hashes = self.range.to_json()["hashes"]
        if not isinstance(hashes, list):  # pragma: no cover - CompactRange's format
            raise TypeError("compact range hashes are not a list")
        self._left = {
            part: base64.b64decode(h)
            for part, h in zip(_decomposition(size), hashes, strict=True)
        }
        self._previous = size


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


# -- incremental state ----------------------------------------------------------------


@dataclass
class _SavedState:
    size: int
    root: bytes
    range: merkle.CompactRange
    keys: dict[str, KeyRecord]
    heads: dict[str, tuple[int, bytes]]  # by canonical stream text
    cosignatures: int


def _load_state(path: Path, origin: str) -> _SavedState:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"không đọc được tệp trạng thái {path}: {os_words(exc)}"
        raise VerifyInputError(msg) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerifyInputError(f"tệp trạng thái {path} {_not_json(exc)}") from exc
    try:
        if obj["format"] != STATE_FORMAT:
            raise ValueError(f"not a {STATE_FORMAT} file")
        if obj["origin"] != origin:
            msg = f"the state is for {obj['origin']}, not {origin}"
            raise ValueError(msg)
        compact = merkle.CompactRange.from_json(obj["range"])
        root = base64.b64decode(obj["root"], validate=True)
        size = obj["size"]
        if type(size) is not int or size != compact.size or compact.root() != root:
            raise ValueError("size, root and compact range disagree")
        keys = {}
        for item in obj["keys"]:
            raw = base64.b64decode(item["public_key"], validate=True)
            keys[item["key_id"]] = KeyRecord(
                key_id=item["key_id"],
                public_key=Ed25519PublicKey.from_public_bytes(raw),
                public_key_raw=raw,
                owner=item["owner"],
                role=item["role"],
                cosigner_name=item["cosigner_name"],
                registered_at=int(item["registered_at"]),
                revoked_at=item["revoked_at"],
                revoke_reason=item["revoke_reason"],
            )
        heads = {
            str(UUID(stream)): (int(ver), bytes.fromhex(digest))
            for stream, (ver, digest) in obj["streams"].items()
        }
        cosignatures = int(obj.get("cosignatures", 0))
    except (KeyError, TypeError, ValueError, binascii.Error, merkle.ProofError) as exc:
        msg = f"tệp trạng thái {path} không dùng được (chi tiết kỹ thuật: {exc})"
        raise VerifyInputError(msg) from exc
    return _SavedState(size, root, compact, keys, heads, cosignatures)


def _write_state(
    path: Path,
    *,
    origin: str,
    tree: merkle.CompactRange,
    registry: KeyRegistry,
    heads: Mapping[str, tuple[int, bytes]],
    cosignatures: int,
) -> None:
    obj = {
        "format": STATE_FORMAT,
        "origin": origin,
        "size": tree.size,
        "root": base64.b64encode(tree.root()).decode("ascii"),
        "range": tree.to_json(),
        "keys": [
            {
                "key_id": r.key_id,
                "public_key": base64.b64encode(r.public_key_raw).decode("ascii"),
                "owner": r.owner,
                "role": r.role,
                "cosigner_name": r.cosigner_name,
                "registered_at": r.registered_at,
                "revoked_at": r.revoked_at,
                "revoke_reason": r.revoke_reason,
            }
            for r in registry.keys.values()
        ],
        "streams": {str(s): [v, h.hex()] for s, (v, h) in heads.items()},
        "cosignatures": cosignatures,
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(obj, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, path)


# -- the verifier ---------------------------------------------------------------------


@dataclass(slots=True)
class _Leaf:
    idx: int
    notification_id: int
    leaf_hash: bytes


@dataclass
class _Cosigned:
    ref: _Ref
    body: Mapping[str, Any]
    signer: KeyRecord


class _Verifier:
    def __init__(
        self,
        store: _Store,
        trust_root: Mapping[str, Any],
        *,
        strict: bool,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.store = store
        self.origin: str = trust_root["origin"]
        self.strict = strict
        self.progress = progress
        self.log_verifiers = trustroot.log_verifiers(trust_root)
        self.witnesses = _witnesses(trust_root)
        self.admins = tuple(
            TrustedAdminKey.from_json(k) for k in trust_root["admin_keys"]
        )
        self.registry = KeyRegistry(
            trusted_admins=self.admins, log_key_ids=trustroot.log_key_ids(trust_root)
        )
        self.heads: dict[str, tuple[int, bytes]] = {}
        self.failures: list[Failure] = []
        self.failures_total = 0
        self.not_integrated: list[_Ref] = []
        self.not_integrated_count = 0
        self.cosigned: list[_Cosigned] = []
        self.counts = dict.fromkeys(CHECKS, 0)
        self.witness_cosignatures = 0
        self.genesis_seen: dict[str, int] = {}
        self.prefix_size = 0
        self.saved: _SavedState | None = None
        self.warning: Failure | None = None
        self.rows = 0
        self.integrated_upto: int | None = None
        self.leaves: Iterator[_Leaf] = iter(())
        self.next_leaf: _Leaf | None = None
        self.event_cosignatures = 0
        self.pool_signatures = 0

    # -- failures ---------------------------------------------------------------------
    def fail(
        self,
        kind: str,
        detail: str,
        ref: _Ref | None = None,
        *,
        index: int | None = None,
        check: str = "",
        evidence: Sequence[str] = (),
    ) -> Failure:
        failure = Failure(
            kind, detail, index=index, check=check, evidence=list(evidence)
        )
        if ref is not None:
            failure.index, failure.notification_id, stream, failure.version = ref
            failure.stream = None if stream is None else str(stream)
        self.failures_total += 1
        if len(self.failures) < MAX_KEPT_FAILURES:
            self.failures.append(failure)
        return failure

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

    def _finish_not_integrated(self) -> None:
        if not self.not_integrated_count:
            return
        first, last = self.not_integrated[0], self.not_integrated[-1]
        failure = Failure(
            "not_integrated",
            f"{self.not_integrated_count} row(s) beyond the integrator's position "
            f"(notification ids {first[1]}–{last[1]})",
            index=first[0],
            notification_id=first[1],
            stream=None if first[2] is None else str(first[2]),
            version=first[3],
        )
        if self.strict:
            self.failures_total += 1
            self.failures.append(failure)
        else:
            self.warning = failure

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

    def _genesis_row(
        self, ref: _Ref, content: envelope.Content | None, genesis: bool
    ) -> None:
        if not genesis:
            return
        self.counts["genesis"] += 1
        wanted = {a.key_id: a for a in self.admins}
        problem = None
        if content is None or content.topic != KEY_REGISTERED_TOPIC:
            problem = "is not the registration of a trust-root admin key"
        else:
            body = content.body
            admin = wanted.get(str(body.get("key_id")))
            if admin is None:
                problem = f"registers {body.get('key_id')}, not a trust-root admin key"
            elif (
                body.get("owner") != admin.owner
                or body.get("public_key")
                != base64.b64encode(admin.public_key_raw).decode("ascii")
                or content.key_id != admin.key_id
                or content.actor != admin.owner
            ):
                problem = f"does not match the trust root's admin key {admin.key_id}"
            elif admin.key_id in self.genesis_seen:
                problem = f"registers {admin.key_id} a second time"
            else:
                self.genesis_seen[admin.key_id] = ref[1]
        if problem is not None:
            self.fail(
                "unauthorised_key_event", f"genesis: {problem}", ref, check="genesis"
            )

    def _finish_genesis(self) -> None:
        if self.prefix_size > 0 or self.rows == 0:
            return
        missing = [a.key_id for a in self.admins if a.key_id not in self.genesis_seen]
        if missing and self.rows < len(self.admins):
            self.fail(
                "unauthorised_key_event",
                f"genesis: the log ends before registering {', '.join(missing)}",
                index=self.rows,
                check="genesis",
            )

    def _finish_prefix(self, tree: _Tree) -> None:
        saved = self.saved
        if saved is None:
            return
        self.counts["prefix"] = min(saved.size, tree.size)
        if tree.size < saved.size:
            self.fail(
                "log_shorter_than_checkpoint",
                f"the log has {tree.size} events, fewer than the {saved.size} of the "
                "saved state",
                index=saved.size,
                check="prefix",
            )
            return
        if tree.roots.get(saved.size) == saved.root:
            return
        first = min(
            (
                f
                for f in self.failures
                if f.check == "global_log" and (f.index or 0) < saved.size
            ),
            key=Failure.sort_key,
            default=None,
        )
        where = (
            f"; first differing leaf at index {first.index} "
            f"(notification {first.notification_id})"
            if first is not None
            else ""
        )
        self.fail(
            "prefix_rewritten",
            f"the first {saved.size} events no longer give the saved root{where}",
            index=first.index if first is not None else saved.size,
            check="prefix",
        )

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


def _group(failures: list[Failure], prefix_size: int = 0) -> list[Failure]:
    """Nest consequential failures under their cause; return the causes sorted.

    * several failures at one row: the first in check order is the cause;
    * a leaf mismatch, or a chain failure, at a row with a cause, or a chain
      failure right after a row with a cause (its hash changed);
    * leaf failures inside a rewritten ``--since`` prefix: under ``prefix_rewritten``;
    * a checkpoint root mismatch or truncation: under the earliest event failure
      inside the checkpoint, else under the inconsistency it shows.
    """
    causes: list[Failure] = []
    row_cause: dict[int, Failure] = {}
    by_position: dict[tuple[str, int], Failure] = {}
    for failure in sorted(
        (f for f in failures if f.kind in _ROW_KINDS and f.notification_id is not None),
        key=lambda f: (f.notification_id, _KIND_ORDER[f.kind]),
    ):
        nid = failure.notification_id or 0
        cause = row_cause.get(nid)
        if cause is None:
            row_cause[nid] = failure
            causes.append(failure)
            if failure.stream is not None and failure.version is not None:
                by_position[(failure.stream, failure.version)] = failure
        else:
            cause.consequences.append(failure)
    event_causes = list(causes)
    rest = [
        f
        for f in failures
        if not (f.kind in _ROW_KINDS and f.notification_id is not None)
    ]
    later: list[Failure] = []
    prefix: Failure | None = None
    for failure in rest:
        cause = None
        if failure.kind == "prefix_rewritten":
            prefix = failure
        elif failure.kind in ("leaf_mismatch", "leaf_missing"):
            cause = row_cause.get(failure.notification_id or 0)
        elif failure.kind in ("chain_break", "version_gap") and failure.stream:
            version = failure.version or 0
            cause = row_cause.get(failure.notification_id or 0) or by_position.get(
                (failure.stream, version - 1)
            )
        elif failure.groupable and failure.kind in _CHECKPOINT_FOLLOWERS:
            later.append(failure)
            continue
        if cause is not None:
            cause.consequences.append(failure)
        else:
            causes.append(failure)
            if failure.notification_id is not None or failure.kind == "leaf_extra":
                event_causes.append(failure)
    if prefix is not None:
        inside = [
            f
            for f in causes
            if f.check == "global_log" and f.index is not None and f.index < prefix_size
        ]
        for failure in inside:
            causes.remove(failure)
            prefix.consequences.append(failure)
        moved = {id(f) for f in inside}
        event_causes = [f for f in event_causes if id(f) not in moved] + [prefix]
    event_causes.sort(key=Failure.sort_key)
    inconsistent = [f for f in causes if f.kind == "checkpoint_inconsistent"]
    for failure in later:
        size = failure.index if failure.index is not None else 0
        cause = next(
            (
                f
                for f in event_causes
                if f.index is not None and f.index < size and f.kind != "not_integrated"
            ),
            None,
        )
        if cause is None and failure.kind == "checkpoint_root_mismatch":
            cause = next((f for f in inconsistent if f.index == size), None)
        if cause is not None:
            cause.consequences.append(failure)
        else:
            causes.append(failure)
    for cause in causes:
        for item in cause.walk():
            item.consequences.sort(key=Failure.sort_key)
    causes.sort(key=Failure.sort_key)
    return causes


# -- entry point ----------------------------------------------------------------------


def verify(
    database_url: str | None,
    trust_root: Mapping[str, Any],
    *,
    checkpoints: Sequence[tuple[str, bytes] | bytes] = (),
    since: Path | None = None,
    save_state: Path | None = None,
    jobs: int | None = None,
    max_failures: int = 100,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Audit the store at ``database_url`` against ``trust_root`` (§8).

    ``checkpoints`` are auditor-held notes, as bytes or ``(label, bytes)``.
    ``since`` resumes from a state written by an earlier run's ``save_state``
    (written only when the run is fully successful). ``progress(done, total)`` is
    called after each page of rows. Raises :class:`VerifyInputError` (exit 2) or
    :class:`StoreUnreadableError` (exit 3); integrity findings are in the report.
    """
    started = time.monotonic()
    check_trust_root(trust_root)
    origin: str = trust_root["origin"]
    if jobs is not None and jobs < 1:
        raise VerifyInputError("--jobs phải từ 1 trở lên")
    if max_failures < 0:
        raise VerifyInputError("--max-failures không được âm")
    labelled = [
        item if isinstance(item, tuple) else (f"checkpoint #{i + 1}", item)
        for i, item in enumerate(checkpoints)
    ]
    settings = settings_for(database_url)
    store = _Store(settings)
    try:
        verifier = _Verifier(store, trust_root, strict=strict, progress=progress)
        stored, tree = verifier.run(labelled, since, jobs or os.cpu_count() or 1)
        latest = verifier.checkpoints(stored, tree)
        verifier.cosignatures_check(tree)
    finally:
        store.close()
    verifier.counts["streams"] = len(verifier.heads)
    failures = _group(verifier.failures, verifier.prefix_size)
    failing_checks = {item.check for f in failures for item in f.walk()}
    warning = verifier.warning
    checks = []
    for name in CHECKS:
        if name == "prefix" and since is None:
            continue
        status = "OK"
        if name in failing_checks:
            status = "FAIL"
        elif warning is not None and warning.check == name:
            status = "WARN"
        checks.append(CheckResult(name, status, verifier.counts[name]))
    report = Report(
        ok=verifier.failures_total == 0,
        origin=origin,
        counts={
            "events": verifier.rows,
            "streams": len(verifier.heads),
            "keys": len(verifier.registry.keys),
            "checkpoints": verifier.counts["stored_checkpoints"]
            + verifier.counts["auditor_checkpoints"],
            "cosignatures": verifier.event_cosignatures + verifier.witness_cosignatures,
        },
        checks=checks,
        failures=failures,
        latest_verified_checkpoint=latest,
        elapsed_s=0.0,
        max_failures=max_failures,
        warnings=[warning] if warning is not None else [],
        failures_total=verifier.failures_total,
    )
    if save_state is not None and report.ok:
        try:
            _write_state(
                save_state,
                origin=origin,
                tree=tree.range,
                registry=verifier.registry,
                heads=verifier.heads,
                cosignatures=verifier.event_cosignatures,
            )
        except OSError as exc:
            msg = f"không ghi được tệp trạng thái {save_state}: {os_words(exc)}"
            raise VerifyInputError(msg) from exc
        report.state_saved = save_state
    report.elapsed_s = round(time.monotonic() - started, 3)
    return report
