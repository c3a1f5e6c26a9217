# mypy: disable-error-code="import-not-found"
# (run by each peer's own venv: the repo's venv has none of these packages)
"""arq: `arq arq_jobs.WorkerSettings`; `python arq_jobs.py enqueue N` queues N jobs."""

import asyncio
import sys
from typing import Any, ClassVar

from arq import create_pool
from arq.connections import RedisSettings
from common import CONCURRENCY, PREFIX, REDIS_URL, job_ids, record, say_ready

REDIS = RedisSettings.from_dsn(REDIS_URL)


async def run(ctx: Any, ident: str) -> None:
    await record(ident)


async def startup(ctx: Any) -> None:
    say_ready()


class WorkerSettings:
    functions: ClassVar = [run]
    queue_name = PREFIX
    max_jobs = CONCURRENCY
    on_startup = startup
    redis_settings = REDIS


async def enqueue(count: int) -> None:
    pool = await create_pool(REDIS, default_queue_name=PREFIX)
    ids = job_ids(count)
    for start in range(0, count, 200):
        await asyncio.gather(
            *(pool.enqueue_job("run", i, _job_id=i) for i in ids[start : start + 200])
        )
    await pool.aclose()


if __name__ == "__main__":
    asyncio.run(enqueue(int(sys.argv[2])))
