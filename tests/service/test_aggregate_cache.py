"""The library's aggregate cache (KIEMDIEM_AGGREGATE_CACHE), on SQLite and
PostgreSQL: a cached aggregate is fast-forwarded with writes made by another
process, a command's copy never changes the cache, and 0 turns it off."""

from __future__ import annotations

import pytest

from domain.organisations import Organisation
from ledger.config import settings_from_environ
from ledger.errors import ConfigurationError
from services import commands as c
from services.app import Kiemdiem
from tests.service.conftest import ADMIN_PASSWORD


def test_the_setting():
    base = {"KIEMDIEM_DATABASE_URL": "sqlite:///x/k.db"}
    on = settings_from_environ(base).library_env
    assert on["AGGREGATE_CACHE_MAXSIZE"] == "1000"
    assert on["AGGREGATE_CACHE_FASTFORWARD"] == "y"
    assert on["DEEPCOPY_FROM_AGGREGATE_CACHE"] == "y"
    sized = settings_from_environ({**base, "KIEMDIEM_AGGREGATE_CACHE": "50"})
    assert sized.library_env["AGGREGATE_CACHE_MAXSIZE"] == "50"
    off = settings_from_environ({**base, "KIEMDIEM_AGGREGATE_CACHE": "0"})
    assert "AGGREGATE_CACHE_MAXSIZE" not in off.library_env
    for bad in ("-1", "many"):
        with pytest.raises(ConfigurationError):
            settings_from_environ({**base, "KIEMDIEM_AGGREGATE_CACHE": bad})


def test_another_process_writes_are_seen_and_copies_stay_apart(
    services, admin, settings
):
    assert services.ledger.repository.cache is not None
    org = services.handle(
        c.FoundOrganisation(
            admin.actor, "tinh", "Tỉnh ủy", "provincial_committee", None
        ),
        admin.signer,
    )
    first = services.uow.get(Organisation, org, "org.not_found")
    assert first.name == "Tỉnh ủy"
    # a command's own copy: changing it leaves the cache alone
    first.name = "Đổi trong bộ nhớ"
    assert services.uow.get(Organisation, org, "org.not_found").name == "Tỉnh ủy"
    assert services.uow.read(Organisation, org, "org.not_found").name == "Tỉnh ủy"
    # another process renames it: the cached aggregate is fast-forwarded
    other = Kiemdiem(settings)
    try:
        session = other.authenticate("admin", ADMIN_PASSWORD)
        assert session is not None
        other.handle(
            c.RenameOrganisation(session.actor, org, "Tỉnh ủy mới"), session.signer
        )
    finally:
        other.close()
    again = services.uow.get(Organisation, org, "org.not_found")
    assert again.name == "Tỉnh ủy mới"
    assert again.version == first.version + 1
    assert services.uow.read(Organisation, org, "org.not_found").name == "Tỉnh ủy mới"


def test_zero_turns_the_cache_off(database_url, monkeypatch, services):
    monkeypatch.setenv("KIEMDIEM_AGGREGATE_CACHE", "0")
    plain = Kiemdiem(settings_from_environ(database_url=database_url))
    try:
        assert plain.ledger.repository.cache is None
    finally:
        plain.close()


def test_the_session_checks_account_read_is_the_cached_object(services, admin):
    """Every request's session check reads the account: no deep copy of it."""
    account_id = admin.account_id
    first = services.account(account_id)
    assert services.account(account_id) is first
    # a command's copy is still its own
    assert services.uow.get(type(first), account_id, "account.not_found") is not first
