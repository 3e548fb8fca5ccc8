"""Generate the published test vectors (votes.md §12) deterministically.

Run ``python -m votes.vectors.generate`` to rewrite the JSON files next to this module,
or ``--check`` to compare them byte for byte (the tests do the same).  Every file has
its own seed, so a change to one set of vectors never shifts the values of another.
Every "invalid" case is checked here against the Python implementation before it is
written: a vector file cannot claim a rejection the code does not perform.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import unicodedata
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger import keywrap
from votes import ballot as ballots
from votes.canon import CanonicalError, canonical, parse_canonical, parse_hex
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
    CredentialError,
    Slip,
    is_small_order,
    load_ed25519_public,
    parse_code,
    parse_qr,
    public_bytes,
)
from votes.elgamal import Ciphertext, encrypt, sum_ciphertexts
from votes.group import (
    GENERATOR,
    IDENTITY,
    GroupError,
    L,
    Point,
    Scalar,
    add,
    base_mul,
    decode_point,
    decode_scalar,
    mul,
    scalar_add,
    scalar_from_int,
    sub,
)
from votes.manifest import Leader, ManifestInput, build_manifest, manifest_hash
from votes.proofs import (
    DisjunctiveProof,
    ProofError,
    prove_zero_or_one,
    verify_zero_or_one,
)
from votes.protocol import Election, ElectionSetup, Topic, run_election
from votes.results import band, display_percent
from votes.tally import combine, lagrange_at_zero, partial_decrypt, verify_partial
from votes.transcript import TAG_BIT, TAG_SUM, hash_to_scalar, int32, transcript
from votes.vectors import mutate
from votes.vectors.testrng import RecordingRandomness, TestRandomness
from votes.verifier import verify_record

HERE = Path(__file__).parent
SEED = b"kiemdiem/vote/v1/vectors"

RFC9496_MULTIPLES = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
    "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
    "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
    "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
    "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
    "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
    "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
    "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
    "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
    "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
    "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
]

_RFC9496_INVALID = {
    "non-canonical field encoding": [
        "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ],
    "negative field element": [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
        "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
        "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
        "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
        "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
        "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
    ],
    "non-square x^2": [
        "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
        "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
        "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
        "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
        "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
        "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
        "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
        "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
    ],
    "negative x*y": [
        "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
        "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
        "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
        "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
        "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
        "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
        "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
        "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
    ],
    "s = -1": ["ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"],
}


class VectorError(AssertionError):
    """The implementation disagrees with a vector it is about to publish."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise VectorError(message)


def _rejects(error: type[Exception], action: Callable[..., object], *args: Any) -> bool:
    """True when action(*args) raises error."""
    try:
        action(*args)
    except error:
        return True
    return False


def _rng(label: str) -> TestRandomness:
    return TestRandomness(SEED + b"/" + label.encode())


def _leaders(count: int) -> list[Leader]:
    return [
        Leader(f"Lãnh đạo {i + 1}", f"Chức vụ {i + 1}", date(2020, 1 + i % 12, 1))
        for i in range(count)
    ]


def _le(value: int) -> str:
    return value.to_bytes(32, "little").hex()


# -- 1. group ----------------------------------------------------------------------


def group_vectors() -> dict[str, Any]:
    multiples = [
        {"k": str(k), "point": base_mul(scalar_from_int(k)).hex()} for k in range(17)
    ]
    multiples.append({"k": str(L - 1), "point": base_mul(scalar_from_int(L - 1)).hex()})
    for k, expected in enumerate(RFC9496_MULTIPLES):
        _require(multiples[k]["point"] == expected, f"{k}·G differs from RFC 9496")
    invalid = [
        {"hex": h, "reason": reason}
        for reason, items in _RFC9496_INVALID.items()
        for h in items
    ]
    two_p_minus_g = (2 * (2**255 - 19) - int.from_bytes(GENERATOR, "little")).to_bytes(
        32, "little"
    )
    invalid.append({"hex": two_p_minus_g.hex(), "reason": "non-canonical 2p - s of G"})
    high_bit = bytearray(GENERATOR)
    high_bit[31] |= 0x80
    invalid.append({"hex": bytes(high_bit).hex(), "reason": "high bit set on G"})
    for case in invalid:
        _require(
            _rejects(GroupError, decode_point, bytes.fromhex(case["hex"])),
            f"{case['hex']} must be rejected",
        )
    identity = {
        "hex": IDENTITY.hex(),
        "valid_encoding": True,
        "reject_identity": True,
        "note": "rejected for Y, C, V_j, ballot A and B and D_j (§4.1)",
    }
    _require(_rejects(GroupError, decode_point, IDENTITY), "identity rejected")
    _require(
        decode_point(IDENTITY, allow_identity=True) == IDENTITY, "identity decodes"
    )
    scalar_cases = [
        (0, True),
        (1, True),
        (L - 1, True),
        (L, False),
        (2**255 - 1, False),
    ]
    scalars = []
    for value, valid in scalar_cases:
        raw = value.to_bytes(32, "little")
        _require(_rejects(GroupError, decode_scalar, raw) != valid, f"scalar {value}")
        scalars.append({"hex": raw.hex(), "valid": valid})
    return {
        "generator": GENERATOR.hex(),
        "identity": identity,
        "invalid_points": invalid,
        "multiples": multiples,
        "order": str(L),
        "scalars": scalars,
    }


