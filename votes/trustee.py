"""The trustee's own tool: key ceremony, slips and partial decryption (votes.md §5,
§6.1, §8.2), run by each member of the ban kiểm phiếu on their own machine.

Every step reads an exported election record (``kiemdiem votes export``), checks it
with the standalone verifier, and writes a *message*: the body of the event the
trustee asks the server to record.  The server only checks and records messages,
signed with the trustee's account key; it never sees a polynomial, a transport key
or a key share.  Those live in the trustee's state file, encrypted under a
passphrase with the project's key-at-rest scheme (Argon2id + AEAD).

The decryption step takes *no ciphertext as input*: it runs verifier checks V1–V11
on the record up to ``VoteVotingClosed`` (with the head from the minutes), and
decrypts only the aggregate the verifier recomputed from every ballot (the Helios
#170 defence).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from ledger import keywrap
from ledger.errors import os_words
from votes.canon import canonical
from votes.ceremony import (
    CeremonyError,
    Dealing,
    EncryptedShare,
    check_commitments,
    check_share,
    combine_shares,
    deal,
    decrypt_share,
    election_key,
    encrypt_share,
    fingerprint,
    short_fingerprint,
    verification_key,
    x25519_public,
)
from votes.credentials import CredentialError, Slip, new_slip, parse_code
from votes.elgamal import Ciphertext
from votes.group import GroupError, Point, Scalar, base_mul, decode_point
from votes.proofs import SchnorrProof
from votes.tally import partial_decrypt
from votes.verifier.checks import CHECK_TITLES_VI, Event, Failure, RecordVerifier

STATE_FORMAT = "kiemdiem-trustee-state/v1"
MESSAGE_FORMAT = "kiemdiem-trustee-message/v1"
STEPS = (
    "register",
    "commit",
    "shares",
    "confirm",
    "complaint",
    "credentials",
    "void",
    "decrypt",
)


class TrusteeToolError(ValueError):
    """A step the tool refuses, in plain words (the CLI exits 2 or 1)."""


# ---------------------------------------------------------------------------
# State (secret, on the trustee's machine only)
# ---------------------------------------------------------------------------
@dataclass
class TrusteeState:
    """What one trustee keeps between the steps of one election."""

    election_id: str
    index: int
    run: int
    transport: bytes | None = None
    coefficients: list[Scalar] = field(default_factory=list)
    key_share: Scalar | None = None

    def secrets_json(self) -> dict[str, Any]:
        return {
            "coefficients": [c.hex() for c in self.coefficients],
            "key_share": self.key_share.hex() if self.key_share else None,
            "run": self.run,
            "transport": self.transport.hex() if self.transport else None,
        }


def _state_aad(election_id: str, index: int) -> bytes:
    return canonical({"election_id": election_id, "format": STATE_FORMAT, "i": index})


def save_state(
    path: Path, state: TrusteeState, passphrase: str, *, memory_kib: int | None = None
) -> None:
    """Encrypt the state under a fresh data key wrapped with the passphrase."""
    data_key = secrets.token_bytes(32)
    nonce = secrets.token_bytes(12)
    owner = f"trustee:{state.election_id}:{state.index}"
    wrapped = keywrap.wrap_seed(
        data_key,
        passphrase,
        owner,
        "state",
        m=memory_kib or keywrap.DEFAULT_M,
    )
    plaintext = canonical(state.secrets_json())
    aad = _state_aad(state.election_id, state.index)
    ciphertext = ChaCha20Poly1305(data_key).encrypt(nonce, plaintext, aad)
    document = {
        "ciphertext": ciphertext.hex(),
        "election_id": state.election_id,
        "format": STATE_FORMAT,
        "i": state.index,
        "nonce": nonce.hex(),
        "wrapped": wrapped,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(document, sort_keys=True) + "\n")


def load_state(path: Path, passphrase: str) -> TrusteeState:
    """Open a state file; a wrong passphrase or a changed file is refused."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        election_id, index = str(document["election_id"]), int(document["i"])
        if document["format"] != STATE_FORMAT:
            raise TrusteeToolError(
                f"{path} không phải tệp trạng thái của thành viên ban kiểm phiếu"
            )
        owner = f"trustee:{election_id}:{index}"
        data_key = keywrap.unwrap_seed(document["wrapped"], passphrase, owner, "state")
        plaintext = ChaCha20Poly1305(data_key).decrypt(
            bytes.fromhex(document["nonce"]),
            bytes.fromhex(document["ciphertext"]),
            _state_aad(election_id, index),
        )
        secret = json.loads(plaintext)
    except keywrap.KeyUnwrapError as exc:
        raise TrusteeToolError("sai mật khẩu, hoặc tệp trạng thái bị hỏng") from exc
    except OSError as exc:
        msg = f"không đọc được tệp trạng thái {path}: {os_words(exc)}"
        raise TrusteeToolError(msg) from exc
    except (KeyError, TypeError, ValueError, InvalidTag) as exc:
        msg = f"tệp trạng thái {path} bị hỏng (chi tiết kỹ thuật: {exc!r})"
        raise TrusteeToolError(msg) from exc
    share = secret["key_share"]
    return TrusteeState(
        election_id=election_id,
        index=index,
        run=int(secret["run"]),
        transport=bytes.fromhex(secret["transport"]) if secret["transport"] else None,
        coefficients=[Scalar(bytes.fromhex(c)) for c in secret["coefficients"]],
        key_share=Scalar(bytes.fromhex(share)) if share else None,
    )


