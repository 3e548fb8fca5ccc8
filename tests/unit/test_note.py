"""ledger.note: Go sumdb/note vector, checkpoints and cosignatures (ledger.md §11).

The PeterNeumann and EnochRoot values are quoted from golang.org/x/mod/sumdb/note
note_test.go (see tests/vectors/README).
"""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.note import (
    Checkpoint,
    NoteError,
    NoteSigner,
    NoteVerifier,
    cosign,
    cosigner_key_string,
    open_note,
    parse_checkpoint,
    parse_cosigner_key,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
    signer_key_string,
    verifier_key_string,
    verify_cosignature,
)

PETER_SKEY = (
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
)
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    "qfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01o"
    "OTGwnWLox33WWd1RvMc+QQ=\n"
)
SIGNED = TEXT + "\n" + PETER_SIG

ORIGIN = "kiemdiem.example.vn/dang-bo-x"
ROOT = bytes(range(32))
COSIGNER = f"{ORIGIN}/ubkt/7d0f"


def note_bytes(text: str) -> bytes:
    return text.encode("utf-8")


# The Go vector, byte for byte.


def test_go_vector_signs_byte_for_byte() -> None:
    signer = parse_signer_key(PETER_SKEY)
    assert sign_note(TEXT, [signer]) == note_bytes(SIGNED)


def test_go_vector_opens() -> None:
    opened = open_note(note_bytes(SIGNED), [parse_verifier_key(PETER_VKEY)])
    assert opened.text == TEXT
    assert opened.verified == ["PeterNeumann"]
    assert opened.unknown == []


def test_go_vector_key_strings_round_trip() -> None:
    signer = parse_signer_key(PETER_SKEY)
    public_key = signer.private_key.public_key()
    assert signer.key_hash.hex() == "c74f20a3"
    assert signer_key_string("PeterNeumann", signer.private_key) == PETER_SKEY
    assert verifier_key_string("PeterNeumann", public_key) == PETER_VKEY
    assert parse_verifier_key(PETER_VKEY) == signer.verifier()


def test_go_vector_one_known_one_unknown_signature() -> None:
    opened = open_note(
        note_bytes(TEXT + "\n" + PETER_SIG + ENOCH_SIG),
        [parse_verifier_key(PETER_VKEY)],
    )
    assert opened.verified == ["PeterNeumann"]
    assert opened.unknown == [ENOCH_SIG]


def test_go_vector_both_signatures_verify() -> None:
    verifiers = [parse_verifier_key(PETER_VKEY), parse_verifier_key(ENOCH_VKEY)]
    opened = open_note(note_bytes(TEXT + "\n" + PETER_SIG + ENOCH_SIG), verifiers)
    assert opened.verified == ["PeterNeumann", "EnochRoot"]
    assert opened.unknown == []


def test_go_vector_without_known_key_is_rejected() -> None:
    with pytest.raises(NoteError):
        open_note(note_bytes(TEXT + "\n" + PETER_SIG + ENOCH_SIG), [])


def test_go_vector_invalid_known_signature_is_rejected() -> None:
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(note_bytes(TEXT + "\n" + bad), [parse_verifier_key(PETER_VKEY)])


def test_go_vector_duplicate_signatures_are_dropped() -> None:
    enoch_abcd = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    note = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd
    opened = open_note(note_bytes(note), [parse_verifier_key(PETER_VKEY)])
    assert opened.verified == ["PeterNeumann"]
    assert opened.unknown == [ENOCH_SIG, enoch_abcd]


def test_go_vector_too_many_signatures_is_rejected() -> None:
    with pytest.raises(NoteError):
        open_note(
            note_bytes(TEXT + "\n" + PETER_SIG * 101), [parse_verifier_key(PETER_VKEY)]
        )


@pytest.mark.parametrize(
    "message",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN"
        "1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    ],
)
def test_go_vector_malformed_notes_are_rejected(message: str) -> None:
    with pytest.raises(NoteError):
        open_note(note_bytes(message), [parse_verifier_key(PETER_VKEY)])


def test_note_that_is_not_utf8_is_rejected() -> None:
    with pytest.raises(NoteError):
        open_note(b"\xff" + note_bytes(SIGNED), [parse_verifier_key(PETER_VKEY)])


