"""One service run, start to exit code: lifespan, supervisor, shutdown phases, summary.

The order is the lifecycle contract: open resources (a first signal may interrupt), start the
children in order, report ready; on the first signal drain, on the second or at the drain
deadline cancel; close resources in reverse; log one summary line; return the exit code.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from .breaker import Breakers, OutageError
from .health import Health, JobCounts, watch_loop_lag
from .lifespan import Lifespan, ResourceError
from .logs import event
from .settings import RuntimeSettings
from .shutdown import Phase, Shutdown
from .supervisor import ChildSpec, Strategy, Supervisor, SupervisorError

logger = logging.getLogger(__name__)

Start = Callable[[Lifespan, Health], Awaitable[Sequence[ChildSpec]]]
# Makes the metrics exposition of one run from its health and its resources (`metrics.observe`).
Observe = Callable[[Health, Lifespan], Callable[[], Awaitable[bytes]]]


def run(
    start: Start,
    settings: RuntimeSettings,
    *,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
    metrics: Observe | None = None,
) -> int:
    """Run the service until it stops and return its exit code.

    Args:
        start: opens the resources on the lifespan and returns the children to supervise.
        settings: timeouts and supervision settings.
        loop_factory: makes the event loop (e.g. `uvloop.new_event_loop`); default asyncio's.
        metrics: exports metrics (`metrics.observe`): the servers then answer GET /metrics.
    """
    shutdown = Shutdown(
        drain_timeout=settings.shutdown_drain_timeout,
        cancel_timeout=settings.shutdown_cancel_timeout,
        hard_deadline=hard_deadline(settings, children=1, resources=1),
    )
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(serve(start, settings, shutdown, metrics=metrics))
    finally:
        shutdown.disarm()


def hard_deadline(settings: RuntimeSettings, *, children: int, resources: int) -> float:
    """Seconds from the first signal to a forced exit: every phase's budget plus a margin.

    Each child gets its own cancel timeout and each resource its own close timeout, one after
    another, so both count once per child and once per resource.

    Args:
        settings: the shutdown timeouts.
        children: the children that may be cancelled, the runtime's own included.
        resources: the resources that may be closed.
    """
    return (
        settings.shutdown_drain_timeout
        + settings.shutdown_cancel_timeout * max(1, children)
        + settings.resource_close_timeout * max(1, resources)
        + settings.shutdown_margin
    )


async def serve(
    start: Start, settings: RuntimeSettings, shutdown: Shutdown, *, metrics: Observe | None = None
) -> int:
    """The body of `run`, for callers that own the event loop (tests, embedding).

    Call `shutdown.disarm()` once the loop is done: a hard deadline armed by a signal or by
    a failure outlives this call, to cover the loop's teardown, and would end the process.

    Args:
        start: opens the resources on the lifespan and returns the children to supervise.
        settings: timeouts and supervision settings.
        shutdown: the signal handling and shutdown phases of this run.
        metrics: exports metrics, as for `run`.
    """
    health = Health(breakers=Breakers(settings.outage_tolerance))
    began = time.monotonic()
    failed = False
    shutdown.last_words = partial(_summary, health.jobs)
    with shutdown.handling_signals():
        try:
            async with Lifespan(
                open_timeout=settings.resource_open_timeout,
                close_timeout=settings.resource_close_timeout,
                breakers=health.breakers,
            ) as lifespan:
                if metrics is not None:  # before `start`: the servers it makes serve them
                    health.scrape = metrics(health, lifespan)
                children = await _start(start, lifespan, health, shutdown)
                if children is not None:
                    supervised = len(children) + 1  # the loop watchdog too
                    shutdown.cancel_timeout = settings.shutdown_cancel_timeout * supervised
                    shutdown.hard_deadline = hard_deadline(
                        settings, children=supervised, resources=len(lifespan.opened)
                    )
                    await _supervise(children, settings, shutdown, health, began)
                shutdown.phase = Phase.CLOSING
        except* (SupervisorError, ResourceError, OutageError) as group:
            failed = True
            for error in group.exceptions:
                event(logger, "failed", level=logging.ERROR, error=str(error))
    code = shutdown.exit_code(failed=failed, abandoned=health.jobs.abandoned)
    _summary(health.jobs, code)
    return code


def _summary(jobs: JobCounts, code: int) -> None:
    """The one line at exit. Also called by the hard deadline's thread: it only reads ints."""
    event(
        logger,
        "stopped",
        accepted=jobs.accepted,
        completed=jobs.completed,
        failed=jobs.failed,
        abandoned=jobs.abandoned,
        dead=jobs.dead,
        exit_code=code,
    )


async def _start(
    start: Start, lifespan: Lifespan, health: Health, shutdown: Shutdown
) -> Sequence[ChildSpec] | None:
    """Open the resources; None when a signal interrupted the start."""
    try:
        async with shutdown.interruptible() as scope:
            return await start(lifespan, health)
    except TimeoutError:
        if not scope.expired():
            raise
        event(logger, "start_interrupted", opened=len(lifespan.opened))
        return None


async def _supervise(
    children: Sequence[ChildSpec],
    settings: RuntimeSettings,
    shutdown: Shutdown,
    health: Health,
    began: float,
) -> None:
    watchdog = ChildSpec(
        "loop_watchdog",
        partial(
            watch_loop_lag,
            health=health,
            interval=settings.loop_lag_interval,
            threshold=settings.loop_lag_threshold,
        ),
    )
    # The breakers' prober starts first and stops last: probes go on while the work drains.
    breakers = ChildSpec("breakers", health.breakers.run)
    supervisor = Supervisor(
        [watchdog, breakers, *children],
        strategy=Strategy(settings.supervisor_strategy),
        max_restarts=settings.supervisor_max_restarts,
        max_seconds=settings.supervisor_max_seconds,
        backoff_initial=settings.restart_backoff_initial,
        backoff_max=settings.restart_backoff_max,
        ready_timeout=settings.child_ready_timeout,
        cancel_timeout=settings.shutdown_cancel_timeout,
        restarts=health.restarts,
    )
    ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    async with asyncio.TaskGroup() as group:
        running = group.create_task(
            supervisor.run(partial(ready.set_result, None), lambda _: shutdown.give_up()),
            name="supervisor",
        )
        outage = health.breakers.outage
        waiters: set[asyncio.Future[Any]] = {running, ready, shutdown.requested, outage}
        await asyncio.wait(waiters, return_when="FIRST_COMPLETED")
        if ready.done() and not running.done() and shutdown.signum is None:
            shutdown.phase = Phase.RUNNING
            health.set_ready()
            event(
                logger,
                "ready",
                children=len(children),
                startup_seconds=round(time.monotonic() - began, 3),
            )
            waiters.discard(ready)
            await asyncio.wait(waiters, return_when="FIRST_COMPLETED")
        if shutdown.signum is not None:
            health.set_draining()
            supervisor.stop()
            event(logger, "draining", in_flight=health.jobs.abandoned)
            await shutdown.drain_then_cancel(running)
        elif outage.done():
            supervisor.stop()
            health.set_draining()
            raise OutageError(outage.result())  # the group cancels the children
