"""What the record verifier reads and reports (votes.md §10): the record's
format constants, the events, a check's failure, the report, and small readers of
hex, keys, signatures, dates and identifiers."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from votes.verifier.audit import AuditOutcome

RECORD_FORMAT = "kiemdiem-vote-record/v1"
SUITE = "ristretto255-sha512-v1"
LEVEL_NAMES = ["cao", "tín nhiệm", "thấp"]
ENVELOPE_MAGIC = b"KDL\x01"
EVENT_PREFIX = b"kiemdiem-event/v1\n"
MANIFEST_PREFIX = b"kiemdiem/vote/v1/manifest\n"
FINGERPRINT_PREFIX = b"kiemdiem/vote/v1/fingerprint\n"
BALLOT_PREFIX = b"kiemdiem/vote/v1/ballot\n"
BALLOT_SIG_PREFIX = b"kiemdiem/vote/v1/ballot-sig\n"
ABANDON_REASONS = {
    "QUORUM_NOT_MET",
    "CEREMONY_FAILED",
    "TOO_FEW_BALLOTS",
    "TOO_FEW_TRUSTEES",
    "OTHER",
}
_TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")

# Small-order Ed25519 encodings (y coordinate; both sign bits are rejected).
_WEAK_Y = [
    "00" * 32,
    "01" + "00" * 31,
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ec" + "ff" * 30 + "7f",
    "ed" + "ff" * 30 + "7f",
    "ee" + "ff" * 30 + "7f",
]
WEAK_ED25519 = frozenset(
    bytes.fromhex(y[:62]) + bytes([int(y[62:], 16) | sign])
    for y in _WEAK_Y
    for sign in (0x00, 0x80)
)

# Phase rank of every topic, for the sequence check (V4).
RANK = {
    "VoteElectionCreated": 0,
    "VoteTrusteeRegistered": 1,
    "VoteTrusteeCommitted": 1,
    "VoteTrusteeShareSent": 1,
    "VoteTrusteeComplaint": 1,
    "VoteKeyCeremonyAborted": 1,
    "VoteTrusteeSharesVerified": 1,
    "VoteElectionKeyPublished": 2,
    "VoteCredentialsPublished": 3,
    "VoteEligibleAccountsPublished": 3,
    "VoteAttendanceRecorded": 4,
    "VoteCredentialsVoided": 5,
    "VoteVotingOpened": 6,
    "VoteBallotCast": 7,
    "VoteVotingClosed": 8,
    "VotePartialDecryption": 9,
    "VoteTallyPublished": 10,
    "VoteMinutesSigned": 11,
}
SINGLETONS = (
    "VoteElectionCreated",
    "VoteElectionKeyPublished",
    "VoteCredentialsPublished",
    "VoteEligibleAccountsPublished",
    "VoteAttendanceRecorded",
    "VoteVotingOpened",
    "VoteVotingClosed",
    "VoteTallyPublished",
    "VoteAbandoned",
)
REQUIRED = (
    "VoteElectionKeyPublished",
    "VoteCredentialsPublished",
    "VoteAttendanceRecorded",
    "VoteVotingOpened",
    "VoteVotingClosed",
    "VoteTallyPublished",
)
REQUIRED_B = tuple(
    "VoteEligibleAccountsPublished" if t == "VoteCredentialsPublished" else t
    for t in REQUIRED
)
CEREMONY_STEP = {
    "VoteTrusteeRegistered": 0,
    "VoteTrusteeCommitted": 1,
    "VoteTrusteeShareSent": 2,
    "VoteTrusteeComplaint": 2,
    "VoteTrusteeSharesVerified": 3,
}

CHECK_TITLES = {
    "V1": "format",
    "V2": "chain",
    "V3": "signatures",
    "V4": "sequence",
    "V5": "manifest",
    "V6": "key ceremony",
    "V7": "credentials",
    "V8": "quorum",
    "V9": "ballots",
    "V10": "closing",
    "V11": "minimum ballots",
    "V12": "partial decryptions",
    "V13": "combination",
    "V14": "results",
    "V15": "privacy schema",
}
# What a person reads (the inspection committee, a trustee): the same checks in
# Vietnamese; ``CHECK_TITLES`` stays the JSON's, for scripts.
CHECK_TITLES_VI = {
    "V1": "định dạng hồ sơ",
    "V2": "chuỗi băm nối các sự kiện",
    "V3": "chữ ký số",
    "V4": "thứ tự các bước",
    "V5": "thông tin cuộc bỏ phiếu",
    "V6": "nghi thức tạo khóa",
    "V7": "mã phiếu",
    "V8": "số người dự đủ để lấy phiếu",
    "V9": "các phiếu đã bỏ",
    "V10": "kết thúc bỏ phiếu",
    "V11": "số phiếu tối thiểu",
    "V12": "giải mã của từng thành viên",
    "V13": "kết hợp các phần giải mã",
    "V14": "kết quả",
    "V15": "không lộ danh tính người bỏ phiếu",
    "V17": "phiếu kiểm tra tại buồng bỏ phiếu",
}
STATUS_VI = {"OK": "đạt", "FAIL": "KHÔNG ĐẠT", "NOT_RUN": "chưa kiểm tra"}


class Failure(Exception):
    """The first failing check: id, kind, position, topic and plain-words detail."""

    def __init__(
        self,
        check: str,
        kind: str,
        detail: str,
        *,
        event: Event | None = None,
        position: int | None = None,
        **params: int,
    ) -> None:
        super().__init__(detail)
        self.check = check
        self.kind = kind
        self.detail = detail
        self.position = event.position if event is not None else position
        self.topic = event.topic if event is not None else None
        self.params = params

    @property
    def name(self) -> str:
        extra = "".join(f" {key}={value}" for key, value in self.params.items())
        return f"{self.check}.{self.kind}{extra}"

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "detail": self.detail,
            "kind": self.kind,
            "name": self.name,
            "params": dict(self.params),
            "position": self.position,
            "topic": self.topic,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One envelope line of the record."""

    position: int
    content: dict[str, Any]
    content_bytes: bytes
    key_id: bytes
    sig: bytes

    @property
    def topic(self) -> str:
        return str(self.content["topic"])

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.content["body"]
        return body

    @property
    def envelope_hash(self) -> bytes:
        envelope = ENVELOPE_MAGIC + self.key_id + self.sig + self.content_bytes
        return hashlib.sha256(envelope).digest()


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """OK, FAIL or NOT_RUN for one check."""

    check: str
    title: str
    status: str

    @property
    def title_vi(self) -> str:
        return CHECK_TITLES_VI[self.check]

    @property
    def status_vi(self) -> str:
        return STATUS_VI[self.status]

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "title": self.title}