# -- 2. hash to scalar -------------------------------------------------------------


def hash_vectors() -> dict[str, Any]:
    cases: list[tuple[str, list[bytes]]] = [
        (TAG_BIT, []),
        (TAG_BIT, [b""]),
        (TAG_SUM, [b"", b"", b""]),
        ("kiemdiem/vote/v1/dec", [int32(0), int32(7), int32(2**32 - 1)]),
        ("kiemdiem/vote/v1/pok", [GENERATOR, IDENTITY, b"abc"]),
        ("kiemdiem/vote/v1/bit", [bytes(range(64))]),
    ]
    return {
        "cases": [
            {
                "dst": dst,
                "items": [item.hex() for item in items],
                "scalar": hash_to_scalar(dst, *items).hex(),
                "transcript": transcript(dst, *items).hex(),
            }
            for dst, items in cases
        ]
    }


# -- 3. canonical JSON -------------------------------------------------------------


def canonical_vectors() -> dict[str, Any]:
    values: list[Any] = [
        {"b": 1, "a": [True, None, "x"]},
        {"title": "Lấy phiếu tín nhiệm", "n": 9007199254740991},
        {"esc": 'quote " backslash \\ tab \t nul \u0000 del \u007f'},
        [],
        {"z": {"y": {"x": []}}},
    ]
    valid = [{"canonical": canonical(v).decode("utf-8"), "value": v} for v in values]
    rejects = [
        ("1.0", "float"),
        ("1e3", "exponent"),
        ("-0", "negative zero is not canonical"),
        ("[01]", "leading zero"),
        ('{"a":1,"a":2}', "duplicate key"),
        ('{"b":1,"a":2}', "keys not sorted"),
        ('{"a": 1}', "whitespace"),
        (' {"a":1}', "leading whitespace"),
        ('"\\u0041"', "non-minimal escape"),
        ('"\\/"', "non-minimal escape"),
        ("9007199254740992", "integer above 2^53-1"),
        ("NaN", "not JSON"),
        ('"\\ud800"', "lone surrogate"),
    ]
    for text, reason in rejects:
        _require(
            _rejects(CanonicalError, parse_canonical, text.encode()),
            f"canonical JSON must reject {text!r} ({reason})",
        )
    hexes = [
        ("ab" * 32, 32, True),
        ("AB" * 32, 32, False),
        ("ab" * 31 + "a", 32, False),
        ("ab" * 31, 32, False),
        ("ab" * 31 + " a", 32, False),
    ]
    for value, size, ok in hexes:
        _require(
            _rejects(CanonicalError, parse_hex, value, size) != ok,
            f"hex {value!r} validity",
        )
    return {
        "hex": [{"bytes": s, "valid": ok, "value": v} for v, s, ok in hexes],
        "reject": [{"reason": r, "text": t} for t, r in rejects],
        "valid": valid,
    }


# -- 4. credentials ----------------------------------------------------------------


