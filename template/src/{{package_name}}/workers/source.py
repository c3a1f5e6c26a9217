"""The example source: makes jobs at a steady rate until asked to stop."""

from __future__ import annotations

import asyncio
from typing import Protocol

from ..runtime.supervisor import Child
from .jobs import Job


class Intake(Protocol):
    """Where jobs go: the worker pool, or a queue in front of it such as a stream."""

    async def submit(self, job: Job) -> None: ...


class ExampleSource:
    """Submit `rate` jobs per second to `intake`; a rate of 0 submits none.

    Args:
        intake: where the jobs go; waits while it is full.
        rate: jobs per second.
    """

    def __init__(self, intake: Intake, *, rate: float) -> None:
        self._intake = intake
        self._rate = rate
        self._next_id = 0

    async def run(self, child: Child) -> None:
        """The source as a supervised child: stops making jobs as soon as it is asked to."""
        loop = asyncio.get_running_loop()
        child.ready()
        if not self._rate:
            await child.stopping.wait()
            return
        interval = 1.0 / self._rate
        due = loop.time()
        while not child.stopping.is_set():
            self._next_id += 1
            await self._intake.submit(Job(self._next_id, f"example {self._next_id}"))
            due += interval
            if (delay := due - loop.time()) <= 0:
                await asyncio.sleep(0)  # behind schedule: catch up, but let the loop breathe
                continue
            try:
                async with asyncio.timeout(delay):
                    await child.stopping.wait()
            except TimeoutError:
                pass
