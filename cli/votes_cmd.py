"""``kiemdiem votes``: commands of the confidence vote.

``verify`` runs the standalone verifier (votes.md §10.2) over an exported election
record.  It reads only the files named on the command line, never the database, so
the inspection committee can run it on its own machine against a copy of the record.
``list`` and ``export`` read the store; ``trustee …`` is the trustee's own tool,
which works on local files and talks to the store only in ``trustee submit``.
"""

from __future__ import annotations

import click

from cli.votes_create import create
from cli.votes_records import booth_hash, export, list_votes
from cli.votes_trustee import trustee
from cli.votes_verify import verify

votes = click.Group(
    "votes",
    help="Bỏ phiếu tín nhiệm: kiểm tra hồ sơ cuộc bỏ phiếu (confidence vote tools).",
)
for command in (verify, list_votes, export, create, booth_hash, trustee):
    votes.add_command(command)
