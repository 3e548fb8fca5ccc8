"""The ``kiemdiem`` command line (click). Plain-words errors, exit status 2 for bad
input, JSON where scripts need it, nothing asked when stdin is not a terminal."""

from __future__ import annotations

import logging.config
import os

import click

from cli.audit_cmd import cosign, key, proof
from cli.directory_cmd import members, orgs, users
from cli.export_cmd import export
from cli.import_cmd import import_group
from cli.ledger_cmd import checkpoint, db
from cli.logins_cmd import logins
from cli.ratings_cmd import criteria, cycles
from cli.serve_cmd import serve, worker
from cli.setup_cmd import demo, init
from cli.verify_cmd import verify
from cli.views_cmd import rebuild, views
from cli.votes_cmd import votes
from cli.words import KiemdiemGroup
from services.setup import make_new_files_private

# The log's own lines are technical detail for the operator (module names,
# driver messages, in English like the code); a person reading the terminal sees
# first, in Vietnamese, how grave the line is and that what follows is technical.
LEVEL_WORDS = {
    "DEBUG": "Gỡ lỗi",
    "INFO": "Thông tin",
    "WARNING": "Cảnh báo",
    "ERROR": "Lỗi",
    "CRITICAL": "Lỗi nghiêm trọng",
}


class VietnameseLevelFormatter(logging.Formatter):
    """``Cảnh báo (chi tiết kỹ thuật, services.setup): …``."""

    def format(self, record: logging.LogRecord) -> str:
        record.level_words = LEVEL_WORDS.get(record.levelname, record.levelname)
        return super().format(record)


def configure_logging(level: str = "WARNING") -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "plain": {
                    "()": VietnameseLevelFormatter,
                    "format": "%(level_words)s (chi tiết kỹ thuật, %(name)s): "
                    "%(message)s",
                }
            },
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "formatter": "plain",
                }
            },
            "root": {"level": level, "handlers": ["stderr"]},
        }
    )


@click.group(
    cls=KiemdiemGroup,
    help="kiemdiem: kiểm điểm, đánh giá, xếp loại và lấy phiếu tín nhiệm.",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Ghi nhật ký chi tiết hơn ra stderr."
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    configure_logging("INFO" if verbose else "WARNING")
    # The store's files are private from their creation (restored for callers
    # that run the command in their own process, e.g. tests).
    previous = make_new_files_private()
    ctx.call_on_close(lambda: os.umask(previous))


for command in (
    init,
    demo,
    logins,
    db,
    orgs,
    members,
    import_group,
    cycles,
    criteria,
    users,
    checkpoint,
    verify,
    rebuild,
    views,
    votes,
    export,
    proof,
    cosign,
    key,
    serve,
    worker,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="kiemdiem")


if __name__ == "__main__":
    main()
