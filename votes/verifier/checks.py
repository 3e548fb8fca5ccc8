"""Checks V1–V15 of votes.md §10.3 over an exported election record.

The verifier reads only the record file (and, optionally, a trust root and the chain
head from the minutes).  Checks run in order and each builds on what the earlier ones
established, so the run stops at the first failure and reports it with its check id,
failure kind, ledger position and topic; the later checks are reported as not run.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from votes.verifier import schema
from votes.verifier.audit import AuditOutcome, check_audit_ballot
from votes.verifier.ballots import (
    MIN_PARALLEL,
    STEP_SLOT,
    STEP_SUM,
    BallotCrypto,
    EarlyProofs,
    check_all,
)
from votes.verifier.canonjson import NotCanonical, decode, encode
from votes.verifier.group import (
    BASE,
    NEUTRAL,
    ORDER,
    Malformed,
    minus,
    plus,
    plus_onto,
    point,
    scalar,
    times,
)
from votes.verifier.proofs import (
    decryption_ok,
    knowledge_ok,
)

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


class RecordVerifier:
    """Runs V1–V15 over one record; each check method raises :class:`Failure`."""

    def __init__(
        self,
        data: bytes,
        *,
        head: bytes | None = None,
        trust_root: dict[str, Any] | None = None,
        jobs: int | None = None,
        min_parallel: int = MIN_PARALLEL,
        audit_ballots: Sequence[bytes] = (),
    ) -> None:
        self.data = data
        self.audit_ballots = list(audit_ballots)
        self.head = head
        self.trust_root = trust_root
        self.jobs = jobs
        """Processes for the ballot proofs (V9); None: one per CPU."""
        self.min_parallel = min_parallel
        self.notes: list[str] = []
        self.events: list[Event] = []
        self.registry: dict[bytes, tuple[str, bytes]] = {}
        self.manifest: dict[str, Any] = {}
        self.n = 0
        self.t = 0
        self.leaders = 0
        self.organiser = b""
        self.service = b""
        self.trustee_keys: dict[int, bytes] = {}
        self.election_key = NEUTRAL
        self.verification_keys: dict[int, bytes] = {}
        self.fingerprint = b""
        self.credentials: set[bytes] = set()
        self.member_keys: list[tuple[str, str, bytes, bytes]] = []
        self.voided: set[bytes] = set()
        self.issued = 0
        self.ballot_events: list[Event] = []
        self.aggregate: list[list[tuple[bytes, bytes]]] = []
        self.closing: Event | None = None
        self.partials: dict[int, list[list[bytes]]] = {}
        self.counts: list[list[int]] = []
        self.early: EarlyProofs | None = None

    def start_early_proofs(self) -> None:
        """Start V9's ballot proofs on the pool now, from what the record claims
        (:class:`EarlyProofs`); :meth:`close` stops them."""
        self.early = EarlyProofs(self.data, self.jobs, self.min_parallel)

    def close(self) -> None:
        if self.early is not None:
            self.early.close()
            self.early = None

    # -- driver ------------------------------------------------------------------------

    def run(self) -> Report:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("V1", self.check_format),
            ("V2", self.check_chain),
            ("V3", self.check_signatures),
            ("V4", self.check_sequence),
            ("V5", self.check_manifest),
            ("V6", self.check_ceremony),
            ("V7", self.check_credentials),
            ("V8", self.check_quorum),
            ("V9", self.check_ballots),
            ("V10", self.check_closing),
            ("V11", self.check_minimum),
            ("V12", self.check_partials),
            ("V13", self.check_combination),
            ("V14", self.check_results),
            ("V15", self.check_privacy),
        ]
        outcomes: list[CheckOutcome] = []
        failure: Failure | None = None
        self.start_early_proofs()
        try:
            for check, step in steps:
                if failure is not None:
                    outcomes.append(CheckOutcome(check, CHECK_TITLES[check], "NOT_RUN"))
                    continue
                try:
                    step()
                except Failure as exc:
                    failure = exc
                    outcomes.append(CheckOutcome(check, CHECK_TITLES[check], "FAIL"))
                else:
                    outcomes.append(CheckOutcome(check, CHECK_TITLES[check], "OK"))
        finally:
            self.close()
        booth = self.manifest.get("booth_sha256")
        return Report(
            outcomes,
            failure,
            self.notes,
            booth if isinstance(booth, str) else None,
            [self._audit(data) for data in self.audit_ballots],
        )

    def _audit(self, data: bytes) -> AuditOutcome:
        """V17 needs the election key and fingerprint that V6 established."""
        if not self.fingerprint or self.election_key == NEUTRAL:
            return AuditOutcome(False, "not checked: the record failed before V6")
        return check_audit_ballot(
            data,
            fingerprint=self.fingerprint,
            election_key=self.election_key,
            leader_names=[leader["name"] for leader in self.manifest["leaders"]],
        )

    def _of(self, topic: str) -> list[Event]:
        return [e for e in self.events if e.topic == topic]

    def _one(self, topic: str) -> Event | None:
        found = self._of(topic)
        return found[0] if found else None

    # -- V1 ----------------------------------------------------------------------------

    def check_format(self) -> None:
        if not self.data.endswith(b"\n"):
            raise Failure("V1", "truncated", "the record does not end with a newline")
        lines = self.data[:-1].split(b"\n")
        if len(lines) < 2:
            raise Failure("V1", "empty", "the record has no events")
        parsed = []
        for position, raw in enumerate(lines, start=1):
            try:
                parsed.append(decode(raw))
            except NotCanonical as exc:
                raise Failure(
                    "V1", "not_canonical", f"line {position}: {exc}", position=position
                ) from exc
        *lines_json, trailer = parsed
        try:
            schema.TRAILER(trailer, "trailer")
        except schema.SchemaError as exc:
            raise Failure(
                "V1", "schema", f"key trailer: {exc}", position=len(parsed)
            ) from exc
        if trailer["record"] != RECORD_FORMAT:
            raise Failure(
                "V1", "record_format", "unknown record format", position=len(parsed)
            )
        for entry in trailer["keys"]:
            self.registry[_hex(entry["key_id"])] = (
                entry["actor"],
                _hex(entry["public_key"]),
            )
        # Mode B: the registry entries of the eligible members' account keys and
        # the member each account belongs to (checked in V7).
        self.member_keys = [
            (
                entry["member_id"],
                entry["actor"],
                _hex(entry["key_id"]),
                _hex(entry["public_key"]),
            )
            for entry in trailer.get("members", [])
        ]
        for position, line in enumerate(lines_json, start=1):
            self.events.append(self._parse_event(position, line))

    def _parse_event(self, position: int, line: Any) -> Event:
        try:
            schema.LINE(line, "line")
            schema.CONTENT(line["content"], "content")
        except schema.SchemaError as exc:
            raise Failure("V1", "schema", str(exc), position=position) from exc
        content = line["content"]
        topic = content["topic"]
        checker = schema.BODIES.get(topic)
        if checker is None:
            raise Failure(
                "V1", "unknown_topic", f"unknown topic {topic!r}", position=position
            )
        try:
            checker(content["body"], "body")
        except schema.SchemaError as exc:
            raise Failure("V1", "schema", f"{topic}: {exc}", position=position) from exc
        if content["key_id"] != line["key_id"] or content["v"] != 1:
            raise Failure(
                "V1", "envelope", "content key id or version differs", position=position
            )
        if not _TS.fullmatch(content["ts"]):
            raise Failure(
                "V1", "timestamp", "ts is not in the fixed UTC form", position=position
            )
        try:
            datetime.strptime(content["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: DTZ007
        except ValueError as exc:
            raise Failure(
                "V1", "timestamp", "ts is not a real time", position=position
            ) from exc
        return Event(
            position,
            content,
            encode(content),
            _hex(line["key_id"]),
            _hex(line["sig"]),
        )

    # -- V2 ----------------------------------------------------------------------------

    def check_chain(self) -> None:
        first = self.events[0].content
        previous: Event | None = None
        for event in self.events:
            c = event.content
            if c["ver"] != event.position:
                raise Failure(
                    "V2", "version_gap", "versions are not 1, 2, 3, …", event=event
                )
            if c["stream"] != first["stream"] or c["log"] != first["log"]:
                raise Failure(
                    "V2", "stream_mismatch", "event of another stream", event=event
                )
            expected = previous.envelope_hash.hex() if previous else None
            if c["prev"] != expected:
                raise Failure(
                    "V2",
                    "chain_break",
                    "prev is not the previous envelope hash",
                    event=event,
                )
            previous = event
        if self.head is not None:
            closing = self._one("VoteVotingClosed")
            if closing is None or closing.envelope_hash != self.head:
                raise Failure(
                    "V2",
                    "head_mismatch",
                    "the closing event hash differs from the head in the minutes",
                    event=closing,
                )

    # -- V3 ----------------------------------------------------------------------------

    def check_signatures(self) -> None:
        for kid, (_, public) in self.registry.items():
            if hashlib.sha256(public).digest()[:16] != kid or _ed25519(public) is None:
                raise Failure("V3", "registry", f"key {kid.hex()} is not a valid entry")
        created = self.events[0]
        if created.topic != "VoteElectionCreated":
            raise Failure(
                "V3",
                "no_manifest",
                "the first event is not the manifest",
                event=created,
            )
        self.manifest = created.body["manifest"]
        organiser_entry = self.registry.get(created.key_id)
        if organiser_entry is None:
            raise Failure(
                "V3",
                "unknown_key",
                "manifest signer not in the registry",
                event=created,
            )
        self.organiser = organiser_entry[1]
        self._check_trust_root(organiser_entry[0], created.content["log"])
        self.service = _hex(self.manifest["service_pub"])
        self.trustee_keys = {
            entry["index"]: _hex(entry["account_pub"])
            for entry in self.manifest["trustees"]
        }
        for event in self.events:
            entry = self.registry.get(event.key_id)
            if entry is None:
                raise Failure(
                    "V3", "unknown_key", "signing key not in the registry", event=event
                )
            actor, public = entry
            key = _ed25519(public)
            if key is None or not _signed(
                key, event.sig, EVENT_PREFIX + event.content_bytes
            ):
                raise Failure(
                    "V3",
                    "bad_signature",
                    "the envelope signature is invalid",
                    event=event,
                )
            if event.content["actor"] != actor:
                raise Failure(
                    "V3", "actor_mismatch", "actor is not the key owner", event=event
                )
            if public not in self._allowed_signers(event):
                raise Failure(
                    "V3",
                    "wrong_signer",
                    "signed by a key not allowed for this topic",
                    event=event,
                )

    def _check_trust_root(self, actor: str, log: str) -> None:
        if self.trust_root is None:
            self.notes.append(
                "no trust root given: the organiser key comes from the record itself"
            )
            return
        trusted = {
            (entry.get("owner"), entry.get("public_key"))
            for entry in self.trust_root.get("admin_keys", [])
            if isinstance(entry, dict)
        }
        ours = (actor, base64.b64encode(self.organiser).decode("ascii"))
        if self.trust_root.get("origin") != log or ours not in trusted:
            raise Failure(
                "V3",
                "untrusted_organiser",
                "the manifest signer is not a trust-root admin key for this log",
                position=1,
            )

    def _allowed_signers(self, event: Event) -> set[bytes]:
        topic, body = event.topic, event.body
        organiser_topics = {
            "VoteElectionCreated",
            "VoteKeyCeremonyAborted",
            "VoteElectionKeyPublished",
            "VoteEligibleAccountsPublished",
            "VoteAttendanceRecorded",
            "VoteVotingOpened",
            "VoteAbandoned",
        }
        by_index = {
            "VoteTrusteeRegistered": "i",
            "VoteTrusteeCommitted": "i",
            "VoteTrusteeShareSent": "from",
            "VoteTrusteeComplaint": "j",
            "VoteTrusteeSharesVerified": "j",
            "VotePartialDecryption": "j",
        }
        chair = self.trustee_keys.get(self.manifest["chair_index"])
        if topic in organiser_topics:
            return {self.organiser}
        if topic in by_index:
            key = self.trustee_keys.get(body[by_index[topic]])
            return {key} if key else set()
        if topic in {
            "VoteCredentialsPublished",
            "VoteCredentialsVoided",
            "VoteTallyPublished",
        }:
            return {chair} if chair else set()
        if topic == "VoteBallotCast":
            return {self.service}
        if topic == "VoteVotingClosed":
            return {self.organiser, self.service}
        return set(self.trustee_keys.values())  # VoteMinutesSigned

    # -- V4 ----------------------------------------------------------------------------

    def check_sequence(self) -> None:
        rank = -1
        seen: set[str] = set()
        for event in self.events:
            topic = event.topic
            if "VoteAbandoned" in seen:
                raise Failure(
                    "V4", "after_abandon", "event after VoteAbandoned", event=event
                )
            if topic in SINGLETONS and topic in seen:
                raise Failure("V4", "repeated", f"second {topic}", event=event)
            seen.add(topic)
            if topic == "VoteAbandoned":
                if event.body["reason"] not in ABANDON_REASONS:
                    raise Failure(
                        "V4", "reason", "unknown abandonment reason", event=event
                    )
                if "VoteTallyPublished" in seen:
                    raise Failure(
                        "V4", "order", "abandoned after the tally", event=event
                    )
                continue
            if RANK[topic] < rank:
                raise Failure("V4", "order", f"{topic} out of order", event=event)
            rank = RANK[topic]
        required = REQUIRED if self.manifest["mode"] != "B" else REQUIRED_B
        missing = [t for t in required if t not in seen]
        if missing and "VoteAbandoned" not in seen:
            raise Failure(
                "V4",
                "incomplete",
                f"the record ends without {', '.join(missing)} and was not abandoned",
                position=len(self.events),
            )
        mode = self.manifest["mode"]
        wrong = (
            ("VoteEligibleAccountsPublished",)
            if mode == "A"
            else ("VoteCredentialsPublished", "VoteCredentialsVoided")
        )
        for event in self.events:
            if event.topic in wrong:
                raise Failure(
                    "V4",
                    "wrong_mode",
                    f"{event.topic} in a mode {mode} record",
                    event=event,
                )

    # -- V5 ----------------------------------------------------------------------------

    def check_manifest(self) -> None:
        m = self.manifest
        created = self.events[0]

        def need(condition: bool, kind: str, detail: str) -> None:
            if not condition:
                raise Failure("V5", kind, detail, event=created)

        need(m["suite"] == SUITE, "suite", "unknown cryptographic suite")
        need(m["mode"] in ("A", "B"), "mode", "the mode is neither A nor B")
        need(
            m["levels"] == LEVEL_NAMES,
            "levels",
            "levels must be [cao, tín nhiệm, thấp]",
        )
        leaders = m["leaders"]
        need(len(leaders) > 0, "leaders", "no leader to vote on")
        need(
            [entry["index"] for entry in leaders] == list(range(len(leaders))),
            "leaders",
            "leader indices are not 0, 1, 2, … in order",
        )
        names = {(entry["name"], entry["post"]) for entry in leaders}
        need(len(names) == len(leaders), "leaders", "a leader is listed twice")
        for entry in leaders:
            appointed = _iso_date(entry["appointed_or_elected_on"])
            need(appointed is not None, "leaders", "appointment date is not YYYY-MM-DD")
            need(
                appointed is not None and appointed.year != m["vote_year"],
                "leader_excluded",
                f"leader {entry['index']} was appointed or elected in the vote year",
            )
            need(
                not entry["pending_retirement_notice"],
                "leader_excluded",
                f"leader {entry['index']} is pending retirement",
            )
        trustees = m["trustees"]
        self.n = len(trustees)
        self.t = m["threshold"]
        self.leaders = len(leaders)
        need(
            [entry["index"] for entry in trustees] == list(range(1, self.n + 1)),
            "trustees",
            "trustee indices are not 1..n",
        )
        keys = [_hex(entry["account_pub"]) for entry in trustees]
        need(len(set(keys)) == len(keys), "trustees", "two trustees share a key")
        need(all(_ed25519(k) for k in keys), "trustees", "invalid trustee account key")
        need(_ed25519(self.service) is not None, "service_pub", "invalid service key")
        need(1 <= self.t <= self.n, "threshold", "threshold outside 1..n")
        need(1 <= m["chair_index"] <= self.n, "chair", "the chair is not a trustee")
        need(m["min_ballots"] >= 2, "min_ballots", "min_ballots below 2")
        need(m["convened"] >= 1, "convened", "nobody convened")
        if m["mode"] == "A":
            need(
                "slip_count" in m and m["slip_count"] >= m["convened"],
                "slip_count",
                "mode A needs slip_count >= convened",
            )
        else:
            need("slip_count" not in m, "slip_count", "mode B has no slips")
        need(_iso_date(m["conference_date"]) is not None, "date", "bad conference date")
        need(
            _canonical_uuid(m["election_id"]),
            "election_id",
            "election id is not a canonical UUID",
        )
        need(
            created.content["stream"] == m["election_id"],
            "election_id",
            "the stream is not the election id",
        )
        digest = hashlib.sha256(MANIFEST_PREFIX + encode(m)).digest()
        need(
            digest.hex() == created.body["manifest_hash"],
            "hash",
            "manifest_hash differs",
        )

    # -- V6 ----------------------------------------------------------------------------

    def check_ceremony(self) -> None:
        mh = _hex(self.events[0].body["manifest_hash"])
        ceremony = [e for e in self.events if RANK.get(e.topic) == 1]
        aborts = [
            k for k, e in enumerate(ceremony) if e.topic == "VoteKeyCeremonyAborted"
        ]
        run = ceremony[aborts[-1] + 1 :] if aborts else ceremony
        published = self._one("VoteElectionKeyPublished")
        if published is None:
            return  # abandoned during the ceremony (V4): nothing was published to check
        step = 0
        for event in run:
            here = CEREMONY_STEP[event.topic]
            if here < step:
                raise Failure("V6", "order", "ceremony steps out of order", event=event)
            step = here
            if event.topic == "VoteTrusteeComplaint":
                raise Failure(
                    "V6", "complaint", "a complaint stands in the last run", event=event
                )
        indices = list(range(1, self.n + 1))
        registered = self._by_index(run, "VoteTrusteeRegistered", "i", published)
        committed = self._by_index(run, "VoteTrusteeCommitted", "i", published)
        verified = self._by_index(run, "VoteTrusteeSharesVerified", "j", published)
        del registered
        commitments: dict[int, list[bytes]] = {}
        for i in indices:
            event = committed[i]
            body = event.body
            if len(body["commitments"]) != self.t or len(body["pok"]) != self.t:
                raise Failure(
                    "V6", "commitments", f"trustee {i} needs t commitments", event=event
                )
            row = []
            for kappa, (c_hex, (c_s, u_s)) in enumerate(
                zip(body["commitments"], body["pok"], strict=True)
            ):
                try:
                    c_point = point(_hex(c_hex))
                    c_int, u_int = scalar(_hex(c_s)), scalar(_hex(u_s))
                except Malformed as exc:
                    raise Failure(
                        "V6",
                        "commitment_invalid",
                        str(exc),
                        event=event,
                        trustee=i,
                        kappa=kappa,
                    ) from exc
                if not knowledge_ok(mh, i, kappa, c_point, c_int, u_int):
                    raise Failure(
                        "V6",
                        "pok_invalid",
                        "proof of knowledge fails",
                        event=event,
                        trustee=i,
                        kappa=kappa,
                    )
                row.append(c_point)
            commitments[i] = row
        pairs = [
            (e.body["from"], e.body["to"])
            for e in run
            if e.topic == "VoteTrusteeShareSent"
        ]
        expected_pairs = {(i, j) for i in indices for j in indices if i != j}
        if len(pairs) != len(set(pairs)) or set(pairs) != expected_pairs:
            raise Failure(
                "V6", "shares", "not exactly one share per ordered trustee pair"
            )
        key = NEUTRAL
        for i in indices:
            key = plus(key, commitments[i][0])
        body = published.body
        if key == NEUTRAL or body["election_key"] != key.hex():
            raise Failure(
                "V6", "election_key", "Y is not the sum of C_{i,0}", event=published
            )
        if len(body["verification_keys"]) != self.n:
            raise Failure(
                "V6", "verification_keys", "need n verification keys", event=published
            )
        for j in indices:
            vk = NEUTRAL
            for i in indices:
                for kappa, c_point in enumerate(commitments[i]):
                    vk = plus(vk, times(pow(j, kappa, ORDER), c_point))
            if vk == NEUTRAL or body["verification_keys"][j - 1] != vk.hex():
                raise Failure(
                    "V6", "verification_key", f"V_{j} differs", event=published, j=j
                )
            if verified[j].body["verification_key"] != vk.hex():
                raise Failure(
                    "V6", "verification_key", f"V_{j} differs", event=verified[j], j=j
                )
            self.verification_keys[j] = vk
        statement = {
            "commitments": [[c.hex() for c in commitments[i]] for i in indices],
            "election_key": key.hex(),
            "manifest_hash": mh.hex(),
            "verification_keys": [self.verification_keys[j].hex() for j in indices],
        }
        fp = hashlib.sha256(FINGERPRINT_PREFIX + encode(statement)).digest()
        if body["fingerprint"] != fp.hex():
            raise Failure("V6", "fingerprint", "fingerprint differs", event=published)
        short = base64.b32encode(fp[:10]).decode("ascii")
        if body["short_fingerprint"] != "-".join(
            short[k : k + 4] for k in range(0, 16, 4)
        ):
            raise Failure(
                "V6", "short_fingerprint", "short fingerprint differs", event=published
            )
        self.election_key = key
        self.fingerprint = fp

    def _by_index(
        self, run: list[Event], topic: str, key: str, anchor: Event
    ) -> dict[int, Event]:
        found: dict[int, Event] = {}
        for event in run:
            if event.topic == topic:
                index = event.body[key]
                if index in found or not 1 <= index <= self.n:
                    raise Failure("V6", "duplicate", f"extra {topic}", event=event)
                found[index] = event
        if len(found) != self.n:
            raise Failure(
                "V6", "missing", f"{topic} missing for some trustee", event=anchor
            )
        return found

    # -- V7 ----------------------------------------------------------------------------

    def check_credentials(self) -> None:
        if self.manifest["mode"] == "B":
            self._check_eligible()
            return
        if self.member_keys:
            raise Failure(
                "V7",
                "members",
                "member keys in the trailer of a mode A record",
                position=len(self.events) + 1,
            )
        published = self._one("VoteCredentialsPublished")
        if published is None:
            return  # abandoned before credentials (V4)
        listed = published.body["credentials"]
        slip_count = self.manifest["slip_count"]
        if published.body["count"] != slip_count or len(listed) != slip_count:
            raise Failure(
                "V7",
                "count",
                "credential count differs from slip_count",
                event=published,
            )
        if any(a >= b for a, b in itertools.pairwise(listed)):
            raise Failure(
                "V7", "order", "credentials are not strictly ascending", event=published
            )
        for position, item in enumerate(listed):
            if _ed25519(_hex(item)) is None:
                raise Failure(
                    "V7",
                    "invalid_key",
                    "not a valid Ed25519 key",
                    event=published,
                    index=position,
                )
        self.credentials = {_hex(item) for item in listed}
        for event in self._of("VoteCredentialsVoided"):
            for item in event.body["credentials"]:
                key = _hex(item)
                if key not in self.credentials or key in self.voided:
                    raise Failure(
                        "V7",
                        "voided",
                        "voided key not listed or voided twice",
                        event=event,
                    )
                self.voided.add(key)
        self.issued = slip_count - len(self.voided)

    def _check_eligible(self) -> None:
        """Mode B (§6.2): the eligible members' account keys, each the registry
        entry of an account of that member, given in the record's trailer."""
        eligible = self._one("VoteEligibleAccountsPublished")
        if eligible is None:
            if self.member_keys:
                raise Failure(
                    "V7",
                    "members",
                    "member keys given without an eligible list",
                    position=len(self.events) + 1,
                )
            return  # abandoned before the list (V4)
        entries = eligible.body["entries"]
        if not entries:
            raise Failure("V7", "empty", "nobody is eligible", event=eligible)
        keys = [_hex(entry["account_pub"]) for entry in entries]
        if any(a >= b for a, b in itertools.pairwise(keys)):
            raise Failure(
                "V7", "order", "entries are not strictly ascending", event=eligible
            )
        members = [entry["member_id"] for entry in entries]
        if len(set(members)) != len(members):
            raise Failure(
                "V7", "member_repeated", "a member listed twice", event=eligible
            )
        registry: dict[str, tuple[str, bytes, bytes]] = {}
        actors: set[str] = set()
        for member, actor, kid, public in self.member_keys:
            if member in registry or actor in actors:
                raise Failure(
                    "V7",
                    "members",
                    "a member or account given twice in the trailer",
                    position=len(self.events) + 1,
                )
            registry[member] = (actor, kid, public)
            actors.add(actor)
        if set(registry) != set(members):
            raise Failure(
                "V7",
                "members",
                "the trailer's member keys are not exactly the eligible members",
                position=len(self.events) + 1,
            )
        for position, (member, key) in enumerate(zip(members, keys, strict=True)):
            actor, kid, public = registry[member]
            if not _canonical_uuid(member):
                raise Failure(
                    "V7",
                    "member_id",
                    "member id is not a canonical UUID",
                    event=eligible,
                    index=position,
                )
            if _ed25519(key) is None:
                raise Failure(
                    "V7",
                    "invalid_key",
                    "not a valid Ed25519 key",
                    event=eligible,
                    index=position,
                )
            if (
                public != key
                or hashlib.sha256(public).digest()[:16] != kid
                or not actor.startswith("u:")
            ):
                raise Failure(
                    "V7",
                    "registry_mismatch",
                    "the key is not the registered account key of that member",
                    event=eligible,
                    index=position,
                )
        self.credentials = set(keys)
        self.issued = len(keys)
        self.notes.append(
            "mode B: the record shows which listed members cast a ballot, never how"
        )

    # -- V8 ----------------------------------------------------------------------------

    def check_quorum(self) -> None:
        attendance = self._one("VoteAttendanceRecorded")
        opened = self._one("VoteVotingOpened")
        if attendance is None or opened is None:
            return  # abandoned before opening, e.g. QUORUM_NOT_MET (V4)
        convened, present = attendance.body["convened"], attendance.body["present"]
        if convened != self.manifest["convened"]:
            raise Failure(
                "V8",
                "convened",
                "attendance differs from the manifest",
                event=attendance,
            )
        if present > convened or present * 3 < convened * 2:
            raise Failure(
                "V8",
                "quorum",
                "fewer than 2/3 of those convened present",
                event=attendance,
            )
        if self.manifest["mode"] == "A" and self.issued > present:
            raise Failure(
                "V8", "issued", "more slips issued than members present", event=opened
            )
        if opened.body["issued"] != self.issued or opened.body["quorum_ok"] is not True:
            raise Failure(
                "V8", "opened", "opening states a wrong issued count", event=opened
            )

    # -- V9 ----------------------------------------------------------------------------

    def check_ballots(self) -> None:
        opened = self._one("VoteVotingOpened")
        if opened is None:
            return  # abandoned before opening (V4): no ballot may exist
        ballot_ts = opened.content["ts"][:10] + "T00:00:00.000000Z"
        used: set[bytes] = set()
        seen_a: set[bytes] = set()
        cast = self._of("VoteBallotCast")
        # The proofs of every ballot, on `jobs` processes; then the record-order
        # checks below consult them where V9 checks each proof.
        batches = None
        if self.early is not None:
            batches = self.early.batches(
                self.fingerprint,
                self.election_key,
                self.leaders,
                [event.position for event in cast],
            )
            self.close()
        if batches is None:
            batches = check_all(
                self.fingerprint,
                self.election_key,
                self.leaders,
                [event.body for event in cast],
                jobs=self.jobs,
                min_parallel=self.min_parallel,
            )
        crypto = [result for batch in batches for result in batch.results]
        for event, found in zip(cast, crypto, strict=True):
            self._check_ballot(event, found, used, seen_a)
            if event.content["ts"] != ballot_ts:
                raise Failure(
                    "V9", "ts_not_date", "ballot time finer than the date", event=event
                )
            self.ballot_events.append(event)
        self.aggregate = [[(NEUTRAL, NEUTRAL)] * 3 for _ in range(self.leaders)]
        for batch in batches:
            for leader, row in enumerate(batch.sums):
                for level, (a, b) in enumerate(row):
                    total_a, total_b = self.aggregate[leader][level]
                    self.aggregate[leader][level] = (
                        plus_onto(total_a, a),
                        plus_onto(total_b, b),
                    )

    def _check_ballot(
        self, event: Event, found: BallotCrypto, used: set[bytes], seen_a: set[bytes]
    ) -> None:
        ballot = event.body["ballot"]

        def fail(kind: str, detail: str, **params: int) -> Failure:
            return Failure("V9", kind, detail, event=event, **params)

        if ballot["v"] != 1 or ballot["suite"] != SUITE:
            raise fail("version", "unknown ballot version or suite")
        if _hex(ballot["election"]) != self.fingerprint:
            raise fail("election_mismatch", "ballot made for another election")
        credential = _hex(ballot["credential"])
        if credential not in self.credentials:
            raise fail("credential_unknown", "credential not in the published list")
        if credential in self.voided:
            raise fail("credential_voided", "credential was voided")
        if credential in used:
            raise fail("credential_reused", "a second ballot on one credential")
        used.add(credential)
        key = _ed25519(credential)
        encoded = encode(ballot)
        message = BALLOT_SIG_PREFIX + encoded
        if key is None or not _signed(key, _hex(event.body["sig"]), message):
            raise fail("signature_invalid", "credential signature invalid")
        if len(ballot["answers"]) != self.leaders:
            raise fail("leaders", "not one answer per leader")
        # Every A that passed its proof, in slot order, then the first proof failure
        # (if any): an A repeated earlier in the record is reported first.
        checked = iter(found.a_values)
        broken = found.failure
        for leader, answer in enumerate(ballot["answers"]):
            for level in range(len(answer["choices"])):
                if (
                    broken is not None
                    and broken.step == STEP_SLOT
                    and (broken.leader, broken.level) == (leader, level)
                ):
                    raise fail(broken.kind, broken.detail, **broken.params)
                a = next(checked)
                if a in seen_a:
                    raise fail(
                        "ciphertext_repeated",
                        "A value repeated",
                        leader=leader,
                        level=level,
                    )
                seen_a.add(a)
            if (
                broken is not None
                and broken.step == STEP_SUM
                and broken.leader == leader
            ):
                raise fail(broken.kind, broken.detail, **broken.params)
        digest = hashlib.sha256(BALLOT_PREFIX + encoded).digest()
        if event.body["ballot_hash"] != digest.hex():
            raise fail("ballot_hash_mismatch", "ballot_hash differs")

    # -- V10–V11 -----------------------------------------------------------------------

    def check_closing(self) -> None:
        closing = self._one("VoteVotingClosed")
        if closing is None:
            return  # abandoned while open (V4): no aggregate to check
        body = closing.body
        count = len(self.ballot_events)
        if body["ballot_count"] != count or count > self.issued:
            raise Failure(
                "V10",
                "ballot_count",
                "ballot_count differs or exceeds issued",
                event=closing,
            )
        last = (
            self.ballot_events[-1].envelope_hash.hex() if self.ballot_events else None
        )
        if body["ballots_head"] != last:
            raise Failure(
                "V10",
                "ballots_head",
                "ballots_head is not the last ballot",
                event=closing,
            )
        if len(body["aggregate"]) != self.leaders:
            raise Failure("V10", "aggregate", "aggregate shape differs", event=closing)
        for leader, row in enumerate(body["aggregate"]):
            for level, entry in enumerate(row):
                if (entry["a"], entry["b"]) != tuple(
                    p.hex() for p in self.aggregate[leader][level]
                ):
                    raise Failure(
                        "V10",
                        "aggregate",
                        "aggregate is not the sum of the ballots",
                        event=closing,
                        leader=leader,
                        level=level,
                    )
        self.closing = closing

    def check_minimum(self) -> None:
        partials = self._of("VotePartialDecryption")
        if partials and len(self.ballot_events) < self.manifest["min_ballots"]:
            raise Failure(
                "V11",
                "too_few_ballots",
                "decryption with fewer than min_ballots",
                event=partials[0],
            )

    # -- V12–V14 -----------------------------------------------------------------------

    def check_partials(self) -> None:
        if self.closing is None:
            return  # abandoned before closing (V4): no decryption may exist
        head = self.closing.envelope_hash.hex()
        for event in self._of("VotePartialDecryption"):
            body = event.body
            j = body["j"]

            def fail(kind: str, detail: str, **params: int) -> Failure:
                return Failure("V12", kind, detail, event=event, trustee=j, **params)  # noqa: B023

            if j not in self.verification_keys or j in self.partials:
                raise fail("trustee", "unknown trustee or second partial decryption")
            if body["verified_head"] != head:
                raise fail("head", "verified_head is not the closing event")
            if len(body["shares"]) != self.leaders:
                raise fail("shape", "does not cover every aggregate ciphertext")
            shares: list[list[bytes]] = []
            for leader, row in enumerate(body["shares"]):
                decoded = []
                for level, entry in enumerate(row):
                    a, b = self.aggregate[leader][level]
                    try:
                        d = point(_hex(entry["d"]))
                        c, u = (scalar(_hex(s)) for s in entry["proof"])
                    except Malformed as exc:
                        raise fail(
                            "share_invalid", str(exc), leader=leader, level=level
                        ) from exc
                    if not decryption_ok(
                        self.fingerprint,
                        j,
                        leader,
                        level,
                        a,
                        b,
                        self.verification_keys[j],
                        d,
                        c,
                        u,
                    ):
                        raise fail(
                            "proof_invalid",
                            "decryption proof fails",
                            leader=leader,
                            level=level,
                        )
                    decoded.append(d)
                shares.append(decoded)
            self.partials[j] = shares
        if self._one("VoteTallyPublished") is not None and len(self.partials) < self.t:
            raise Failure("V12", "too_few", "fewer than t partial decryptions")

    def check_combination(self) -> None:
        tally = self._one("VoteTallyPublished")
        if tally is None:
            return  # abandoned before the tally (V4)
        subset = tally.body["trustees_used"]
        if (
            len(subset) != self.t
            or len(set(subset)) != self.t
            or not set(subset) <= set(self.partials)
        ):
            raise Failure(
                "V13",
                "subset",
                "trustees_used is not t trustees with partials",
                event=tally,
            )
        coefficients = {}
        for j in subset:
            value = 1
            for k in subset:
                if k != j:
                    value = value * k * pow(k - j, -1, ORDER) % ORDER
            coefficients[j] = value
        returned = len(self.ballot_events)
        table: dict[bytes, int] = {}
        current = NEUTRAL
        for count in range(returned + 1):
            table[current] = count
            current = plus(current, BASE)
        for leader in range(self.leaders):
            row = []
            for level in range(3):
                combined = NEUTRAL
                for j in subset:
                    combined = plus(
                        combined,
                        times(coefficients[j], self.partials[j][leader][level]),
                    )
                m = minus(self.aggregate[leader][level][1], combined)
                if m not in table:
                    raise Failure(
                        "V13",
                        "no_count",
                        "decryption is not a count",
                        event=tally,
                        leader=leader,
                        level=level,
                    )
                row.append(table[m])
            if sum(row) > returned:
                raise Failure(
                    "V13",
                    "overcount",
                    "more marks than ballots",
                    event=tally,
                    leader=leader,
                )
            self.counts.append(row)

    def check_results(self) -> None:
        tally = self._one("VoteTallyPublished")
        if tally is None:
            return  # abandoned before the tally (V4)
        results = tally.body["results"]
        returned = len(self.ballot_events)
        if len(results) != self.leaders:
            raise Failure("V14", "shape", "not one result per leader", event=tally)
        for leader, (result, (high, normal, low)) in enumerate(
            zip(results, self.counts, strict=True)
        ):
            valid = high + normal + low
            if low * 3 >= returned * 2:
                band = "GTE_TWO_THIRDS"
            elif low * 2 > returned:
                band = "GT_HALF"
            else:
                band = "NONE"
            expected = {
                "band": band,
                "high": high,
                "index": leader,
                "invalid": returned - valid,
                "issued": self.issued,
                "low": low,
                "normal": normal,
                "pct_high": {"den": returned, "num": high},
                "pct_low": {"den": returned, "num": low},
                "pct_normal": {"den": returned, "num": normal},
                "returned": returned,
                "valid": valid,
            }
            for name, value in expected.items():
                if result[name] != value:
                    raise Failure(
                        "V14",
                        f"{name}_mismatch",
                        f"published {name} differs",
                        event=tally,
                        leader=leader,
                    )

    # -- V15 ---------------------------------------------------------------------------

    def check_privacy(self) -> None:
        service_actor = next(
            (
                actor
                for actor, public in self.registry.values()
                if public == self.service
            ),
            None,
        )
        mode_a = self.manifest["mode"] == "A"
        actors = {actor for actor, _ in self.registry.values()}
        actors.update(actor for _, actor, _, _ in self.member_keys)
        registry_keys = {public for _, public in self.registry.values()}
        registry_keys.update(public for _, _, _, public in self.member_keys)
        for event in self.events:
            ts = event.content["ts"]
            if event.topic != "VoteBallotCast" and not ts.endswith(":00.000000Z"):
                raise Failure(
                    "V15", "fine_time", "time finer than the minute", event=event
                )
        for event in self.ballot_events:
            if event.content["actor"] != service_actor:
                raise Failure(
                    "V15",
                    "actor",
                    "ballot envelope actor is not the service",
                    event=event,
                )
            # Mode B ballots carry the member's account key (§6.2, participation is
            # public); a mode A credential must be no registered key at all.
            credential = _hex(event.body["ballot"]["credential"])
            if mode_a and credential in registry_keys:
                raise Failure(
                    "V15",
                    "linked_key",
                    "a ballot credential is an account key",
                    event=event,
                )
            if not mode_a and credential not in self.credentials:
                raise Failure(
                    "V15",
                    "linked_key",
                    "a mode B credential that is no eligible account key",
                    event=event,
                )
            for value in _strings(event.body):
                if value in actors or value.startswith("u:"):
                    raise Failure(
                        "V15", "member_id", "a member id in a ballot event", event=event
                    )
