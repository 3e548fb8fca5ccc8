"""``kiemdiem votes verify``: the standalone verifier (votes.md §10.2) over an
exported election record. It reads only the files named on the command line,
never the database, so the inspection committee can run it on its own machine
against a copy of the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from cli.votes_common import EXIT_FAILED, EXIT_OK, EXIT_UNREADABLE
from ledger.config import settings_from_environ
from ledger.errors import ConfigurationError
from votes.verifier import Report, verify_record


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


def _find_trust_root(given: Path | None, as_json: bool) -> tuple[dict[str, Any], str]:
    """The trust root (votes.md V3: required for the organiser key) and where it
    was taken from: ``--trust-root``, else the store's own (KIEMDIEM_TRUST_ROOT
    or ``trust-root.json`` in the instance folder). Never the record itself."""
    if given is not None:
        return _read_trust_root(given, as_json), f"{given} (given with --trust-root)"
    try:
        settings = settings_from_environ()
    except ConfigurationError:
        settings = None
    if settings is not None and settings.trust_root_path.is_file():
        path = settings.trust_root_path
        where = (
            "KIEMDIEM_TRUST_ROOT"
            if "KIEMDIEM_TRUST_ROOT" in settings.paths
            else "found beside the store"
        )
        return _read_trust_root(path, as_json), f"{path} ({where})"
    _unreadable(
        "no trust root: give --trust-root FILE (the trust root handed over at the "
        "set-up); the organiser key is never taken from the record itself",
        as_json,
    )


def _print_report(report: Report) -> None:
    for outcome in report.checks:
        click.echo(f"{outcome.check:<4} {outcome.title:<20} {outcome.status}")
    for note in report.notes:
        click.echo(f"note: {note}")
    if report.booth_sha256 is not None:
        click.echo(
            f"booth_sha256 {report.booth_sha256} "
            "(compare with `kiemdiem votes booth-hash`)"
        )
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


@click.command("verify")
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
    help="Trust root file (ledger format) that vouches for the organiser key "
    "(default: the store's, beside it in the instance folder; required).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes checking the ballot proofs (default: one per CPU).",
)
@click.option(
    "--audit-ballot",
    "audit_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A ballot audited in the booth (kiem-tra-phieu.json): V17. Repeatable.",
)
def verify(
    record: Path,
    head: str | None,
    trust_root_path: Path | None,
    as_json: bool,
    jobs: int | None,
    audit_paths: tuple[Path, ...],
) -> None:
    """Check every rule of votes.md §10.3 over the election RECORD (JSON Lines).

    The trust root is required (V3): --trust-root FILE, else the store's own
    (KIEMDIEM_TRUST_ROOT or trust-root.json in the instance folder); the report
    says which. Exit status 0 when every check passes, 1 at the first failing
    check (named with its position) or a failed audit, 2 when an input cannot be
    read or no trust root is found.  The
    manifest's booth_sha256 is printed to compare with `kiemdiem votes booth-hash`;
    each --audit-ballot file is re-encrypted and its choices printed (V17).
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
    trust_root, trust_root_source = _find_trust_root(trust_root_path, as_json)
    audits = []
    for path in audit_paths:
        try:
            audits.append(path.read_bytes())
        except OSError as exc:
            _unreadable(f"cannot read audit file {path}: {exc}", as_json)
    report = verify_record(
        data, head=head_bytes, trust_root=trust_root, jobs=jobs, audit_ballots=audits
    )
    if as_json:
        payload = {**report.to_json(), "trust_root": trust_root_source}
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(f"trust root: {trust_root_source}")
        _print_report(report)
        for path, audit in zip(audit_paths, report.audits, strict=True):
            status = "OK" if audit.ok else "FAIL"
            click.echo(f"V17  audit {path}: {status} {audit.detail}")
            for line in audit.choices:
                click.echo(f"       {line}")
    ok = report.ok and all(audit.ok for audit in report.audits)
    raise click.exceptions.Exit(EXIT_OK if ok else EXIT_FAILED)
