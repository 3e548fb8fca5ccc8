"""``kiemdiem votes``: commands of the confidence vote.

``verify`` runs the standalone verifier (votes.md §10.2) over an exported election
record.  It reads only the files named on the command line, never the database, so
the inspection committee can run it on its own machine against a copy of the record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from votes.verifier import Report, verify_record

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNREADABLE = 2

votes = click.Group(
    "votes",
    help="Bỏ phiếu tín nhiệm: kiểm tra hồ sơ cuộc bỏ phiếu (confidence vote tools).",
)


def _unreadable(message: str, as_json: bool) -> NoReturn:
    if as_json:
        payload: dict[str, Any] = {
            "checks": [],
            "error": message,
            "first_failure": None,
            "ok": False,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_UNREADABLE)


def _read_trust_root(path: Path, as_json: bool) -> dict[str, Any]:
    try:
        value: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _unreadable(f"cannot read trust root {path}: {exc}", as_json)
    if not isinstance(value, dict):
        _unreadable(f"trust root {path} is not a JSON object", as_json)
    trust_root: dict[str, Any] = value
    return trust_root


def _print_report(report: Report) -> None:
    for outcome in report.checks:
        click.echo(f"{outcome.check:<4} {outcome.title:<20} {outcome.status}")
    for note in report.notes:
        click.echo(f"note: {note}")
    failure = report.first_failure
    if failure is None:
        click.echo("OK: every check passed")
        return
    where = ""
    if failure.position is not None:
        where = f" at position {failure.position}"
        if failure.topic:
            where += f" ({failure.topic})"
    click.echo(f"FAIL {failure.name}{where}: {failure.detail}")


@votes.command("verify")
@click.argument("record", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--head",
    metavar="HEX",
    help="Chain head written in the minutes: the VoteVotingClosed envelope hash.",
)
@click.option(
    "--trust-root",
    "trust_root_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Trust root file (ledger format) that vouches for the organiser key.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def verify(
    record: Path, head: str | None, trust_root_path: Path | None, as_json: bool
) -> None:
    """Check every rule of votes.md §10.3 over the election RECORD (JSON Lines).

    Exit status 0 when every check passes, 1 at the first failing check (named with
    its position), 2 when an input cannot be read.
    """
    try:
        data = record.read_bytes()
    except OSError as exc:
        _unreadable(f"cannot read record {record}: {exc}", as_json)
    head_bytes = None
    if head is not None:
        try:
            head_bytes = bytes.fromhex(head)
        except ValueError:
            head_bytes = b""
        if len(head_bytes) != 32 or head != head_bytes.hex():
            _unreadable("--head must be 64 lowercase hex characters", as_json)
    trust_root = None
    if trust_root_path is not None:
        trust_root = _read_trust_root(trust_root_path, as_json)
    report = verify_record(data, head=head_bytes, trust_root=trust_root)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        _print_report(report)
    raise click.exceptions.Exit(EXIT_OK if report.ok else EXIT_FAILED)