def test_go_vector_mangled_verifier_keys_are_rejected() -> None:
    """The manglings of TestNewVerifier: every proper substring, every byte + 1."""
    key = PETER_VKEY
    mangled = [
        key[i:j]
        for i in range(len(key) + 1)
        for j in range(i + 1, len(key) + 1)
        if (i, j) != (0, len(key))
    ]
    mangled += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    mangled += [
        # Wrong key length and unknown algorithm, each with an adjusted hash.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]
    for text in mangled:
        with pytest.raises(NoteError):
            parse_verifier_key(text)


def test_go_vector_mangled_signer_keys_are_rejected() -> None:
    key = PETER_SKEY
    mangled = [
        key[i:j]
        for i in range(len(key) + 1)
        for j in range(i + 1, len(key) + 1)
        if (i, j) != (0, len(key))
    ]
    mangled += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    for text in mangled:
        with pytest.raises(NoteError):
            parse_signer_key(text)


# Signing rules.


def test_sign_refuses_text_without_final_newline() -> None:
    with pytest.raises(NoteError):
        sign_note("abc", [parse_signer_key(PETER_SKEY)])


def test_sign_refuses_control_characters() -> None:
    with pytest.raises(NoteError):
        sign_note("a\tb\n", [parse_signer_key(PETER_SKEY)])


def test_sign_needs_a_signer_and_no_duplicates() -> None:
    signer = parse_signer_key(PETER_SKEY)
    with pytest.raises(NoteError):
        sign_note(TEXT, [])
    with pytest.raises(NoteError):
        sign_note(TEXT, [signer, signer])


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u00a0b", "a\nb"])
def test_invalid_key_names_are_refused(name: str) -> None:
    with pytest.raises(NoteError):
        NoteSigner(name, Ed25519PrivateKey.generate())


def test_verifier_with_wrong_key_hash_is_refused() -> None:
    public_key = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(NoteError):
        NoteVerifier("log", b"\x00\x00\x00\x00", public_key)


# Checkpoints (ledger.md §6.3).


def log_signer(name: str = ORIGIN) -> NoteSigner:
    return NoteSigner(name, Ed25519PrivateKey.generate())


def test_checkpoint_body_format() -> None:
    body = Checkpoint(ORIGIN, 12345, ROOT).body()
    root_b64 = base64.b64encode(ROOT).decode()
    assert body == f"{ORIGIN}\n12345\n{root_b64}\n"


def test_checkpoint_round_trip_through_a_signed_note() -> None:
    signer = log_signer()
    checkpoint = Checkpoint(ORIGIN, 12345, ROOT)
    note = sign_note(checkpoint.body(), [signer])
    opened = open_note(note, [signer.verifier()])
    assert opened.verified == [ORIGIN]
    assert parse_checkpoint(opened.text) == checkpoint


def test_checkpoint_with_altered_root_is_rejected() -> None:
    signer = log_signer()
    note = sign_note(Checkpoint(ORIGIN, 7, ROOT).body(), [signer])
    forged = note.replace(
        base64.b64encode(ROOT), base64.b64encode(bytes(31) + b"\x01"), 1
    )
    assert forged != note
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(forged, [signer.verifier()])


def test_checkpoint_signed_by_unknown_key_is_rejected() -> None:
    trusted, impostor = log_signer(), log_signer()
    note = sign_note(Checkpoint(ORIGIN, 7, ROOT).body(), [impostor])
    with pytest.raises(NoteError, match="no signature from a trusted key"):
        open_note(note, [trusted.verifier()])


def test_extra_unknown_signature_line_is_ignored() -> None:
    signer = log_signer()
    body = Checkpoint(ORIGIN, 7, ROOT).body()
    line = cosign(body, COSIGNER, Ed25519PrivateKey.generate(), 1_700_000_000)
    opened = open_note(sign_note(body, [signer]) + line.encode(), [signer.verifier()])
    assert opened.verified == [ORIGIN]
    assert opened.unknown == [line]


def test_rotation_note_verifies_under_either_log_key() -> None:
    old, new = log_signer(), log_signer()
    body = Checkpoint(ORIGIN, 7, ROOT).body()
    note = sign_note(body, [old, new])
    assert open_note(note, [old.verifier()]).verified == [ORIGIN]
    assert open_note(note, [new.verifier()]).verified == [ORIGIN]
    assert open_note(note, [old.verifier(), new.verifier()]).verified == [ORIGIN] * 2


def test_bad_signature_from_a_trusted_key_rejects_the_note() -> None:
    """A good signature from one trusted key cannot cover a bad one from another."""
    good, other = log_signer(), log_signer()
    note = sign_note(Checkpoint(ORIGIN, 7, ROOT).body(), [good, other])
    text, signatures = note.split(b"\n\n")
    good_line = signatures.split(b"\n")[0]
    elsewhere = sign_note(Checkpoint(ORIGIN, 8, ROOT).body(), [other])
    wrong_line = elsewhere.split(b"\n\n")[1]
    tampered = text + b"\n\n" + good_line + b"\n" + wrong_line
    assert open_note(note, [good.verifier(), other.verifier()]).verified
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(tampered, [good.verifier(), other.verifier()])
    assert open_note(tampered, [good.verifier()]).verified == [ORIGIN]


@pytest.mark.parametrize(
    "text",
    [
        f"{ORIGIN}\n012\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n+12\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n 12\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1e3\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n\u0661\u0662\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n{2**64}\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}",
        f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}\nextension\n",
        f"{ORIGIN}\n12\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode().rstrip('=')}\n",
        f"\n12\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n12\n",
    ],
)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_empty_tree_checkpoint_parses() -> None:
    body = Checkpoint(ORIGIN, 0, ROOT).body()
    assert parse_checkpoint(body).size == 0


