"""Commendations on the five-year history (both backends): five consecutive
HTXSNV give a five-year proposal, a gap breaks it, awards are signed decisions
and a refused award leaves the store unchanged."""

from datetime import date

import pytest

from domain.errors import DomainError
from services import commands as c
from services.commendations import GrantAward
from services.demo_history import CELL_2, COMMUNE, DISTRICT, GAP, PROVINCE, STREAK


def test_five_consecutive_years_give_a_five_year_proposal(history_store):
    services, history, _admin = history_store
    key = history.key(STREAK)
    assert services.commendations.consecutive_years(key, 2025) == 5
    proposals = services.commendations.proposals(history.orgs[PROVINCE], 2025)
    mine = {p["kind"]: p for p in proposals if p["subject_key"] == key}
    assert set(mine) == {"year_certificate", "five_year_certificate"}
    five = mine["five_year_certificate"]
    assert five["basis_years"] == [2021, 2022, 2023, 2024, 2025]
    assert five["awarding_level"] == "above_grassroots_standing"
    assert [o["name"] for o in five["awarding_orgs"]] == ["Huyện ủy Đông Sơn"]
    assert [o["name"] for o in mine["year_certificate"]["awarding_orgs"]] == [
        "Đảng ủy xã Đông Hòa"
    ]


def test_a_gap_breaks_the_streak(history_store):
    services, history, _admin = history_store
    key = history.key(GAP)
    assert services.commendations.consecutive_years(key, 2025) == 2
    assert services.commendations.consecutive_years(key, 2022) == 2
    kinds = {
        p["kind"]
        for p in services.commendations.proposals(history.orgs[PROVINCE], 2025)
        if p["subject_key"] == key
    }
    assert kinds <= {"year_certificate"}  # never a five-year one


def _decision_maker(services, admin, history):

    if services.authenticate("khen-captuy", "mat-khau-khen-1") is None:
        services.handle(
            c.OpenAccount(
                admin.actor,
                "khen-captuy",
                "Ủy viên BTV",
                ("decision_maker",),
                "mat-khau-khen-1",
                org_id=history.orgs[PROVINCE],
            ),
            admin.signer,
        )
    return services.authenticate("khen-captuy", "mat-khau-khen-1")


def test_granting_the_five_year_award_records_the_basis(history_store):
    services, history, admin = history_store
    dm = _decision_maker(services, admin, history)
    key = history.key(STREAK)
    ident = services.handle(
        GrantAward(
            dm.actor,
            key,
            "five_year_certificate",
            2025,
            history.orgs[DISTRICT],
            "25-QĐ/HU",
            date(2026, 2, 3),
        ),
        dm.signer,
    )
    awards = services.commendations.awards(history.orgs[PROVINCE], 2025)
    (award,) = [a for a in awards if a["award_id"] == str(ident)]
    assert award["decision_no"] == "25-QĐ/HU"
    assert [b["year"] for b in award["basis"]] == [2021, 2022, 2023, 2024, 2025]
    assert all(b["level"] == "HTXSNV" for b in award["basis"])
    kinds = {
        p["kind"]
        for p in services.commendations.proposals(history.orgs[PROVINCE], 2025)
        if p["subject_key"] == key
    }
    assert kinds == {"year_certificate"}  # the five-year one is done
    with pytest.raises(DomainError) as err:
        services.handle(
            GrantAward(
                dm.actor,
                key,
                "five_year_certificate",
                2025,
                history.orgs[DISTRICT],
                "26-QĐ/HU",
                date(2026, 2, 3),
            ),
            dm.signer,
        )
    assert err.value.code == "commendation.exists"


@pytest.mark.parametrize(
    ("slot", "kind", "org", "code"),
    [
        (GAP, "five_year_certificate", DISTRICT, "commendation.basis_not_supported"),
        (STREAK, "five_year_merit", PROVINCE, "commendation.kind_not_configured"),
        (STREAK, "year_certificate", DISTRICT, "commendation.awarding_level"),
    ],
)
def test_a_refused_award_leaves_the_store_unchanged(
    history_store, slot, kind, org, code
):
    services, history, admin = history_store
    dm = _decision_maker(services, admin, history)
    before = services.ledger.max_notification_id()
    with pytest.raises(DomainError) as err:
        services.handle(
            GrantAward(
                dm.actor,
                history.key(slot),
                kind,
                2025,
                history.orgs[org],
                "27-QĐ/HU",
                date(2026, 2, 3),
            ),
            dm.signer,
        )
    assert err.value.code == code
    assert services.ledger.max_notification_id() == before


def test_only_the_authority_grants(history_store):
    services, history, admin = history_store
    with pytest.raises(DomainError) as err:
        services.handle(
            GrantAward(
                admin.actor,
                history.key(STREAK),
                "year_certificate",
                2025,
                history.orgs[COMMUNE],
                "1-QĐ/ĐU",
                date(2026, 1, 5),
            ),
            admin.signer,
        )
    assert err.value.code == "auth.forbidden"


def test_rebuild_equals_incremental_for_the_commendations_view(history_store):
    services, history, admin = history_store
    dm = _decision_maker(services, admin, history)
    services.handle(
        GrantAward(
            dm.actor,
            history.key(GAP),
            "year_certificate",
            2025,
            history.orgs[CELL_2],
            "9-QĐ/CB",
            date(2026, 2, 1),
        ),
        dm.signer,
    )
    names = ["commendations", "ratings"]
    before = services.projections.digest(names)
    positions = services.projections.positions()
    rows = services.projections.query(
        "commendations", "SELECT COUNT(*) AS n FROM {years}"
    )
    assert rows[0]["n"] > 0
    services.projections.rebuild(names)
    assert services.projections.digest(names) == before
    assert services.projections.positions() == positions
    assert services.commendations.consecutive_years(history.key(STREAK), 2025) == 5


def test_the_five_year_tier_follows_the_configuration(history_store, monkeypatch):
    from ledger.errors import ConfigurationError
    from services.commendations import FIVE_YEAR_ENV, CommendationService

    services, history, _admin = history_store
    merit = CommendationService(services, "five_year_merit")
    key = history.key(STREAK)
    (five,) = [
        p
        for p in merit.proposals(history.orgs[PROVINCE], 2025)
        if p["subject_key"] == key and p["kind"] != "year_certificate"
    ]
    assert five["kind"] == "five_year_merit"
    assert five["awarding_level"] == "provincial_standing"
    assert [o["name"] for o in five["awarding_orgs"]] == ["Tỉnh ủy Lam Sơn"]
    monkeypatch.setenv(FIVE_YEAR_ENV, "huan_chuong")
    with pytest.raises(ConfigurationError):
        CommendationService(services)