# ---------------------------------------------------------------------------
# Reading a record
# ---------------------------------------------------------------------------
@dataclass
class RecordView:
    """An election record that passed the verifier's structural checks."""

    verifier: RecordVerifier
    manifest: dict[str, Any]
    manifest_hash: bytes
    election_id: str
    n: int
    t: int
    run: int
    current: list[Event]
    """Ceremony events of the current (last, non-aborted) run."""

    def of(self, topic: str) -> list[Event]:
        return [e for e in self.verifier.events if e.topic == topic]

    def in_run(self, topic: str) -> list[Event]:
        return [e for e in self.current if e.topic == topic]


def _fail(failure: Failure) -> TrusteeToolError:
    """The record failed a check: named in Vietnamese (the verifier's title),
    the verifier's own detail after it as the technical part."""
    where = f", ở sự kiện thứ {failure.position}" if failure.position else ""
    title = CHECK_TITLES_VI.get(failure.check, failure.check)
    return TrusteeToolError(
        f"hồ sơ không qua bước kiểm tra {failure.check} ({title}){where}. "
        f"Chi tiết kỹ thuật: {failure.name}: {failure.detail}"
    )


def read_record(data: bytes) -> RecordView:
    """Parse a record and check format, chain, signatures and manifest (V1–V3, V5)."""
    verifier = RecordVerifier(data)
    try:
        verifier.check_format()
        verifier.check_chain()
        verifier.check_signatures()
        verifier.check_manifest()
    except Failure as failure:
        raise _fail(failure) from None
    events = verifier.events
    aborts = [k for k, e in enumerate(events) if e.topic == "VoteKeyCeremonyAborted"]
    start = aborts[-1] + 1 if aborts else 1
    ceremony = {
        "VoteTrusteeRegistered",
        "VoteTrusteeCommitted",
        "VoteTrusteeShareSent",
        "VoteTrusteeComplaint",
        "VoteTrusteeSharesVerified",
    }
    manifest = verifier.manifest
    return RecordView(
        verifier=verifier,
        manifest=manifest,
        manifest_hash=bytes.fromhex(events[0].body["manifest_hash"]),
        election_id=manifest["election_id"],
        n=len(manifest["trustees"]),
        t=manifest["threshold"],
        run=len(aborts) + 1,
        current=[e for e in events[start:] if e.topic in ceremony],
    )


def _message(
    view: RecordView, step: str, index: int, body: dict[str, Any]
) -> dict[str, Any]:
    return {
        "body": body,
        "format": MESSAGE_FORMAT,
        "i": index,
        "step": step,
        "vote": view.election_id,
    }


def _by_index(events: Sequence[Event], key: str) -> dict[int, Event]:
    return {e.body[key]: e for e in events}


def _commitments(view: RecordView) -> dict[int, tuple[Point, ...]]:
    """Every trustee's commitments of the current run, each checked (§5 step 2)."""
    committed = _by_index(view.in_run("VoteTrusteeCommitted"), "i")
    if len(committed) != view.n:
        raise TrusteeToolError(
            "chưa phải mọi thành viên đã công bố cam kết (commitments)"
        )
    result = {}
    for i, event in sorted(committed.items()):
        try:
            points = tuple(
                decode_point(bytes.fromhex(c)) for c in event.body["commitments"]
            )
            proofs = [SchnorrProof.from_hex(p) for p in event.body["pok"]]
            check_commitments(view.manifest_hash, i, view.t, points, proofs)
        except (CeremonyError, GroupError, ValueError) as exc:
            raise TrusteeToolError(
                f"cam kết của thành viên {i} không hợp lệ: {exc}"
            ) from exc
        result[i] = points
    return result


