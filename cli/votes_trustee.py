"""``kiemdiem votes trustee …``: the trustee's own tool (votes.md §5, §6.1,
§8.2). It runs on the trustee's machine, reads an exported record and a local
encrypted state file and writes a message; only ``trustee submit`` talks to the
store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from cli.context import interactive, open_services, secret_from_env_or_prompt
from cli.votes_common import bad_input, read_file, refused
from cli.words import NO_TERMINAL, WRONG_LOGIN, refusal
from domain.errors import DomainError
from services.votes import VoteService
from votes import printing
from votes import trustee as tool

trustee = click.Group(
    "trustee",
    help="Công cụ của thành viên Ban kiểm phiếu (trustee tool): runs on the "
    "trustee's own machine; reads an exported record and a local state file, "
    "writes a message to submit.",
)

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


def _view(path: Path) -> tool.RecordView:
    data = read_file(path, "bản ghi")
    try:
        return tool.read_record(data)
    except tool.TrusteeToolError as exc:
        refused(str(exc))


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
    bad_input("hãy đặt KIEMDIEM_TRUSTEE_PASSPHRASE (không có cửa sổ dòng lệnh để hỏi)")


def _memory() -> int | None:
    raw = os.environ.get("KIEMDIEM_ARGON2_MEMORY_KIB")
    return int(raw) if raw and raw.isdigit() else None


def _load_state(path: Path) -> tool.TrusteeState:
    try:
        return tool.load_state(path, _passphrase(confirm=False))
    except tool.TrusteeToolError as exc:
        bad_input(str(exc))


def _save_state(path: Path, state: tool.TrusteeState) -> None:
    try:
        tool.save_state(path, state, _passphrase(confirm=False), memory_kib=_memory())
    except OSError as exc:
        bad_input(f"không ghi được tệp trạng thái {path}: {exc}")


def _emit_message(message: dict[str, Any], out_path: Path | None) -> None:
    text = json.dumps(message, ensure_ascii=False, sort_keys=True)
    if out_path is None:
        click.echo(text)
        return
    try:
        out_path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        bad_input(f"không ghi được {out_path}: {exc}")
    click.echo(f"Đã ghi thông điệp {message['step']} vào {out_path}", err=True)


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
        refused(str(exc))
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
        bad_input(f"{state_path} đã có; nghi thức làm lại cần một tệp trạng thái mới")
    passphrase = _passphrase(confirm=True)
    try:
        state, message = tool.start(view, index)
    except tool.TrusteeToolError as exc:
        refused(str(exc))
    try:
        tool.save_state(state_path, state, passphrase, memory_kib=_memory())
    except OSError as exc:
        bad_input(f"không ghi được tệp trạng thái {state_path}: {exc}")
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
        refused(str(exc))


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
        refused(str(exc))
    short = next(
        (e.body["short_fingerprint"] for e in view.of("VoteElectionKeyPublished")),
        "",
    )
    try:
        document = printing.slips_pdf(view.manifest["title"], short, slips)
    except printing.PrintingError as exc:
        bad_input(str(exc))
    try:
        fd = os.open(slips_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(document)
    except OSError as exc:
        bad_input(f"không ghi được {slips_path}: {exc}")
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
        refused(str(exc))
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
        bad_input("--head phải gồm 64 ký tự hex chữ thường")
    data = read_file(record_path, "bản ghi")
    state = _load_state(state_path)
    try:
        message = tool.decrypt(state, tool.verify_closed(data, head_bytes, jobs))
    except tool.TrusteeToolError as exc:
        refused(str(exc))
    _emit_message(message, out_path)


@trustee.command("submit")
@click.argument("message_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="Your account name.")
def trustee_submit(message_path: Path, username: str) -> None:
    """Send a message to the store, signed with your account key.

    The password comes from KIEMDIEM_PASSWORD or a prompt.
    """
    try:
        message = tool.parse_message(read_file(message_path, "thông điệp"))
    except tool.TrusteeToolError as exc:
        bad_input(str(exc))
    password = secret_from_env_or_prompt("KIEMDIEM_PASSWORD", f"Mật khẩu {username}")
    if password is None:
        bad_input(NO_TERMINAL)
    with open_services() as services:
        session = services.authenticate(username, password)
        if session is None:
            bad_input(WRONG_LOGIN)
        vote_service = VoteService(services)
        try:
            command = vote_service.command_from_message(session.actor, message)
            services.handle(command, session.signer)
        except DomainError as exc:
            refused(f"{refusal(exc.code, exc.details)} ({exc.code})")
    click.echo(f"{message['step']}: đã ghi nhận")
