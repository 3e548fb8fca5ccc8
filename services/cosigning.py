"""Cosigning on the member's own machine (ledger.md §7, issue 5): no database, no
server. ``kiemdiem cosign`` calls :func:`cosignature_line`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ledger import cosign, keywrap, note, trustroot
from ledger.errors import ConfigurationError


class CosigningError(ValueError):
    """Plain words for the member: what is wrong and what to do."""


def cosignature_line(
    note_bytes: bytes,
    key_file: Mapping[str, Any],
    password: str,
    *,
    trust_root: Mapping[str, Any] | None = None,
    now: int | None = None,
) -> str:
    """The ``tlog-cosignature/v1`` line for the checkpoint in ``note_bytes``,
    signed with the member's exported key (checked against the trust root's log
    keys first when one is given)."""
    try:
        if trust_root is not None:
            trustroot.validate(dict(trust_root))
            note.open_note(note_bytes, trustroot.log_verifiers(trust_root))
        body = cosign.checkpoint_body_of(note_bytes)
    except (note.NoteError, ConfigurationError) as exc:
        raise CosigningError(f"not a valid checkpoint: {exc}") from exc
    try:
        name, private_key = cosign.unlock_exported(key_file, password)
    except keywrap.KeyUnwrapError as exc:
        raise CosigningError(f"the key does not open: {exc}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise CosigningError(str(exc)) from exc
    return note.cosign(
        body, name, private_key, int(time.time()) if now is None else now
    )
