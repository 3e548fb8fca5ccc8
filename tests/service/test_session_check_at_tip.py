"""The session check every signed-in request runs (``SessionService.check``), on
SQLite and PostgreSQL: one statement when the log has not moved (the session's
row and the log's tip together; the cached account and the key registry taken
as they are at that tip), and still every ending seen at the very next check:
a session ended by another process, the account's roles changed, its key
revoked (a password reset, which leaves the account's own stream as it was),
its disablement, an expired session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services import commands as c
from services.app import Kiemdiem
from services.sessions import ActiveSession, SessionPolicy, SessionService
from tests.service.conftest import ADMIN_PASSWORD

PASSWORD = "mat-khau-thu-ky-1"


class Reads:
    """What the ledger's side read meanwhile: statements through its ``Sql``,
    aggregates' streams, log tips and notification pages."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.streams: list[Any] = []
        self.tips = 0
        self.pages = 0

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    @property
    def total(self) -> int:
        return len(self.statements) + len(self.streams) + self.tips + self.pages


@pytest.fixture
def reads(services: Kiemdiem, monkeypatch: pytest.MonkeyPatch) -> Reads:
    seen = Reads()
    recorder = services.ledger.recorder
    store = services.ledger.repository.event_store
    sql = services.ledger.sql
    get, tip, page = (
        store.get,
        recorder.max_notification_id,
        recorder.select_notifications,
    )
    read_tx = type(sql).read

    def counted_get(originator_id: Any, *args: Any, **kwargs: Any) -> Any:
        seen.streams.append(originator_id)
        return get(originator_id, *args, **kwargs)

    def counted_tip() -> Any:
        seen.tips += 1
        return tip()

    def counted_page(*args: Any, **kwargs: Any) -> Any:
        seen.pages += 1
        return page(*args, **kwargs)

    class Counting:
        def __init__(self, cursor: Any) -> None:
            self._cursor = cursor

        def execute(self, statement: str, params: Any = ()) -> Any:
            seen.statements.append(statement)
            return self._cursor.execute(statement, params)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._cursor, name)

    from contextlib import contextmanager

    @contextmanager
    def counted_read(self: Any) -> Any:
        with read_tx(self) as cursor:
            yield Counting(cursor)

    monkeypatch.setattr(store, "get", counted_get)
    monkeypatch.setattr(recorder, "max_notification_id", counted_tip)
    monkeypatch.setattr(recorder, "select_notifications", counted_page)
    monkeypatch.setattr(type(sql), "read", counted_read)
    return seen


def _clerk(services: Kiemdiem, admin: Any) -> Any:
    return services.handle(
        c.OpenAccount(admin.actor, "thuky1", "Thư Ký Một", ("secretary",), PASSWORD),
        admin.signer,
    )


def _signed_in(services: Kiemdiem, admin: Any, **policy: Any) -> tuple[Any, str, Any]:
    account_id = _clerk(services, admin)
    session = services.authenticate("thuky1", PASSWORD)
    assert session is not None
    sessions = SessionService(services, SessionPolicy(**policy))
    token, _ = sessions.open(account_id, session.signer)
    return sessions, token, account_id


def _in_another_process(services: Kiemdiem, act: Any) -> None:
    other = Kiemdiem(services.settings)
    try:
        admin = other.authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None
        act(other, admin)
    finally:
        other.close()


def test_a_check_is_one_statement_while_the_log_stands(services, admin, reads):
    sessions, token, account_id = _signed_in(services, admin)
    assert isinstance(sessions.check(token), ActiveSession)  # the cache warmed
    reads.clear()
    checked = sessions.check(token)
    assert isinstance(checked, ActiveSession)
    assert checked.account.id == account_id
    assert len(reads.statements) == 1  # the row and the tip together
    assert (reads.streams, reads.tips, reads.pages) == ([], 0, 0)
    # The log moved (another account opened here): the account is brought up
    # (its stream read once) and the key registry reads the page of key events.
    _in_another_process(
        services,
        lambda other, a: other.handle(
            c.OpenAccount(a.actor, "khac", "Người Khác", ("member",), PASSWORD),
            a.signer,
        ),
    )
    reads.clear()
    assert isinstance(sessions.check(token), ActiveSession)
    assert (len(reads.statements), reads.streams, reads.tips) == (1, [account_id], 0)
    reads.clear()
    assert isinstance(sessions.check(token), ActiveSession)
    assert reads.total == 1


def test_a_tip_already_read_is_not_read_again(services, admin, reads):
    sessions, token, _ = _signed_in(services, admin)
    tip = services.ledger.max_notification_id()
    sessions.check(token, tip)
    reads.clear()
    assert isinstance(sessions.check(token, tip), ActiveSession)
    assert reads.total == 1  # the row alone
    assert "MAX(" not in reads.statements[0].upper()


def test_another_process_ending_the_session_is_seen_at_once(services, admin):
    sessions, token, _ = _signed_in(services, admin)
    assert isinstance(sessions.check(token), ActiveSession)

    def log_out(other: Kiemdiem, _: Any) -> None:
        theirs = SessionService(other)
        theirs.close(token, None)

    _in_another_process(services, log_out)
    assert sessions.check(token) == "logout"


def test_roles_changed_by_another_process_end_the_session(services, admin):
    sessions, token, account_id = _signed_in(services, admin)
    assert isinstance(sessions.check(token), ActiveSession)
    assert isinstance(sessions.check(token), ActiveSession)  # cached, unmoved
    _in_another_process(
        services,
        lambda other, a: other.handle(
            c.ChangeRoles(a.actor, account_id, ("secretary", "inspector")), a.signer
        ),
    )
    assert sessions.check(token) == "account_changed"


def test_a_key_revoked_by_another_process_ends_the_session(services, admin):
    """A password reset registers a new key and revokes the old one: only key
    events, the account's own stream unchanged. The key registry read at the
    session's tip sees it."""
    sessions, token, account_id = _signed_in(services, admin)
    assert isinstance(sessions.check(token), ActiveSession)
    assert isinstance(sessions.check(token), ActiveSession)
    version = services.account(account_id).version
    _in_another_process(
        services,
        lambda other, a: other.handle(
            c.ResetPassword(a.actor, account_id, "mat-khau-moi-thu-ky-2"), a.signer
        ),
    )
    assert sessions.check(token) == "account_changed"
    assert services.account(account_id).version == version  # keys only


def test_an_account_disabled_by_another_process_ends_the_session(services, admin):
    sessions, token, account_id = _signed_in(services, admin)
    assert isinstance(sessions.check(token), ActiveSession)
    _in_another_process(
        services,
        lambda other, a: other.handle(
            c.DisableAccount(a.actor, account_id, "Chuyển công tác"), a.signer
        ),
    )
    assert sessions.check(token) == "disabled"


def test_an_expired_session_is_refused_though_nothing_moved(services, admin):
    sessions, token, _ = _signed_in(services, admin, idle=timedelta(minutes=30))
    assert isinstance(sessions.check(token), ActiveSession)
    sessions.clock = lambda: datetime.now(UTC) + timedelta(minutes=31)
    assert sessions.check(token) == "idle"
    assert sessions.check(token) == "idle"  # ended for good
