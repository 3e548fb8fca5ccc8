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

from cli.click_help import VietnameseGroup
from cli.context import interactive, open_services, secret_from_env_or_prompt
from cli.votes_common import bad_input, read_file, refused
from cli.words import NO_TERMINAL, WRONG_LOGIN, os_words, refusal
from domain.errors import DomainError
from services.votes import VoteService
from votes import printing
from votes import trustee as tool

trustee = VietnameseGroup(
    "trustee",
    help="Công cụ của thành viên Ban kiểm phiếu: chạy trên máy của chính thành "
    "viên; đọc hồ sơ cuộc bỏ phiếu đã xuất và một tệp trạng thái trên máy, ghi ra "
    "thông điệp để gửi lên.",
)

_record_option = click.option(
    "--record",
    "record_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hồ sơ cuộc bỏ phiếu xuất bằng `kiemdiem votes export`.",
)
_state_option = click.option(
    "--state",
    "state_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp trạng thái đã mã hóa của thành viên này.",
)
_out_option = click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi thông điệp vào tệp này (mặc định: đầu ra chuẩn).",
)
_index_option = click.option(
    "--index",
    type=int,
    required=True,
    metavar="SỐ",
    help="Số thứ tự của bạn trong Ban kiểm phiếu (1..n).",
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
        bad_input(f"không ghi được tệp trạng thái {path}: {os_words(exc)}")


def _emit_message(message: dict[str, Any], out_path: Path | None) -> None:
    text = json.dumps(message, ensure_ascii=False, sort_keys=True)
    if out_path is None:
        click.echo(text)
        return
    try:
        out_path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        bad_input(f"không ghi được {out_path}: {os_words(exc)}")
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
@_index_option
def trustee_start(
    record_path: Path, state_path: Path, out_path: Path | None, index: int
) -> None:
    """Bước 1: tạo khóa truyền mới; tạo tệp trạng thái (hỏi mật khẩu của tệp)."""
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
        bad_input(f"không ghi được tệp trạng thái {state_path}: {os_words(exc)}")
    _emit_message(message, out_path)


@trustee.command("commit")
@_record_option
@_state_option
@_out_option
def trustee_commit(record_path: Path, state_path: Path, out_path: Path | None) -> None:
    """Bước 2: chọn đa thức ngẫu nhiên; thông điệp gồm các cam kết và bằng chứng."""
    _run_step(record_path, state_path, out_path, tool.commit)


@trustee.command("shares")
@_record_option
@_state_option
@_out_option
def trustee_shares(record_path: Path, state_path: Path, out_path: Path | None) -> None:
    """Bước 3: kiểm tra cam kết của mọi thành viên; các phần khóa đã mã hóa gửi
    cho từng thành viên khác."""
    _run_step(record_path, state_path, out_path, tool.send_shares)


@trustee.command("check")
@_record_option
@_state_option
@_out_option
def trustee_check(record_path: Path, state_path: Path, out_path: Path | None) -> None:
    """Bước 4: kiểm tra các phần khóa gửi cho bạn; xác nhận hoặc khiếu nại."""
    _run_step(record_path, state_path, out_path, tool.check_shares)


@trustee.command("key")
@_record_option
@_state_option
def trustee_key(record_path: Path, state_path: Path) -> None:
    """Đối chiếu khóa bỏ phiếu đã công bố với phép tính của chính bạn và in dấu
    vân tay ngắn để so với dấu được đọc tại hội nghị."""
    view = _view(record_path)
    state = _load_state(state_path)
    try:
        click.echo(tool.check_key(state, view))
    except tool.TrusteeToolError as exc:
        refused(str(exc))


@trustee.command("slips")
@_record_option
@_out_option
@_index_option
@click.option(
    "--slips",
    "slips_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp PDF ghi các phiếu để in (in xong thì xóa tệp).",
)
def trustee_slips(
    record_path: Path, out_path: Path | None, index: int, slips_path: Path
) -> None:
    """Trưởng ban, chế độ A: sinh các phiếu và danh sách khóa công khai của
    chúng."""
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
        bad_input(f"không ghi được {slips_path}: {os_words(exc)}")
    _emit_message(message, out_path)


@trustee.command("void")
@_record_option
@_out_option
@_index_option
@click.argument("codes", nargs=-1, required=True, metavar="MÃ_PHIẾU...")
def trustee_void(
    record_path: Path, out_path: Path | None, index: int, codes: tuple[str, ...]
) -> None:
    """Trưởng ban, chế độ A: hủy các phiếu có MÃ_PHIẾU này (chưa phát ra)."""
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
@click.option(
    "--head",
    required=True,
    metavar="HEX",
    help="Mã đầu chuỗi ghi trong biên bản.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Số tiến trình kiểm tra bằng chứng của lá phiếu (mặc định: mỗi CPU một "
    "tiến trình).",
)
def trustee_decrypt(
    record_path: Path,
    state_path: Path,
    out_path: Path | None,
    head: str,
    jobs: int | None,
) -> None:
    """Kiểm tra hồ sơ đã kết thúc (V1–V11) và chỉ giải mã tổng được tính lại từ
    hồ sơ đó."""
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
@click.argument(
    "message_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="TỆP_THÔNG_ĐIỆP",
)
@click.option(
    "--user",
    "username",
    required=True,
    metavar="TÀI_KHOẢN",
    help="Tên tài khoản của bạn.",
)
def trustee_submit(message_path: Path, username: str) -> None:
    """Gửi một thông điệp lên kho, ký bằng khóa của tài khoản bạn.

    Mật khẩu lấy từ KIEMDIEM_PASSWORD hoặc được hỏi.
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
