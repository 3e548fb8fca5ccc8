"""``kiemdiem votes``: commands of the confidence vote.

``verify`` runs the standalone verifier (votes.md §10.2) over an exported election
record.  It reads only the files named on the command line, never the database, so
the inspection committee can run it on its own machine against a copy of the record.
``list`` and ``export`` read the store; ``trustee …`` is the trustee's own tool,
which works on local files and talks to the store only in ``trustee submit``.
"""

from __future__ import annotations

import json
import os
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import click

from cli.context import interactive, open_services, secret_from_env_or_prompt
from domain.errors import DomainError
from ledger.config import settings_from_environ
from ledger.errors import ConfigurationError
from services import booth
from services import vote_commands as vc
from services.app import Kiemdiem
from services.votes import VoteService
from votes import printing
from votes import trustee as tool
from votes.verifier import Report, verify_record

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNREADABLE = 2

votes = click.Group(
    "votes",
    help="Bỏ phiếu tín nhiệm: kiểm tra hồ sơ cuộc bỏ phiếu (confidence vote tools).",
)


def _unreadable(message: str, as_json: bool) -> NoReturn:
    if as_json:
        payload: dict[str, Any] = {
            "checks": [],
            "error": message,
            "first_failure": None,
            "ok": False,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_UNREADABLE)


def _read_trust_root(path: Path, as_json: bool) -> dict[str, Any]:
    try:
        value: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _unreadable(f"cannot read trust root {path}: {exc}", as_json)
    if not isinstance(value, dict):
        _unreadable(f"trust root {path} is not a JSON object", as_json)
    trust_root: dict[str, Any] = value
    return trust_root


def _find_trust_root(given: Path | None, as_json: bool) -> tuple[dict[str, Any], str]:
    """The trust root (votes.md V3: required for the organiser key) and where it
    was taken from: ``--trust-root``, else the store's own (KIEMDIEM_TRUST_ROOT
    or ``trust-root.json`` in the instance folder). Never the record itself."""
    if given is not None:
        return _read_trust_root(given, as_json), f"{given} (given with --trust-root)"
    try:
        settings = settings_from_environ()
    except ConfigurationError:
        settings = None
    if settings is not None and settings.trust_root_path.is_file():
        path = settings.trust_root_path
        where = (
            "KIEMDIEM_TRUST_ROOT"
            if "KIEMDIEM_TRUST_ROOT" in settings.paths
            else "found beside the store"
        )
        return _read_trust_root(path, as_json), f"{path} ({where})"
    _unreadable(
        "no trust root: give --trust-root FILE (the trust root handed over at the "
        "set-up); the organiser key is never taken from the record itself",
        as_json,
    )


def _print_report(report: Report) -> None:
    for outcome in report.checks:
        click.echo(f"{outcome.check:<4} {outcome.title:<20} {outcome.status}")
    for note in report.notes:
        click.echo(f"note: {note}")
    if report.booth_sha256 is not None:
        click.echo(
            f"booth_sha256 {report.booth_sha256} "
            "(compare with `kiemdiem votes booth-hash`)"
        )
    failure = report.first_failure
    if failure is None:
        click.echo("OK: every check passed")
        return
    where = ""
    if failure.position is not None:
        where = f" at position {failure.position}"
        if failure.topic:
            where += f" ({failure.topic})"
    click.echo(f"FAIL {failure.name}{where}: {failure.detail}")


