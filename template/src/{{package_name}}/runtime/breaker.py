"""A circuit breaker per resource: intake stops while a resource is down, resumes when it answers.

Design note. A transient error (refused, reset, timed out) says little about who failed: an
OSError may come from the database or from anything else the job touched. So an error never
opens a breaker by itself: it makes every breaker whose resource can raise it run that
resource's cheap check (PING, SELECT 1) under CHECK_TIMEOUT, one check at a time however many
jobs failed, and only a failed check opens the breaker. While any breaker is open the sources
stop (the pool and the stream wait in `wait_closed`), readiness answers 503, and the
`Breakers` child probes the resource with backoff; the first answer closes it. A resource down
longer than OUTAGE_TOLERANCE resolves `outage`, and the service exits 1: a short outage costs
time, never work, and a long one is an operator's problem.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from .backoff import backoff_delay
from .logs import event
from .supervisor import Child

logger = logging.getLogger(__name__)

# Seconds a check may take: a black-holed server answers nothing, and that is a failed check.
CHECK_TIMEOUT = 1.0

# Delays between probes of an open breaker: the first, and the cap it doubles up to.
PROBE_INITIAL = 0.2
PROBE_MAX = 2.0

Check = Callable[[], Awaitable[object]]


class OutageError(Exception):
    """A resource stayed down longer than OUTAGE_TOLERANCE; the service exits 1."""


class Breaker:
    """The breaker of one resource: closed while the resource answers its check.

    Args:
        name: the resource's name in log lines and readiness.
        check: a cheap request the resource answers when it is up; raises when it is not.
        errors: the transient errors this resource raises, which make it worth a check.
    """

    def __init__(self, name: str, check: Check, errors: tuple[type[BaseException], ...]) -> None:
        self.name = name
        self.errors = errors
        self._check = check
        self.opened_at: float | None = None
        self._checking: asyncio.Future[bool] | None = None

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    async def answers(self) -> bool:
        """Run the check, or join the one under way; True when the resource answered."""
        while (checking := self._checking) is not None and not checking.done():
            await asyncio.wait({checking})
            if not checking.cancelled():  # cancelled: its runner was, so check anew
                return checking.result()
        checking = self._checking = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await self._check()
        except Exception as exc:  # noqa: BLE001 - any failure of the check means "down"
            event(logger, "check_failed", level=logging.DEBUG, resource=self.name, error=repr(exc))
            checking.set_result(False)
        except BaseException:
            checking.cancel()
            raise
        else:
            checking.set_result(True)
        _raise_if_cancelled()
        return checking.result()


def _raise_if_cancelled() -> None:
    # What `pool.raise_if_cancelled` does (pool imports this module): a check through redis-py
    # may swallow this task's cancellation on Python 3.11, and a cancelled worker or prober
    # must not go on to wait for a breaker or probe again.
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class Breakers:
    """Every resource's breaker, and the child that probes the open ones.

    Args:
        tolerance: seconds a resource may stay down before `outage` resolves (exit 1).
    """

    def __init__(self, tolerance: float = 30.0) -> None:
        self.tolerance = tolerance
        self._breakers: list[Breaker] = []
        # Whether every breaker is closed: a plain attribute, read for every job.
        self.closed = True
        self._closed = asyncio.Event()
        self._closed.set()
        self._opened = asyncio.Event()
        self._outage: asyncio.Future[str] | None = None

    def add(self, name: str, check: Check, errors: tuple[type[BaseException], ...]) -> None:
        """Guard one more resource: `check` tells whether it is up, `errors` are its transient
        errors (retried by the pool and the stream instead of failing the work)."""
        self._breakers.append(Breaker(name, check, errors))

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        """Every guarded resource's transient errors."""
        return tuple(error for breaker in self._breakers for error in breaker.errors)

    @property
    def open(self) -> list[str]:
        """The names of the resources whose breaker is open."""
        return [breaker.name for breaker in self._breakers if breaker.is_open]

    @property
    def states(self) -> dict[str, bool]:
        """Each resource's name and whether its breaker is open."""
        return {breaker.name: breaker.is_open for breaker in self._breakers}

    @property
    def outage(self) -> asyncio.Future[str]:
        """Resolves, with a message naming the resource, once one is down past the tolerance."""
        if self._outage is None:
            self._outage = asyncio.get_running_loop().create_future()
        return self._outage

    async def down(self, error: BaseException) -> bool:
        """After `error`, check each resource that may have raised it; open the breaker of
        each one that does not answer. True when a breaker is open: the error came from an
        outage, and the work that met it should wait in `wait_closed` and try again."""
        for breaker in self._breakers:
            suspect = isinstance(error, breaker.errors) and not breaker.is_open
            if suspect and not await breaker.answers() and not breaker.is_open:
                self._open(breaker, error)
        return any(isinstance(error, b.errors) and b.is_open for b in self._breakers)

    async def wait_closed(self) -> None:
        """Return at once while every breaker is closed; otherwise once they all are."""
        await self._closed.wait()

    async def run(self, child: Child) -> None:
        """Probe the open breakers with backoff until they close, as a supervised child."""
        child.ready()
        async with asyncio.TaskGroup() as group:
            waking = group.create_task(self._wake_when_stopping(child))
            attempt = 0
            while not child.stopping.is_set():
                if not self.open:
                    attempt = 0
                    self._opened.clear()  # a stop of an earlier run may have set it
                    await self._opened.wait()
                    continue
                attempt += 1
                for breaker in self._breakers:
                    if breaker.is_open:
                        await self._probe(breaker)
                if self.open and not await child.sleep(
                    backoff_delay(attempt, PROBE_INITIAL, PROBE_MAX)
                ):
                    break
            waking.cancel()

    async def _probe(self, breaker: Breaker) -> None:
        if await breaker.answers():
            self._close(breaker)
            return
        down = time.monotonic() - (breaker.opened_at or time.monotonic())
        if down > self.tolerance and not self.outage.done():
            message = (
                f"resource {breaker.name!r} has been down for {down:.1f}s, longer than "
                f"OUTAGE_TOLERANCE={self.tolerance}s; bring it back or raise OUTAGE_TOLERANCE"
            )
            event(logger, "outage_too_long", level=logging.CRITICAL, resource=breaker.name)
            self.outage.set_result(message)

    async def _wake_when_stopping(self, child: Child) -> None:
        await child.stopping.wait()
        self._opened.set()

    def _open(self, breaker: Breaker, error: BaseException) -> None:
        breaker.opened_at = time.monotonic()
        self.closed = False
        self._closed.clear()
        self._opened.set()
        event(
            logger,
            "breaker_open",
            level=logging.WARNING,
            resource=breaker.name,
            error=repr(error),
            tolerance=self.tolerance,
        )

    def _close(self, breaker: Breaker) -> None:
        down = time.monotonic() - (breaker.opened_at or time.monotonic())
        breaker.opened_at = None
        event(logger, "breaker_closed", resource=breaker.name, down_seconds=round(down, 3))
        if not self.open:
            self._opened.clear()
            self.closed = True
            self._closed.set()
