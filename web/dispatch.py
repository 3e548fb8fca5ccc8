"""Sending a command from a form or a JSON body: signed by the current user,
refusals mapped once (``web.errors``): the page-level ones to the error
handlers, the others onto the form in Vietnamese, or as the JSON error. Nothing
here decides a rule."""

from __future__ import annotations

import logging
from typing import Any

from flask import g

from domain.errors import DomainError
from services.errors import SignatureRequiredError
from web.errors import PAGE_LEVEL, Refused, is_page_level, json_refusal, status_for
from web.forms import BaseForm
from web.identity import services, signer

log = logging.getLogger(__name__)

__all__ = ["PAGE_LEVEL", "form_refusal", "form_status", "send_json", "submit"]


def form_refusal(exc: DomainError, form: BaseForm) -> None:
    """Put a refusal on ``form`` (and remember its status); re-raise one that
    answers the whole request."""
    if is_page_level(exc.code, form.error_fields):
        raise exc
    form.add_error(exc.code, exc.details)
    g.refusal_code = exc.code


def submit(command: Any, form: BaseForm) -> Any | None:
    """Run ``command`` through the command bus, signed by the current user; on
    refusal put the message on ``form`` and return None."""
    name = type(command).__name__
    key = signer()  # asks for the password again when the key is not unlocked here
    try:
        result = _handle(command, key)
    except SignatureRequiredError:
        raise
    except DomainError as exc:
        log.info("command %s refused: %s", name, exc.code)
        form_refusal(exc, form)
        return None
    log.info("command %s accepted: %s", name, result)
    return result


def send_json(command: Any, form: Any = None) -> Any:
    """Run ``command`` for the JSON API; a refusal is raised as the JSON error
    (``Refused``), naming the field of ``form`` it is about when there is one."""
    name = type(command).__name__
    key = signer()
    try:
        result = _handle(command, key)
    except SignatureRequiredError:
        raise
    except DomainError as exc:
        log.info("command %s refused: %s", name, exc.code)
        fields = getattr(form, "error_fields", {}) or {}
        raise Refused(json_refusal(exc, fields.get(exc.code))) from None
    log.info("command %s accepted: %s", name, result)
    return result


def _handle(command: Any, key: Any) -> Any:
    """The command through the bus; then this request's reads start afresh
    (``ReadGateway.forget``), so what the page reads next shows its effect."""
    try:
        return services().handle(command, key)
    finally:
        gate = g.get("read_gateway")
        if gate is not None:
            gate.forget()


def form_status(form: BaseForm) -> int:
    """200 for a fresh form, 400 for bad shape, the refusal's status otherwise."""
    code = getattr(g, "refusal_code", None)
    if code:
        return status_for(code)
    if form.errors:
        return 400
    return 200
