"""A bounded pool of workers draining one queue, each job under a timeout, with retries.

Design note. Shutdown is by sentinel, not by cancellation: when the pool is asked to stop (its
source has stopped first, being started after it), it queues one `None` per worker behind the
jobs already accepted. Each worker finishes the jobs ahead of its sentinel and returns, so a
drain completes exactly the accepted work and nothing is abandoned.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .backoff import backoff_delay
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
# Called once a job is done with: True when it completed, False when it failed for good.
Done = Callable[[Job, bool], Awaitable[None]]


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
    """

    def __init__(
        self,
        handler: Handler,
        counts: JobCounts,
        settings: RuntimeSettings,
        *,
        on_done: Done | None = None,
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

    async def submit(self, job: Job) -> None:
        """Accept a job; waits while the queue is full (backpressure on the source)."""
        await self._queue.put(job)
        self._counts.accepted += 1

    async def run_now(self, job: Job) -> bool:
        """Accept a job and handle it in the caller's task, beside the queue, with the same
        timeout, retries and counts: for a caller that waits for the outcome, such as an HTTP
        request. Return True when it completed, False when it failed."""
        self._counts.accepted += 1
        return await self._handle(job)

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
            completed = await self._handle(job)
            if self._on_done is not None:
                await self._on_done(job, completed)
            raise_if_cancelled()

    async def _handle(self, job: Job) -> bool:
        """Run `job` until it completes, fails for good, or runs out of retries; True if it
        completed."""
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(self._job_timeout):
                    await self._handler(job)
            except (RetryableJobError, TimeoutError) as exc:
                if attempt > self._retries:
                    self._counts.failed += 1
                    event(
                        logger,
                        "job_failed",
                        level=logging.ERROR,
                        job=job.id,
                        attempts=attempt,
                        error=repr(exc),
                    )
                    return False
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
                self._counts.failed += 1
                event(
                    logger,
                    "job_failed",
                    level=logging.ERROR,
                    exc_info=exc,
                    job=job.id,
                    attempts=attempt,
                )
                return False
            else:
                self._counts.completed += 1
                return True
