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
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import click

from cli.context import interactive, open_services, secret_from_env_or_prompt
from domain.errors import DomainError
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


def _print_report(report: Report) -> None:
    for outcome in report.checks:
        click.echo(f"{outcome.check:<4} {outcome.title:<20} {outcome.status}")
    for note in report.notes:
        click.echo(f"note: {note}")
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
    help="Trust root file (ledger format) that vouches for the organiser key.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def verify(
    record: Path, head: str | None, trust_root_path: Path | None, as_json: bool
) -> None:
    """Check every rule of votes.md §10.3 over the election RECORD (JSON Lines).

    Exit status 0 when every check passes, 1 at the first failing check (named with
    its position), 2 when an input cannot be read.
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
    trust_root = None
    if trust_root_path is not None:
        trust_root = _read_trust_root(trust_root_path, as_json)
    report = verify_record(data, head=head_bytes, trust_root=trust_root)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        _print_report(report)
    raise click.exceptions.Exit(EXIT_OK if report.ok else EXIT_FAILED)


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
def trustee_decrypt(
    record_path: Path, state_path: Path, out_path: Path | None, head: str
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
        message = tool.decrypt(state, tool.verify_closed(data, head_bytes))
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
            vote_service.handle(command, session.signer)
        except DomainError as exc:
            _refused(str(exc))
    click.echo(f"{message['step']}: recorded")
