"""Exact body schemas of the vote events (votes.md §4.4, §11), for check V1.

A schema is a small tree of checker functions.  Objects must have exactly the listed
keys (a missing or an extra key is a failure), hex strings are lowercase with the exact
length, and integers lie in 0 … 2^53−1.  Lengths that depend on the manifest (leaders,
t, n) are checked later, where the manifest is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Checker = Callable[[Any, str], None]

_HEXDIGITS = frozenset("0123456789abcdef")


class SchemaError(Exception):
    """A value of the wrong shape; the message names the path."""


def integer(value: Any, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise SchemaError(f"{path}: expected an integer in 0 … 2^53−1")


def boolean(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        raise SchemaError(f"{path}: expected true or false")


def text(value: Any, path: str) -> None:
    if not isinstance(value, str):
        raise SchemaError(f"{path}: expected a string")


def any_object(value: Any, path: str) -> None:
    """An object whose own schema is checked separately (event content, body)."""
    if not isinstance(value, dict):
        raise SchemaError(f"{path}: expected an object")


def hexbytes(n: int) -> Checker:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, str) or len(value) != 2 * n or set(value) - _HEXDIGITS:
            raise SchemaError(f"{path}: expected {2 * n} lowercase hex characters")

    return check


def nullable(inner: Checker) -> Checker:
    def check(value: Any, path: str) -> None:
        if value is not None:
            inner(value, path)

    return check


def array(inner: Checker, length: int | None = None) -> Checker:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise SchemaError(f"{path}: expected a list")
        if length is not None and len(value) != length:
            raise SchemaError(f"{path}: expected exactly {length} items")
        for n, item in enumerate(value):
            inner(item, f"{path}[{n}]")

    return check


def obj(
    fields: Mapping[str, Checker], optional: Mapping[str, Checker] | None = None
) -> Checker:
    extra = optional or {}

    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise SchemaError(f"{path}: expected an object")
        keys = set(value)
        missing = set(fields) - keys
        unknown = keys - set(fields) - set(extra)
        if missing or unknown:
            raise SchemaError(
                f"{path}: missing {sorted(missing)}, unexpected {sorted(unknown)}"
            )
        for key, checker in (*fields.items(), *extra.items()):
            if key in value:
                checker(value[key], f"{path}.{key}")

    return check


H12 = hexbytes(12)
H32 = hexbytes(32)
H48 = hexbytes(48)
H64 = hexbytes(64)

FRACTION = obj({"den": integer, "num": integer})
LEADER = obj(
    {
        "appointed_or_elected_on": text,
        "index": integer,
        "name": text,
        "pending_retirement_notice": boolean,
        "post": text,
    }
)
MANIFEST = obj(
    {
        "booth_sha256": H32,
        "chair_index": integer,
        "conference_date": text,
        "convened": integer,
        "election_id": text,
        "leaders": array(LEADER),
        "levels": array(text),
        "min_ballots": integer,
        "mode": text,
        "organisation": text,
        "service_pub": H32,
        "suite": text,
        "threshold": integer,
        "title": text,
        "trustees": array(obj({"account_pub": H32, "index": integer})),
        "vote_year": integer,
    },
    optional={"slip_count": integer},
)
CHOICE = obj({"a": H32, "b": H32, "proof": array(H32, 4)})
BALLOT = obj(
    {
        "answers": array(
            obj({"choices": array(CHOICE, 3), "sum_proof": array(H32, 4)})
        ),
        "credential": H32,
        "election": H32,
        "suite": text,
        "v": integer,
    }
)
RESULT = obj(
    {
        "band": text,
        "high": integer,
        "index": integer,
        "invalid": integer,
        "issued": integer,
        "low": integer,
        "normal": integer,
        "pct_high": FRACTION,
        "pct_low": FRACTION,
        "pct_normal": FRACTION,
        "returned": integer,
        "valid": integer,
    }
)

BODIES: dict[str, Checker] = {
    "VoteElectionCreated": obj({"manifest": MANIFEST, "manifest_hash": H32}),
    "VoteTrusteeRegistered": obj({"i": integer, "transport_pub": H32}),
    "VoteTrusteeCommitted": obj(
        {"commitments": array(H32), "i": integer, "pok": array(array(H32, 2))}
    ),
    "VoteTrusteeShareSent": obj(
        {
            "ciphertext": H48,
            "ephemeral_pub": H32,
            "from": integer,
            "nonce": H12,
            "to": integer,
        }
    ),
    "VoteTrusteeComplaint": obj({"against": integer, "j": integer, "reason": text}),
    "VoteKeyCeremonyAborted": obj({"reason": text, "run": integer}),
    "VoteTrusteeSharesVerified": obj({"j": integer, "verification_key": H32}),
    "VoteElectionKeyPublished": obj(
        {
            "election_key": H32,
            "fingerprint": H32,
            "short_fingerprint": text,
            "verification_keys": array(H32),
        }
    ),
    "VoteCredentialsPublished": obj({"count": integer, "credentials": array(H32)}),
    "VoteEligibleAccountsPublished": obj(
        {"entries": array(obj({"account_pub": H32, "member_id": text}))}
    ),
    "VoteAttendanceRecorded": obj({"convened": integer, "present": integer}),
    "VoteCredentialsVoided": obj({"credentials": array(H32)}),
    "VoteVotingOpened": obj({"issued": integer, "quorum_ok": boolean}),
    "VoteBallotCast": obj({"ballot": BALLOT, "ballot_hash": H32, "sig": H64}),
    "VoteVotingClosed": obj(
        {
            "aggregate": array(array(obj({"a": H32, "b": H32}), 3)),
            "ballot_count": integer,
            "ballots_head": nullable(H32),
        }
    ),
    "VotePartialDecryption": obj(
        {
            "j": integer,
            "shares": array(array(obj({"d": H32, "proof": array(H32, 2)}), 3)),
            "verified_head": H32,
        }
    ),
    "VoteTallyPublished": obj(
        {"results": array(RESULT), "trustees_used": array(integer)}
    ),
    "VoteMinutesSigned": obj({"head": H32, "tally_event_hash": H32}),
    "VoteAbandoned": obj({"reason": text}),
}

CONTENT = obj(
    {
        "actor": text,
        "body": any_object,
        "key_id": hexbytes(16),
        "log": text,
        "prev": nullable(H32),
        "stream": text,
        "topic": text,
        "ts": text,
        "v": integer,
        "ver": integer,
    }
)
LINE = obj({"content": any_object, "key_id": hexbytes(16), "sig": H64})
TRAILER = obj(
    {
        "keys": array(obj({"actor": text, "key_id": hexbytes(16), "public_key": H32})),
        "record": text,
    },
    # Mode B: the eligible members' account keys from the registry (check V7).
    optional={
        "members": array(
            obj(
                {
                    "actor": text,
                    "key_id": hexbytes(16),
                    "member_id": text,
                    "public_key": H32,
                }
            )
        )
    },
)
