"""``kiemdiem verify``: audit a store against a trust root (ledger.md §8).

Standalone and read-only: it imports only ``ledger.verify`` (never the services,
the domain or the web app), so an inspection-committee member can run it on their
own machine against a copy of the database or a read-only connection.
Its report speaks Vietnamese (issue 13 §5) with the failure kinds kept as the
technical codes the ledger documents; ``--json`` keeps English keys for scripts.

Exit status (§8.3): 0 all checks passed (warnings allowed unless ``--strict``),
1 at least one integrity failure, 2 usage or input error, 3 the store cannot be
read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from cli.click_help import VietnameseCommand
from cli.words import os_words
from ledger import bundle as ledger_bundle
from ledger import verify as ledger_verify
from ledger.errors import ConfigurationError

RESULT_OK = "Kết quả: HỢP LỆ"
RESULT_FAIL = "Kết quả: KHÔNG HỢP LỆ"


def _describe(failure: ledger_verify.Failure) -> str:
    where = []
    if failure.index is not None:
        where.append(f"#{failure.index}")
    if failure.notification_id is not None:
        where.append(f"thông báo {failure.notification_id}")
    if failure.stream is not None:
        where.append(f"luồng {failure.stream}")
    if failure.version is not None:
        where.append(f"phiên bản {failure.version}")
    at = f" tại {', '.join(where)}" if where else ""
    return f"{failure.kind}{at}: {failure.detail}"


def _failure_lines(failure: ledger_verify.Failure, depth: int = 0) -> Iterator[str]:
    yield ("  " * depth + ("└ " if depth else "") + _describe(failure)).rstrip()
    for note_text in failure.evidence:
        for line in note_text.rstrip("\n").splitlines():
            yield "  " * (depth + 2) + "| " + line
    for consequence in failure.consequences:
        yield from _failure_lines(consequence, depth + 1)


def render_text(report: ledger_verify.Report) -> str:
    """The human-readable report (§8.2)."""
    lines = [f"kiemdiem verify — sổ cái {report.origin}", ""]
    for check in report.checks:
        lines.append(f"{check.status:<4}  {check.name:<20} {check.count:>10,}")
    counts = report.counts
    lines += [
        "",
        (
            f"Tổng cộng: {counts['events']:,} sự kiện, {counts['streams']:,} luồng, "
            f"{counts['keys']:,} khóa, {counts['checkpoints']:,} checkpoint, "
            f"{counts['cosignatures']:,} chữ ký đồng ký"
        ),
    ]
    for warning in report.warnings:
        lines.append(f"Cảnh báo: {_describe(warning)}")
    first = report.first_failure
    if first is not None:
        lines += ["", f"Lỗi đầu tiên: {_describe(first)}"]
        shown = report.failures[: report.max_failures]
        lines.append(
            f"Các lỗi theo vị trí (hiện {len(shown)} trên {len(report.failures)} "
            "nguyên nhân; hệ quả thụt lề dưới nguyên nhân của nó):"
        )
        for failure in shown:
            lines.extend("  " + line for line in _failure_lines(failure))
    lines.append("")
    if report.latest_verified_checkpoint is not None:
        lines.append("Checkpoint mới nhất đã kiểm tra:")
        lines.append(report.latest_verified_checkpoint.rstrip("\n"))
    else:
        lines.append("Checkpoint mới nhất đã kiểm tra: không có")
    if report.state_saved is not None:
        lines.append(f"Đã lưu trạng thái vào {report.state_saved}")
    lines += [
        "",
        f"Thời gian: {report.elapsed_s:.2f} giây",
        RESULT_OK if report.ok else RESULT_FAIL,
    ]
    return "\n".join(lines)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {"bar": None, "done": 0}

    def update(done: int, total: int) -> None:
        bar = state["bar"]
        if bar is None:
            bar = click.progressbar(
                length=max(total, 1), label="sự kiện", file=sys.stderr, show_eta=True
            )
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - state["done"])
        state["done"] = done

    try:
        yield update
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


def _fail(message: str, code: int) -> None:
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(code)


@click.command("verify", cls=VietnameseCommand)
@click.argument("database_url", required=False, metavar="[ĐỊA_CHỈ_KHO]")
@click.option(
    "--trust-root",
    "trust_root_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Gốc tin cậy được trao qua kênh riêng (mặc định: tệp `kiemdiem init` đã "
    "ghi cạnh kho).",
)
@click.option(
    "--checkpoint",
    "checkpoint_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Một điểm chốt bạn đang giữ; lặp lại tùy chọn cho nhiều điểm chốt.",
)
@click.option(
    "--since",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tiếp tục từ trạng thái đã lưu bằng --save-state (phần đầu chỉ kiểm tra băm).",
)
@click.option(
    "--save-state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sau một lần chạy thành công trọn vẹn, lưu trạng thái để lần sau dùng "
    "--since.",
)
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Số tiến trình kiểm tra chữ ký (mặc định: bằng số CPU).",
)
@click.option(
    "--max-failures",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Liệt kê tối đa bấy nhiêu lỗi.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Coi cảnh báo (not_integrated) là lỗi.",
)
@click.option("--quiet", is_flag=True, help="Không in tiến độ ra stderr.")
@click.option(
    "--bundle",
    "bundle_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Kiểm tra ngoại tuyến một gói bằng chứng (`kiemdiem proof`) thay cho kho: "
    "không đọc cơ sở dữ liệu nào.",
)
def verify(
    database_url: str | None,
    trust_root_path: Path | None,
    checkpoint_paths: tuple[Path, ...],
    since: Path | None,
    save_state: Path | None,
    as_json: bool,
    jobs: int | None,
    max_failures: int,
    strict: bool,
    quiet: bool,
    bundle_path: Path | None,
) -> None:
    """Kiểm tra kho tại ĐỊA_CHỈ_KHO còn nguyên vẹn và khớp với gốc tin cậy cùng
    các điểm chốt bạn giữ; hoặc, với --bundle TỆP, kiểm tra ngoại tuyến một gói
    bằng chứng theo gốc tin cậy.

    ĐỊA_CHỈ_KHO (URL cơ sở dữ liệu) mặc định là $KIEMDIEM_DATABASE_URL, rồi đến
    sqlite:///instance/kiemdiem.db. Mã thoát: 0 đạt, 1 sai lệch toàn vẹn, 2 đầu
    vào sai, 3 không đọc được kho.
    """
    if bundle_path is not None:
        if database_url is not None or since or save_state:
            _fail(
                "--bundle được kiểm tra ngoại tuyến: đừng ghi kèm DATABASE_URL, "
                "--since hay --save-state",
                ledger_verify.EXIT_USAGE,
            )
        _verify_bundle(bundle_path, trust_root_path, checkpoint_paths, as_json)
        return
    try:
        settings = ledger_verify.settings_for(database_url)
        if trust_root_path is None:
            trust_root_path = settings.trust_root_path
            if not trust_root_path.exists():
                _fail(
                    f"không có gốc tin cậy: {trust_root_path} không tồn tại. Hãy "
                    "ghi --trust-root TỆP, tệp gốc tin cậy được bàn giao khi cài đặt.",
                    ledger_verify.EXIT_USAGE,
                )
        trust_root = ledger_verify.load_trust_root(trust_root_path)
        notes = ledger_verify.read_checkpoint_files(checkpoint_paths)
        show_progress = not quiet and sys.stderr.isatty()
        with _progress(show_progress) as progress:
            report = ledger_verify.verify(
                settings.database_url,
                trust_root,
                checkpoints=notes,
                since=since,
                save_state=save_state,
                jobs=jobs,
                max_failures=max_failures,
                strict=strict,
                progress=progress,
            )
    except ledger_verify.VerifyError as exc:
        _fail(str(exc), exc.exit_code)
        return
    except ConfigurationError as exc:
        _fail(str(exc), ledger_verify.EXIT_USAGE)
        return
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(report))
    sys.exit(report.exit_code)


def _verify_bundle(
    bundle_path: Path,
    trust_root_path: Path | None,
    checkpoint_paths: tuple[Path, ...],
    as_json: bool,
) -> None:
    """``--bundle``: everything from files; the trust root is the only anchor."""
    try:
        if trust_root_path is None:
            trust_root_path = ledger_verify.settings_for(None).trust_root_path
            if not trust_root_path.exists():
                _fail(
                    f"không có gốc tin cậy: {trust_root_path} không tồn tại. Hãy ghi "
                    "--trust-root TỆP, tệp gốc tin cậy được bàn giao khi cài đặt.",
                    ledger_verify.EXIT_USAGE,
                )
        trust_root = ledger_verify.load_trust_root(trust_root_path)
        notes = [
            raw for _, raw in ledger_verify.read_checkpoint_files(checkpoint_paths)
        ]
        try:
            raw = bundle_path.read_bytes()
        except OSError as exc:
            msg = f"không đọc được gói bằng chứng {bundle_path}: {os_words(exc)}"
            raise ledger_bundle.BundleInputError(msg) from exc
        report = ledger_bundle.verify_bundle(
            ledger_bundle.load_bundle(raw), trust_root, notes
        )
    except (ledger_bundle.BundleInputError, ConfigurationError) as exc:
        _fail(str(exc), ledger_verify.EXIT_USAGE)
        return
    except ledger_verify.VerifyError as exc:
        _fail(str(exc), exc.exit_code)
        return
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_bundle_text(report))
    sys.exit(report.exit_code)


def render_bundle_text(report: ledger_bundle.BundleReport) -> str:
    """The human-readable report of a bundle check."""
    lines = [
        f"kiemdiem verify --bundle — log {report.origin}",
        f"Đối tượng: {report.subject}",
        f"Checkpoint: kích thước {report.size}, gốc {report.root}",
        "",
    ]
    for event in report.events:
        mark = "ĐẠT " if event.ok else "LỖI "
        lines.append(
            f"{mark}  #{event.index:<7} {event.topic} v{event.version} "
            f"{event.ts} {event.actor} khóa {event.key_id}"
        )
    lines += [
        "",
        f"Tổng cộng: {len(report.events)} sự kiện, {report.keys} sự kiện khóa",
    ]
    for failure in report.failures:
        where = []
        if failure.index is not None:
            where.append(f"#{failure.index}")
        if failure.stream is not None:
            where.append(f"luồng {failure.stream}")
        if failure.version is not None:
            where.append(f"phiên bản {failure.version}")
        at = f" tại {', '.join(where)}" if where else ""
        lines.append(f"  {failure.kind}{at}: {failure.detail}")
    lines += [
        "",
        "Gói bằng chứng chứng minh các sự kiện này nằm trong sổ cái mà checkpoint "
        "ký, ai đã ký từng sự kiện và bằng khóa nào; không chứng minh rằng không "
        "còn sự kiện nào khác.",
        RESULT_OK if report.ok else RESULT_FAIL,
    ]
    return "\n".join(lines)
