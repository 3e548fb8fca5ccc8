"""Checks V8–V15 of votes.md §10.3: quorum, the ballots (V9, their proofs on
the pool), closing, the minimum, the partial decryptions, their combination, the
published results and privacy."""

from __future__ import annotations

import hashlib

from votes.verifier.ballots import STEP_SLOT, STEP_SUM, BallotCrypto, check_all
from votes.verifier.canonjson import encode
from votes.verifier.checks_setup import _SetupChecks
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
from votes.verifier.proofs import decryption_ok
from votes.verifier.record import (
    BALLOT_PREFIX,
    BALLOT_SIG_PREFIX,
    SUITE,
    Event,
    Failure,
    _ed25519,
    _hex,
    _signed,
    _strings,
)


class _CountChecks(_SetupChecks):
    """V8–V15: from the quorum to the published results."""

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
