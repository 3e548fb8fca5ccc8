"""What follows a reorganisation decision, with the separate worker (issue 12):
the members, plans and attachments that follow are listed from the views, so
before listing them the decision brings the views to the ledger (waits for the
worker, or catches up itself when none runs); a worker that stays behind makes
the decision refused with nothing stored, never recorded with a member left at
the ended chi bộ. docs/rules.md, "Settled choices" of the reorganisation."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DomainError
from domain.members import PartyMember
from projections import directory as views
from services import commands as c
from services import reorganisation_commands as ro
from services.app import Kiemdiem
from tests.store.test_views_after_commands import _admin, _initialised, store_url

__all__ = ["store_url"]  # the fixture

JULY = date(2025, 7, 1)


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgres-worker"], indirect=True)
def test_a_member_enrolled_a_moment_before_the_merger_follows_it(store_url):
    settings = _initialised(store_url)
    web = Kiemdiem(settings)
    idle = Kiemdiem(settings)  # a worker that is present but behind
    try:
        web.today = lambda: date(2025, 7, 10)
        admin = _admin(web)

        def run(command):
            return web.handle(command, admin.signer)

        def org(code, kind, parent=None):
            return run(c.FoundOrganisation(admin.actor, code, code, kind, parent))

        tinh = org("tinh", "provincial_committee")
        xa = org("xa", "grassroots_committee", org("huyen", "district_committee", tinh))
        cb_a, cb_b = org("cb-a", "cell", xa), org("cb-b", "cell", xa)
        merge = ro.MergeOrganisations(
            admin.actor, "5-QĐ/ĐU", JULY, absorbed_ids=(cb_a,), successor_id=cb_b
        )
        web.projections.read_your_writes_seconds = 0.3
        with idle.projections.worker_presence():
            member = run(
                c.EnrolMember(
                    admin.actor, "Đảng viên a", "DV000A", date(1980, 1, 1),
                    date(2010, 1, 1), "full", cb_a,
                )
            )  # fmt: skip
            assert views.cell_member_ids(web.projections, cb_a) == []  # behind
            tip = web.ledger.max_notification_id()
            with pytest.raises(DomainError) as caught:
                run(merge)
            assert caught.value.code == "store.busy"
            assert web.ledger.max_notification_id() == tip  # nothing stored
        # The worker is gone: the decision's process brings the views up first.
        run(merge)
        assert web.ledger.repository.get(member).cell_id == cb_b
        assert views.cell_member_ids(web.projections, cb_b) == [member]
        assert isinstance(web.ledger.repository.get(member), PartyMember)
    finally:
        idle.close()
        web.close()
