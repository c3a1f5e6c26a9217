"""The HTTP API: probes for the orchestrator and an example route. Yours to extend.

`server.WebServer` is the supervised child; `routes` builds the application; `listener` is
the small piece of framework glue that listens on a socket; `intake` decides which requests
get in and counts those in flight, so the drain knows when they are done.
"""
