"""Aggregate ids are uuid5 of a natural key, so a uniqueness rule becomes an id
collision and listing never needs an aggregate index (ledger.md §10.3)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

ORGANISATION_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/organisation")
MEMBER_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/party-member")
ACCOUNT_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/user-account")


def organisation_id(code: str) -> UUID:
    return uuid5(ORGANISATION_NS, code)


def member_id(party_card_no: str) -> UUID:
    return uuid5(MEMBER_NS, party_card_no)


def account_id(username: str) -> UUID:
    return uuid5(ACCOUNT_NS, username)


def actor_of(account: UUID) -> str:
    """The signed ``actor`` of a person: ``u:<account uuid>``."""
    return f"u:{account}"


DISCIPLINE_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/discipline")
ORG_FACT_NS = uuid5(NAMESPACE_URL, "https://kiemdiem/ns/org-fact")


def discipline_id(member: UUID, decided_on: object, reference: str) -> UUID:
    """A member's discipline: one per decision date and reference."""
    return uuid5(DISCIPLINE_NS, f"{member}/{decided_on}/{reference.strip()}")


def org_fact_id(org: UUID, kind: str, on: object, reference: str) -> str:
    """A fact about an organisation: one per kind, date and reference."""
    return str(uuid5(ORG_FACT_NS, f"{org}/{kind}/{on}/{reference.strip()}"))
