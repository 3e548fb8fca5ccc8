"""V17: a ballot the voter challenged in the booth (votes.md §7.1 step 5, §10.3).

The audit file is what the booth exports instead of casting::

    {"ballot": <ballot>, "choices": [level or null per leader],
     "randomness": [[hex r_0, hex r_1, hex r_2] per leader]}

The verifier checks the ballot's proofs against the election in the record,
re-encrypts the revealed choices with the revealed r values (Enc(m; r) =
(r·G, r·Y + m·G)), requires exactly the ballot's ciphertexts, and prints the
decoded choices for the voter to compare with what they marked.  A booth that
encrypts something other than what it displayed is caught here.  Written, like the
rest of the verifier, without the casting code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from votes.verifier.ballots import check_one
from votes.verifier.group import (
    BASE,
    NEUTRAL,
    Malformed,
    plus,
    scalar,
    times,
    times_base,
)

LEVELS = ("tín nhiệm cao", "tín nhiệm", "tín nhiệm thấp")
BALLOT_KEYS = {"answers", "credential", "election", "suite", "v"}


class AuditFailed(Exception):
    """The audit file does not open the ballot it carries."""


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    ok: bool
    detail: str
    choices: list[str] = field(default_factory=list)
    """``"<leader name>: <level>"`` per leader, as the ballot encrypts them."""

    def to_json(self) -> dict[str, Any]:
        return {"choices": list(self.choices), "detail": self.detail, "ok": self.ok}


def _shape(data: bytes, leaders: int) -> tuple[dict[str, Any], list[Any], list[Any]]:
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AuditFailed(f"not JSON: {exc}") from exc
    if not isinstance(value, dict) or set(value) != {"ballot", "choices", "randomness"}:
        raise AuditFailed("expected the keys ballot, choices and randomness")
    ballot, choices, randomness = value["ballot"], value["choices"], value["randomness"]
    if not isinstance(ballot, dict) or set(ballot) != BALLOT_KEYS:
        raise AuditFailed("the ballot does not have the ballot's keys")
    answers = ballot["answers"]
    if not isinstance(answers, list) or len(answers) != leaders:
        raise AuditFailed("the ballot does not have one answer per leader")
    for answer in answers:
        if (
            not isinstance(answer, dict)
            or not isinstance(answer.get("choices"), list)
            or len(answer["choices"]) != len(LEVELS)
        ):
            raise AuditFailed("an answer does not have three choices")
    if not isinstance(choices, list) or len(choices) != leaders:
        raise AuditFailed("choices: one per leader")
    for choice in choices:
        # One value per leader: a second mark cannot even be written down.
        if choice is not None and (
            isinstance(choice, bool) or choice not in range(len(LEVELS))
        ):
            raise AuditFailed("a choice is 0, 1, 2 or null")
    if not isinstance(randomness, list) or len(randomness) != leaders:
        raise AuditFailed("randomness: three values per leader")
    for row in randomness:
        if not isinstance(row, list) or len(row) != len(LEVELS):
            raise AuditFailed("randomness: three values per leader")
    return ballot, choices, randomness


def _scalar(text: Any) -> int:
    if not isinstance(text, str) or len(text) != 64 or text != text.lower():
        raise AuditFailed("a randomness value is not 64 lowercase hex characters")
    try:
        return scalar(bytes.fromhex(text))
    except (ValueError, Malformed) as exc:
        raise AuditFailed(f"a randomness value is not a scalar: {exc}") from exc


def check_audit_ballot(
    data: bytes,
    *,
    fingerprint: bytes,
    election_key: bytes,
    leader_names: list[str],
) -> AuditOutcome:
    """V17 for one audit file against the election of the verified record."""
    try:
        ballot, choices, randomness = _shape(data, len(leader_names))
        if ballot["election"] != fingerprint.hex():
            raise AuditFailed("the ballot was made for another election")
        try:
            found = check_one(
                fingerprint, election_key, len(leader_names), {"ballot": ballot}
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AuditFailed(f"the ballot is malformed: {exc}") from exc
        if found.failure is not None:
            where = "".join(f" {k}={v}" for k, v in found.failure.params.items())
            raise AuditFailed(
                f"V17.{found.failure.kind}{where}: {found.failure.detail}"
            )
        for leader, answer in enumerate(ballot["answers"]):
            for level, slot in enumerate(answer["choices"]):
                r = _scalar(randomness[leader][level])
                m = 1 if choices[leader] == level else 0
                a = times_base(r)
                b = plus(times(r, election_key), BASE if m else NEUTRAL)
                if (a.hex(), b.hex()) != (slot["a"], slot["b"]):
                    raise AuditFailed(
                        f"V17.opening_mismatch leader={leader} level={level}: the "
                        "revealed choice and randomness do not give this ciphertext"
                    )
    except AuditFailed as exc:
        return AuditOutcome(False, str(exc))
    shown = [
        f"{name}: {'không đánh dấu' if choice is None else LEVELS[choice]}"
        for name, choice in zip(leader_names, choices, strict=True)
    ]
    return AuditOutcome(True, "the ballot encrypts exactly these choices", shown)
