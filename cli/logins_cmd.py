"""``kiemdiem logins``: the demo's logins as a small table, with the address to sign
in at, so the operator's first hour never starts with a lost password."""

from __future__ import annotations

import click

from cli.click_help import VietnameseCommand
from cli.context import load_settings
from cli.setup_cmd import DEMO_ACCOUNTS_FILE
from web.catalogue import role_label


def read_logins(text: str) -> list[tuple[str, str, str]]:
    """(account, role, password) per line of ``demo-accounts.txt``."""
    rows = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            rows.append((parts[0], parts[1], parts[2]))
    return rows


def logins_table(rows: list[tuple[str, str, str]], url: str) -> str:
    """The table ``make run`` prints: Vietnamese role names, the login address."""
    header = ("Tài khoản", "Vai trò", "Mật khẩu")
    shown = [(name, role_label(role), password) for name, role, password in rows]
    widths = [max(len(r[i]) for r in [header, *shown]) for i in range(3)]

    def line(cells: tuple[str, str, str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))

    rule = "  ".join("-" * w for w in widths)
    body = [line(header), rule, *(line(r) for r in shown)]
    return f"Đăng nhập tại: {url}\n" + "\n".join(body)


@click.command(cls=VietnameseCommand)
@click.option(
    "--url",
    default="http://127.0.0.1:5000/auth/login",
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