@votes.command("verify")
@click.argument("record", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--head",
    metavar="HEX",
    help="Chain head written in the minutes: the VoteVotingClosed envelope hash.",
)
@click.option(
    "--trust-root",
    "trust_root_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Trust root file (ledger format) that vouches for the organiser key "
    "(default: the store's, beside it in the instance folder; required).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes checking the ballot proofs (default: one per CPU).",
)
@click.option(
    "--audit-ballot",
    "audit_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A ballot audited in the booth (kiem-tra-phieu.json): V17. Repeatable.",
)
def verify(
    record: Path,
    head: str | None,
    trust_root_path: Path | None,
    as_json: bool,
    jobs: int | None,
    audit_paths: tuple[Path, ...],
) -> None:
    """Check every rule of votes.md §10.3 over the election RECORD (JSON Lines).

    The trust root is required (V3): --trust-root FILE, else the store's own
    (KIEMDIEM_TRUST_ROOT or trust-root.json in the instance folder); the report
    says which. Exit status 0 when every check passes, 1 at the first failing
    check (named with its position) or a failed audit, 2 when an input cannot be
    read or no trust root is found.  The
    manifest's booth_sha256 is printed to compare with `kiemdiem votes booth-hash`;
    each --audit-ballot file is re-encrypted and its choices printed (V17).
    """
    try:
        data = record.read_bytes()
    except OSError as exc:
        _unreadable(f"cannot read record {record}: {exc}", as_json)
    head_bytes = None
    if head is not None:
        try:
            head_bytes = bytes.fromhex(head)
        except ValueError:
            head_bytes = b""
        if len(head_bytes) != 32 or head != head_bytes.hex():
            _unreadable("--head must be 64 lowercase hex characters", as_json)
    trust_root, trust_root_source = _find_trust_root(trust_root_path, as_json)
    audits = []
    for path in audit_paths:
        try:
            audits.append(path.read_bytes())
        except OSError as exc:
            _unreadable(f"cannot read audit file {path}: {exc}", as_json)
    report = verify_record(
        data, head=head_bytes, trust_root=trust_root, jobs=jobs, audit_ballots=audits
    )
    if as_json:
        payload = {**report.to_json(), "trust_root": trust_root_source}
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(f"trust root: {trust_root_source}")
        _print_report(report)
        for path, audit in zip(audit_paths, report.audits, strict=True):
            status = "OK" if audit.ok else "FAIL"
            click.echo(f"V17  audit {path}: {status} {audit.detail}")
            for line in audit.choices:
                click.echo(f"       {line}")
    ok = report.ok and all(audit.ok for audit in report.audits)
    raise click.exceptions.Exit(EXIT_OK if ok else EXIT_FAILED)


# ---------------------------------------------------------------------------
# Reading the store: list and export
# ---------------------------------------------------------------------------
def _bad_input(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_UNREADABLE)


def _refused(message: str) -> NoReturn:
    click.echo(f"refused: {message}", err=True)
    raise click.exceptions.Exit(EXIT_FAILED)


def _vote_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        _bad_input(f"{value!r} is not a vote id (see `kiemdiem votes list`)")


