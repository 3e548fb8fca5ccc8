"""``kiemdiem votes create``: the organiser (an administrator) creates a vote
from a file (JSON, or YAML), resolving organisation, members and trustees by
code or account name; a refused vote stores nothing."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from cli.click_help import VietnameseCommand
from cli.context import open_services, secret_from_env_or_prompt
from cli.votes_common import bad_input, read_file, refused
from cli.words import json_words, refusal
from domain.errors import DomainError
from services import vote_commands as vc
from services.app import Kiemdiem

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
chair: bankiemphieu                  # optional, default the first trustee
trustees: [bankiemphieu, bkp-uyvien1, bkp-uyvien2]   # accounts (role counting)
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


def _load_spec(path: Path) -> Any:
    text = read_file(path, "tệp cuộc bỏ phiếu").decode("utf-8", errors="replace")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            bad_input("đọc YAML cần PyYAML; hãy viết tệp dưới dạng JSON")
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
            bad_input(f"{path} không phải YAML hợp lệ{where}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        bad_input(f"{path}: {json_words(exc)}")


# What each key of the file holds, for a person reading a refusal (the keys
# themselves stay English: they are the file's format).
KEY_WORDS: dict[str, str] = {
    "organisation": "tổ chức",
    "code": "mã cuộc bỏ phiếu",
    "title": "tên cuộc bỏ phiếu",
    "vote_year": "năm",
    "conference_date": "ngày hội nghị",
    "convened": "số người được triệu tập",
    "mode": "cách bỏ phiếu",
    "threshold": "số thành viên cần để giải mã",
    "slip_count": "số phiếu in",
    "min_ballots": "số phiếu tối thiểu",
    "chair": "Trưởng Ban kiểm phiếu",
    "trustees": "Ban kiểm phiếu",
    "leaders": "người được lấy phiếu",
    "member": "đảng viên",
    "post": "chức vụ",
    "appointed_or_elected_on": "ngày bổ nhiệm hoặc bầu",
    "pending_retirement_notice": "đã có thông báo nghỉ hưu",
}


def _key(key: str) -> str:
    """A key of the file as a person reads it: «post» (chức vụ)."""
    words = KEY_WORDS.get(key)
    return f"«{key}» ({words})" if words else f"«{key}»"


def _field(spec: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
    value = spec.get(key)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        bad_input(f"{where}{_key(key)} phải là số nguyên")
    if kind is str and (not isinstance(value, str) or not value.strip()):
        bad_input(f"{where}{_key(key)} phải là chuỗi không rỗng")
    return value


def _day(value: Any, what: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    bad_input(f"{what} phải là ngày dạng năm-tháng-ngày (YYYY-MM-DD)")


def _resolve_org(services: Kiemdiem, value: Any) -> UUID:
    text = str(value).strip()
    for row in services.organisations():
        if text in (row.code, str(row.org_id)):
            return row.org_id
    bad_input(f"không có tổ chức có mã hoặc id “{text}”")


def _resolve_member(services: Kiemdiem, value: Any, where: str) -> UUID:
    text = str(value).strip()
    for row in services.members():
        if text in (row.party_card_no, str(row.member_id)):
            return row.member_id
    bad_input(f"{where}: không có đảng viên có số thẻ hoặc id “{text}”")


def _resolve_account(services: Kiemdiem, value: Any, where: str) -> UUID:
    text = str(value).strip()
    for row in services.accounts():
        if text in (row.username, str(row.account_id)):
            return row.account_id
    bad_input(f"{where}: không có tài khoản tên “{text}”")


def _create_command(services: Kiemdiem, actor: str, spec: Any) -> vc.CreateVote:
    """The file as a CreateVote command: shape and look-ups only; rules are the
    domain's (checked when the command runs)."""
    if not isinstance(spec, dict):
        bad_input("tệp cuộc bỏ phiếu phải chứa một đối tượng (xem --example)")
    unknown = sorted(set(spec) - CREATE_KEYS)
    if unknown:
        names = ", ".join(f"«{key}»" for key in unknown)
        bad_input(f"khóa không hợp lệ: {names} (xem --example)")
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
        bad_input(f"{_key('leaders')} phải là một danh sách")
    if not isinstance(trustees_raw, list):
        bad_input(f"{_key('trustees')} phải là danh sách tên tài khoản")
    leaders = []
    for number, entry in enumerate(leaders_raw, start=1):
        where = f"người được lấy phiếu thứ {number}"
        if not isinstance(entry, dict) or set(entry) - LEADER_KEYS:
            keys = ", ".join(f"«{key}»" for key in sorted(LEADER_KEYS))
            bad_input(f"{where}: các khóa là {keys}")
        _field(entry, "post", str, f"{where}: ")
        notice = entry.get("pending_retirement_notice", False)
        if not isinstance(notice, bool):
            key = _key("pending_retirement_notice")
            bad_input(f"{where}: {key} là true hoặc false")
        leaders.append(
            vc.LeaderInput(
                _resolve_member(services, entry.get("member"), where),
                unicodedata.normalize("NFC", entry["post"]),
                _day(
                    entry.get("appointed_or_elected_on"),
                    f"{where}: {_key('appointed_or_elected_on')}",
                ),
                notice,
            )
        )
    trustees = tuple(
        _resolve_account(services, value, f"thành viên Ban kiểm phiếu thứ {k}")
        for k, value in enumerate(trustees_raw, start=1)
    )
    chair = spec.get("chair")
    chair_index = 1
    if isinstance(chair, int) and not isinstance(chair, bool):
        chair_index = chair
    elif chair is not None:
        account = _resolve_account(services, chair, _key("chair"))
        if account not in trustees:
            bad_input(f"{_key('chair')} phải là một thành viên Ban kiểm phiếu")
        chair_index = trustees.index(account) + 1
    mode = str(spec.get("mode", "A")).strip().upper()
    return vc.CreateVote(
        actor,
        org_id=_resolve_org(services, spec.get("organisation")),
        code=str(spec["code"]),
        title=unicodedata.normalize("NFC", spec["title"]),
        vote_year=spec["vote_year"],
        conference_date=_day(spec.get("conference_date"), _key("conference_date")),
        leaders=tuple(leaders),
        trustees=trustees,
        convened=spec["convened"],
        threshold=spec.get("threshold"),
        slip_count=spec.get("slip_count"),
        mode=mode,
        chair_index=chair_index,
        min_ballots=spec.get("min_ballots", 2),
    )