def credential_vectors() -> dict[str, Any]:
    rng = _rng("credentials")
    election_id = "6f1c2b1e-0b7a-4c1e-9d7e-3a2b1c0d9e8f"
    other_id = "0d9e8f6f-1c2b-4e0b-8c1e-9d7e3a2b1c00"
    cases = []
    for _ in range(3):
        slip = Slip(election_id, rng.random_bytes(18))
        _require(parse_code(election_id, slip.code.lower()) == slip, "normalisation")
        _require(parse_qr(election_id, slip.qr_payload) == slip, "QR round trip")
        cases.append(
            {
                "code": slip.code,
                "credential_pub": slip.credential_pub.hex(),
                "election_id": election_id,
                "k": slip.secret.hex(),
                "qr": slip.qr_payload,
                "seed": slip.seed.hex(),
            }
        )
    code = cases[0]["code"]
    flipped = ("B" if code[0] == "A" else "A") + code[1:]
    rejects = [
        {"code": flipped, "election_id": election_id, "reason": "bad checksum"},
        {"code": code, "election_id": other_id, "reason": "wrong election"},
        {"code": code[:-1], "election_id": election_id, "reason": "wrong length"},
        {"code": code + "A", "election_id": election_id, "reason": "wrong length"},
    ]
    for case in rejects:
        _require(
            _rejects(CredentialError, parse_code, case["election_id"], case["code"]),
            f"slip code must be rejected: {case['reason']}",
        )
    qr_wrong = Slip(other_id, bytes.fromhex(cases[0]["k"])).qr_payload
    _require(
        _rejects(CredentialError, parse_qr, election_id, qr_wrong),
        "QR of another election",
    )
    return {
        "cases": cases,
        "reject": rejects,
        "reject_qr": [{"election_id": election_id, "qr": qr_wrong}],
    }


# -- 5. Ed25519 --------------------------------------------------------------------


def ed25519_vectors() -> dict[str, Any]:
    rng = _rng("ed25519")
    slip = Slip("6f1c2b1e-0b7a-4c1e-9d7e-3a2b1c0d9e8f", rng.random_bytes(18))
    ballot_obj = {"answers": [], "credential": slip.credential_pub.hex(), "v": 1}
    ballot_sig = ballots.sign_ballot(slip.private_key, ballot_obj)
    service = Slip("service", rng.random_bytes(18)).private_key
    receipt_body = {
        "ballot_hash": rng.random_bytes(32).hex(),
        "election": rng.random_bytes(32).hex(),
        "event_hash": rng.random_bytes(32).hex(),
        "position": 23,
        "tracking_code": "ABCD-EFGH-IJKL-MNOP",
        "v": 1,
    }
    receipt_message = b"kiemdiem/vote/v1/receipt\n" + canonical(receipt_body)
    small = []
    for y in (
        "00" * 32,
        "01" + "00" * 31,
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "ec" + "ff" * 30 + "7f",
        "ed" + "ff" * 30 + "7f",
        "ee" + "ff" * 30 + "7f",
    ):
        for sign in (0, 0x80):
            raw = bytes.fromhex(y[:62]) + bytes([int(y[62:], 16) | sign])
            _require(is_small_order(raw), "small order")
            _require(_rejects(CredentialError, load_ed25519_public, raw), "weak key")
            small.append(raw.hex())
    return {
        "ballot_signature": {
            "message": (ballots.BALLOT_SIG_PREFIX + canonical(ballot_obj)).hex(),
            "public": slip.credential_pub.hex(),
            "seed": slip.seed.hex(),
            "signature": ballot_sig.hex(),
        },
        "receipt_signature": {
            "body": receipt_body,
            "message": receipt_message.hex(),
            "public": public_bytes(service).hex(),
            "signature": service.sign(receipt_message).hex(),
        },
        "small_order_public_keys": small,
    }


# -- 6./7. encryption and proofs ---------------------------------------------------


