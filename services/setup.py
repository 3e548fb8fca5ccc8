"""Creating a store: log key, trust root, first administrator (``kiemdiem init``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
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
from ledger.schema import grant_roles
from ledger.signing import Signer, signing_as
from projections.grants import hand_over_views
from services import ids
from services.app import Kiemdiem
from services.logkey import create_log_key

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


def initialise(
    settings: Settings,
    *,
    origin: str,
    admin_username: str,
    admin_full_name: str,
    admin_password: str,
) -> InitResult:
    """Create the log key, the trust root and the first administrator.

    Refuses to run over an existing trust root: a second genesis would fork the
    deployment's identity.
    """
    if not ORIGIN.fullmatch(origin):
        msg = f"origin {origin!r} must look like host/path (lowercase, no spaces)"
        raise ConfigurationError(msg)
    check_password_policy(admin_password)
    if settings.trust_root_path.exists():
        msg = f"{settings.trust_root_path} exists: this store is already initialised"
        raise ConfigurationError(msg)
    username = admin_username.strip().lower()
    admin_id = ids.account_id(username)
    actor = ids.actor_of(admin_id)
    admin_key = Ed25519PrivateKey.generate()
    raw = public_key_raw(admin_key)
    signer = Signer(actor, admin_key)
    log_signer = create_log_key(settings, origin)
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
            msg = "the database already holds events; use a new database or schema"
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
    settings.trust_root_path.parent.mkdir(parents=True, exist_ok=True)
    settings.trust_root_path.write_text(
        json.dumps(root, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return InitResult(origin, settings.trust_root_path, admin_id, checkpoint.size)
