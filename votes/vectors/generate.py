"""Generate the published test vectors (votes.md §12) deterministically.

Run ``python -m votes.vectors.generate`` to rewrite the JSON files next to this module,
or ``--check`` to compare them byte for byte (the tests do the same).  Every file has
its own seed, so a change to one set of vectors never shifts the values of another.
Every "invalid" case is checked here against the Python implementation before it is
written: a vector file cannot claim a rejection the code does not perform.
"""

from __future__ import annotations

import argparse
import json
import sys

from votes.vectors.common import HERE
from votes.vectors.keywrap_vectors import keywrap_vectors
from votes.vectors.primitives import (
    ballot_vectors,
    canonical_vectors,
    credential_vectors,
    ed25519_vectors,
    encryption_and_proof_vectors,
    group_vectors,
    hash_vectors,
)
from votes.vectors.records import (
    apply_patch,
    ceremony_and_decryption_vectors,
    record_vectors,
    result_vectors,
)

__all__ = ["apply_patch", "build_all", "main"]


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