def encryption_and_proof_vectors() -> tuple[dict[str, Any], dict[str, Any]]:
    rng = _rng("proofs")
    y_key = base_mul(rng.scalar())
    encryptions = []
    for m in (0, 1, 2):
        r = rng.scalar()
        ct = encrypt(y_key, m, r)
        encryptions.append(
            {
                "a": ct.a.hex(),
                "b": ct.b.hex(),
                "election_key": y_key.hex(),
                "m": m,
                "r": r.hex(),
            }
        )
    fp, cred = rng.random_bytes(32), rng.random_bytes(32)
    bit_cases = []
    for m in (0, 1):
        r = rng.scalar()
        ct = encrypt(y_key, m, r)
        ctx = ballots.bit_context(fp, cred, 3, 1)
        nonces = TestRandomness(SEED + b"/proofs/nonces/" + bytes([m]))
        proof = prove_zero_or_one(TAG_BIT, ctx, y_key, ct, m, r, nonces)
        _require(verify_zero_or_one(TAG_BIT, ctx, y_key, ct, proof), "bit proof")
        replay = TestRandomness(SEED + b"/proofs/nonces/" + bytes([m]))
        nonce_hex = [replay.scalar().hex() for _ in range(3)]
        negatives = _proof_negatives(y_key, ct, proof, fp, cred)
        bit_cases.append(
            {
                "a": ct.a.hex(),
                "b": ct.b.hex(),
                "credential": cred.hex(),
                "election_key": y_key.hex(),
                "fingerprint": fp.hex(),
                "invalid": negatives,
                "leader": 3,
                "level": 1,
                "m": m,
                "nonces_ck_vk_w": nonce_hex,
                "proof": proof.to_hex(),
                "r": r.hex(),
            }
        )
    r2 = rng.scalar()
    ct2 = encrypt(y_key, 2, r2)
    ctx2 = ballots.bit_context(fp, cred, 0, 0)
    _require(
        _rejects(ProofError, prove_zero_or_one, TAG_BIT, ctx2, y_key, ct2, 2, r2, rng),
        "prover refuses m = 2",
    )
    forged = prove_zero_or_one(TAG_BIT, ctx2, y_key, ct2, 1, r2, rng)
    _require(
        not verify_zero_or_one(TAG_BIT, ctx2, y_key, ct2, forged), "m = 2 rejected"
    )
    two = {"a": ct2.a.hex(), "b": ct2.b.hex(), "m": 2, "proof": forged.to_hex()}
    sum_cases = []
    for marks in ((0, 0, 1), (0, 0, 0), (1, 1, 0)):
        rs = [rng.scalar() for _ in marks]
        cts = [encrypt(y_key, m, r) for m, r in zip(marks, rs, strict=True)]
        total = sum_ciphertexts(cts)
        total_r = scalar_add(scalar_add(rs[0], rs[1]), rs[2])
        ctx = ballots.sum_context(fp, cred, 2)
        claimed = min(sum(marks), 1)
        proof = prove_zero_or_one(TAG_SUM, ctx, y_key, total, claimed, total_r, rng)
        valid = verify_zero_or_one(TAG_SUM, ctx, y_key, total, proof)
        _require(valid == (sum(marks) <= 1), f"sum proof validity for {marks}")
        sum_cases.append(
            {
                "leader": 2,
                "marks": list(marks),
                "proof": proof.to_hex(),
                "slots": [{"a": c.a.hex(), "b": c.b.hex()} for c in cts],
                "sum": {"a": total.a.hex(), "b": total.b.hex()},
                "valid": valid,
            }
        )
    proofs = {
        "bit": bit_cases,
        "credential": cred.hex(),
        "election_key": y_key.hex(),
        "fingerprint": fp.hex(),
        "m2_forgery": two,
        "sum": sum_cases,
    }
    return {"cases": encryptions}, proofs


def _proof_negatives(
    y_key: Point, ct: Ciphertext, proof: DisjunctiveProof, fp: bytes, cred: bytes
) -> list[dict[str, Any]]:
    items = proof.to_hex()
    cases: list[dict[str, Any]] = []
    for k in range(4):
        changed = list(items)
        changed[k] = mutate.bump_scalar(changed[k])
        cases.append({"change": f"scalar {k} + 1", "proof": changed, "context": None})
    moved = {
        "other credential": ballots.bit_context(fp, bytes(32), 3, 1),
        "other leader": ballots.bit_context(fp, cred, 4, 1),
        "other level": ballots.bit_context(fp, cred, 3, 2),
        "other election": ballots.bit_context(bytes(32), cred, 3, 1),
    }
    for name, ctx in moved.items():
        _require(not verify_zero_or_one(TAG_BIT, ctx, y_key, ct, proof), name)
        cases.append(
            {"change": name, "context": [c.hex() for c in ctx], "proof": items}
        )
    for case in cases[:4]:
        bad = DisjunctiveProof.from_hex(case["proof"])
        ctx = ballots.bit_context(fp, cred, 3, 1)
        _require(not verify_zero_or_one(TAG_BIT, ctx, y_key, ct, bad), case["change"])
    return cases


# -- 8. ballots --------------------------------------------------------------------


