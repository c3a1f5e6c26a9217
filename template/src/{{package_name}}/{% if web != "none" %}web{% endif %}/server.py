"""The HTTP API as a supervised child: listen, report ready, drain, then close.

Design note. Left to themselves, uvicorn and aiohttp stop by closing the listening socket at
once and then waiting for the open connections. During a drain that turns every probe into
"connection refused", and an orchestrator cannot tell a draining service from a dead one. So
the stop comes in two steps. The first signal only drains the runtime's Health: the listener
stays open, /readyz answers 503, new requests are refused with 503 (see `intake`), and the
requests in flight run to their normal response. Once none is left, the child leaves the
framework's `listening` block, which closes the listener and gives the open connections (by
now idle or probes) HTTP_SHUTDOWN_TIMEOUT to finish. The runtime bounds the whole drain by
SHUTDOWN_DRAIN_TIMEOUT (or a second signal): then it cancels this child, which cancels the
requests still in flight and closes the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ..runtime.health import Health
from ..runtime.logs import event
from ..runtime.supervisor import Child
from ..workers.jobs import Job
from .intake import Intake
from .listener import listening
from .routes import create_app

logger = logging.getLogger(__name__)


class WebServer:
    """Serve the HTTP API on `host`:`port` as a supervised child.

    Args:
        health: the runtime's health, read by the probes and the intake.
        run_job: runs one job to its end and says whether it completed (the example route).
        host: the address to listen on.
        port: the port to listen on; 0 picks a free one (see `address` once ready).
        shutdown_timeout: seconds open connections get once the listener has closed.
        access_log: log one line per request (the framework's access log).
        liveness_window: /healthz fails when the loop watchdog has not ticked for this long.
    """

    def __init__(
        self,
        health: Health,
        run_job: Callable[[Job], Awaitable[bool]],
        *,
        host: str,
        port: int,
        shutdown_timeout: int,
        access_log: bool,
        liveness_window: float,
    ) -> None:
        self.intake = Intake(health)
        self.app = create_app(health, self.intake, run_job, liveness_window=liveness_window)
        self._host = host
        self._port = port
        self._shutdown_timeout = shutdown_timeout
        self._access_log = access_log
        self.address: tuple[str, int] | None = None

    async def run(self, child: Child) -> None:
        """Ready once the socket listens; when stopped, drain the requests in flight, close."""
        async with listening(
            self.app,
            host=self._host,
            port=self._port,
            shutdown_timeout=self._shutdown_timeout,
            access_log=self._access_log,
        ) as address:
            self.address = address
            event(logger, "listening", host=address[0], port=address[1])
            child.ready()
            try:
                await child.stopping.wait()
                event(logger, "http_draining", in_flight=self.intake.in_flight)
                await self.intake.idle()
            except asyncio.CancelledError:
                event(logger, "http_requests_cancelled", in_flight=self.intake.in_flight)
                self.intake.cancel()
                raise
        event(logger, "http_closed")
