"""The first slice through the service layer, on SQLite and PostgreSQL."""

import threading
from datetime import date

import pytest

from domain.errors import DomainError
from ledger.signing import signing_as
from services import commands as c
from services.demo import load_demo
from services.errors import KeyRevokedError
from services.ids import organisation_id


def store_state(services):
    """What must not change when a command is refused."""
    return (
        services.ledger.max_notification_id(),
        services.integrator.size,
        services.projections.digest(),
    )


def found(services, admin, code, kind, parent=None, name=None):
    command = c.FoundOrganisation(admin.actor, code, name or code.upper(), kind, parent)
    return services.handle(command, admin.signer)


def province_with_cell(services, admin):
    province = found(services, admin, "tinh", "provincial_committee")
    district = found(services, admin, "huyen", "district_committee", province)
    cell = found(services, admin, "chi-bo", "cell", district, "Chi bộ xóm Đông")
    return province, district, cell


def enrol(services, admin, cell, card="DV0001", name="Nguyễn Văn An"):
    command = c.EnrolMember(
        admin.actor, name, card, date(1980, 1, 2), date(2005, 3, 4), "full", cell
    )
    return services.handle(command, admin.signer)


def test_tree_members_and_accounts_show_in_the_directory(services, admin):
    _, _, cell = province_with_cell(services, admin)
    member = enrol(services, admin, cell)
    names = [(o.depth, o.name, o.members) for o in services.organisations()]
    assert names == [(0, "TINH", 0), (1, "HUYEN", 0), (2, "Chi bộ xóm Đông", 1)]
    (row,) = services.members(cell)
    assert (row.member_id, row.full_name, row.cell_name) == (
        member,
        "Nguyễn Văn An",
        "Chi bộ xóm Đông",
    )
    assert services.integrator.alerts() == []


def test_every_stored_event_is_signed_by_the_acting_admin(services, admin):
    province_with_cell(services, admin)
    events = [
        services.ledger.decode(n) for n in services.ledger.read_notifications(0, 100)
    ]
    assert {e.actor for e in events} == {admin.actor}
    assert {e.key_id for e in events} == {admin.signer.key_id.hex()}


def test_unknown_parent_is_refused_and_nothing_is_stored(services, admin):
    before = store_state(services)
    with pytest.raises(DomainError) as info:
        found(services, admin, "x", "district_committee", organisation_id("nowhere"))
    assert info.value.code == "org.parent_not_found"
    assert store_state(services) == before


def test_duplicate_code_is_refused(services, admin):
    found(services, admin, "tinh", "provincial_committee")
    before = store_state(services)
    with pytest.raises(DomainError) as info:
        found(services, admin, "tinh", "provincial_committee")
    assert info.value.code == "org.code_taken"
    assert store_state(services) == before


def test_a_secretary_may_enrol_but_not_found_organisations(services, admin):
    _, _, cell = province_with_cell(services, admin)
    services.handle(
        c.OpenAccount(
            admin.actor,
            "thuky",
            "Thư ký",
            ("secretary",),
            "mat-khau-thu-ky",
            org_id=cell,
        ),
        admin.signer,
    )
    secretary = services.authenticate("thuky", "mat-khau-thu-ky")
    enrol(services, secretary, cell)
    before = store_state(services)
    with pytest.raises(DomainError) as info:
        found(services, secretary, "khac", "provincial_committee")
    assert info.value.code == "auth.forbidden"
    assert store_state(services) == before


def test_wrong_password_unlocks_nothing(services):
    assert services.authenticate("admin", "not-the-password") is None
    assert services.authenticate("nobody", "whatever-password") is None


def test_command_signed_for_someone_else_is_refused(services, admin):
    command = c.FoundOrganisation(
        "u:someone-else", "tinh", "T", "provincial_committee", None
    )
    with pytest.raises(DomainError) as info:
        services.handle(command, admin.signer)
    assert info.value.code == "auth.actor_mismatch"


def test_reset_password_revokes_the_old_key_which_can_no_longer_sign(services, admin):
    _, _, cell = province_with_cell(services, admin)
    account = services.handle(
        c.OpenAccount(
            admin.actor, "thuky", "Thư ký", ("secretary",), "mat-khau-cu-1", cell
        ),
        admin.signer,
    )
    old = services.authenticate("thuky", "mat-khau-cu-1")
    services.handle(
        c.ResetPassword(admin.actor, account, "mat-khau-moi-1"), admin.signer
    )
    assert services.authenticate("thuky", "mat-khau-cu-1") is None
    new = services.authenticate("thuky", "mat-khau-moi-1")
    assert new.signer.key_id != old.signer.key_id
    before = store_state(services)
    with pytest.raises(KeyRevokedError):
        enrol(services, old, cell, card="DV0002")
    assert store_state(services) == before
    enrol(services, new, cell, card="DV0003")
    assert services.integrator.alerts() == []