def ballot_vectors() -> dict[str, Any]:
    sets = []
    for leaders, choices in (
        (1, [2]),
        (2, [0, None]),
        (15, [i % 3 for i in range(14)] + [None]),
    ):
        rng = _rng(f"ballots/{leaders}")
        election = Election(ElectionSetup(leaders=_leaders(leaders)), rng)
        election.run_ceremony()
        slip = Slip(election.election_id, rng.random_bytes(18))
        key = election.election_key
        if key is None:
            raise VectorError("the ceremony produced no key")
        drawn = RecordingRandomness(rng)
        opening = ballots.encrypt_ballot(
            election.fingerprint, key, slip.credential_pub, choices, drawn
        )
        digest = ballots.ballot_hash(opening.ballot)
        submission = ballots.make_submission(slip.private_key, opening)
        context = ballots.BallotContext(
            election.fingerprint,
            key,
            leaders,
            lambda _: True,
            lambda _: False,
            lambda _: False,
        )
        _require(
            ballots.check_submission(submission, context).ballot_hash == digest, "ok"
        )
        sets.append(
            {
                "ballot_canonical": canonical(opening.ballot).decode("ascii"),
                "ballot_hash": digest.hex(),
                "choices": choices,
                "credential_seed": slip.seed.hex(),
                "draws": [scalar.hex() for scalar in drawn.drawn],
                "election_key": key.hex(),
                "fingerprint": election.fingerprint.hex(),
                "leaders": leaders,
                "manifest": election.manifest,
                "randomness": [[r.hex() for r in row] for row in opening.randomness],
                "submission": submission.decode("ascii"),
                "tracking_code": ballots.tracking_code(digest),
            }
        )
    return {"ballots": sets}


# -- 9./10. ceremony and threshold decryption --------------------------------------