@dataclass(frozen=True, slots=True)
class Report:
    """The verifier's answer; ``ok`` only when every check passed."""

    checks: list[CheckOutcome]
    first_failure: Failure | None
    notes: list[str] = field(default_factory=list)
    booth_sha256: str | None = None
    """The booth hash pinned in the manifest, to compare with ``kiemdiem votes
    booth-hash`` run on the booth files (votes.md §7.1)."""
    audits: list[AuditOutcome] = field(default_factory=list)
    """V17, one per audit file given, in order."""

    @property
    def ok(self) -> bool:
        return self.first_failure is None

    def to_json(self) -> dict[str, Any]:
        return {
            "checks": [c.to_json() for c in self.checks],
            "first_failure": self.first_failure.to_json()
            if self.first_failure
            else None,
            "audits": [audit.to_json() for audit in self.audits],
            "booth_sha256": self.booth_sha256,
            "notes": list(self.notes),
            "ok": self.ok,
        }


def _hex(value: str) -> bytes:
    return bytes.fromhex(value)


def _ed25519(raw: bytes) -> Ed25519PublicKey | None:
    """A usable Ed25519 key per §3.6, or None."""
    if len(raw) != 32 or raw in WEAK_ED25519:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None


def _signed(key: Ed25519PublicKey, sig: bytes, message: bytes) -> bool:
    try:
        key.verify(sig, message)
    except InvalidSignature:
        return False
    return True


def _iso_date(value: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _canonical_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
