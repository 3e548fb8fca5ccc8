"""The registry from command type to its one handler (bảng xử lý lệnh).

A handler is a short function ``(services, command, signer) -> result``: get the
aggregates from the unit of work, call the domain, commit. ``services.bus``
imports every handler module, so each command type is registered exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ledger.signing import Signer
from services.commands import Command
from services.handlers.base import Services

C = TypeVar("C", bound=Command)
Handler = Callable[[Services, Any, Signer], Any]
HandlerOf = Callable[[Services, C, Signer], Any]
HANDLERS: dict[type[Command], Handler] = {}


def handler(command_type: type[C]) -> Callable[[HandlerOf[C]], HandlerOf[C]]:
    """Register the decorated function as the handler of ``command_type``."""

    def register(function: HandlerOf[C]) -> HandlerOf[C]:
        if command_type in HANDLERS:
            msg = f"a second handler for {command_type.__name__}"
            raise TypeError(msg)
        HANDLERS[command_type] = function
        return function

    return register
