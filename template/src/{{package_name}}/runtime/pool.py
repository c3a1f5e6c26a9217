"""A bounded pool of workers draining one queue, each job under a timeout, with retries.

Design note. Shutdown is by sentinel, not by cancellation: when the pool is asked to stop (its
source has stopped first, being started after it), it queues one `None` per worker behind the
jobs already accepted. Each worker finishes the jobs ahead of its sentinel and returns, so a
drain completes exactly the accepted work and nothing is abandoned.

A dependency outage is not the job's fault. An error that a resource's breaker lists as
transient makes the breakers check their resources; when one is down the attempt does not
count, the worker waits for the breaker to close and tries again, and the pool takes no new
job meanwhile. Only an outage longer than OUTAGE_TOLERANCE ends the service (exit 1).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .backoff import backoff_delay
from .breaker import Breakers
from .health import JobCounts
from .logs import event
from .settings import RuntimeSettings
from .supervisor import Child

logger = logging.getLogger(__name__)


class RetryableJobError(Exception):
    """A failure worth another attempt: a timeout, a busy peer, a dropped connection."""


@dataclass(frozen=True)
class Job:
    """One unit of work: an ID unique within its source, and what to do."""

    id: int
    payload: str


Handler = Callable[[Job], Awaitable[None]]
# Called once a job is done with, with None when it completed or the error it failed with;
# returns True when it set the job aside as a dead letter (counted `dead`, not `failed`).
Done = Callable[[Job, BaseException | None], Awaitable[bool]]


def raise_if_cancelled() -> None:
    """Raise this task's cancellation if an await swallowed it.

    On Python 3.11 `asyncio.wait_for` drops a cancellation that arrives just as the awaited
    work completes (CPython gh-86296, fixed in 3.12); libraries built on it (redis-py sends
    every command through it) then return normally inside a cancelled task, which would run
    on until the hard deadline. `Task.cancelling()` still counts the request.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class WorkerPool:
    """Run `handler` on every queued job with at most `worker_concurrency` at a time.

    Args:
        handler: handles one job; raises RetryableJobError for failures worth a retry.
        counts: where accepted, completed and failed jobs are counted.
        settings: the pool's size, queue, per-attempt timeout, retries and their backoff.
        on_done: called after each job's last attempt, e.g. to acknowledge its message; not
            for a job cancelled by a forced shutdown.
        breakers: the resources' breakers; their transient errors are retried, without
            counting against `job_retries` while the resource is down.
    """

    def __init__(
        self,
        handler: Handler,
        counts: JobCounts,
        settings: RuntimeSettings,
        *,
        on_done: Done | None = None,
        breakers: Breakers | None = None,
    ) -> None:
        self._handler = handler
        self._counts = counts
        self._concurrency = settings.worker_concurrency
        self._queue: asyncio.Queue[Job | None] = asyncio.Queue(maxsize=settings.queue_size)
        self._job_timeout = settings.job_timeout
        self._retries = settings.job_retries
        self._backoff_initial = settings.job_retry_backoff_initial
        self._backoff_max = settings.job_retry_backoff_max
        self._on_done = on_done
        self.breakers = Breakers() if breakers is None else breakers

    async def submit(self, job: Job) -> None:
        """Accept a job; waits while the queue is full (backpressure on the source) and while
        a resource is down."""
        if not self.breakers.closed:
            await self.breakers.wait_closed()
        await self._queue.put(job)
        self._counts.accepted += 1

    async def run_now(self, job: Job) -> bool:
        """Accept a job and handle it in the caller's task, beside the queue, with the same
        timeout, retries and counts: for a caller that waits for the outcome, such as an HTTP
        request. Return True when it completed, False when it failed."""
        self._counts.accepted += 1
        return await self._handle(job) is None

    async def run(self, child: Child) -> None:
        """The pool as a supervised child: ready once its workers run; drains when stopped."""
        async with asyncio.TaskGroup() as group:
            for number in range(self._concurrency):
                group.create_task(self._work(), name=f"{child.name}-{number}")
            child.ready()
            await child.stopping.wait()
            for _ in range(self._concurrency):
                await self._queue.put(None)

    async def _work(self) -> None:
        while (job := await self._queue.get()) is not None:
            error = await self._handle(job)
            if self._on_done is not None and await self._on_done(job, error):
                self._counts.failed -= 1
                self._counts.dead += 1
            raise_if_cancelled()

    def _retryable(self) -> tuple[type[BaseException], ...]:
        return (RetryableJobError, TimeoutError, *self.breakers.errors)

    async def _handle(self, job: Job) -> BaseException | None:
        """Run `job` until it completes, fails for good, or runs out of retries; return None
        when it completed, else the error of its last attempt. The hot path: one coroutine a
        job, and the breakers awaited only while one is open."""
        counts = self._counts
        counts.running += 1
        durations = counts.durations  # timed only when the service exports metrics
        began = 0.0 if durations is None else time.perf_counter()
        try:
            error = None
            attempt = 0
            while True:
                attempt += 1
                if not self.breakers.closed:
                    await self.breakers.wait_closed()
                try:
                    async with asyncio.timeout(self._job_timeout):
                        await self._handler(job)
                except self._retryable() as exc:
                    if await self.breakers.down(exc):
                        attempt -= 1  # the resource is down: not the job's attempt
                        event(logger, "job_held", level=logging.DEBUG, job=job.id, error=repr(exc))
                        continue
                    if attempt > self._retries:
                        counts.failed += 1
                        event(
                            logger,
                            "job_failed",
                            level=logging.ERROR,
                            job=job.id,
                            attempts=attempt,
                            error=repr(exc),
                        )
                        error = exc
                        break
                    counts.retried += 1
                    delay = backoff_delay(attempt, self._backoff_initial, self._backoff_max)
                    event(
                        logger,
                        "job_retry",
                        level=logging.DEBUG,
                        job=job.id,
                        attempt=attempt,
                        delay=round(delay, 3),
                        error=repr(exc),
                    )
                    await asyncio.sleep(delay)
                except Exception as exc:  # noqa: BLE001 - not retryable: counted, logged with traceback
                    counts.failed += 1
                    event(
                        logger,
                        "job_failed",
                        level=logging.ERROR,
                        exc_info=exc,
                        job=job.id,
                        attempts=attempt,
                    )
                    error = exc
                    break
                else:
                    counts.completed += 1
                    break
            if durations is not None:
                durations.observe(time.perf_counter() - began)
            return error
        finally:
            counts.running -= 1
