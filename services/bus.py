"""The command bus (tuyến lệnh): the one way a command is sent.

``handle(services, command, signer)`` checks once that the command's actor is
the signer, finds the command type's one handler in the registry and runs it.
Every handler module is imported here, so importing the bus registers them all."""

from __future__ import annotations

from typing import Any

from domain.errors import DomainError
from ledger.signing import Signer
from services.commands import Command
from services.handlers import (
    accounts,
    audit,
    commendations,
    criteria,
    cycles,
    directory,
    member_facts,
    membership,
    org_facts,
    remediation,
    reorganisation,
    rereviews,
    reviews,
    rounds,
    votes,
)
from services.handlers.base import Services
from services.handlers.registry import HANDLERS

MODULES = (
    accounts,
    audit,
    commendations,
    criteria,
    cycles,
    directory,
    member_facts,
    membership,
    org_facts,
    remediation,
    reorganisation,
    rereviews,
    reviews,
    rounds,
    votes,
)


def handle(services: Services, command: Command, signer: Signer) -> Any:
    """Run ``command`` signed by ``signer``: its actor must be the signer."""
    found = HANDLERS.get(type(command))
    if found is None:
        msg = f"no handler for {type(command).__name__}"
        raise TypeError(msg)
    if command.actor_id != signer.actor:
        raise DomainError("auth.actor_mismatch")
    return found(services, command, signer)


def handled_types() -> frozenset[type[Command]]:
    """Every command type with a registered handler."""
    return frozenset(HANDLERS)
