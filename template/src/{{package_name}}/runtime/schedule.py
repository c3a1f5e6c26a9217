"""Scheduled work: a job every N seconds or on a cron expression, run once per tick across
every replica.

Design note. Replicas must agree on what "a tick" is without talking to each other, so ticks
are computed from the wall clock alone. With `every=60` they fall on whole minutes since the
epoch, and a tick's identity is its number, its time divided by the period. With a cron
expression (`cron="*/5 * * * *"`, evaluated by cronsim, in UTC unless a time zone is given) a
tick is each time the expression matches, and its identity is that time in whole seconds since
the epoch: the same number in every replica, whatever its local time zone. Before it runs a
tick, a replica claims it through a `TickClaim` (a Redis key set only if absent, or a
PostgreSQL row inserted only once): only the replica whose claim succeeds runs the tick. A
replica that dies mid-tick loses that tick (it is never run twice) and the next tick is claimed
afresh, so nothing waits for the dead. Without a claim, every replica runs every tick: right
for one replica, or for work that is per replica anyway. A stop never cuts a tick under way:
the child finishes it (within the drain), then starts no other. Ticks missed while a tick ran
long, or while the loop was blocked, are skipped, not caught up.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
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
            tick: the tick's identity, the same in every replica.
            ttl: seconds the claim must outlive the tick's start, at least.
        """
        ...


def cron_problem(expression: str) -> str:
    """What is wrong with `expression` as a cron expression; empty when nothing is.

    Five fields (minute, hour, day of month, month, day of week) as in crontab, or six with
    seconds first; names (MON, JAN), ranges, lists, steps, L, LW and MON#2 are accepted.
    """
    from cronsim import CronSim, CronSimError  # noqa: PLC0415 - imported on first use, by cron schedules only

    try:
        next(CronSim(expression, datetime.now(UTC)))
    except CronSimError as exc:
        return f"is not a cron expression ({exc})"
    except StopIteration:
        return "never matches in the next 50 years"
    return ""


class Schedule:
    """Run `job` on each tick: every `every` seconds, aligned to the wall clock, or at each
    time the cron expression `cron` matches. Give one of the two.

    Args:
        name: names the schedule in log lines and in claims; the same in every replica.
        job: gets the tick's time (UTC); an error it raises is logged with its traceback and
            the next tick runs as planned.
        every: the period in seconds.
        cron: a cron expression: five fields as in crontab, e.g. "*/5 * * * *" (every five
            minutes), or six with seconds first, e.g. "*/10 * * * * *" (every ten seconds).
        zone: the time zone `cron` is read in (a `zoneinfo.ZoneInfo`); UTC by default.
        claim: makes each tick run in one replica only; None runs it in every replica.
        clock: the wall clock, in seconds since the epoch (tests give their own).

    Raises:
        ValueError: `every` is not above zero, `cron` is not a cron expression, or neither or
            both are given; the message is one line naming the schedule and the value.
    """

    def __init__(
        self,
        name: str,
        job: TickJob,
        *,
        every: float | None = None,
        cron: str | None = None,
        zone: tzinfo = UTC,
        claim: TickClaim | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if (every is None) == (cron is None):
            raise ValueError(f"schedule {name!r}: give either every= (seconds) or cron=")
        if every is not None and not every > 0:
            raise ValueError(f"schedule {name!r}: every={every!r} must be above 0 seconds")
        if cron is not None and (problem := cron_problem(cron)):
            raise ValueError(f"schedule {name!r}: cron={cron!r} {problem}")
        self.name = name
        self._job = job
        self._every = every
        self._cron = cron
        self._zone = zone
        self._claim = claim
        self._clock = clock

    def child(self, restart: Restart = Restart.PERMANENT) -> ChildSpec:
        """The schedule as a child to supervise, named `schedule:<name>`."""
        return ChildSpec(f"schedule:{self.name}", self.run, restart)

    async def run(self, child: Child) -> None:
        """Run each due tick this replica claims until asked to stop."""
        child.ready()
        tick = self._after(self._clock())
        while tick is not None and await child.sleep(max(0.0, self._due(tick) - self._clock())):
            if await self._claimed(tick):
                await self._run(tick)
            # A tick that ran long, or a loop that was blocked, skips the ticks it missed.
            later = self._after(max(self._due(tick), self._clock()))
            tick = None if later is None else max(tick + 1, later)
        if tick is None:
            event(logger, "schedule_ended", level=logging.WARNING, schedule=self.name)
            await child.stopping.wait()

    def next_tick(self, after: datetime) -> datetime | None:
        """The time (UTC) of the first tick strictly after `after`; None if none comes.

        Args:
            after: a time with its time zone.
        """
        tick = self._after(after.timestamp())
        return None if tick is None else datetime.fromtimestamp(self._due(tick), UTC)

    def _after(self, now: float) -> int | None:
        """The identity of the first tick strictly after `now`; None if there is none."""
        if self._every is not None:
            return math.floor(now / self._every) + 1
        assert self._cron is not None
        start = datetime.fromtimestamp(now, self._zone)
        try:
            from cronsim import CronSim  # noqa: PLC0415 - imported on first use, by cron schedules only

            return int(next(CronSim(self._cron, start)).timestamp())
        except StopIteration:  # no match in the next 50 years
            return None

    def _due(self, tick: int) -> float:
        """The tick's time, in seconds since the epoch."""
        return tick * self._every if self._every is not None else float(tick)

    def _ttl(self, tick: int) -> float:
        """How long a claim on `tick` is kept: ten periods, so no lagging replica retakes it."""
        if self._every is not None:
            return 10 * self._every
        following = self._after(self._due(tick))
        return 10 * max(1.0, (following or tick + 3600) - tick)

    async def _claimed(self, tick: int) -> bool:
        if self._claim is None:
            return True
        try:
            return await self._claim.claim(self.name, tick, ttl=self._ttl(tick))
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
        due = datetime.fromtimestamp(self._due(tick), UTC)
        try:
            await self._job(due)
        except Exception as exc:  # noqa: BLE001 - logged with its traceback; the next tick runs
            event(logger, "tick_failed", level=logging.ERROR, exc_info=exc, schedule=self.name)
        else:
            event(logger, "tick", level=logging.DEBUG, schedule=self.name, tick=tick)
