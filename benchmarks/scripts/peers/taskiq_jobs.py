# mypy: disable-error-code="import-not-found,untyped-decorator"
# (run by each peer's own venv: the repo's venv has none of these packages)
"""taskiq: `taskiq worker taskiq_jobs:broker --workers 1 --max-async-tasks 10`;
`python taskiq_jobs.py enqueue N` queues N jobs."""

import asyncio
import sys
from typing import Any

from common import PREFIX, REDIS_URL, job_ids, record, say_ready
from taskiq import TaskiqEvents
from taskiq_redis import RedisStreamBroker

broker = RedisStreamBroker(REDIS_URL, queue_name=PREFIX, consumer_group_name=PREFIX)


@broker.task(task_name="run")
async def run(ident: str) -> None:
    await record(ident)


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def startup(state: Any) -> None:
    say_ready()


async def enqueue(count: int) -> None:
    await broker.startup()
    ids = job_ids(count)
    for start in range(0, count, 200):
        await asyncio.gather(*(run.kiq(i) for i in ids[start : start + 200]))
    await broker.shutdown()


if __name__ == "__main__":
    asyncio.run(enqueue(int(sys.argv[2])))
