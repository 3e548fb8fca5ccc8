"""A history page keeps each signature's verdict per process (issue 14: a page
seen again checks the same signatures), under the public key, the signature and
the signed content's hash: a row edited after its verdict was kept (its content,
or its signature alone) is verified afresh and fails, on SQLite and PostgreSQL."""

from __future__ import annotations

from ledger import envelope, history, verify_rows
from tests.service.test_history_page_checks import _edit, _member


def _page(services, member):
    rows = history.stream_rows(services.ledger.sql, member)
    return history.check_page(
        rows, services.ledger.key_registry(), str(services.trust_root["origin"])
    )


def test_a_kept_verdict_never_stands_for_an_edited_row(services, admin, monkeypatch):
    member = _member(services, admin)
    verified: list[bytes] = []
    real = verify_rows.ed25519_valid

    def counted(key, raw, signature, message):
        verified.append(signature)
        return real(key, raw, signature, message)

    monkeypatch.setattr(history, "ed25519_valid", counted)
    monkeypatch.setattr(history, "_verdicts", type(history._verdicts)())
    assert [e.status for e in _page(services, member)] == ["ok"] * 3
    assert len(verified) == 3
    assert [e.status for e in _page(services, member)] == ["ok"] * 3
    assert len(verified) == 3  # seen again: the kept verdicts

    first = history.stream_rows(services.ledger.sql, member)[0]
    # The content edited, the signature kept: another content hash.
    _edit(services, first, first.state.replace(b"1980-05-17", b"1980-05-18"))
    assert _page(services, member)[0].status == "bad_signature"
    # The signature edited, the content kept: another signature.
    env = envelope.unpack(first.state)
    flipped = bytes([env.signature[0] ^ 1]) + env.signature[1:]
    assert first.state.count(env.signature) == 1
    _edit(services, first, first.state.replace(env.signature, flipped))
    assert _page(services, member)[0].status == "bad_signature"
    # The row as it was: its kept verdict again, no new verification.
    _edit(services, first, first.state)
    before = len(verified)
    assert [e.status for e in _page(services, member)] == ["ok"] * 3
    assert len(verified) == before


def test_the_kept_verdicts_are_bounded(services, admin, monkeypatch):
    member = _member(services, admin)
    monkeypatch.setattr(history, "VERDICTS_KEPT", 2)
    monkeypatch.setattr(history, "_verdicts", type(history._verdicts)())
    assert [e.status for e in _page(services, member)] == ["ok"] * 3
    assert len(history._verdicts) == 2
