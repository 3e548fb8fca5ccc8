"""Sending a command from a form: signed by the current user, refusals shown on
the form in Vietnamese. Nothing here decides a rule."""

from __future__ import annotations

import logging
from typing import Any

from flask import g

from domain.errors import DomainError
from services.commands import Command
from services.errors import SignatureRequiredError
from web.errors import status_for
from web.forms import BaseForm
from web.identity import services, signer

log = logging.getLogger(__name__)
# Refusals about the request as a whole: the error handlers answer them.
PAGE_LEVEL = frozenset(
    {
        "auth.forbidden",
        "auth.actor_mismatch",
        "auth.signature_required",
        "auth.key_not_valid",
    }
)


def submit(command: Command, form: BaseForm) -> Any | None:
    """Run ``command``; on refusal put the message on ``form`` and return None."""
    name = type(command).__name__
    key = signer()  # asks for the password again when the key is not unlocked here
    try:
        result = services().handle(command, key)
    except SignatureRequiredError:
        raise
    except DomainError as exc:
        log.info("command %s refused: %s", name, exc.code)
        on_field = exc.code in form.error_fields
        if exc.code in PAGE_LEVEL or (exc.code.endswith("not_found") and not on_field):
            raise
        form.add_error(exc.code, exc.details)
        g.refusal_code = exc.code
        return None
    log.info("command %s accepted: %s", name, result)
    return result


def form_status(form: BaseForm) -> int:
    """200 for a fresh form, 400 for bad shape, the refusal's status otherwise."""
    code = getattr(g, "refusal_code", None)
    if code:
        return status_for(code)
    if form.errors:
        return 400
    return 200
