"""``kiemdiem serve`` (development server) and ``kiemdiem worker`` (PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import threading

import click

from cli.click_help import VietnameseCommand
from cli.context import open_services
from ledger.errors import ConfigurationError


@click.command(cls=VietnameseCommand)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ĐỊA_CHỈ",
    help="Địa chỉ máy chủ lắng nghe.",
)
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=int,
    metavar="CỔNG",
    help="Cổng máy chủ lắng nghe.",
)
def serve(host: str, port: int) -> None:
    """Chạy ứng dụng web (một tiến trình: khóa ký đã mở khóa chỉ nằm trong tiến
    trình đó)."""
    from web import create_app

    # Without a configured key, a per-run one: sessions end when the server stops,
    # as do the unlocked signing keys, which a restart forgets anyway.
    secret = os.environ.get("KIEMDIEM_SECRET_KEY") or secrets.token_urlsafe(32)
    try:
        app = create_app({"SECRET_KEY": secret})
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"kiemdiem: http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@click.command(cls=VietnameseCommand)
@click.option(
    "--poll",
    default=None,
    type=float,
    metavar="GIÂY",
    help="Số giây giữa hai lần kiểm tra việc mới (mặc định: KIEMDIEM_POLL_SECONDS "
    "hoặc 1).",
)
def worker(poll: float | None) -> None:
    """Tích hợp sổ cái, phát hành điểm chốt và cập nhật các bảng đọc (chế độ
    worker)."""
    seconds = poll or float(os.environ.get("KIEMDIEM_POLL_SECONDS") or 1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open_services() as services, contextlib.suppress(KeyboardInterrupt):
        services.run_worker(
            seconds,
            stop,
            lambda: click.echo("kiemdiem worker đang chạy; nhấn Ctrl-C để dừng"),
        )
