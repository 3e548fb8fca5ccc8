"""Command handlers, one module per bounded context; each registers itself on
the bus with ``@handler(CommandType)`` (see ``services.bus``)."""
