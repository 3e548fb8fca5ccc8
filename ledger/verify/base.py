"""The verifier's running state and its findings: failures as they are made,
and the checks made at the ends of the pass (genesis, integration, the
``--since`` prefix)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger import envelope, trustroot
from ledger.keyring import KEY_REGISTERED_TOPIC, KeyRecord, KeyRegistry, TrustedAdminKey
from ledger.verify.incremental import _SavedState
from ledger.verify.inputs import _witnesses
from ledger.verify.report import CHECKS, Failure
from ledger.verify.store import _Ref, _Store
from ledger.verify.tree import _Tree

# Failures kept in memory; beyond this a wholly corrupted store is only counted.
MAX_KEPT_FAILURES = 200_000


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


class _Base:
    """What the verifier knows and has found; the pass (``verifier._Verifier``)
    and the checkpoint checks (``checkpoints._Checkpoints``) build on it."""

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

    # -- the ends of the pass ---------------------------------------------------------
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
