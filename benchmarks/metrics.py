"""metrics: what `metrics=prometheus` costs, paired with the same service without metrics.

Method. Two figures, each measured beside its baseline in the same run:

- metrics throughput: `scripts/metrics_throughput.py` in the `metrics=prometheus` variant's
  venv; no-op jobs through the real supervisor and worker pool with the metrics wired in (the
  duration histogram observed per job, the whole exposition rendered every second, more often
  than Prometheus scrapes) against the same pool without them, rounds alternating in one
  process (its docstring has the details). The difference sought (a few per cent) is smaller
  than what other work on a shared machine does to one round, so this figure runs three times
  as many rounds as `throughput`, each of a quarter of its jobs: more neighbouring pairs.
- metrics startup: `lifecycle.start_and_stop` of the `metrics=prometheus` variant against the
  default variant (`metrics=none`), alternating; spawn to `event=ready`, idle (EXAMPLE_RATE=0).
  The memory of the same starts is reported beside it, without a target. prometheus_client
  loads at the first scrape (see `runtime/metrics.py`), which no start here makes: that row
  is the memory of a service not yet scraped.

Targets: throughput ratio >= 0.95 and startup ratio <= 1.1. Reported, never asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .lifecycle import Start, start_and_stop
from .plan import Plan
from .rows import Row, Target, compare
from .stats import alternate
from .workspace import SCRIPTS, Project, Workspace

THROUGHPUT_TARGET = Target(">=", 0.95)
STARTUP_TARGET = Target("<=", 1.1)
SCRAPE_EVERY = 1.0


def throughput_rounds(project: Project, plan: Plan) -> dict[str, Any]:
    """Run the paired throughput script in `project`'s venv; return its report.

    Raises:
        BenchmarkError: the script failed.
    """
    return project.run_report(
        SCRIPTS / "metrics_throughput.py",
        project.package,
        f"--jobs={plan.throughput_jobs // 4}",
        f"--rounds={plan.throughput_rounds * 3}",
        f"--scrape={SCRAPE_EVERY}",
        what="metrics throughput",
    )


def throughput_row(report: dict[str, Any]) -> Row:
    return compare(
        "metrics throughput",
        "jobs/s",
        report["on"],
        report["off"],
        THROUGHPUT_TARGET,
        note=f"no-op jobs, histogram observed per job, scraped every {report['scrape']:g}s; "
        "baseline: metrics off",
    )


def startup_rows(on: list[Start], off: list[Start]) -> list[Row]:
    return [
        compare(
            "metrics startup",
            "ms",
            [start.startup * 1000 for start in on],
            [start.startup * 1000 for start in off],
            STARTUP_TARGET,
            note="spawn to event=ready; baseline: metrics=none",
        ),
        compare(
            "metrics memory",
            "MiB",
            [start.rss for start in on],
            [start.rss for start in off],
            None,
            note="idle RSS after ready, not yet scraped; baseline: metrics=none",
        ),
    ]


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    with_metrics = workspace.project(metrics="prometheus")
    without = workspace.project()
    workspace.say(
        f"metrics throughput: {plan.throughput_rounds * 3} rounds of "
        f"{plan.throughput_jobs // 4:,} no-op jobs, metrics on and off"
    )
    rows = [throughput_row(throughput_rounds(with_metrics, plan))]
    sides: dict[str, Callable[[], Start]] = {
        name: lambda project=project: start_and_stop(  # type: ignore[misc]
            project, project.service(), project.env(example_rate=0), summary=True
        )
        for name, project in (("on", with_metrics), ("off", without))
    }
    workspace.say(f"metrics startup: {plan.lifecycle} starts with and without metrics")
    for side in sides.values():
        side()  # warm-up, not counted
    runs: dict[str, list[Start]] = {"on": [], "off": []}
    for index in range(plan.lifecycle):
        for name in alternate(index, "on", "off"):
            runs[name].append(sides[name]())
    return rows + startup_rows(runs["on"], runs["off"])
