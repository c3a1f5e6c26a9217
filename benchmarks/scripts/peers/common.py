# mypy: disable-error-code="import-not-found"
# (run by each peer's own venv: the repo's venv has none of these packages)
"""What every peer's job script shares: the run's names, the job's one write, the ready line.

The harness sets PEER_PREFIX (unique to the run: every key, stream and queue name holds it),
PEER_WORK_SECONDS (what a job sleeps before its write; 0: none) and PEER_REDIS_URL.
"""

import asyncio
import os
import sys

from redis.asyncio import Redis

PREFIX = os.environ.get("PEER_PREFIX", "peers-unset")
WORK_SECONDS = float(os.environ.get("PEER_WORK_SECONDS", "0"))
REDIS_URL = os.environ.get("PEER_REDIS_URL", "redis://127.0.0.1:6379/0")
CONCURRENCY = 10
DONE = f"{PREFIX}:done"  # a hash: job id -> times the job ran

store = Redis.from_url(REDIS_URL)


async def record(ident: str) -> None:
    """The job: its work, then one Redis write recording that it ran."""
    if WORK_SECONDS:
        await asyncio.sleep(WORK_SECONDS)
    await store.hincrby(DONE, ident, 1)


def say_ready() -> None:
    print("event=ready", file=sys.stderr, flush=True)


def job_ids(count: int) -> list[str]:
    return [f"{PREFIX}-j{number:06d}" for number in range(count)]
