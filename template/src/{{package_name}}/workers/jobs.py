"""The unit of work and the example job. Replace `example_job` with your own handler."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass


class RetryableJobError(Exception):
    """A failure worth another attempt: a timeout, a busy peer, a dropped connection."""


@dataclass(frozen=True)
class Job:
    id: int
    payload: str


async def example_job(job: Job, *, work_seconds: float, failure_rate: float) -> None:
    """Pretend to work for `work_seconds`; fail retryably for a share of the attempts.

    Raises:
        RetryableJobError: for `failure_rate` of the attempts, at random.
    """
    await asyncio.sleep(work_seconds)
    if failure_rate and random.random() < failure_rate:  # noqa: S311 - simulation only
        raise RetryableJobError(f"job {job.id} failed at random (failure rate {failure_rate})")
