"""Work done after a command has committed: integration into the Merkle log,
the read models, and a checkpoint when one is due (ledger.md §6.2, §6.3, §9).

None of it may turn a committed command into an error: the events are stored and
signed, so answering "failed" would make a client retry and sign the same act
twice. A failure here is logged and left for the next catch-up (the next write,
a read that catches up, ``kiemdiem checkpoint`` or a worker round).
"""

from __future__ import annotations

import logging
import time
import weakref
from typing import Protocol

from ledger.config import Settings
from ledger.errors import ConfigurationError
from ledger.integrator import Integrator, StoredCheckpoint
from projections.runtime import ProjectionRuntime


class CommittingApp(Protocol):
    """What post-commit work needs of the application (``services.app.Kiemdiem``)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def integrator(self) -> Integrator: ...

    @property
    def projections(self) -> ProjectionRuntime: ...

    def issue_checkpoint(self) -> StoredCheckpoint: ...


log = logging.getLogger(__name__)

CHECKPOINT_RETRY_SECONDS = 60.0
"""After a checkpoint could not be signed (the log key does not open), writes in
this process wait this long before trying again, so a wrong passphrase does not
cost every write a key derivation."""

_checkpoint_paused_until: weakref.WeakKeyDictionary[CommittingApp, float] = (
    weakref.WeakKeyDictionary()
)


def catch_up_on_read(app: CommittingApp) -> int | None:
    """Before a request in the embedded mode: when the views lag the log (a write
    whose post-commit work failed, a process that stopped after committing, a
    store copied without its views), bring the views up now, so no page stays
    stale until the next write (issue 13). Costs one indexed query when nothing
    lags; the worker mode leaves this to the worker. Never raises.

    The log's tip it read (None when it read none), for the request's session
    check to read the account and the key registry at, not to read it again."""
    if app.settings.projections_mode != "inline":
        return None
    try:
        tip = app.projections.app.max_notification_id()
        if not app.projections.lagging(tip):
            return tip
    except Exception:
        log.exception("could not read how far the log and the views are")
        return None
    log.info("views behind the log (tip %d): catching up before the request", tip)
    try:
        # The views only: integrating and checkpointing stay with the writers,
        # so a read never queues for the ledger's write lock.
        app.projections.catch_up_written(tip)
    except Exception:
        log.exception("the views could not be brought to the log before a read")
    return tip


def catch_up(app: CommittingApp, last_notification_id: int) -> None:
    """Integrate, bring the views to ``last_notification_id`` (the command's own
    views inline; in worker mode a bounded wait for the worker, so the acting user
    reads their own write) and checkpoint when due; log every failure instead of
    raising it."""
    if app.settings.projections_mode != "inline":
        try:
            app.projections.read_your_writes(last_notification_id)
        except Exception:
            log.exception(
                "the write is committed, but the views could not be brought to it; "
                "the worker updates them"
            )
        return
    try:
        app.integrator.catch_up()
    except Exception:
        log.exception(
            "the write is committed, but integrating it into the log failed; "
            "the next catch-up integrates it"
        )
        return
    try:
        app.projections.read_your_writes(last_notification_id)
    except Exception:
        log.exception(
            "the write is committed, but updating the views failed; "
            "the next catch-up updates them"
        )
    checkpoint_if_due(app)


def checkpoint_if_due(app: CommittingApp) -> StoredCheckpoint | None:
    """Sign a checkpoint when the policy says one is due and a log key is set up.

    When it cannot be signed (the log key or its passphrase is missing or wrong,
    or the key is not in the trust root) this warns in plain words and leaves
    the checkpoint for later; the caller's write stays committed.
    """
    settings = app.settings
    if not settings.log_key_file.exists():
        return None
    if time.monotonic() < _checkpoint_paused_until.get(app, 0.0):
        return None
    try:
        if not app.integrator.checkpoint_due(
            settings.checkpoint_every, settings.checkpoint_minutes
        ):
            return None
        return app.issue_checkpoint()
    except (ConfigurationError, OSError) as exc:
        _checkpoint_paused_until[app] = time.monotonic() + CHECKPOINT_RETRY_SECONDS
        log.warning(
            "the write is committed, but the checkpoint that is due was not signed "
            "(%s); it will be signed later (at a later write, by a worker round or "
            "by `kiemdiem checkpoint`)",
            exc,
        )
    except Exception:
        log.exception(
            "the write is committed, but the checkpoint that is due was not signed; "
            "it will be signed later"
        )
    return None
