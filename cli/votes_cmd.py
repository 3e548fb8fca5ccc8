"""``kiemdiem votes``: commands of the confidence vote.

``verify`` runs the standalone verifier (votes.md §10.2) over an exported election
record.  It reads only the files named on the command line, never the database, so
the inspection committee can run it on its own machine against a copy of the record.
``list`` and ``export`` read the store; ``trustee …`` is the trustee's own tool,
which works on local files and talks to the store only in ``trustee submit``.
"""

from __future__ import annotations

from cli.click_help import VietnameseGroup
from cli.votes_create import create
from cli.votes_records import booth_hash, export, list_votes
from cli.votes_trustee import trustee
from cli.votes_verify import verify

votes = VietnameseGroup(
    "votes",
    help="Lấy phiếu tín nhiệm: tạo, liệt kê, xuất và kiểm tra hồ sơ cuộc bỏ phiếu; "
    "công cụ của Ban kiểm phiếu.",
)
for command in (verify, list_votes, export, create, booth_hash, trustee):
    votes.add_command(command)
