"""What this service opens and what it runs. This file is yours to change.

`start` is called once at startup, inside the runtime's lifespan: open each resource with
`await lifespan.enter(name, opener)` (it is closed in reverse order on every path, each under
its own timeout), then return the children to supervise, in start order. Children stop in
reverse order, so list producers after the consumers they feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from .runtime.health import Health
from .runtime.lifespan import Lifespan
from .runtime.supervisor import ChildSpec
from .settings import Settings
from .workers.jobs import example_job
from .workers.pool import WorkerPool
from .workers.source import ExampleSource


async def start(settings: Settings, lifespan: Lifespan, health: Health) -> Sequence[ChildSpec]:
    """Open the resources and return the children, in start order."""
    del lifespan  # this service opens no resources yet
    pool = WorkerPool(
        partial(
            example_job,
            work_seconds=settings.example_work_seconds,
            failure_rate=settings.example_failure_rate,
        ),
        health.jobs,
        concurrency=settings.worker_concurrency,
        queue_size=settings.queue_size,
        job_timeout=settings.job_timeout,
        retries=settings.job_retries,
        backoff_initial=settings.job_retry_backoff_initial,
        backoff_max=settings.job_retry_backoff_max,
    )
    source = ExampleSource(pool, rate=settings.example_rate)
    return [ChildSpec("workers", pool.run), ChildSpec("source", source.run)]
