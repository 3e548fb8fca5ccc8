"""``kiemdiem votes verify``: the standalone verifier (votes.md §10.2) over an
exported election record. It reads only the files named on the command line,
never the database, so the inspection committee can run it on its own machine
against a copy of the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from cli.click_help import VietnameseCommand
from cli.votes_common import EXIT_FAILED, EXIT_OK, EXIT_UNREADABLE
from cli.words import json_words, os_words
from ledger.config import settings_from_environ
from ledger.errors import ConfigurationError
from votes.verifier import Report, verify_record
from votes.verifier.checks import CHECK_TITLES_VI, STATUS_VI


def _unreadable(message: str, as_json: bool, english: str) -> NoReturn:
    """Stop with status 2: the Vietnamese ``message`` for a person, the
    ``english`` one in the JSON, for scripts."""
    if as_json:
        payload: dict[str, Any] = {
            "checks": [],
            "error": english,
            "first_failure": None,
            "ok": False,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(f"Lỗi: {message}", err=True)
    raise click.exceptions.Exit(EXIT_UNREADABLE)


def _why(exc: OSError | UnicodeDecodeError | json.JSONDecodeError) -> str:
    """Why a file did not read, in Vietnamese."""
    if isinstance(exc, OSError):
        return os_words(exc)
    if isinstance(exc, json.JSONDecodeError):
        return json_words(exc)
    return "không phải văn bản UTF-8"


def _read_trust_root(path: Path, as_json: bool) -> dict[str, Any]:
    try:
        value: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _unreadable(
            f"không đọc được gốc tin cậy {path}: {_why(exc)}",
            as_json,
            f"cannot read trust root {path}: {exc}",
        )
    if not isinstance(value, dict):
        _unreadable(
            f"gốc tin cậy {path} không phải là một đối tượng JSON",
            as_json,
            f"trust root {path} is not a JSON object",
        )
    trust_root: dict[str, Any] = value
    return trust_root


# Where the trust root was taken from: as the JSON says it, and in Vietnamese.
GIVEN = "given with --trust-root"
BESIDE_THE_STORE = "found beside the store"
WHERE_VI = {
    GIVEN: "chỉ ra bằng --trust-root",
    BESIDE_THE_STORE: "tìm thấy cạnh kho dữ liệu",
}


def _find_trust_root(
    given: Path | None, as_json: bool
) -> tuple[dict[str, Any], Path, str]:
    """The trust root (votes.md V3: required for the organiser key), its file and
    where it was taken from: ``--trust-root``, else the store's own
    (KIEMDIEM_TRUST_ROOT or ``trust-root.json`` in the instance folder). Never
    the record itself."""
    if given is not None:
        return _read_trust_root(given, as_json), given, GIVEN
    try:
        settings = settings_from_environ()
    except ConfigurationError:
        settings = None
    if settings is not None and settings.trust_root_path.is_file():
        path = settings.trust_root_path
        where = (
            "KIEMDIEM_TRUST_ROOT"
            if "KIEMDIEM_TRUST_ROOT" in settings.paths
            else BESIDE_THE_STORE
        )
        return _read_trust_root(path, as_json), path, where
    _unreadable(
        "chưa có gốc tin cậy: hãy chỉ ra --trust-root FILE (gốc tin cậy được bàn "
        "giao khi cài đặt); khóa của người tổ chức không bao giờ lấy từ chính hồ sơ",
        as_json,
        "no trust root: give --trust-root FILE (the trust root handed over at the "
        "set-up); the organiser key is never taken from the record itself",
    )


def _print_report(report: Report) -> None:
    """The report in Vietnamese: each check's title and result; the failure's
    technical detail (the verifier's, in English) after the words."""
    for outcome in report.checks:
        click.echo(f"{outcome.check:<4} {outcome.title_vi:<36} {outcome.status_vi}")
    for note in report.notes:
        click.echo(f"Ghi chú (chi tiết kỹ thuật): {note}")
    if report.booth_sha256 is not None:
        click.echo(
            f"booth_sha256 {report.booth_sha256} "
            "(so với kết quả của `kiemdiem votes booth-hash`)"
        )
    failure = report.first_failure
    if failure is None:
        click.echo("ĐẠT: hồ sơ qua mọi bước kiểm tra")
        return
    where = "" if failure.position is None else f", ở sự kiện thứ {failure.position}"
    topic = f"{failure.topic}, " if failure.topic else ""
    title = CHECK_TITLES_VI.get(failure.check, failure.check)
    click.echo(
        f"KHÔNG ĐẠT: {failure.check} ({title}){where}. "
        f"Chi tiết kỹ thuật: {topic}{failure.name}: {failure.detail}"
    )


@click.command("verify", cls=VietnameseCommand)
@click.argument(
    "record", type=click.Path(dir_okay=False, path_type=Path), metavar="HỒ_SƠ"
)
@click.option(
    "--head",
    metavar="HEX",
    help="Mã đầu chuỗi ghi trong biên bản: mã băm phong bì của sự kiện "
    "VoteVotingClosed.",
)
@click.option(
    "--trust-root",
    "trust_root_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp gốc tin cậy (định dạng sổ cái) bảo chứng khóa của Ban tổ chức (mặc "
    "định: gốc tin cậy của kho, cạnh kho trong thư mục instance; bắt buộc phải "
    "có).",
)
@click.option("--json", "as_json", is_flag=True, help="In một đối tượng JSON.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Số tiến trình kiểm tra bằng chứng của lá phiếu (mặc định: mỗi CPU một "
    "tiến trình).",
)
@click.option(
    "--audit-ballot",
    "audit_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Một lá phiếu đã kiểm tra tại phòng bỏ phiếu (kiem-tra-phieu.json): V17. "
    "Lặp lại tùy chọn cho nhiều lá phiếu.",
)
def verify(
    record: Path,
    head: str | None,
    trust_root_path: Path | None,
    as_json: bool,
    jobs: int | None,
    audit_paths: tuple[Path, ...],
) -> None:
    """Kiểm tra mọi quy tắc của votes.md §10.3 trên HỒ_SƠ cuộc bỏ phiếu (JSON
    Lines).

    Bắt buộc có gốc tin cậy (V3): --trust-root TỆP, nếu không thì gốc tin cậy của
    kho (KIEMDIEM_TRUST_ROOT hoặc trust-root.json trong thư mục instance); báo
    cáo ghi rõ dùng gốc nào. Mã thoát 0 khi mọi phép kiểm tra đều đạt, 1 ở phép
    kiểm tra hỏng đầu tiên (ghi kèm vị trí) hoặc khi một lá phiếu kiểm tra không
    đạt, 2 khi không đọc được một đầu vào hoặc không tìm thấy gốc tin cậy.
    booth_sha256 trong bản kê được in ra để so với `kiemdiem votes booth-hash`;
    mỗi tệp --audit-ballot được mã hóa lại và in các lựa chọn của nó (V17).
    """
    try:
        data = record.read_bytes()
    except OSError as exc:
        _unreadable(
            f"không đọc được hồ sơ {record}: {os_words(exc)}",
            as_json,
            f"cannot read record {record}: {exc}",
        )
    head_bytes = None
    if head is not None:
        try:
            head_bytes = bytes.fromhex(head)
        except ValueError:
            head_bytes = b""
        if len(head_bytes) != 32 or head != head_bytes.hex():
            _unreadable(
                "--head phải gồm đúng 64 ký tự hex viết thường",
                as_json,
                "--head must be 64 lowercase hex characters",
            )
    trust_root, trust_root_file, where = _find_trust_root(trust_root_path, as_json)
    audits = []
    for path in audit_paths:
        try:
            audits.append(path.read_bytes())
        except OSError as exc:
            _unreadable(
                f"không đọc được tệp kiểm tra phiếu {path}: {os_words(exc)}",
                as_json,
                f"cannot read audit file {path}: {exc}",
            )
    report = verify_record(
        data, head=head_bytes, trust_root=trust_root, jobs=jobs, audit_ballots=audits
    )
    if as_json:
        payload = {**report.to_json(), "trust_root": f"{trust_root_file} ({where})"}
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(f"Gốc tin cậy: {trust_root_file} ({WHERE_VI.get(where, where)})")
        _print_report(report)
        for path, audit in zip(audit_paths, report.audits, strict=True):
            status = STATUS_VI["OK" if audit.ok else "FAIL"]
            title = CHECK_TITLES_VI["V17"]
            click.echo(f"V17  {title} {path}: {status} {audit.detail}")
            for line in audit.choices:
                click.echo(f"       {line}")
    ok = report.ok and all(audit.ok for audit in report.audits)
    raise click.exceptions.Exit(EXIT_OK if ok else EXIT_FAILED)
