"""Building and checking ballots (votes.md §4.4, §4.5, §7.1 step 4, §7.2).

A ballot holds, per leader in manifest order, three ciphertexts (levels cao, tín nhiệm,
thấp), a 0/1 proof for each and a 0/1 proof for their sum.  Every proof transcript
binds the election fingerprint, the credential and the slot position, so a proof
cannot be moved to another election, voter, leader or level.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from votes.canon import CanonicalError, canonical, parse_canonical, parse_hex
from votes.credentials import CredentialError, load_ed25519_public, public_bytes
from votes.elgamal import Ciphertext, encrypt, sum_ciphertexts
from votes.group import (
    SYSTEM_RANDOMNESS,
    GroupError,
    Point,
    Randomness,
    Scalar,
    decode_point,
    scalar_add,
)
from votes.proofs import DisjunctiveProof, prove_zero_or_one, verify_zero_or_one
from votes.transcript import TAG_BIT, TAG_SUM, int32

SUITE = "ristretto255-sha512-v1"
BALLOT_VERSION = 1
LEVELS = 3
"""Levels in ballot order: 0 = tín nhiệm cao, 1 = tín nhiệm, 2 = tín nhiệm thấp."""

BALLOT_HASH_PREFIX = b"kiemdiem/vote/v1/ballot\n"
BALLOT_SIG_PREFIX = b"kiemdiem/vote/v1/ballot-sig\n"


def max_submission_bytes(leader_count: int) -> int:
    """1 KiB + 2 KiB per leader (§4.4)."""
    return 1024 + 2048 * leader_count


def bit_context(
    fingerprint: bytes, credential: bytes, leader: int, level: int
) -> list[bytes]:
    """ctx of the per-slot proof (§3.5 b)."""
    return [fingerprint, credential, int32(leader), int32(level)]


def sum_context(fingerprint: bytes, credential: bytes, leader: int) -> list[bytes]:
    """ctx of the per-leader sum proof (§3.5 c)."""
    return [fingerprint, credential, int32(leader)]


def ballot_hash(ballot: dict[str, Any]) -> bytes:
    """SHA-256 over prefix and canonical ballot; the signature is not included."""
    return hashlib.sha256(BALLOT_HASH_PREFIX + canonical(ballot)).digest()


def tracking_code(digest: bytes) -> str:
    """base32 of the first 80 bits of the ballot hash, as XXXX-XXXX-XXXX-XXXX."""
    text = base64.b32encode(digest[:10]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def sign_ballot(key: Ed25519PrivateKey, ballot: dict[str, Any]) -> bytes:
    """The credential (mode A) or account (mode B) signature over the ballot."""
    return key.sign(BALLOT_SIG_PREFIX + canonical(ballot))


@dataclass(frozen=True, slots=True)
class BallotOpening:
    """A ballot together with its plaintexts and randomness (the audit opening).

    Only the booth holds the opening; it goes into an audit file when the voter
    challenges the ballot and is wiped otherwise.  It never reaches the server.
    """

    ballot: dict[str, Any]
    choices: tuple[int | None, ...]
    randomness: tuple[tuple[Scalar, ...], ...]


def encrypt_ballot(
    fingerprint: bytes,
    election_key: Point,
    credential: bytes,
    choices: Sequence[int | None],
    rng: Randomness = SYSTEM_RANDOMNESS,
) -> BallotOpening:
    """Encrypt and prove one ballot; choices[ℓ] is a level 0..2 or None (unmarked).

    Randomness is drawn per leader: r_0, r_1, r_2, then the nonces of the three slot
    proofs in level order, then those of the sum proof.
    """
    answers: list[dict[str, Any]] = []
    openings: list[tuple[Scalar, ...]] = []
    for leader, choice in enumerate(choices):
        if choice is not None and not 0 <= choice < LEVELS:
            raise ValueError("a choice is a level 0..2 or None")
        plaintexts = [1 if choice == level else 0 for level in range(LEVELS)]
        rs = tuple(rng.scalar() for _ in range(LEVELS))
        cts = [encrypt(election_key, m, r) for m, r in zip(plaintexts, rs, strict=True)]
        slot_entries = []
        for level, (ct, m, r) in enumerate(zip(cts, plaintexts, rs, strict=True)):
            ctx = bit_context(fingerprint, credential, leader, level)
            proof = prove_zero_or_one(TAG_BIT, ctx, election_key, ct, m, r, rng)
            slot_entries.append(
                {"a": ct.a.hex(), "b": ct.b.hex(), "proof": proof.to_hex()}
            )
        total_r = scalar_add(scalar_add(rs[0], rs[1]), rs[2])
        sum_proof = prove_zero_or_one(
            TAG_SUM,
            sum_context(fingerprint, credential, leader),
            election_key,
            sum_ciphertexts(cts),
            sum(plaintexts),
            total_r,
            rng,
        )
        answers.append({"choices": slot_entries, "sum_proof": sum_proof.to_hex()})
        openings.append(rs)
    ballot = {
        "answers": answers,
        "credential": credential.hex(),
        "election": fingerprint.hex(),
        "suite": SUITE,
        "v": BALLOT_VERSION,
    }
    return BallotOpening(ballot, tuple(choices), tuple(openings))


def make_submission(key: Ed25519PrivateKey, opening: BallotOpening) -> bytes:
    """The canonical body POSTed to the server: {"ballot": ..., "sig": ...}."""
    if opening.ballot["credential"] != public_bytes(key).hex():
        raise ValueError("the key does not match the ballot's credential")
    sig = sign_ballot(key, opening.ballot)
    return canonical({"ballot": opening.ballot, "sig": sig.hex()})


class BallotRejected(ValueError):
    """A submission refused by §7.2; ``code`` is the stable reason for the client."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class BallotContext:
    """What the server knows when it checks a submission (§7.2 steps 2–10)."""

    fingerprint: bytes
    election_key: Point
    leader_count: int
    credential_allowed: Callable[[bytes], bool]
    credential_used: Callable[[bytes], bool]
    a_seen: Callable[[bytes], bool]