def _same_election(state: TrusteeState, view: RecordView) -> None:
    if state.election_id != view.election_id:
        raise TrusteeToolError("tệp trạng thái này thuộc một cuộc bỏ phiếu khác")
    if state.run != view.run:
        raise TrusteeToolError(
            f"quy trình đã được khởi động lại (lượt {view.run}); "
            "hãy bắt đầu lại bằng lệnh `start`"
        )


# ---------------------------------------------------------------------------
# Key ceremony (§5)
# ---------------------------------------------------------------------------
def start(view: RecordView, index: int) -> tuple[TrusteeState, dict[str, Any]]:
    """Step 1: a fresh X25519 transport key for this run."""
    if not 1 <= index <= view.n:
        raise TrusteeToolError(f"số thứ tự thành viên phải từ 1 đến {view.n}")
    if view.of("VoteElectionKeyPublished"):
        raise TrusteeToolError("khóa bầu cử đã được công bố")
    if index in _by_index(view.in_run("VoteTrusteeRegistered"), "i"):
        raise TrusteeToolError(f"thành viên {index} đã đăng ký trong lượt này")
    transport = X25519PrivateKey.generate()
    state = TrusteeState(
        election_id=view.election_id,
        index=index,
        run=view.run,
        transport=transport.private_bytes_raw(),
    )
    body = {"i": index, "transport_pub": x25519_public(transport).hex()}
    return state, _message(view, "register", index, body)


def commit(state: TrusteeState, view: RecordView) -> dict[str, Any]:
    """Step 2: draw the polynomial, publish commitments with proofs."""
    _same_election(state, view)
    registered = _by_index(view.in_run("VoteTrusteeRegistered"), "i")
    if len(registered) != view.n:
        raise TrusteeToolError("chưa phải mọi thành viên đã đăng ký")
    mine = registered[state.index].body["transport_pub"]
    if state.transport is None or mine != _transport_pub(state):
        raise TrusteeToolError(
            "khóa truyền tin đã đăng ký không phải của tệp trạng thái này"
        )
    if state.index in _by_index(view.in_run("VoteTrusteeCommitted"), "i"):
        raise TrusteeToolError("thành viên này đã công bố cam kết")
    dealing = deal(view.manifest_hash, state.index, view.t)
    state.coefficients = list(dealing.coefficients)
    body = {
        "commitments": [c.hex() for c in dealing.commitments],
        "i": state.index,
        "pok": [p.to_hex() for p in dealing.proofs],
    }
    return _message(view, "commit", state.index, body)


def _transport_pub(state: TrusteeState) -> str:
    if state.transport is None:
        raise TrusteeToolError("tệp trạng thái này không có khóa truyền tin")
    return x25519_public(X25519PrivateKey.from_private_bytes(state.transport)).hex()


def _dealing(state: TrusteeState, view: RecordView) -> Dealing:
    if len(state.coefficients) != view.t:
        raise TrusteeToolError(
            "tệp trạng thái này chưa có đa thức (hãy chạy `commit` trước)"
        )
    return Dealing(state.index, tuple(state.coefficients), (), ())


def send_shares(state: TrusteeState, view: RecordView) -> dict[str, Any]:
    """Step 3: s_{i,j} = f_i(j) encrypted to every other trustee's transport key."""
    _same_election(state, view)
    commitments = _commitments(view)
    dealing = _dealing(state, view)
    mine = tuple(base_mul(a) for a in dealing.coefficients)
    if commitments[state.index] != mine:
        raise TrusteeToolError("cam kết đã ghi không khớp với đa thức này")
    if any(e.body["from"] == state.index for e in view.in_run("VoteTrusteeShareSent")):
        raise TrusteeToolError("thành viên này đã gửi các phần khóa")
    registered = _by_index(view.in_run("VoteTrusteeRegistered"), "i")
    shares = []
    for j in range(1, view.n + 1):
        if j == state.index:
            continue
        message = encrypt_share(
            view.manifest_hash,
            state.index,
            j,
            bytes.fromhex(registered[j].body["transport_pub"]),
            dealing.share_for(j),
        )
        shares.append(
            {
                "ciphertext": message.ciphertext.hex(),
                "ephemeral_pub": message.ephemeral_pub.hex(),
                "nonce": message.nonce.hex(),
                "to": j,
            }
        )
    return _message(view, "shares", state.index, {"shares": shares})


