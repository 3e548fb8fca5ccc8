"""Cosigning on the member's own machine (ledger.md §7, issue 5): no database, no
server. ``kiemdiem cosign`` calls :func:`cosignature_line`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ledger import cosign, keywrap, note, trustroot
from ledger.errors import ConfigurationError


class CosigningError(ValueError):
    """Why the line could not be made, as a catalogue code (``audit.*``, the
    same codes the web uses for the same faults) and its details; the Vietnamese
    words are ``web.catalogue.message_for(code, details)``. ``str()`` is the
    code and the English detail, for logs."""

    def __init__(self, code: str, **details: Any) -> None:
        self.code = code
        self.details = details
        detail = details.get("reason")
        super().__init__(f"{code}: {detail}" if detail else code)


# ``ledger.cosign.ExportedKeyError.reason`` → the catalogue code.
KEY_FAULTS: dict[str, str] = {
    "not_exported_key": "audit.key_file_invalid",
    "no_cosigner_name": "audit.no_cosigner_key",
    "key_mismatch": "audit.key_mismatch",
}


def _key_file_fault(exc: Exception) -> CosigningError:
    """A key file that did not open, by what went wrong."""
    if isinstance(exc, keywrap.KeyUnwrapError):
        return CosigningError("audit.key_locked", reason=str(exc))
    if isinstance(exc, cosign.ExportedKeyError):
        return CosigningError(KEY_FAULTS[exc.reason], reason=str(exc))
    return CosigningError("audit.key_file_invalid", reason=str(exc))


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
    if trust_root is not None:
        try:
            trustroot.validate(dict(trust_root))
        except ConfigurationError as exc:
            raise CosigningError("audit.trust_root_invalid", reason=str(exc)) from exc
    try:
        if trust_root is not None:
            note.open_note(note_bytes, trustroot.log_verifiers(trust_root))
        body = cosign.checkpoint_body_of(note_bytes)
    except note.NoteError as exc:
        raise CosigningError(
            "audit.checkpoint_invalid", reason=str(exc), why=exc.reason
        ) from exc
    try:
        name, private_key = cosign.unlock_exported(key_file, password)
    except (ValueError, KeyError, TypeError) as exc:
        raise _key_file_fault(exc) from exc
    return note.cosign(
        body, name, private_key, int(time.time()) if now is None else now
    )
