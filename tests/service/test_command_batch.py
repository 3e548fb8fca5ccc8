"""Many commands, one commit (``services.command_batch``), on SQLite and
PostgreSQL: every event signed by its own command's signer and chained, the
batch's later commands seeing its earlier ones, a refused command refused and
leaving no trace, a conflict re-running the batch, nothing written on an error."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.errors import DomainError
from domain.organisations import Organisation
from ledger import verify
from services import commands as c
from services import ids
from services.app import Kiemdiem
from services.errors import KeyRevokedError
from tests.service.conftest import ADMIN_PASSWORD, stored_rows

SECOND_PASSWORD = "mat-khau-quan-tri-hai"
missing = UUID(int=7)  # an organisation never founded


def second_admin(services, admin):
    services.handle(
        c.OpenAccount(
            admin.actor, "admin2", "Quản trị hai", ("admin",), SECOND_PASSWORD
        ),
        admin.signer,
    )
    session = services.authenticate("admin2", SECOND_PASSWORD)
    assert session is not None
    return session


def found(actor, code, kind="cell", parent=None):
    return c.FoundOrganisation(actor.actor, code, f"Tổ chức {code}", kind, parent)


def actors_after(services, before):
    return [
        (services.ledger.decode(n).actor, n.topic.rsplit(".", 1)[-1])
        for n in services.ledger.recorder.select_notifications(
            start=before + 1, limit=10**6
        )
    ]


def test_one_commit_each_event_signed_by_its_author(services, admin, database_url):
    other = second_admin(services, admin)
    before = services.ledger.max_notification_id()
    with services.uow.batch(size=50) as batch:
        province = services.handle(
            found(admin, "tinh", "provincial_committee"), admin.signer
        )
        # later commands see the earlier ones: a parent founded in this batch
        district = services.handle(
            found(other, "huyen", "district_committee", province), other.signer
        )
        services.handle(
            c.RenameOrganisation(other.actor, province, "Tỉnh ủy mới"), other.signer
        )
        services.handle(
            c.RenameOrganisation(admin.actor, province, "Tỉnh ủy mới hơn"),
            admin.signer,
        )
        assert services.ledger.max_notification_id() == before  # not written yet
        assert batch.parts
        assert batch.flushes == 0
    assert batch.flushes == 1
    assert batch.flushed_commands == 4
    assert actors_after(services, before) == [
        (admin.actor, "Founded"),
        (other.actor, "Founded"),
        (other.actor, "Renamed"),
        (admin.actor, "Renamed"),
    ]
    org = services.uow.read(Organisation, province, "org.not_found")
    assert (org.name, org.version) == ("Tỉnh ủy mới hơn", 3)
    assert services.uow.read(Organisation, district, "org.not_found").parent_id == (
        province
    )
    # every event chained and signed: the auditor's full verify agrees
    assert verify.verify(database_url, services.trust_root, jobs=1).ok


def test_a_refused_command_leaves_no_trace(services, admin):
    with services.uow.batch() as batch:
        province = services.handle(
            found(admin, "tinh", "provincial_committee"), admin.signer
        )

        def rename_then_refuse():
            org = services.uow.get(Organisation, province, "org.not_found")
            org.rename("Tên dở dang", renamed_by=admin.actor)
            raise DomainError("org.example_refusal")

        with pytest.raises(DomainError):
            services.uow.commit(admin.signer, rename_then_refuse)
        # the refused command's change is gone from what the batch sees
        seen = services.uow.read(Organisation, province, "org.not_found")
        assert (seen.name, seen.version) == ("Tổ chức tinh", 1)
        with pytest.raises(DomainError) as refused:
            services.handle(found(admin, "tinh", "cell"), admin.signer)
        assert refused.value.code == "org.code_taken"
        services.handle(
            c.RenameOrganisation(admin.actor, province, "Tỉnh ủy"), admin.signer
        )
    assert batch.flushed_commands == 2
    org = services.uow.read(Organisation, province, "org.not_found")
    assert (org.name, org.version) == ("Tỉnh ủy", 2)


def test_a_batch_of_refusals_leaves_the_store_byte_identical(services, admin):
    before = stored_rows(services)
    with services.uow.batch(), pytest.raises(DomainError):
        services.handle(found(admin, "x", "cell", missing), admin.signer)
    assert stored_rows(services) == before


def test_an_error_in_the_block_writes_nothing_unwritten(services, admin):
    before = stored_rows(services)

    def build_then_fail():
        with services.uow.batch():
            services.handle(found(admin, "tinh", "provincial_committee"), admin.signer)
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        build_then_fail()
    assert stored_rows(services) == before


def test_a_conflict_reruns_the_batch_on_fresh_aggregates(services, admin, settings):
    province = services.handle(
        found(admin, "tinh", "provincial_committee"), admin.signer
    )
    with services.uow.batch() as batch:
        services.handle(
            c.RenameOrganisation(admin.actor, province, "Tên của lô"), admin.signer
        )
        # another process renames it before the batch is written
        other = Kiemdiem(settings)
        try:
            session = other.authenticate("admin", ADMIN_PASSWORD)
            assert session is not None
            other.handle(
                c.RenameOrganisation(session.actor, province, "Tên của người khác"),
                session.signer,
            )
        finally:
            other.close()
    assert batch.flushed_commands == 1
    org = services.uow.read(Organisation, province, "org.not_found")
    assert (org.name, org.version) == ("Tên của lô", 3)


def test_a_command_that_acts_after_its_commit_runs_alone(services, admin):
    before = services.ledger.max_notification_id()
    with services.uow.batch() as batch:
        services.handle(found(admin, "tinh", "provincial_committee"), admin.signer)
        # opening an account stores its login after its events: written at once,
        # the batch's earlier command first
        second_admin(services, admin)
        assert batch.flushes == 1
        assert not batch.parts
        assert actors_after(services, before)[0] == (admin.actor, "Founded")


def test_only_the_opener_batches(services, admin):
    with services.uow.batch(), pytest.raises(RuntimeError), services.uow.batch():
        pass


def test_a_key_revoked_before_the_write_refuses_the_whole_batch(
    services, admin, settings
):
    other = second_admin(services, admin)

    def build_while_revoked():
        with services.uow.batch():
            services.handle(
                found(admin, "tinh-hai", "provincial_committee"), admin.signer
            )
            services.handle(found(other, "tinh", "provincial_committee"), other.signer)
            # another process disables the second administrator: its key revoked
            another = Kiemdiem(settings)
            try:
                session = another.authenticate("admin", ADMIN_PASSWORD)
                assert session is not None
                another.handle(
                    c.DisableAccount(session.actor, other.account_id, "nghỉ việc"),
                    session.signer,
                )
            finally:
                another.close()

    with pytest.raises(KeyRevokedError):
        build_while_revoked()
    for code in ("tinh", "tinh-hai"):
        assert not services.uow.exists(ids.organisation_id(code))