def check_shares(state: TrusteeState, view: RecordView) -> dict[str, Any]:
    """Step 4: decrypt and check every share addressed here; confirm or complain.

    On success the key share s_j is kept and the polynomial is erased.
    """
    _same_election(state, view)
    commitments = _commitments(view)
    if state.transport is None:
        raise TrusteeToolError("tệp trạng thái này không có khóa truyền tin")
    transport = X25519PrivateKey.from_private_bytes(state.transport)
    to_me = {
        e.body["from"]: e
        for e in view.in_run("VoteTrusteeShareSent")
        if e.body["to"] == state.index
    }
    if len(to_me) != view.n - 1:
        raise TrusteeToolError("chưa nhận đủ các phần khóa gửi cho thành viên này")
    received: list[Scalar] = []
    for sender, event in sorted(to_me.items()):
        b = event.body
        message = EncryptedShare(
            sender,
            state.index,
            bytes.fromhex(b["ephemeral_pub"]),
            bytes.fromhex(b["nonce"]),
            bytes.fromhex(b["ciphertext"]),
        )
        try:
            share = decrypt_share(view.manifest_hash, transport, message)
        except CeremonyError:
            body = {"against": sender, "j": state.index, "reason": "share_unreadable"}
            return _message(view, "complaint", state.index, body)
        if not check_share(commitments[sender], state.index, share):
            body = {"against": sender, "j": state.index, "reason": "share_invalid"}
            return _message(view, "complaint", state.index, body)
        received.append(share)
    own = _dealing(state, view).share_for(state.index)
    key_share = combine_shares([*received, own])
    ordered = [commitments[i] for i in range(1, view.n + 1)]
    v_j = verification_key(ordered, state.index)
    if base_mul(key_share) != v_j:
        raise TrusteeToolError("phần khóa không khớp với V_j: hãy dừng quy trình")
    state.key_share = key_share
    state.coefficients = []
    body = {"j": state.index, "verification_key": v_j.hex()}
    return _message(view, "confirm", state.index, body)


def check_key(state: TrusteeState, view: RecordView) -> str:
    """Before the conference: the published Y, V_j and fingerprint are ours too."""
    _same_election(state, view)
    published = view.of("VoteElectionKeyPublished")
    if not published:
        raise TrusteeToolError("khóa bầu cử chưa được công bố")
    commitments = _commitments(view)
    ordered = [commitments[i] for i in range(1, view.n + 1)]
    key = election_key(ordered)
    keys = [verification_key(ordered, j) for j in range(1, view.n + 1)]
    digest = fingerprint(view.manifest_hash, ordered, key, keys)
    body = published[0].body
    if (
        body["election_key"] != key.hex()
        or body["verification_keys"] != [v.hex() for v in keys]
        or body["fingerprint"] != digest.hex()
    ):
        raise TrusteeToolError(
            "khóa bầu cử đã công bố khác với khóa tính được ở đây: hãy dừng lại"
        )
    if state.key_share is None or base_mul(state.key_share) != keys[state.index - 1]:
        raise TrusteeToolError("phần khóa trong tệp trạng thái này không khớp với V_j")
    return short_fingerprint(digest)


# ---------------------------------------------------------------------------
# Chair: slips (§6.1)
# ---------------------------------------------------------------------------
def make_slips(view: RecordView, index: int) -> tuple[list[Slip], dict[str, Any]]:
    """Mode A: slip_count fresh slips and the sorted list of their public keys.

    The caller prints the slips and keeps nothing; only the message is sent.
    """
    if view.manifest["mode"] != "A":
        raise TrusteeToolError(
            "phiếu mã (slip) chỉ dùng cho cuộc bỏ phiếu theo cách A (mode A)"
        )
    if view.manifest["chair_index"] != index:
        raise TrusteeToolError("chỉ trưởng ban kiểm phiếu được tạo phiếu mã")
    if not view.of("VoteElectionKeyPublished"):
        raise TrusteeToolError("khóa bầu cử chưa được công bố")
    if view.of("VoteCredentialsPublished"):
        raise TrusteeToolError("các mã bỏ phiếu đã được công bố")
    slips = [new_slip(view.election_id) for _ in range(view.manifest["slip_count"])]
    keys = sorted(slip.credential_pub.hex() for slip in slips)
    return slips, _message(view, "credentials", index, {"credentials": keys})