@dataclass(frozen=True, slots=True)
class AcceptedBallot:
    """A submission that passed every stateless and stateful check."""

    ballot: dict[str, Any]
    sig: bytes
    ballot_hash: bytes
    credential: bytes
    ciphertexts: tuple[tuple[Ciphertext, ...], ...]

    @property
    def body(self) -> dict[str, Any]:
        """The ``VoteBallotCast`` event body (§11)."""
        return {
            "ballot": self.ballot,
            "ballot_hash": self.ballot_hash.hex(),
            "sig": self.sig.hex(),
        }


def _exact_keys(obj: object, keys: set[str], where: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or set(obj) != keys:
        raise BallotRejected(
            "schema", f"{where} must have exactly the keys {sorted(keys)}"
        )
    return obj


def _list_of(obj: object, length: int, where: str) -> list[Any]:
    if not isinstance(obj, list) or len(obj) != length:
        raise BallotRejected("schema", f"{where} must be a list of {length}")
    return obj


def _point(value: object, where: str) -> Point:
    try:
        return decode_point(parse_hex(value, 32))
    except (CanonicalError, GroupError) as exc:
        raise BallotRejected("point", f"{where}: {exc}") from exc


def _proof(value: object, where: str) -> DisjunctiveProof:
    items = _list_of(value, 4, where)
    try:
        return DisjunctiveProof.from_hex([parse_hex(item, 32).hex() for item in items])
    except (CanonicalError, GroupError) as exc:
        raise BallotRejected("scalar", f"{where}: {exc}") from exc


def check_submission(data: bytes, ctx: BallotContext) -> AcceptedBallot:
    """Run §7.2 steps 2–10 on a received body, stopping at the first failure.

    Step 1 (voting open) and the insertion under the uniqueness constraint (step 11)
    belong to the caller, which owns the election state and the transaction.
    """
    if len(data) > max_submission_bytes(ctx.leader_count):
        raise BallotRejected("size", "submission too large")
    try:
        submission = parse_canonical(data)
    except CanonicalError as exc:
        raise BallotRejected("canonical", str(exc)) from exc
    submission = _exact_keys(submission, {"ballot", "sig"}, "submission")
    ballot = _exact_keys(
        submission["ballot"],
        {"answers", "credential", "election", "suite", "v"},
        "ballot",
    )
    answers = _list_of(ballot["answers"], ctx.leader_count, "answers")
    for leader, answer in enumerate(answers):
        entry = _exact_keys(answer, {"choices", "sum_proof"}, f"answer {leader}")
        for level, choice in enumerate(_list_of(entry["choices"], LEVELS, "choices")):
            _exact_keys(choice, {"a", "b", "proof"}, f"choice {leader}/{level}")
    if ballot["v"] != BALLOT_VERSION or ballot["suite"] != SUITE:
        raise BallotRejected("version", "unknown ballot version or suite")
    try:
        election = parse_hex(ballot["election"], 32)
        credential = parse_hex(ballot["credential"], 32)
        sig = parse_hex(submission["sig"], 64)
    except CanonicalError as exc:
        raise BallotRejected("schema", str(exc)) from exc
    if election != ctx.fingerprint:
        raise BallotRejected("election", "ballot made for another election")
    if not ctx.credential_allowed(credential):
        raise BallotRejected("credential", "credential not issued or voided")
    if ctx.credential_used(credential):
        raise BallotRejected("double_vote", "credential already used")
    encoded = canonical(ballot)
    try:
        load_ed25519_public(credential).verify(sig, BALLOT_SIG_PREFIX + encoded)
    except (CredentialError, InvalidSignature) as exc:
        raise BallotRejected("signature", "credential signature invalid") from exc
    decoded = []
    for leader, answer in enumerate(answers):
        slots = []
        for level, choice in enumerate(answer["choices"]):
            where = f"leader {leader} level {level}"
            ct = Ciphertext(_point(choice["a"], where), _point(choice["b"], where))
            slots.append((ct, _proof(choice["proof"], where)))
        decoded.append((slots, _proof(answer["sum_proof"], f"leader {leader} sum")))
    seen_here: set[bytes] = set()
    for leader, (slots, sum_proof) in enumerate(decoded):
        for level, (ct, proof) in enumerate(slots):
            ctx_items = bit_context(election, credential, leader, level)
            if not verify_zero_or_one(TAG_BIT, ctx_items, ctx.election_key, ct, proof):
                raise BallotRejected(
                    "proof", f"slot proof leader {leader} level {level}"
                )
            if ct.a in seen_here or ctx.a_seen(ct.a):
                raise BallotRejected("replay", "ciphertext already used")
            seen_here.add(ct.a)
        total = sum_ciphertexts([ct for ct, _ in slots])
        items = sum_context(election, credential, leader)
        if not verify_zero_or_one(TAG_SUM, items, ctx.election_key, total, sum_proof):
            raise BallotRejected("proof", f"sum proof leader {leader}")
    return AcceptedBallot(
        ballot=ballot,
        sig=sig,
        ballot_hash=hashlib.sha256(BALLOT_HASH_PREFIX + encoded).digest(),
        credential=credential,
        ciphertexts=tuple(tuple(ct for ct, _ in slots) for slots, _ in decoded),
    )
