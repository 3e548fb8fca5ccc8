"""The inspection committee's commands (issue 5):

* ``kiemdiem proof --subject ID --out FILE``: a subject's proof bundle;
* ``kiemdiem key export USERNAME --out FILE``: a member's own wrapped key;
* ``kiemdiem cosign NOTE --key-file KEY``: a cosignature line, made locally.

``kiemdiem verify --bundle FILE`` (in ``cli.verify_cmd``) checks a bundle offline.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from uuid import UUID

import click

from cli.click_help import VietnameseCommand, VietnameseGroup
from cli.context import open_services, secret_from_env_or_prompt
from cli.words import NO_TERMINAL, WRONG_LOGIN, json_words, os_words, refusal
from domain.errors import DomainError
from ledger.errors import ConfigurationError, LedgerError
from ledger.trustroot import load as load_trust_root
from services.cosigning import CosigningError, cosignature_line

PASSWORD_ENV = "KIEMDIEM_PASSWORD"  # noqa: S105 - a variable name, not a secret


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file readable by its owner only."""
    try:
        path.touch(mode=0o600, exist_ok=False)
    except FileExistsError:
        raise click.ClickException(f"{path} đã có; hãy chọn tệp khác") from None
    except OSError as exc:
        raise click.ClickException(f"không ghi được {path}: {os_words(exc)}") from exc
    path.write_text(text, encoding="utf-8")


@click.command(cls=VietnameseCommand)
@click.option(
    "--subject",
    "subject",
    required=True,
    metavar="MÃ_HỒ_SƠ",
    help="Mã (UUID) của hồ sơ, như trên trang của hồ sơ.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp ghi gói bằng chứng (JSON).",
)
def proof(subject: str, out: Path) -> None:
    """Ghi gói bằng chứng của một hồ sơ: mọi sự kiện trong hồ sơ, các sự kiện
    khóa dùng để xét người ký, và bằng chứng chúng nằm trong sổ cái theo một
    điểm chốt đã ký. Kiểm tra ở bất cứ máy nào bằng
    `kiemdiem verify --bundle TỆP --trust-root TỆP_GỐC_TIN_CẬY`."""
    try:
        subject_id = UUID(subject.strip())
    except ValueError:
        raise click.BadParameter(
            "không phải mã UUID (mã của hồ sơ, như trên trang của hồ sơ)",
            param_hint="--subject",
        ) from None
    with open_services() as services:
        try:
            made = services.audit.proof_bundle(None, subject_id)
        except DomainError as exc:
            if exc.code == "audit.subject_not_found":
                msg = f"không có hồ sơ {subject_id} trong kho này"
                raise click.ClickException(msg) from None
            raise click.ClickException(
                f"chưa lập được gói bằng chứng: {refusal(exc.code, exc.details)} "
                "(hãy phát hành điểm chốt bằng `kiemdiem checkpoint` trước)"
            ) from exc
        except (ConfigurationError, LedgerError) as exc:
            raise click.ClickException(str(exc)) from exc
    _write_private(out, json.dumps(made, ensure_ascii=False, indent=1) + "\n")
    click.echo(
        f"{len(made['events'])} sự kiện, {len(made['keys'])} sự kiện khóa, điểm "
        f"chốt kích thước {made['checkpoint']['size']} → {out}"
    )


@click.group(cls=VietnameseGroup)
def key() -> None:
    """Khóa ký của chính bạn."""


@key.command("export")
@click.argument("username", metavar="TÀI_KHOẢN")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp khóa sẽ ghi (khóa vẫn được bọc bằng mật khẩu của bạn).",
)
def key_export(username: str, out: Path) -> None:
    """Xuất khóa đã bọc của TÀI_KHOẢN để đồng ký trên máy của chính bạn.

    Mật khẩu (KIEMDIEM_PASSWORD, hoặc hỏi trên cửa sổ dòng lệnh) được kiểm tra
    trước; tệp giữ khóa vẫn bọc bằng mật khẩu đó (ledger.md §4.4)."""
    password = secret_from_env_or_prompt(PASSWORD_ENV, "Mật khẩu (password)")
    if password is None:
        raise click.UsageError(NO_TERMINAL)
    with open_services() as services:
        try:
            exported = services.audit.export_key(username, password)
        except DomainError as exc:
            raise click.ClickException(
                WRONG_LOGIN
                if exc.code == "auth.invalid_credentials"
                else f"không có khóa để xuất: {refusal(exc.code, exc.details)}"
            ) from exc
    _write_private(out, json.dumps(exported, indent=1) + "\n")
    if exported["cosigner_name"] is None:
        click.echo(
            "Lưu ý: khóa này không có tên người đồng ký; không dùng để đồng ký được",
            err=True,
        )
    click.echo(f"Khóa {exported['key_id']} → {out}")


@click.command(cls=VietnameseCommand)
@click.argument(
    "note_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="TỆP_ĐIỂM_CHỐT",
)
@click.option(
    "--key-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Khóa của bạn, xuất bằng `kiemdiem key export`.",
)
@click.option(
    "--trust-root",
    "trust_root_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Kiểm tra chữ ký sổ cái trên điểm chốt trước (nên dùng).",
)
def cosign(note_file: Path, key_file: Path, trust_root_path: Path | None) -> None:
    """Đồng ký điểm chốt trong TỆP_ĐIỂM_CHỐT bằng khóa của chính bạn, trên máy
    của bạn; in dòng đồng ký (tlog-cosignature) để dán vào trang làm việc.
    Không cần cơ sở dữ liệu.

    Mật khẩu lấy từ KIEMDIEM_PASSWORD hoặc được hỏi trên cửa sổ dòng lệnh."""
    try:
        note_bytes = note_file.read_bytes()
        key_obj = json.loads(key_file.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"không đọc được {exc.filename}: {os_words(exc)}"
        raise click.UsageError(msg) from exc
    except json.JSONDecodeError as exc:
        raise click.UsageError(f"tệp khóa {json_words(exc)}") from exc
    root = None
    if trust_root_path is not None:
        try:
            root = load_trust_root(trust_root_path)
        except ConfigurationError as exc:
            raise click.UsageError(str(exc)) from exc
    password = secret_from_env_or_prompt(PASSWORD_ENV, "Mật khẩu (password)")
    if password is None:
        raise click.UsageError(NO_TERMINAL)
    try:
        line = cosignature_line(note_bytes, key_obj, password, trust_root=root)
    except CosigningError as exc:
        raise click.ClickException(refusal(exc.code, exc.details)) from exc
    sys.stdout.write(line)
