"""An inclusion-proof verifier written straight from RFC 9162 §2.1.3.2, kept apart
from ``ledger.merkle`` so the proofs we hand out are checked by a second reading
of the RFC (it also passes the transparency-dev vectors, tests/unit)."""

from __future__ import annotations

from hashlib import sha256


def verify_inclusion(
    leaf_data: bytes, index: int, size: int, path: list[bytes], root: bytes
) -> bool:
    """``leaf_data`` is 0x00 ‖ entry (the RFC hashes it to get the leaf hash)."""
    return verify_inclusion_hash(sha256(leaf_data).digest(), index, size, path, root)


def verify_inclusion_hash(
    leaf_hash: bytes, index: int, size: int, path: list[bytes], root: bytes
) -> bool:
    # 1. leaf_index >= tree_size: fail
    if index >= size or index < 0:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1
    fn, sn = index, size - 1
    # 3. r = hash
    r = leaf_hash
    # 4. for each p in path
    for p in path:
        # a. if sn is 0: fail
        if sn == 0:
            return False
        # b. if LSB(fn) is set or fn equals sn
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r).digest()
            # ii. if LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set
            # or fn is 0
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(b"\x01" + r + p).digest()
        # c. right-shift fn and sn one time
        fn >>= 1
        sn >>= 1
    # 5. sn is 0 and r equals root
    return sn == 0 and r == root
