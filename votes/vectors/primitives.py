"""Vectors of the primitives: the group, hash to scalar, canonical JSON,
credentials, Ed25519, encryption and proofs, ballots."""

from __future__ import annotations

from typing import Any

from votes import ballot as ballots
from votes.canon import CanonicalError, canonical, parse_canonical, parse_hex
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
    base_mul,
    decode_point,
    decode_scalar,
    scalar_add,
    scalar_from_int,
)
from votes.proofs import (
    DisjunctiveProof,
    ProofError,
    prove_zero_or_one,
    verify_zero_or_one,
)
from votes.protocol import Election, ElectionSetup
from votes.transcript import TAG_BIT, TAG_SUM, hash_to_scalar, int32, transcript
from votes.vectors import mutate
from votes.vectors.common import (
    RFC9496_INVALID,
    RFC9496_MULTIPLES,
    SEED,
    VectorError,
    check_vector,
    refuses,
    sample_leaders,
    seeded_rng,
)
from votes.vectors.testrng import RecordingRandomness, TestRandomness


def group_vectors() -> dict[str, Any]:
    multiples = [
        {"k": str(k), "point": base_mul(scalar_from_int(k)).hex()} for k in range(17)
    ]
    multiples.append({"k": str(L - 1), "point": base_mul(scalar_from_int(L - 1)).hex()})
    for k, expected in enumerate(RFC9496_MULTIPLES):
        check_vector(multiples[k]["point"] == expected, f"{k}·G differs from RFC 9496")
    invalid = [
        {"hex": h, "reason": reason}
        for reason, items in RFC9496_INVALID.items()
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
        check_vector(
            refuses(GroupError, decode_point, bytes.fromhex(case["hex"])),
            f"{case['hex']} must be rejected",
        )
    identity = {
        "hex": IDENTITY.hex(),
        "valid_encoding": True,
        "reject_identity": True,
        "note": "rejected for Y, C, V_j, ballot A and B and D_j (§4.1)",
    }
    check_vector(refuses(GroupError, decode_point, IDENTITY), "identity rejected")
    check_vector(
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
        check_vector(
            refuses(GroupError, decode_scalar, raw) != valid, f"scalar {value}"
        )
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
        check_vector(
            refuses(CanonicalError, parse_canonical, text.encode()),
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
        check_vector(
            refuses(CanonicalError, parse_hex, value, size) != ok,
            f"hex {value!r} validity",
        )
    return {
        "hex": [{"bytes": s, "valid": ok, "value": v} for v, s, ok in hexes],
        "reject": [{"reason": r, "text": t} for t, r in rejects],
        "valid": valid,
    }


# -- 4. credentials ----------------------------------------------------------------


def credential_vectors() -> dict[str, Any]:
    rng = seeded_rng("credentials")
    election_id = "6f1c2b1e-0b7a-4c1e-9d7e-3a2b1c0d9e8f"
    other_id = "0d9e8f6f-1c2b-4e0b-8c1e-9d7e3a2b1c00"
    cases = []
    for _ in range(3):
        slip = Slip(election_id, rng.random_bytes(18))
        check_vector(
            parse_code(election_id, slip.code.lower()) == slip, "normalisation"
        )
        check_vector(parse_qr(election_id, slip.qr_payload) == slip, "QR round trip")
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
        check_vector(
            refuses(CredentialError, parse_code, case["election_id"], case["code"]),
            f"slip code must be rejected: {case['reason']}",
        )
    qr_wrong = Slip(other_id, bytes.fromhex(cases[0]["k"])).qr_payload
    check_vector(
        refuses(CredentialError, parse_qr, election_id, qr_wrong),
        "QR of another election",
    )
    return {
        "cases": cases,
        "reject": rejects,
        "reject_qr": [{"election_id": election_id, "qr": qr_wrong}],
    }


# -- 5. Ed25519 --------------------------------------------------------------------


def ed25519_vectors() -> dict[str, Any]:
    rng = seeded_rng("ed25519")
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
            check_vector(is_small_order(raw), "small order")
            check_vector(refuses(CredentialError, load_ed25519_public, raw), "weak key")
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
    rng = seeded_rng("proofs")
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
        check_vector(verify_zero_or_one(TAG_BIT, ctx, y_key, ct, proof), "bit proof")
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
    check_vector(
        refuses(ProofError, prove_zero_or_one, TAG_BIT, ctx2, y_key, ct2, 2, r2, rng),
        "prover refuses m = 2",
    )
    forged = prove_zero_or_one(TAG_BIT, ctx2, y_key, ct2, 1, r2, rng)
    check_vector(
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
        check_vector(valid == (sum(marks) <= 1), f"sum proof validity for {marks}")
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
        check_vector(not verify_zero_or_one(TAG_BIT, ctx, y_key, ct, proof), name)
        cases.append(
            {"change": name, "context": [c.hex() for c in ctx], "proof": items}
        )
    for case in cases[:4]:
        bad = DisjunctiveProof.from_hex(case["proof"])
        ctx = ballots.bit_context(fp, cred, 3, 1)
        check_vector(
            not verify_zero_or_one(TAG_BIT, ctx, y_key, ct, bad), case["change"]
        )
    return cases


# -- 8. ballots --------------------------------------------------------------------


def ballot_vectors() -> dict[str, Any]:
    sets = []
    for leaders, choices in (
        (1, [2]),
        (2, [0, None]),
        (15, [i % 3 for i in range(14)] + [None]),
    ):
        rng = seeded_rng(f"ballots/{leaders}")
        election = Election(ElectionSetup(leaders=sample_leaders(leaders)), rng)
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
        check_vector(
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