# Cosignatures (ledger.md §7).


def test_cosignature_round_trip() -> None:
    key = Ed25519PrivateKey.generate()
    body = Checkpoint(ORIGIN, 12345, ROOT).body()
    line = cosign(body, COSIGNER, key, 1_700_000_000)
    assert line.startswith(f"— {COSIGNER} ")
    assert line.endswith("\n")
    raw = base64.b64decode(line.split(" ")[-1])
    assert len(raw) == 4 + 8 + 64
    assert struct.unpack(">Q", raw[4:12]) == (1_700_000_000,)
    assert verify_cosignature(line, body, COSIGNER, key.public_key()) == 1_700_000_000
    assert verify_cosignature(line[:-1], body, COSIGNER, key.public_key()) == (
        1_700_000_000
    )


def test_cosignature_key_id_differs_from_note_key_id() -> None:
    key = Ed25519PrivateKey.generate()
    line = cosign(Checkpoint(ORIGIN, 1, ROOT).body(), COSIGNER, key, 1)
    note_key_hash = NoteSigner(COSIGNER, key).key_hash
    assert base64.b64decode(line.split(" ")[-1])[:4] != note_key_hash


def test_cosignature_on_another_checkpoint_is_rejected() -> None:
    key = Ed25519PrivateKey.generate()
    line = cosign(Checkpoint(ORIGIN, 5, ROOT).body(), COSIGNER, key, 1_700_000_000)
    other = Checkpoint(ORIGIN, 5, bytes(32)).body()
    with pytest.raises(NoteError):
        verify_cosignature(line, other, COSIGNER, key.public_key())


def test_cosignature_with_changed_time_is_rejected() -> None:
    key = Ed25519PrivateKey.generate()
    body = Checkpoint(ORIGIN, 5, ROOT).body()
    line = cosign(body, COSIGNER, key, 1_700_000_000)
    raw = base64.b64decode(line.split(" ")[-1])
    later = raw[:4] + struct.pack(">Q", 1_700_000_001) + raw[12:]
    forged = f"— {COSIGNER} {base64.b64encode(later).decode()}\n"
    with pytest.raises(NoteError):
        verify_cosignature(forged, body, COSIGNER, key.public_key())


def test_cosignature_with_flipped_signature_bit_is_rejected() -> None:
    key = Ed25519PrivateKey.generate()
    body = Checkpoint(ORIGIN, 5, ROOT).body()
    raw = bytearray(base64.b64decode(cosign(body, COSIGNER, key, 9).split(" ")[-1]))
    raw[40] ^= 1
    forged = f"— {COSIGNER} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(NoteError):
        verify_cosignature(forged, body, COSIGNER, key.public_key())


def test_cosignature_by_another_key_or_name_is_rejected() -> None:
    key = Ed25519PrivateKey.generate()
    body = Checkpoint(ORIGIN, 5, ROOT).body()
    line = cosign(body, COSIGNER, key, 9)
    with pytest.raises(NoteError):
        verify_cosignature(
            line, body, COSIGNER, Ed25519PrivateKey.generate().public_key()
        )
    with pytest.raises(NoteError):
        verify_cosignature(line, body, COSIGNER + "x", key.public_key())


def test_cosignature_line_found_in_a_note_verifies() -> None:
    log, member = log_signer(), Ed25519PrivateKey.generate()
    body = Checkpoint(ORIGIN, 5, ROOT).body()
    line = cosign(body, COSIGNER, member, 42)
    opened = open_note(sign_note(body, [log]) + line.encode(), [log.verifier()])
    (found,) = opened.unknown
    assert verify_cosignature(found, opened.text, COSIGNER, member.public_key()) == 42


