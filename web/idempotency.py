"""``Idempotency-Key`` on every API write (issue 11), in one hook.

A POST, PUT, PATCH or DELETE under ``/api/v1`` that carries the header is
answered once: the answer (status, body, ``Location``) is kept for a day under
the signed-in account and the key, and a retry with the same key and the same
request gets that answer again (``Idempotent-Replayed: true``) without the view
running, so nothing is signed twice. The same key with another request is
refused (422 ``idempotency.key_reused``); while the first request is still
being answered, a retry gets 409 ``idempotency.in_progress``. Answers that say
"try again" (401 to unlock a key, 409 conflict, 429, 5xx) are not kept: the key
is released and a retry runs the request.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

from services.idempotency import Claim, IdempotencyStore, StoredAnswer

log = logging.getLogger(__name__)
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
STORE = "kiemdiem_idempotency"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY = re.compile(r"[\x21-\x7e]{1,200}")
RETRY_STATUSES = frozenset({401, 409, 429})


def store() -> IdempotencyStore:
    found = current_app.extensions.get(STORE)
    if found is None:
        from web.identity import services

        found = current_app.extensions.setdefault(
            STORE, IdempotencyStore(services().ledger.sql)
        )
    return cast(IdempotencyStore, found)


def fingerprint() -> str:
    """What makes a request the same request: method, path, query and body."""
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode("utf-8") + b"\n")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _applies() -> bool:
    from web.security import is_api_request

    return (
        request.method in WRITES
        and is_api_request()
        and request.endpoint is not None
        and HEADER in request.headers
        and current_user.is_authenticated
    )


def _replay(stored: StoredAnswer) -> Response:
    response = Response(stored.body, status=stored.status, mimetype=None)
    response.headers["Content-Type"] = stored.content_type
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers[REPLAYED] = "true"
    return response


def before() -> Any:
    if not _applies():
        return None
    from web.errors import json_error

    key = request.headers.get(HEADER, "")
    if not KEY.fullmatch(key):
        return json_error("idempotency.key_invalid", 400)
    account_id = current_user.account_id
    found = store().claim(account_id, key, fingerprint(), datetime.now(UTC))
    if isinstance(found, Claim):
        g.idempotency_claim = found
        return None
    if found.fingerprint != fingerprint():
        log.info("idempotency key reused for another request")
        return json_error("idempotency.key_reused", 422)
    if found.status is None:
        return json_error("idempotency.in_progress", 409)
    log.info("answered again from the idempotency key")
    return _replay(found)


def after(response: Response) -> Response:
    claim = g.pop("idempotency_claim", None)
    if not isinstance(claim, Claim):
        return response
    status = response.status_code
    try:
        if status >= 500 or status in RETRY_STATUSES or response.is_streamed:
            store().release(claim)
        else:
            store().keep_answer(
                claim,
                status,
                response.get_data(as_text=True),
                response.headers.get("Content-Type", "application/json"),
                response.headers.get("Location"),
            )
    except Exception:  # the answer itself stands; a retry may run it again
        log.exception("could not keep the answer under its idempotency key")
    return response


def teardown(_exc: BaseException | None) -> None:
    claim = g.pop("idempotency_claim", None)
    if isinstance(claim, Claim):
        try:
            store().release(claim)
        except Exception:
            log.exception("could not release an idempotency key")


def init_app(app: Flask) -> None:
    app.before_request(before)
    app.after_request(after)
    app.teardown_request(teardown)