@votes.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array on stdout.")
def list_votes(as_json: bool) -> None:
    """List votes with their ids, organisation, title, state and counts."""
    with open_services() as services:
        rows = VoteService(services).votes()
    if as_json:
        payload = [
            {
                "ballots": r.ballots,
                "code": r.code,
                "conference_date": r.conference_date,
                "convened": r.convened,
                "issued": r.issued,
                "leaders": r.leaders,
                "mode": r.mode,
                "org_id": str(r.org_id) if r.org_id else None,
                "organisation": r.organisation,
                "partials": r.partials,
                "present": r.present,
                "short_fingerprint": r.short_fingerprint,
                "state": r.state,
                "threshold": r.threshold,
                "title": r.title,
                "trustees": r.trustees,
                "vote_id": str(r.vote_id),
                "vote_year": r.vote_year,
            }
            for r in rows
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
        return
    if not rows:
        click.echo("no votes")
    for r in rows:
        issued = "-" if r.issued is None else str(r.issued)
        click.echo(
            f"{r.vote_id}  {r.state:<21}  ballots {r.ballots}/{issued}  "
            f"leaders {r.leaders}  {r.organisation}: {r.title}"
        )


@votes.command("export")
@click.argument("vote_id")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export(vote_id: str, file: Path) -> None:
    """Write the election record of VOTE_ID to FILE (canonical JSON Lines).

    The record is rebuilt from the vote's signed events in the ledger, followed by
    the signers' public keys: the input of `kiemdiem votes verify` and of the
    trustee tool.
    """
    vote = _vote_id(vote_id)
    with open_services() as services:
        try:
            data = VoteService(services).export_record(vote)
        except DomainError:
            _bad_input(f"no vote {vote} in this store")
    try:
        file.write_bytes(data)
    except OSError as exc:
        _bad_input(f"cannot write {file}: {exc}")
    events = data.count(b"\n") - 1
    click.echo(f"{file}: {events} events")


# ---------------------------------------------------------------------------
# Creating a vote from a file (the organiser, an administrator)
# ---------------------------------------------------------------------------
CREATE_EXAMPLE = """\
organisation: tinh-uy-song-hong      # code or id
code: ltn-2026-btv
title: Lấy phiếu tín nhiệm năm 2026 đối với Ban Thường vụ
vote_year: 2026
conference_date: 2026-12-10
convened: 45
mode: A                              # optional, A (default)
threshold: 3                         # optional, default n // 2 + 1
slip_count: 45                       # optional, default convened
min_ballots: 2                       # optional
chair: bkp-truongban                 # optional, default the first trustee
trustees: [bkp-truongban, bkp-uyvien1, bkp-uyvien2]   # accounts (role counting)
leaders:
  - member: DV00000001               # party card number or member id
    post: Bí thư
    appointed_or_elected_on: 2020-10-15
    pending_retirement_notice: false  # optional
"""
CREATE_KEYS = {
    "organisation",
    "code",
    "title",
    "vote_year",
    "conference_date",
    "convened",
    "mode",
    "threshold",
    "slip_count",
    "min_ballots",
    "chair",
    "trustees",
    "leaders",
}
LEADER_KEYS = {"member", "post", "appointed_or_elected_on", "pending_retirement_notice"}
PLAIN_WORDS = {
    "vote.code_invalid": "the code takes lowercase letters, digits and hyphens",
    "vote.code_taken": "this organisation already has a vote with that code",
    "vote.title_required": "the title is empty",
    "vote.mode_unknown": "the mode is A (in person) or B (remote)",
    "vote.remote_mode_disabled": "this server does not offer mode B",
    "vote.leaders_required": "list at least one leader",
    "vote.leader_duplicate": "a leader is listed twice",
    "vote.leader_post_required": "a leader has no post",
    "vote.leader_appointed_this_year": (
        "a leader appointed or elected in the vote year cannot be voted on (96-QĐ/TW)"
    ),
    "vote.leader_appointment_mismatch": (
        "a leader's appointment date differs from the post recorded in the ledger"
    ),
    "vote.leader_pending_retirement": (
        "a leader notified of leave pending retirement cannot be voted on (96-QĐ/TW)"
    ),
    "vote.trustees_count": "the ban kiểm phiếu has 3 to 7 members",
    "vote.trustee_duplicate": "a trustee is listed twice",
    "vote.trustee_not_counting": "a trustee's account lacks the role `counting`",
    "vote.trustee_without_key": "a trustee's account has no valid signing key",
    "vote.threshold_invalid": "the threshold is between 2 and the number of trustees",
    "vote.chair_not_trustee": "the chair must be one of the trustees",
    "vote.convened_invalid": "at least one person is convened",
    "vote.min_ballots_invalid": "min_ballots is at least 2",
    "vote.slip_count_too_small": "print at least as many slips as people convened",
    "vote.booth_missing": (
        "the voting booth's files are missing (node_modules): run `npm ci` (or "
        "`make install`) before creating a vote, so its manifest pins the booth"
    ),
    "vote.booth_hash_invalid": "the booth hash is 64 lowercase hex, not all zeros",
    "org.not_found": "no such organisation",
    "member.not_found": "no such member",
    "account.not_found": "no such account",
    "account.disabled": "a trustee's account is disabled",
    "auth.forbidden": "only an administrator creates a vote",
}


def _load_spec(path: Path) -> Any:
    text = _read(path, "vote file").decode("utf-8", errors="replace")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            _bad_input("reading YAML needs PyYAML; write the file as JSON instead")
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            _bad_input(f"{path} is not valid YAML: {exc}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _bad_input(f"{path} is not valid JSON: {exc}")


def _field(spec: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
    value = spec.get(key)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        _bad_input(f"{where}{key} must be a whole number")
    if kind is str and (not isinstance(value, str) or not value.strip()):
        _bad_input(f"{where}{key} must be non-empty text")
    return value


def _day(value: Any, what: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    _bad_input(f"{what} must be a date YYYY-MM-DD")


def _resolve_org(services: Kiemdiem, value: Any) -> UUID:
    text = str(value).strip()
    for row in services.organisations():
        if text in (row.code, str(row.org_id)):
            return row.org_id
    _bad_input(f"no organisation with code or id {text!r}")


def _resolve_member(services: Kiemdiem, value: Any, where: str) -> UUID:
    text = str(value).strip()
    for row in services.members():
        if text in (row.party_card_no, str(row.member_id)):
            return row.member_id
    _bad_input(f"{where}: no member with party card number or id {text!r}")


def _resolve_account(services: Kiemdiem, value: Any, where: str) -> UUID:
    text = str(value).strip()
    for row in services.accounts():
        if text in (row.username, str(row.account_id)):
            return row.account_id
    _bad_input(f"{where}: no account named {text!r}")


def _create_command(services: Kiemdiem, actor: str, spec: Any) -> vc.CreateVote:
    """The file as a CreateVote command: shape and look-ups only; rules are the
    domain's (checked when the command runs)."""
    if not isinstance(spec, dict):
        _bad_input("the vote file holds one object (see --example)")
    unknown = sorted(set(spec) - CREATE_KEYS)
    if unknown:
        _bad_input(f"unknown keys {', '.join(unknown)} (see --example)")
    for key in ("code", "title"):
        _field(spec, key, str)
    for key in ("vote_year", "convened"):
        _field(spec, key, int)
    for key in ("threshold", "slip_count", "min_ballots"):
        if spec.get(key) is not None:
            _field(spec, key, int)
    leaders_raw = spec.get("leaders")
    trustees_raw = spec.get("trustees")
    if not isinstance(leaders_raw, list):
        _bad_input("leaders must be a list")
    if not isinstance(trustees_raw, list):
        _bad_input("trustees must be a list of account names")
    leaders = []
    for number, entry in enumerate(leaders_raw, start=1):
        where = f"leader {number}"
        if not isinstance(entry, dict) or set(entry) - LEADER_KEYS:
            _bad_input(f"{where}: keys are {', '.join(sorted(LEADER_KEYS))}")
        _field(entry, "post", str, f"{where}: ")
        notice = entry.get("pending_retirement_notice", False)
        if not isinstance(notice, bool):
            _bad_input(f"{where}: pending_retirement_notice is true or false")
        leaders.append(
            vc.LeaderInput(
                _resolve_member(services, entry.get("member"), where),
                unicodedata.normalize("NFC", entry["post"]),
                _day(entry.get("appointed_or_elected_on"), f"{where}: appointed date"),
                notice,
            )
        )
    trustees = tuple(
        _resolve_account(services, value, f"trustee {k}")
        for k, value in enumerate(trustees_raw, start=1)
    )
    chair = spec.get("chair")
    chair_index = 1
    if isinstance(chair, int) and not isinstance(chair, bool):
        chair_index = chair
    elif chair is not None:
        account = _resolve_account(services, chair, "chair")
        if account not in trustees:
            _bad_input("the chair must be one of the trustees")
        chair_index = trustees.index(account) + 1
    mode = str(spec.get("mode", "A")).strip().upper()
    return vc.CreateVote(
        actor,
        org_id=_resolve_org(services, spec.get("organisation")),
        code=str(spec["code"]),
        title=unicodedata.normalize("NFC", spec["title"]),
        vote_year=spec["vote_year"],
        conference_date=_day(spec.get("conference_date"), "conference_date"),
        leaders=tuple(leaders),
        trustees=trustees,
        convened=spec["convened"],
        threshold=spec.get("threshold"),
        slip_count=spec.get("slip_count"),
        mode=mode,
        chair_index=chair_index,
        min_ballots=spec.get("min_ballots", 2),
    )


@votes.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--admin", "admin_username", default="admin", show_default=True)
@click.option("--example", is_flag=True, help="Print an example file and exit.")
def create(file: Path | None, admin_username: str, example: bool) -> None:
    """Create a vote from FILE (JSON, or YAML when named .yaml/.yml).

    The organiser is an administrator, whose password comes from
    KIEMDIEM_ADMIN_PASSWORD or a prompt.  A refused vote stores nothing.  Prints
    the new vote's id.
    """
    if example:
        click.echo(CREATE_EXAMPLE, nl=False)
        return
    if file is None:
        _bad_input("name the vote file (see `kiemdiem votes create --example`)")
    spec = _load_spec(file)
    password = secret_from_env_or_prompt(
        "KIEMDIEM_ADMIN_PASSWORD", "Mật khẩu quản trị (admin password)"
    )
    if password is None:
        _bad_input("set KIEMDIEM_ADMIN_PASSWORD: stdin is not a terminal to ask on")
    with open_services() as services:
        session = services.authenticate(admin_username, password)
        if session is None:
            _bad_input("wrong administrator name or password")
        command = _create_command(services, session.actor, spec)
        try:
            vote = services.handle(command, session.signer)
        except DomainError as exc:
            words = PLAIN_WORDS.get(exc.code)
            _refused(f"{exc}: {words}" if words else str(exc))
    click.echo(str(vote))


@votes.command("booth-hash")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Checkout holding booth/ and node_modules/ (default: the one served).",
)
@click.option("--files", "show_files", is_flag=True, help="Also list each file.")
def booth_hash(root: Path | None, show_files: bool) -> None:
    """Print the SHA-256 of the booth files as the server serves them.

    It is the manifest's booth_sha256 (printed by `kiemdiem votes verify`), computed
    over the booth's own modules and the @noble packages installed by `npm ci` from
    package-lock.json, with the import map and its integrity entries.
    """
    try:
        bundle = booth.build_bundle(root) if root is not None else booth.bundle()
    except booth.BoothMissing as exc:
        _bad_input(f"{exc} (the booth is installed with `npm ci`)")
    if show_files:
        for path, digest in sorted(bundle.digests.items()):
            click.echo(f"{digest}  {path}")
    click.echo(bundle.sha256.hex())


# ---------------------------------------------------------------------------
# The trustee's tool (votes.md §5, §6.1, §8.2): local files only, except `submit`
# ---------------------------------------------------------------------------
trustee = click.Group(
    "trustee",
    help="Công cụ của thành viên Ban kiểm phiếu (trustee tool): runs on the "
    "trustee's own machine; reads an exported record and a local state file, "
    "writes a message to submit.",
)
votes.add_command(trustee)

_record_option = click.option(
    "--record",
    "record_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Election record exported with `kiemdiem votes export`.",
)
_state_option = click.option(
    "--state",
    "state_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="This trustee's encrypted state file.",
)
_out_option = click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the message here (default: standard output).",
)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        _bad_input(f"cannot read {what} {path}: {exc}")


def _view(path: Path) -> tool.RecordView:
    data = _read(path, "record")
    try:
        return tool.read_record(data)
    except tool.TrusteeToolError as exc:
        _refused(str(exc))


def _passphrase(confirm: bool) -> str:
    value = os.environ.get("KIEMDIEM_TRUSTEE_PASSPHRASE")
    if value:
        return value
    if interactive():
        return str(
            click.prompt(
                "Mật khẩu tệp trạng thái (state passphrase)",
                hide_input=True,
                confirmation_prompt=confirm,
            )
        )
    _bad_input("set KIEMDIEM_TRUSTEE_PASSPHRASE: stdin is not a terminal to ask on")


def _memory() -> int | None:
    raw = os.environ.get("KIEMDIEM_ARGON2_MEMORY_KIB")
    return int(raw) if raw and raw.isdigit() else None


def _load_state(path: Path) -> tool.TrusteeState:
    try:
        return tool.load_state(path, _passphrase(confirm=False))
    except tool.TrusteeToolError as exc:
        _bad_input(str(exc))


def _save_state(path: Path, state: tool.TrusteeState) -> None:
    try:
        tool.save_state(path, state, _passphrase(confirm=False), memory_kib=_memory())
    except OSError as exc:
        _bad_input(f"cannot write the state file {path}: {exc}")


def _emit_message(message: dict[str, Any], out_path: Path | None) -> None:
    text = json.dumps(message, ensure_ascii=False, sort_keys=True)
    if out_path is None:
        click.echo(text)
        return
    try:
        out_path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        _bad_input(f"cannot write {out_path}: {exc}")
    click.echo(f"{message['step']} message written to {out_path}", err=True)


def _run_step(
    record_path: Path,
    state_path: Path,
    out_path: Path | None,
    step: Any,
) -> None:
    view = _view(record_path)
    state = _load_state(state_path)
    try:
        message = step(state, view)
    except tool.TrusteeToolError as exc:
        _refused(str(exc))
    _save_state(state_path, state)
    _emit_message(message, out_path)


@trustee.command("start")
@_record_option
@_state_option
@_out_option
@click.option("--index", type=int, required=True, help="Your trustee index (1..n).")
def trustee_start(
    record_path: Path, state_path: Path, out_path: Path | None, index: int
) -> None:
    """Step 1: a new transport key; creates the state file (asks a passphrase)."""
    view = _view(record_path)
    if state_path.exists() and not os.environ.get("KIEMDIEM_TRUSTEE_OVERWRITE"):
        _bad_input(f"{state_path} exists; a restarted ceremony needs a new state file")
    passphrase = _passphrase(confirm=True)
    try:
        state, message = tool.start(view, index)
    except tool.TrusteeToolError as exc:
        _refused(str(exc))
    try:
        tool.save_state(state_path, state, passphrase, memory_kib=_memory())
    except OSError as exc:
        _bad_input(f"cannot write the state file {state_path}: {exc}")
    _emit_message(message, out_path)


@trustee.command("commit")
@_record_option
@_state_option
@_out_option
def trustee_commit(record_path: Path, state_path: Path, out_path: Path | None) -> None:
    """Step 2: draw the polynomial; message with commitments and proofs."""
    _run_step(record_path, state_path, out_path, tool.commit)


@trustee.command("shares")
@_record_option
@_state_option
@_out_option
def trustee_shares(record_path: Path, state_path: Path, out_path: Path | None) -> None:
    """Step 3: check everyone's commitments; encrypted shares for the others."""
    _run_step(record_path, state_path, out_path, tool.send_shares)


@trustee.command("check")
@_record_option
@_state_option
@_out_option
def trustee_check(record_path: Path, state_path: Path, out_path: Path | None) -> None:
    """Step 4: check the shares sent to you; confirmation or complaint."""
    _run_step(record_path, state_path, out_path, tool.check_shares)


@trustee.command("key")
@_record_option
@_state_option
def trustee_key(record_path: Path, state_path: Path) -> None:
    """Check the published election key against your own computation and print
    the short fingerprint to compare with the one read out at the conference."""
    view = _view(record_path)
    state = _load_state(state_path)
    try:
        click.echo(tool.check_key(state, view))
    except tool.TrusteeToolError as exc:
        _refused(str(exc))


@trustee.command("slips")
@_record_option
@_out_option
@click.option("--index", type=int, required=True, help="Your trustee index.")
@click.option(
    "--slips",
    "slips_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the printable slips as PDF (print it, then delete it).",
)
def trustee_slips(
    record_path: Path, out_path: Path | None, index: int, slips_path: Path
) -> None:
    """The chair, mode A: generate the slips and the list of their public keys."""
    view = _view(record_path)
    try:
        slips, message = tool.make_slips(view, index)
    except tool.TrusteeToolError as exc:
        _refused(str(exc))
    short = next(
        (e.body["short_fingerprint"] for e in view.of("VoteElectionKeyPublished")),
        "",
    )
    try:
        document = printing.slips_pdf(view.manifest["title"], short, slips)
    except printing.PrintingError as exc:
        _bad_input(str(exc))
    try:
        fd = os.open(slips_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(document)
    except OSError as exc:
        _bad_input(f"cannot write {slips_path}: {exc}")
    _emit_message(message, out_path)


@trustee.command("void")
@_record_option
@_out_option
@click.option("--index", type=int, required=True, help="Your trustee index.")
@click.argument("codes", nargs=-1, required=True)
def trustee_void(
    record_path: Path, out_path: Path | None, index: int, codes: tuple[str, ...]
) -> None:
    """The chair, mode A: void the slips with these CODES (not handed out)."""
    view = _view(record_path)
    try:
        message = tool.void_message(view, index, codes)
    except tool.TrusteeToolError as exc:
        _refused(str(exc))
    _emit_message(message, out_path)


@trustee.command("decrypt")
@_record_option
@_state_option
@_out_option
@click.option("--head", required=True, metavar="HEX", help="Head from the minutes.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes checking the ballot proofs (default: one per CPU).",
)
def trustee_decrypt(
    record_path: Path,
    state_path: Path,
    out_path: Path | None,
    head: str,
    jobs: int | None,
) -> None:
    """Verify the closed record (V1–V11) and decrypt only its recomputed aggregate."""
    try:
        head_bytes = bytes.fromhex(head)
    except ValueError:
        head_bytes = b""
    if len(head_bytes) != 32 or head != head_bytes.hex():
        _bad_input("--head must be 64 lowercase hex characters")
    data = _read(record_path, "record")
    state = _load_state(state_path)
    try:
        message = tool.decrypt(state, tool.verify_closed(data, head_bytes, jobs))
    except tool.TrusteeToolError as exc:
        _refused(str(exc))
    _emit_message(message, out_path)


@trustee.command("submit")
@click.argument("message_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="Your account name.")
def trustee_submit(message_path: Path, username: str) -> None:
    """Send a message to the store, signed with your account key.

    The password comes from KIEMDIEM_PASSWORD or a prompt.
    """
    try:
        message = tool.parse_message(_read(message_path, "message"))
    except tool.TrusteeToolError as exc:
        _bad_input(str(exc))
    password = secret_from_env_or_prompt("KIEMDIEM_PASSWORD", f"Mật khẩu {username}")
    if password is None:
        _bad_input("set KIEMDIEM_PASSWORD: stdin is not a terminal to ask on")
    with open_services() as services:
        session = services.authenticate(username, password)
        if session is None:
            _bad_input("wrong account name or password")
        vote_service = VoteService(services)
        try:
            command = vote_service.command_from_message(session.actor, message)
            services.handle(command, session.signer)
        except DomainError as exc:
            _refused(str(exc))
    click.echo(f"{message['step']}: recorded")
