"""Which requests get in, how many are in flight, and what the probes answer.

The runtime's Health is the single source of truth: /readyz reports it, and once it is
draining new requests are refused with 503, so the requests in flight can only go down and
the drain ends. Probes always get in and are never counted: they must answer during a drain.
Each request in flight is known by its task, so a drain cut short can cancel them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..runtime.health import Health

PROBES = frozenset({"/healthz", "/readyz"})
REFUSED = {"status": "draining", "detail": "the service is shutting down; retry elsewhere"}


class Intake:
    """Admit requests while the service runs, refuse them once it drains, count the rest.

    Args:
        health: the runtime's health; from its first shutdown signal it is draining.
    """

    def __init__(self, health: Health) -> None:
        self._health = health
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def in_flight(self) -> int:
        """Requests admitted and not yet answered, probes left out."""
        return len(self._in_flight)

    @contextmanager
    def admit(self, path: str) -> Iterator[bool]:
        """Hold one request: yield False when it must be refused, True when it may run.

        A probe is always admitted and never counted; any other request is refused while the
        service drains, and counted in flight until the block ends otherwise. Call it from
        the task that serves the request.
        """
        task = asyncio.current_task()
        if path in PROBES or task is None:
            yield True
            return
        if self._health.draining:
            yield False
            return
        self._in_flight.add(task)
        self._idle.clear()
        try:
            yield True
        finally:
            self._in_flight.discard(task)
            if not self._in_flight:
                self._idle.set()

    async def idle(self) -> None:
        """Return once no admitted request is in flight."""
        await self._idle.wait()

    def cancel(self) -> None:
        """Cancel the requests in flight: the drain ran out of time."""
        for task in self._in_flight:
            task.cancel()


def liveness(health: Health, window: float) -> tuple[int, dict[str, str]]:
    """The /healthz answer: 200 while the loop watchdog ticked within `window` seconds."""
    if health.live(window):
        return 200, {"status": "live"}
    return 503, {"status": "stale"}


def readiness(health: Health) -> tuple[int, dict[str, str]]:
    """The /readyz answer: 200 once every child is ready, 503 before and while draining."""
    if health.ready:
        return 200, {"status": "ready"}
    return 503, {"status": "draining" if health.draining else "starting"}
