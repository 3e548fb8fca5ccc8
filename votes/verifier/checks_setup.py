"""Checks V5–V7 of votes.md §10.3: the manifest, the key ceremony, the
credentials and the eligible members."""

from __future__ import annotations

import base64
import hashlib
import itertools

from votes.verifier.canonjson import encode
from votes.verifier.group import NEUTRAL, ORDER, Malformed, plus, point, scalar, times
from votes.verifier.proofs import knowledge_ok
from votes.verifier.record import (
    CEREMONY_STEP,
    FINGERPRINT_PREFIX,
    LEVEL_NAMES,
    MANIFEST_PREFIX,
    RANK,
    SUITE,
    Event,
    Failure,
    _canonical_uuid,
    _ed25519,
    _hex,
    _iso_date,
)
from votes.verifier.state import _State


class _SetupChecks(_State):
    """V5–V7: what the election was set up with."""

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
