"""Another process of a rebuild (:func:`projections.rebuild.rebuild`): its share
of the views, rebuilt from one read of the log of its own.

Run as ``python -m projections.rebuild_process`` with the job pickled on its
standard input by the rebuilding process (the settings, the trust root, the
read models, the page size, whether to verify): it opens the ledger and these
views as they are (the rebuild has reset them), applies the log to them page by
page (:func:`projections.rebuild.rebuild_pass`, each page committed with the
view's position) and exits. The rebuilding process then catches every view up
to the tip, which also finishes what this one left.
"""

from __future__ import annotations

import logging
import pickle
import sys
from typing import Any

from ledger.app import LedgerApplication
from projections.catch_up import CatchUp
from projections.rebuild import rebuild_pass
from projections.view_pool import OpenViews

logger = logging.getLogger("kiemdiem.projections")


def run(job: dict[str, Any]) -> None:
    """Rebuild the job's views, as far as the log reaches now."""
    app = LedgerApplication(job["settings"], job["trust_root"])
    try:
        views = OpenViews(job["settings"], job["models"], prepared=False)
        try:
            careful = CatchUp(app, verify=bool(job["verify"]))
            rebuild_pass(careful, list(views.states.values()), None, int(job["page"]))
        finally:
            views.close()
    finally:
        app.close()


def main() -> int:
    job = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our own parent
    try:
        run(job)
    except Exception:
        logger.exception("rebuild: this process's views stopped")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
