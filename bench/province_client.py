"""The province bench's HTTP client: one keep-alive connection to 127.0.0.1
with its own cookies, and each role signed in from the generator's logins."""

from __future__ import annotations

import html
import http.client
import re
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode

HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Client:
    """One keep-alive connection to 127.0.0.1 with its own cookies."""

    # Headers sent with every request (--profile), set around a workload.
    extra: ClassVar[dict[str, str]] = {}

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection(HOST, port, timeout=300)

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        headers.update(self.extra)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=300)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                self.cookies[key.strip()] = val.strip()
        return response.status, data, dict(response.getheaders())

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        return self.request("GET", path)

    def close(self) -> None:
        self.conn.close()

    def login(self, username: str, password: str) -> None:
        status, page, _ = self.get("/auth/login")
        found = CSRF.search(page.decode())
        if status != 200 or found is None:
            raise RuntimeError(f"no login form ({status})")
        form = {
            "csrf_token": html.unescape(found.group(1)),
            "username": username,
            "password": password,
        }
        status, _, headers = self.request("POST", "/auth/login", urlencode(form))
        if status != 302 or "/auth/login" in headers.get("Location", ""):
            raise RuntimeError(f"{username} could not sign in ({status})")


def sign_in(port: int, store: Path) -> dict[str, dict[str, str]]:
    """Each role's session cookies, from the logins the generator wrote."""
    sessions = {}
    for line in (store / "demo-accounts.txt").read_text().splitlines():
        username, _role, password = line.split("\t")
        client = Client(port)
        try:
            client.login(username, password)
        finally:
            client.close()
        sessions[username] = client.cookies
    return sessions
