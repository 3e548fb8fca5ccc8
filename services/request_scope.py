"""A web request's database connections, held from its start to its end
(``ledger.held_connections``): the web app's first and last hooks call these."""

from ledger.held_connections import begin_request, end_request

__all__ = ["begin_request", "end_request"]
