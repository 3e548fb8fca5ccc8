"""What the record verifier has established so far: the state every check
reads and the earlier checks fill in (V1 the events, V5 the manifest, V6 the keys,
...), and the early start of V9's ballot proofs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from votes.verifier.ballots import MIN_PARALLEL, EarlyProofs
from votes.verifier.group import NEUTRAL
from votes.verifier.record import Event


class _State:
    """The record and what the checks have established about it."""

    def __init__(
        self,
        data: bytes,
        *,
        head: bytes | None = None,
        trust_root: dict[str, Any] | None = None,
        jobs: int | None = None,
        min_parallel: int = MIN_PARALLEL,
        audit_ballots: Sequence[bytes] = (),
    ) -> None:
        self.data = data
        self.audit_ballots = list(audit_ballots)
        self.head = head
        self.trust_root = trust_root
        self.jobs = jobs
        """Processes for the ballot proofs (V9); None: one per CPU."""
        self.min_parallel = min_parallel
        self.notes: list[str] = []
        self.events: list[Event] = []
        self.registry: dict[bytes, tuple[str, bytes]] = {}
        self.manifest: dict[str, Any] = {}
        self.n = 0
        self.t = 0
        self.leaders = 0
        self.organiser = b""
        self.service = b""
        self.trustee_keys: dict[int, bytes] = {}
        self.election_key = NEUTRAL
        self.verification_keys: dict[int, bytes] = {}
        self.fingerprint = b""
        self.credentials: set[bytes] = set()
        self.member_keys: list[tuple[str, str, bytes, bytes]] = []
        self.voided: set[bytes] = set()
        self.issued = 0
        self.ballot_events: list[Event] = []
        self.aggregate: list[list[tuple[bytes, bytes]]] = []
        self.closing: Event | None = None
        self.partials: dict[int, list[list[bytes]]] = {}
        self.counts: list[list[int]] = []
        self.early: EarlyProofs | None = None

    def start_early_proofs(self) -> None:
        """Start V9's ballot proofs on the pool now, from what the record claims
        (:class:`EarlyProofs`); :meth:`close` stops them."""
        self.early = EarlyProofs(self.data, self.jobs, self.min_parallel)

    def close(self) -> None:
        if self.early is not None:
            self.early.close()
            self.early = None

    def _of(self, topic: str) -> list[Event]:
        return [e for e in self.events if e.topic == topic]

    def _one(self, topic: str) -> Event | None:
        found = self._of(topic)
        return found[0] if found else None
