"""Checks V1–V15 of votes.md §10.3 over an exported election record.

The verifier reads only the record file (and, optionally, a trust root and the chain
head from the minutes).  Checks run in order and each builds on what the earlier ones
established, so the run stops at the first failure and reports it with its check id,
failure kind, ledger position and topic; the later checks are reported as not run.

This module holds the driver and V1–V4 (format, chain, signatures, sequence); V5–V7
are in ``checks_setup``, V8–V15 in ``checks_count``, the state they share in
``state``, and the record's shapes and the report in ``record``.  Like the rest of
the package they import only each other, the standard library, ``pysodium`` and
``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from votes.verifier import schema
from votes.verifier.audit import AuditOutcome, check_audit_ballot
from votes.verifier.canonjson import NotCanonical, decode, encode
from votes.verifier.checks_count import _CountChecks
from votes.verifier.group import NEUTRAL
from votes.verifier.record import (
    _TS,
    ABANDON_REASONS,
    CHECK_TITLES,
    CHECK_TITLES_VI,
    EVENT_PREFIX,
    RANK,
    RECORD_FORMAT,
    REQUIRED,
    REQUIRED_B,
    SINGLETONS,
    STATUS_VI,
    CheckOutcome,
    Event,
    Failure,
    Report,
    _ed25519,
    _hex,
    _signed,
)

# Where the CLI, the trustee tool and the tests import them from.
__all__ = [
    "CHECK_TITLES",
    "CHECK_TITLES_VI",
    "STATUS_VI",
    "CheckOutcome",
    "Event",
    "Failure",
    "RecordVerifier",
    "Report",
]


class RecordVerifier(_CountChecks):
    """Runs V1–V15 over one record; each check method raises :class:`Failure`."""

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
