"""drain: SIGTERM with 1,000 queued jobs of 10 ms, against the least time they can take.

Method. The default service starts with QUEUE_SIZE=1000, EXAMPLE_WORK_SECONDS=0.01 and an
EXAMPLE_RATE far above what its workers can take (they finish concurrency / 0.01 jobs a
second: 800 at the default 8). Its source fills the queue within milliseconds, then waits on
it (backpressure) and refills each slot a worker frees; so `FILL` seconds after `event=ready`
the queue holds 1,000 jobs, less the few a worker has just taken and the source not yet
replaced, and there is one job in each worker. Then SIGTERM. The figure is the time from the
signal to the process's exit, which must be 0 with `abandoned=0`.

The baseline is the lower bound of that drain, `in_flight * work_seconds / concurrency`, where
`in_flight` is what the service logs on its `event=draining` line: accepted - completed -
failed as the drain starts, i.e. those queued plus those in the workers. The bound counts
the jobs in the workers as whole although they are partly done (in the service's favour, at
most one job time, 10 ms), and leaves out the few jobs the source may still hand over between
that line and its own stop, a loop iteration or two later (against it, 10 ms / concurrency
each): both well under 1% of a drain of about 1.3 s.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass

from .plan import Plan
from .process import BenchmarkError, Child, fields
from .rows import Row, Target, compare
from .workspace import Project, Workspace

QUEUED = 1000
WORK_SECONDS = 0.01
RATE = 1_000_000  # jobs a second asked of the source: as fast as the queue takes them
FILL = 0.5
TARGET = Target("<=", 1.2)


@dataclass(frozen=True)
class Drain:
    seconds: float
    in_flight: int
    bound: float


def drain_once(project: Project, concurrency: int) -> Drain:
    """Fill the queue, SIGTERM the service, time the drain.

    Raises:
        BenchmarkError: the service did not start, did not drain, or lost work.
    """
    env = project.env(
        queue_size=QUEUED,
        example_rate=RATE,
        example_work_seconds=WORK_SECONDS,
        worker_concurrency=concurrency,
    )
    with Child(project.service(), env, cwd=project.path) as child:
        child.wait_for("ready", 30)
        time.sleep(FILL)
        sent = child.signal(signal.SIGTERM)
        _, draining = child.wait_for("draining", 30)
        exited_at, code = child.wait_exit(60)
        _, stopped = child.wait_for("stopped", 0)
    summary = fields(stopped)
    if code != 0 or summary.get("abandoned") != "0":
        raise BenchmarkError(f"the drain of {QUEUED} jobs did not end cleanly: {stopped}")
    in_flight = int(fields(draining)["in_flight"])
    return Drain(exited_at - sent, in_flight, lower_bound(in_flight, WORK_SECONDS, concurrency))


def lower_bound(jobs: int, work_seconds: float, concurrency: int) -> float:
    """The least time `jobs` jobs of `work_seconds` take on `concurrency` workers."""
    return jobs * work_seconds / concurrency


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    project = workspace.project()
    concurrency = int(project.defaults()["worker_concurrency"])
    workspace.say(f"drain: {plan.drain} drains of {QUEUED} queued jobs, concurrency {concurrency}")
    drain_once(project, concurrency)  # warm-up
    drains = [drain_once(project, concurrency) for _ in range(plan.drain)]
    counts = sorted(d.in_flight for d in drains)
    return [
        compare(
            f"drain of {QUEUED:,} queued {WORK_SECONDS * 1000:g} ms jobs",
            "s",
            [d.seconds for d in drains],
            [d.bound for d in drains],
            TARGET,
            note=(
                f"SIGTERM to exit at concurrency {concurrency}, vs jobs x seconds / concurrency;"
                f" {counts[0]}-{counts[-1]} jobs in flight at the signal"
            ),
        )
    ]
