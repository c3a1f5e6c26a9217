"""The unit of work and the example job. Replace `example_job` with your own handler."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


class RetryableJobError(Exception):
    """A failure worth another attempt: a timeout, a busy peer, a dropped connection."""


@dataclass(frozen=True)
class Job:
    id: int
    payload: str


async def example_job(
    job: Job,
    *,
    work_seconds: float,
    failure_rate: float,
    records: Sequence[Callable[[Job], Awaitable[None]]] = (),
) -> None:
    """Pretend to work for `work_seconds`; fail retryably for a share of the attempts; then
    record the job with each of `records` (a row in a database, a counter in Redis).

    Raises:
        RetryableJobError: for `failure_rate` of the attempts, at random.
    """
    await asyncio.sleep(work_seconds)
    if failure_rate and random.random() < failure_rate:  # noqa: S311 - simulation only
        raise RetryableJobError(f"job {job.id} failed at random (failure rate {failure_rate})")
    for record in records:
        await record(job)
