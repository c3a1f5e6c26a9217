# mypy: disable-error-code="import-not-found"
# (run by each peer's own venv: the repo's venv has none of these packages)
"""The generated service, `python -m PACKAGE` as its README says, with the example job's
body replaced by the peers' job: `python service_jobs.py PACKAGE`.

Nothing else changes: the same supervisor, worker pool, Redis stream consumer and settlement.
The job reads the stream entry's payload, which the harness sets to the job's id.
"""

import asyncio
import importlib
import sys
from typing import Any

from common import DONE, WORK_SECONDS, store

package = sys.argv[1]
example = importlib.import_module(f"{package}.example")


async def run(self: Any, job: Any) -> None:
    if WORK_SECONDS:
        await asyncio.sleep(WORK_SECONDS)
    await store.hincrby(DONE, job.payload, 1)


example.ExampleJob.__call__ = run

if __name__ == "__main__":
    sys.exit(importlib.import_module(f"{package}.__main__").main())
