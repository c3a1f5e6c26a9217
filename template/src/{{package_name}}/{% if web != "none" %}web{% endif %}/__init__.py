"""The HTTP API's own routes, in `routes`. Yours to extend.

The runtime serves them (its `webserver` module): it answers /healthz and /readyz in front of
them, refuses new requests with 503 once the service drains, and lets those in flight finish.
"""
