"""`flask worker run`: the outbox, queued imports, e-mail notices and the clocks' warnings,
as processes of their own beside the web server."""
