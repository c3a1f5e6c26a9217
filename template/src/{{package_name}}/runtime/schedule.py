"""Scheduled work: a job every N seconds, run once per tick across every replica.

Design note. Replicas must agree on what "a tick" is without talking to each other, so ticks
are aligned to the wall clock: with `every=60` they fall on whole minutes since the epoch, and
each has a number, its time divided by the period. Before it runs a tick, a replica claims it
through a `TickClaim` (a Redis key set only if absent, or a PostgreSQL row inserted only once):
only the replica whose claim succeeds runs the tick. A replica that dies mid-tick loses that
tick (it is never run twice) and the next tick is claimed afresh, so nothing waits for the
dead. Without a claim, every replica runs every tick: right for one replica, or for work that
is per replica anyway. A stop never cuts a tick under way: the child finishes it (within the
drain), then starts no other.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from .logs import event
from .supervisor import Child, ChildSpec, Restart

logger = logging.getLogger(__name__)

TickJob = Callable[[datetime], Awaitable[None]]


class TickClaim(Protocol):
    """Decides which replica runs a tick: the first to claim it."""

    async def claim(self, name: str, tick: int, ttl: float) -> bool:
        """Claim tick number `tick` of schedule `name`; True for the one caller that got it.

        Args:
            name: the schedule's name, the same in every replica.
            tick: the tick's number.
            ttl: seconds the claim must outlive the tick's start, at least.
        """
        ...


class Schedule:
    """Run `job` every `every` seconds, on ticks aligned to the wall clock.

    Args:
        name: names the schedule in log lines and in claims; the same in every replica.
        job: gets the tick's time (UTC); an error it raises is logged with its traceback and
            the next tick runs as planned.
        every: the period in seconds.
        claim: makes each tick run in one replica only; None runs it in every replica.
        clock: the wall clock, in seconds since the epoch (tests give their own).

    Raises:
        ValueError: `every` is not above zero.
    """

    def __init__(
        self,
        name: str,
        job: TickJob,
        *,
        every: float,
        claim: TickClaim | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not every > 0:
            raise ValueError(f"schedule {name!r}: every={every!r} must be above 0 seconds")
        self.name = name
        self._job = job
        self._every = every
        self._claim = claim
        self._clock = clock

    def child(self, restart: Restart = Restart.PERMANENT) -> ChildSpec:
        """The schedule as a child to supervise, named `schedule:<name>`."""
        return ChildSpec(f"schedule:{self.name}", self.run, restart)

    async def run(self, child: Child) -> None:
        """Run each due tick this replica claims until asked to stop."""
        child.ready()
        tick = math.floor(self._clock() / self._every) + 1
        while await child.sleep(max(0.0, tick * self._every - self._clock())):
            if await self._claimed(tick):
                await self._run(tick)
            # A tick that ran long, or a loop that was blocked, skips the ticks it missed.
            tick = max(tick + 1, math.floor(self._clock() / self._every) + 1)

    async def _claimed(self, tick: int) -> bool:
        if self._claim is None:
            return True
        try:
            return await self._claim.claim(self.name, tick, ttl=10 * self._every)
        except Exception as exc:  # noqa: BLE001 - a tick nobody could claim is skipped, loudly
            event(
                logger,
                "tick_unclaimed",
                level=logging.WARNING,
                schedule=self.name,
                tick=tick,
                error=repr(exc),
            )
            return False

    async def _run(self, tick: int) -> None:
        due = datetime.fromtimestamp(tick * self._every, UTC)
        try:
            await self._job(due)
        except Exception as exc:  # noqa: BLE001 - logged with its traceback; the next tick runs
            event(logger, "tick_failed", level=logging.ERROR, exc_info=exc, schedule=self.name)
        else:
            event(logger, "tick", level=logging.DEBUG, schedule=self.name, tick=tick)
