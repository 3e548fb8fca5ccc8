"""The key ceremony of a vote (votes.md §5): trustees register, commit, send their
encrypted shares, complain or confirm, and the election key is published. Each
step checks its rules before its event exists; the state it reads and the event it
records are :class:`~votes.vote_state.VoteState`'s."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import DomainError
from votes.ceremony import (
    CeremonyError,
    check_commitments,
    election_key,
    fingerprint,
    short_fingerprint,
)
from votes.group import GroupError
from votes.proofs import SchnorrProof
from votes.vote_events import (
    ElectionKeyPublished,
    KeyCeremonyAborted,
    Phase,
    TrusteeCommitted,
    TrusteeComplaint,
    TrusteeRegistered,
    TrusteeShareSent,
    TrusteeSharesVerified,
)
from votes.vote_spec import (
    COMPLAINT_REASONS,
    ShareMessage,
    hex_field,
    point_field,
    verification_key_of,
)
from votes.vote_state import VoteState


class VoteCeremony(VoteState):
    """A vote's ceremony steps (the rest of its commands: ``votes.aggregates.Vote``)."""

    # -- key ceremony (§5) -----------------------------------------------------------
    def register_trustee(self, i: int, transport_pub: str, *, by_key: bytes) -> None:
        """Step 1: trustee i's per-election X25519 transport key."""
        self._require_phase("register_trustee", Phase.CEREMONY)
        self._require_trustee(i, by_key)
        if i in self.registered:
            raise DomainError("vote.trustee_already_registered", index=i)
        raw = hex_field(transport_pub, 32, "vote.transport_key_invalid")
        if raw == bytes(32) or raw in self.registered.values():
            raise DomainError("vote.transport_key_invalid")
        self._trigger(TrusteeRegistered, i=i, transport_pub=raw.hex())

    def commit_trustee(
        self,
        i: int,
        commitments: Sequence[str],
        pok: Sequence[Sequence[str]],
        *,
        by_key: bytes,
    ) -> None:
        """Step 2: t Feldman commitments, each with its proof of knowledge."""
        self._require_phase("commit_trustee", Phase.CEREMONY)
        self._require_trustee(i, by_key)
        if len(self.registered) < self.n:
            raise DomainError("vote.ceremony_registration_incomplete")
        if i in self.committed:
            raise DomainError("vote.trustee_already_committed", index=i)
        if self.complaints:
            raise DomainError("vote.ceremony_complaint_pending")
        points = [point_field(c, "vote.commitments_invalid") for c in commitments]
        try:
            proofs = [SchnorrProof.from_hex(list(p)) for p in pok]
            check_commitments(self.manifest_hash, i, self.t, points, proofs)
        except (CeremonyError, GroupError, ValueError, TypeError):
            raise DomainError("vote.commitments_invalid", index=i) from None
        self._trigger(
            TrusteeCommitted,
            commitments=[p.hex() for p in points],
            i=i,
            pok=[p.to_hex() for p in proofs],
        )

    def send_shares(
        self, i: int, shares: Sequence[ShareMessage], *, by_key: bytes
    ) -> None:
        """Step 3: trustee i's encrypted share for every other trustee, at once."""
        self._require_phase("send_shares", Phase.CEREMONY)
        self._require_trustee(i, by_key)
        if len(self.committed) < self.n:
            raise DomainError("vote.ceremony_commitments_incomplete")
        if self.complaints:
            raise DomainError("vote.ceremony_complaint_pending")
        if any(sender == i for sender, _ in self.shares_sent):
            raise DomainError("vote.shares_already_sent", index=i)
        recipients = sorted(s.to for s in shares)
        if recipients != [j for j in range(1, self.n + 1) if j != i]:
            raise DomainError("vote.shares_recipients", index=i)
        bodies = [
            {
                "ciphertext": hex_field(
                    share.ciphertext, 48, "vote.share_invalid"
                ).hex(),
                "ephemeral_pub": hex_field(
                    share.ephemeral_pub, 32, "vote.share_invalid"
                ).hex(),
                "from": i,
                "nonce": hex_field(share.nonce, 12, "vote.share_invalid").hex(),
                "to": share.to,
            }
            for share in sorted(shares, key=lambda s: s.to)
        ]
        for body in bodies:
            self._trigger(TrusteeShareSent, **body)

    def file_complaint(
        self, j: int, against: int, reason: str, *, by_key: bytes
    ) -> None:
        """Step 4 failed: trustee j's share from `against` did not check out."""
        self._require_phase("file_complaint", Phase.CEREMONY)
        self._require_trustee(j, by_key)
        if len(self.committed) < self.n:
            raise DomainError("vote.ceremony_commitments_incomplete")
        if against == j or against not in self.trustee_keys:
            raise DomainError("vote.complaint_invalid")
        if reason not in COMPLAINT_REASONS:
            raise DomainError("vote.complaint_invalid", reason=reason)
        if j in self.confirmed:
            raise DomainError("vote.trustee_already_confirmed", index=j)
        self._trigger(TrusteeComplaint, against=against, j=j, reason=reason)

    def confirm_shares(self, j: int, verification_key: str, *, by_key: bytes) -> None:
        """Step 4 passed: trustee j checked every share and states V_j = s_j·G."""
        self._require_phase("confirm_shares", Phase.CEREMONY)
        self._require_trustee(j, by_key)
        expected = {(a, b) for a in self.trustee_keys for b in self.trustee_keys}
        if self.shares_sent != {(a, b) for a, b in expected if a != b}:
            raise DomainError("vote.ceremony_shares_incomplete")
        if self.complaints:
            raise DomainError("vote.ceremony_complaint_pending")
        if j in self.confirmed:
            raise DomainError("vote.trustee_already_confirmed", index=j)
        stated = point_field(verification_key, "vote.verification_key_mismatch")
        if stated != verification_key_of(self.committed, self.n, j):
            raise DomainError("vote.verification_key_mismatch", index=j)
        self._trigger(TrusteeSharesVerified, j=j, verification_key=stated.hex())

    def abort_ceremony(self, reason: str) -> None:
        """Step 5: any complaint aborts the run; trustees start again from step 1."""
        self._require_phase("abort_ceremony", Phase.CEREMONY)
        text = " ".join(reason.split())
        if not text:
            raise DomainError("vote.reason_required")
        if not self.registered:
            raise DomainError("vote.ceremony_not_started")
        self._trigger(KeyCeremonyAborted, reason=text, run=self.run)

    def publish_key(self) -> None:
        """Step 6: Y, every V_j and the fingerprint, computed here from the record."""
        self._require_phase("publish_key", Phase.CEREMONY)
        if len(self.confirmed) < self.n or self.complaints:
            raise DomainError("vote.ceremony_confirmations_incomplete")
        commitments = [self.committed[i] for i in range(1, self.n + 1)]
        key = election_key(commitments)
        keys = [self.confirmed[j] for j in range(1, self.n + 1)]
        digest = fingerprint(self.manifest_hash, commitments, key, keys)
        self._trigger(
            ElectionKeyPublished,
            election_key=key.hex(),
            fingerprint=digest.hex(),
            short_fingerprint=short_fingerprint(digest),
            verification_keys=[v.hex() for v in keys],
        )
