"""`kiemdiem rebuild` and `kiemdiem views digest` (ledger.md §9.3).

The commands get the projections runtime from :func:`get_runtime`, which opens
the deployment's services only when a command runs (``--help`` touches no
database). ``cli.main`` registers ``rebuild`` and ``views``.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from cli.click_help import VietnameseCommand, VietnameseGroup

if TYPE_CHECKING:
    from projections.runtime import ProjectionRuntime


@contextmanager
def get_runtime() -> Iterator[ProjectionRuntime]:
    """The deployment's projections runtime, opened from the environment.

    Uses ``services.bootstrap.open_services(settings)`` when that module exists,
    else ``cli.context.open_services()``; leaving the context closes the services
    (ledger and views). Tests replace this function.
    """
    try:
        bootstrap = importlib.import_module("services.bootstrap")
    except ModuleNotFoundError as exc:
        if exc.name != "services.bootstrap":
            raise
        from cli.context import open_services

        with open_services() as services:
            yield services.projections
        return
    from cli.context import load_settings

    opened: Any = bootstrap.open_services(load_settings())
    if hasattr(opened, "__enter__"):
        with opened as services:
            yield services.projections
        return
    try:
        yield opened.projections
    finally:
        close = getattr(opened, "close", None)
        if close is not None:
            close()


class _Progress:
    """One progress bar per view: notifications done out of the tip at the start."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._name: str | None = None
        self._done = 0

    def __call__(self, name: str, position: int, stop: int) -> None:
        if not self.enabled:
            return
        if name != self._name:
            self.close()
            self._name = name
            self._done = 0
            self._bar = click.progressbar(
                length=max(stop, 1),
                label=f"{name:<24}",
                show_eta=True,
                show_percent=True,
                show_pos=True,
            )
            self._bar.__enter__()
        step = min(position, self._bar.length) - self._done
        if step > 0:
            self._bar.update(step)
            self._done += step

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@click.command("rebuild", cls=VietnameseCommand)
@click.argument("names", nargs=-1, metavar="[MÔ_HÌNH_ĐỌC]...")
@click.option(
    "--page",
    type=click.IntRange(min=1, max=100_000),
    default=5_000,  # projections.rebuild.REBUILD_PAGE: one read for every view
    show_default=True,
    help="Số sự kiện mỗi trang (mỗi mô hình đọc ghi một trang trong một giao dịch).",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Kiểm tra chữ ký của từng sự kiện trước khi áp dụng; dừng ở sự kiện sai "
    "đầu tiên.",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1, max=64),
    default=None,
    help=(
        "Số tiến trình cùng dựng lại các mô hình đọc (mặc định: mỗi lõi một "
        "tiến trình, tối đa 2, khi nhật ký từ 20.000 sự kiện)."
    ),
)
def rebuild(
    names: tuple[str, ...], page: int, verify: bool, processes: int | None
) -> None:
    """Dựng lại các mô hình đọc từ đầu sổ cái (mặc định: tất cả).

    Bảng của mỗi mô hình đọc được xóa, tạo lại và đặt lại vị trí trong một giao
    dịch; rồi mô hình đọc đuổi kịp đến cuối sổ cái. Các bảng riêng của sổ cái
    (leaves, checkpoints, alerts) không bao giờ bị động đến.
    """
    with get_runtime() as runtime:
        unknown = sorted(set(names) - set(runtime.names))
        if unknown:
            known = ", ".join(runtime.names) or "không có"
            msg = f"không có mô hình đọc: {', '.join(unknown)} (có: {known})"
            raise click.UsageError(msg)
        previous = runtime.verify
        runtime.verify = verify
        progress = _Progress(enabled=sys.stdout.isatty())
        try:
            positions = runtime.rebuild(
                names or None, progress=progress, page_size=page, processes=processes
            )
        finally:
            progress.close()
            runtime.verify = previous
        stale = runtime.stale_models()
        for name, position in positions.items():
            problem = stale.get(name)
            status = "ổn" if problem is None else f"CHƯA CẬP NHẬT ({problem.detail})"
            click.echo(f"{name}: vị trí {position}, {status}")
        failed = [name for name in positions if name in stale]
        if failed:
            msg = f"dựng lại dừng sớm ở: {', '.join(failed)} (xem nhật ký)"
            raise click.ClickException(msg)


@click.group("views", cls=VietnameseGroup)
def views() -> None:
    """Xem xét các mô hình đọc."""


@views.command("digest")
@click.argument("names", nargs=-1, metavar="[MÔ_HÌNH_ĐỌC]...")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def digest(names: tuple[str, ...], as_json: bool) -> None:
    """Mã băm SHA-256 của bản kết xuất chuẩn của từng mô hình đọc, và một mã băm
    tổng thể.

    Dựng lại từ đầu phải in ra đúng các mã băm như khi dựng dần.
    """
    with get_runtime() as runtime:
        unknown = sorted(set(names) - set(runtime.names))
        if unknown:
            known = ", ".join(runtime.names) or "không có"
            msg = f"không có mô hình đọc: {', '.join(unknown)} (có: {known})"
            raise click.UsageError(msg)
        details = runtime.digest_details(names or None)
        overall = runtime.overall_digest(details)
    if as_json:
        document = {
            "views": {
                name: {
                    "sha256": d.sha256,
                    "position": d.position,
                    "version": d.version,
                    "rows": d.rows,
                }
                for name, d in details.items()
            },
            "overall": overall,
        }
        click.echo(json.dumps(document, indent=2, sort_keys=True))
        return
    for name, d in details.items():
        click.echo(f"{d.sha256}  {name} (v{d.version}, vị trí {d.position})")
    click.echo(f"{overall}  tổng thể")
