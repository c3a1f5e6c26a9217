# mypy: disable-error-code="import-not-found,untyped-decorator"
# (run by each peer's own venv: the repo's venv has none of these packages)
"""FastStream: `faststream run faststream_jobs:app`; `python faststream_jobs.py enqueue N`
queues N jobs."""

import asyncio
import sys

from common import CONCURRENCY, PREFIX, REDIS_URL, job_ids, record, say_ready
from faststream import FastStream
from faststream.redis import RedisBroker, StreamSub

broker = RedisBroker(REDIS_URL)
app = FastStream(broker)


@broker.subscriber(
    stream=StreamSub(PREFIX, group=PREFIX, consumer="worker"), max_workers=CONCURRENCY
)
async def run(ident: str) -> None:
    await record(ident)


@app.after_startup
async def startup() -> None:
    say_ready()


async def enqueue(count: int) -> None:
    async with RedisBroker(REDIS_URL) as client:
        ids = job_ids(count)
        for start in range(0, count, 10):
            await asyncio.gather(
                *(client.publish(i, stream=PREFIX) for i in ids[start : start + 10])
            )


if __name__ == "__main__":
    asyncio.run(enqueue(int(sys.argv[2])))
