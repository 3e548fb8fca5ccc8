"""The one command bus: every command type has exactly one handler, the actor is
checked once before any handler runs, and a type nobody handles is an error."""

import inspect
from dataclasses import dataclass

import pytest

from services import (
    audit_commands,
    bus,
    commands,
    commendations,
    rating_commands,
    remediation_commands,
    reorganisation_commands,
    vote_commands,
)
from services.commands import Command
from services.handlers import registry

COMMAND_MODULES = (
    commands,
    rating_commands,
    remediation_commands,
    audit_commands,
    vote_commands,
    commendations,
    reorganisation_commands,
)


def every_command_type() -> set[type[Command]]:
    found = set()
    for module in COMMAND_MODULES:
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Command) and value is not Command:
                if value.__subclasses__():  # a family's base, never sent itself
                    continue
                found.add(value)
    return found


def test_every_command_type_has_exactly_one_handler():
    wanted = every_command_type()
    assert len(wanted) > 70  # the modules were read, not an empty set
    missing = sorted(t.__name__ for t in wanted - bus.handled_types())
    assert missing == []
    # And nothing is registered that is not a command of those modules.
    assert sorted(t.__name__ for t in bus.handled_types() - wanted) == []


def test_a_second_handler_for_a_command_type_is_refused():
    (some_type, _) = next(iter(registry.HANDLERS.items()))
    with pytest.raises(TypeError, match="second handler"):
        registry.handler(some_type)(lambda app, command, signer: None)


@dataclass(frozen=True)
class Unhandled(Command):
    pass


def test_a_command_nobody_handles_is_an_error(services, admin):
    with pytest.raises(TypeError, match="no handler for Unhandled"):
        services.handle(Unhandled(admin.actor), admin.signer)


def test_the_actor_is_checked_once_before_the_handler(services, admin, refused):
    command = commands.FoundOrganisation(
        "u:someone-else", "tinh", "Tỉnh ủy", "provincial_committee", None
    )
    refused("auth.actor_mismatch", lambda: services.handle(command, admin.signer))
