"""flaskr-style fixtures for the web tests: ``app``, ``client``, ``runner`` and an
``auth`` helper that logs in as a role (``auth.login("secretary")``).

Each test gets its own SQLite store in ``tmp_path``: a small province (one tỉnh
ủy, one huyện ủy, two chi bộ, one leadership collective, one member) and one
account per role, built once per session and copied, so tests stay fast and
independent.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

# The five-year rating history, one store per backend and session (issue 6).
pytest_plugins = ["tests.history_store"]

ARGON2_MEMORY_KIB = "1024"
SECRET_KEY = "test-secret-key-for-kiemdiem-web"
ADMIN_PASSWORD = "mat-khau-quan-tri"
ORIGIN = "kiemdiem.test/web"
DB_NAME = "k.db"

# role -> (username, full name, password)
ACCOUNTS: dict[str, tuple[str, str, str]] = {
    "admin": ("admin", "Quản trị hệ thống", ADMIN_PASSWORD),
    "secretary": ("thuky", "Trần Thị Thư", "mat-khau-thu-ky"),
    "decision_maker": ("captuy", "Lê Văn Quyết", "mat-khau-cap-uy"),
    "inspector": ("ubkt", "Phạm Minh Kiểm", "mat-khau-kiem-tra"),
    "member": ("dangvien", "Nguyễn Văn An", "mat-khau-dang-vien"),
    "counting": ("kiemphieu", "Hoàng Thu Phiếu", "mat-khau-kiem-phieu"),
}
ROLES = tuple(ACCOUNTS)
ORGS = {
    "province": ("tinh-uy-thu", "Tỉnh ủy Thử Nghiệm", "provincial_committee", None),
    "district": ("huyen-uy-dong", "Huyện ủy Đông Hà", "district_committee", "province"),
    "cell_a": ("chi-bo-xom-a", "Chi bộ xóm A", "cell", "district"),
    "cell_b": ("chi-bo-xom-b", "Chi bộ xóm B", "cell", "district"),
    "collective": (
        "btv-huyen-uy-dong",
        "Ban Thường vụ Huyện ủy Đông Hà",
        "leadership_collective",
        "district",
    ),
}
MEMBER_CARD = "DV00000001"


@dataclass
class World:
    """Ids of the seeded data."""

    orgs: dict[str, UUID] = field(default_factory=dict)
    member_id: UUID | None = None
    accounts: dict[str, UUID] = field(default_factory=dict)

    def password(self, role: str) -> str:
        return ACCOUNTS[role][2]

    def username(self, role: str) -> str:
        return ACCOUNTS[role][0]


def _environment(mp: pytest.MonkeyPatch, root: Path) -> None:
    mp.setenv("KIEMDIEM_ARGON2_MEMORY_KIB", ARGON2_MEMORY_KIB)
    mp.setenv("KIEMDIEM_INSTANCE_DIR", str(root / "instance"))
    mp.setenv("KIEMDIEM_DATABASE_URL", f"sqlite:///{root / DB_NAME}")
    for key in (
        "KIEMDIEM_TRUST_ROOT",
        "KIEMDIEM_LOG_KEY_FILE",
        "KIEMDIEM_LOG_KEY_PASSPHRASE_FILE",
        "KIEMDIEM_LOG_KEY_PASSPHRASE",
        "KIEMDIEM_CHECKPOINT_DIR",
        "KIEMDIEM_PROJECTIONS",
        "KIEMDIEM_SECRET_KEY",
        "KIEMDIEM_SECURE_COOKIES",
    ):
        mp.delenv(key, raising=False)


def _seed(root: Path) -> World:
    from domain.accounts import Role
    from ledger.config import settings_from_environ
    from services import commands as c
    from services.app import Kiemdiem
    from services.setup import initialise

    assert set(ACCOUNTS) == {role.value for role in Role}, "one account per role"
    settings = settings_from_environ()
    result = initialise(
        settings,
        origin=ORIGIN,
        admin_username="admin",
        admin_full_name=ACCOUNTS["admin"][1],
        admin_password=ADMIN_PASSWORD,
        demo=True,  # the generated log key passphrase beside the key
    )
    world = World(accounts={"admin": result.admin_id})
    services = Kiemdiem(settings)
    try:
        admin = services.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        for key, (code, name, kind, parent) in ORGS.items():
            parent_id = world.orgs[parent] if parent else None
            command = c.FoundOrganisation(admin.actor, code, name, kind, parent_id)
            world.orgs[key] = services.handle(command, admin.signer)
        world.member_id = services.handle(
            c.EnrolMember(
                admin.actor,
                ACCOUNTS["member"][1],
                MEMBER_CARD,
                date(1980, 5, 17),
                date(2005, 2, 3),
                "full",
                world.orgs["cell_a"],
            ),
            admin.signer,
        )
        for role, (username, full_name, password) in ACCOUNTS.items():
            if role == "admin":
                continue
            world.accounts[role] = services.handle(
                c.OpenAccount(
                    admin.actor,
                    username,
                    full_name,
                    (role,),
                    password,
                    org_id=world.orgs["district"],
                    member_id=world.member_id if role == "member" else None,
                ),
                admin.signer,
            )
    finally:
        services.close()
    return world


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    """A seeded store built once; tests get a copy of it."""
    root = tmp_path_factory.mktemp("seeded-store")
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, root)
        world = _seed(root)
    return root, world


@pytest.fixture
def world(seeded_store: tuple[Path, World]) -> World:
    return seeded_store[1]


@pytest.fixture
def store_dir(seeded_store, tmp_path, monkeypatch) -> Path:
    template, _ = seeded_store
    root = tmp_path / "store"
    shutil.copytree(template, root)
    _environment(monkeypatch, root)
    return root


@pytest.fixture
def app(store_dir) -> Iterator[Any]:
    from web import create_app, shutdown

    application = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY})
    yield application
    shutdown(application)


@pytest.fixture
def kiemdiem(app):
    """The services behind the app (``app.extensions["kiemdiem"]``)."""
    return app.extensions["kiemdiem"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Logs the test client in and out as one of the seeded roles."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def csrf_token(self) -> str:
        page = self._client.get("/auth/login")
        return csrf_token_from(page.get_data(as_text=True))

    def login(self, role: str = "admin", password: str | None = None) -> Any:
        username, _, default_password = ACCOUNTS[role]
        return self.login_as(username, password or default_password)

    def login_as(self, username: str, password: str) -> Any:
        return self._client.post(
            "/auth/login",
            data={
                "username": username,
                "password": password,
                "csrf_token": self.csrf_token(),
            },
        )

    def logout(self) -> Any:
        return self._client.post("/auth/logout", data={"csrf_token": self.csrf_token()})

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        """POST a form with a valid CSRF token."""
        form = dict(data or {})
        form.setdefault("csrf_token", self.csrf_token())
        return self._client.post(url, data=form, **kw)


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
