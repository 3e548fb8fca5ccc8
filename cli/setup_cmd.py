"""``kiemdiem init`` and ``kiemdiem demo``."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from cli.click_help import VietnameseCommand
from cli.context import (
    interactive,
    load_settings,
    open_services,
    secret_from_env_or_prompt,
)
from cli.logins_table import LOGIN_URL, logins_table
from cli.words import refusal
from domain.errors import DomainError
from ledger.config import Settings
from ledger.errors import ConfigurationError
from services.app import Kiemdiem, Session
from services.demo import DemoAccount, DemoResult, load_demo
from services.demo_province import PHASES, generate_province
from services.demo_province_plan import MIN_MEMBERS
from services.setup import initialise, write_private_file
from web.catalogue.demo import phase_label

DEMO_ACCOUNTS_FILE = "demo-accounts.txt"


@click.command(cls=VietnameseCommand)
@click.option(
    "--origin",
    default=None,
    metavar="NGUỒN",
    help="Nguồn (origin) của sổ cái, ví dụ kiemdiem.example.vn/tu (mặc định: "
    "KIEMDIEM_LOG_ORIGIN hoặc kiemdiem.local/demo).",
)
@click.option(
    "--admin",
    "admin_username",
    default="admin",
    show_default=True,
    metavar="TÀI_KHOẢN",
    help="Tên tài khoản quản trị đầu tiên.",
)
@click.option(
    "--admin-name",
    default="Quản trị hệ thống",
    show_default=True,
    metavar="HỌ_TÊN",
    help="Họ và tên của quản trị viên đầu tiên.",
)
@click.option(
    "--demo", "with_demo", is_flag=True, help="Nạp luôn tỉnh thử nghiệm (bản demo)."
)
@click.option(
    "--if-missing",
    is_flag=True,
    help="Thoát lặng lẽ nếu kho đã được khởi tạo (dùng cho container).",
)
def init(
    origin: str | None,
    admin_username: str,
    admin_name: str,
    with_demo: bool,
    if_missing: bool,
) -> None:
    """Tạo kho: khóa sổ cái, gốc tin cậy và quản trị viên đầu tiên.

    Mật khẩu của khóa sổ cái lấy từ KIEMDIEM_LOG_KEY_PASSPHRASE_FILE (một tệp bí
    mật) hoặc KIEMDIEM_LOG_KEY_PASSPHRASE; với --demo, khi không đặt biến nào,
    mật khẩu được sinh tự động và để cạnh khóa (không dùng khi triển khai thật).
    Mật khẩu quản trị lấy từ KIEMDIEM_ADMIN_PASSWORD, được hỏi trên cửa sổ dòng
    lệnh, hoặc được sinh và in ra khi đầu vào chuẩn không phải cửa sổ dòng lệnh.
    """
    settings = load_settings()
    if settings.trust_root_path.exists():
        if if_missing:
            click.echo(f"Kho đã được khởi tạo ({settings.trust_root_path}).")
            return
        raise click.ClickException(
            f"Kho đã được khởi tạo: {settings.trust_root_path} đã có "
            "(dùng --if-missing để bỏ qua)."
        )
    origin = origin or os.environ.get("KIEMDIEM_LOG_ORIGIN") or "kiemdiem.local/demo"
    password = os.environ.get("KIEMDIEM_ADMIN_PASSWORD")
    generated = False
    if not password and interactive():
        password = click.prompt(
            "Mật khẩu quản trị (admin password)",
            hide_input=True,
            confirmation_prompt=True,
        )
    if not password:
        password, generated = secrets.token_urlsafe(12), True
    try:
        result = initialise(
            settings,
            origin=origin,
            admin_username=admin_username,
            admin_full_name=admin_name,
            admin_password=password,
            demo=with_demo,
        )
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc
    except DomainError as exc:
        raise click.ClickException(refusal(exc.code, exc.details)) from exc
    click.echo(f"Đã khởi tạo kho: nguồn nhật ký (origin) {result.origin}")
    click.echo(f"Gốc tin cậy (trust root) đã ghi vào {result.trust_root_path}")
    click.echo(f"Điểm kiểm tra đầu tiên: kích thước {result.checkpoint_size}")
    if result.demo_passphrase_file is not None:
        click.echo(
            "Bản demo: mật khẩu của khóa nhật ký được sinh tự động và để cạnh khóa "
            f"tại {result.demo_passphrase_file}; khi triển khai thật, hãy đưa nó qua "
            "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE (tệp bí mật để ngoài thư mục "
            "instance) hoặc KIEMDIEM_LOG_KEY_PASSPHRASE"
        )
    if generated:
        click.echo(f"Quản trị: {admin_username} / mật khẩu: {password}")
    if with_demo:
        with open_services() as services:
            _load_demo(services, settings.instance_dir, admin_username, password)


@click.command(cls=VietnameseCommand)
@click.option(
    "--admin",
    "admin_username",
    default="admin",
    show_default=True,
    metavar="TÀI_KHOẢN",
    help="Tài khoản quản trị ký các bản ghi của bản demo.",
)
@click.option(
    "--province",
    "province",
    is_flag=True,
    help="Một tỉnh sinh tự động gồm --members đảng viên cùng cả kỳ kiểm điểm 2025.",
)
@click.option(
    "--members",
    type=click.IntRange(min=MIN_MEMBERS),
    default=None,
    metavar="SỐ",
    help="Số đảng viên của tỉnh sinh tự động (cùng --province).",
)
@click.option(
    "--seed",
    type=int,
    default=2025,
    show_default=True,
    metavar="SỐ",
    help="Hạt giống ngẫu nhiên của tỉnh sinh tự động (cùng --province).",
)
def demo(admin_username: str, province: bool, members: int | None, seed: int) -> None:
    """Nạp tỉnh thử nghiệm (bản demo) vào một kho đã khởi tạo.

    Với --province --members SỐ: một tỉnh ủy, các đảng ủy xã và chi bộ khoảng 25
    đảng viên, tài khoản thử nghiệm cho từng vai trò ở tỉnh ủy và cả kỳ kiểm
    điểm 2025 (bản kiểm điểm và ba bước xếp loại cho mọi đảng viên, cán bộ lãnh
    đạo và tổ chức).

    Ký bằng tài khoản quản trị: mật khẩu lấy từ KIEMDIEM_ADMIN_PASSWORD, hoặc
    được hỏi trên cửa sổ dòng lệnh.
    """
    if province and members is None:
        raise click.UsageError("--province cần kèm --members N")
    if members is not None and not province:
        raise click.UsageError("--members chỉ dùng cùng --province")
    password = secret_from_env_or_prompt(
        "KIEMDIEM_ADMIN_PASSWORD", "Mật khẩu quản trị (admin password)"
    )
    if password is None:
        msg = "hãy đặt KIEMDIEM_ADMIN_PASSWORD (không có cửa sổ dòng lệnh để hỏi)"
        raise click.UsageError(msg)
    settings = load_settings()
    if province and members is not None:
        _load_province(settings, admin_username, password, members, seed)
        return
    with open_services() as services:
        _load_demo(services, settings.instance_dir, admin_username, password)


def _admin_session(services: Kiemdiem, admin_username: str, password: str) -> Session:
    session = services.authenticate(admin_username, password)
    if session is None:
        raise click.ClickException("sai tên hoặc mật khẩu quản trị")
    if "admin" not in session.roles:
        raise click.ClickException(f"{admin_username} không phải tài khoản quản trị")
    return session


def _load_province(
    settings: Settings, admin_username: str, password: str, members: int, seed: int
) -> None:
    """The generated province. Unless KIEMDIEM_PROJECTIONS says otherwise the
    commands are written many to a transaction and a worker process beside the
    build integrates and projects them, as ``kiemdiem worker`` does, instead of
    the views being caught up after every command."""
    if not os.environ.get("KIEMDIEM_PROJECTIONS"):
        settings = replace(settings, projections_mode="worker")
    with open_services(settings=settings) as services:
        session = _admin_session(services, admin_username, password)
        with _phase_bars(sys.stderr.isatty()) as progress:
            try:
                result = generate_province(
                    services,
                    session.signer,
                    members,
                    seed,
                    progress=progress,
                    with_worker=services.settings.projections_mode == "worker",
                )
            except DomainError as exc:
                raise click.ClickException(
                    "không tạo được tỉnh mẫu: " + refusal(exc.code, exc.details)
                ) from exc
        checkpoint = services.issue_checkpoint()
    click.echo(
        f"Đã tạo tỉnh mẫu: {result.organisations} tổ chức, "
        f"{result.members} đảng viên ({result.exempt} đối tượng được miễn), "
        f"kỳ {result.cycle_id}, {result.rounds} đợt xếp loại, "
        f"{result.reviews} bản kiểm điểm, {result.decisions} quyết định"
    )
    width = max(len(phase_label(phase)) for phase in PHASES)
    for phase in PHASES:
        seconds = result.seconds.get(phase, 0.0)
        commands = result.commands.get(phase, 0)
        label = phase_label(phase)
        click.echo(f"  {label:<{width}} {seconds:9.1f} giây  {commands:7d} lệnh")
    _write_accounts(result.accounts, settings.instance_dir)
    click.echo(f"Điểm kiểm tra: kích thước {checkpoint.size}")


@contextmanager
def _phase_bars(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """One progress bar per phase on a terminal (stderr), none otherwise."""
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {"bar": None, "phase": None, "done": 0}

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)
            state["bar"] = None

    def update(phase: str, done: int, total: int) -> None:
        if phase != state["phase"]:
            close()
            bar = click.progressbar(
                length=max(total, 1),
                label=f"{phase_label(phase):<15}",
                file=sys.stderr,
            )
            bar.__enter__()
            state.update(bar=bar, phase=phase, done=0)
        state["bar"].update(done - state["done"])
        state["done"] = done

    try:
        yield update
    finally:
        close()


def _load_demo(
    services: Kiemdiem, instance: Path, admin_username: str, password: str
) -> None:
    session = _admin_session(services, admin_username, password)
    try:
        result = load_demo(services, session.signer)
    except DomainError as exc:
        raise click.ClickException(
            "không nạp được bản demo: " + refusal(exc.code, exc.details)
        ) from exc
    # A fresh checkpoint covering the demo, ready to hand to the committee.
    checkpoint = services.issue_checkpoint()
    _report_demo(result, instance, DemoAccount(admin_username, "admin", password))
    click.echo(f"Điểm kiểm tra: kích thước {checkpoint.size}")


def _report_demo(result: DemoResult, instance: Path, admin: DemoAccount) -> None:
    click.echo(
        f"Đã nạp bản demo: {result.organisations} tổ chức, {result.members} đảng viên"
    )
    click.echo(
        f"Cuộc lấy phiếu tín nhiệm mẫu {result.vote.vote_id} đã kiểm phiếu "
        f"(mã xác thực {result.vote.short_fingerprint}, đầu chuỗi {result.vote.head})"
    )
    # The administrator's login too: shown again with the others on every start.
    _write_accounts([admin, *result.accounts], instance)


def _write_accounts(accounts: list[DemoAccount], instance: Path) -> None:
    lines = [f"{a.username}\t{a.role}\t{a.password}" for a in accounts]
    rows = [(a.username, a.role, a.password) for a in accounts]
    click.echo(logins_table(rows, LOGIN_URL))
    # Kept so `make run` can show the demo logins again on the next start.
    write_private_file(instance / DEMO_ACCOUNTS_FILE, "\n".join(lines) + "\n")
