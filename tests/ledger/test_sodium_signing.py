"""Signing through libsodium gives OpenSSL's signature to the byte (Ed25519 is
deterministic, RFC 8032), so the stored bytes are what they were."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.envelope import signed_message
from ledger.signing import Signer, sodium_signer


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.binary(max_size=3000))
def test_libsodium_signs_as_openssl_does(seed: bytes, content: bytes) -> None:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    message = signed_message(content)
    assert sodium_signer(key)(message) == key.sign(message)
    assert Signer("u:x", key).sign(message) == key.sign(message)


def test_threads_sharing_a_signer_get_their_own_signatures() -> None:
    key = Ed25519PrivateKey.generate()
    signer = Signer("u:x", key)
    messages = [signed_message(str(i).encode() * 50) for i in range(400)]
    with ThreadPoolExecutor(4) as pool:
        signatures = list(pool.map(signer.sign, messages))
    assert signatures == [key.sign(m) for m in messages]
