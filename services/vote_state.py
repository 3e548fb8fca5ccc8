"""A confidence vote's state, current with the store (trạng thái cuộc bỏ phiếu).

A vote stream is long (every ballot is an event of ~24 KB), so each process
keeps the state it last read and applies only the events stored since. The
base of :class:`services.votes.VoteService`."""

from __future__ import annotations

import copy
import os
import threading
from uuid import UUID

from ledger import envelope
from ledger.signing import current_scope
from services.ballot_box import BallotBoxKeys
from services.context import AppContext
from services.errors import NotFoundError
from votes.aggregates import ConfidenceVote, Vote, VoteEvent, confidence_vote_id

REMOTE_MODE_ENV = "KIEMDIEM_VOTE_REMOTE_MODE"
REMOTE_MODE_ON = "client-unlock"


class VoteState:
    """The votes of one :class:`Kiemdiem`: their cached state and ballot boxes."""

    def __init__(
        self, kiemdiem: AppContext, *, allow_remote_mode: bool | None = None
    ) -> None:
        self.app = kiemdiem
        # votes.md §6.2: a deployment where only the server holds account keys
        # MUST NOT offer mode B.  Here the mode B booth opens the member's own
        # wrapped key in the browser (Argon2id + AES-256-GCM, the parameters of
        # ledger/keywrap.py) and signs there; the operator turns mode B on
        # explicitly (KIEMDIEM_VOTE_REMOTE_MODE=client-unlock), having read what
        # the server can still do (README, "Mode B").
        if allow_remote_mode is None:
            allow_remote_mode = os.environ.get(REMOTE_MODE_ENV) == REMOTE_MODE_ON
        self.allow_remote_mode = allow_remote_mode
        self.boxes = BallotBoxKeys(kiemdiem)
        self._cache: dict[UUID, Vote] = {}
        self._lock = threading.Lock()

    # -- loading --------------------------------------------------------------------
    def vote(self, vote: UUID) -> Vote:
        """The vote aggregate, current with the store (a private copy to change).

        A vote stream is long (every ballot is an event of ~24 KB), so each process
        keeps the state it last read and applies only the events stored since,
        each checked by the signing mapper like any other read.
        """
        with self._lock:
            cached = self._cache.get(vote)
        if cached is None:
            current = self.app.uow.get(Vote, vote, "vote.not_found")
        else:
            current = copy.deepcopy(cached)
            for event in self.app.ledger.events.get(vote, gt=current.version):
                if not isinstance(event, VoteEvent):
                    raise NotFoundError("vote.not_found", id=str(vote))
                event.mutate(current)
        with self._lock:
            known = self._cache.get(vote)
            if known is None or known.version < current.version:
                self._cache[vote] = copy.deepcopy(current)
        return current

    def confidence_vote(self, vote: UUID) -> ConfidenceVote:
        return self.app.uow.get(
            ConfidenceVote, confidence_vote_id(vote), "vote.not_found"
        )

    def event_hash(self, vote: UUID, version: int) -> bytes:
        """The envelope hash of one stored event of the vote stream."""
        scope = current_scope()
        if scope is not None and (vote, version) in scope.heads:
            return scope.heads[(vote, version)]
        rows = self.app.ledger.recorder.select_events(
            vote, gt=version - 1, lte=version, limit=1
        )
        if not rows:
            raise NotFoundError("vote.event_not_found", version=version)
        return envelope.event_hash(rows[0].state)
