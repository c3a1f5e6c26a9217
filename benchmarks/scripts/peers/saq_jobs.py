# mypy: disable-error-code="import-not-found"
# (run by each peer's own venv: the repo's venv has none of these packages)
"""saq: `saq saq_jobs.settings`; `python saq_jobs.py enqueue N` queues N jobs."""

import asyncio
import sys
from typing import Any

from common import CONCURRENCY, PREFIX, REDIS_URL, job_ids, record, say_ready
from saq import Queue

queue = Queue.from_url(REDIS_URL, name=PREFIX)


async def run(ctx: Any, *, ident: str) -> None:
    await record(ident)


async def startup(ctx: Any) -> None:
    say_ready()


settings = {
    "queue": queue,
    "functions": [("run", run)],
    "concurrency": CONCURRENCY,
    "startup": startup,
}


async def enqueue(count: int) -> None:
    await queue.connect()
    ids = job_ids(count)
    for start in range(0, count, 200):
        await asyncio.gather(
            *(queue.enqueue("run", ident=i, key=i) for i in ids[start : start + 200])
        )
    await queue.disconnect()


if __name__ == "__main__":
    asyncio.run(enqueue(int(sys.argv[2])))
