"""Group wrapper rules, results arithmetic, credentials and the share transport."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from votes_testkit import leaders

from votes.ceremony import (
    CeremonyError,
    EncryptedShare,
    check_share,
    deal,
    decrypt_share,
    encrypt_share,
    x25519_public,
)
from votes.credentials import CredentialError, Slip, parse_code
from votes.group import (
    GENERATOR,
    IDENTITY,
    ZERO,
    GroupError,
    L,
    base_mul,
    decode_point,
    mul,
    scalar_from_int,
)
from votes.manifest import Leader, ManifestError, ManifestInput, build_manifest
from votes.results import Band, band, display_percent
from votes.vectors.testrng import TestRandomness


def test_mul_follows_the_identity_rule() -> None:
    assert mul(ZERO, GENERATOR) == IDENTITY
    assert mul(scalar_from_int(5), IDENTITY) == IDENTITY
    assert base_mul(ZERO) == IDENTITY
    assert base_mul(scalar_from_int(L - 1)) != IDENTITY


def test_decoder_rejects_bit_255_alias_that_libsodium_accepts() -> None:
    alias = bytearray(GENERATOR)
    alias[31] |= 0x80
    with pytest.raises(GroupError):
        decode_point(bytes(alias))
    with pytest.raises(GroupError):
        decode_point(IDENTITY)
    assert decode_point(IDENTITY, allow_identity=True) == IDENTITY


@pytest.mark.parametrize(
    ("returned", "low", "expected"),
    [
        (40, 20, Band.NONE),
        (40, 21, Band.GT_HALF),
        (40, 26, Band.GT_HALF),
        (40, 27, Band.GTE_TWO_THIRDS),
        (30, 20, Band.GTE_TWO_THIRDS),
        (30, 19, Band.GT_HALF),
        (3, 2, Band.GTE_TWO_THIRDS),
    ],
)
def test_bands_at_the_96_qd_tw_boundaries(
    returned: int, low: int, expected: Band
) -> None:
    assert band(returned, low) is expected


@given(st.integers(1, 10_000), st.data())
def test_band_matches_exact_fractions(returned: int, data: st.DataObject) -> None:
    from fractions import Fraction

    low = data.draw(st.integers(0, returned))
    share = Fraction(low, returned)
    if share >= Fraction(2, 3):
        assert band(returned, low) is Band.GTE_TWO_THIRDS
    elif share > Fraction(1, 2):
        assert band(returned, low) is Band.GT_HALF
    else:
        assert band(returned, low) is Band.NONE


def test_display_rounds_half_up_with_integers() -> None:
    assert display_percent(21, 40) == "52,50%"
    assert display_percent(1, 3) == "33,33%"
    assert display_percent(2, 3) == "66,67%"
    assert display_percent(1, 8) == "12,50%"
    assert display_percent(0, 5) == "0,00%"


def test_slip_codes_reject_typos_and_other_elections() -> None:
    slip = Slip("6f1c2b1e-0b7a-4c1e-9d7e-3a2b1c0d9e8f", bytes(range(18)))
    assert parse_code(slip.election_id, slip.code.lower().replace("-", " ")) == slip
    typo = ("B" if slip.code[0] != "B" else "C") + slip.code[1:]
    for election_id, code in ((slip.election_id, typo), ("other", slip.code)):
        with pytest.raises(CredentialError):
            parse_code(election_id, code)


def test_tampered_or_redirected_share_is_refused() -> None:
    rng = TestRandomness(b"shares")
    manifest_hash = bytes(32)
    dealing = deal(manifest_hash, 1, 2, rng)
    recipient = X25519PrivateKey.from_private_bytes(rng.random_bytes(32))
    share = dealing.share_for(2)
    message = encrypt_share(manifest_hash, 1, 2, x25519_public(recipient), share, rng)
    assert decrypt_share(manifest_hash, recipient, message) == share
    assert check_share(dealing.commitments, 2, share)
    assert not check_share(dealing.commitments, 3, share)
    bad_ct = bytearray(message.ciphertext)
    bad_ct[0] ^= 1
    variants = [
        EncryptedShare(1, 2, message.ephemeral_pub, message.nonce, bytes(bad_ct)),
        EncryptedShare(1, 3, message.ephemeral_pub, message.nonce, message.ciphertext),
        EncryptedShare(3, 2, message.ephemeral_pub, message.nonce, message.ciphertext),
    ]
    for variant in variants:
        with pytest.raises(CeremonyError):
            decrypt_share(manifest_hash, recipient, variant)
    with pytest.raises(CeremonyError):
        decrypt_share(b"\x01" * 32, recipient, message)


def _manifest(leader_list: list[Leader]) -> ManifestInput:
    rng = TestRandomness(b"manifest")
    keys = [Slip("k", rng.random_bytes(18)).credential_pub for _ in range(4)]
    return ManifestInput(
        election_id="6f1c2b1e-0b7a-4c1e-9d7e-3a2b1c0d9e8f",
        title="t",
        organisation="o",
        vote_year=2025,
        conference_date=date(2025, 12, 1),
        mode="A",
        leaders=leader_list,
        convened=10,
        slip_count=10,
        trustee_keys=keys[:3],
        threshold=2,
        service_pub=keys[3],
        chair_index=1,
        booth_sha256=bytes(32),
    )


def test_manifest_refuses_leaders_not_voted_on() -> None:
    build_manifest(_manifest(leaders(2)))
    appointed = Leader("Mới", "Phó giám đốc", date(2025, 3, 1))
    retiring = Leader(
        "Sắp nghỉ", "Giám đốc", date(2019, 1, 1), pending_retirement_notice=True
    )
    for leader in (appointed, retiring):
        with pytest.raises(ManifestError):
            build_manifest(_manifest([*leaders(1), leader]))