def ceremony_and_decryption_vectors() -> tuple[dict[str, Any], dict[str, Any]]:
    rng = _rng("ceremony")
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
            leaders=_leaders(2),
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
            _require(opened == share and check_share(d.commitments, j, share), "share")
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
        _require(base_mul(s) == vks[j - 1], f"V_{j}")
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
        _require(verify_partial(fp, j, vks[j - 1], tally, partials[j]), f"partial {j}")
    subsets = []
    for subset in ([1, 3, 5], [2, 4, 5]):
        coefficients = lagrange_at_zero(subset)
        got = combine(tally, partials, subset, returned)
        _require(
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
        leaders=_leaders(2), trustees=3, convened=6, present=6, slip_count=7
    )
    return run_election(setup, RECORD_VOTES, _rng("record"))


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
    _require(verify_record(record).ok, "the vector record verifies")
    mutants = []
    for name, expected, mutation in MUTANTS:
        changed = mutation(election, record)
        report = verify_record(changed)
        failure = report.first_failure
        if failure is None:
            raise VectorError(f"mutant {name!r} must fail")
        _require(
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


def _fixed(label: str, size: int) -> bytes:
    """Fixed test bytes: SHA-512("kiemdiem/keywrap/test-vector\n" || label)[:size]."""
    return hashlib.sha512(b"kiemdiem/keywrap/test-vector\n" + label.encode()).digest()[
        :size
    ]


def _wrap_fixed(
    seed: bytes,
    password: str,
    user_id: str,
    key_id: str,
    label: str,
    *,
    t: int,
    m: int,
    p: int,
) -> dict[str, int | str]:
    """ledger.keywrap.wrap_seed with a fixed salt and nonce (vectors only)."""
    salt, nonce = _fixed(label + "/salt", 16), _fixed(label + "/nonce", 12)
    kek = keywrap._argon2id(password, salt, t, m, p)
    aad = keywrap._aad(user_id, key_id)
    ct = AESGCM(kek).encrypt(nonce, seed, aad)
    b64 = keywrap._b64encode
    return {
        "alg": "ed25519",
        "ct": b64(ct),
        "kdf": "argon2id",
        "m": m,
        "nonce": b64(nonce),
        "p": p,
        "salt": b64(salt),
        "t": t,
        "v": 1,
    }


def keywrap_vectors() -> dict[str, Any]:
    """The mode B booth opens a member's wrapped key in the browser exactly as
    ledger/keywrap.py does: Argon2id over the NFC UTF-8 password, AES-256-GCM with
    AAD "kiemdiem-keywrap/v1\n" || user id "\n" key id "\n" "ed25519"."""
    cases: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    settings = [
        (
            "production",
            "Mật khẩu bỏ phiếu 2025",
            keywrap.DEFAULT_T,
            keywrap.DEFAULT_M,
            keywrap.DEFAULT_P,
        ),
        ("small", "mat-khau", 1, 64, 1),
        # Typed in decomposed form (some Vietnamese input methods): NFC first.
        ("decomposed", unicodedata.normalize("NFD", "Tín nhiệm cao"), 2, 256, 2),
    ]
    for label, password, t, m, p in settings:
        seed = _fixed(label + "/seed", 32)
        public = public_bytes(Ed25519PrivateKey.from_private_bytes(seed))
        kid = hashlib.sha256(public).digest()[:16].hex()
        user = str(uuid.UUID(bytes=_fixed(label + "/user", 16), version=4))
        wrapped = _wrap_fixed(seed, password, user, kid, label, t=t, m=m, p=p)
        if keywrap.unwrap_seed(wrapped, password, user, kid) != seed:
            raise AssertionError(f"keywrap vector {label!r} does not open")
        cases.append(
            {
                "key_id": kid,
                "label": label,
                "password": password,
                "public_key": public.hex(),
                "seed": seed.hex(),
                "user_id": user,
                "wrapped": wrapped,
            }
        )
    base = cases[1]

    def changed(**fields: Any) -> dict[str, Any]:
        record: dict[str, Any] = dict(base["wrapped"])
        for key, value in fields.items():
            if value is None:
                record.pop(key)
            else:
                record[key] = value
        return record

    ct = base64.b64decode(str(base["wrapped"]["ct"]))
    flipped = base64.b64encode(bytes([ct[0] ^ 1]) + ct[1:]).decode()
    salt = str(base["wrapped"]["salt"])
    # 16 bytes: the 22nd character carries 2 bits and 4 zero bits; set one of
    # those: base64 still decodes to the same bytes, but not canonically.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    loose = salt[:21] + alphabet[alphabet.index(salt[21]) ^ 1] + salt[22:]
    refusals: list[tuple[str, dict[str, Any], str | None, str | None, str | None]] = [
        ("wrong password", base["wrapped"], "mat-khau-khac", None, None),
        ("record of another user", base["wrapped"], None, str(uuid.UUID(int=1)), None),
        ("another key id", base["wrapped"], None, None, "00" * 16),
        ("changed ciphertext", changed(ct=flipped), None, None, None),
        (
            "non-canonical base64",
            changed(salt=loose),
            None,
            None,
            None,
        ),
        ("extra field", changed(x=1), None, None, None),
        ("missing field", changed(nonce=None), None, None, None),
        ("unknown version", changed(v=2), None, None, None),
        ("memory above the cap", changed(m=keywrap.MAX_M + 1), None, None, None),
        ("memory below 8·p", changed(m=7), None, None, None),
        ("parameter not an integer", changed(t="1"), None, None, None),
    ]
    for reason, record, typed, other_user, other_kid in refusals:
        case: dict[str, Any] = {
            "key_id": other_kid or base["key_id"],
            "password": typed or base["password"],
            "reason": reason,
            "user_id": other_user or base["user_id"],
            "wrapped": record,
        }
        try:
            keywrap.unwrap_seed(
                record, case["password"], case["user_id"], case["key_id"]
            )
        except keywrap.KeyUnwrapError:
            invalid.append(case)
        else:  # pragma: no cover - the generator refuses a false claim
            raise AssertionError(f"keywrap vector {reason!r} opens in Python")
    return {
        "aad_prefix": "kiemdiem-keywrap/v1\n",
        "caps": {
            "max_m": keywrap.MAX_M,
            "max_p": keywrap.MAX_P,
            "max_t": keywrap.MAX_T,
        },
        "cases": cases,
        "invalid": invalid,
    }


# -- files -------------------------------------------------------------------------


def build_all() -> dict[str, bytes]:
    """Every vector file name and its exact bytes."""
    encryption, proofs = encryption_and_proof_vectors()
    ceremony, decryption = ceremony_and_decryption_vectors()
    files = {
        "group.json": group_vectors(),
        "hash_to_scalar.json": hash_vectors(),
        "canonical_json.json": canonical_vectors(),
        "credentials.json": credential_vectors(),
        "ed25519.json": ed25519_vectors(),
        "encryption.json": encryption,
        "proofs.json": proofs,
        "ballots.json": ballot_vectors(),
        "ceremony.json": ceremony,
        "decryption.json": decryption,
        "records.json": record_vectors(),
        "results.json": result_vectors(),
        "keywrap.json": keywrap_vectors(),
    }
    return {
        name: (
            json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        ).encode()
        for name, value in files.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    stale = []
    for name, data in build_all().items():
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
    if stale:
        sys.stderr.write(f"stale vector files: {', '.join(stale)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