@pytest.mark.parametrize("timestamp", [-1, 2**63])
def test_cosign_refuses_out_of_range_time(timestamp: int) -> None:
    body = Checkpoint(ORIGIN, 5, ROOT).body()
    with pytest.raises(NoteError):
        cosign(body, COSIGNER, Ed25519PrivateKey.generate(), timestamp)


def test_cosign_refuses_a_malformed_checkpoint() -> None:
    with pytest.raises(NoteError):
        cosign("not a checkpoint\n", COSIGNER, Ed25519PrivateKey.generate(), 1)


def test_cosigner_key_string_round_trip_and_type_separation() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    text = cosigner_key_string(COSIGNER, key)
    name, parsed = parse_cosigner_key(text)
    assert name == COSIGNER
    assert parsed.public_bytes_raw() == key.public_bytes_raw()
    with pytest.raises(NoteError):
        parse_verifier_key(text)
    with pytest.raises(NoteError):
        parse_cosigner_key(verifier_key_string(COSIGNER, key))


# Parsing details that a forger could otherwise exploit.


def test_control_character_in_an_unknown_signature_line_is_rejected() -> None:
    line = ENOCH_SIG.replace("EnochRoot", "Enoch\x01Root")
    with pytest.raises(NoteError, match="control character"):
        open_note(note_bytes(SIGNED + line), [parse_verifier_key(PETER_VKEY)])


def test_note_must_end_with_a_newline() -> None:
    with pytest.raises(NoteError):
        open_note(note_bytes(SIGNED[:-1] + " "), [parse_verifier_key(PETER_VKEY)])


def test_non_canonical_signature_base64_is_rejected() -> None:
    """Same bytes with other padding bits: one signature must have one spelling."""
    nudged = SIGNED.replace("JnAM=\n", "JnAN=\n")
    assert base64.b64decode(nudged.split(" ")[-1]) == base64.b64decode(
        SIGNED.split(" ")[-1]
    )
    with pytest.raises(NoteError, match="base64"):
        open_note(note_bytes(nudged), [parse_verifier_key(PETER_VKEY)])


def test_signature_without_signature_bytes_is_rejected() -> None:
    empty = "— EnochRoot " + base64.b64encode(bytes.fromhex("af0cfe78")).decode()
    with pytest.raises(NoteError, match="too short"):
        open_note(note_bytes(SIGNED + empty + "\n"), [parse_verifier_key(PETER_VKEY)])


def test_two_trusted_keys_with_the_same_name_and_hash_are_refused() -> None:
    """Seeds found by a birthday search to share the key hash aa0971f9."""
    name = "collision.example/log"
    first, second = (
        NoteSigner(
            name,
            Ed25519PrivateKey.from_private_bytes(
                hashlib.sha256(b"kiemdiem-test-collision-%d" % i).digest()
            ),
        )
        for i in (22007, 99870)
    )
    assert first.key_hash == second.key_hash == bytes.fromhex("aa0971f9")
    note = sign_note(TEXT, [first])
    assert open_note(note, [first.verifier()]).verified == [name]
    with pytest.raises(NoteError, match="share the name and hash"):
        open_note(note, [first.verifier(), second.verifier()])


def test_cosignature_line_with_another_name_is_rejected() -> None:
    """The Ed25519 cosigned message omits the name, so the line's name is checked."""
    key = Ed25519PrivateKey.generate()
    body = Checkpoint(ORIGIN, 5, ROOT).body()
    line = cosign(body, COSIGNER, key, 9).replace(COSIGNER, "someone.else", 1)
    with pytest.raises(NoteError):
        verify_cosignature(line, body, COSIGNER, key.public_key())


def test_cosignature_with_another_key_id_is_rejected() -> None:
    key = Ed25519PrivateKey.generate()
    body = Checkpoint(ORIGIN, 5, ROOT).body()
    raw = base64.b64decode(cosign(body, COSIGNER, key, 9).split(" ")[-1])
    forged = f"— {COSIGNER} {base64.b64encode(b'abcd' + raw[4:]).decode()}\n"
    with pytest.raises(NoteError, match="registered key"):
        verify_cosignature(forged, body, COSIGNER, key.public_key())


def test_cosigner_key_with_wrong_hash_is_rejected() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    name, hash_hex, key_b64 = cosigner_key_string(COSIGNER, key).split("+", 2)
    wrong = "00000000" if hash_hex != "00000000" else "00000001"
    with pytest.raises(NoteError):
        parse_cosigner_key(f"{name}+{wrong}+{key_b64}")
