"""startup, shutdown and memory: the default service beside a bare asyncio script.

Method. One repetition starts the default service (`python -m <package>`) and the bare script
(`scripts/bare_service.py`: `asyncio.run`, a SIGTERM handler, one `event=ready` line), both by
the rendered project's interpreter in its venv, in alternating order. Each start gives three
figures:

- startup: from just before the process is spawned to the arrival of its `event=ready` line;
- memory: its resident set (VmRSS of /proc/<pid>/status) `SETTLE` seconds after ready;
- shutdown: from SIGTERM to the process's exit.

The service runs with EXAMPLE_RATE=0, so it is idle and nothing is in flight when the signal
comes; everything else is its default. It must exit 0 having logged `event=stopped` with
`abandoned=0`, or the run stops with an error. Both run from compiled bytecode, as an installed
service does (the workspace compiles it), and one start of each, not counted, comes first.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .plan import Plan
from .process import BenchmarkError, Child, fields
from .rows import Row, Target, compare
from .stats import alternate
from .workspace import Project, Workspace

SETTLE = 0.2
READY_TIMEOUT = 30.0
EXIT_TIMEOUT = 30.0
TARGET = Target("<=", 2.0)


@dataclass(frozen=True)
class Start:
    """One start and stop: seconds to ready, MiB resident when idle, seconds to exit."""

    startup: float
    rss: float
    shutdown: float


# Each start gives these figures: name, unit, how to read it from the start, note.
FIGURES: tuple[tuple[str, str, Callable[[Start], float], str], ...] = (
    ("startup", "ms", lambda start: start.startup * 1000, "spawn to event=ready"),
    ("shutdown", "ms", lambda start: start.shutdown * 1000, "SIGTERM to exit, nothing in flight"),
    ("memory", "MiB", lambda start: start.rss, f"idle RSS {SETTLE:g}s after ready"),
)


def start_and_stop(
    project: Project, argv: Sequence[str], env: dict[str, str], *, summary: bool
) -> Start:
    """Start `argv`, wait for ready, read its memory, SIGTERM it and wait for the exit.

    Args:
        project: the rendered service whose folder is the working directory.
        argv: the command.
        env: its environment.
        summary: it must log `event=stopped` with `abandoned=0` (the service does).

    Raises:
        BenchmarkError: it did not get ready, did not exit, or exited with an error.
    """
    with Child(argv, env, cwd=project.path) as child:
        ready_at, _ = child.wait_for("ready", READY_TIMEOUT)
        time.sleep(SETTLE)
        rss = child.rss_mib()
        sent = child.signal(signal.SIGTERM)
        exited_at, code = child.wait_exit(EXIT_TIMEOUT)
        if code != 0:
            raise BenchmarkError(
                f"{argv[-1]} exited {code} after SIGTERM while idle: {child.last_line}"
            )
        if summary:
            _, stopped = child.wait_for("stopped", 0)
            if fields(stopped).get("abandoned") != "0":
                raise BenchmarkError(f"the idle service abandoned work: {stopped}")
        return Start(ready_at - child.started, rss, exited_at - sent)


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    project = workspace.project()
    sides: dict[str, Callable[[], Start]] = {
        "service": lambda: start_and_stop(
            project, project.service(), project.env(example_rate=0), summary=True
        ),
        "bare": lambda: start_and_stop(
            project, project.script("bare_service.py"), project.env(), summary=False
        ),
    }
    workspace.say(f"startup, memory, shutdown: {plan.lifecycle} starts of the service and bare")
    for side in sides.values():
        side()  # warm-up, not counted: the first start meets cold file caches
    runs: dict[str, list[Start]] = {"service": [], "bare": []}
    for index in range(plan.lifecycle):
        for name in alternate(index, "service", "bare"):
            runs[name].append(sides[name]())
    return [
        compare(
            name,
            unit,
            [read(start) for start in runs["service"]],
            [read(start) for start in runs["bare"]],
            TARGET,
            note=note,
        )
        for name, unit, read, note in FIGURES
    ]
