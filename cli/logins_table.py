"""The demo's logins as the operator reads them: a small table with Vietnamese
role names and the address to sign in at (``kiemdiem logins``, ``init --demo``)."""

from __future__ import annotations

from web.catalogue import role_label

LOGIN_URL = "http://127.0.0.1:5000/auth/login"


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
