"""throughput: no-op jobs a second through the supervisor and the worker pool, vs bare asyncio.

Method. `scripts/throughput.py` runs inside the rendered project's venv and imports its
`Supervisor`, `WorkerPool` and `Job`; its docstring says exactly what each side does. Both
sides use the service's default concurrency, queue size and per-job timeout, and alternate
round by round in the same process, each round on a fresh event loop. The per-job overhead is
the difference of the wall time per job (1 / rate) in each pair of rounds. The uvloop rows
repeat all of it in the `event_loop=uvloop` variant, whose venv has uvloop, on uvloop's loop.
"""

from __future__ import annotations

from typing import Any

from generator import questions

from .plan import Plan
from .rows import Row, Target, compare
from .stats import summarize
from .workspace import SCRIPTS, Project, Workspace

TARGET = Target(">=", 0.8)
DEFAULT_LOOP = "asyncio"  # its rows carry no suffix


def run_rounds(project: Project, plan: Plan, loop: str) -> dict[str, Any]:
    """Run the throughput script in `project`'s venv; return its report.

    Raises:
        BenchmarkError: the script failed.
    """
    return project.run_report(
        SCRIPTS / "throughput.py",
        project.package,
        f"--jobs={plan.throughput_jobs}",
        f"--rounds={plan.throughput_rounds}",
        f"--loop={loop}",
        what=f"{loop} throughput",
    )


def rows(report: dict[str, Any], loop: str) -> list[Row]:
    """The throughput row and the per-job overhead row of one loop's report."""
    service: list[float] = report["service"]
    bare: list[float] = report["bare"]
    suffix = "" if loop == DEFAULT_LOOP else f" ({loop})"
    per_job = [1e6 / b for b in bare]
    overhead = [1e6 / s - 1e6 / b for s, b in zip(service, bare, strict=True)]
    return [
        compare(
            f"throughput{suffix}",
            "jobs/s",
            service,
            bare,
            TARGET,
            note=(
                f"{report['concurrency']} workers, asyncio.timeout({report['job_timeout']:g}) "
                "a job; supervisor + WorkerPool vs TaskGroup + Queue"
            ),
        ),
        Row(
            f"throughput per-job overhead{suffix}",
            "µs",
            summarize(overhead),
            summarize(per_job),
            note="wall time a job adds; baseline: the bare wall time a job",
        ),
    ]


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    found: list[Row] = []
    for loop in questions.load(workspace.template)["event_loop"].values():
        project = workspace.project(event_loop=loop)
        workspace.say(
            f"throughput ({loop}): {plan.throughput_rounds} rounds of "
            f"{plan.throughput_jobs:,} no-op jobs each side"
        )
        found += rows(run_rounds(project, plan, loop), loop)
    return found
