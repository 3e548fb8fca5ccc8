"""What a batch derived (``CommandBatch.remember``, ``UnitOfWork.remembered``:
a rating subject's facts) is derived once per batch and never served stale: an
accepted command's events on an aggregate it read, a refused command that
derived it, and the flush all make the next call derive again."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.errors import DomainError
from domain.organisations import Organisation
from services import commands as c


def founded(services, admin, code: str) -> UUID:
    return services.handle(
        c.FoundOrganisation(
            admin.actor, code, f"Tổ chức {code}", "provincial_committee", None
        ),
        admin.signer,
    )


def name_of(services, org: UUID, calls: list[str]):
    """A derivation that reads the organisation through the unit of work."""

    def derive() -> str:
        name = services.uow.read(Organisation, org, "org.not_found").name
        calls.append(name)
        return name

    return services.uow.remembered(("test.name", org), derive)


def test_alone_every_call_derives(services, admin):
    org = founded(services, admin, "tinh")
    calls: list[str] = []
    name_of(services, org, calls)
    name_of(services, org, calls)
    assert calls == ["Tổ chức tinh", "Tổ chức tinh"]


def test_once_per_batch_until_an_event_touches_what_it_read(services, admin):
    org = founded(services, admin, "tinh")
    other = founded(services, admin, "khac")
    calls: list[str] = []
    with services.uow.batch(size=50) as batch:
        assert name_of(services, org, calls) == "Tổ chức tinh"
        assert name_of(services, org, calls) == "Tổ chức tinh"
        assert calls == ["Tổ chức tinh"]
        assert batch.remembered == 1
        # a command on another aggregate leaves it remembered
        services.handle(c.RenameOrganisation(admin.actor, other, "Khác"), admin.signer)
        name_of(services, org, calls)
        assert len(calls) == 1
        # a command on the aggregate it read makes it derive again
        services.handle(c.RenameOrganisation(admin.actor, org, "Mới"), admin.signer)
        assert name_of(services, org, calls) == "Mới"
        assert calls == ["Tổ chức tinh", "Mới"]
        batch.flush()
        assert not batch.memo
        name_of(services, org, calls)
        assert calls == ["Tổ chức tinh", "Mới", "Mới"]


def test_what_a_refused_command_derived_is_forgotten(services, admin):
    org = founded(services, admin, "tinh")
    calls: list[str] = []

    def refused_work():
        mine = services.uow.get(Organisation, org, "org.not_found")
        mine.rename("Chưa lưu", renamed_by=admin.actor)
        assert name_of(services, org, calls) == "Chưa lưu"  # its own change
        raise DomainError("test.refused")

    with services.uow.batch(size=50):
        with pytest.raises(DomainError):
            services.uow.commit(admin.signer, refused_work)
        assert name_of(services, org, calls) == "Tổ chức tinh"
    assert calls == ["Chưa lưu", "Tổ chức tinh"]


def test_an_outer_derivation_watches_what_an_inner_one_read(services, admin):
    org = founded(services, admin, "tinh")
    calls: list[str] = []
    with services.uow.batch(size=50):
        name_of(services, org, calls)  # remembered first, on its own
        outer = services.uow.remembered(
            ("test.outer", org), lambda: name_of(services, org, calls) + "!"
        )
        assert outer == "Tổ chức tinh!"
        services.handle(c.RenameOrganisation(admin.actor, org, "Mới"), admin.signer)
        again = services.uow.remembered(
            ("test.outer", org), lambda: name_of(services, org, calls) + "!"
        )
        assert again == "Mới!"
