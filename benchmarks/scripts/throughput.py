"""No-op jobs per second: the service's supervisor and worker pool vs a bare TaskGroup.

Run by a rendered project's own interpreter:

    python throughput.py PACKAGE --jobs N --rounds R [--loop asyncio|uvloop]

and prints one JSON object: {"service": [jobs/s, ...], "bare": [jobs/s, ...], "concurrency",
"job_timeout", "queue_size"}, one rate per round and side.

Both sides push N jobs (the service's own `Job`, built the same way) through a queue of the
service's default `queue_size` into `worker_concurrency` consumers, each job a no-op under
`asyncio.timeout(job_timeout)`. The service side is the real `WorkerPool` supervised by the
real `Supervisor`, fed by a second child that stops the supervisor once it has submitted
everything, so the clock also covers starting the children and draining the pool. The bare
side is a TaskGroup of consumers reading an `asyncio.Queue`, stopped by one `None` each.
Each run gets a fresh event loop; rounds alternate which side goes first; a first warm-up
round of each side is discarded.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
import time
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any


async def noop(job: object) -> None:
    del job


def through_service(package: str, settings: Any, jobs: int) -> Callable[[], Awaitable[int]]:
    runtime = importlib.import_module(f"{package}.runtime")
    job_type = runtime.Job

    async def run() -> int:
        counts = runtime.JobCounts()
        pool = runtime.WorkerPool(noop, counts, settings)

        async def feed(child: Any) -> None:
            child.ready()
            for number in range(jobs):
                await pool.submit(job_type(number, ""))
            supervisor.stop()
            await child.stopping.wait()

        supervisor = runtime.Supervisor(
            [runtime.ChildSpec("workers", pool.run), runtime.ChildSpec("feed", feed)]
        )
        await supervisor.run()
        return int(counts.completed)

    return run


def through_bare(package: str, settings: Any, jobs: int) -> Callable[[], Awaitable[int]]:
    job_type = importlib.import_module(f"{package}.runtime").Job

    async def run() -> int:
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=settings.queue_size)
        completed = 0

        async def consume() -> None:
            nonlocal completed
            while (job := await queue.get()) is not None:
                async with asyncio.timeout(settings.job_timeout):
                    await noop(job)
                completed += 1

        async with asyncio.TaskGroup() as group:
            for _ in range(settings.worker_concurrency):
                group.create_task(consume())
            for number in range(jobs):
                await queue.put(job_type(number, ""))
            for _ in range(settings.worker_concurrency):
                await queue.put(None)
        return completed

    return run


async def timed(side: Callable[[], Awaitable[int]]) -> tuple[int, float]:
    """Run `side` on the running loop: the clock leaves out making and closing the loop."""
    began = time.perf_counter()
    completed = await side()
    return completed, time.perf_counter() - began


def rate(
    side: Callable[[], Awaitable[int]],
    jobs: int,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None,
) -> float:
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        completed, elapsed = runner.run(timed(side))
    if completed != jobs:
        sys.exit(f"throughput: {completed} of {jobs} jobs completed; the run is not comparable")
    return jobs / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("package")
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--loop", default="asyncio", help="asyncio, or a module with new_event_loop"
    )
    args = parser.parse_args()
    settings = importlib.import_module(f"{args.package}.settings").Settings()
    loop_factory = None
    if args.loop != "asyncio":
        module: ModuleType = importlib.import_module(args.loop)
        loop_factory = module.new_event_loop
    sides = {
        "service": through_service(args.package, settings, args.jobs),
        "bare": through_bare(args.package, settings, args.jobs),
    }
    rates: dict[str, list[float]] = {"service": [], "bare": []}
    for round_number in range(args.rounds + 1):  # round 0 warms up and is discarded
        order = ("service", "bare") if round_number % 2 == 0 else ("bare", "service")
        for name in order:
            measured = rate(sides[name], args.jobs, loop_factory)
            if round_number:
                rates[name].append(measured)
    report = {
        **rates,
        "concurrency": settings.worker_concurrency,
        "job_timeout": settings.job_timeout,
        "queue_size": settings.queue_size,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
