"""``kiemdiem votes list``, ``export`` and ``booth-hash``: reading the store
(the votes, a vote's election record) and the booth files it serves."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import click

from cli.context import open_services
from cli.votes_common import bad_input
from domain.errors import DomainError
from services import booth
from services.votes import VoteService


def _vote_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        bad_input(f"{value!r} không phải id cuộc bỏ phiếu (xem `kiemdiem votes list`)")


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array on stdout.")
def list_votes(as_json: bool) -> None:
    """List votes with their ids, organisation, title, state and counts."""
    with open_services() as services:
        rows = VoteService(services).votes()
    if as_json:
        payload = [
            {
                "ballots": r.ballots,
                "code": r.code,
                "conference_date": r.conference_date,
                "convened": r.convened,
                "issued": r.issued,
                "leaders": r.leaders,
                "mode": r.mode,
                "org_id": str(r.org_id) if r.org_id else None,
                "organisation": r.organisation,
                "partials": r.partials,
                "present": r.present,
                "short_fingerprint": r.short_fingerprint,
                "state": r.state,
                "threshold": r.threshold,
                "title": r.title,
                "trustees": r.trustees,
                "vote_id": str(r.vote_id),
                "vote_year": r.vote_year,
            }
            for r in rows
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
        return
    if not rows:
        click.echo("Chưa có cuộc bỏ phiếu nào.")
    for r in rows:
        issued = "-" if r.issued is None else str(r.issued)
        click.echo(
            f"{r.vote_id}  {r.state:<21}  phiếu {r.ballots}/{issued}  "
            f"người được lấy phiếu {r.leaders}  {r.organisation}: {r.title}"
        )


@click.command("export")
@click.argument("vote_id")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export(vote_id: str, file: Path) -> None:
    """Write the election record of VOTE_ID to FILE (canonical JSON Lines).

    The record is rebuilt from the vote's signed events in the ledger, followed by
    the signers' public keys: the input of `kiemdiem votes verify` and of the
    trustee tool.
    """
    vote = _vote_id(vote_id)
    with open_services() as services:
        try:
            data = VoteService(services).export_record(vote)
        except DomainError:
            bad_input(f"không có cuộc bỏ phiếu {vote} trong kho này")
    try:
        file.write_bytes(data)
    except OSError as exc:
        bad_input(f"không ghi được {file}: {exc}")
    events = data.count(b"\n") - 1
    click.echo(f"{file}: {events} sự kiện")


# ---------------------------------------------------------------------------


@click.command("booth-hash")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Checkout holding booth/ and node_modules/ (default: the one served).",
)
@click.option("--files", "show_files", is_flag=True, help="Also list each file.")
def booth_hash(root: Path | None, show_files: bool) -> None:
    """Print the SHA-256 of the booth files as the server serves them.

    It is the manifest's booth_sha256 (printed by `kiemdiem votes verify`), computed
    over the booth's own modules and the @noble packages installed by `npm ci` from
    package-lock.json, with the import map and its integrity entries.
    """
    try:
        bundle = booth.build_bundle(root) if root is not None else booth.bundle()
    except booth.BoothMissing as exc:
        bad_input(f"{exc} (cài phòng bỏ phiếu bằng `npm ci`)")
    if show_files:
        for path, digest in sorted(bundle.digests.items()):
            click.echo(f"{digest}  {path}")
    click.echo(bundle.sha256.hex())
