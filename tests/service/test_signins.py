"""Sign-in records go through the one bus (đăng nhập, đăng xuất): given an
account, a ``RecordSignIn`` / ``RecordSignOut`` command, then the signed events;
nobody signs for another account."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.signins import SignInLog, sign_in_log_id
from services import commands as c

AT = datetime(2026, 12, 6, 8, 30, tzinfo=UTC)


def admin_id(admin) -> UUID:
    return UUID(admin.actor[2:])


def test_a_sign_in_and_its_sign_out_are_recorded_through_the_bus(
    services, admin, new_events
):
    account = admin_id(admin)
    sign_in = c.RecordSignIn(admin.actor, account, "ref-1", AT)
    assert new_events(lambda: services.handle(sign_in, admin.signer)) == [
        "SignInLog.Started",
        "SignInLog.SignedIn",
    ]
    later = AT + timedelta(minutes=5)
    sign_out = c.RecordSignOut(admin.actor, account, ("ref-1",), "logout", later)
    assert new_events(lambda: services.handle(sign_out, admin.signer)) == [
        "SignInLog.SignedOut"
    ]
    log = services.uow.read(SignInLog, sign_in_log_id(account, AT.date()), "x")
    assert (log.sign_ins, log.sign_outs) == (1, 1)


def test_nobody_records_a_sign_in_for_another_account(services, admin, refused):
    other = UUID(int=7)
    command = c.RecordSignIn(admin.actor, other, "ref-2", AT)
    refused("audit.wrong_log", lambda: services.handle(command, admin.signer))


def test_the_actor_must_be_the_signer(services, admin, refused):
    command = c.RecordSignIn("u:someone-else", admin_id(admin), "ref-3", AT)
    refused("auth.actor_mismatch", lambda: services.handle(command, admin.signer))


def test_an_unknown_sign_out_reason_is_refused(services, admin, refused):
    command = c.RecordSignOut(admin.actor, admin_id(admin), ("r",), "bored", AT)
    refused(
        "auth.sign_out_reason_unknown",
        lambda: services.handle(command, admin.signer),
    )
