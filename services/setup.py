"""Creating a store: log key, trust root, first administrator (``kiemdiem init``)."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.accounts import Role, UserAccount, check_password_policy
from ledger import trustroot
from ledger.app import LedgerApplication
from ledger.config import Settings
from ledger.errors import ConfigurationError
from ledger.keyring import ADMIN_ROLE, TrustedAdminKey
from ledger.keys import public_key_raw, register_key
from ledger.private_files import (
    make_private,
    private_dir,
    private_umask,
    restrict_umask,
    write_private,
)
from ledger.schema import grant_roles
from ledger.signing import Signer, signing_as
from projections.grants import hand_over_views
from services import ids
from services.app import Kiemdiem
from services.logkey import create_log_key, passphrase_for_new_key

log = logging.getLogger(__name__)


def make_new_files_private() -> int:
    """Every file the process creates from now on is its owner's alone (the
    store, checkpoints, keys): the entrypoints call this first. Returns the
    previous umask (a caller running a command in its own process restores it)."""
    return restrict_umask()


def write_private_file(path: Path, text: str) -> None:
    """A file for its owner only (0600 from its creation, also when replacing one
    left with wider rights), e.g. the demo logins."""
    write_private(path, text)


ORIGIN = re.compile(r"[a-z0-9.-]+(/[a-z0-9._-]+)*")


def create_database_tables(settings: Settings, root: dict[str, object]) -> None:
    """PostgreSQL: create schema, tables and append-only triggers as the owner."""
    ledger = LedgerApplication(settings, root)
    try:
        ledger.create_tables()
    finally:
        ledger.close()


def grant_database_roles(
    settings: Settings,
    root: dict[str, object],
    *,
    app_role: str,
    audit_role: str | None = None,
) -> None:
    """PostgreSQL: give the app role insert-only rights on the evidence tables,
    and the views' tables (rebuilt from the log, not evidence) to own."""
    ledger = LedgerApplication(settings, root)
    try:
        grant_roles(ledger.sql, app_role=app_role, audit_role=audit_role)
        hand_over_views(ledger.sql, app_role)
    finally:
        ledger.close()


@dataclass(frozen=True)
class InitResult:
    origin: str
    trust_root_path: Path
    admin_id: UUID
    checkpoint_size: int
    # The demo's generated log key passphrase, kept beside the key (None when
    # the passphrase was given in the environment or a secret file).
    demo_passphrase_file: Path | None = None


def initialise(
    settings: Settings,
    *,
    origin: str,
    admin_username: str,
    admin_full_name: str,
    admin_password: str,
    demo: bool = False,
) -> InitResult:
    """Create the log key, the trust root and the first administrator.

    Refuses to run over an existing trust root: a second genesis would fork the
    deployment's identity. Every folder it creates is 0700 and every file 0600
    (the instance folder is tightened to 0700). Outside the ``demo`` the log
    key's passphrase must be given (services.logkey); the demo may generate one
    and keep it beside the key.
    """
    if not ORIGIN.fullmatch(origin):
        msg = (
            f"nguồn nhật ký (origin) {origin!r} phải có dạng máy/đường-dẫn "
            "(chữ thường, không có khoảng trắng)"
        )
        raise ConfigurationError(msg)
    check_password_policy(admin_password)
    if settings.trust_root_path.exists():
        msg = f"{settings.trust_root_path} đã có: kho dữ liệu này đã được khởi tạo"
        raise ConfigurationError(msg)
    with private_umask():
        _private_instance(settings.instance_dir)
        passphrase, demo_file = passphrase_for_new_key(settings, demo=demo)
        result = _genesis(
            settings,
            origin=origin,
            admin_username=admin_username,
            admin_full_name=admin_full_name,
            admin_password=admin_password,
            passphrase=passphrase,
        )
    return replace(result, demo_passphrase_file=demo_file)


def _private_instance(folder: Path) -> None:
    private_dir(folder)
    try:
        make_private(folder)
    except OSError as exc:  # not ours to change (e.g. a mounted volume)
        log.warning("could not make %s private (0700): %s", folder, exc)


def _genesis(
    settings: Settings,
    *,
    origin: str,
    admin_username: str,
    admin_full_name: str,
    admin_password: str,
    passphrase: str,
) -> InitResult:
    username = admin_username.strip().lower()
    admin_id = ids.account_id(username)
    actor = ids.actor_of(admin_id)
    admin_key = Ed25519PrivateKey.generate()
    raw = public_key_raw(admin_key)
    signer = Signer(actor, admin_key)
    log_signer = create_log_key(settings, origin, passphrase)
    root = trustroot.make_trust_root(
        origin,
        [log_signer.private_key.public_key()],
        [TrustedAdminKey(actor, signer.key_id.hex(), raw)],
    )
    if settings.backend == "postgres":
        create_database_tables(settings, root)
    services = Kiemdiem(settings, root, log_signer=log_signer)
    try:
        if services.ledger.max_notification_id():
            msg = (
                "cơ sở dữ liệu đã có sự kiện; hãy dùng một cơ sở dữ liệu hoặc "
                "schema mới"
            )
            raise ConfigurationError(msg)
        account = UserAccount.open(
            account_id=admin_id,
            username=username,
            full_name=admin_full_name,
            roles=[Role.ADMIN.value],
            org_id=None,
            member_id=None,
            opened_by=actor,
        )
        with signing_as(signer):
            # Genesis: the trust-root admin key registers itself, first in the log.
            recordings = services.ledger.save(
                register_key(admin_key, actor, ADMIN_ROLE), account
            )
        services.vault.store_credentials(
            str(admin_id), username, admin_key, admin_password
        )
        services.after_write(recordings[-1].notification.id)
        checkpoint = services.issue_checkpoint()
    finally:
        services.close()
    write_private(
        settings.trust_root_path,
        json.dumps(root, indent=2, ensure_ascii=False) + "\n",
        exclusive=True,
    )
    return InitResult(origin, settings.trust_root_path, admin_id, checkpoint.size)
