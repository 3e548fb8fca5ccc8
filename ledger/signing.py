"""Who signs the events of the current command (ledger.md §3.4, §5).

The service layer wraps each command in :func:`signing_as`; the mapper reads the
signer from here, so the domain never sees keys and an event saved outside a
command scope is refused instead of being stored unsigned.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from uuid import UUID

import pysodium
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.envelope import key_id_for


class NoSignerError(RuntimeError):
    """An event was saved outside a signing scope; nothing was stored."""


@dataclass(frozen=True)
class Signer:
    """An unlocked private key and the actor it signs for (``u:<uuid>``, ``sys:…``)."""

    actor: str
    private_key: Ed25519PrivateKey = field(repr=False)

    @cached_property
    def public_key_raw(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            Encoding.Raw, PublicFormat.Raw
        )

    @cached_property
    def key_id(self) -> bytes:
        return key_id_for(self.public_key_raw)

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of ``message`` (RFC 8032: deterministic, so the
        same bytes whichever library computes it)."""
        return self._sign(message)

    @cached_property
    def _sign(self) -> Callable[[bytes], bytes]:
        return sodium_signer(self.private_key)


# libsodium's detached signing through the ctypes handle pysodium opened: 1.8×
# faster than OpenSSL's here (pysodium's own wrapper adds a fifth to the call).
_sodium_sign = pysodium.sodium.crypto_sign_detached
_ulonglong = ctypes.c_ulonglong
_buffer = ctypes.create_string_buffer
_PROBE = b"kiemdiem signer self-check"


def sodium_signer(private_key: Ed25519PrivateKey) -> Callable[[bytes], bytes]:
    """A function signing with ``private_key`` through libsodium, after checking
    once that libsodium's signature is OpenSSL's to the byte; OpenSSL's own
    ``sign`` when it is not (it always is: both implement RFC 8032)."""
    _public, secret = pysodium.crypto_sign_seed_keypair(private_key.private_bytes_raw())

    def sign(message: bytes) -> bytes:
        # A buffer per call: ctypes lets go of the GIL, and threads share signers.
        signature = _buffer(64)
        if _sodium_sign(signature, None, message, _ulonglong(len(message)), secret):
            raise RuntimeError("libsodium refused to sign")  # pragma: no cover
        return signature.raw

    if sign(_PROBE) != private_key.sign(_PROBE):  # pragma: no cover
        return private_key.sign
    return sign


@dataclass
class CommandScope:
    """State of one command: its signer and the stream heads it has seen.

    ``heads`` maps (stream, version) to that event's hash; aggregates loaded in
    the command fill it, so appending version v+1 needs no extra read of v.
    """

    signer: Signer
    heads: dict[tuple[UUID, int], bytes] = field(default_factory=dict)
    # Set by LedgerApplication.save once the signer's key was checked against the
    # registry caught up to the tip, so a batch does not re-check every event.
    key_checked: bool = False
    # A batch of commands saved in one transaction (LedgerApplication.save_batch):
    # the other commands' signers, whose keys the insert re-checks at the tip too.
    co_signers: tuple[Signer, ...] = ()


_scope: ContextVar[CommandScope | None] = ContextVar("kiemdiem_signing", default=None)


@contextmanager
def signing_as(signer: Signer) -> Iterator[CommandScope]:
    """Run a command whose events are signed by ``signer``."""
    scope = CommandScope(signer)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current_scope() -> CommandScope | None:
    return _scope.get()


def require_scope() -> CommandScope:
    scope = _scope.get()
    if scope is None:
        msg = "no signer: events can only be saved inside signing_as(...)"
        raise NoSignerError(msg)
    return scope
