"""The inspection committee's commands (issue 5):

* ``kiemdiem proof --subject ID --out FILE``: a subject's proof bundle;
* ``kiemdiem key export USERNAME --out FILE``: a member's own wrapped key;
* ``kiemdiem cosign NOTE --key-file KEY``: a cosignature line, made locally.

``kiemdiem verify --bundle FILE`` (in ``cli.verify_cmd``) checks a bundle offline.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from uuid import UUID

import click

from cli.context import open_services, secret_from_env_or_prompt
from domain.errors import DomainError
from ledger.errors import ConfigurationError, LedgerError
from ledger.trustroot import load as load_trust_root
from services.cosigning import CosigningError, cosignature_line

PASSWORD_ENV = "KIEMDIEM_PASSWORD"  # noqa: S105 - a variable name, not a secret


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file readable by its owner only."""
    try:
        path.touch(mode=0o600, exist_ok=False)
    except FileExistsError:
        raise click.ClickException(f"{path} exists; choose another file") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from exc
    path.write_text(text, encoding="utf-8")


@click.command()
@click.option("--subject", "subject", required=True, help="The subject's id (UUID).")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the bundle (JSON).",
)
def proof(subject: str, out: Path) -> None:
    """Write SUBJECT's proof bundle: every event of its file, the key events that
    judge the signers, and their inclusion proofs against a signed checkpoint.
    Check it anywhere with `kiemdiem verify --bundle FILE --trust-root TR`."""
    try:
        subject_id = UUID(subject.strip())
    except ValueError:
        raise click.BadParameter(
            "not a UUID (the subject's id, as shown on its page)",
            param_hint="--subject",
        ) from None
    with open_services() as services:
        try:
            made = services.audit.proof_bundle(None, subject_id)
        except DomainError as exc:
            if exc.code == "audit.subject_not_found":
                msg = f"no subject {subject_id} in this store"
                raise click.ClickException(msg) from None
            raise click.ClickException(
                f"no proof bundle: {exc.code} (issue a checkpoint with "
                "`kiemdiem checkpoint` first)"
            ) from exc
        except (ConfigurationError, LedgerError) as exc:
            raise click.ClickException(str(exc)) from exc
    _write_private(out, json.dumps(made, ensure_ascii=False, indent=1) + "\n")
    click.echo(
        f"{len(made['events'])} events, {len(made['keys'])} key events, checkpoint "
        f"of size {made['checkpoint']['size']} → {out}"
    )


@click.group()
def key() -> None:
    """Your own signing key."""


@key.command("export")
@click.argument("username")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The key file to write (it stays wrapped under your password).",
)
def key_export(username: str, out: Path) -> None:
    """Export USERNAME's wrapped key for cosigning on your own machine.

    The password (KIEMDIEM_PASSWORD, or asked on a terminal) is checked first; the
    file holds the key still wrapped under it (ledger.md §4.4)."""
    password = secret_from_env_or_prompt(PASSWORD_ENV, "Mật khẩu (password)")
    if password is None:
        raise click.UsageError(f"no password: set {PASSWORD_ENV} or use a terminal")
    with open_services() as services:
        try:
            exported = services.audit.export_key(username, password)
        except DomainError as exc:
            raise click.ClickException(
                "wrong username or password"
                if exc.code == "auth.invalid_credentials"
                else f"no key to export ({exc.code})"
            ) from exc
    _write_private(out, json.dumps(exported, indent=1) + "\n")
    if exported["cosigner_name"] is None:
        click.echo("note: this key has no cosigner name; it cannot cosign", err=True)
    click.echo(f"key {exported['key_id']} → {out}")


@click.command()
@click.argument("note_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--key-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your key, from `kiemdiem key export`.",
)
@click.option(
    "--trust-root",
    "trust_root_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check the checkpoint's log signature first (recommended).",
)
def cosign(note_file: Path, key_file: Path, trust_root_path: Path | None) -> None:
    """Cosign the checkpoint in NOTE_FILE with your own key, on your own machine;
    print the tlog-cosignature line to paste into the workspace. No database.

    The password comes from KIEMDIEM_PASSWORD or is asked on a terminal."""
    try:
        note_bytes = note_file.read_bytes()
        key_obj = json.loads(key_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.UsageError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise click.UsageError(f"the key file is not JSON: {exc}") from exc
    root = None
    if trust_root_path is not None:
        try:
            root = load_trust_root(trust_root_path)
        except ConfigurationError as exc:
            raise click.UsageError(str(exc)) from exc
    password = secret_from_env_or_prompt(PASSWORD_ENV, "Mật khẩu (password)")
    if password is None:
        raise click.UsageError(f"no password: set {PASSWORD_ENV} or use a terminal")
    try:
        line = cosignature_line(note_bytes, key_obj, password, trust_root=root)
    except CosigningError as exc:
        raise click.ClickException(str(exc)) from exc
    sys.stdout.write(line)
