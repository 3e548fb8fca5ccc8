"""``kiemdiem votes list``, ``export`` and ``booth-hash``: reading the store
(the votes, a vote's election record) and the booth files it serves."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import click

from cli.click_help import VietnameseCommand
from cli.context import open_services
from cli.votes_common import bad_input
from cli.words import os_words
from domain.errors import DomainError
from services import booth
from services.votes import VoteService


def _vote_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        bad_input(f"{value!r} không phải id cuộc bỏ phiếu (xem `kiemdiem votes list`)")


@click.command("list", cls=VietnameseCommand)
@click.option("--json", "as_json", is_flag=True, help="In một mảng JSON ra stdout.")
def list_votes(as_json: bool) -> None:
    """Liệt kê các cuộc bỏ phiếu: id, tổ chức, tiêu đề, trạng thái và số phiếu."""
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
        click.echo("Chưa có cuộc bỏ phiếu nào.")
    for r in rows:
        issued = "-" if r.issued is None else str(r.issued)
        click.echo(
            f"{r.vote_id}  {r.state:<21}  phiếu {r.ballots}/{issued}  "
            f"người được lấy phiếu {r.leaders}  {r.organisation}: {r.title}"
        )


@click.command("export", cls=VietnameseCommand)
@click.argument("vote_id", metavar="MÃ_CUỘC_BỎ_PHIẾU")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP")
def export(vote_id: str, file: Path) -> None:
    """Ghi hồ sơ của cuộc bỏ phiếu MÃ_CUỘC_BỎ_PHIẾU vào TỆP (JSON Lines chuẩn
    tắc).

    Hồ sơ được dựng lại từ các sự kiện đã ký của cuộc bỏ phiếu trong sổ cái, kèm
    theo khóa công khai của những người ký: đầu vào của `kiemdiem votes verify`
    và của công cụ thành viên Ban kiểm phiếu.
    """
    vote = _vote_id(vote_id)
    with open_services() as services:
        try:
            data = VoteService(services).export_record(vote)
        except DomainError:
            bad_input(f"không có cuộc bỏ phiếu {vote} trong kho này")
    try:
        file.write_bytes(data)
    except OSError as exc:
        bad_input(f"không ghi được {file}: {os_words(exc)}")
    events = data.count(b"\n") - 1
    click.echo(f"{file}: {events} sự kiện")


# ---------------------------------------------------------------------------


@click.command("booth-hash", cls=VietnameseCommand)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Thư mục mã nguồn chứa booth/ và node_modules/ (mặc định: thư mục máy "
    "chủ đang phục vụ).",
)
@click.option("--files", "show_files", is_flag=True, help="Liệt kê cả từng tệp.")
def booth_hash(root: Path | None, show_files: bool) -> None:
    """In mã băm SHA-256 của các tệp phòng bỏ phiếu như máy chủ phục vụ chúng.

    Đó là booth_sha256 trong bản kê (do `kiemdiem votes verify` in ra), tính trên
    các mô-đun riêng của phòng bỏ phiếu và các gói @noble mà `npm ci` cài theo
    package-lock.json, cùng import map và các mục integrity của nó.
    """
    try:
        bundle = booth.build_bundle(root) if root is not None else booth.bundle()
    except booth.BoothMissing as exc:
        bad_input(f"{exc} (cài phòng bỏ phiếu bằng `npm ci`)")
    if show_files:
        for path, digest in sorted(bundle.digests.items()):
            click.echo(f"{digest}  {path}")
    click.echo(bundle.sha256.hex())
