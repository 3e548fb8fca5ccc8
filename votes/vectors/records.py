"""Vectors of a whole election: the key ceremony and decryption, election
records with every kind of tampering, and results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from votes.ceremony import (
    check_share,
    combine_shares,
    deal,
    decrypt_share,
    election_key,
    encrypt_share,
    fingerprint,
    short_fingerprint,
    verification_key,
    x25519_public,
)
from votes.credentials import (
    Slip,
    public_bytes,
)
from votes.elgamal import encrypt
from votes.group import (
    IDENTITY,
    Scalar,
    add,
    base_mul,
    mul,
    sub,
)
from votes.manifest import ManifestInput, build_manifest, manifest_hash
from votes.protocol import Election, ElectionSetup, Topic, run_election
from votes.results import band, display_percent
from votes.tally import combine, lagrange_at_zero, partial_decrypt, verify_partial
from votes.vectors import mutate
from votes.vectors.common import (
    VectorError,
    check_vector,
    sample_leaders,
    seeded_rng,
)
from votes.verifier import verify_record


def ceremony_and_decryption_vectors() -> tuple[dict[str, Any], dict[str, Any]]:
    rng = seeded_rng("ceremony")
    n, t = 5, 3
    accounts = [Slip("account", rng.random_bytes(18)).private_key for _ in range(n)]
    service = Slip("service", rng.random_bytes(18)).private_key
    transports = [rng.random_bytes(32) for _ in range(n)]
    transport_keys = [X25519PrivateKey.from_private_bytes(k) for k in transports]
    manifest = build_manifest(
        ManifestInput(
            election_id="6f1c2b1e-0b7a-4c1e-9d7e-3a2b1c0d9e8f",
            title="Vector election",
            organisation="Vector organisation",
            vote_year=2025,
            conference_date=date(2025, 12, 10),
            mode="A",
            leaders=sample_leaders(2),
            convened=5,
            slip_count=5,
            trustee_keys=[public_bytes(k) for k in accounts],
            threshold=t,
            service_pub=public_bytes(service),
            chair_index=1,
            booth_sha256=bytes(32),
        )
    )
    mh = manifest_hash(manifest)
    dealings = [deal(mh, i, t, rng) for i in range(1, n + 1)]
    shares = []
    received: dict[int, list[Scalar]] = {j: [] for j in range(1, n + 1)}
    for d in dealings:
        for j in range(1, n + 1):
            share = d.share_for(j)
            if j == d.index:
                received[j].append(share)
                continue
            message = encrypt_share(
                mh, d.index, j, x25519_public(transport_keys[j - 1]), share, rng
            )
            opened = decrypt_share(mh, transport_keys[j - 1], message)
            check_vector(
                opened == share and check_share(d.commitments, j, share), "share"
            )
            received[j].append(share)
            shares.append(
                {
                    "ciphertext": message.ciphertext.hex(),
                    "ephemeral_pub": message.ephemeral_pub.hex(),
                    "from": d.index,
                    "nonce": message.nonce.hex(),
                    "share": share.hex(),
                    "to": j,
                }
            )
    commitments = [d.commitments for d in dealings]
    key = election_key(commitments)
    vks = [verification_key(commitments, j) for j in range(1, n + 1)]
    key_shares = [combine_shares(received[j]) for j in range(1, n + 1)]
    for j, s in enumerate(key_shares, start=1):
        check_vector(base_mul(s) == vks[j - 1], f"V_{j}")
    fp = fingerprint(mh, commitments, key, vks)
    ceremony = {
        "election_key": key.hex(),
        "fingerprint": fp.hex(),
        "manifest": manifest,
        "manifest_hash": mh.hex(),
        "n": n,
        "shares": shares,
        "short_fingerprint": short_fingerprint(fp),
        "t": t,
        "trustees": [
            {
                "coefficients": [a.hex() for a in d.coefficients],
                "commitments": [c.hex() for c in d.commitments],
                "i": d.index,
                "key_share": key_shares[d.index - 1].hex(),
                "pok": [p.to_hex() for p in d.proofs],
                "transport_private": transports[d.index - 1].hex(),
                "transport_pub": x25519_public(transport_keys[d.index - 1]).hex(),
            }
            for d in dealings
        ],
        "verification_keys": [v.hex() for v in vks],
    }
    counts = [(3, 0, 1), (0, 2, 2), (0, 0, 0)]
    returned = 5
    tally = tuple(tuple(encrypt(key, c, rng.scalar()) for c in row) for row in counts)
    partials = {}
    for j in range(1, n + 1):
        partials[j] = partial_decrypt(fp, j, key_shares[j - 1], tally, rng)
        check_vector(
            verify_partial(fp, j, vks[j - 1], tally, partials[j]), f"partial {j}"
        )
    subsets = []
    for subset in ([1, 3, 5], [2, 4, 5]):
        coefficients = lagrange_at_zero(subset)
        got = combine(tally, partials, subset, returned)
        check_vector(
            [list(r) for r in got] == [list(r) for r in counts], f"counts {subset}"
        )
        m_points = []
        for leader, row in enumerate(tally):
            m_row = []
            for level, ct in enumerate(row):
                combined = IDENTITY
                for j in subset:
                    combined = add(
                        combined, mul(coefficients[j], partials[j][leader][level].d)
                    )
                m_row.append(sub(ct.b, combined).hex())
            m_points.append(m_row)
        subsets.append(
            {
                "counts": [list(r) for r in got],
                "lagrange": {str(j): c.hex() for j, c in coefficients.items()},
                "m": m_points,
                "subset": subset,
            }
        )
    decryption = {
        "aggregate": [[{"a": c.a.hex(), "b": c.b.hex()} for c in row] for row in tally],
        "fingerprint": fp.hex(),
        "partials": {
            str(j): [
                [{"d": s.d.hex(), "proof": s.proof.to_hex()} for s in row] for row in p
            ]
            for j, p in partials.items()
        },
        "returned": returned,
        "subsets": subsets,
        "verification_keys": [v.hex() for v in vks],
    }
    return ceremony, decryption


# -- 11. complete records ----------------------------------------------------------

RECORD_VOTES: list[list[int | None]] = [[0, 2], [2, 2], [None, 1], [1, 2], [2, None]]


def vector_election() -> Election:
    """The mode A election of §12.11: 5 ballots, 2 leaders, 2-of-3 trustees.

    Six members are present and seven slips printed, so the record holds a voided
    credential and an issued one that was never used, which two mutants need.
    """
    setup = ElectionSetup(
        leaders=sample_leaders(2), trustees=3, convened=6, present=6, slip_count=7
    )
    return run_election(setup, RECORD_VOTES, seeded_rng("record"))


Mutation = Callable[[Election, bytes], bytes]


def _ballot(
    index: int, change: Callable[[dict[str, Any]], None], resign: bool
) -> Mutation:
    """Change ballot `index` in a rewritten record, re-signing it when `resign`."""

    def mutation(election: Election, record: bytes) -> bytes:
        def edit(contents: mutate.Contents) -> None:
            body = mutate.of_topic(contents, Topic.BALLOT_CAST)[index]
            change(body)
            if resign:
                mutate.resign_ballot(election, body)

        return mutate.rewrite(election, edit)

    return mutation


def _body(
    topic: Topic, change: Callable[[dict[str, Any]], None], index: int = 0
) -> Mutation:
    """Change the body of the index-th event of a topic and re-sign everything."""

    def mutation(election: Election, record: bytes) -> bytes:
        def edit(contents: mutate.Contents) -> None:
            change(mutate.of_topic(contents, topic)[index])

        return mutate.rewrite(election, edit)

    return mutation


def _first_slot(body: dict[str, Any]) -> dict[str, Any]:
    slot: dict[str, Any] = body["ballot"]["answers"][0]["choices"][0]
    return slot


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(target: dict[str, Any]) -> None:
        target[key] = value

    return change


def _other_election(body: dict[str, Any]) -> None:
    body["ballot"]["election"] = "00" * 32


def _zero_hash(body: dict[str, Any]) -> None:
    body["ballot_hash"] = "00" * 32


def _flip_point(body: dict[str, Any]) -> None:
    _first_slot(body)["b"] = mutate.flip_hex(_first_slot(body)["b"])


def _bump_proof(body: dict[str, Any]) -> None:
    proof = _first_slot(body)["proof"]
    proof[2] = mutate.bump_scalar(proof[2])


def _bump_sum(body: dict[str, Any]) -> None:
    proof = body["ballot"]["answers"][1]["sum_proof"]
    proof[0] = mutate.bump_scalar(proof[0])


def _flip_sig(body: dict[str, Any]) -> None:
    body["sig"] = mutate.flip_hex(body["sig"], 5)


def _swap_credential(election: Election, record: bytes) -> bytes:
    """Ballot 0 re-signed under the one issued slip nobody used (proofs bind it)."""
    listed = {b.credential for b in election.accepted}
    spare = next(s for s in election.issued_slips if s.credential_pub not in listed)

    def edit(contents: mutate.Contents) -> None:
        body = mutate.of_topic(contents, Topic.BALLOT_CAST)[0]
        body["ballot"]["credential"] = spare.credential_pub.hex()
        mutate.resign_ballot(election, body)

    return mutate.rewrite(election, edit)


def _duplicate_ballot(election: Election, record: bytes) -> bytes:
    def edit(contents: mutate.Contents) -> None:
        index = next(
            k for k, c in enumerate(contents) if c["topic"] == Topic.BALLOT_CAST
        )
        contents.insert(index + 1, contents[index])

    return mutate.rewrite(election, edit)


def _bump_share(body: dict[str, Any]) -> None:
    proof = body["shares"][1][2]["proof"]
    proof[1] = mutate.bump_scalar(proof[1])


def _flip_share(body: dict[str, Any]) -> None:
    share = body["shares"][0][0]
    share["d"] = mutate.flip_hex(share["d"])


def _bump_high(body: dict[str, Any]) -> None:
    body["results"][0]["high"] += 1


def _band(body: dict[str, Any]) -> None:
    body["results"][1]["band"] = "NONE"


def _present(body: dict[str, Any]) -> None:
    body["present"] = 3


def _excluded(body: dict[str, Any]) -> None:
    body["manifest"]["leaders"][0]["appointed_or_elected_on"] = "2025-03-01"
    body["manifest_hash"] = manifest_hash(body["manifest"]).hex()


def _bump_pok(body: dict[str, Any]) -> None:
    body["pok"][1][1] = mutate.bump_scalar(body["pok"][1][1])


def _aggregate(body: dict[str, Any]) -> None:
    body["aggregate"][0][0] = body["aggregate"][0][1]


def _raw_ballot_byte(election: Election, record: bytes) -> bytes:
    line = next(
        k
        for k, e in enumerate(election.writer.envelopes)
        if e.topic == Topic.BALLOT_CAST
    )

    def edit(value: dict[str, Any]) -> None:
        _flip_point(value["content"]["body"])

    return mutate.raw_line_edit(record, line, edit)


def _ballot_lines(election: Election) -> list[int]:
    return [
        k
        for k, e in enumerate(election.writer.envelopes)
        if e.topic == Topic.BALLOT_CAST
    ]


MUTANTS: list[tuple[str, str, Mutation]] = [
    ("raw edit of a ballot point, not re-signed", "V2.chain_break", _raw_ballot_byte),
    (
        "ballot deleted",
        "V2.version_gap",
        lambda e, r: mutate.drop_line(r, _ballot_lines(e)[1]),
    ),
    (
        "two ballots swapped",
        "V2.version_gap",
        lambda e, r: mutate.swap_lines(r, *_ballot_lines(e)[:2]),
    ),
    ("quorum not met", "V8.quorum", _body(Topic.ATTENDANCE_RECORDED, _present)),
    (
        "leader appointed in the vote year",
        "V5.leader_excluded",
        _body(Topic.ELECTION_CREATED, _excluded),
    ),
    (
        "proof of knowledge changed",
        "V6.pok_invalid",
        _body(Topic.TRUSTEE_COMMITTED, _bump_pok),
    ),
    ("ballot point changed", "V9.point_invalid", _ballot(0, _flip_point, resign=True)),
    (
        "slot proof scalar changed",
        "V9.proof_invalid",
        _ballot(1, _bump_proof, resign=True),
    ),
    (
        "sum proof scalar changed",
        "V9.sum_proof_invalid",
        _ballot(2, _bump_sum, resign=True),
    ),
    (
        "credential signature changed",
        "V9.signature_invalid",
        _ballot(3, _flip_sig, resign=False),
    ),
    ("ballot moved to another credential", "V9.proof_invalid", _swap_credential),
    (
        "ballot for another election",
        "V9.election_mismatch",
        _ballot(0, _other_election, resign=True),
    ),
    (
        "ballot hash changed",
        "V9.ballot_hash_mismatch",
        _ballot(4, _zero_hash, resign=False),
    ),
    ("ballot submitted twice", "V9.credential_reused", _duplicate_ballot),
    ("aggregate changed", "V10.aggregate", _body(Topic.VOTING_CLOSED, _aggregate)),
    (
        "decryption share point changed",
        "V12.share_invalid",
        _body(Topic.PARTIAL_DECRYPTION, _flip_share),
    ),
    (
        "decryption proof changed",
        "V12.proof_invalid",
        _body(Topic.PARTIAL_DECRYPTION, _bump_share, index=1),
    ),
    (
        "published count changed",
        "V14.high_mismatch",
        _body(Topic.TALLY_PUBLISHED, _bump_high),
    ),
    (
        "published band changed",
        "V14.band_mismatch",
        _body(Topic.TALLY_PUBLISHED, _band),
    ),
]


def record_vectors() -> dict[str, Any]:
    election = vector_election()
    record = election.export()
    check_vector(verify_record(record).ok, "the vector record verifies")
    mutants = []
    for name, expected, mutation in MUTANTS:
        changed = mutation(election, record)
        report = verify_record(changed)
        failure = report.first_failure
        if failure is None:
            raise VectorError(f"mutant {name!r} must fail")
        check_vector(
            failure.name.startswith(expected), f"{name}: {failure.name} != {expected}"
        )
        mutants.append(
            _as_patch(record, changed) | {"expect": failure.name, "name": name}
        )
    return {
        "closing_head": election.closing.event_hash.hex() if election.closing else None,
        "mutants": mutants,
        "record": record.decode("utf-8"),
        "votes": RECORD_VOTES,
    }


def _as_patch(base: bytes, changed: bytes) -> dict[str, Any]:
    """Store a mutant as the shared prefix length plus its own remaining lines."""
    old, new = base.split(b"\n"), changed.split(b"\n")
    keep = 0
    while keep < min(len(old), len(new)) and old[keep] == new[keep]:
        keep += 1
    return {"keep_lines": keep, "tail": b"\n".join(new[keep:]).decode("utf-8")}


def apply_patch(base: str, patch: dict[str, Any]) -> bytes:
    """Rebuild a mutant record from the base record and its patch."""
    lines = base.encode("utf-8").split(b"\n")[: patch["keep_lines"]]
    return b"\n".join([*lines, patch["tail"].encode("utf-8")])


# -- 12. results -------------------------------------------------------------------


def result_vectors() -> dict[str, Any]:
    bands = [
        (40, 20),
        (40, 21),
        (40, 26),
        (40, 27),
        (30, 20),
        (30, 19),
        (3, 2),
        (2, 1),
        (2, 2),
        (1, 0),
        (1, 1),
        (45, 21),
        (6, 4),
        (6, 3),
        (7, 4),
    ]
    displays = [(1, 3), (2, 3), (21, 40), (0, 5), (5, 5), (1, 8), (1, 6), (199, 200)]
    return {
        "bands": [
            {"band": band(r, low).value, "low": low, "returned": r} for r, low in bands
        ],
        "display": [
            {"count": c, "returned": r, "text": display_percent(c, r)}
            for c, r in displays
        ],
    }


# -- wrapped account keys (mode B booth, ledger.md §4.4) ----------------------------