@click.command("create", cls=VietnameseCommand)
@click.argument(
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=False,
    metavar="[TỆP]",
)
@click.option(
    "--admin",
    "admin_username",
    default="admin",
    show_default=True,
    metavar="TÀI_KHOẢN",
    help="Tài khoản quản trị tổ chức cuộc bỏ phiếu.",
)
@click.option("--example", is_flag=True, help="In một tệp mẫu rồi thoát.")
def create(file: Path | None, admin_username: str, example: bool) -> None:
    """Tạo một cuộc bỏ phiếu từ TỆP (JSON, hoặc YAML khi tên là .yaml/.yml).

    Người tổ chức là một quản trị viên; mật khẩu lấy từ KIEMDIEM_ADMIN_PASSWORD
    hoặc được hỏi. Cuộc bỏ phiếu bị từ chối thì không lưu gì. In ra id của cuộc
    bỏ phiếu mới.
    """
    if example:
        click.echo(CREATE_EXAMPLE, nl=False)
        return
    if file is None:
        bad_input(
            "hãy ghi tên tệp cuộc bỏ phiếu (xem `kiemdiem votes create --example`)"
        )
    spec = _load_spec(file)
    password = secret_from_env_or_prompt(
        "KIEMDIEM_ADMIN_PASSWORD", "Mật khẩu quản trị (admin password)"
    )
    if password is None:
        bad_input("hãy đặt KIEMDIEM_ADMIN_PASSWORD (không có cửa sổ dòng lệnh để hỏi)")
    with open_services() as services:
        session = services.authenticate(admin_username, password)
        if session is None:
            bad_input("sai tên hoặc mật khẩu quản trị")
        command = _create_command(services, session.actor, spec)
        try:
            vote = services.handle(command, session.signer)
        except DomainError as exc:
            refused(f"{refusal(exc.code, exc.details)} ({exc.code})")
    click.echo(str(vote))