def test_disabled_account_cannot_log_in(services, admin):
    account = services.handle(
        c.OpenAccount(
            admin.actor, "dangvien", "Đảng viên", ("member",), "mat-khau-dv-1"
        ),
        admin.signer,
    )
    services.handle(
        c.DisableAccount(admin.actor, account, "Chuyển sinh hoạt"), admin.signer
    )
    assert services.authenticate("dangvien", "mat-khau-dv-1") is None
    (row,) = [a for a in services.accounts() if a.username == "dangvien"]
    assert row.disabled
    assert row.key_id is None  # its key was revoked with the account


def test_no_event_without_a_signer(services):
    from domain.organisations import Organisation
    from ledger.signing import NoSignerError

    org = Organisation.found(
        org_id=organisation_id("x"),
        code="x",
        name="X",
        kind="provincial_committee",
        parent=None,
        founded_by="u:x",
    )
    before = services.ledger.max_notification_id()
    with pytest.raises(NoSignerError):
        services.ledger.save(org)
    assert services.ledger.max_notification_id() == before


def test_two_writers_on_one_aggregate_one_conflict_chain_intact(services, admin):
    from eventsourcing.persistence import RecordConflictError

    province, _, _ = province_with_cell(services, admin)
    with signing_as(admin.signer):
        first = services.ledger.repository.get(province)
        second = services.ledger.repository.get(province)
    first.rename("Tỉnh ủy Một", renamed_by=admin.actor)
    second.rename("Tỉnh ủy Hai", renamed_by=admin.actor)
    barrier = threading.Barrier(2)
    outcomes = []

    def save(aggregate):
        barrier.wait()
        try:
            with signing_as(admin.signer):
                services.ledger.save(aggregate)
            outcomes.append("saved")
        except RecordConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    services.after_write(services.ledger.max_notification_id())
    with signing_as(admin.signer):
        assert services.ledger.repository.get(province).version == 2
    assert services.integrator.alerts() == []


def test_racing_commands_are_retried_and_both_land(services, admin):
    province, _, _ = province_with_cell(services, admin)
    barrier = threading.Barrier(2)
    errors = []

    def rename(i):
        barrier.wait()
        try:
            services.handle(
                c.RenameOrganisation(admin.actor, province, f"Tỉnh ủy {i}"),
                admin.signer,
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=rename, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with signing_as(admin.signer):
        assert services.ledger.repository.get(province).version == 3
    assert services.integrator.alerts() == []


def test_rebuild_gives_the_same_views_as_the_incremental_build(services, admin):
    load_demo(services, admin.signer)
    before = services.projections.digest()
    positions = services.projections.positions()
    services.projections.rebuild()
    assert services.projections.digest() == before
    assert services.projections.positions() == positions


def test_a_key_revoked_by_another_process_cannot_sign_here(services, admin, settings):
    """Two processes on one store: the one with a stale key registry must not let
    a revoked key sign (the recorder re-checks the tip inside the insert)."""
    from services.app import Kiemdiem

    _, _, cell = province_with_cell(services, admin)
    account = services.handle(
        c.OpenAccount(
            admin.actor, "thuky", "Thư ký", ("secretary",), "mat-khau-cu-1", cell
        ),
        admin.signer,
    )
    secretary = services.authenticate("thuky", "mat-khau-cu-1")
    enrol(services, secretary, cell, card="DV0001")  # registry here is now current
    other = Kiemdiem(settings)
    try:
        other_admin = other.authenticate("admin", "mat-khau-quan-tri")
        assert other_admin is not None
        other.handle(
            c.ResetPassword(other_admin.actor, account, "mat-khau-moi-1"),
            other_admin.signer,
        )
    finally:
        other.close()
    before = services.ledger.max_notification_id()
    with pytest.raises(KeyRevokedError):
        enrol(services, secretary, cell, card="DV0002")
    assert services.ledger.max_notification_id() == before


def test_card_numbers_are_one_member_whatever_their_case(services, admin):
    _, _, cell = province_with_cell(services, admin)
    enrol(services, admin, cell, card="DV0001")
    with pytest.raises(DomainError) as info:
        enrol(services, admin, cell, card=" dv0001 ")
    assert info.value.code == "member.card_taken"


def test_a_disabled_account_gets_no_new_key(services, admin):
    account = services.handle(
        c.OpenAccount(admin.actor, "thuky", "Thư ký", ("secretary",), "mat-khau-cu-1"),
        admin.signer,
    )
    services.handle(c.DisableAccount(admin.actor, account, "Nghỉ hưu"), admin.signer)
    before = store_state(services)
    with pytest.raises(DomainError) as info:
        services.handle(
            c.ResetPassword(admin.actor, account, "mat-khau-moi-1"), admin.signer
        )
    assert info.value.code == "account.disabled"
    assert store_state(services) == before


def test_authorisation_comes_before_the_password_policy(services, admin):
    services.handle(
        c.OpenAccount(
            admin.actor, "thuky", "Thư ký", ("secretary",), "mat-khau-thu-ky"
        ),
        admin.signer,
    )
    secretary = services.authenticate("thuky", "mat-khau-thu-ky")
    with pytest.raises(DomainError) as info:
        services.handle(
            c.OpenAccount(secretary.actor, "khac", "Khác", ("member",), "short"),
            secretary.signer,
        )
    assert info.value.code == "auth.forbidden"
