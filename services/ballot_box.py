"""The ballot box's key (khóa hòm phiếu): a non-person key per vote
(``sys:ballot-box:<vote id>``) that signs every ballot, named ``service_pub`` in
the manifest, kept by the server wrapped under the log-key passphrase file like
the log key (ledger.md §4.1, §4.5; votes.md §7.2)."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import DomainError
from ledger import keywrap
from ledger.errors import ConfigurationError
from ledger.private_files import write_private
from ledger.signing import Signer
from services.context import AppContext
from services.logkey import server_passphrase
from services.vault import KdfCost, seed_of
from votes.aggregates import ballot_box_actor

BALLOT_BOX_ROLE = "ballot-box"


class BallotBoxKeys:
    """The ballot-box keys of one application: stored wrapped, kept unwrapped
    in this process once opened."""

    def __init__(self, kiemdiem: AppContext) -> None:
        self.app = kiemdiem
        self._boxes: dict[UUID, Signer] = {}

    def path(self, vote: UUID) -> Path:
        return self.app.settings.instance_dir / "ballot-box" / f"{vote}.key"

    def _passphrase(self) -> str:
        """The server passphrase (the log key's, services.logkey)."""
        return server_passphrase(self.app.settings)

    def store(self, vote: UUID, key: Ed25519PrivateKey) -> Path:
        """Wrap the ballot-box key under the server passphrase (like the log key)."""
        path = self.path(vote)
        if path.exists():
            raise DomainError("vote.code_taken", id=str(vote))
        signer = Signer(ballot_box_actor(vote), key)
        wrapped = keywrap.wrap_seed(
            seed_of(key),
            self._passphrase(),
            signer.actor,
            signer.key_id.hex(),
            m=KdfCost.from_environ().m,
        )
        record = {
            "actor": signer.actor,
            "key_id": signer.key_id.hex(),
            "wrapped": wrapped,
        }
        # 0600 from its creation, in a 0700 folder.
        write_private(path, json.dumps(record, sort_keys=True) + "\n", exclusive=True)
        return path

    def remember(self, vote: UUID, signer: Signer) -> None:
        """Keep a new vote's ballot-box signer (its key was stored before)."""
        self._boxes[vote] = signer

    def signer(self, vote: UUID) -> Signer:
        """The vote's ballot-box signer, unwrapped once per process."""
        cached = self._boxes.get(vote)
        if cached is not None:
            return cached
        path = self.path(vote)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise DomainError("vote.ballot_box_missing", id=str(vote)) from None
        try:
            seed = keywrap.unwrap_seed(
                record["wrapped"], self._passphrase(), record["actor"], record["key_id"]
            )
        except (keywrap.KeyUnwrapError, KeyError) as exc:
            raise ConfigurationError("không mở được khóa của hòm phiếu") from exc
        signer = Signer(
            ballot_box_actor(vote), Ed25519PrivateKey.from_private_bytes(seed)
        )
        self._boxes[vote] = signer
        return signer
