"""``kiemdiem logins``: the demo's logins as a small table, with the address to sign
in at, so the operator's first hour never starts with a lost password."""

from __future__ import annotations

import click

from cli.click_help import VietnameseCommand
from cli.context import load_settings
from cli.logins_table import LOGIN_URL, logins_table, read_logins
from cli.setup_cmd import DEMO_ACCOUNTS_FILE


@click.command(cls=VietnameseCommand)
@click.option(
    "--url",
    default=LOGIN_URL,
    show_default=True,
    metavar="URL",
    help="Địa chỉ đăng nhập (make run truyền cổng PORT của nó).",
)
def logins(url: str) -> None:
    """In các tài khoản thử nghiệm (instance/demo-accounts.txt) và địa chỉ đăng
    nhập."""
    path = load_settings().instance_dir / DEMO_ACCOUNTS_FILE
    try:
        rows = read_logins(path.read_text(encoding="utf-8"))
    except OSError:
        raise click.ClickException(
            f"không có tài khoản thử nghiệm trong {path}: kho này không được tạo "
            "bằng `kiemdiem init --demo`"
        ) from None
    click.echo(logins_table(rows, url))