def void_message(view: RecordView, index: int, codes: Sequence[str]) -> dict[str, Any]:
    """Mode A: the keys of the slips that were not handed out, from their codes."""
    if view.manifest["chair_index"] != index:
        raise TrusteeToolError("chỉ trưởng ban kiểm phiếu được hủy phiếu mã")
    keys = []
    for code in codes:
        try:
            keys.append(parse_code(view.election_id, code).credential_pub.hex())
        except CredentialError as exc:
            raise TrusteeToolError(f"phiếu mã {code!r}: {exc}") from exc
    return _message(view, "void", index, {"credentials": sorted(keys)})


# ---------------------------------------------------------------------------
# Partial decryption (§8.2)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ClosedRecord:
    """A record verified (V1–V11) up to and including ``VoteVotingClosed``."""

    election_id: str
    fingerprint: bytes
    head: bytes
    tally: tuple[tuple[Ciphertext, ...], ...]
    decrypted_by: frozenset[int]
    trustee_keys: dict[int, bytes]


def verify_closed(data: bytes, head: bytes, jobs: int | None = None) -> ClosedRecord:
    """Run the standalone verifier's checks V1–V11 on a record that ends after the
    closing (the tally is not there yet), with the chain head from the minutes, and
    keep the aggregate it recomputed from every ballot (ballot proofs on ``jobs``
    processes, default one per CPU)."""
    v = RecordVerifier(data, head=head, jobs=jobs)
    v.start_early_proofs()
    try:
        v.check_format()
        v.check_chain()
        v.check_signatures()
        try:
            v.check_sequence()
        except Failure as failure:
            if failure.kind != "incomplete":
                raise
        v.check_manifest()
        v.check_ceremony()
        v.check_credentials()
        v.check_quorum()
        v.check_ballots()
        v.check_closing()
        v.check_minimum()
    except Failure as failure:
        raise _fail(failure) from None
    finally:
        v.close()
    if v.closing is None or v.closing.envelope_hash != head:
        raise TrusteeToolError(
            "hồ sơ chưa được khóa sổ tại đầu chuỗi ghi trong biên bản"
        )
    if any(e.topic in ("VoteTallyPublished", "VoteAbandoned") for e in v.events):
        raise TrusteeToolError("cuộc bỏ phiếu đã được kiểm phiếu hoặc đã hủy")
    if len(v.ballot_events) < v.manifest["min_ballots"]:
        raise TrusteeToolError(
            "số phiếu ít hơn mức tối thiểu (min_ballots): không giải mã"
        )
    tally = tuple(
        tuple(Ciphertext(Point(a), Point(b)) for a, b in row) for row in v.aggregate
    )
    decrypted = frozenset(
        e.body["j"] for e in v.events if e.topic == "VotePartialDecryption"
    )
    return ClosedRecord(
        election_id=v.manifest["election_id"],
        fingerprint=v.fingerprint,
        head=head,
        tally=tally,
        decrypted_by=decrypted,
        trustee_keys=dict(v.trustee_keys),
    )


def decrypt(state: TrusteeState, closed: ClosedRecord) -> dict[str, Any]:
    """Trustee j's D_j = s_j·A* with proofs, over the verified aggregate only."""
    if state.election_id != closed.election_id:
        raise TrusteeToolError("tệp trạng thái này thuộc một cuộc bỏ phiếu khác")
    if state.key_share is None:
        raise TrusteeToolError("tệp trạng thái này không có phần khóa")
    if state.index in closed.decrypted_by:
        raise TrusteeToolError("thành viên này đã công bố phần giải mã")
    partial = partial_decrypt(
        closed.fingerprint, state.index, state.key_share, closed.tally
    )
    body = {
        "j": state.index,
        "shares": [
            [{"d": s.d.hex(), "proof": s.proof.to_hex()} for s in row]
            for row in partial
        ],
        "verified_head": closed.head.hex(),
    }
    return {
        "body": body,
        "format": MESSAGE_FORMAT,
        "i": state.index,
        "step": "decrypt",
        "vote": closed.election_id,
    }


def parse_message(data: bytes) -> dict[str, Any]:
    """A message file as written by this tool; shape only (the server checks all)."""
    try:
        message = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrusteeToolError(
            f"không phải thông điệp của thành viên ban kiểm phiếu: {exc}"
        ) from exc
    if (
        not isinstance(message, dict)
        or message.get("format") != MESSAGE_FORMAT
        or message.get("step") not in STEPS
        or not isinstance(message.get("body"), dict)
        or not isinstance(message.get("i"), int)
        or not isinstance(message.get("vote"), str)
    ):
        raise TrusteeToolError("không phải thông điệp do công cụ này tạo ra")
    return message
